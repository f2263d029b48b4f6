// The example network's schedulers, planned offline as `ledgerfleet plan` does, with tenant key hashes
// in the stack config: a scheduler in every region that serves a tenant, a config that names the RPC
// Services that region really has, RPC NetworkPolicies that admit it, and no hash anywhere in the output.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schedulerNamespace } from "../charts/kube";
import { rpcServiceUrl, type ServiceConfig, tenantLedger, tenantsWithoutKeys } from "../charts/scheduler-config";
import { loadNetworkFile } from "../config/load";
import { ledgerNamespaceName } from "../config/names";
import type { NetworkConfig } from "../config/schema";
import { isSecretValue } from "../cli/mocks";
import { type Plan, plan, ProgramError, writePlan } from "../cli/plan";
import { selects } from "../policies/kubernetes";
import { BASE_NETWORK } from "./fixtures/config/network";
import { makeTempDir, removeTempDirs } from "./fixtures/temp-dirs";
import { validateKubeObject } from "./helpers/kube-schema";

type Obj = Record<string, any>;
const MERIDIAN = path.join(__dirname, "..", "stacks", "networks", "meridian.yaml");
const hashOf = (tenant: string) => createHash("sha256").update(`plan-scheduler test key of ${tenant}`).digest("hex");

let network: NetworkConfig;
let hashes: Record<string, string>;
/** The one tenant the stack config gives no key. */
let keyless: string;
let result: Plan;
let out: string;

function stackFile(networkFile: string, keyHashes: Record<string, string>): string {
    return stringify({ config: { "ledgerfleet:network": networkFile, "ledgerfleet:deploy": "all", "ledgerfleet:tenantKeyHashes": keyHashes } });
}

function manifest(region: string, namespace: string, file: string): Obj {
    return parse(fs.readFileSync(path.join(out, "manifests", region, namespace, file), "utf8")) as Obj;
}

function filesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** Regions where some tenant's ledger has an RPC node: each must run a scheduler. */
function regionsWithTenantRpc(): string[] {
    const ledgers = new Set(network.tenants.map(tenantLedger));
    return Object.keys(network.regions).filter((r) => [...ledgers].some((l) => network.ledgers[l]?.nodes.some((n) => n.role === "rpc" && n.region === r)));
}

const schedulerNs = () => schedulerNamespace(network.name);
const configOf = (region: string): ServiceConfig => parse(manifest(region, schedulerNs(), "ConfigMap-scheduler-config.yaml")["data"]["scheduler.yaml"]) as ServiceConfig;

beforeAll(async () => {
    network = loadNetworkFile(MERIDIAN);
    keyless = [...network.tenants].reverse().find((t) => t.ledger !== undefined)!.id;
    hashes = Object.fromEntries(network.tenants.filter((t) => t.id !== keyless).map((t) => [t.id, hashOf(t.id)]));
    const dir = makeTempDir("plan-scheduler");
    // Written in plain here; the program reads them as a secret all the same (getSecretObject).
    fs.writeFileSync(path.join(dir, "Pulumi.sched.yaml"), stackFile(MERIDIAN, hashes));
    result = await plan({ stack: "sched", stacksDir: dir });
    out = path.join(dir, "out");
    writePlan(result, out);
}, 60_000);
afterAll(removeTempDirs);

describe("the example network's schedulers", () => {
    it("run in every region with RPC nodes of a tenant's ledger: at least two replicas, a budget, an autoscaler, a Service, the config and the keys", () => {
        const regions = regionsWithTenantRpc();
        expect(regions.length).toBeGreaterThanOrEqual(4);
        for (const region of regions) {
            const deployment = manifest(region, schedulerNs(), "Deployment-scheduler.yaml");
            expect(deployment["spec"].replicas).toBeGreaterThanOrEqual(2);
            expect(manifest(region, schedulerNs(), "HorizontalPodAutoscaler-scheduler.yaml")["spec"].minReplicas).toBeGreaterThanOrEqual(2);
            for (const file of ["PodDisruptionBudget-scheduler.yaml", "Service-scheduler.yaml", "ConfigMap-scheduler-config.yaml", "Secret-scheduler-keys.yaml"]) {
                expect(fs.existsSync(path.join(out, "manifests", region, schedulerNs(), file)), `${region}/${file}`).toBe(true);
            }
        }
        const components = result.mocks.ofType("ledgerfleet:index:Scheduler");
        expect(components.length).toBeGreaterThanOrEqual(regions.length);
        // On the region's own Kubernetes provider, like the ledger objects.
        for (const r of result.mocks.registrations.filter((r) => r.type.startsWith("kubernetes:") && r.urn.includes("ledgerfleet:index:Scheduler"))) {
            expect(r.provider, r.urn).toMatch(/pulumi:providers:kubernetes::/);
        }
    });

    it("list every tenant with a key and its ledger, sent to that ledger's RPC Services in the region, which exist there", () => {
        for (const region of regionsWithTenantRpc()) {
            const config = configOf(region);
            const expected = network.tenants.filter((t) => t.id !== keyless && network.ledgers[tenantLedger(t)]?.nodes.some((n) => n.role === "rpc" && n.region === region));
            expect(config.tenants.map((t) => [t.id, t.ledger])).toEqual(expected.map((t) => [t.id, tenantLedger(t)]));
            for (const [ledger, { upstreams }] of Object.entries(config.ledgers)) {
                const rpcHere = network.ledgers[ledger]!.nodes.filter((n) => n.role === "rpc" && n.region === region);
                expect(upstreams).toEqual(rpcHere.map((n) => rpcServiceUrl(network.name, ledger, n.name)));
                for (const node of rpcHere) {
                    expect(manifest(region, ledgerNamespaceName(network.name, ledger), `Service-${node.name}-rpc.yaml`)["spec"].ports[0].port).toBe(8545);
                }
            }
        }
    });

    it("leave out the tenant without a key, which the summary's helper names", () => {
        for (const region of regionsWithTenantRpc()) expect(configOf(region).tenants.map((t) => t.id)).not.toContain(keyless);
        expect(tenantsWithoutKeys(network, hashes)).toEqual([keyless]);
    });

    it("never show a key hash: not in plan.json, policy.json, any manifest or the summary, and the Secret's data is a secret to Pulumi", () => {
        const files = filesUnder(out);
        expect(files.length).toBeGreaterThan(50);
        const texts = [...files.map((f) => fs.readFileSync(f, "utf8")), result.summary];
        for (const hash of Object.values(hashes)) for (const text of texts) expect(text.includes(hash)).toBe(false);
        const secrets = result.mocks.ofType("kubernetes:core/v1:Secret").filter((r) => r.name.endsWith("-secret-scheduler-keys"));
        expect(secrets.length).toBe(regionsWithTenantRpc().length);
        for (const s of secrets) expect(isSecretValue((s.inputs["stringData"] as Obj)["keys.yaml"]) || isSecretValue(s.inputs["stringData"])).toBe(true);
        expect(manifest(regionsWithTenantRpc()[0]!, schedulerNs(), "Secret-scheduler-keys.yaml")["stringData"]).toEqual({ "keys.yaml": "[redacted]" });
    });

    it("are let through by every region's RPC NetworkPolicy, which admits no other namespace's pods", () => {
        for (const region of regionsWithTenantRpc()) {
            const podLabels = manifest(region, schedulerNs(), "Deployment-scheduler.yaml")["spec"].template.metadata.labels;
            for (const ledger of Object.keys(configOf(region).ledgers)) {
                const policy = manifest(region, ledgerNamespaceName(network.name, ledger), "NetworkPolicy-rpc.yaml");
                const rule = policy["spec"].ingress.find((r: Obj) => r["ports"].some((p: Obj) => p["port"] === 8545));
                const admits = (namespace: string, labels: Obj) => rule.from.some((f: Obj) => f["namespaceSelector"] !== undefined && selects(f["namespaceSelector"], { "kubernetes.io/metadata.name": namespace }) && selects(f["podSelector"], labels));
                expect(admits(schedulerNs(), podLabels), `${region}/${ledger}`).toBe(true);
                expect(admits("default", podLabels)).toBe(false);
                expect(admits(schedulerNs(), { "app.kubernetes.io/name": "something-else" })).toBe(false);
            }
        }
    });

    it("render manifests that Kubernetes accepts and the policy pack passes", () => {
        const ours = result.manifests.filter((m) => (m.object["metadata"] as Obj)["namespace"] === schedulerNs() || (m.object["metadata"] as Obj)["name"] === schedulerNs());
        expect(ours.length).toBe(9 * regionsWithTenantRpc().length);
        for (const m of ours) validateKubeObject(m.object);
        expect(result.policy.filter((p) => p.urn.includes("ledgerfleet:index:Scheduler"))).toEqual([]);
    });
});

describe("a malformed key hash", () => {
    it("stops the plan with a message that names the tenant and the fix, and not the value", async () => {
        const dir = makeTempDir("plan-scheduler-bad");
        fs.writeFileSync(path.join(dir, "network.yaml"), `${BASE_NETWORK.join("\n")}\n`);
        const bad = hashOf("loyalty").toUpperCase();
        fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), stackFile("network.yaml", { loyalty: bad }));
        const failure = await plan({ stack: "bad", stacksDir: dir }).then(() => undefined, (err: unknown) => err);
        expect(failure).toBeInstanceOf(ProgramError);
        expect((failure as ProgramError).configuration).toBe(true);
        expect((failure as ProgramError).message).toContain("ledgerfleet:tenantKeyHashes.loyalty must be the SHA-256 of tenant loyalty's key as 64 lower-case hex digits");
        expect((failure as ProgramError).message).not.toContain(bad);
    }, 30_000);
});
