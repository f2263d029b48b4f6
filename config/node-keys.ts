// The keys a stack file brings for its nodes (`ledgerfleet:nodeKeys`): every node this stack builds
// that brings its own public key has an entry; no entry is in plain text (unless the stack is a lab);
// and every entry that can be read here derives the public key the network file declares, so a key
// that does not match stops the plan before anything is built, not a pod in the cluster afterwards.
import { normalizePublicKey, privateKeyFromHex, publicKeyFromPrivate } from "../frameworks/besu/keys";
import { describeFound, didYouMean, type Problem } from "./errors";
import { deploysRegion, type DeployTarget, LAB_KEY, type NetworkConfig, NODE_KEYS_KEY, nodeKeyConfigPath } from "./schema";
import type { YamlSource } from "./source";

/** The command that stores a node's key encrypted in the stack file. */
export function setKeyCommand(entry: string): string {
    return `pulumi config set --secret --path '${NODE_KEYS_KEY}["${entry}"]' 0x<64 hex>`;
}

export interface NodeKeysInput {
    network: NetworkConfig;
    deploy: DeployTarget;
    /** The `ledgerfleet:nodeKeys` value as the loader holds it: JSON, encrypted leaves replaced by `secretPlaceholder`. */
    raw: string | undefined;
    secretPlaceholder: string;
    /** How the key is written in the stack file (`ledgerfleet:nodeKeys` or `nodeKeys`). */
    writtenKey: string;
    lab: boolean;
    source: YamlSource;
}

export function nodeKeyProblems(k: NodeKeysInput): Problem[] {
    // Encrypted as a whole: nothing in it can be read offline; `pulumi up` checks it decrypted.
    if (k.raw === k.secretPlaceholder) return [];
    const at = (entry?: string) => (k.raw === undefined ? ["config"] : entry === undefined ? ["config", k.writtenKey] : ["config", k.writtenKey, entry]);
    let entries: Record<string, unknown> = {};
    if (k.raw !== undefined) {
        const parsed: unknown = JSON.parse(k.raw);
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
            return [k.source.problemAt(at(), `expected a mapping of "<ledger>/<node>" to private keys, found ${describeFound(parsed)}`)];
        }
        entries = parsed as Record<string, unknown>;
    }

    const bringing = new Map<string, { ledger: string; node: string; publicKey: string; builtHere: boolean }>();
    for (const [ledger, l] of Object.entries(k.network.ledgers)) {
        for (const n of l.nodes) {
            if (n.publicKey === undefined || n.keySecret !== undefined) continue;
            bringing.set(nodeKeyConfigPath(ledger, n.name), { ledger, node: n.name, publicKey: n.publicKey, builtHere: deploysRegion(k.deploy, n.region) });
        }
    }

    const problems: Problem[] = [];
    for (const [entry, node] of bringing) {
        if (!node.builtHere || Object.hasOwn(entries, entry)) continue;
        problems.push(
            k.source.problemAt(
                at(),
                `node ${entry} brings its own key (publicKey) but ${NODE_KEYS_KEY} has no entry "${entry}": set it with ${setKeyCommand(entry)}, ` +
                    "or give the node keySecret naming an existing Kubernetes Secret",
                k.raw === undefined ? "key" : "value",
            ),
        );
    }

    for (const [entry, value] of Object.entries(entries)) {
        const node = bringing.get(entry);
        if (node === undefined) {
            problems.push(k.source.problemAt(at(entry), `no node "${entry}" brings its own key (publicKey without keySecret)${didYouMean(entry, bringing.keys())}: remove the entry or fix its name`, "key"));
            continue;
        }
        if (value === k.secretPlaceholder) continue; // encrypted: checked by `pulumi preview`/`up`, decrypted
        if (!k.lab) {
            problems.push(
                k.source.problemAt(
                    at(entry),
                    `the private key of node ${entry} is in plain text: anyone with this file has it. Store it encrypted with ${setKeyCommand(entry)} ` +
                        `(or set ${LAB_KEY}: true for a throwaway test network)`,
                ),
            );
        }
        const mismatch = keyMismatch(value, node.publicKey);
        if (mismatch !== undefined) problems.push(k.source.problemAt(at(entry), `the private key given for node ${entry} ${mismatch}`));
    }
    return problems;
}

/**
 * Why a private key does not belong to the declared public key, or undefined when it does. Shared by
 * the loader (plain-text keys, offline) and the program (decrypted keys, `pulumi preview`/`up`).
 */
export function keyMismatch(privateKey: unknown, declaredPublicKey: string): string | undefined {
    // Never echo the value: it is (or was meant to be) a private key.
    if (typeof privateKey !== "string") return `is not a string of hex digits (found a ${typeof privateKey}; quote it)`;
    let derived: string;
    try {
        derived = publicKeyFromPrivate(privateKeyFromHex(privateKey));
    } catch (err) {
        return `is not a usable secp256k1 private key: ${err instanceof Error ? err.message : String(err)}`;
    }
    const declared = normalizePublicKey(declaredPublicKey);
    if (derived === declared) return undefined;
    return (
        `derives public key ${derived}, but the network file declares ${declared} for it: a node started with this key would join as ` +
        "a stranger that no peer list or genesis names. Give the node's own key, or correct publicKey"
    );
}
