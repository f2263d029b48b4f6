// The pack under Pulumi's own policy-pack runner (@pulumi/pulumi cmd/run-policy-pack, what the CLI
// starts for `--policy-pack policies`): it loads policies/index.ts, serves the analyzer over gRPC, and
// for the same resources reports the same violations as the offline harness. This is the check that
// policies/harness.ts builds the policies' arguments as the real policy server does.
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import type * as structPb from "google-protobuf/google/protobuf/struct_pb";
import type * as emptyPb from "google-protobuf/google/protobuf/empty_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plan } from "../cli/plan";
import { harnessResources } from "../cli/policy";
import { ALL_POLICIES } from "../policies/all";
import { type HarnessResource, runPolicies } from "../policies/harness";

const ROOT = path.join(__dirname, "..");
// The modules as @pulumi/pulumi itself loads them: the server checks messages with instanceof.
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const grpc = fromPulumi("@grpc/grpc-js") as typeof grpcTypes;
const pb = fromPulumi("./proto/analyzer_pb") as typeof analyzerPb;
const services = fromPulumi("./proto/analyzer_grpc_pb") as typeof analyzerGrpc;
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb") as typeof structPb;
const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb") as typeof emptyPb;

let server: ChildProcess | undefined;
let client: analyzerGrpc.AnalyzerClient;
let example: HarnessResource[];

/** Starts the runner as the CLI does (TypeScript through ts-node; types are checked by `tsc` instead). */
function startPack(): Promise<number> {
    return new Promise((resolve, reject) => {
        const child = spawn(path.join(ROOT, "node_modules", ".bin", "node"), [fromPulumi.resolve("./cmd/run-policy-pack"), "127.0.0.1:1", "."], {
            cwd: path.join(ROOT, "policies"),
            env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
            stdio: ["ignore", "pipe", "pipe"],
        });
        server = child;
        let out = "";
        let err = "";
        child.stdout?.setEncoding("utf8").on("data", (s: string) => {
            out += s;
            const port = /^(\d+)\s*$/m.exec(out)?.[1];
            if (port !== undefined) resolve(Number(port));
        });
        child.stderr?.setEncoding("utf8").on("data", (s: string) => (err += s));
        child.on("exit", (code) => reject(new Error(`the policy pack runner exited (${String(code)}) before serving:\n${err}${out}`)));
    });
}

const call = <Req, Res>(method: (req: Req, cb: (err: grpcTypes.ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> =>
    new Promise((resolve, reject) => method.call(client, req, (err, res) => (err ? reject(err) : resolve(res))));

const json = (v: unknown) => Struct.fromJavaScript(JSON.parse(JSON.stringify(v ?? {})) as Record<string, structPb.JavaScriptValue>);

function options(r: HarnessResource): analyzerPb.AnalyzerResourceOptions {
    const o = new pb.AnalyzerResourceOptions();
    o.setProtect(r.protect === true);
    if (r.parent) o.setParent(r.parent);
    return o;
}

function providerOf(r: HarnessResource, byUrn: Map<string, HarnessResource>): analyzerPb.AnalyzerProviderResource | undefined {
    const p = r.provider === undefined ? undefined : byUrn.get(r.provider);
    if (p === undefined) return undefined;
    const msg = new pb.AnalyzerProviderResource();
    msg.setType(p.type);
    msg.setUrn(p.urn);
    msg.setName(p.name);
    msg.setProperties(json(p.props));
    return msg;
}

/** What the CLI does for a preview: configure (schema defaults), analyze each resource, analyze the stack. */
async function serverFindings(resources: readonly HarnessResource[]): Promise<string[]> {
    const info = await call<emptyPb.Empty, analyzerPb.AnalyzerInfo>(client.getAnalyzerInfo, new Empty());
    const configure = new pb.ConfigureAnalyzerRequest();
    for (const policy of info.getPoliciesList()) {
        const schema = policy.getConfigschema()?.getProperties()?.toJavaScript() ?? {};
        const defaults = Object.fromEntries(Object.entries(schema).flatMap(([k, s]) => (s !== null && typeof s === "object" && "default" in s ? [[k, (s as { default: unknown }).default]] : [])));
        const config = new pb.PolicyConfig();
        config.setEnforcementlevel(policy.getEnforcementlevel());
        config.setProperties(json(defaults));
        configure.getPolicyconfigMap().set(policy.getName(), config);
    }
    await call(client.configure, configure);

    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const found: string[] = [];
    const record = (res: analyzerPb.AnalyzeResponse, urn: string) => {
        for (const d of res.getDiagnosticsList()) found.push(`${d.getPolicyname()} ${d.getUrn() || urn}`);
    };
    /** What an Analyze request and a stack's resource both say of a resource. */
    const described = <M extends analyzerPb.AnalyzeRequest | analyzerPb.AnalyzerResource>(m: M, r: HarnessResource): M => {
        m.setType(r.type);
        m.setUrn(r.urn);
        m.setName(r.name);
        m.setProperties(json(r.props));
        m.setOptions(options(r));
        const provider = providerOf(r, byUrn);
        if (provider) m.setProvider(provider);
        return m;
    };
    for (const r of resources) {
        record(await call<analyzerPb.AnalyzeRequest, analyzerPb.AnalyzeResponse>(client.analyze, described(new pb.AnalyzeRequest(), r)), r.urn);
    }
    const stack = new pb.AnalyzeStackRequest();
    stack.setResourcesList(
        resources.map((r) => {
            const m = described(new pb.AnalyzerResource(), r);
            if (r.parent) m.setParent(r.parent);
            m.setDependenciesList([...(r.dependencies ?? [])]);
            return m;
        }),
    );
    record(await call<analyzerPb.AnalyzeStackRequest, analyzerPb.AnalyzeResponse>(client.analyzeStack, stack), "");
    return found.sort();
}

async function harnessFindings(resources: readonly HarnessResource[]): Promise<string[]> {
    return (await runPolicies(ALL_POLICIES, resources)).map((f) => `${f.policy} ${f.urn}`).sort();
}

beforeAll(async () => {
    const port = await startPack();
    client = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    example = harnessResources((await plan({ stack: "dev" })).mocks.registrations);
}, 60_000);

afterAll(() => {
    client?.close();
    server?.kill();
});

describe("the pack under Pulumi's policy-pack runner", () => {
    it("serves every policy of the pack, with the same enforcement levels", async () => {
        const info = await call<emptyPb.Empty, analyzerPb.AnalyzerInfo>(client.getAnalyzerInfo, new Empty());
        expect(info.getName()).toBe("ledgerfleet");
        const level = (l: analyzerPb.EnforcementLevel) => (l === pb.EnforcementLevel.MANDATORY ? "mandatory" : l === pb.EnforcementLevel.ADVISORY ? "advisory" : "other");
        expect(info.getPoliciesList().map((p) => `${p.getName()} ${level(p.getEnforcementlevel())}`)).toEqual(ALL_POLICIES.map((p) => `${p.name} ${p.enforcementLevel}`));
    });

    it("finds in the multi-cloud example exactly what the offline plan does: the dedicated ledgers' cloud-spread advisories, nothing else", async () => {
        const offline = await harnessFindings(example);
        expect(new Set(offline.map((f) => f.split(" ")[0]))).toEqual(new Set(["ledger-cloud-spread"]));
        expect(await serverFindings(example)).toEqual(offline);
    });

    it("reports the same violations as the offline harness, resource by resource", async () => {
        const broken = structuredClone(example);
        // A key left unprotected, a privileged validator, an RPC config serving ADMIN, and a whole
        // ledger's validators counted in one region.
        const key = broken.find((r) => r.type === "random:index/randomBytes:RandomBytes") as HarnessResource;
        key.protect = false;
        const ss = broken.find((r) => r.type === "kubernetes:apps/v1:StatefulSet") as HarnessResource;
        const containers = (ss.props["spec"] as { template: { spec: { containers: { securityContext: Record<string, unknown> }[] } } }).template.spec.containers;
        (containers[0] as { securityContext: Record<string, unknown> }).securityContext["privileged"] = true;
        const config = broken.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && (r.props["metadata"] as { name: string }).name === "rpc-1-config") as HarnessResource;
        const data = config.props["data"] as Record<string, string>;
        data["config.toml"] = (data["config.toml"] as string).replace('rpc-http-api=["ETH"', 'rpc-http-api=["ADMIN", "ETH"');
        const network = broken.find((r) => r.type === "ledgerfleet:index:Network") as HarnessResource;
        const rows = (network.props["faultTolerance"] as { rows: { level: string; survivesLoss: boolean; validators: number; remaining: number }[] }[])[0]?.rows ?? [];
        const first = rows.find((r) => r.level === "region") as { survivesLoss: boolean; validators: number; remaining: number };
        Object.assign(first, { validators: 7, remaining: 0, survivesLoss: false });

        const offline = await harnessFindings(broken);
        expect(offline.map((f) => f.split(" ")[0])).toEqual(
            expect.arrayContaining(["ledger-keys-protected", "k8s-pss-privileged-containers", "ledger-no-admin-apis", "ledger-region-fault-tolerance"]),
        );
        expect(await serverFindings(broken)).toEqual(offline);
    });
});
