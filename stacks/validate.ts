// Checks across entries of a network file that the per-field schema cannot express: references
// between sections, uniqueness, BFT sizing and what this release can deploy.
//
// They run on the plain parsed YAML, not on the zod output, so that they are reported together
// with the schema's problems instead of only after those are fixed. Every check therefore reads
// defensively and stays silent where the shape is wrong (the schema reports that).
import { didYouMean, orList, type KeyPath } from "./errors";
import { SUPPORTED_CLOUDS } from "./schema";

export interface NetworkFinding {
    path: KeyPath;
    message: string;
    /** Point at the key (`nodes:`) rather than its value. */
    target?: "key" | "value";
}

/** Clouds the schema knows; those not in SUPPORTED_CLOUDS have no adapter in this release. */
const KNOWN_CLOUDS = ["existing", "aws", "gcp", "alicloud"];
/** BFT needs n >= 3f+1 validators with f >= 1. */
const MIN_QBFT_VALIDATORS = 4;

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
export function checkNetwork(raw: unknown, lineOf: (keyPath: KeyPath) => number | undefined): NetworkFinding[] {
    const findings: NetworkFinding[] = [];
    const network = mapping(raw);
    if (!network) return findings;
    const where = (keyPath: KeyPath, label: string) => {
        const line = lineOf(keyPath);
        return line === undefined ? label : `${label}, line ${line}`;
    };

    const regions = mapping(network.regions);
    const regionIds = regions ? Object.keys(regions) : undefined;
    for (const [id, region] of Object.entries(regions ?? {})) {
        const cloud = text(mapping(region)?.cloud);
        if (cloud !== undefined && KNOWN_CLOUDS.includes(cloud) && !SUPPORTED_CLOUDS.includes(cloud)) {
            findings.push({
                path: ["regions", id, "cloud"],
                message:
                    `cloud '${cloud}' cannot be deployed yet: its adapter is not available in this version; ` +
                    `only ${orList(SUPPORTED_CLOUDS.map((c) => `'${c}'`))} is supported ` +
                    `(an existing Kubernetes cluster, selected with kubeconfigContext)`,
            });
        }
    }

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

        if (ledger.consensus === "qbft" && Array.isArray(ledger.nodes) && validators < MIN_QBFT_VALIDATORS) {
            findings.push({
                path: nodesPath,
                target: "key",
                message:
                    `expected at least ${MIN_QBFT_VALIDATORS} validators for QBFT (BFT needs n >= 3f+1 with f >= 1), ` +
                    `found ${validators}`,
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
