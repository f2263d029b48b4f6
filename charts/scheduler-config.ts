// What one region's scheduler serves: its tenant table and each ledger's upstreams, in the service's
// own config format (scheduler/README.md), and the key hashes it authenticates them with. Pure: the
// chart (charts/scheduler.ts), the plan's summary and the tests all call these.
import { isIP } from "node:net";
import { stringify } from "yaml";
import { PORTS } from "../frameworks/besu/config";
import { ledgerNamespaceName } from "../config/names";
import type { NetworkConfig, TenantConfig } from "../config/schema";

/** The port the service listens on in its pod; the Service and the probes name it. */
export const SCHEDULER_PORT = 8080;
/** /metrics, /healthz and /readyz: a port of their own, so no tenant reads every tenant's usage. */
export const ADMIN_PORT = 9090;
/** Where the pod mounts the config and the keys (the Dockerfile's ENTRYPOINT passes the first). */
export const CONFIG_DIR = "/etc/ledgerfleet";
export const CONFIG_FILE = "scheduler.yaml";
export const KEYS_FILE = "keys.yaml";
/** keys.yaml's path inside CONFIG_DIR: a folder of its own, as the Secret's items are projected there. */
export const KEYS_PATH = `keys/${KEYS_FILE}`;
/** @default replicas of the scheduler block when the network file leaves it out */
export const DEFAULT_REPLICAS = 2;

export interface ServiceLedger {
    /** JSON-RPC endpoints of the ledger's RPC nodes, as the scheduler reaches them from this region. */
    upstreams: string[];
    /** Besu's GET /readiness tells a synced, peered node from one that is not. */
    health: "besu";
}

export interface ServiceTenant {
    id: string;
    ledger: string;
    rps: number;
    tps: number;
    weight: number;
    methods?: { allow: string[] };
}

/** The service's config file (scheduler/service/config.ts reads it; unknown fields are refused there). */
export interface ServiceConfig {
    listen: { host: string; port: number };
    admin: { host: string; port: number };
    ledgers: Record<string, ServiceLedger>;
    tenants: ServiceTenant[];
    keys: { file: string };
    /** Replicas behind the region's Service: each enforces 1/replicas of every tenant's quota. */
    replicas: number;
}

/** A tenant's ledger: its shared one, or (dedicated) the ledger the loader made under the tenant's id. */
export function tenantLedger(tenant: Pick<TenantConfig, "id" | "ledger">): string {
    return tenant.ledger ?? tenant.id;
}

/** JSON-RPC requests per second the tenant may send. @default 10 x tps, at least 50 (config/schema.ts) */
export function tenantRps(tenant: Pick<TenantConfig, "tps" | "rps">): number {
    return tenant.rps ?? Math.max(50, 10 * tenant.tps);
}

/** The in-cluster name of an RPC node's JSON-RPC Service (charts/ledger-peer.ts names it `<node>-rpc`). */
export function rpcServiceUrl(network: string, ledger: string, node: string): string {
    return `http://${node}-rpc.${ledgerNamespaceName(network, ledger)}.svc:${PORTS.rpcHttp}`;
}

function addressUrl(address: string): string {
    return `http://${isIP(address) === 6 ? `[${address}]` : address}:${PORTS.rpcHttp}`;
}

/**
 * Where this region's scheduler sends a ledger's requests: its RPC nodes in this cluster, else, from an
 * existing cluster, the other regions' RPC nodes at their rpcAddress (the private address their JSON-RPC
 * LoadBalancer admits the schedulers' egress at). A cloud region's schedulers reach RPC nodes in their own
 * cluster only, as config/validate-addresses.ts says. Empty: the ledger is not reachable from here.
 */
export function ledgerUpstreams(network: NetworkConfig, regionId: string, ledgerId: string): string[] {
    const ledger = network.ledgers[ledgerId];
    const region = network.regions[regionId];
    if (ledger === undefined || region === undefined) return [];
    const rpc = ledger.nodes.filter((n) => n.role === "rpc");
    const local = rpc.filter((n) => n.region === regionId);
    if (local.length > 0) return local.map((n) => rpcServiceUrl(network.name, ledgerId, n.name));
    if (region.cloud !== "existing") return [];
    return rpc.flatMap((n) => (n.rpcAddress === undefined ? [] : [addressUrl(n.rpcAddress)]));
}

/**
 * The config of a region's scheduler: every tenant whose ledger it reaches, and those ledgers' upstreams;
 * undefined when it serves no tenant (the region then runs no scheduler). `keyed` leaves out tenants
 * without a key hash: the service refuses to start on a tenant it cannot authenticate.
 */
export function schedulerConfig(network: NetworkConfig, regionId: string, keyed?: ReadonlySet<string>): ServiceConfig | undefined {
    const ledgers: Record<string, ServiceLedger> = {};
    const tenants: ServiceTenant[] = [];
    for (const tenant of network.tenants) {
        const ledger = tenantLedger(tenant);
        const upstreams = ledgers[ledger]?.upstreams ?? ledgerUpstreams(network, regionId, ledger);
        if (upstreams.length === 0) continue;
        ledgers[ledger] = { upstreams, health: "besu" };
        if (keyed !== undefined && !keyed.has(tenant.id)) continue;
        tenants.push({
            id: tenant.id,
            ledger,
            rps: tenantRps(tenant),
            tps: tenant.tps,
            weight: tenant.weight,
            ...(tenant.methods === undefined ? {} : { methods: { allow: [...tenant.methods.allow] } }),
        });
    }
    if (Object.keys(ledgers).length === 0) return undefined;
    return {
        listen: { host: "0.0.0.0", port: SCHEDULER_PORT },
        admin: { host: "0.0.0.0", port: ADMIN_PORT },
        // Sorted: the same network gives the same bytes, whatever order the file lists tenants in.
        ledgers: Object.fromEntries(Object.entries(ledgers).sort(([a], [b]) => a.localeCompare(b))),
        tenants,
        keys: { file: `${CONFIG_DIR}/${KEYS_PATH}` },
        replicas: network.scheduler?.replicas ?? DEFAULT_REPLICAS,
    };
}

/** The config file's text: YAML, as the service reads it. */
export function schedulerConfigYaml(config: ServiceConfig): string {
    return stringify(config, { lineWidth: 0 });
}

/** keys.yaml: tenant id -> SHA-256 hex of its bearer key, for the tenants the config lists. */
export function keysYaml(config: ServiceConfig, hashes: Readonly<Record<string, string>>): string {
    const entries = config.tenants.flatMap((t) => (hashes[t.id] === undefined ? [] : [[t.id, hashes[t.id]] as const]));
    return stringify(Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b))), { lineWidth: 0 });
}

/** Tenants with no entry in `ledgerfleet:tenantKeyHashes`: no scheduler lets them in until they get one. */
export function tenantsWithoutKeys(network: NetworkConfig, hashes: Readonly<Record<string, unknown>> | undefined): string[] {
    return network.tenants.map((t) => t.id).filter((id) => hashes?.[id] === undefined);
}

/** The stack config key holding the hashes, and the command that sets one (`ledgerfleet tenant-key` prints it). */
export const TENANT_KEY_HASHES = "tenantKeyHashes";
const setCommand = (tenant: string) => `pulumi config set --secret --path 'ledgerfleet:${TENANT_KEY_HASHES}.${tenant}' <hash>`;

/**
 * What is wrong with `ledgerfleet:tenantKeyHashes`, one message per problem, each naming the tenant and
 * never the value (it is a secret). `placeholder` is what an offline plan reads for an encrypted value:
 * present, but not checkable.
 */
export function tenantKeyHashProblems(network: NetworkConfig, hashes: unknown, placeholder?: string): string[] {
    if (hashes === undefined || hashes === null) return [];
    if (typeof hashes !== "object" || Array.isArray(hashes)) {
        return [`ledgerfleet:${TENANT_KEY_HASHES} must map tenant ids to the SHA-256 hex of their keys, e.g. ${setCommand("loyalty")}`];
    }
    const ids = network.tenants.map((t) => t.id);
    const problems: string[] = [];
    const tenantOf = new Map<string, string>();
    for (const [tenant, hash] of Object.entries(hashes as Record<string, unknown>)) {
        if (!ids.includes(tenant)) {
            problems.push(
                `ledgerfleet:${TENANT_KEY_HASHES} has a key hash for tenant '${tenant}', which the network file does not define ` +
                    `(its tenants: ${ids.join(", ") || "none"}): fix the id, or remove it with pulumi config rm --path 'ledgerfleet:${TENANT_KEY_HASHES}.${tenant}'`,
            );
            continue;
        }
        if (placeholder !== undefined && hash === placeholder) continue;
        if (typeof hash !== "string" || !/^[0-9a-f]{64}$/.test(hash)) {
            const found = typeof hash === "string" ? `${hash.length} characters${/[A-F]/.test(hash) ? " with upper-case hex (write it in lower case)" : ""}` : `a ${hash === null ? "null" : typeof hash}`;
            problems.push(
                `ledgerfleet:${TENANT_KEY_HASHES}.${tenant} must be the SHA-256 of tenant ${tenant}'s key as 64 lower-case hex digits, found ${found}: ` +
                    `run ledgerfleet tenant-key ${tenant} and ${setCommand(tenant)}`,
            );
            continue;
        }
        const first = tenantOf.get(hash);
        if (first !== undefined) {
            problems.push(`tenants ${first} and ${tenant} have the same key hash in ledgerfleet:${TENANT_KEY_HASHES}: every tenant needs its own key (ledgerfleet tenant-key ${tenant})`);
        }
        tenantOf.set(hash, tenant);
    }
    return problems;
}
