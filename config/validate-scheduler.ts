// The scheduler block's rules, which the per-field schema cannot express: tenants need it, its
// autoscaler's ceiling is not below its floor, and its namespace is no ledger's. Like validate.ts, it
// reads the plain parsed YAML defensively; the schema reports wrong shapes.
import { schedulerNamespace } from "../charts/kube";
import { ledgerNamespaceName } from "./names";
import type { NetworkFinding } from "./validate";

type Entries = Record<string, unknown>;
const mapping = (v: unknown): Entries | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Entries) : undefined);

/** scheduler.replicas when the file leaves it out (config/schema.ts). */
const DEFAULT_REPLICAS = 2;

/** What a network with tenants and no `scheduler` block is told (the loader here, the program if handed one unchecked). */
export const MISSING_SCHEDULER = "tenants need the scheduler: build scheduler/Dockerfile, push it, and set scheduler.image to it pinned by digest";

export function checkScheduler(raw: unknown): NetworkFinding[] {
    const network = mapping(raw);
    if (!network) return [];
    const findings: NetworkFinding[] = [];
    const tenants = Array.isArray(network.tenants) ? network.tenants : [];
    const scheduler = mapping(network.scheduler);

    if (tenants.length > 0 && network.scheduler === undefined) {
        findings.push({ path: ["scheduler"], message: MISSING_SCHEDULER });
    }

    if (scheduler !== undefined) {
        const replicas = typeof scheduler.replicas === "number" ? scheduler.replicas : DEFAULT_REPLICAS;
        const max = scheduler.maxReplicas;
        if (typeof max === "number" && max < replicas) {
            findings.push({
                path: ["scheduler", "maxReplicas"],
                message: `expected maxReplicas at least replicas (${replicas}), found ${max}: the autoscaler never goes below replicas; raise maxReplicas or leave it out (2 x replicas)`,
            });
        }
    }

    // A ledger's namespace is `<network>-<ledger>`: a ledger named like the scheduler's would share it.
    const name = typeof network.name === "string" ? network.name : undefined;
    if (name !== undefined && (tenants.length > 0 || scheduler !== undefined)) {
        for (const ledger of Object.keys(mapping(network.ledgers) ?? {})) {
            if (ledgerNamespaceName(name, ledger) === schedulerNamespace(name)) {
                findings.push({
                    path: ["ledgers", ledger],
                    target: "key",
                    message: `ledger '${ledger}' would live in namespace ${schedulerNamespace(name)}, which is the scheduler's: rename the ledger`,
                });
            }
        }
    }
    return findings;
}
