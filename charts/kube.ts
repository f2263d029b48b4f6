// The shape every chart returns: plain Kubernetes objects, ready to be turned into typed
// @pulumi/kubernetes resources by a component or written as YAML by `ledgerfleet plan`.

/** A Kubernetes object as it would be applied. `metadata.name` is always set. */
export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata: {
        name: string;
        namespace?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
    };
    [field: string]: unknown;
}

/** Standard labels (app.kubernetes.io/*) shared by every object ledgerfleet renders. */
export interface StandardLabels {
    /** app.kubernetes.io/name, e.g. "besu". */
    name: string;
    /** app.kubernetes.io/instance, e.g. "main-val-1". */
    instance: string;
    /** app.kubernetes.io/component, e.g. "validator". */
    component: string;
    /** app.kubernetes.io/part-of: the network name. */
    partOf: string;
}

export function standardLabels(l: StandardLabels): Record<string, string> {
    return {
        "app.kubernetes.io/name": l.name,
        "app.kubernetes.io/instance": l.instance,
        "app.kubernetes.io/component": l.component,
        "app.kubernetes.io/part-of": l.partOf,
        "app.kubernetes.io/managed-by": "ledgerfleet",
    };
}
