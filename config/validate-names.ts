// Ids joined with '-' into resource names must not run together: ledger `main` with node `val-x` and
// ledger `main-val` with node `x` would both name a key `main-val-x-node-key`, and the engine refuses
// a second resource with the same URN only once `pulumi up` is under way. Refused here instead, at the
// entry that collides, naming the other one.
import { formatKeyPath, type KeyPath } from "./errors";
import { ledgerResourcePrefix, nodeKeyResourceName, nodeResourceName } from "./names";
import type { NetworkFinding } from "./validate";

type Entries = Record<string, unknown>;
const mapping = (v: unknown): Entries | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Entries) : undefined);
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

interface Named {
    name: string;
    what: string;
    path: KeyPath;
}

export function checkNames(raw: unknown, lineOf: (keyPath: KeyPath) => number | undefined): NetworkFinding[] {
    const network = mapping(raw);
    const networkName = text(network?.name);
    if (!network || networkName === undefined) return [];
    const keys: Named[] = [];
    const ledgersInRegions: Named[] = [];
    const nodes: Named[] = [];
    const seenLedgerRegion = new Set<string>();
    for (const [ledger, l] of Object.entries(mapping(network.ledgers) ?? {})) {
        const list = mapping(l)?.nodes;
        if (!Array.isArray(list)) continue;
        list.forEach((value, index) => {
            const node = mapping(value);
            const name = text(node?.name);
            const region = text(node?.region);
            if (name === undefined) return;
            const path = ["ledgers", ledger, "nodes", index, "name"];
            keys.push({ name: nodeKeyResourceName(ledger, name), what: `node '${name}' of ledger '${ledger}'`, path });
            if (region === undefined) return;
            nodes.push({ name: nodeResourceName(networkName, region, ledger, name), what: `node '${name}' of ledger '${ledger}' in region '${region}'`, path });
            if (!seenLedgerRegion.has(`${region}\u0000${ledger}`)) {
                seenLedgerRegion.add(`${region}\u0000${ledger}`);
                ledgersInRegions.push({ name: ledgerResourcePrefix(networkName, region, ledger), what: `ledger '${ledger}' in region '${region}'`, path: ["ledgers", ledger, "nodes", index, "region"] });
            }
        });
    }
    return [
        ...collisions(keys, "their generated keys", lineOf),
        ...collisions(ledgersInRegions, "what they build in their regions", lineOf),
        ...collisions(nodes, "their nodes' resources", lineOf),
    ];
}

function collisions(entries: readonly Named[], what: string, lineOf: (keyPath: KeyPath) => number | undefined): NetworkFinding[] {
    const first = new Map<string, Named>();
    const findings: NetworkFinding[] = [];
    for (const entry of entries) {
        const earlier = first.get(entry.name);
        if (earlier === undefined) {
            first.set(entry.name, entry);
            continue;
        }
        if (earlier.what === entry.what) continue;
        const line = lineOf(earlier.path);
        findings.push({
            path: entry.path,
            message:
                `${entry.what} and ${earlier.what} (${formatKeyPath(earlier.path)}${line === undefined ? "" : `, line ${line}`}) would give ${what} the same name, ` +
                `${entry.name}: ids are joined with '-', so they run together; rename one of them`,
        });
    }
    return findings;
}
