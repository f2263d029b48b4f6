// What a Region needs from a cloud adapter, written once for AWS, Google Cloud and Alibaba Cloud
// (and the `existing` adapter, which builds no cloud resources).
//
// The lifecycle across stacks (see DESIGN.md, "Deploy modes"):
// - the global stack (or `all`) makes a provider per cloud region and reserves every static public
//   address there: one per node (its P2P endpoint) and the region's NAT egress addresses, protected;
// - the region stack (or `all`) builds the cluster around those reservations, which it reads from the
//   global stack's outputs: it never creates an address, so stacks go up in any order.
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type { PoolSize } from "../../config/cloud-settings";
import type { CloudName, CloudRegionConfig } from "../../config/schema";

/** A static public IPv4 address reserved in one cloud region. */
export interface ReservedAddress {
    /** The address itself: a node's p2p-host and enode host, or a NAT egress address. */
    readonly ip: pulumi.Input<string>;
    /**
     * The cloud's handle for binding it: the Elastic IP allocation id (AWS), the address's self link
     * (GCP), the EIP instance id (Alibaba Cloud).
     */
    readonly ref: pulumi.Input<string>;
}

export interface ReserveArgs<R extends CloudRegionConfig = CloudRegionConfig> {
    readonly network: string;
    readonly regionId: string;
    readonly region: R;
    /** "p2p" for a node's endpoint (tagged with its ledger/node), "egress" for a NAT address. */
    readonly purpose: "p2p" | "egress";
    /** "<ledger>/<node>" for a P2P address. */
    readonly node?: string;
    /** The cloud region's provider (from `provider`). */
    readonly provider: pulumi.ProviderResource;
    readonly parent: pulumi.Resource;
}

/** One pool's size, decided by the shared sizing code (config/cloud-settings.ts) from the nodes' requests. */
export type { PoolSize } from "../../config/cloud-settings";

export interface ClusterArgs<R extends CloudRegionConfig = CloudRegionConfig> {
    readonly network: string;
    readonly regionId: string;
    readonly region: R;
    /** The cloud region's provider (from `provider`). */
    readonly provider: pulumi.ProviderResource;
    /** The region's NAT egress addresses, reserved by the global stack (`egressCount` of them). */
    readonly egress: readonly ReservedAddress[];
    /** CIDRs allowed to reach the Kubernetes API endpoint besides the VPC; empty: private endpoint only. */
    readonly apiAllowList: readonly string[];
    /**
     * CIDRs allowed to reach TCP 30303 (P2P) from outside: every node address and egress address of the
     * ledgers hosted here. Firewalls/security groups open P2P to these and nothing else to the world.
     */
    readonly p2pSources: readonly pulumi.Input<string>[];
    readonly pools: { readonly system: PoolSize; readonly ledger: PoolSize };
    /** Zones the nodes spread over (validated against the catalog). */
    readonly zones: readonly string[];
    readonly parent: pulumi.Resource;
}

/** What every adapter hands back to its Region. */
export interface ClusterAccess {
    /** Provider for the region's cluster; every Kubernetes object of the region uses it. */
    readonly provider: k8s.Provider;
    /** StorageClass for node volumes (encrypted, reclaimPolicy Retain on the cloud adapters). */
    readonly storageClass: string;
    /** Labels of the machines ledger pods must run on (the ledger pool's labels). */
    readonly ledgerNodeSelector: Record<string, string>;
    /** The cluster's pod ranges: same-cluster peers connect from these (see charts/ledger-peer.ts). */
    readonly podCidrs?: readonly string[];
    /** Zones of the cluster, in order; node i of the region is pinned to zones[i % zones.length]. */
    readonly zones?: readonly string[];
    /**
     * How a node's P2P LoadBalancer Service gets exactly its reserved address in `zone`: annotations
     * and spec fields to merge into the Service.
     */
    p2pService(address: ReservedAddress, zone: string | undefined): P2pServiceRequest;
    /** Resources the chart's objects must also wait for (a StorageClass the adapter creates, say). */
    readonly dependsOn?: readonly pulumi.Resource[];
    /** Cloud regions: the managed cluster's name (EKS, GKE) or id (ACK), for the operator's kubeconfig. */
    readonly clusterName?: pulumi.Output<string>;
}

export interface P2pServiceRequest {
    readonly annotations: Record<string, pulumi.Input<string>>;
    readonly spec: { loadBalancerIP?: pulumi.Input<string>; loadBalancerClass?: string };
}

/** A cloud adapter: everything cloud-specific, behind one interface. */
export interface CloudAdapter<R extends CloudRegionConfig = CloudRegionConfig> {
    readonly cloud: CloudName;
    /** An explicit provider for the cloud region (never a default provider). */
    provider(name: string, args: { network: string; regionId: string; region: R; parent: pulumi.Resource }): pulumi.ProviderResource;
    /** Reserves one static public IPv4 in the region, protected from deletion. */
    reserveAddress(name: string, args: ReserveArgs<R>): ReservedAddress;
    /** How many NAT egress addresses a region uses (the global stack reserves that many). */
    egressCount(region: R): number;
    /** The cluster and everything around it (network, NAT, KMS, IAM, pools, storage class). */
    cluster(name: string, args: ClusterArgs<R>): ClusterAccess;
}

/** One A record of the network's zone: `<ledger>-<node>.<region>` under `domain`. */
export interface DnsRecord {
    /** Resource name suffix, unique in the network, e.g. "main-val-1". */
    readonly key: string;
    /** The record's name relative to the zone, e.g. "main-val-1.aws-fra". */
    readonly relativeName: string;
    readonly ip: pulumi.Input<string>;
}

export interface DnsArgs {
    readonly network: string;
    /** The zone's domain, e.g. "meridian.ledger.example" (no trailing dot). */
    readonly domain: string;
    /** The provider of one of this cloud's regions in the network (credentials; DNS itself is global). */
    readonly provider: pulumi.ProviderResource;
    /** The region id whose provider it is (for tags). */
    readonly regionId: string;
    readonly records: readonly DnsRecord[];
    readonly parent: pulumi.Resource;
}

/** The cloud's DNS service (Route 53, Cloud DNS, Alibaba Cloud DNS), for a network that names it. */
export interface DnsAdapter {
    /** Creates the zone (protected) and its records; returns the zone's name servers to delegate to. */
    zone(name: string, args: DnsArgs): { nameServers: pulumi.Output<string[]> };
}
