// The scheduler's chart and generated config, without Pulumi: what each region's scheduler serves and
// where it sends it, what the loader refuses, how key hashes are checked, and objects that Kubernetes,
// the policy pack and the ledgers' RPC NetworkPolicy accept.
import * as path from "node:path";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { SCHEDULER_COMPONENT, schedulerNamespace } from "../charts/kube";
import { ledgerAccess } from "../charts/ledger-access";
import { SCHEDULER_SELECTOR, schedulerChart, type SchedulerChartValues } from "../charts/scheduler";
import {
    keysYaml,
    ledgerUpstreams,
    schedulerConfig,
    schedulerConfigYaml,
    tenantKeyHashProblems,
    tenantsWithoutKeys,
} from "../charts/scheduler-config";
import { parseNetworkText } from "../config/load";
import type { NetworkConfig } from "../config/schema";
import { type HarnessResource, runPolicies } from "../policies/harness";
import { KUBERNETES_POLICIES, selects } from "../policies/kubernetes";
import { kubeTypeToken } from "../policies/kube";
import { configError, networkWith, tempDir } from "./fixtures/config/network";
import { removeTempDirs } from "./fixtures/temp-dirs";
import { validateKubeObject } from "./helpers/kube-schema";

afterAll(removeTempDirs);

type Obj = Record<string, any>;
const IMAGE = `registry.example/ledgerfleet/scheduler:0.1.0@sha256:${"ab".repeat(32)}`;
const HASH = (c: string) => c.repeat(64);

/** BASE_NETWORK (fra: val-1, val-2, rpc-1 at rpcAddress 10.0.0.17; ams: val-3, val-4) with three tenants. */
function load(replacements: Record<number, string> = {}): NetworkConfig {
    return parseNetworkText(
        networkWith({
            19: [
                "  - { id: loyalty, ledger: main, tps: 10 }",
                "  - { id: payments, ledger: main, tps: 2, rps: 30, weight: 3 }",
                "  - { id: audit, ledger: main, tps: 1, methods: { allow: [debug_traceTransaction] } }",
            ].join("\n"),
            ...replacements,
        }),
        path.join(tempDir(), "network.yaml"),
    );
}

function values(overrides: Partial<SchedulerChartValues> = {}): SchedulerChartValues {
    return { network: "atlas", region: "fra", namespace: schedulerNamespace("atlas"), monitoringNamespace: "monitoring", image: IMAGE, replicas: 2, configYaml: "listen: {}\n", keysYaml: "loyalty: x\n", ...overrides };
}

const find = (objects: Obj[], kind: string) => {
    const found = objects.find((o) => o["kind"] === kind);
    if (found === undefined) throw new Error(`no ${kind}`);
    return found;
};

describe("the generated scheduler config", () => {
    it("sends a region's requests to the ledger's RPC nodes in its own cluster, by their in-cluster Service names", () => {
        const config = schedulerConfig(load(), "fra");
        expect(config?.ledgers).toEqual({ main: { upstreams: ["http://rpc-1-rpc.atlas-main.svc:8545"], health: "besu" } });
    });

    it("from an existing cluster without one, to the other regions' RPC nodes at their rpcAddress", () => {
        expect(schedulerConfig(load(), "ams")?.ledgers["main"]?.upstreams).toEqual(["http://10.0.0.17:8545"]);
        const v6 = load({ 17: "      - { name: rpc-1, role: rpc, region: fra, address: 198.51.100.17, rpcAddress: \"fd00::17\" }" });
        expect(ledgerUpstreams(v6, "ams", "main")).toEqual(["http://[fd00::17]:8545"]);
    });

    it("from a cloud region, never to another cluster: a ledger with no RPC node there serves no tenant there", () => {
        const network = load();
        const withCloud: NetworkConfig = { ...network, regions: { ...network.regions, "aws-fra": { cloud: "aws", region: "eu-central-1", vpcCidr: "10.0.0.0/16" } } };
        expect(ledgerUpstreams(withCloud, "aws-fra", "main")).toEqual([]);
        expect(schedulerConfig(withCloud, "aws-fra")).toBeUndefined();
    });

    it("lists every tenant it reaches in the service's format, with rps defaulted as the network file says", () => {
        const config = schedulerConfig(load(), "fra")!;
        expect(config.tenants).toEqual([
            { id: "loyalty", ledger: "main", rps: 100, tps: 10, weight: 1 },
            { id: "payments", ledger: "main", rps: 30, tps: 2, weight: 3 },
            { id: "audit", ledger: "main", rps: 50, tps: 1, weight: 1, methods: { allow: ["debug_traceTransaction"] } },
        ]);
        expect(config.listen).toEqual({ host: "0.0.0.0", port: 8080 });
        expect(config.keys).toEqual({ file: "/etc/ledgerfleet/keys/keys.yaml" });
        expect(config.replicas).toBe(2);
        expect(parse(schedulerConfigYaml(config))).toEqual(config);
    });

    it("leaves out a tenant without a key (the service refuses to start on one), but keeps its ledger ready for it", () => {
        const config = schedulerConfig(load(), "fra", new Set(["payments"]))!;
        expect(config.tenants.map((t) => t.id)).toEqual(["payments"]);
        expect(Object.keys(config.ledgers)).toEqual(["main"]);
    });

    it("is undefined for a region whose scheduler would serve nobody", () => {
        expect(schedulerConfig(load({ 18: "tenants: []", 19: "" }), "fra")).toBeUndefined();
    });

    it("puts in keys.yaml the hash of each tenant the config lists, and no other", () => {
        const config = schedulerConfig(load(), "fra", new Set(["loyalty", "payments"]))!;
        const keys = keysYaml(config, { loyalty: HASH("a"), payments: HASH("1"), audit: HASH("c") });
        // An all-digit hash stays a string in YAML, as the service reads it.
        expect(parse(keys)).toEqual({ loyalty: HASH("a"), payments: HASH("1") });
    });

    it("names the tenants no scheduler lets in yet, for the summary", () => {
        expect(tenantsWithoutKeys(load(), { loyalty: HASH("a") })).toEqual(["payments", "audit"]);
        expect(tenantsWithoutKeys(load(), undefined)).toEqual(["loyalty", "payments", "audit"]);
    });
});

describe("ledgerfleet:tenantKeyHashes", () => {
    const network = load();

    it("accepts 64 lower-case hex digits per tenant, and an offline plan's placeholder for an encrypted one", () => {
        expect(tenantKeyHashProblems(network, { loyalty: HASH("a"), payments: "[placeholder]" }, "[placeholder]")).toEqual([]);
        expect(tenantKeyHashProblems(network, undefined)).toEqual([]);
    });

    it("refuses a malformed hash naming the tenant and the command, never showing the value", () => {
        const secret = HASH("A");
        const [problem, ...rest] = tenantKeyHashProblems(network, { loyalty: secret });
        expect(rest).toEqual([]);
        expect(problem).toContain("ledgerfleet:tenantKeyHashes.loyalty must be the SHA-256 of tenant loyalty's key as 64 lower-case hex digits, found 64 characters with upper-case hex (write it in lower case)");
        expect(problem).toContain("pulumi config set --secret --path 'ledgerfleet:tenantKeyHashes.loyalty' <hash>");
        expect(problem).not.toContain(secret);
        expect(tenantKeyHashProblems(network, { payments: "abc" })[0]).toContain("found 3 characters");
    });

    it("refuses a hash for a tenant the network file does not define, and one key shared by two tenants", () => {
        expect(tenantKeyHashProblems(network, { loyality: HASH("a") })).toEqual([expect.stringContaining("has a key hash for tenant 'loyality', which the network file does not define (its tenants: loyalty, payments, audit)")]);
        expect(tenantKeyHashProblems(network, { loyalty: HASH("b"), payments: HASH("b") })).toEqual([expect.stringContaining("tenants loyalty and payments have the same key hash")]);
    });
});

describe("what the loader says about the scheduler block", () => {
    it("tenants without a scheduler block: build the image and name it", () => {
        const err = configError(() => parseNetworkText(networkWith({ 20: "" }), path.join(tempDir(), "network.yaml")));
        expect(err.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
            "scheduler: tenants need the scheduler: build scheduler/Dockerfile, push it, and set scheduler.image to it pinned by digest",
        ]);
    });

    it("an autoscaler ceiling below the floor", () => {
        const err = configError(() => load({ 20: `scheduler: { image: "${IMAGE}", replicas: 3, maxReplicas: 2 }` }));
        expect(err.problems).toEqual([expect.objectContaining({ path: "scheduler.maxReplicas", line: 22 })]);
        expect(err.problems[0]?.message).toContain("expected maxReplicas at least replicas (3), found 2");
    });

    it("a ledger named so that its namespace is the scheduler's", () => {
        const err = configError(() => load({ 7: "  scheduler:" }));
        expect(err.problems.map((p) => p.message)).toContain("ledger 'scheduler' would live in namespace atlas-scheduler, which is the scheduler's: rename the ledger");
    });
});

describe("the scheduler chart", () => {
    const objects = schedulerChart(values()) as Obj[];

    it("renders objects Kubernetes accepts, all in the scheduler's own namespace", () => {
        expect(objects.map((o) => o["kind"])).toEqual(["Namespace", "ConfigMap", "Secret", "Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "NetworkPolicy", "NetworkPolicy"]);
        for (const o of objects) validateKubeObject(o);
        for (const o of objects.slice(1)) expect(o["metadata"].namespace).toBe("atlas-scheduler");
        expect(find(objects, "Namespace")["metadata"].labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    });

    it("passes every Kubernetes policy of the pack", async () => {
        const provider = "urn:pulumi:test::ledgerfleet::pulumi:providers:kubernetes::fra";
        const resources: HarnessResource[] = [
            { type: "pulumi:providers:kubernetes", name: "fra", urn: provider, props: {} },
            ...objects.map((o, i) => ({ type: kubeTypeToken(o["apiVersion"], o["kind"]), name: `o${i}`, urn: `urn:o${i}`, provider, props: o })),
        ];
        expect(await runPolicies(KUBERNETES_POLICIES, resources)).toEqual([]);
    });

    it("runs at least two restricted, non-root replicas with probes, requests and a memory limit, spread over zones", () => {
        const deployment = find(objects, "Deployment");
        expect(deployment["spec"].replicas).toBe(2);
        const pod = deployment["spec"].template.spec;
        const [container] = pod.containers;
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } });
        expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
        // On the admin port, which tenants cannot reach (and where /metrics is).
        expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "admin" });
        expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "admin" });
        expect(container.resources).toEqual({ requests: { cpu: "500m", memory: "256Mi" }, limits: { memory: "256Mi" } });
        expect(pod.topologySpreadConstraints.map((c: Obj) => c["topologyKey"])).toContain("topology.kubernetes.io/zone");
        expect(schedulerChart(values({ resources: { memory: "1Gi" } }))[3]!["spec"]).toMatchObject({ template: { spec: { containers: [{ resources: { limits: { memory: "1Gi" } } }] } } });
    });

    it("mounts the config and the keys as one updatable folder at the paths the config names, and never restarts pods for a tenant change", () => {
        const deployment = find(objects, "Deployment");
        const pod = deployment["spec"].template.spec;
        const mount = pod.containers[0].volumeMounts.find((m: Obj) => m["name"] === "config");
        expect(mount).toEqual({ name: "config", mountPath: "/etc/ledgerfleet", readOnly: true });
        const sources = pod.volumes.find((v: Obj) => v["name"] === "config").projected.sources;
        expect(sources).toEqual([
            { configMap: { name: "scheduler-config", items: [{ key: "scheduler.yaml", path: "scheduler.yaml" }] } },
            { secret: { name: "scheduler-keys", items: [{ key: "keys.yaml", path: "keys/keys.yaml" }] } },
        ]);
        // Same objects whatever the tenant table: the pod template does not change with it.
        const other = schedulerChart(values({ configYaml: "tenants: [other]\n", keysYaml: "other: y\n" })) as Obj[];
        expect(find(other, "Deployment")).toEqual(deployment);
        expect(find(other, "ConfigMap")["data"]).toEqual({ "scheduler.yaml": "tenants: [other]\n" });
        expect(find(other, "Secret")["stringData"]).toEqual({ "keys.yaml": "other: y\n" });
    });

    it("keeps a replica through drains, and scales on CPU between replicas and maxReplicas", () => {
        const labels = find(objects, "Deployment")["spec"].template.metadata.labels;
        const budget = find(objects, "PodDisruptionBudget");
        expect(budget["spec"].minAvailable).toBe(1);
        expect(selects(budget["spec"].selector, labels)).toBe(true);
        expect(find(objects, "HorizontalPodAutoscaler")["spec"]).toMatchObject({ scaleTargetRef: { kind: "Deployment", name: "scheduler" }, minReplicas: 2, maxReplicas: 4 });
        expect(find(schedulerChart(values({ replicas: 3, maxReplicas: 9 })) as Obj[], "HorizontalPodAutoscaler")["spec"]).toMatchObject({ minReplicas: 3, maxReplicas: 9 });
        expect(() => schedulerChart(values({ replicas: 1 }))).toThrow(/replicas must be a whole number of at least 2/);
        expect(() => schedulerChart(values({ replicas: 3, maxReplicas: 2 }))).toThrow(/maxReplicas must be a whole number no lower than replicas \(3\), got 2/);
    });

    it("serves on a ClusterIP Service, and denies every other port of its namespace", () => {
        const service = find(objects, "Service");
        expect(service["spec"]).toMatchObject({ type: "ClusterIP", selector: SCHEDULER_SELECTOR, ports: [{ port: 8080, targetPort: "http" }] });
        const policies = objects.filter((o) => o["kind"] === "NetworkPolicy");
        expect(policies[0]!["spec"]).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
        expect(policies[1]!["spec"].ingress).toEqual([
            { ports: [{ protocol: "TCP", port: 8080 }] },
            { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 9090 }] },
        ]);
    });

    it("has pods the ledgers' RPC NetworkPolicy admits, and only those of the scheduler's namespace", () => {
        const rpc = ledgerAccess({ network: "atlas", ledger: "main", region: "fra", namespace: "atlas-main", roles: ["rpc"], peerSources: [], schedulerSources: [], monitoringNamespace: "monitoring" })
            .find((o) => o.kind === "NetworkPolicy") as Obj;
        const rule = rpc["spec"].ingress.find((r: Obj) => r["ports"][0].port === 8545);
        const podLabels = find(objects, "Deployment")["spec"].template.metadata.labels;
        expect(podLabels["app.kubernetes.io/component"]).toBe(SCHEDULER_COMPONENT);
        // The API server labels every namespace with its own name.
        const admits = (namespace: string) =>
            rule.from.some((f: Obj) => selects(f["namespaceSelector"], { "kubernetes.io/metadata.name": namespace }) && selects(f["podSelector"], podLabels));
        expect(admits(find(objects, "Namespace")["metadata"].name)).toBe(true);
        expect(admits("default")).toBe(false);
    });
});
