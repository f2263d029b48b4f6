// A JSON-RPC upstream whose capacity is known exactly: every request takes `serviceMs` (a timer, not
// CPU, so the figure holds on a busy machine), at most `concurrency` are in service at once, up to
// `queueLimit` more wait in FIFO order, and beyond that the request is refused at once with 503 and a
// JSON-RPC error -32005 (what a node with a bounded request queue does). Its capacity is therefore
// concurrency / serviceMs requests per millisecond, and a latency above serviceMs is queueing.
//
// It answers any method (eth_blockNumber-style: `result` is a hex counter), single or batch, and
// counts what it did on GET /stats, so the bench can compare the client's counts with its own.
//
// The bench runs it in a child process of its own (`spawnFixedUpstreams`), so that its event loop is
// not the load generator's; `startFixedUpstream` runs one in this process (tests).
import type { ChildProcess } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { request } from "undici";
import { spawnUnder } from "./processes";

export interface FixedUpstreamOptions {
    /** How long each request is in service, ms (a lower bound: timers fire at most ~1 ms late). */
    readonly serviceMs: number;
    /** Requests in service at once. */
    readonly concurrency: number;
    /** Requests waiting for a service slot; one more is refused with 503. */
    readonly queueLimit: number;
}

/** What an upstream did since it started (GET /stats). */
export interface UpstreamStats {
    /** Requests answered with a result (HTTP 200). */
    served: number;
    /** Requests refused because the queue was full (HTTP 503). */
    refused: number;
    /** Bodies that were not JSON-RPC (HTTP 400). */
    malformed: number;
    /** Most requests in service at once, and most waiting at once. */
    maxInFlight: number;
    maxQueued: number;
}

export interface RunningUpstream {
    readonly url: string;
    stats(): Promise<UpstreamStats>;
    stop(): Promise<void>;
}

/** Requests per second the upstream can serve. */
export function capacityRps(options: FixedUpstreamOptions): number {
    return (options.concurrency * 1000) / options.serviceMs;
}

export function checkUpstreamOptions(options: FixedUpstreamOptions): void {
    const { serviceMs, concurrency, queueLimit } = options;
    if (!(serviceMs > 0)) throw new Error(`fixed upstream: serviceMs must be above 0 ms, found ${serviceMs}`);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`fixed upstream: concurrency must be a whole number of at least 1, found ${concurrency}`);
    if (!Number.isInteger(queueLimit) || queueLimit < 0) throw new Error(`fixed upstream: queueLimit must be a whole number of at least 0, found ${queueLimit}`);
}

interface JsonRpcCall {
    id: unknown;
}

/** The calls of a JSON-RPC body (one, or a batch), or undefined when it is not JSON-RPC. */
function parseCalls(text: string): { calls: JsonRpcCall[]; batch: boolean } | undefined {
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        return undefined;
    }
    const isCall = (v: unknown): v is JsonRpcCall & { method: string } =>
        typeof v === "object" && v !== null && (v as { jsonrpc?: unknown }).jsonrpc === "2.0" && typeof (v as { method?: unknown }).method === "string";
    if (Array.isArray(parsed)) return parsed.length > 0 && parsed.every(isCall) ? { calls: parsed, batch: true } : undefined;
    return isCall(parsed) ? { calls: [parsed], batch: false } : undefined;
}

/** Builds the server without listening; `listen(0)` it, or use startFixedUpstream. */
export function createFixedUpstream(options: FixedUpstreamOptions): { server: http.Server; stats: UpstreamStats } {
    checkUpstreamOptions(options);
    const stats: UpstreamStats = { served: 0, refused: 0, malformed: 0, maxInFlight: 0, maxQueued: 0 };
    const waiting: Array<() => void> = [];
    let inFlight = 0;
    let block = 0;

    const startService = (finish: () => void) => {
        inFlight++;
        stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
        setTimeout(() => {
            finish();
            inFlight--;
            const next = waiting.shift();
            if (next !== undefined) startService(next);
        }, options.serviceMs);
    };

    const send = (res: http.ServerResponse, status: number, body: unknown) => {
        const text = JSON.stringify(body);
        res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        res.end(text);
    };

    const server = http.createServer((req, res) => {
        if (req.method === "GET" && req.url === "/stats") {
            send(res, 200, stats);
            return;
        }
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const parsed = req.method === "POST" ? parseCalls(Buffer.concat(chunks).toString("utf8")) : undefined;
            if (parsed === undefined) {
                stats.malformed++;
                send(res, 400, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "expected a JSON-RPC 2.0 request or batch in a POST body" } });
                return;
            }
            const finish = () => {
                stats.served++;
                block++;
                const answers = parsed.calls.map((call) => ({ jsonrpc: "2.0", id: call.id ?? null, result: `0x${block.toString(16)}` }));
                send(res, 200, parsed.batch ? answers : answers[0]);
            };
            if (inFlight < options.concurrency) {
                startService(finish);
            } else if (waiting.length < options.queueLimit) {
                waiting.push(finish);
                stats.maxQueued = Math.max(stats.maxQueued, waiting.length);
            } else {
                stats.refused++;
                const error = { code: -32005, message: `upstream busy: ${options.concurrency} in service and ${options.queueLimit} waiting` };
                send(res, 503, parsed.batch ? parsed.calls.map((c) => ({ jsonrpc: "2.0", id: c.id ?? null, error })) : { jsonrpc: "2.0", id: parsed.calls[0]?.id ?? null, error });
            }
        });
    });
    // Load generators and proxies keep connections for the whole run; Node's 5 s default would close
    // idle ones between phases and count reconnects as the gateway's cost.
    server.keepAliveTimeout = 120_000;
    server.headersTimeout = 121_000;
    return { server, stats };
}

async function fetchStats(url: string): Promise<UpstreamStats> {
    const res = await request(`${url}/stats`);
    if (res.statusCode !== 200) throw new Error(`fixed upstream at ${url}: GET /stats answered ${res.statusCode}`);
    return (await res.body.json()) as UpstreamStats;
}

/** One upstream in this process on 127.0.0.1 and a free port. */
export async function startFixedUpstream(options: FixedUpstreamOptions): Promise<RunningUpstream> {
    const { server, stats } = createFixedUpstream(options);
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve());
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
        url,
        stats: () => Promise.resolve({ ...stats }),
        stop: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

/** A child process serving several fixed upstreams, one port each. */
export interface UpstreamProcess {
    readonly pid: number;
    readonly upstreams: RunningUpstream[];
    stop(): Promise<void>;
}

const ROOT = path.join(__dirname, "..", "..");

/**
 * Starts one child process (the project's node with tsx) serving one upstream per option set, under
 * `prefix` (e.g. `["taskset", "-c", "0"]` to place it on a CPU). Resolves once every port listens.
 */
export function spawnFixedUpstreams(options: readonly FixedUpstreamOptions[], prefix: readonly string[] = []): Promise<UpstreamProcess> {
    options.forEach(checkUpstreamOptions);
    const node = path.join(ROOT, "node_modules", ".bin", "node");
    // stdin is a pipe only so that the child sees it close when this process dies, however it dies.
    const child: ChildProcess = spawnUnder(prefix, node, ["--import", "tsx", __filename, JSON.stringify(options)], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    return new Promise((resolve, reject) => {
        let stdout = "";
        let stderr = "";
        const timer = setTimeout(() => fail(new Error(`fixed upstreams did not start within 20 s; stderr:\n${stderr}`)), 20_000);
        const fail = (err: Error) => {
            clearTimeout(timer);
            child.kill("SIGKILL");
            reject(err);
        };
        child.stderr?.setEncoding("utf8").on("data", (c: string) => (stderr += c));
        child.on("error", (err) => fail(new Error(`cannot start ${node}: ${err.message}`)));
        child.on("exit", (code, signal) => fail(new Error(`fixed upstreams exited before listening (${signal ?? `code ${String(code)}`}); stderr:\n${stderr}`)));
        child.stdout?.setEncoding("utf8").on("data", (c: string) => {
            stdout += c;
            const line = stdout.split("\n").find((l) => l.startsWith("{"));
            if (line === undefined || !stdout.includes("\n")) return;
            clearTimeout(timer);
            child.removeAllListeners("exit");
            const { ports } = JSON.parse(line) as { ports: number[] };
            const exited = new Promise<void>((done) => child.once("exit", () => done()));
            const upstreams = ports.map((port) => {
                const url = `http://127.0.0.1:${port}`;
                return { url, stats: () => fetchStats(url), stop: () => Promise.resolve() };
            });
            resolve({
                pid: child.pid ?? 0,
                upstreams,
                stop: async () => {
                    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
                    await exited;
                },
            });
        });
    });
}

async function childMain(spec: string): Promise<void> {
    const options = JSON.parse(spec) as FixedUpstreamOptions[];
    const running = await Promise.all(options.map((o) => startFixedUpstream(o)));
    process.stdout.write(`${JSON.stringify({ ports: running.map((r) => Number(new URL(r.url).port)) })}\n`);
    // The parent going away (even by SIGKILL) closes this pipe: leave with it rather than linger.
    process.stdin.resume();
    process.stdin.on("end", () => process.exit(0));
    process.on("SIGTERM", () => process.exit(0));
}

if (require.main === module) {
    childMain(process.argv[2] ?? "[]").catch((err: unknown) => {
        process.stderr.write(`fixed upstream: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
    });
}
