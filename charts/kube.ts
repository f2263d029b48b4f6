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
        /** Values may be placeholders a component resolves later (a genesis hash, say). */
        annotations?: Record<string, unknown>;
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

/** Label the API server sets on every namespace to its name; unlike other labels, nobody can forge it. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** The namespace of a network's scheduler (the sharing service) in every region. */
export function schedulerNamespace(network: string): string {
    return `${network}-scheduler`;
}

/** app.kubernetes.io/component of the scheduler's pods. */
export const SCHEDULER_COMPONENT = "scheduler";

/**
 * A container's security context under the Pod Security Standards' restricted profile, and then some:
 * a fixed non-root user, a read-only root filesystem, no privilege escalation, no capabilities, the
 * runtime's seccomp profile. Every container ledgerfleet runs has it.
 */
export function restrictedContainerSecurity(uid: number) {
    return {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}
