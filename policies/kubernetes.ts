// Kubernetes policies: the Pod Security Standards "restricted" profile, one policy per control, and the
// hardening a ledger workload needs beyond it (after the CIS Kubernetes Benchmark, section 5).
//
// The controls and their fields come from https://kubernetes.io/docs/concepts/security/pod-security-standards/
// (read 2026-11-25); the fine print the table leaves out (pod-level values inherited by containers,
// Windows pods exempt from three controls, user namespaces relaxing two from 1.35, the safe sysctls
// and SELinux types added by version) from the admission controller that enforces it,
// k8s.io/pod-security-admission policy/check_*.go at 8f84a87 (2026-07-01). A pod the namespace's
// `enforce: restricted` label would refuse, the pack refuses first, at preview.
// Type tokens are compared as strings: no cloud or Kubernetes SDK is loaded.
import type { PolicyConfigSchema, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { LedgerfleetPolicy } from "./harness";
import { asObject, podOf } from "./kube";

type Obj = Record<string, unknown>;
const PSS = "Pod Security Standards, restricted";
const STATEFULSET = "kubernetes:apps/v1:StatefulSet";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const PDB_TYPES = ["kubernetes:policy/v1:PodDisruptionBudget", "kubernetes:policy/v1beta1:PodDisruptionBudget"];
const ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";

// ---------------------------------------------------------------------------------------------------
// The pod inside a workload, with the field paths messages name.

interface ContainerAt {
    name: string;
    /** e.g. `spec.template.spec.initContainers[0]`. */
    path: string;
    list: "initContainers" | "containers" | "ephemeralContainers";
    c: Obj;
    /** The container's securityContext ({} when unset). */
    sc: Obj;
}

interface Pod {
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

function podAt(type: string, props: Obj, name: string): Pod | undefined {
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

const str = (v: unknown) => JSON.stringify(v);
const container = (c: ContainerAt) => `container "${c.name}" (${c.path})`;

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

interface PodPolicy {
    name: string;
    description: string;
    versioned?: boolean;
    /** Problems found, each a phrase naming the field, its value and what to do. */
    check: (pod: Pod, minor: number) => string[];
}

/** A mandatory policy over the pod of every workload kind in WORKLOAD_TYPES. */
function podPolicy(control: string | undefined, p: PodPolicy): ResourceValidationPolicy {
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

const when = <T>(cond: boolean, value: T): T[] => (cond ? [value] : []);

// ---------------------------------------------------------------------------------------------------
// Pod Security Standards, baseline controls (part of restricted).

export const pssHostProcess = podPolicy("HostProcess", {
    name: "k8s-pss-host-process",
    description: "no pod or container sets securityContext.windowsOptions.hostProcess=true.",
    check: (pod) => [
        ...when(asObject(pod.sc["windowsOptions"])?.["hostProcess"] === true, `${pod.path}.securityContext.windowsOptions.hostProcess is true; remove it: a HostProcess pod runs on the Windows host itself.`),
        ...pod.containers
            .filter((c) => asObject(c.sc["windowsOptions"])?.["hostProcess"] === true)
            .map((c) => `${container(c)} sets securityContext.windowsOptions.hostProcess=true; remove it.`),
    ],
});

export const pssHostNamespaces = podPolicy("Host Namespaces", {
    name: "k8s-pss-host-namespaces",
    description: "no pod sets hostNetwork, hostPID or hostIPC to true.",
    check: (pod) =>
        ["hostNetwork", "hostPID", "hostIPC"]
            .filter((f) => pod.spec[f] === true)
            .map((f) => `${pod.path}.${f} is true; remove it: the pod would share the node's namespace.`),
});

export const pssPrivilegedContainers = podPolicy("Privileged Containers", {
    name: "k8s-pss-privileged-containers",
    description: "no container sets securityContext.privileged=true.",
    check: (pod) => pod.containers.filter((c) => c.sc["privileged"] === true).map((c) => `${container(c)} sets securityContext.privileged=true; remove it.`),
});

/** Baseline's allowed additions; restricted (checked here, it overrides baseline) allows only NET_BIND_SERVICE. */
export const BASELINE_CAPABILITIES = ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"];

export const pssCapabilities = podPolicy("Capabilities", {
    name: "k8s-pss-capabilities",
    description: "every container drops ALL capabilities and adds none but NET_BIND_SERVICE (restricted replaces baseline's list of allowed additions); Windows pods exempt.",
    check: (pod) =>
        pod.windows
            ? []
            : pod.containers.flatMap((c) => {
                  const caps = asObject(c.sc["capabilities"]) ?? {};
                  const drop = Array.isArray(caps["drop"]) ? caps["drop"] : [];
                  const add = Array.isArray(caps["add"]) ? caps["add"] : [];
                  const extra = add.filter((a) => a !== "NET_BIND_SERVICE");
                  return [
                      ...when(!drop.includes("ALL"), `${container(c)} does not drop ALL capabilities; set securityContext.capabilities.drop=["ALL"].`),
                      ...when(extra.length > 0, `${container(c)} adds ${str(extra)} in securityContext.capabilities.add${extra.some((a) => !BASELINE_CAPABILITIES.includes(String(a))) ? " (beyond even baseline's default set)" : ""}; add at most NET_BIND_SERVICE.`),
                  ];
              }),
});

const volumesOf = (pod: Pod) =>
    (Array.isArray(pod.spec["volumes"]) ? pod.spec["volumes"] : []).flatMap((v, i) => {
        const volume = asObject(v);
        return volume === undefined ? [] : [{ name: String(volume["name"] ?? `#${i}`), path: `${pod.path}.volumes[${i}]`, volume }];
    });

export const pssHostPathVolumes = podPolicy("HostPath Volumes", {
    name: "k8s-pss-hostpath-volumes",
    description: "no pod mounts a hostPath volume.",
    check: (pod) =>
        volumesOf(pod)
            .filter((v) => v.volume["hostPath"] !== undefined && v.volume["hostPath"] !== null)
            .map((v) => `volume "${v.name}" (${v.path}) is a hostPath of ${str(asObject(v.volume["hostPath"])?.["path"])}; use a persistentVolumeClaim, configMap, secret or emptyDir.`),
});

export const pssHostPorts = podPolicy("Host Ports", {
    name: "k8s-pss-host-ports",
    description: "no container port sets a hostPort other than 0.",
    check: (pod) =>
        pod.containers.flatMap((c) =>
            (Array.isArray(c.c["ports"]) ? c.c["ports"] : []).flatMap((p, i) => {
                const hostPort = asObject(p)?.["hostPort"];
                return hostPort === undefined || hostPort === null || hostPort === 0 ? [] : [`${container(c)} sets ports[${i}].hostPort=${str(hostPort)}; remove it and expose the port through a Service.`];
            }),
        ),
});

export const pssHostProbes = podPolicy("Host Probes / Lifecycle Hooks", {
    name: "k8s-pss-host-probes-lifecycle-hooks",
    description: "no probe or lifecycle handler (httpGet or tcpSocket) sets a host.",
    check: (pod) =>
        pod.containers.flatMap((c) => {
            const handlers: [string, unknown][] = [
                ...["livenessProbe", "readinessProbe", "startupProbe"].map((p): [string, unknown] => [p, c.c[p]]),
                ...["postStart", "preStop"].map((h): [string, unknown] => [`lifecycle.${h}`, asObject(c.c["lifecycle"])?.[h]]),
            ];
            return handlers.flatMap(([field, handler]) =>
                ["httpGet", "tcpSocket"].flatMap((action) => {
                    const host = asObject(asObject(handler)?.[action])?.["host"];
                    return typeof host === "string" && host !== "" ? [`${container(c)} sets ${field}.${action}.host=${str(host)}; remove it so the kubelet targets the pod's own IP.`] : [];
                }),
            );
        }),
});

const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";
const appArmorTypeOk = (profile: unknown) => {
    const type = asObject(profile)?.["type"];
    return profile === undefined || profile === null || type === "RuntimeDefault" || type === "Localhost";
};

export const pssAppArmor = podPolicy("AppArmor", {
    name: "k8s-pss-apparmor",
    description: "no pod or container sets an AppArmor profile other than RuntimeDefault or Localhost (field) or runtime/default or localhost/* (annotation).",
    check: (pod) => [
        ...when(!appArmorTypeOk(pod.sc["appArmorProfile"]), `${pod.path}.securityContext.appArmorProfile.type is ${str(asObject(pod.sc["appArmorProfile"])?.["type"])}; use RuntimeDefault or Localhost.`),
        ...pod.containers
            .filter((c) => !appArmorTypeOk(c.sc["appArmorProfile"]))
            .map((c) => `${container(c)} sets securityContext.appArmorProfile.type=${str(asObject(c.sc["appArmorProfile"])?.["type"])}; use RuntimeDefault or Localhost.`),
        ...Object.entries(asObject(pod.metadata["annotations"]) ?? {})
            .filter(([k, v]) => k.startsWith(APPARMOR_ANNOTATION) && !(v === "" || v === "runtime/default" || (typeof v === "string" && v.startsWith("localhost/"))))
            .map(([k, v]) => `pod template annotation ${k}=${str(v)}; use runtime/default or localhost/<profile>.`),
    ],
});

export const pssSELinux = podPolicy("SELinux", {
    name: "k8s-pss-selinux",
    description: "seLinuxOptions sets no user or role, and a type only among container_t, container_init_t, container_kvm_t (and container_engine_t from 1.31).",
    versioned: true,
    check: (pod, minor) => {
        const types = ["", "container_t", "container_init_t", "container_kvm_t", ...(minor >= 31 ? ["container_engine_t"] : [])];
        const bad = (where: string, options: unknown): string[] => {
            const o = asObject(options);
            if (o === undefined) return [];
            return [
                ...when(!types.includes(typeof o["type"] === "string" ? o["type"] : ""), `${where}.seLinuxOptions.type is ${str(o["type"])}; leave it unset or use one of ${str(types.filter(Boolean))}.`),
                ...["user", "role"].filter((f) => typeof o[f] === "string" && o[f] !== "").map((f) => `${where}.seLinuxOptions.${f} is ${str(o[f])}; remove it.`),
            ];
        };
        return [...bad(`${pod.path}.securityContext`, pod.sc["seLinuxOptions"]), ...pod.containers.flatMap((c) => bad(`${container(c)} securityContext`, c.sc["seLinuxOptions"]))];
    },
});

export const pssProcMount = podPolicy("/proc Mount Type", {
    name: "k8s-pss-proc-mount",
    description: "no container sets securityContext.procMount other than Default (restricted keeps this even in user namespaces).",
    check: (pod) =>
        pod.containers
            .filter((c) => c.sc["procMount"] !== undefined && c.sc["procMount"] !== null && c.sc["procMount"] !== "Default")
            .map((c) => `${container(c)} sets securityContext.procMount=${str(c.sc["procMount"])}; remove it (Default keeps /proc masked).`),
});

const seccompOk = (profile: unknown) => ["RuntimeDefault", "Localhost"].includes(String(asObject(profile)?.["type"]));

export const pssSeccomp = podPolicy("Seccomp", {
    name: "k8s-pss-seccomp",
    description: "the pod, or else every container, sets seccompProfile.type RuntimeDefault or Localhost, and none sets another type; Windows pods exempt.",
    check: (pod) => {
        if (pod.windows) return [];
        const podProfile = pod.sc["seccompProfile"];
        const podSet = podProfile !== undefined && podProfile !== null;
        return [
            ...when(podSet && !seccompOk(podProfile), `${pod.path}.securityContext.seccompProfile.type is ${str(asObject(podProfile)?.["type"])}; use RuntimeDefault or Localhost.`),
            ...pod.containers.flatMap((c) => {
                const profile = c.sc["seccompProfile"];
                if (profile !== undefined && profile !== null) return seccompOk(profile) ? [] : [`${container(c)} sets securityContext.seccompProfile.type=${str(asObject(profile)?.["type"])}; use RuntimeDefault or Localhost.`];
                return podSet && seccompOk(podProfile) ? [] : [`${container(c)} has no seccomp profile and the pod sets no valid one; set ${pod.path}.securityContext.seccompProfile.type=RuntimeDefault.`];
            }),
        ];
    },
});

/** The "safe" sysctls, by the minor version that allowed them (pod-security-admission check_sysctls.go). */
export const SAFE_SYSCTLS: readonly (readonly [number, readonly string[]])[] = [
    [0, ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"]],
    [27, ["net.ipv4.ip_local_reserved_ports"]],
    [29, ["net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"]],
    [32, ["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"]],
    [37, ["net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"]],
];

export const pssSysctls = podPolicy("Sysctls", {
    name: "k8s-pss-sysctls",
    description: "the pod sets only sysctls of the safe set for the clusters' Kubernetes version.",
    versioned: true,
    check: (pod, minor) => {
        const safe = SAFE_SYSCTLS.filter(([since]) => minor >= since).flatMap(([, names]) => names);
        const sysctls = Array.isArray(pod.sc["sysctls"]) ? pod.sc["sysctls"] : [];
        return sysctls
            .map((s, i) => [i, asObject(s)?.["name"]] as const)
            .filter(([, name]) => !safe.includes(String(name)))
            .map(([i, name]) => `${pod.path}.securityContext.sysctls[${i}] sets ${str(name)}, not a safe sysctl in Kubernetes 1.${minor}; remove it or tune the node instead.`);
    },
});

// ---------------------------------------------------------------------------------------------------
// Pod Security Standards, restricted-only controls.

/** Volume sources restricted allows; hostPath is reported by k8s-pss-hostpath-volumes, so one volume gives one finding. */
export const RESTRICTED_VOLUME_SOURCES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret"];

export const pssVolumeTypes = podPolicy("Volume Types", {
    name: "k8s-pss-volume-types",
    description: "every volume is a configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret (hostPath: see k8s-pss-hostpath-volumes).",
    check: (pod) =>
        volumesOf(pod).flatMap((v) => {
            // A volume with no source is defaulted to emptyDir by the API server.
            const sources = Object.keys(v.volume).filter((k) => k !== "name" && v.volume[k] !== undefined && v.volume[k] !== null);
            if (sources.some((s) => RESTRICTED_VOLUME_SOURCES.includes(s) || s === "hostPath")) return [];
            return sources.length === 0 ? [] : [`volume "${v.name}" (${v.path}) is of type ${str(sources[0])}; use a persistentVolumeClaim (or another of ${str(RESTRICTED_VOLUME_SOURCES)}).`];
        }),
});

export const pssPrivilegeEscalation = podPolicy("Privilege Escalation", {
    name: "k8s-pss-privilege-escalation",
    description: "every container sets securityContext.allowPrivilegeEscalation=false; Windows pods exempt.",
    check: (pod) =>
        pod.windows
            ? []
            : pod.containers
                  .filter((c) => c.sc["allowPrivilegeEscalation"] !== false)
                  .map((c) => `${container(c)} has securityContext.allowPrivilegeEscalation=${str(c.sc["allowPrivilegeEscalation"] ?? null)}; set it to false.`),
});

export const pssRunAsNonRoot = podPolicy("Running as Non-root", {
    name: "k8s-pss-running-as-non-root",
    description: "the pod, or else every container, sets runAsNonRoot=true and none sets it false (from 1.35, any value in a user namespace).",
    versioned: true,
    check: (pod, minor) => {
        if (minor >= 35 && pod.userNamespace) return [];
        const podValue = pod.sc["runAsNonRoot"];
        return [
            ...when(podValue === false, `${pod.path}.securityContext.runAsNonRoot is false; set it to true.`),
            ...pod.containers.flatMap((c) => {
                const value = c.sc["runAsNonRoot"];
                if (value === false) return [`${container(c)} sets securityContext.runAsNonRoot=false; set it to true.`];
                return value === true || podValue === true ? [] : [`${container(c)} sets no securityContext.runAsNonRoot and the pod does not set it true; set ${pod.path}.securityContext.runAsNonRoot=true (or the container's).`];
            }),
        ];
    },
});

export const pssRunAsNonRootUser = podPolicy("Running as Non-root user", {
    name: "k8s-pss-running-as-non-root-user",
    description: "neither the pod nor any container sets runAsUser=0 (from 1.35, any value in a user namespace).",
    versioned: true,
    check: (pod, minor) =>
        minor >= 35 && pod.userNamespace
            ? []
            : [
                  ...when(pod.sc["runAsUser"] === 0, `${pod.path}.securityContext.runAsUser is 0; run as a non-zero uid.`),
                  ...pod.containers.filter((c) => c.sc["runAsUser"] === 0).map((c) => `${container(c)} sets securityContext.runAsUser=0; run as a non-zero uid.`),
              ],
});

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
    description: "Every StatefulSet's pods are selected by a PodDisruptionBudget in the same cluster and namespace.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const budgets = args.resources.filter((r) => PDB_TYPES.includes(r.type));
        for (const set of args.resources.filter((r) => r.type === STATEFULSET)) {
            const labels = asObject(podOf(set.type, set.props)?.metadata["labels"]) ?? {};
            const where = `${clusterOf(set)}/${namespaceOf(set)}`;
            const covered = budgets.some((b) => `${clusterOf(b)}/${namespaceOf(b)}` === where && selects(asObject(b.props["spec"])?.["selector"], labels));
            if (!covered) {
                const name = String(asObject(set.props["metadata"])?.["name"] ?? set.name);
                report(`StatefulSet "${name}" (namespace "${namespaceOf(set)}"): no PodDisruptionBudget there selects its pod template labels ${str(labels)}; add one (maxUnavailable: 1) so a node drain cannot take its pods down with their peers.`, set.urn);
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

export const PSS_POLICIES: ResourceValidationPolicy[] = [
    pssHostProcess, pssHostNamespaces, pssPrivilegedContainers, pssCapabilities, pssHostPathVolumes, pssHostPorts, pssHostProbes, pssAppArmor,
    pssSELinux, pssProcMount, pssSeccomp, pssSysctls, pssVolumeTypes, pssPrivilegeEscalation, pssRunAsNonRoot, pssRunAsNonRootUser,
];

export const KUBERNETES_POLICIES: LedgerfleetPolicy[] = [
    ...PSS_POLICIES,
    readOnlyRootFilesystem, containerResources, imagePinned, containerProbes, noServiceAccountToken, namespacePodSecurity,
    statefulSetDisruptionBudget, namespaceNetworkPolicy,
];
