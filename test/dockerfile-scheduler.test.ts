// The scheduler's image, as far as it can be checked without Docker: the Dockerfile's own esbuild
// command bundles the service into one file without the Pulumi program, and that file, run as the
// image runs it, takes the config the chart generates and serves a tenant with the key the Secret holds.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCHEDULER_UID } from "../charts/scheduler";
import { CONFIG_DIR, CONFIG_FILE, keysYaml, schedulerConfig, schedulerConfigYaml } from "../charts/scheduler-config";
import { parseNetworkText } from "../config/load";
import { networkWith } from "./fixtures/config/network";
import { makeTempDir, removeTempDirs } from "./fixtures/temp-dirs";
import { bundleScheduler } from "./support/bundle";

const ROOT = path.join(__dirname, "..");
const DOCKERFILE = fs.readFileSync(path.join(ROOT, "scheduler", "Dockerfile"), "utf8");
const KEY = "test-key-for-loyalty-not-a-real-one";

let dir: string;
let bundle: string;
let upstream: http.Server;
let service: ChildProcess | undefined;
let url: string;
/** The admin listener the generated config adds: /healthz, /readyz and /metrics. */
let adminUrl: string;
let stderr = "";

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
}

async function get(pathname: string, init?: RequestInit, base = url): Promise<Response> {
    return fetch(`${base}${pathname}`, { ...init, signal: AbortSignal.timeout(2000) });
}

beforeAll(async () => {
    dir = makeTempDir("scheduler-image");
    // The Dockerfile's esbuild command as written, writing its bundle here instead of dist/.
    bundle = path.join(dir, "scheduler.js");
    bundleScheduler(bundle);

    // A Besu-like upstream: ready, and answering every call with block 0x10.
    upstream = http.createServer((req, res) => {
        if (req.method === "GET") return res.writeHead(req.url === "/readiness" ? 200 : 404).end();
        let body = "";
        req.on("data", (c) => (body += c)).on("end", () => {
            const call = JSON.parse(body) as { id: unknown };
            res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: call.id, result: "0x10" }));
        });
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));

    // The config and keys the chart would mount for region fra, pointed at this machine.
    const network = parseNetworkText(networkWith({}), path.join(dir, "network.yaml"));
    const config = schedulerConfig(network, "fra", new Set(["loyalty"]));
    if (config === undefined) throw new Error("region fra serves no tenant");
    const port = await freePort();
    const adminPort = await freePort();
    const keysFile = path.join(dir, "keys.yaml");
    fs.writeFileSync(keysFile, keysYaml(config, { loyalty: createHash("sha256").update(KEY).digest("hex") }));
    const configFile = path.join(dir, CONFIG_FILE);
    fs.writeFileSync(
        configFile,
        schedulerConfigYaml({
            ...config,
            listen: { host: "127.0.0.1", port },
            admin: { host: "127.0.0.1", port: adminPort },
            ledgers: { main: { ...config.ledgers["main"]!, upstreams: [`http://127.0.0.1:${(upstream.address() as net.AddressInfo).port}`] } },
            keys: { file: keysFile },
        }),
    );
    url = `http://127.0.0.1:${port}`;
    adminUrl = `http://127.0.0.1:${adminPort}`;
    service = spawn(process.execPath, [bundle, "--config", configFile], { stdio: ["ignore", "ignore", "pipe"] });
    service.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
    for (let i = 0; i < 100; i++) {
        if (service.exitCode !== null) throw new Error(`the bundle exited with ${service.exitCode}: ${stderr}`);
        const up = await get("/healthz", undefined, adminUrl).then((r) => r.ok, () => false);
        if (up) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the bundle did not answer /healthz: ${stderr}`);
}, 20_000);

afterAll(async () => {
    if (service !== undefined && service.exitCode === null) {
        const exited = new Promise((resolve) => service!.once("exit", resolve));
        service.kill("SIGTERM");
        await exited;
    }
    await new Promise((resolve) => upstream?.close(resolve));
    removeTempDirs();
});

describe("scheduler/Dockerfile", () => {
    it("bundles the service into one file that holds none of the Pulumi program", () => {
        const text = fs.readFileSync(bundle, "utf8");
        expect(text).toContain("scheduler/service/entry.ts");
        expect(text).not.toMatch(/node_modules\/@pulumi\//);
    });

    it("pins both base images by digest and runs as the user and with the config path the chart mounts", () => {
        const froms = DOCKERFILE.split("\n").filter((l) => l.startsWith("FROM "));
        expect(froms.length).toBe(2);
        for (const from of froms) expect(from).toMatch(/@sha256:[0-9a-f]{64}( AS \w+)?$/);
        expect(froms[1]).toContain("gcr.io/distroless/nodejs22-debian12:nonroot@");
        expect(DOCKERFILE).toContain(`USER ${SCHEDULER_UID}:${SCHEDULER_UID}`);
        const entrypoint = JSON.parse(/^ENTRYPOINT (.*)$/m.exec(DOCKERFILE)?.[1] ?? "[]") as string[];
        expect(entrypoint.slice(-2)).toEqual(["--config", `${CONFIG_DIR}/${CONFIG_FILE}`]);
    });

    it("runs from the bundle on the generated config: alive, ready once its upstream is, and serving a tenant by its key", async () => {
        expect((await get("/healthz", undefined, adminUrl)).status).toBe(200);
        // Ready (the probe the Deployment uses) once the upstream passed a health check: GET /readiness, as Besu's.
        let ready = 0;
        for (let i = 0; i < 100 && ready !== 200; i++) {
            ready = (await get("/readyz", undefined, adminUrl)).status;
            if (ready !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(ready).toBe(200);
        const call = (auth: string) =>
            get("/", { method: "POST", headers: { "content-type": "application/json", authorization: auth }, body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "eth_blockNumber", params: [] }) });
        const answered = await call(`Bearer ${KEY}`);
        expect(answered.status).toBe(200);
        expect(await answered.json()).toEqual({ jsonrpc: "2.0", id: 7, result: "0x10" });
        expect((await call("Bearer some-other-key")).status).toBe(401);
    });
});
