// Checks across entries of a network file that the per-field schema cannot express: references
// between sections, uniqueness and BFT sizing (cloud regions' rules: validate-clouds.ts).
//
// They run on the plain parsed YAML, not on the zod output, so that they are reported together
// with the schema's problems instead of only after those are fixed. Every check therefore reads
// defensively and stays silent where the shape is wrong (the schema reports that).
import { didYouMean, type KeyPath } from "./errors";
import { LAB_KEY } from "./schema";
import { checkAddresses } from "./validate-addresses";
import { checkNames } from "./validate-names";
import { checkScheduler } from "./validate-scheduler";
import { schedulerNamespace } from "../charts/kube";
import { ledgerNamespaceName } from "./names";

export interface NetworkFinding {
    path: KeyPath;
    message: string;
    /** Point at the key (`nodes:`) rather than its value. */
    target?: "key" | "value";
}

/** BFT needs n >= 3f+1 validators with f >= 1. */
const MIN_QBFT_VALIDATORS = 4;

/** What a QBFT ledger with too few validators is told; also said for an empty `nodes:` (issues.ts). */
export function qbftValidatorsMessage(found: number): string {
    return `QBFT needs at least ${MIN_QBFT_VALIDATORS} validators (n >= 3f+1 with f >= 1), found ${found}`;
}

/**
 * Chain ids of development tools (Hardhat/Anvil 31337, Geth/Ganache dev 1337): wallets and scripts
 * configured for a local devnet would sign for this chain too. Allowed on a `lab` stack.
 */
const DEV_CHAIN_IDS = [1337, 31337];
/** Public chains: a permissioned chain with their id would accept their signed transactions (EIP-155 replay). */
const PUBLIC_CHAIN_IDS: Readonly<Record<number, string>> = { 1: "Ethereum mainnet", 11155111: "Sepolia", 17000: "Holesky", 560048: "Hoodi" };
/** Shanghai on QBFT works from Besu 26.2.0 (besu#9830); the genesis enables every fork through Osaka. */
const MIN_BESU = [26, 2] as const;

export interface CheckOptions {
    /** The stack is a throwaway test network (`ledgerfleet:lab: true`). */
    lab?: boolean;
}

type Entries = Record<string, unknown>;

function mapping(value: unknown): Entries | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Entries) : undefined;
}

function list(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

function text(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

/** `lineOf` gives the line a key path is on, so a duplicate can say where the first one is. */
export function checkNetwork(raw: unknown, lineOf: (keyPath: KeyPath) => number | undefined, options: CheckOptions = {}): NetworkFinding[] {
    const findings: NetworkFinding[] = [];
    const network = mapping(raw);
    if (!network) return findings;
    const where = (keyPath: KeyPath, label: string) => {
        const line = lineOf(keyPath);
        return line === undefined ? label : `${label}, line ${line}`;
    };

    const regions = mapping(network.regions);
    const regionIds = regions ? Object.keys(regions) : undefined;
    const ledgers = mapping(network.ledgers);
    for (const [ledgerName, ledgerValue] of Object.entries(ledgers ?? {})) {
        const ledger = mapping(ledgerValue);
        if (!ledger) continue;
        const nodesPath = ["ledgers", ledgerName, "nodes"];
        const nodes = list(ledger.nodes);
        const firstByName = new Map<string, number>();
        const firstByKey = new Map<string, number>();
        let validators = 0;

        nodes.forEach((nodeValue, index) => {
            const node = mapping(nodeValue);
            if (!node) return;
            const nodePath = [...nodesPath, index];
            const name = text(node.name);
            if (node.role === "validator") validators++;

            const firstNamed = name === undefined ? undefined : earlierIndex(firstByName, name, index);
            if (firstNamed !== undefined) {
                findings.push({
                    path: [...nodePath, "name"],
                    message: `duplicate node name '${name}' in ledger '${ledgerName}': first used by ${where([...nodesPath, firstNamed], `nodes[${firstNamed}]`)}`,
                });
            }

            const region = text(node.region);
            if (region !== undefined && regionIds !== undefined && !regionIds.includes(region)) {
                findings.push({
                    path: [...nodePath, "region"],
                    message:
                        `expected a region id defined under 'regions' (${regionIds.join(", ") || "none defined"}), ` +
                        `found '${region}'${didYouMean(region, regionIds)}`,
                });
            }

            const publicKey = text(node.publicKey);
            const firstKeyed = publicKey === undefined ? undefined : earlierIndex(firstByKey, normalizePublicKey(publicKey), index);
            if (firstKeyed !== undefined) {
                const firstName = text(mapping(nodes[firstKeyed])?.name) ?? `nodes[${firstKeyed}]`;
                findings.push({
                    path: [...nodePath, "publicKey"],
                    message:
                        `public key already used by node '${firstName}' (${where([...nodesPath, firstKeyed], `nodes[${firstKeyed}]`)}): ` +
                        `every node needs its own key`,
                });
            }
        });

        findings.push(...chainIdFindings(ledgerName, ledger.chainId, options));
        findings.push(...imageFindings(ledgerName, ledger.image));
        findings.push(...genesisFindings(ledgerName, ledger, nodes));

        if (ledger.consensus === "qbft" && Array.isArray(ledger.nodes) && validators < MIN_QBFT_VALIDATORS) {
            findings.push({
                path: nodesPath,
                target: "key",
                message: qbftValidatorsMessage(validators),
            });
        }
    }

    const ledgerNames = ledgers ? Object.keys(ledgers) : undefined;
    const firstById = new Map<string, number>();
    list(network.tenants).forEach((tenantValue, index) => {
        const tenant = mapping(tenantValue);
        if (!tenant) return;
        const tenantPath = ["tenants", index];
        const id = text(tenant.id);
        const firstWithId = id === undefined ? undefined : earlierIndex(firstById, id, index);
        if (firstWithId !== undefined) {
            findings.push({
                path: [...tenantPath, "id"],
                message: `duplicate tenant id '${id}': first used by ${where(["tenants", firstWithId], `tenants[${firstWithId}]`)}`,
            });
        }

        const hasLedger = tenant.ledger !== undefined;
        const hasDedicated = tenant.dedicated !== undefined;
        if (hasLedger && hasDedicated) {
            findings.push({
                path: [...tenantPath, "dedicated"],
                target: "key",
                message: "expected either 'ledger' (share a ledger) or 'dedicated' (a ledger of its own), found both",
            });
        } else if (!hasLedger && !hasDedicated) {
            findings.push({
                path: tenantPath,
                message:
                    "expected either 'ledger: <name>' (share a ledger) or 'dedicated: { validators: <n> }' (a ledger of its own), found neither",
            });
        }

        findings.push(...dedicatedFindings(network, tenant, tenantPath, ledgerNames));

        const ledger = text(tenant.ledger);
        if (ledger !== undefined && ledgerNames !== undefined && !ledgerNames.includes(ledger)) {
            findings.push({
                path: [...tenantPath, "ledger"],
                message:
                    `expected a ledger defined under 'ledgers' (${ledgerNames.join(", ") || "none defined"}), ` +
                    `found '${ledger}'${didYouMean(ledger, ledgerNames)}`,
            });
        }
    });
    findings.push(...checkScheduler(raw));

    findings.push(...checkAddresses(raw, lineOf));
    findings.push(...checkNames(raw, lineOf));
    return findings;
}

function chainIdFindings(ledger: string, chainId: unknown, options: CheckOptions): NetworkFinding[] {
    if (typeof chainId !== "number") return [];
    const path = ["ledgers", ledger, "chainId"];
    const publicChain = PUBLIC_CHAIN_IDS[chainId];
    if (publicChain !== undefined) {
        return [{ path, message: `chain id ${chainId} is ${publicChain}'s: transactions signed for it would be valid on this ledger too (EIP-155 replay); choose an unused chain id` }];
    }
    if (DEV_CHAIN_IDS.includes(chainId) && options.lab !== true) {
        return [{
            path,
            message:
                `chain id ${chainId} is a development default (Hardhat/Anvil use 31337, Geth/Ganache dev 1337): keys and scripts set up for a local devnet ` +
                `would sign for this chain too; choose an unused chain id, or set ${LAB_KEY}: true in the stack file for a throwaway test network`,
        }];
    }
    return [];
}

/** A Besu image tagged with a version older than MIN_BESU cannot run this genesis. */
function imageFindings(ledger: string, image: unknown): NetworkFinding[] {
    if (typeof image !== "string") return [];
    const version = /:(\d+)\.(\d+)\.(\d+)(?:@|$)/.exec(image);
    if (!version) return [];
    const [major, minor] = [Number(version[1]), Number(version[2])];
    if (major > MIN_BESU[0] || (major === MIN_BESU[0] && minor >= MIN_BESU[1])) return [];
    return [{
        path: ["ledgers", ledger, "image"],
        message:
            `expected Besu ${MIN_BESU.join(".")} or later, found ${version[1]}.${version[2]}.${version[3]}: the genesis enables every fork through Osaka, ` +
            "and Besu runs Shanghai and later on QBFT only from 26.2 (besu#9830)",
    }];
}

/** `genesis.validators` names validators of this ledger (or addresses of removed ones), each once. */
function genesisFindings(ledger: string, config: Entries, nodes: unknown[]): NetworkFinding[] {
    const names = list(mapping(config.genesis)?.validators);
    const findings: NetworkFinding[] = [];
    const seen = new Set<string>();
    const byName = new Map(nodes.map((n) => [text(mapping(n)?.name), mapping(n)] as const));
    names.forEach((value, i) => {
        const entry = text(value);
        if (entry === undefined) return;
        const path = ["ledgers", ledger, "genesis", "validators", i];
        const key = entry.toLowerCase();
        if (seen.has(key)) findings.push({ path, message: `'${entry}' is listed twice: a validator appears once in genesis` });
        seen.add(key);
        if (/^0x[0-9a-fA-F]{40}$/.test(entry)) return;
        const node = byName.get(entry);
        if (node === undefined) {
            const validators = nodes.map(mapping).filter((n) => n?.role === "validator").map((n) => text(n?.name)).filter((n): n is string => n !== undefined);
            findings.push({
                path,
                message:
                    `expected the name of a validator of ledger '${ledger}' or the 0x address of one removed since, found '${entry}'` +
                    `${didYouMean(entry, validators)}; a removed validator stays in genesis by its address, as \`ledgerfleet plan\` printed it`,
            });
        } else if (node.role !== "validator") {
            findings.push({ path, message: `'${entry}' is an ${String(node.role)} node: only validators can be in genesis` });
        }
    });
    return findings;
}

/** The index `value` was first seen at, if before `index`; otherwise records `index` as the first. */
function earlierIndex(firstIndex: Map<string, number>, value: string, index: number): number | undefined {
    const first = firstIndex.get(value);
    if (first === undefined) firstIndex.set(value, index);
    return first;
}

/** One spelling per key: lower-case hex without the uncompressed-point prefix 04. */
function normalizePublicKey(key: string): string {
    const hex = key.toLowerCase().replace(/^0x/, "");
    return hex.length === 130 && hex.startsWith("04") ? hex.slice(2) : hex;
}

/** Ledger ids are at most this long (schema.ts); a dedicated tenant's id becomes one. */
const LEDGER_ID_MAX = 20;

/** A dedicated tenant: its id becomes a ledger's, its residency and pinned nodes name real regions. */
function dedicatedFindings(network: Entries, tenant: Entries, tenantPath: (string | number)[], ledgerNames: string[] | undefined): NetworkFinding[] {
    const dedicated = mapping(tenant.dedicated);
    const id = text(tenant.id);
    if (dedicated === undefined || id === undefined) return [];
    const findings: NetworkFinding[] = [];
    if (ledgerNames?.includes(id)) {
        findings.push({ path: [...tenantPath, "id"], message: `a dedicated tenant's ledger takes the tenant's id, and ledger '${id}' is already defined under 'ledgers': rename the tenant` });
    }
    const networkName = text(network.name);
    if (networkName !== undefined && ledgerNamespaceName(networkName, id) === schedulerNamespace(networkName)) {
        findings.push({ path: [...tenantPath, "id"], message: `a dedicated tenant's ledger lives in namespace ${schedulerNamespace(networkName)}, which is the scheduler's: rename the tenant` });
    }
    if (id.length > LEDGER_ID_MAX) {
        findings.push({ path: [...tenantPath, "id"], message: `a dedicated tenant's id names its ledger, and ledger ids are at most ${LEDGER_ID_MAX} characters; '${id}' has ${id.length}` });
    }
    const regions = mapping(network.regions) ?? {};
    const regionIds = Object.keys(regions);
    const residency = mapping(dedicated.residency);
    for (const [listPath, value] of [[["regions"], residency?.regions], [["deny", "regions"], mapping(residency?.deny)?.regions]] as const) {
        list(value).forEach((r, i) => {
            const name = text(r);
            if (name !== undefined && !regionIds.includes(name)) {
                findings.push({ path: [...tenantPath, "dedicated", "residency", ...listPath, i], message: `expected a region defined under 'regions' (${regionIds.join(", ")}), found '${name}'${didYouMean(name, regionIds)}` });
            }
        });
    }
    const validators = typeof dedicated.validators === "number" ? dedicated.validators : 0;
    const rpc = typeof dedicated.rpc === "number" ? dedicated.rpc : 2;
    const names = [...Array.from({ length: validators }, (_, i) => `val-${i + 1}`), ...Array.from({ length: rpc }, (_, i) => `rpc-${i + 1}`)];
    list(dedicated.nodes).forEach((value, i) => {
        const node = mapping(value);
        const at = [...tenantPath, "dedicated", "nodes", i];
        const name = text(node?.name);
        if (name !== undefined && validators > 0 && !names.includes(name)) {
            findings.push({ path: [...at, "name"], message: `a dedicated ledger's nodes are named val-1..val-${validators} and rpc-1..rpc-${rpc}; found '${name}'${didYouMean(name, names)}` });
        }
        const region = text(node?.region);
        if (region === undefined) return;
        const config = mapping(regions[region]);
        if (config === undefined) {
            findings.push({ path: [...at, "region"], message: `expected a region defined under 'regions' (${regionIds.join(", ")}), found '${region}'${didYouMean(region, regionIds)}` });
        } else if (config.cloud === "existing") {
            findings.push({ path: [...at, "region"], message: `'${region}' is an existing cluster, where every node needs an address the file names; dedicated ledgers' nodes go to cloud regions, whose addresses ledgerfleet reserves` });
        }
    });
    return findings;
}
