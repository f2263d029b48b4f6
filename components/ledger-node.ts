import * as pulumi from "@pulumi/pulumi";
import { ledgerPeer, peerConfigHash } from "../charts/ledger-peer";
import { besuConfigToml, DEFAULT_RESOURCES } from "../frameworks/besu/config";
import { staticNodesJson } from "../frameworks/besu/genesis";
import type { LedgerConfig, NodeConfig } from "../stacks/schema";
import type { NodeIdentity } from "./identity";
import { kubeResource } from "./kube-resource";

export interface LedgerNodeArgs {
    readonly network: string;
    readonly ledgerId: string;
    readonly ledger: LedgerConfig;
    readonly node: NodeConfig;
    readonly identity: NodeIdentity;
    /** Node name -> enode of every node of the ledger, in any region; the others are its static peers. */
    readonly ledgerEnodes: pulumi.Output<Record<string, string>>;
    /** The ledger's namespace in this region. */
    readonly namespace: string;
    /** The Namespace resource (and anything else) the node's objects must wait for. */
    readonly dependsOn: readonly pulumi.Resource[];
    readonly storageClass: string;
    /** The region's Kubernetes provider. */
    readonly provider: pulumi.ProviderResource;
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

/** One Besu node: its StatefulSet, Services, config, key Secret and NetworkPolicy in one region. */
export class LedgerNode extends pulumi.ComponentResource {
    /** `enode://<public key>@<p2p host>:30303`, as every other node's peer list names it. */
    readonly enode: pulumi.Output<string>;
    readonly address: pulumi.Output<string>;
    readonly p2pHost: pulumi.Output<string>;

    constructor(name: string, args: LedgerNodeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ledgerfleet:index:LedgerNode", name, {}, opts);
        const { identity } = args;
        const configToml = besuConfigToml({ role: args.node.role, p2pHost: identity.p2pHost });
        // One Output per node over the ledger-wide map, not one per peer: a full mesh of n nodes
        // would otherwise make n^2 Outputs, which dominated large plans.
        const staticNodes = args.ledgerEnodes.apply((all) =>
            staticNodesJson(Object.entries(all).filter(([node]) => node !== identity.node).map(([, enode]) => enode)),
        );
        const objects = ledgerPeer<pulumi.Input<string>>({
            network: args.network,
            ledger: args.ledgerId,
            region: identity.region,
            node: identity.node,
            role: identity.role,
            namespace: args.namespace,
            image: args.ledger.image,
            p2pHost: identity.p2pHost,
            storageClass: args.storageClass,
            resources: nodeResources(args.ledger, args.node),
            configToml,
            staticNodesJson: staticNodes,
            configHash: staticNodes.apply((s) => peerConfigHash(configToml, s)),
            publicKey: identity.publicKey,
            nodeKey: { secretName: identity.keySecret.name, key: identity.keySecret.key, privateKey: identity.privateKey },
        });
        for (const obj of objects) {
            kubeResource(name, obj, { parent: this, provider: args.provider, dependsOn: [...args.dependsOn] });
        }
        this.enode = identity.enode;
        this.address = identity.address;
        this.p2pHost = pulumi.output(identity.p2pHost);
        this.registerOutputs({ enode: this.enode, address: this.address, p2pHost: this.p2pHost });
    }
}
