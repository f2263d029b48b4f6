import * as pulumi from "@pulumi/pulumi";
import { configHash, ledgerPeer } from "../charts/ledger-peer";
import { besuConfigToml } from "../frameworks/besu/config";
import { nodeResources } from "../config/node-resources";
import { failureDomainOf } from "../config/failure-domain";
import type { LedgerConfig, NodeConfig, RegionConfig } from "../config/schema";
import type { ClusterAccess, ReservedAddress } from "./clouds/types";
import type { DeployedNode } from "./region";
import type { NodeIdentity } from "./identity";
import { kubeResource } from "./kube-resource";

/** The well-known label of a machine's zone (kubernetes.io, "topology.kubernetes.io/zone"). */
const ZONE_LABEL = "topology.kubernetes.io/zone";

export interface LedgerNodeArgs {
    readonly network: string;
    readonly ledgerId: string;
    readonly ledger: LedgerConfig;
    readonly node: NodeConfig;
    readonly identity: NodeIdentity;
    readonly region: RegionConfig;
    /** The ledger's namespace in this region. */
    readonly namespace: string;
    /** The Namespace and the peers ConfigMap: the node's objects wait for them. */
    readonly dependsOn: readonly pulumi.Resource[];
    /** The region's cluster: its provider, storage class, ledger machines, and how a Service gets an address. */
    readonly cluster: ClusterAccess;
    /** The node's static P2P address (as the file names it, or as its cloud reserved it). */
    readonly address: ReservedAddress;
    /** Cloud regions: the zone the node's pod and volume live in. */
    readonly zone?: string;
    /** Source ranges of the node's P2P LoadBalancer (CIDRs); none set when empty. */
    readonly p2pSourceRanges: readonly pulumi.Input<string>[];
    /** Where other regions' schedulers call from (CIDRs). */
    readonly schedulerSources: readonly pulumi.Input<string>[];
    readonly netRestrict?: readonly string[];
    /** RPC nodes: hash of the ledger's peer files here (see LedgerPeerValues.peersHash). */
    readonly peersHash?: pulumi.Output<string>;
    /** The node's volume size and zone as last deployed; undefined on a first deploy. */
    readonly previous?: pulumi.Output<DeployedNode | undefined>;
}

/** The zone a deployed node's volume lives in can never change: its pod could not reach its data. */
function checkedZone(ledger: string, node: string, zone: string, previous: pulumi.Output<DeployedNode | undefined> | undefined): pulumi.Input<string> {
    if (previous === undefined) return zone;
    return previous.apply((was) => {
        if (was?.zone !== undefined && was.zone !== zone) {
            throw new pulumi.RunError(
                `node ${ledger}/${node}: its data volume is in zone ${was.zone}, and a volume cannot follow its pod to ${zone}: set zone: ${was.zone} on the node`,
            );
        }
        return zone;
    });
}

/**
 * The volume's requested size, refusing a shrink before anything is applied: Kubernetes can grow a
 * claim in place but never shrink one.
 */
function checkedStorage(ledger: string, node: string, storageGiB: number, previous: pulumi.Output<number | undefined> | undefined): pulumi.Input<string> {
    const request = `${storageGiB}Gi`;
    if (previous === undefined) return request;
    return previous.apply((was) => {
        if (was !== undefined && storageGiB < was) {
            throw new pulumi.RunError(
                `node ${ledger}/${node}: its data volume is ${was} GiB and Kubernetes cannot shrink a volume; set storageGiB to ${was} or more`,
            );
        }
        return request;
    });
}

/** One Besu node: its StatefulSet, volume, Services, config, key Secret and NetworkPolicy in one region. */
export class LedgerNode extends pulumi.ComponentResource {
    /** `enode://<public key>@<static address>:30303`, as every other node's peer list names it. */
    readonly enode: pulumi.Output<string>;
    readonly address: pulumi.Output<string>;
    readonly p2pAddress: pulumi.Output<string>;

    constructor(name: string, args: LedgerNodeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ledgerfleet:index:LedgerNode", name, {}, opts);
        const { identity } = args;
        const { cluster } = args;
        const resources = nodeResources(args.ledger, args.node);
        const p2pHost = identity.p2pAddress;
        const configOf = (host: string) => besuConfigToml({ role: identity.role, p2pHost: host, netRestrict: args.netRestrict });
        // A plain string when the file names the address (the chart hashes it); else known once reserved.
        const configToml = typeof p2pHost === "string" ? configOf(p2pHost) : pulumi.output(p2pHost).apply(configOf);
        const zone = args.zone === undefined ? undefined : checkedZone(args.ledgerId, identity.node, args.zone, args.previous);
        const objects = ledgerPeer<pulumi.Input<string>>({
            network: args.network,
            ledger: args.ledgerId,
            region: identity.region,
            failureDomain: failureDomainOf(identity.region, args.region),
            node: identity.node,
            role: identity.role,
            namespace: args.namespace,
            image: args.ledger.image,
            address: p2pHost,
            p2pRequest: cluster.p2pService(args.address, args.zone),
            rpcAddress: args.node.rpcAddress,
            dnsName: identity.dnsName,
            loadBalancer: args.region.cloud === "existing" ? args.region.loadBalancer : "generic",
            p2pSourceRanges: args.p2pSourceRanges,
            schedulerSources: args.schedulerSources,
            // Cloud regions pin the pod to its zone: its volume lives there (and, on AWS, its load balancer).
            nodeSelector: { ...cluster.ledgerNodeSelector, ...(zone === undefined ? {} : { [ZONE_LABEL]: zone }) },
            storageClass: cluster.storageClass,
            resources,
            storageRequest: checkedStorage(args.ledgerId, identity.node, resources.storageGiB, args.previous?.apply((p) => p?.storageGiB)),
            configToml,
            configSha256: typeof configToml === "string" ? undefined : configToml.apply(configHash),
            peersHash: args.peersHash,
            publicKey: identity.publicKey,
            nodeKey: { secretName: identity.keySecret.name, key: identity.keySecret.key, privateKey: identity.privateKey },
        });
        for (const obj of objects) {
            // A node's chain data outlives the node: protected from deletion by `pulumi up`, and left in
            // the cluster if someone unprotects and deletes it.
            const data = obj.kind === "PersistentVolumeClaim";
            kubeResource(name, obj, {
                parent: this,
                provider: cluster.provider,
                dependsOn: [...args.dependsOn],
                ...(data ? { protect: true, retainOnDelete: true } : {}),
            });
        }
        this.enode = identity.enode;
        this.address = identity.address;
        this.p2pAddress = pulumi.output(identity.p2pAddress);
        this.registerOutputs({ enode: this.enode, address: this.address, p2pAddress: this.p2pAddress });
    }
}
