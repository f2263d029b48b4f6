// The scheduler service as the bench runs it: as its image does, the one-file bundle that
// scheduler/Dockerfile's esbuild command makes of scheduler/service/entry.ts, run by the project's
// Node 22 in a child process (not `ledgerfleet scheduler` under tsx, whose process also loads the
// CLI's Pulumi program and mocks: a heap several times larger to collect), with a config written for the bench, its access log in a file, and /metrics on an admin port
// of its own so that reading them is not one of the requests being counted.
import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { request } from "undici";
import { stringify } from "yaml";
import { spawnUnder } from "./processes";
import { bundleScheduler } from "../../test/support/bundle";

export interface BenchTenant {
    readonly id: string;
    readonly ledger: string;
    readonly key: string;
    readonly rps: number;
    /** @default 1 */
    readonly weight?: number;
}

export interface SchedulerSetup {
    /** Folder for the config and the log (not removed here). */
    readonly dir: string;
    readonly port: number;
    readonly adminPort: number;
    /** Ledger id -> upstream URLs. */
    readonly ledgers: Readonly<Record<string, readonly string[]>>;
    readonly tenants: readonly BenchTenant[];
    readonly inFlightPerUpstream: number;
    /** Ledger id -> its peers' own in-flight bound, where it differs from inFlightPerUpstream. */
    readonly inFlightByLedger?: Readonly<Record<string, number>>;
    readonly queueLength: number;
}

export interface RunningSchedulerProcess {
    readonly url: string;
    readonly adminUrl: string;
    readonly pid: number;
    readonly logFile: string;
    metrics(): Promise<MetricSample[]>;
    stop(): Promise<void>;
}

export interface MetricSample {
    readonly name: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly value: number;
}

const ROOT = path.join(__dirname, "..", "..");

export const keySha256 = (key: string): string => createHash("sha256").update(key, "utf8").digest("hex");

/** The scheduler config for the bench (scheduler/service/config.ts is its schema). */
export function schedulerConfig(setup: SchedulerSetup): string {
    return stringify({
        listen: { host: "127.0.0.1", port: setup.port },
        admin: { host: "127.0.0.1", port: setup.adminPort },
        ledgers: Object.fromEntries(
            Object.entries(setup.ledgers).map(([id, upstreams]) => {
                const inFlight = setup.inFlightByLedger?.[id];
                return [id, { upstreams: [...upstreams], ...(inFlight === undefined ? {} : { inFlightPerUpstream: inFlight }) }];
            }),
        ),
        tenants: setup.tenants.map((t) => ({
            id: t.id,
            ledger: t.ledger,
            keySha256: keySha256(t.key),
            rps: t.rps,
            // The bench sends reads only; the transaction bucket is never asked.
            tps: 1,
            weight: t.weight ?? 1,
        })),
        replicas: 1,
        limits: { inFlightPerUpstream: setup.inFlightPerUpstream, queueLength: setup.queueLength },
        // One check per peer at start, then none during the run: a check is a request the upstream
        // counts, and the bench compares the upstream's count with the tenants' answers.
        health: { intervalMs: 600_000 },
    });
}

/** Prometheus text format -> samples (comments and blank lines skipped). */
export function parseMetrics(text: string): MetricSample[] {
    const samples: MetricSample[] = [];
    for (const line of text.split("\n")) {
        if (line === "" || line.startsWith("#")) continue;
        const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
        if (!match) continue;
        const labels: Record<string, string> = {};
        for (const pair of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1] ?? ""] = (pair[2] ?? "").replace(/\\(.)/g, "$1");
        samples.push({ name: match[1] ?? "", labels, value: Number(match[3]) });
    }
    return samples;
}

/** Sum of the samples named `name` whose labels include every pair of `where`. */
export function sumOf(samples: readonly MetricSample[], name: string, where: Readonly<Record<string, string>> = {}): number {
    let sum = 0;
    for (const s of samples) {
        if (s.name !== name) continue;
        if (Object.entries(where).every(([k, v]) => s.labels[k] === v)) sum += s.value;
    }
    return sum;
}

/** Starts the service under `prefix` (e.g. `taskset -c 1`) and resolves once /readyz answers 200. */
export async function startSchedulerProcess(setup: SchedulerSetup, prefix: readonly string[] = []): Promise<RunningSchedulerProcess> {
    fs.mkdirSync(setup.dir, { recursive: true });
    const configFile = path.join(setup.dir, "scheduler.yaml");
    const logFile = path.join(setup.dir, "scheduler.log");
    fs.writeFileSync(configFile, schedulerConfig(setup));
    const log = fs.openSync(logFile, "w");
    const node = path.join(ROOT, "node_modules", ".bin", "node");
    const bundle = path.join(setup.dir, "scheduler.js");
    bundleScheduler(bundle);
    const args = [bundle, "--config", configFile];
    // The access log (a line per request) goes to a file: a pipe nobody drained would stall the service.
    const child: ChildProcess = spawnUnder(prefix, node, args, { cwd: ROOT, stdio: ["ignore", log, log] });
    fs.closeSync(log);
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.once("error", (err) => fs.appendFileSync(logFile, `cannot start ${node}: ${err.message}\n`));
    const url = `http://127.0.0.1:${setup.port}`;
    const adminUrl = `http://127.0.0.1:${setup.adminPort}`;
    const stop = async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const force = setTimeout(() => child.kill("SIGKILL"), 5000);
        child.kill("SIGTERM");
        await exited;
        clearTimeout(force);
    };
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
        try {
            const res = await request(`${adminUrl}/readyz`, { headersTimeout: 1000, bodyTimeout: 1000 });
            await res.body.dump();
            if (res.statusCode === 200) {
                return {
                    url,
                    adminUrl,
                    pid: child.pid ?? 0,
                    logFile,
                    stop,
                    metrics: async () => {
                        const m = await request(`${adminUrl}/metrics`);
                        const text = await m.body.text();
                        if (m.statusCode !== 200) throw new Error(`scheduler: GET ${adminUrl}/metrics answered ${m.statusCode}: ${text.slice(0, 200)}`);
                        return parseMetrics(text);
                    },
                };
            }
        } catch {
            // Not listening yet.
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    await stop();
    const tail = fs.readFileSync(logFile, "utf8").slice(-3000);
    throw new Error(`the scheduler (${args.join(" ")}) did not become ready on ${adminUrl}/readyz within 30 s; its output:\n${tail}`);
}
