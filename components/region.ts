import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { ledgerNamespace } from "../charts/ledger-peer";
import { podDnsName } from "../charts/ledger-access";
import { PEER_FILES } from "../charts/ledger-namespace";
import { localPeerLines } from "../frameworks/besu/peers";
import type { LedgerConfig, RegionConfig } from "../config/schema";
import { monitoringNamespace } from "../config/names";
import { existingCluster } from "./clouds/existing";
import type { CloudAdapter, ClusterAccess } from "./clouds/types";
import type { CloudSettings } from "../config/cloud-settings";
import type { AddressBook } from "./address-book";
import type { NodeIdentity } from "./identity";
import { kubeResource } from "./kube-resource";
import { LedgerNode } from "./ledger-node";
import { type RegionSchedulerArgs, Scheduler } from "./scheduler";

/** A ledger as one region sees it. */
export interface RegionLedger {
    readonly id: string;
    readonly config: LedgerConfig;
    /** Namespace of the ledger, the same in every region. */
    readonly namespace: string;
    /** genesis.json, byte-identical in every region (and locked once deployed). */
    readonly genesisJson: pulumi.Output<string>;
    /** Every node of the ledger (all regions). */
    readonly identities: readonly NodeIdentity[];
    /** static-nodes.json naming every node of the ledger at its static address. */
    readonly staticNodesJson: pulumi.Output<string>;
    /** The allowlist's fixed part: every node at its static and its region's egress addresses. */
    readonly allowlist: pulumi.Output<string>;
    /** Where the ledger's P2P connections come from: its regions' egress addresses, as CIDRs. */
    readonly peerSources: readonly pulumi.Input<string>[];
}

/** What a node's last deployment left that the next one must respect (components/network.ts). */
export interface DeployedNode {
    readonly storageGiB?: number;
    readonly zone?: string;
}

export interface RegionArgs {
    readonly network: string;
    readonly regionId: string;
    readonly region: RegionConfig;
    /** Ledgers with at least one node in this region. */
    readonly ledgers: readonly RegionLedger[];
    /** The other regions' egress addresses, as CIDRs: where remote schedulers call RPC nodes from. */
    readonly schedulerSources: readonly pulumi.Input<string>[];
    /** The network's net-restrict CIDRs, if any. */
    readonly netRestrict?: readonly string[];
    /** "<ledger>/<node>" -> its volume's size and zone as last deployed (none on a first deploy). */
    readonly previousNodes?: pulumi.Output<Record<string, DeployedNode>>;
    /** Every static address of the network (nodes' P2P, regions' egress). */
    readonly addresses: AddressBook;
    /** The tenants' scheduler, when this region serves any tenant (components/scheduler.ts regionScheduler). */
    readonly scheduler?: RegionSchedulerArgs;
    /** Cloud regions: the adapter, the region's cloud provider and its checked settings. */
    readonly cloud?: { readonly adapter: CloudAdapter; readonly provider: pulumi.ProviderResource; readonly settings: CloudSettings };
}

export function clusterFor(name: string, args: RegionArgs, parent: pulumi.Resource): ClusterAccess {
    if (args.region.cloud === "existing") return existingCluster(name, args.region, parent);
    if (args.cloud === undefined) throw new Error(`internal: cloud region ${args.regionId} built without its adapter`);
    const { adapter, provider, settings } = args.cloud;
    // P2P arrives from the other sites' egress addresses (a node's own P2P address only receives).
    const p2pSources = [...new Set(args.ledgers.flatMap((l) => l.peerSources))];
    return adapter.cluster(name, {
        network: args.network,
        regionId: args.regionId,
        region: args.region,
        provider,
        egress: args.addresses.egress[args.regionId] ?? [],
        apiAllowList: settings.apiAllowList,
        p2pSources,
        pools: settings.pools,
        zones: settings.zones,
        parent,
    });
}

/** One cloud region (or existing cluster): its provider, each ledger's namespace, and its nodes. */
export class Region extends pulumi.ComponentResource {
    readonly provider: k8s.Provider;
    /** Cloud regions: the managed cluster's name (EKS, GKE) or id (ACK). */
    readonly clusterName?: pulumi.Output<string>;
    /** Node name ("<ledger>/<node>") -> enode URL, for nodes hosted here. */
    readonly enodes: pulumi.Output<Record<string, string>>;
    private pendingNodes: (() => LedgerNode)[] = [];

    constructor(name: string, args: RegionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ledgerfleet:index:Region", name, {}, opts);
        const cluster = clusterFor(name, args, this);
        this.provider = cluster.provider;
        this.clusterName = cluster.clusterName;
        const hosted: Record<string, pulumi.Output<string>> = {};
        const podCidrs = cluster.podCidrs;
        const zones = args.cloud?.settings.nodeZones ?? {};

        // The ledgers' Namespaces, which wait for the genesis and key checks: the scheduler waits for them too.
        const ledgerNamespaces: pulumi.Resource[] = [];
        for (const ledger of args.ledgers) {
            // Children's names start with the Region's own (config/names.ts), so a renamed region's
            // alias reaches them all.
            const owner = `${name}-${ledger.id}`;
            const here = ledger.identities.filter((i) => i.region === args.regionId);
            const localPeers = pulumi
                .all(here.map((i) => i.publicKey.apply((publicKey) => ({ publicKey, podDnsName: podDnsName(i.node, ledger.namespace) }))))
                .apply(localPeerLines);
            const shared = ledgerNamespace<pulumi.Input<string>>({
                network: args.network,
                ledger: ledger.id,
                region: args.regionId,
                namespace: ledger.namespace,
                genesisJson: ledger.genesisJson,
                genesisSha256: ledger.genesisJson.apply(sha256),
                peers: { staticNodesJson: ledger.staticNodesJson, allowlist: ledger.allowlist, localPeers },
                roles: (["validator", "rpc"] as const).filter((role) => here.some((i) => i.role === role)),
                access: {
                    peerSources: ledger.peerSources,
                    // Other regions' schedulers reach RPC nodes here only at an rpcAddress.
                    schedulerSources: here.some((i) => i.role === "rpc" && ledger.config.nodes.find((n) => n.name === i.node)?.rpcAddress !== undefined) ? args.schedulerSources : [],
                    monitoringNamespace: monitoringNamespace(args.region),
                },
            });
            const namespaceObject = shared.find((o) => o.kind === "Namespace");
            if (namespaceObject === undefined) throw new Error("internal: the ledger namespace chart rendered no Namespace");
            // The Namespace waits for the genesis check (its annotation is the genesis hash), and
            // everything else waits for the Namespace: a refused genesis changes nothing in the region.
            // Protected and retained: deleting a namespace deletes its volume claims, whatever else says.
            const namespace = kubeResource(owner, namespaceObject, {
                parent: this,
                provider: cluster.provider,
                protect: true,
                retainOnDelete: true,
                dependsOn: [...(cluster.dependsOn ?? [])],
            });
            ledgerNamespaces.push(namespace);
            let peersConfigMap: pulumi.CustomResource | undefined;
            for (const obj of shared.filter((o) => o.kind !== "Namespace")) {
                const genesis = obj.kind === "ConfigMap" && obj.metadata.name === "genesis";
                const resource = kubeResource(owner, obj, { parent: this, provider: cluster.provider, dependsOn: [namespace], protect: genesis });
                if (obj.kind === "ConfigMap" && obj.metadata.name === "peers") peersConfigMap = resource;
            }
            if (peersConfigMap === undefined) throw new Error("internal: the ledger namespace chart rendered no peers ConfigMap");
            // From the ConfigMap's own output: RPC nodes' pods depend on one resource, not on every key.
            const peersHash = (peersConfigMap as unknown as { data: pulumi.Output<Record<string, string> | undefined> }).data.apply((d) =>
                sha256(Object.values(PEER_FILES).map((f) => `${f}\n${d?.[f] ?? ""}`).join("\n")),
            );

            for (const identity of here) {
                const nodeConfig = ledger.config.nodes.find((n) => n.name === identity.node);
                if (nodeConfig === undefined) throw new Error(`internal: ${identity.ledger}/${identity.node} has no config`);
                const key = `${ledger.id}/${identity.node}`;
                hosted[key] = identity.enode;
                const address = args.addresses.nodes[key];
                if (address === undefined) throw new Error(`internal: no address for ${key}`);
                this.pendingNodes.push(() => new LedgerNode(
                    `${owner}-${identity.node}`,
                    {
                        network: args.network,
                        ledgerId: ledger.id,
                        ledger: ledger.config,
                        node: nodeConfig,
                        identity,
                        region: args.region,
                        namespace: ledger.namespace,
                        dependsOn: [namespace, peersConfigMap],
                        cluster,
                        address,
                        zone: zones[key],
                        // In-cluster peers reach the LoadBalancer from their pod addresses: without the
                        // pod ranges, kube-proxy would drop them, so no source ranges at all then.
                        p2pSourceRanges: podCidrs === undefined ? [] : [...ledger.peerSources, ...podCidrs],
                        schedulerSources: args.schedulerSources,
                        netRestrict: args.netRestrict,
                        peersHash: identity.role === "rpc" ? peersHash : undefined,
                        previous: args.previousNodes?.apply((p) => p[key]),
                    },
                    { parent: this },
                ));
            }
        }
        if (args.scheduler !== undefined) {
            new Scheduler(`${name}-scheduler`, { ...args.scheduler, regionId: args.regionId, provider: cluster.provider, dependsOn: [...(cluster.dependsOn ?? []), ...ledgerNamespaces] }, { parent: this });
        }
        this.enodes = pulumi.all(hosted);
        this.registerOutputs({ enodes: this.enodes });
    }

    /**
     * Builds the region's nodes, a batch at a time, letting the event loop turn between batches (see
     * Network.buildRegions): the same resources, with the registrations in flight bounded by a batch.
     */
    async buildNodes(batch = 50): Promise<void> {
        const builders = this.pendingNodes;
        this.pendingNodes = [];
        for (let i = 0; i < builders.length; i++) {
            if (i % batch === 0) await new Promise((resolve) => setImmediate(resolve));
            builders[i]?.();
        }
    }
}

function sha256(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}
