// Turns a chart's plain Kubernetes object into the matching typed @pulumi/kubernetes resource.
// Charts are checked against the Kubernetes OpenAPI schema in test/chart-*.test.ts; that check is
// what makes the narrowing casts below safe, and it is the only place they happen.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { KubeObject } from "../charts/kube";

type Opts = pulumi.CustomResourceOptions;

/** Logical Pulumi name for a chart object: `<owner>-<kind>-<object name>`, stable across runs. */
export function resourceName(owner: string, obj: KubeObject): string {
    return `${owner}-${obj.kind.toLowerCase()}-${obj.metadata.name}`;
}

/** Chart objects are schema-checked in tests; here they become the provider's argument types. */
function args<T>(obj: KubeObject): T {
    return obj as unknown as T;
}

export function kubeResource(owner: string, obj: KubeObject, opts: Opts): pulumi.CustomResource {
    const name = resourceName(owner, obj);
    switch (`${obj.apiVersion}/${obj.kind}`) {
        case "v1/Namespace":
            return new k8s.core.v1.Namespace(name, args<k8s.core.v1.NamespaceArgs>(obj), opts);
        case "v1/ConfigMap":
            return new k8s.core.v1.ConfigMap(name, args<k8s.core.v1.ConfigMapArgs>(obj), opts);
        case "v1/Secret":
            return new k8s.core.v1.Secret(name, args<k8s.core.v1.SecretArgs>(obj), opts);
        case "v1/Service":
            return new k8s.core.v1.Service(name, args<k8s.core.v1.ServiceArgs>(obj), opts);
        case "apps/v1/StatefulSet":
            return new k8s.apps.v1.StatefulSet(name, args<k8s.apps.v1.StatefulSetArgs>(obj), opts);
        case "policy/v1/PodDisruptionBudget":
            return new k8s.policy.v1.PodDisruptionBudget(name, args<k8s.policy.v1.PodDisruptionBudgetArgs>(obj), opts);
        case "networking.k8s.io/v1/NetworkPolicy":
            return new k8s.networking.v1.NetworkPolicy(name, args<k8s.networking.v1.NetworkPolicyArgs>(obj), opts);
        default:
            throw new Error(`ledgerfleet: no typed resource for ${obj.apiVersion} ${obj.kind} (${obj.metadata.name}); add it to components/kube-resource.ts`);
    }
}
