// The pod inside every workload kind, with the field paths messages name, and the shape of a policy
// over it: what the Pod Security Standards controls (policies/kubernetes-pss.ts) and the other
// Kubernetes policies (policies/kubernetes.ts) are written with.
import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { asObject, podOf } from "./kube";

export type Obj = Record<string, unknown>;
export const PSS = "Pod Security Standards, restricted";

// ---------------------------------------------------------------------------------------------------
// The pod inside a workload, with the field paths messages name.

export interface ContainerAt {
    name: string;
    /** e.g. `spec.template.spec.initContainers[0]`. */
    path: string;
    list: "initContainers" | "containers" | "ephemeralContainers";
    c: Obj;
    /** The container's securityContext ({} when unset). */
    sc: Obj;
}

export interface Pod {
    /** `StatefulSet "val-1"`. */
    what: string;
    spec: Obj;
    metadata: Obj;
    /** Path of the pod spec in the object: `spec`, `spec.template.spec` or `spec.jobTemplate.spec.template.spec`. */
    path: string;
    /** The pod's securityContext ({} when unset). */
    sc: Obj;
    containers: ContainerAt[];
    windows: boolean;
    /** hostUsers: false, a user namespace (PSS relaxes non-root rules for it from 1.35). */
    userNamespace: boolean;
}

export function podAt(type: string, props: Obj, name: string): Pod | undefined {
    const pod = podOf(type, props);
    if (pod === undefined) return undefined;
    const path = type === "kubernetes:core/v1:Pod" ? "spec" : type === "kubernetes:batch/v1:CronJob" ? "spec.jobTemplate.spec.template.spec" : "spec.template.spec";
    const containers = (["initContainers", "containers", "ephemeralContainers"] as const).flatMap((list) => {
        const items = pod.spec[list];
        return Array.isArray(items)
            ? items.flatMap((item, i) => {
                  const c = asObject(item);
                  return c === undefined ? [] : [{ name: String(c["name"] ?? `#${i}`), path: `${path}.${list}[${i}]`, list, c, sc: asObject(c["securityContext"]) ?? {} }];
              })
            : [];
    });
    const metaName = asObject(props["metadata"])?.["name"];
    return {
        what: `${type.split(":").pop()} "${typeof metaName === "string" ? metaName : name}"`,
        spec: pod.spec,
        metadata: pod.metadata,
        path,
        sc: asObject(pod.spec["securityContext"]) ?? {},
        containers,
        windows: asObject(pod.spec["os"])?.["name"] === "windows",
        userNamespace: pod.spec["hostUsers"] === false,
    };
}

export const str = (v: unknown) => JSON.stringify(v);
export const container = (c: ContainerAt) => `container "${c.name}" (${c.path})`;

/** The Kubernetes minor version whose PSS rules apply (the `enforce` label without a version means the cluster's own). */
const VERSION_SCHEMA: PolicyConfigSchema = {
    properties: {
        kubernetesVersion: {
            type: "string",
            // The oldest minor the cloud catalogs deploy (config/catalog); existing clusters may set their own.
            default: "1.35",
            description: "Kubernetes minor version of the clusters (e.g. 1.35): PSS allows more sysctls and SELinux types, and relaxes non-root rules in user namespaces, from given versions.",
        },
    },
};

function minorOf(config: { kubernetesVersion?: unknown }): number {
    const m = /^1\.(\d+)$/.exec(String(config.kubernetesVersion ?? ""));
    if (m === null) throw new Error(`kubernetesVersion must be a Kubernetes minor version such as "1.35", not ${str(config.kubernetesVersion)}`);
    return Number(m[1]);
}

export interface PodPolicy {
    name: string;
    description: string;
    versioned?: boolean;
    /** Problems found, each a phrase naming the field, its value and what to do. */
    check: (pod: Pod, minor: number) => string[];
}

/** A mandatory policy over the pod of every workload kind in WORKLOAD_TYPES. */
export function podPolicy(control: string | undefined, p: PodPolicy): ResourceValidationPolicy {
    return {
        name: p.name,
        description: control === undefined ? p.description : `${PSS}: ${control}: ${p.description}`,
        enforcementLevel: "mandatory",
        ...(p.versioned === true ? { configSchema: VERSION_SCHEMA } : {}),
        validateResource: (args, report) => {
            const pod = podAt(args.type, args.props, args.name);
            if (pod === undefined) return args.notApplicable("not a workload with a pod spec");
            const minor = p.versioned === true ? minorOf(args.getConfig<{ kubernetesVersion?: string }>()) : 0;
            for (const problem of p.check(pod, minor)) report(`${control === undefined ? "" : `${PSS}: ${control}: `}${pod.what}: ${problem}`);
        },
    };
}

export const when = <T>(cond: boolean, value: T): T[] => (cond ? [value] : []);

