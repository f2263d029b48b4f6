// Real processes for the scheduler's tests and benchmarks, on free loopback ports, stopped by the
// caller: anvil (Foundry's local Ethereum node, from @foundry-rs/anvil) as a JSON-RPC upstream,
// small node:http servers for upstreams that misbehave, and the scheduler service itself.
import { spawn, type ChildProcess } from "node:child_process";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";

/** The binary the @foundry-rs/anvil package installs for this platform (the CI and dev machines are linux-amd64). */
export const ANVIL_BINARY = path.join(__dirname, "..", "..", "node_modules", "@foundry-rs", "anvil-linux-amd64", "bin", "anvil");

export interface Anvil {
    /** `http://127.0.0.1:<port>`, answering JSON-RPC. */
    readonly url: string;
    readonly port: number;
    /** Kills the node and waits for it to exit. Safe to call twice. */
    stop(): Promise<void>;
}

export interface AnvilOptions {
    /** Extra anvil arguments, such as `["--block-time", "1"]`. */
    readonly args?: readonly string[];
    /** How long to wait for the node to answer eth_chainId. @default 20000 */
    readonly readyTimeoutMs?: number;
}

/**
 * Starts anvil with `--silent` (a log line per call would cost the benchmark CPU and fill a pipe
 * nobody reads) on a free port, and resolves once it answers eth_chainId. The port is found by
 * binding port 0 and releasing it, so another process may take it first: anvil then exits at
 * once and a fresh port is tried.
 */
export async function startAnvil(options: AnvilOptions = {}): Promise<Anvil> {
    const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
    let lastError = "";
    for (let attempt = 0; attempt < 5 && Date.now() < deadline; attempt++) {
        const port = await freePort();
        const child = spawn(ANVIL_BINARY, ["--port", String(port), "--host", "127.0.0.1", "--silent", ...(options.args ?? [])], {
            stdio: ["ignore", "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
            if (stderr.length < 4096) stderr += chunk;
        });
        const url = `http://127.0.0.1:${port}`;
        const ready = await waitReady(child, url, deadline);
        if (ready) return { url, port, stop: () => kill(child) };
        await kill(child);
        lastError = stderr.trim() || `it did not answer eth_chainId on ${url}`;
    }
    throw new Error(`anvil (${ANVIL_BINARY}) did not start: ${lastError}`);
}

/** A TCP port nothing listens on at the moment of asking. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

/** True once `url` answers eth_chainId; false when the process exits or the deadline passes first. */
async function waitReady(child: ChildProcess, url: string, deadline: number): Promise<boolean> {
    let exited = child.exitCode !== null;
    child.once("exit", () => (exited = true));
    while (!exited && Date.now() < deadline) {
        try {
            const response = await fetch(url, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}',
                signal: AbortSignal.timeout(1000),
            });
            const body = (await response.json()) as { result?: unknown };
            if (typeof body.result === "string") return true;
        } catch {
            // Not listening yet.
        }
        await new Promise((r) => setTimeout(r, 50));
    }
    return false;
}

function kill(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
        const force = setTimeout(() => child.kill("SIGKILL"), 3000);
        child.once("exit", () => {
            clearTimeout(force);
            resolve();
        });
        child.kill("SIGTERM");
    });
}

export interface HttpUpstream {
    readonly url: string;
    /** Stops listening and drops every open connection. */
    close(): Promise<void>;
}

/** A node:http server on a free loopback port, for an upstream that answers as the test decides. */
export function startHttpUpstream(handler: http.RequestListener): Promise<HttpUpstream> {
    const server = http.createServer(handler);
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            resolve({
                url: `http://127.0.0.1:${port}`,
                close: () =>
                    new Promise<void>((done) => {
                        server.closeAllConnections();
                        server.close(() => done());
                    }),
            });
        });
    });
}

/** The scheduler's container entry, run through tsx as `ledgerfleet scheduler` runs it. */
export const SCHEDULER_ENTRY = path.join(__dirname, "..", "..", "scheduler", "service", "entry.ts");

export interface SchedulerProcess {
    /** Where the tenants' JSON-RPC is served (from the service's "listening" log line). */
    readonly url: string;
    /** Where /metrics, /healthz and /readyz are: `admin` when configured, else `url`. */
    readonly adminUrl: string;
    readonly child: ChildProcess;
    /** Everything written to stdout and stderr so far. */
    output(): string;
    /** The stdout lines that are JSON (the service's log), parsed. */
    logLines(): Record<string, unknown>[];
    /** Resolves with the first log line `match` accepts, waiting for it up to `timeoutMs`. */
    waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
    /** Sends `signal` (SIGTERM by default) and resolves with the exit code. Safe to call twice. */
    stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `node --import tsx scheduler/service/entry.ts --config <file>` and resolves once it logs
 * "listening" (its config may use port 0). Rejects with its output when it exits first.
 */
export function startSchedulerProcess(configFile: string, options: { timeoutMs?: number } = {}): Promise<SchedulerProcess> {
    const child = spawn(process.execPath, ["--import", "tsx", SCHEDULER_ENTRY, "--config", configFile], {
        cwd: path.join(__dirname, "..", ".."),
        stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let stdout = "";
    const waiters = new Set<() => void>();
    const notify = () => {
        for (const waiter of [...waiters]) waiter();
    };
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
        output += chunk;
        stdout += chunk;
        notify();
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
        output += chunk;
        notify();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => {
        notify();
        resolve(code);
    }));
    const logLines = (): Record<string, unknown>[] =>
        stdout
            .split("\n")
            .filter((line) => line.startsWith("{"))
            .flatMap((line) => {
                try {
                    return [JSON.parse(line) as Record<string, unknown>];
                } catch {
                    return [];
                }
            });
    const waitForLog = (match: (line: Record<string, unknown>) => boolean, timeoutMs = 10_000) =>
        new Promise<Record<string, unknown>>((resolve, reject) => {
            const check = () => {
                const found = logLines().find(match);
                if (found) finish(() => resolve(found));
                else if (child.exitCode !== null || child.signalCode !== null) finish(() => reject(new Error(`the scheduler exited (${child.exitCode ?? child.signalCode}) first:\n${output}`)));
            };
            const timer = setTimeout(() => finish(() => reject(new Error(`no such log line within ${timeoutMs} ms:\n${output}`))), timeoutMs);
            const finish = (then: () => void) => {
                clearTimeout(timer);
                waiters.delete(check);
                then();
            };
            waiters.add(check);
            check();
        });
    const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        const force = setTimeout(() => child.kill("SIGKILL"), 30_000);
        const code = await exited;
        clearTimeout(force);
        return code;
    };
    return waitForLog((line) => line.msg === "listening", options.timeoutMs ?? 20_000).then(
        (line) => ({
            url: String(line.url),
            adminUrl: String(line.admin ?? line.url),
            child,
            output: () => output,
            logLines,
            waitForLog,
            stop,
        }),
        async (err: unknown) => {
            await stop("SIGKILL");
            throw err;
        },
    );
}
