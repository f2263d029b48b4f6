// The policy pack as a whole, as users meet it: in `ledgerfleet plan` (exit 1 on a mandatory
// violation, the Pulumi policy config file), in `ledgerfleet policy check` on plain manifests, and in
// the README's table, which must say what the code does.
import * as fs from "node:fs";
import * as path from "node:path";
import type { StackValidationPolicy } from "@pulumi/policy";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../cli/main";
import { withPolicyTable } from "../cli/policy-table";
import { ALL_POLICIES } from "../policies/all";
import { runPolicies } from "../policies/harness";
import { removeTempDirs, writeFiles } from "./fixtures/config/network";

afterAll(removeTempDirs);

const ROOT = path.join(__dirname, "..");
const ATLAS = fs.readFileSync(path.join(ROOT, "stacks", "networks", "atlas.yaml"), "utf8");
const STACK = "config:\n  ledgerfleet:network: networks/atlas.yaml\n";

/** atlas with its seven validators all in fra-dc1 (at fra-dc1 addresses). */
const ONE_REGION = ATLAS.replace(
    /region: (ams-dc2|lon-dc3|par-dc4), address: 198\.51\.100\.(75|76|139|140|203) \}/g,
    (_m, _r, host: string) => `region: fra-dc1, address: 198.51.100.${{ "75": 13, "76": 14, "139": 15, "140": 16, "203": 17 }[host]} }`,
).replace(/\{ name: rpc-2, role: rpc, region: par-dc4[^}]*\}/, "{ name: rpc-2, role: rpc, region: fra-dc1, address: 198.51.100.22 }");

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const sink = (append: (s: string) => void) => ({ write: (s: string) => (append(s), true) }) as unknown as NodeJS.WritableStream;
    const code = await main(args, { out: sink((s) => (out += s)), err: sink((s) => (err += s)) });
    return { code, out, err };
}

function stacks(network: string, files: Record<string, string> = {}): string {
    return writeFiles({ "Pulumi.net.yaml": STACK, "networks/atlas.yaml": network, ...files });
}

describe("the policy pack in `ledgerfleet plan`", () => {
    it("exits 1 naming the fault-tolerance policy when every validator is in one region, and 0 once they are spread again", async () => {
        expect(ONE_REGION).not.toContain("region: ams-dc2, address");
        const dir = stacks(ONE_REGION);
        const bad = await run(["plan", "--stack", "net", "--stacks", dir, "--out", path.join(dir, "out")]);
        expect(bad.err).toBe("");
        expect(bad.code).toBe(1);
        expect(bad.out).toMatch(/ledger-region-fault-tolerance \(mandatory\): 1 violation\n {4}Network atlas: ledger main: region fra-dc1 holds 7 of its 7 validators/);
        const findings = JSON.parse(fs.readFileSync(path.join(dir, "out", "policy.json"), "utf8")) as { policy: string; enforcementLevel: string }[];
        expect(findings.map((f) => `${f.policy}/${f.enforcementLevel}`)).toEqual(["ledger-region-fault-tolerance/mandatory"]);
        const plan = JSON.parse(fs.readFileSync(path.join(dir, "out", "plan.json"), "utf8")) as { faultTolerance: { rows: { domain: string; survivesLoss: boolean }[] }[] };
        expect(plan.faultTolerance[0]?.rows.find((r) => r.domain === "fra-dc1")?.survivesLoss).toBe(false);

        const spread = stacks(ATLAS);
        const good = await run(["plan", "--stack", "net", "--stacks", spread, "--out", path.join(spread, "out")]);
        expect(good.code).toBe(0);
        expect(good.out).toContain(`Policies (${ALL_POLICIES.length} in the pack): 0 mandatory and 0 advisory violations`);
    }, 30_000);

    it("takes the Pulumi policy config file: a policy made advisory no longer fails the plan, and the plan says so", async () => {
        const dir = stacks(ONE_REGION, { "policy-config.json": JSON.stringify({ "ledger-region-fault-tolerance": { enforcementLevel: "advisory" } }) });
        const r = await run(["plan", "--stack", "net", "--stacks", dir, "--out", path.join(dir, "out"), "--policy-config", path.join(dir, "policy-config.json")]);
        expect(r.code).toBe(0);
        expect(r.out).toContain("ledger-region-fault-tolerance (advisory): 1 violation");
        expect(r.out).toContain("advisory findings only: the plan exits 0");
    }, 30_000);

    it.each([
        ["an unknown policy", `{\n  "ledger-region-fault-tolerence": "advisory"\n}`, /policy-config\.json:2:3: ledger-region-fault-tolerence: no policy 'ledger-region-fault-tolerence' in the ledgerfleet pack \(did you mean 'ledger-region-fault-tolerance'\?\)/],
        ["an invalid enforcement level", `{\n  "k8s-pss-seccomp": { "enforcementLevel": "warn" }\n}`, /policy-config\.json:2:\d+: k8s-pss-seccomp\.enforcementLevel: expected an enforcement level, one of advisory, mandatory, disabled; found "warn"/],
        ["a parameter of the wrong type", `{\n  "ledger-min-validators": {\n    "minValidators": "seven"\n  }\n}`, /policy-config\.json:3:\d+: ledger-min-validators\.minValidators: parameter minValidators of policy ledger-min-validators must be integer/],
        ["an unknown parameter", `{\n  "ledger-min-validators": { "min": 7 }\n}`, /policy-config\.json:2:\d+: ledger-min-validators\.min: policy ledger-min-validators has no parameter 'min'; its parameters: minValidators/],
    ])("refuses a policy config file with %s: exit 2, file, line and key path, nothing written", async (_what, text, expected) => {
        const dir = stacks(ATLAS, { "policy-config.json": text });
        const r = await run(["plan", "--stack", "net", "--stacks", dir, "--out", path.join(dir, "out"), "--policy-config", path.join(dir, "policy-config.json")]);
        expect(r.code).toBe(2);
        expect(r.err).toMatch(expected);
        expect(fs.existsSync(path.join(dir, "out"))).toBe(false);
    });
});

describe("ledgerfleet policy check", () => {
    const compliantPod = (name: string, extra: Record<string, unknown> = {}) => ({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace: "apps" },
        spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
                {
                    name: "app",
                    image: `registry.example/app:1.0@sha256:${"a".repeat(64)}`,
                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "128Mi" } },
                    ...extra,
                },
            ],
        },
    });

    it("passes compliant manifests (exit 0), and the example's own ledger workloads", async () => {
        const dir = writeFiles({ "pod.json": JSON.stringify(compliantPod("ok")) });
        const r = await run(["policy", "check", path.join(dir, "pod.json")]);
        expect(r.err).toBe("");
        expect(r.code).toBe(0);
        expect(r.out).toContain("no violations");
        const planned = path.join(ROOT, "out", "policy-check-fixture");
        const plan = await run(["plan", "--stack", "atlas", "--out", planned]);
        expect(plan.code).toBe(0);
        // One cluster's objects: its ledger namespace and everything in it (PodDisruptionBudgets, NetworkPolicies).
        const region = path.join(planned, "manifests", "fra-dc1");
        const files = [path.join(region, "_cluster", "Namespace-atlas-main.yaml"), ...fs.readdirSync(path.join(region, "atlas-main")).map((f) => path.join(region, "atlas-main", f))];
        expect(files.filter((f) => f.includes("StatefulSet-")).length).toBeGreaterThan(1);
        expect((await run(["policy", "check", ...files])).code).toBe(0);
        fs.rmSync(planned, { recursive: true, force: true });
    }, 30_000);

    it("exits 1 on a privileged container in a Deployment's pod template, naming the control, the file and the object", async () => {
        const pod = compliantPod("web", { securityContext: { privileged: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } } });
        const deployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "apps" }, spec: { selector: {}, template: { metadata: {}, spec: pod.spec } } };
        // With its disruption budget, which a Deployment needs (k8s-statefulset-disruption-budget).
        const budget = { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "web", namespace: "apps" }, spec: { minAvailable: 1, selector: {} } };
        const dir = writeFiles({ "web.yaml": `# three documents\n---\n${JSON.stringify(compliantPod("ok"))}\n---\n${JSON.stringify(deployment)}\n---\n${JSON.stringify(budget)}\n` });
        const r = await run(["policy", "check", path.join(dir, "web.yaml")]);
        expect(r.code).toBe(1);
        expect(r.out).toContain("k8s-pss-privileged-containers (mandatory): 1 violation");
        expect(r.out).toMatch(/web\.yaml#2 Deployment\/apps\/web: Pod Security Standards, restricted: Privileged Containers: /);
        const json = await run(["policy", "check", "--json", path.join(dir, "web.yaml")]);
        expect(json.code).toBe(1);
        const findings = JSON.parse(json.out) as { policy: string; enforcementLevel: string; urn: string; message: string }[];
        expect(findings.map((f) => [f.policy, f.enforcementLevel])).toEqual([["k8s-pss-privileged-containers", "mandatory"]]);
    });

    it("exits 2 on a file that is not a manifest", async () => {
        const dir = writeFiles({ "notes.yaml": "just: some\nyaml: here\n", "broken.yaml": "a: [\n" });
        const notManifest = await run(["policy", "check", path.join(dir, "notes.yaml")]);
        expect(notManifest.code).toBe(2);
        expect(notManifest.err).toMatch(/notes\.yaml#1: not a Kubernetes manifest \(expected apiVersion, kind and metadata\.name\)/);
        expect((await run(["policy", "check", path.join(dir, "broken.yaml")])).code).toBe(2);
        expect((await run(["policy", "check", path.join(dir, "missing.yaml")])).code).toBe(2);
    });
});

describe("the pack", () => {
    it("has at least 30 policies, each with a unique id, a description and an enforcement level", () => {
        expect(ALL_POLICIES.length).toBeGreaterThanOrEqual(30);
        expect(new Set(ALL_POLICIES.map((p) => p.name)).size).toBe(ALL_POLICIES.length);
        for (const p of ALL_POLICIES) {
            expect(p.description.length, p.name).toBeGreaterThan(20);
            expect(["mandatory", "advisory"], p.name).toContain(p.enforcementLevel);
        }
    });

    it("is listed in the README exactly as the code defines it (`npm run policy-table` rewrites it)", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        expect(withPolicyTable(readme)).toBe(readme);
        for (const p of ALL_POLICIES) expect(readme).toContain(`| \`${p.name}\` | ${p.enforcementLevel} |`);
    });

    it("has every policy exercised by a themed test", () => {
        const tests = ["policy-ledger", "policy-kubernetes", "policy-clouds"].map((f) => fs.readFileSync(path.join(__dirname, `${f}.test.ts`), "utf8")).join("\n");
        const sources = fs.readdirSync(path.join(ROOT, "policies")).filter((f) => f.endsWith(".ts")).map((f) => fs.readFileSync(path.join(ROOT, "policies", f), "utf8")).join("\n");
        for (const p of ALL_POLICIES) {
            // By its id, or by the exported name its tests import it under.
            const exported = new RegExp(`export const (\\w+)\\s*:\\s*\\w+\\s*=\\s*\\{\\s*name:\\s*"${p.name}"`).exec(sources)?.[1];
            expect(tests.includes(`"${p.name}"`) || (exported !== undefined && tests.includes(exported)), p.name).toBe(true);
        }
    });

    it("reports a policy that throws as a failed mandatory finding naming the resource, not a crash", async () => {
        const broken: StackValidationPolicy = {
            name: "broken",
            description: "throws",
            enforcementLevel: "advisory",
            validateStack: () => {
                throw new Error("boom");
            },
        };
        const resource = { type: "kubernetes:core/v1:Pod", name: "p", urn: "urn:p", props: {} };
        expect(await runPolicies([broken], [resource])).toEqual([{ policy: "broken", enforcementLevel: "mandatory", urn: "", message: "the policy failed on this resource: boom" }]);
        const perResource = { name: "broken-resource", description: "throws", enforcementLevel: "advisory" as const, validateResource: () => { throw new TypeError("x is undefined"); } };
        expect(await runPolicies([perResource], [resource])).toEqual([{ policy: "broken-resource", enforcementLevel: "mandatory", urn: "urn:p", message: "the policy failed on this resource: x is undefined" }]);
    });
});
