import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { ledgerNamespace } from "../charts/ledger-peer";
import type { LedgerConfig, RegionConfig } from "../stacks/schema";
import { existingCluster } from "./clouds/existing";
import type { ClusterAccess } from "./clouds/types";
import type { NodeIdentity } from "./identity";
import { kubeResource } from "./kube-resource";
import { LedgerNode } from "./ledger-node";

/** A ledger as one region sees it. */
export interface RegionLedger {
    readonly id: string;
    readonly config: LedgerConfig;
    /** Namespace of the ledger, the same in every region. */
    readonly namespace: string;
    /** genesis.json, byte-identical in every region. */
    readonly genesisJson: pulumi.Output<string>;
    /** Every node of the ledger (all regions). */
    readonly identities: readonly NodeIdentity[];
    /** Node name -> enode URL for every node of the ledger, resolved once for all peer lists. */
    readonly enodes: pulumi.Output<Record<string, string>>;
}

export interface RegionArgs {
    readonly network: string;
    readonly regionId: string;
    readonly region: RegionConfig;
    /** Ledgers with at least one node in this region. */
    readonly ledgers: readonly RegionLedger[];
}

export function clusterFor(name: string, args: RegionArgs, parent: pulumi.Resource): ClusterAccess {
    switch (args.region.cloud) {
        case "existing":
            return existingCluster(name, args.region, parent);
        default:
            // The loader rejects these before the program runs; this guards direct use of the component.
            throw new pulumi.RunError(
                `region ${args.regionId}: the '${args.region.cloud}' adapter is not available in this version of ledgerfleet`,
            );
    }
}

/** One cloud region (or existing cluster): its provider, each ledger's namespace, and its nodes. */
export class Region extends pulumi.ComponentResource {
    readonly provider: k8s.Provider;
    /** Node name ("<ledger>/<node>") -> enode URL, for nodes hosted here. */
    readonly enodes: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: RegionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ledgerfleet:index:Region", name, {}, opts);
        const cluster = clusterFor(name, args, this);
        this.provider = cluster.provider;
        const hosted: Record<string, pulumi.Output<string>> = {};

        for (const ledger of args.ledgers) {
            const owner = `${name}-${ledger.id}`;
            const shared = ledgerNamespace<pulumi.Input<string>>({
                network: args.network,
                ledger: ledger.id,
                region: args.regionId,
                namespace: ledger.namespace,
                genesisJson: ledger.genesisJson,
            });
            const namespace: pulumi.Resource[] = [];
            // The Namespace first; everything namespaced waits for it.
            for (const obj of shared.filter((o) => o.kind === "Namespace")) {
                namespace.push(kubeResource(owner, obj, { parent: this, provider: cluster.provider }));
            }
            for (const obj of shared.filter((o) => o.kind !== "Namespace")) {
                kubeResource(owner, obj, { parent: this, provider: cluster.provider, dependsOn: namespace });
            }

            for (const identity of ledger.identities.filter((i) => i.region === args.regionId)) {
                const nodeConfig = ledger.config.nodes.find((n) => n.name === identity.node);
                if (nodeConfig === undefined) throw new Error(`internal: ${identity.ledger}/${identity.node} has no config`);
                const node = new LedgerNode(
                    `${owner}-${identity.node}`,
                    {
                        network: args.network,
                        ledgerId: ledger.id,
                        ledger: ledger.config,
                        node: nodeConfig,
                        identity,
                        ledgerEnodes: ledger.enodes,
                        namespace: ledger.namespace,
                        dependsOn: namespace,
                        storageClass: cluster.storageClass,
                        provider: cluster.provider,
                    },
                    { parent: this },
                );
                hosted[`${ledger.id}/${identity.node}`] = node.enode;
            }
        }
        this.enodes = pulumi.all(hosted);
        this.registerOutputs({ enodes: this.enodes });
    }
}
