// The `existing` adapter: a cluster the operator already runs (kind, k3d, on-premises), reached
// through a kubeconfig context. It creates no cloud resources, only the region's provider.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { requestAddress } from "../../charts/load-balancer";
import type { ExistingRegionConfig } from "../../config/schema";
import type { ClusterAccess } from "./types";

export function existingCluster(name: string, region: ExistingRegionConfig, parent: pulumi.Resource): ClusterAccess {
    const provider = new k8s.Provider(
        `${name}-k8s`,
        {
            context: region.kubeconfigContext,
            // Left out: the provider reads $KUBECONFIG or ~/.kube/config, like kubectl.
            kubeconfig: region.kubeconfig,
            enableServerSideApply: true,
            // ConfigMaps update in place instead of being replaced on every data change: the peers
            // ConfigMap changes whenever a node joins, and its pods read it live. The genesis
            // ConfigMap is `immutable`, which keeps it replace-only (and protected).
            enableConfigMapMutable: true,
        },
        { parent },
    );
    return {
        provider,
        storageClass: region.storageClass,
        ledgerNodeSelector: region.ledgerNodeSelector,
        podCidrs: region.podCidrs,
        // The node's address as the file gives it, asked for the way the cluster's load balancer takes it.
        p2pService: (address) => requestAddress(region.loadBalancer, address.ip),
    };
}
