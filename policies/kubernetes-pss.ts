// The Pod Security Standards "restricted" profile, one policy per control (baseline controls included).
//
// The controls and their fields come from https://kubernetes.io/docs/concepts/security/pod-security-standards/
// (read 2026-11-25); the fine print the table leaves out (pod-level values inherited by containers,
// Windows pods exempt from three controls, user namespaces relaxing two from 1.35, the safe sysctls
// and SELinux types added by version) from the admission controller that enforces it,
// k8s.io/pod-security-admission policy/check_*.go at 8f84a87 (2026-07-01). A pod the namespace's
// `enforce: restricted` label would refuse, the pack refuses first, at preview.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asObject } from "./kube";
import { container, podPolicy, type Pod, str, when } from "./pod-policy";

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


export const PSS_POLICIES: ResourceValidationPolicy[] = [
    pssHostProcess, pssHostNamespaces, pssPrivilegedContainers, pssCapabilities, pssHostPathVolumes, pssHostPorts, pssHostProbes, pssAppArmor,
    pssSELinux, pssProcMount, pssSeccomp, pssSysctls, pssVolumeTypes, pssPrivilegeEscalation, pssRunAsNonRoot, pssRunAsNonRootUser,
];
