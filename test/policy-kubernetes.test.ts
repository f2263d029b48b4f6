// The Kubernetes policies: a compliant baseline of every workload kind passes them all; each policy,
// and only it, rejects the baseline with the one change its control forbids; the example networks pass.
import { beforeAll, describe, expect, it } from "vitest";
import { plan } from "../cli/plan";
import { harnessResources } from "../cli/policy";
import { type HarnessResource, type PolicyFinding, runPolicies } from "../policies/harness";
import { KUBERNETES_POLICIES, PSS_POLICIES } from "../policies/kubernetes";
import { WORKLOAD_TYPES } from "../policies/kube";

type Obj = Record<string, any>;
const DIGEST = `sha256:${"ab".repeat(32)}`;
const IMAGE = `hyperledger/besu:26.8.1@${DIGEST}`;
const PROVIDER = "urn:pulumi:test::ledgerfleet::pulumi:providers:kubernetes::fra-k8s";
const NS = "ledger";
const LABELS = { "app.kubernetes.io/name": "besu", "app.kubernetes.io/instance": "main-val-1" };

const hardened = () => ({
    runAsNonRoot: true,
    runAsUser: 1000,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
});
const requests = () => ({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "128Mi" } });

/** A pod spec every policy accepts: an init container, a serving container with probes, a sidecar without ports. */
function podSpec(): Obj {
    return {
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
        initContainers: [{ name: "init", image: IMAGE, resources: requests(), securityContext: hardened(), volumeMounts: [{ name: "tmp", mountPath: "/tmp" }] }],
        containers: [
            {
                name: "besu",
                image: IMAGE,
                ports: [{ name: "p2p", containerPort: 30303 }, { name: "metrics", containerPort: 9545 }],
                livenessProbe: { httpGet: { path: "/-/healthy", port: "metrics" } },
                readinessProbe: { tcpSocket: { port: "p2p" } },
                lifecycle: { preStop: { exec: { command: ["/bin/sleep", "5"] } } },
                resources: { requests: { cpu: "2", memory: "4Gi" }, limits: { memory: "4Gi" } },
                securityContext: hardened(),
            },
            { name: "peers-reload", image: IMAGE, resources: requests(), securityContext: hardened() },
        ],
        volumes: [
            { name: "data", persistentVolumeClaim: { claimName: "data" } },
            { name: "config", configMap: { name: "config" } },
            { name: "key", secret: { secretName: "key" } },
            { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
        ],
    };
}

const template = () => ({ metadata: { labels: { ...LABELS } }, spec: podSpec() });
const kindOf = (type: string) => type.split(":").pop()!;
const WORKLOADS: Record<string, () => Obj> = {
    "kubernetes:core/v1:Pod": () => ({ metadata: { labels: { ...LABELS } }, spec: podSpec() }),
    // Its own component label, which its own budget selects (see baseline).
    "kubernetes:apps/v1:Deployment": () => ({ spec: { selector: { matchLabels: LABELS }, template: { ...template(), metadata: { labels: { ...LABELS, "app.kubernetes.io/component": "web" } } } } }),
    "kubernetes:apps/v1:StatefulSet": () => ({ spec: { serviceName: "nodes", selector: { matchLabels: LABELS }, template: template() } }),
    "kubernetes:apps/v1:DaemonSet": () => ({ spec: { selector: { matchLabels: LABELS }, template: template() } }),
    "kubernetes:apps/v1:ReplicaSet": () => ({ spec: { selector: { matchLabels: LABELS }, template: template() } }),
    "kubernetes:batch/v1:Job": () => ({ spec: { template: template() } }),
    "kubernetes:batch/v1:CronJob": () => ({ spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: template() } } } }),
};

function resource(type: string, name: string, props: Obj): HarnessResource {
    const [, group, kind] = type.split(":");
    const apiVersion = group!.startsWith("core/") ? group!.slice(5) : group!;
    const metadata = { name, ...(kind === "Namespace" ? {} : { namespace: NS }), ...props["metadata"] };
    return { type, name: `fra-${name}`, urn: `urn:pulumi:test::ledgerfleet::${type}::fra-${name}`, provider: PROVIDER, props: { apiVersion, kind, ...props, metadata } };
}

/** The baseline: one of each workload kind, its namespace, a NetworkPolicy and PodDisruptionBudgets for the StatefulSet and the Deployment. */
function baseline(): HarnessResource[] {
    return [
        { type: "pulumi:providers:kubernetes", name: "fra-k8s", urn: PROVIDER, props: { context: "fra" } },
        resource("kubernetes:core/v1:Namespace", NS, { metadata: { labels: { "pod-security.kubernetes.io/enforce": "restricted" } } }),
        resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", "default-deny", { spec: { podSelector: {}, policyTypes: ["Ingress"] } }),
        resource("kubernetes:policy/v1:PodDisruptionBudget", "validators", { spec: { maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "besu" } } } }),
        ...WORKLOAD_TYPES.map((type) => resource(type, kindOf(type).toLowerCase(), WORKLOADS[type]!())),
        resource("kubernetes:policy/v1:PodDisruptionBudget", "web", { spec: { minAvailable: 1, selector: { matchLabels: { "app.kubernetes.io/component": "web" } } } }),
    ];
}

/** The pod spec and pod metadata inside a fixture (the same paths podOf reads). */
function podIn(r: HarnessResource): { spec: Obj; metadata: Obj } {
    const props = r.props as Obj;
    if (r.type === "kubernetes:core/v1:Pod") return { spec: props["spec"], metadata: props["metadata"] };
    const t = r.type === "kubernetes:batch/v1:CronJob" ? props["spec"].jobTemplate.spec.template : props["spec"].template;
    return { spec: t.spec, metadata: t.metadata };
}

function mutated(type: string, change: (spec: Obj, metadata: Obj) => void): { resources: HarnessResource[]; target: HarnessResource } {
    const resources = baseline();
    const target = resources.find((r) => r.type === type)!;
    const { spec, metadata } = podIn(target);
    change(spec, metadata);
    return { resources, target };
}

const summary = (findings: PolicyFinding[]) => findings.map((f) => `${f.policy}: ${f.message}`);
const besu = (s: Obj) => s["containers"][0];
const init = (s: Obj) => s["initContainers"][0];

/** One change per policy that breaks exactly its rule; `field` is a fragment its message must name. */
const POD_CASES: [policy: string, field: string, change: (s: Obj, m: Obj) => void][] = [
    ["k8s-pss-host-process", "windowsOptions.hostProcess", (s) => (s["securityContext"].windowsOptions = { hostProcess: true })],
    ["k8s-pss-host-namespaces", "hostPID", (s) => (s["hostPID"] = true)],
    ["k8s-pss-privileged-containers", 'container "besu"', (s) => (besu(s).securityContext.privileged = true)],
    ["k8s-pss-capabilities", '["NET_RAW"]', (s) => (besu(s).securityContext.capabilities.add = ["NET_RAW"])],
    ["k8s-pss-capabilities", 'container "init"', (s) => (init(s).securityContext.capabilities = { drop: ["NET_RAW"] })],
    ["k8s-pss-hostpath-volumes", '"/var/run"', (s) => s["volumes"].push({ name: "host", hostPath: { path: "/var/run" } })],
    ["k8s-pss-host-ports", "hostPort=30303", (s) => (besu(s).ports[0].hostPort = 30303)],
    ["k8s-pss-host-probes-lifecycle-hooks", 'livenessProbe.httpGet.host="10.0.0.1"', (s) => (besu(s).livenessProbe.httpGet.host = "10.0.0.1")],
    ["k8s-pss-host-probes-lifecycle-hooks", "lifecycle.postStart.tcpSocket.host", (s) => (besu(s).lifecycle.postStart = { tcpSocket: { port: 80, host: "node" } })],
    ["k8s-pss-apparmor", '"Unconfined"', (s) => (besu(s).securityContext.appArmorProfile = { type: "Unconfined" })],
    ["k8s-pss-apparmor", "container.apparmor.security.beta.kubernetes.io/besu", (_s, m) => (m["annotations"] = { "container.apparmor.security.beta.kubernetes.io/besu": "unconfined" })],
    ["k8s-pss-selinux", '"spc_t"', (s) => (s["securityContext"].seLinuxOptions = { type: "spc_t" })],
    ["k8s-pss-selinux", "seLinuxOptions.user", (s) => (init(s).securityContext.seLinuxOptions = { user: "system_u" })],
    ["k8s-pss-proc-mount", '"Unmasked"', (s) => (besu(s).securityContext.procMount = "Unmasked")],
    ["k8s-pss-seccomp", '"Unconfined"', (s) => (s["securityContext"].seccompProfile = { type: "Unconfined" })],
    ["k8s-pss-seccomp", "no seccomp profile", (s) => delete s["securityContext"].seccompProfile],
    ["k8s-pss-sysctls", '"kernel.msgmax"', (s) => (s["securityContext"].sysctls = [{ name: "net.ipv4.tcp_syncookies", value: "1" }, { name: "kernel.msgmax", value: "65536" }])],
    ["k8s-pss-volume-types", '"nfs"', (s) => s["volumes"].push({ name: "shared", nfs: { server: "nas", path: "/" } })],
    ["k8s-pss-privilege-escalation", 'container "peers-reload"', (s) => delete s["containers"][1].securityContext.allowPrivilegeEscalation],
    ["k8s-pss-running-as-non-root", "runAsNonRoot is false", (s) => (s["securityContext"].runAsNonRoot = false)],
    ["k8s-pss-running-as-non-root", "sets no securityContext.runAsNonRoot", (s) => { delete s["securityContext"].runAsNonRoot; for (const c of [...s["initContainers"], ...s["containers"]]) delete c.securityContext.runAsNonRoot; }],
    ["k8s-pss-running-as-non-root-user", "runAsUser=0", (s) => (besu(s).securityContext.runAsUser = 0)],
    ["k8s-read-only-root-filesystem", 'container "init"', (s) => (init(s).securityContext.readOnlyRootFilesystem = false)],
    ["k8s-container-resources", "resources.limits.memory", (s) => delete besu(s).resources.limits],
    ["k8s-container-resources", "resources.requests.cpu", (s) => delete init(s).resources.requests.cpu],
    ["k8s-image-pinned-by-digest", "not pinned by digest", (s) => (besu(s).image = "hyperledger/besu:26.8.1")],
    ["k8s-image-pinned-by-digest", "latest tag", (s) => (besu(s).image = `hyperledger/besu:latest@${DIGEST}`)],
    ["k8s-container-probes", "readinessProbe", (s) => delete besu(s).readinessProbe],
    ["k8s-no-service-account-token", "automountServiceAccountToken", (s) => delete s["automountServiceAccountToken"]],
];

describe("Kubernetes policies on fixtures", () => {
    it("pass a compliant workload of every kind, its namespace, NetworkPolicy and disruption budget", async () => {
        expect(summary(await runPolicies(KUBERNETES_POLICIES, baseline()))).toEqual([]);
    });

    it("cover every Pod Security Standards control and every extra rule with a failing case", () => {
        const tested = new Set([...POD_CASES.map(([p]) => p), "k8s-namespace-pod-security-restricted", "k8s-statefulset-disruption-budget", "k8s-namespace-network-policy"]);
        expect(KUBERNETES_POLICIES.map((p) => p.name).filter((n) => !tested.has(n))).toEqual([]);
        expect(PSS_POLICIES).toHaveLength(16);
        for (const p of PSS_POLICIES) expect(p.description).toMatch(/^Pod Security Standards, restricted: /);
        for (const p of KUBERNETES_POLICIES) expect(p.enforcementLevel).toBe("mandatory");
    });

    describe.each(WORKLOAD_TYPES.map((t) => [kindOf(t), t]))("in a %s", (_kind, type) => {
        it.each(POD_CASES)("%s alone rejects the pod (%s)", async (policy, field, change) => {
            const { resources, target } = mutated(type, change);
            const findings = await runPolicies(KUBERNETES_POLICIES, resources);
            expect(findings.length).toBeGreaterThan(0);
            for (const f of findings) {
                expect(f, summary(findings).join("\n")).toMatchObject({ policy, urn: target.urn, enforcementLevel: "mandatory" });
                expect(f.message).toContain(`${kindOf(type)} "${(target.props["metadata"] as Obj)["name"]}"`);
            }
            expect(findings.some((f) => f.message.includes(field)), summary(findings).join("\n")).toBe(true);
            if (policy.startsWith("k8s-pss-")) for (const f of findings) expect(f.message).toMatch(/^Pod Security Standards, restricted: /);
        });
    });

    it.each([
        ["k8s-namespace-pod-security-restricted", "a Namespace enforcing only baseline", (rs: HarnessResource[]) => {
            (rs[1]!.props["metadata"] as Obj)["labels"]["pod-security.kubernetes.io/enforce"] = "baseline";
            return rs[1]!;
        }],
        ["k8s-namespace-network-policy", "a Namespace whose only NetworkPolicy is in another cluster", (rs: HarnessResource[]) => {
            const ams = "urn:pulumi:test::ledgerfleet::pulumi:providers:kubernetes::ams-k8s";
            rs.push({ type: "pulumi:providers:kubernetes", name: "ams-k8s", urn: ams, props: { context: "ams" } });
            rs[2]!.provider = ams;
            return rs[1]!;
        }],
        ["k8s-statefulset-disruption-budget", "a StatefulSet whose budget selects other pods", (rs: HarnessResource[]) => {
            (rs[3]!.props["spec"] as Obj)["selector"] = { matchLabels: { "app.kubernetes.io/name": "besu" }, matchExpressions: [{ key: "ledgerfleet.io/role", operator: "Exists" }] };
            return rs.find((r) => r.type === "kubernetes:apps/v1:StatefulSet")!;
        }],
        ["k8s-statefulset-disruption-budget", "a StatefulSet whose budget is in another namespace", (rs: HarnessResource[]) => {
            (rs[3]!.props["metadata"] as Obj)["namespace"] = "other";
            return rs.find((r) => r.type === "kubernetes:apps/v1:StatefulSet")!;
        }],
        ["k8s-statefulset-disruption-budget", "a Deployment no budget selects", (rs: HarnessResource[]) => {
            const deployment = rs.find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
            podIn(deployment).metadata["labels"] = { "app.kubernetes.io/name": "ledgerfleet-scheduler" };
            return deployment;
        }],
    ])("%s alone rejects %s", async (policy, _what, change) => {
        const resources = baseline();
        const target = change(resources);
        const findings = await runPolicies(KUBERNETES_POLICIES, resources);
        expect(findings.length, summary(findings).join("\n")).toBe(1);
        expect(findings[0]).toMatchObject({ policy, urn: target.urn, enforcementLevel: "mandatory" });
        expect(findings[0]!.message).toContain(`"${(target.props["metadata"] as Obj)["name"]}"`);
    });
});

describe("Pod Security Standards details", () => {
    const statefulSet = "kubernetes:apps/v1:StatefulSet";
    const pss = async (change: (s: Obj, m: Obj) => void, config = {}) => summary(await runPolicies(PSS_POLICIES, mutated(statefulSet, change).resources, config));

    it("accept container-level seccomp and runAsNonRoot when the pod sets neither", async () => {
        expect(await pss((s) => {
            delete s["securityContext"].seccompProfile;
            delete s["securityContext"].runAsNonRoot;
            for (const c of [...s["initContainers"], ...s["containers"]]) c.securityContext.seccompProfile = { type: "Localhost", localhostProfile: "besu.json" };
        })).toEqual([]);
    });

    it("reject a container that overrides a valid pod-level seccomp profile with Unconfined", async () => {
        expect(await pss((s) => (besu(s).securityContext.seccompProfile = { type: "Unconfined" }))).toEqual([expect.stringMatching(/^k8s-pss-seccomp: .*container "besu".*"Unconfined"/)]);
    });

    it("exempt Windows pods from privilege escalation, capabilities and seccomp, as the admission controller does", async () => {
        expect(await pss((s) => {
            s["os"] = { name: "windows" };
            delete s["securityContext"].seccompProfile;
            for (const c of s["containers"]) { delete c.securityContext.allowPrivilegeEscalation; delete c.securityContext.capabilities; }
        })).toEqual([]);
    });

    it("relax the non-root rules for pods in a user namespace from Kubernetes 1.35 only", async () => {
        const rootInUserNamespace = (s: Obj) => {
            s["hostUsers"] = false;
            s["securityContext"].runAsUser = 0;
            s["securityContext"].runAsNonRoot = false;
            for (const c of [...s["initContainers"], ...s["containers"]]) { delete c.securityContext.runAsUser; delete c.securityContext.runAsNonRoot; }
        };
        expect(await pss(rootInUserNamespace)).toEqual([]);
        const older = await pss(rootInUserNamespace, { "k8s-pss-running-as-non-root": { kubernetesVersion: "1.34" }, "k8s-pss-running-as-non-root-user": { kubernetesVersion: "1.34" } });
        expect(new Set(older.map((f) => f.split(":")[0]))).toEqual(new Set(["k8s-pss-running-as-non-root", "k8s-pss-running-as-non-root-user"]));
    });

    it("allow the safe sysctls of the configured Kubernetes version", async () => {
        const rmem = (s: Obj) => (s["securityContext"].sysctls = [{ name: "net.ipv4.tcp_rmem", value: "4096 87380 6291456" }]);
        expect(await pss(rmem)).toEqual([]);
        expect(await pss(rmem, { "k8s-pss-sysctls": { kubernetesVersion: "1.31" } })).toEqual([expect.stringContaining('"net.ipv4.tcp_rmem", not a safe sysctl in Kubernetes 1.31')]);
        // A bad parameter fails the policy on every workload (mandatory), never passes it.
        const misconfigured = await pss(rmem, { "k8s-pss-sysctls": { kubernetesVersion: "latest" } });
        expect(misconfigured.length).toBe(WORKLOAD_TYPES.length);
        for (const f of misconfigured) expect(f).toMatch(/^k8s-pss-sysctls: the policy failed on this resource: kubernetesVersion must be/);
    });

    it("accept a volume with no source (the API server makes it an emptyDir) and NET_BIND_SERVICE", async () => {
        expect(await pss((s) => { s["volumes"].push({ name: "scratch" }); besu(s).securityContext.capabilities.add = ["NET_BIND_SERVICE"]; })).toEqual([]);
    });
});

describe("Kubernetes policies on the example networks", () => {
    const resources: Record<string, HarnessResource[]> = {};
    beforeAll(async () => {
        for (const stack of ["dev", "atlas"]) {
            const p = await plan({ stack });
            // The registrations as the policy server sees them (secrets unwrapped), as the plan itself maps them.
            resources[stack] = harnessResources(p.mocks.registrations);
        }
    });

    it.each(["dev", "atlas"])("the %s stack's ledger pods, namespaces and budgets comply with every Kubernetes policy", async (stack) => {
        const all = resources[stack]!;
        // The check is not vacuous: the example has StatefulSets and Namespaces in several clusters.
        expect(all.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet").length).toBeGreaterThan(5);
        expect(new Set(all.filter((r) => r.type === "kubernetes:core/v1:Namespace").map((r) => r.provider)).size).toBeGreaterThan(1);
        expect(summary(await runPolicies(KUBERNETES_POLICIES, all))).toEqual([]);
    });
});
