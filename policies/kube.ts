// What the Kubernetes and ledger policies share: Pulumi's type tokens for Kubernetes objects, and the
// pod specs inside the workload kinds (a Pod's own, a controller's template, a CronJob's job's).

/** Pulumi's type token for a manifest's apiVersion and kind: `kubernetes:<group>/<version>:<Kind>` ("core" for v1). */
export function kubeTypeToken(apiVersion: string, kind: string): string {
    return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

/** Workload kinds whose pods the Kubernetes policies check, by Pulumi type token. */
export const WORKLOAD_TYPES: readonly string[] = [
    "kubernetes:core/v1:Pod",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:apps/v1:ReplicaSet",
    "kubernetes:batch/v1:Job",
    "kubernetes:batch/v1:CronJob",
];

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);

/** The pod spec of a workload (undefined for other types), and the pod template's metadata. */
export function podOf(type: string, props: Obj): { spec: Obj; metadata: Obj } | undefined {
    const spec = obj(props["spec"]);
    switch (type) {
        case "kubernetes:core/v1:Pod":
            return spec === undefined ? undefined : { spec, metadata: obj(props["metadata"]) ?? {} };
        case "kubernetes:batch/v1:CronJob": {
            const template = obj(obj(obj(spec?.["jobTemplate"])?.["spec"])?.["template"]);
            const podSpec = obj(template?.["spec"]);
            return podSpec === undefined ? undefined : { spec: podSpec, metadata: obj(template?.["metadata"]) ?? {} };
        }
        default: {
            if (!WORKLOAD_TYPES.includes(type)) return undefined;
            const template = obj(spec?.["template"]);
            const podSpec = obj(template?.["spec"]);
            return podSpec === undefined ? undefined : { spec: podSpec, metadata: obj(template?.["metadata"]) ?? {} };
        }
    }
}

export interface ContainerRef {
    /** "containers", "initContainers" or "ephemeralContainers". */
    list: string;
    name: string;
    container: Obj;
}

/** Every container of a pod spec, init and ephemeral ones included (Pod Security checks them all). */
export function containersOf(spec: Obj): ContainerRef[] {
    return ["initContainers", "containers", "ephemeralContainers"].flatMap((list) => {
        const items = spec[list];
        return Array.isArray(items)
            ? items.flatMap((c) => {
                  const container = obj(c);
                  return container === undefined ? [] : [{ list, name: String(container["name"] ?? "?"), container }];
              })
            : [];
    });
}

export { obj as asObject };
