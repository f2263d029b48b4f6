// Tags (AWS, Alibaba Cloud) and labels (Google Cloud) on every cloud resource: which network, region
// and role it belongs to. Keys and values fit all three clouds' rules (GCP's are the strictest:
// lower-case letters, digits, '-' and '_', at most 63 characters).

/** What a cloud resource is for: the cluster, its network, storage, a node's address, DNS. */
export type CloudRole = "cluster" | "network" | "nat" | "storage" | "identity" | "encryption" | "pool" | "p2p-address" | "egress-address" | "dns" | "firewall" | "logging";

export const TAG_KEYS = { network: "ledgerfleet-network", region: "ledgerfleet-region", role: "ledgerfleet-role", node: "ledgerfleet-node" } as const;

/** Tags/labels naming the network, region and role (and the node, for a node's address). */
export function cloudTags(network: string, region: string, role: CloudRole, node?: string): Record<string, string> {
    return {
        [TAG_KEYS.network]: network,
        [TAG_KEYS.region]: region,
        [TAG_KEYS.role]: role,
        // "<ledger>/<node>" -> "<ledger>_<node>": '/' is not allowed in GCP labels.
        ...(node === undefined ? {} : { [TAG_KEYS.node]: node.replace("/", "_") }),
    };
}
