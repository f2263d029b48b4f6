import type * as k8s from "@pulumi/kubernetes";

/** What every cloud adapter hands back to its Region. */
export interface ClusterAccess {
    /** Provider for the region's cluster; every Kubernetes object of the region uses it. */
    readonly provider: k8s.Provider;
    /** StorageClass for node volumes (encrypted, reclaimPolicy Retain on the cloud adapters). */
    readonly storageClass: string;
}
