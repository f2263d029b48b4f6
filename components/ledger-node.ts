import * as pulumi from "@pulumi/pulumi";
import { ledgerPeer } from "../charts/ledger-peer";
import { besuConfigToml, DEFAULT_RESOURCES } from "../frameworks/besu/config";
import type { ExistingRegionConfig, LedgerConfig, NodeConfig, RegionConfig } from "../config/schema";
import type { NodeIdentity } from "./identity";
import { kubeResource } from "./kube-resource";

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
    readonly storageClass: string;
    /** The region's Kubernetes provider. */
    readonly provider: pulumi.ProviderResource;
    /** Source ranges of the node's P2P LoadBalancer (CIDRs); none set when empty. */
    readonly p2pSourceRanges: readonly string[];
    /** Where other regions' schedulers call from (CIDRs). */
    readonly schedulerSources: readonly string[];
    readonly netRestrict?: readonly string[];
    /** RPC nodes: hash of the ledger's peer files here (see LedgerPeerValues.peersHash). */
    readonly peersHash?: pulumi.Output<string>;
    /** The data volume's size as last deployed; undefined on a first deploy. */
    readonly previousStorageGiB?: pulumi.Output<number | undefined>;
}

/** Effective resources of a node: node's own, else the ledger's per-role default, else the built-in default. */
export function nodeResources(ledger: LedgerConfig, node: NodeConfig): { cpu: string; memory: string; storageGiB: number } {
    const builtIn = DEFAULT_RESOURCES[node.role];
    const ledgerDefault = ledger.resources?.[node.role];
    return {
        cpu: node.resources?.cpu ?? ledgerDefault?.cpu ?? builtIn.cpu,
        memory: node.resources?.memory ?? ledgerDefault?.memory ?? builtIn.memory,
        storageGiB: node.resources?.storageGiB ?? ledgerDefault?.storageGiB ?? builtIn.storageGiB,
    };
}

/** Settings of the existing-cluster adapter; cloud adapters will give theirs. */
function clusterSettings(region: RegionConfig): Pick<ExistingRegionConfig, "loadBalancer" | "ledgerNodeSelector"> {
    if (region.cloud !== "existing") throw new pulumi.RunError(`the '${region.cloud}' adapter is not available in this version of ledgerfleet`);
    return region;
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
        const settings = clusterSettings(args.region);
        const resources = nodeResources(args.ledger, args.node);
        const objects = ledgerPeer<pulumi.Input<string>>({
            network: args.network,
            ledger: args.ledgerId,
            region: identity.region,
            node: identity.node,
            role: identity.role,
            namespace: args.namespace,
            image: args.ledger.image,
            address: identity.p2pAddress,
            rpcAddress: args.node.rpcAddress,
            dnsName: identity.dnsName,
            loadBalancer: settings.loadBalancer,
            p2pSourceRanges: args.p2pSourceRanges,
            schedulerSources: args.schedulerSources,
            nodeSelector: settings.ledgerNodeSelector,
            storageClass: args.storageClass,
            resources,
            storageRequest: checkedStorage(args.ledgerId, identity.node, resources.storageGiB, args.previousStorageGiB),
            configToml: besuConfigToml({ role: identity.role, p2pHost: identity.p2pAddress, netRestrict: args.netRestrict }),
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
                provider: args.provider,
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
