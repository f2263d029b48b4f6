// How the program names things from the ids in a network file, defined once: its Pulumi resources
// (the loader checks that no two entries give the same name: ids may contain '-', the separator, so
// `fra` + `dc1-main` and `fra-dc1` + `main` would), a ledger's namespace and a node's DNS name, which
// the program, the plan's summary, the rollout and the preflight all use.
import type { RegionConfig } from "./schema";

/** The Kubernetes namespace of a ledger, the same in every region it spans: `<network>-<ledger>`. */
export function ledgerNamespaceName(network: string, ledger: string): string {
    return `${network}-${ledger}`;
}

/** A node's DNS name, for people and tools (never in a peer list): `<ledger>-<node>.<region>.<domain>`. */
export function nodeDnsName(ledger: string, node: string, region: string, domain: string): string {
    return `${ledger}-${node}.${region}.${domain}`;
}

/** The Region component: `<network>-<region>`. */
export function regionResourceName(network: string, region: string): string {
    return `${network}-${region}`;
}

/** What a region builds for one ledger is named from this prefix: `<network>-<region>-<ledger>`. */
export function ledgerResourcePrefix(network: string, region: string, ledger: string): string {
    return `${regionResourceName(network, region)}-${ledger}`;
}

/** The LedgerNode component: `<network>-<region>-<ledger>-<node>`. */
export function nodeResourceName(network: string, region: string, ledger: string, node: string): string {
    return `${ledgerResourcePrefix(network, region, ledger)}-${node}`;
}

/** A generated node key (random.RandomBytes): `<ledger>-<node>-node-key`. */
export function nodeKeyResourceName(ledger: string, node: string): string {
    return `${ledger}-${node}-node-key`;
}

/** A node's reserved P2P address (cloud regions): `<network>-<region>-<ledger>-<node>-p2p-address`. */
export function nodeAddressResourceName(network: string, region: string, ledger: string, node: string): string {
    return `${nodeResourceName(network, region, ledger, node)}-p2p-address`;
}

/** A cloud region's reserved NAT egress address: `<network>-<region>-egress-<i>`. */
export function egressAddressResourceName(network: string, region: string, index: number): string {
    return `${regionResourceName(network, region)}-egress-${index}`;
}

/** A cloud region's provider: `<network>-<region>-cloud`. */
export function cloudProviderResourceName(network: string, region: string): string {
    return `${regionResourceName(network, region)}-cloud`;
}

/** The namespace whose pods may scrape a region's metrics: an existing cluster's own, "monitoring" in the clouds. */
export function monitoringNamespace(region: RegionConfig): string {
    return region.cloud === "existing" ? region.monitoringNamespace : "monitoring";
}
