// The address model's rules, which the per-field schema cannot express: every node of an existing
// region has a static address, no two nodes share one, addresses stay inside their region's pool,
// net-restrict admits every peer, and every region can reach an RPC node of each ledger it hosts.
// Like validate.ts, it reads the plain parsed YAML defensively; the schema reports wrong shapes.
import { canonicalIp, cidrContains, cidrWithin, isCidr, isIpAddress } from "./addresses";
import { formatKeyPath, type KeyPath } from "./errors";
import type { NetworkFinding } from "./validate";

type Entries = Record<string, unknown>;
const mapping = (v: unknown): Entries | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Entries) : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const ip = (v: unknown): string | undefined => (typeof v === "string" && isIpAddress(v) ? canonicalIp(v) : undefined);

interface NodeRef {
    ledger: string;
    index: number;
    name: string;
    role: string | undefined;
    region: string | undefined;
    node: Entries;
    path: KeyPath;
}

function nodesOf(network: Entries): NodeRef[] {
    return Object.entries(mapping(network.ledgers) ?? {}).flatMap(([ledger, l]) =>
        list(mapping(l)?.nodes).flatMap((value, index) => {
            const node = mapping(value);
            if (!node) return [];
            const path = ["ledgers", ledger, "nodes", index];
            return [{ ledger, index, name: text(node.name) ?? `nodes[${index}]`, role: text(node.role), region: text(node.region), node, path }];
        }),
    );
}

export function checkAddresses(raw: unknown, lineOf: (keyPath: KeyPath) => number | undefined): NetworkFinding[] {
    const network = mapping(raw);
    if (!network) return [];
    const findings: NetworkFinding[] = [];
    const regions = mapping(network.regions) ?? {};
    const nodes = nodesOf(network);
    const where = (path: KeyPath, label: string) => {
        const line = lineOf(path);
        return line === undefined ? label : `${label}, line ${line}`;
    };

    // Every node of an existing region needs its static address; no cloud reserves one.
    for (const n of nodes) {
        const region = mapping(regions[n.region ?? ""]);
        if (region?.cloud === "existing" && n.node.address === undefined) {
            findings.push({
                path: n.path,
                message:
                    `node '${n.name}' is in existing region '${n.region}' and needs its static P2P address: expected address: <IPv4 or IPv6> ` +
                    "(the IP its P2P LoadBalancer Service gets, e.g. from the cluster's MetalLB pool), found none; " +
                    "Besu takes only an IP as p2p-host and in peer lists",
            });
        }
    }

    // One address, one node: two nodes on one address would each be the other's peer list entry.
    const firstAt = new Map<string, { path: KeyPath; label: string }>();
    for (const n of nodes) {
        for (const key of ["address", "rpcAddress"] as const) {
            const value = ip(n.node[key]);
            if (value === undefined) continue;
            const path = [...n.path, key];
            const first = firstAt.get(value);
            if (first === undefined) {
                firstAt.set(value, { path, label: `${n.ledger}/${n.name} ${key}` });
            } else {
                findings.push({ path, message: `address ${value} is already used by ${first.label} (${where(first.path, formatKeyPath(first.path))}): every node needs its own` });
            }
        }
    }

    // Addresses inside their region's pool.
    for (const n of nodes) {
        const pool = text(mapping(regions[n.region ?? ""])?.addressPool);
        const value = ip(n.node.address);
        if (pool === undefined || !isCidr(pool) || value === undefined) continue;
        if (!cidrContains(pool, value)) {
            findings.push({
                path: [...n.path, "address"],
                message: `expected an address in region '${n.region}' addressPool ${pool} (${where(["regions", n.region ?? "", "addressPool"], "regions." + n.region + ".addressPool")}), found ${value}`,
            });
        }
    }

    // net-restrict must admit every address a peer can come from: node addresses and egress addresses.
    const restrict = list(network.netRestrict).map(text).filter((c): c is string => c !== undefined && isCidr(c));
    if (restrict.length === list(network.netRestrict).length && restrict.length > 0) {
        const admitted = (value: string) => restrict.some((c) => cidrContains(c, value));
        const shown = `netRestrict (${where(["netRestrict"], "netRestrict")}: ${restrict.join(", ")})`;
        for (const n of nodes) {
            const value = ip(n.node.address);
            if (value !== undefined && !admitted(value)) {
                findings.push({
                    path: [...n.path, "address"],
                    message: `address ${value} of ${n.ledger}/${n.name} is outside ${shown}: every other node would refuse it as a peer; widen netRestrict or fix the address`,
                });
            }
        }
        for (const [id, region] of Object.entries(regions)) {
            list(mapping(region)?.podCidrs).forEach((value, i) => {
                const range = text(value);
                if (range !== undefined && isCidr(range) && !restrict.some((c) => cidrWithin(c, range))) {
                    findings.push({
                        path: ["regions", id, "podCidrs", i],
                        message: `pod range ${range} of region '${id}' is not inside ${shown}: same-cluster peers connect from their pod addresses and would be refused; widen netRestrict or fix the range`,
                    });
                }
            });
            list(mapping(region)?.egressAddresses).forEach((value, i) => {
                const egress = ip(value);
                if (egress !== undefined && !admitted(egress)) {
                    findings.push({
                        path: ["regions", id, "egressAddresses", i],
                        message: `egress address ${egress} of region '${id}' is outside ${shown}: connections from this region's nodes would be refused; widen netRestrict or fix the address`,
                    });
                }
            });
        }
    }

    findings.push(...rpcReach(network, nodes, regions));
    return findings;
}

/** Each region a ledger spans reaches one of its RPC nodes: its own, or another region's at an rpcAddress. */
function rpcReach(network: Entries, nodes: readonly NodeRef[], regions: Entries): NetworkFinding[] {
    const findings: NetworkFinding[] = [];
    for (const ledger of Object.keys(mapping(network.ledgers) ?? {})) {
        const own = nodes.filter((n) => n.ledger === ledger);
        const rpc = own.filter((n) => n.role === "rpc");
        const reachable = rpc.some((n) => n.node.rpcAddress !== undefined);
        const tenants = list(network.tenants).map(mapping).filter((t) => t?.ledger === ledger).map((t) => text(t?.id) ?? "?");
        if (rpc.length === 0) {
            if (tenants.length > 0) {
                findings.push({
                    path: ["ledgers", ledger, "nodes"],
                    target: "key",
                    message: `tenants ${tenants.join(", ")} use ledger '${ledger}', which has no rpc node to serve them: add a node with role: rpc`,
                });
            }
            continue;
        }
        const withoutRpc = [...new Set(own.map((n) => n.region))].filter(
            (r): r is string => r !== undefined && Object.hasOwn(regions, r) && !rpc.some((n) => n.region === r),
        );
        // A cloud region's schedulers reach RPC nodes in their own cluster only (rpcAddress is for
        // existing clusters joined by a private network; validate-clouds.ts).
        const cloudWithout = withoutRpc.filter((r) => text(mapping(regions[r])?.cloud) !== "existing");
        if (cloudWithout.length > 0) {
            findings.push({
                path: ["ledgers", ledger, "nodes"],
                target: "key",
                message: `cloud region${cloudWithout.length > 1 ? "s" : ""} ${cloudWithout.join(", ")} host${cloudWithout.length > 1 ? "" : "s"} ledger '${ledger}' but no rpc node of it, and a cloud region's schedulers reach rpc nodes in their own cluster only: add an rpc node there`,
            });
        }
        const existingWithout = withoutRpc.filter((r) => !cloudWithout.includes(r));
        if (existingWithout.length > 0 && !reachable) {
            findings.push({
                path: ["ledgers", ledger, "nodes"],
                target: "key",
                message:
                    `region${existingWithout.length > 1 ? "s" : ""} ${existingWithout.join(", ")} host${existingWithout.length > 1 ? "" : "s"} ledger '${ledger}' but no rpc node of it, ` +
                    "and no rpc node has an rpcAddress other regions' schedulers can reach: give one rpcAddress: <private IP>, or an rpc node in each region",
            });
        }
    }
    return findings;
}
