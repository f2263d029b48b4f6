// Kubernetes policies: the Pod Security Standards "restricted" profile (policies/kubernetes-pss.ts,
// one policy per control) and the hardening a ledger workload needs beyond it (after the CIS
// Kubernetes Benchmark, section 5). Type tokens are compared as strings: no cloud or Kubernetes SDK is loaded.
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { LedgerfleetPolicy } from "./harness";
import { asObject, podOf } from "./kube";
import { PSS_POLICIES } from "./kubernetes-pss";
import { container, type Obj, podPolicy, str, when } from "./pod-policy";

export { PSS_POLICIES };

const STATEFULSET = "kubernetes:apps/v1:StatefulSet";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
/** Workloads whose pods serve something a drain must not take down all at once (not Jobs or DaemonSets). */
const BUDGETED_TYPES = [STATEFULSET, DEPLOYMENT];
const NAMESPACE = "kubernetes:core/v1:Namespace";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const PDB_TYPES = ["kubernetes:policy/v1:PodDisruptionBudget", "kubernetes:policy/v1beta1:PodDisruptionBudget"];
const ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";

// ---------------------------------------------------------------------------------------------------
// Beyond PSS.

export const readOnlyRootFilesystem = podPolicy(undefined, {
    name: "k8s-read-only-root-filesystem",
    description: "Every container (init and ephemeral included) sets securityContext.readOnlyRootFilesystem=true.",
    check: (pod) =>
        pod.containers
            .filter((c) => c.sc["readOnlyRootFilesystem"] !== true)
            .map((c) => `${container(c)} has a writable root filesystem; set securityContext.readOnlyRootFilesystem=true and mount an emptyDir where it writes.`),
});

export const containerResources = podPolicy(undefined, {
    name: "k8s-container-resources",
    // No CPU limit required: validators run without one so the JVM is never throttled mid-round
    // (charts/ledger-pod.ts); a memory limit is what keeps one pod from starving its node.
    description: "Every init and regular container requests cpu and memory and limits memory (a CPU limit is deliberately not required).",
    check: (pod) =>
        pod.containers
            .filter((c) => c.list !== "ephemeralContainers") // the API refuses resources on ephemeral containers
            .flatMap((c) => {
                const resources = asObject(c.c["resources"]) ?? {};
                const missing = [
                    ...["cpu", "memory"].filter((r) => asObject(resources["requests"])?.[r] === undefined).map((r) => `resources.requests.${r}`),
                    ...when(asObject(resources["limits"])?.["memory"] === undefined, "resources.limits.memory"),
                ];
                return missing.length === 0 ? [] : [`${container(c)} does not set ${missing.join(", ")}; set them so the scheduler reserves what it needs and the kubelet caps its memory.`];
            }),
});

const DIGEST = /@sha256:[0-9a-f]{64}$/;

export const imagePinned = podPolicy(undefined, {
    name: "k8s-image-pinned-by-digest",
    description: "Every container image is pinned by digest (@sha256:<64 hex>) and never tagged latest.",
    check: (pod) =>
        pod.containers.flatMap((c) => {
            const image = c.c["image"];
            if (typeof image !== "string") return [`${container(c)} has no image; set one pinned by digest (name:tag@sha256:<digest>).`];
            const ref = image.split("@")[0]!;
            const tag = ref.slice(ref.lastIndexOf("/") + 1).split(":")[1];
            return [
                ...when(!DIGEST.test(image), `${container(c)} image ${str(image)} is not pinned by digest; use name:tag@sha256:<64 hex> so every node runs the same bytes.`),
                ...when(tag === "latest", `${container(c)} image ${str(image)} uses the latest tag; name the release it runs.`),
            ];
        }),
});

export const containerProbes = podPolicy(undefined, {
    name: "k8s-container-probes",
    description: "Every regular container that declares ports has a livenessProbe and a readinessProbe.",
    check: (pod) =>
        pod.containers
            .filter((c) => c.list === "containers" && Array.isArray(c.c["ports"]) && c.c["ports"].length > 0)
            .flatMap((c) => {
                const missing = ["livenessProbe", "readinessProbe"].filter((p) => asObject(c.c[p]) === undefined);
                return missing.length === 0 ? [] : [`${container(c)} declares ports but no ${missing.join(" or ")}; add them so a hung process is restarted and kept out of Services.`];
            }),
});

export const noServiceAccountToken = podPolicy(undefined, {
    name: "k8s-no-service-account-token",
    description: "Every pod sets automountServiceAccountToken=false (ledger pods never call the Kubernetes API).",
    check: (pod) =>
        pod.spec["automountServiceAccountToken"] === false
            ? []
            : [`${pod.path}.automountServiceAccountToken is ${str(pod.spec["automountServiceAccountToken"] ?? null)}; set it to false so no API token is mounted.`],
});

export const namespacePodSecurity: ResourceValidationPolicy = {
    name: "k8s-namespace-pod-security-restricted",
    description: `Every Namespace the stack creates is labelled ${ENFORCE_LABEL}: restricted, so the cluster itself refuses a weaker pod.`,
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== NAMESPACE) return args.notApplicable("not a Namespace");
        const metadata = asObject(args.props["metadata"]) ?? {};
        const value = asObject(metadata["labels"])?.[ENFORCE_LABEL];
        if (value !== "restricted") report(`Namespace "${String(metadata["name"] ?? args.name)}" has metadata.labels["${ENFORCE_LABEL}"]=${str(value ?? null)}; set it to "restricted".`);
    },
};

// ---------------------------------------------------------------------------------------------------
// Stack policies: objects that must exist next to others, in the same cluster and namespace.

/** The cluster a resource goes to: its provider (a Kubernetes provider per region). */
const clusterOf = (r: PolicyResource) => r.provider?.urn ?? "(default provider)";
/** A namespaced object's namespace: its own, else its provider's default, else "default". */
function namespaceOf(r: PolicyResource): string {
    const own = asObject(r.props["metadata"])?.["namespace"];
    const providerDefault = r.provider?.props["namespace"];
    return typeof own === "string" && own !== "" ? own : typeof providerDefault === "string" && providerDefault !== "" ? providerDefault : "default";
}

/** Whether a label selector (matchLabels and matchExpressions) selects these labels; a missing selector selects nothing. */
export function selects(selector: unknown, labels: Obj): boolean {
    const s = asObject(selector);
    if (s === undefined) return false;
    const matchLabels = Object.entries(asObject(s["matchLabels"]) ?? {});
    const expressions = (Array.isArray(s["matchExpressions"]) ? s["matchExpressions"] : []).map((e) => asObject(e) ?? {});
    return (
        matchLabels.every(([k, v]) => labels[k] === v) &&
        expressions.every((e) => {
            const key = String(e["key"]);
            const values = Array.isArray(e["values"]) ? e["values"] : [];
            switch (e["operator"]) {
                case "In": return key in labels && values.includes(labels[key]);
                case "NotIn": return !(key in labels) || !values.includes(labels[key]);
                case "Exists": return key in labels;
                case "DoesNotExist": return !(key in labels);
                default: return false;
            }
        })
    );
}

export const statefulSetDisruptionBudget: StackValidationPolicy = {
    name: "k8s-statefulset-disruption-budget",
    // The id is older than its Deployment rule; kept, so policy config files that name it still apply.
    description: "Every StatefulSet's and Deployment's pods are selected by a PodDisruptionBudget in the same cluster and namespace.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const budgets = args.resources.filter((r) => PDB_TYPES.includes(r.type));
        for (const set of args.resources.filter((r) => BUDGETED_TYPES.includes(r.type))) {
            const labels = asObject(podOf(set.type, set.props)?.metadata["labels"]) ?? {};
            const where = `${clusterOf(set)}/${namespaceOf(set)}`;
            const covered = budgets.some((b) => `${clusterOf(b)}/${namespaceOf(b)}` === where && selects(asObject(b.props["spec"])?.["selector"], labels));
            if (!covered) {
                const name = String(asObject(set.props["metadata"])?.["name"] ?? set.name);
                const kind = set.type === STATEFULSET ? "StatefulSet" : "Deployment";
                const fix = set.type === STATEFULSET ? "add one (maxUnavailable: 1) so a node drain cannot take its pods down with their peers" : "add one (minAvailable: 1) so a node drain cannot take every replica down at once";
                report(`${kind} "${name}" (namespace "${namespaceOf(set)}"): no PodDisruptionBudget there selects its pod template labels ${str(labels)}; ${fix}.`, set.urn);
            }
        }
    },
};

export const namespaceNetworkPolicy: StackValidationPolicy = {
    name: "k8s-namespace-network-policy",
    description: "Every Namespace the stack creates holds at least one NetworkPolicy of the stack, in the same cluster.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const policed = new Set(args.resources.filter((r) => r.type === NETWORK_POLICY).map((r) => `${clusterOf(r)}/${namespaceOf(r)}`));
        for (const ns of args.resources.filter((r) => r.type === NAMESPACE)) {
            const name = asObject(ns.props["metadata"])?.["name"];
            if (typeof name !== "string" || name === "") {
                report(`Namespace resource "${ns.name}" sets no metadata.name, so no NetworkPolicy can be placed in it; name it.`, ns.urn);
            } else if (!policed.has(`${clusterOf(ns)}/${name}`)) {
                report(`Namespace "${name}" has no NetworkPolicy; add one (a default-deny ingress, then what each role needs), or every pod in it accepts any connection.`, ns.urn);
            }
        }
    },
};

export const KUBERNETES_POLICIES: LedgerfleetPolicy[] = [
    ...PSS_POLICIES,
    readOnlyRootFilesystem, containerResources, imagePinned, containerProbes, noServiceAccountToken, namespacePodSecurity,
    statefulSetDisruptionBudget, namespaceNetworkPolicy,
];
