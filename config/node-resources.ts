import { DEFAULT_RESOURCES } from "../frameworks/besu/config";
import type { LedgerConfig, NodeConfig } from "./schema";

/** Effective resources of a node: node's own, else the ledger's per-role default, else the built-in default. */
export function nodeResources(ledger: LedgerConfig, node: NodeConfig): { cpu: string; memory: string; storageGiB: number } {
    const builtIn = DEFAULT_RESOURCES[node.role];
    const ledgerDefault = ledger.resources?.[node.role];
    return {
        cpu: node.resources?.cpu ?? ledgerDefault?.cpu ?? builtIn.cpu,
        memory: node.resources?.memory ?? ledgerDefault?.memory ?? builtIn.memory,
        storageGiB: node.resources?.storageGiB ?? ledgerDefault?.storageGiB ?? builtIn.storageGiB,
    };
}
