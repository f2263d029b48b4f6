// Turns a chart's plain Kubernetes object into the matching typed @pulumi/kubernetes resource.
// Charts are checked against the Kubernetes OpenAPI schema in test/chart-*.test.ts and the plan
// tests; that check is what makes handing a chart object to the typed class safe, and this is
// the only place it happens.
import type * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { KubeObject } from "../charts/kube";

/** Any typed class: its args parameter accepts the chart object (checked as said above). */
type KubeResourceClass = new (name: string, args: never, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

const CLASSES: Readonly<Record<string, KubeResourceClass>> = {
    "v1/Namespace": k8s.core.v1.Namespace,
    "v1/ConfigMap": k8s.core.v1.ConfigMap,
    "v1/Secret": k8s.core.v1.Secret,
    "v1/Service": k8s.core.v1.Service,
    "v1/PersistentVolumeClaim": k8s.core.v1.PersistentVolumeClaim,
    "apps/v1/StatefulSet": k8s.apps.v1.StatefulSet,
    "apps/v1/Deployment": k8s.apps.v1.Deployment,
    "autoscaling/v2/HorizontalPodAutoscaler": k8s.autoscaling.v2.HorizontalPodAutoscaler,
    "policy/v1/PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
    "networking.k8s.io/v1/NetworkPolicy": k8s.networking.v1.NetworkPolicy,
};

/** Logical Pulumi name for a chart object: `<owner>-<kind>-<object name>`, stable across runs. */
export function resourceName(owner: string, obj: KubeObject): string {
    return `${owner}-${obj.kind.toLowerCase()}-${obj.metadata.name}`;
}

export function kubeResource(owner: string, obj: KubeObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
    const Class = CLASSES[`${obj.apiVersion}/${obj.kind}`];
    if (Class === undefined) {
        throw new Error(`ledgerfleet: no typed resource for ${obj.apiVersion} ${obj.kind} (${obj.metadata.name}); add it to components/kube-resource.ts`);
    }
    return new Class(resourceName(owner, obj), obj as never, opts);
}
