// The scheduler service's life: config reloads as Kubernetes delivers them (a symlink swap in a
// mounted folder), onboarding a tenant without a restart, a bad reload kept out, an invalid
// config refused at start, and a graceful stop on SIGTERM.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Client } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Anvil, type HttpUpstream, SCHEDULER_ENTRY, type SchedulerProcess, startAnvil, startHttpUpstream, startSchedulerProcess } from "./support/anvil";
import { makeTempDir, removeTempDirs } from "./fixtures/temp-dirs";

const KEYS = { loyalty: "lfk_reload-loyalty-0123456789", payments: "lfk_reload-payments-0123456789", audit: "lfk_reload-audit-0123456789" };
const sha = (key: string) => createHash("sha256").update(key).digest("hex");

let anvil: Anvil;
let slow: HttpUpstream;
let slowReceived = 0;
let service: SchedulerProcess;
let configDir: string;
let keysDir: string;
let client: Client;
let connects = 0;

/** Replaces a mounted folder's files the way the kubelet does: a new folder, then an atomic swap of the `..data` symlink. */
function mount(dir: string, files: Record<string, string>): void {
    const version = `..${Date.now()}_${Math.random().toString(36).slice(2)}`;
    fs.mkdirSync(path.join(dir, version));
    for (const [name, text] of Object.entries(files)) {
        fs.writeFileSync(path.join(dir, version, name), text);
        if (!fs.existsSync(path.join(dir, name))) fs.symlinkSync(path.join("..data", name), path.join(dir, name));
    }
    fs.symlinkSync(version, path.join(dir, "..data_tmp"));
    fs.renameSync(path.join(dir, "..data_tmp"), path.join(dir, "..data"));
}

const config = (tenants: string[]) =>
    [
        "listen: { host: 127.0.0.1, port: 0 }",
        `keys: { file: ${JSON.stringify(path.join(keysDir, "keys.yaml"))} }`,
        "ledgers:",
        `  main: { upstreams: ["${anvil.url}"] }`,
        `  slow: { upstreams: ["${slow.url}"] }`,
        "tenants:",
        ...tenants,
        "reload: { intervalMs: 100 }",
        "",
    ].join("\n");
const LOYALTY = `  - { id: loyalty, ledger: main, keySha256: "${sha(KEYS.loyalty)}", tps: 100 }`;
const PAYMENTS = "  - { id: payments, ledger: slow, tps: 100, weight: 2 }";

beforeAll(async () => {
    anvil = await startAnvil();
    slow = await startHttpUpstream((req, res) => {
        let body = "";
        req.setEncoding("utf8").on("data", (c: string) => (body += c));
        req.on("end", () => {
            const call = JSON.parse(body) as { id: unknown; method: string };
            const answer = () => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: call.id, result: "0x1" }));
            if (call.method !== "eth_chainId") return answer();
            slowReceived++;
            setTimeout(answer, 800);
        });
    });
    const dir = makeTempDir("scheduler-reload");
    configDir = path.join(dir, "config");
    keysDir = path.join(dir, "keys");
    fs.mkdirSync(configDir);
    fs.mkdirSync(keysDir);
    mount(keysDir, { "keys.yaml": "{}\n" });
    mount(configDir, { "scheduler.yaml": config([LOYALTY]) });
    service = await startSchedulerProcess(path.join(configDir, "scheduler.yaml"));
    client = new Client(service.url, { pipelining: 1 });
    client.on("connect", () => connects++);
});

afterAll(async () => {
    await client?.close();
    await service?.stop("SIGKILL");
    await slow?.close();
    await anvil?.stop();
    removeTempDirs();
});

async function rpc(key: string, method = "eth_chainId"): Promise<{ status: number; body: { result?: unknown; error?: { message: string } } }> {
    const response = await client.request({ path: "/", method: "POST", headers: { authorization: `Bearer ${key}` }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [] }) });
    return { status: response.statusCode, body: (await response.body.json()) as { result?: unknown } };
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`${what} did not happen within 10 s:\n${service.output()}`);
        await new Promise((r) => setTimeout(r, 50));
    }
}

describe("scheduler reload and lifecycle", () => {
    it("onboards a tenant from a new config and keys file without a restart or a dropped connection", async () => {
        expect((await rpc(KEYS.loyalty)).status).toBe(200);
        expect((await rpc(KEYS.payments)).status).toBe(401);
        // The Secret often arrives before the ConfigMap: a key for an unknown tenant is only a warning.
        mount(keysDir, { "keys.yaml": `payments: "${sha(KEYS.payments)}"\n` });
        await service.waitForLog((l) => typeof l.msg === "string" && l.msg.includes("tenant 'payments'") && l.msg.includes("ignored"));
        mount(configDir, { "scheduler.yaml": config([LOYALTY, PAYMENTS]) });
        await eventually(async () => (await rpc(KEYS.payments, "eth_blockNumber")).status === 200, "the new tenant's first answer");
        expect(await rpc(KEYS.loyalty)).toMatchObject({ status: 200, body: { result: "0x7a69" } });
        expect(connects).toBe(1);
        expect(service.child.exitCode).toBeNull();
        // Two reloads applied: the keys file alone, then the config.
        await eventually(async () => service.logLines().filter((l) => l.msg === "config reloaded").length === 2, "two 'config reloaded' log lines");
    });

    it("a bad config on reload is refused in one log line with file and key path; the last good one stays", async () => {
        mount(configDir, { "scheduler.yaml": config([LOYALTY.replace("tps: 100", "tps: 100, weight: 0"), PAYMENTS, `  - { id: audit, ledger: main, keySha256: "${sha(KEYS.audit)}", tps: 1 }`]) });
        const line = await service.waitForLog((l) => typeof l.msg === "string" && l.msg.startsWith("config reload refused"));
        expect(line.level).toBe(50);
        expect(line.msg).toMatch(/scheduler\.yaml:7:\d+: tenants\[0\]\.weight: expected a weight above 0/);
        expect((await rpc(KEYS.audit)).status).toBe(401);
        expect((await rpc(KEYS.loyalty)).status).toBe(200);
        expect((await rpc(KEYS.payments, "eth_blockNumber")).status).toBe(200);
        const metrics = await (await fetch(`${service.adminUrl}/metrics`)).text();
        expect(metrics).toMatch(/^ledgerfleet_scheduler_config_reloads_total\{result="refused"\} 1$/m);
        expect(metrics).toMatch(/^ledgerfleet_scheduler_config_reloads_total\{result="applied"\} 2$/m);
    });

    it("on SIGTERM it stops accepting, answers the request in flight, and exits 0", async () => {
        const before = slowReceived;
        const inFlight = rpc(KEYS.payments);
        await eventually(async () => slowReceived > before, "the slow peer receiving the request");
        const exit = service.stop("SIGTERM");
        const reply = await inFlight;
        expect(reply).toMatchObject({ status: 200, body: { result: "0x1" } });
        expect(await exit).toBe(0);
        await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
        expect(service.logLines().map((l) => l.msg)).toContain("stopped");
    });

    it("refuses to start with an invalid config: exit 2, naming file, line and key path", async () => {
        const file = path.join(makeTempDir("scheduler-reload"), "bad.yaml");
        fs.writeFileSync(file, `ledgers:\n  main: { upstreams: ["${anvil.url}"] }\ntenants:\n  - { id: a, ledger: main, keySha256: "${sha("a")}", tps: 1 }\n  - { id: a, ledger: main, keySha256: "${sha("b")}", tps: 1 }\n`);
        const child = spawn(process.execPath, ["--import", "tsx", SCHEDULER_ENTRY, "--config", file], { stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
        const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
        expect(code).toBe(2);
        expect(stderr).toContain("invalid configuration, not started");
        expect(stderr).toMatch(/bad\.yaml:5:\d+: tenants\[1\]\.id: duplicate tenant id 'a'/);
    });
});
