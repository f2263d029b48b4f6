// Load generator on undici: one worker thread per load, so that a flood's bookkeeping never delays
// the clock of the tenant whose latency is being measured (each has its own event loop), while the
// threads stay on the CPUs this process is placed on.
//
// Two shapes:
// - closed loop (no `rate`): each of `connections` sends its next request when the answer to the last
//   arrives; the upstream's saturation point is reached by having more connections than it serves.
// - open loop (`rate`): requests leave on a fixed schedule whatever the answers do, as independent
//   users would; `connections` only bounds the sockets, and a request waiting for one counts that wait.
// Latency runs from the moment the request is handed to undici to the end of its body.
//
// Counts cover the whole run (warm-up and drain included), because the other side's counters do;
// latency and throughput cover only the measured window, after the warm-up.
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { Pool } from "undici";

/** One POST through undici's handler API: about half the CPU of `request()`, whose streams and promises the load generator does not need. */
function post(pool: Pool, path: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
        let status = 0;
        const chunks: Buffer[] = [];
        pool.dispatch(
            { path, method: "POST", headers, body },
            {
                // Its presence is what marks the handler as undici 7's kind (the others are optional).
                onRequestStart: () => undefined,
                onResponseStart: (_controller, statusCode) => {
                    status = statusCode;
                },
                onResponseData: (_controller, chunk) => {
                    chunks.push(chunk);
                },
                onResponseEnd: () => resolve({ status, text: Buffer.concat(chunks).toString("utf8") }),
                onResponseError: (_controller, err) => reject(err),
            },
        );
    });
}

export interface LoadSpec {
    /** Who this load is, for error messages and the table. */
    readonly name: string;
    /** Origin to send to, e.g. http://127.0.0.1:8080. */
    readonly url: string;
    /** @default "/" */
    readonly path?: string;
    /** Sent as `Authorization: Bearer <key>`; no header when left out. */
    readonly key?: string;
    /** The POST body, sent as is. */
    readonly body: string;
    readonly connections: number;
    /** Requests per second (open loop); a closed loop when left out. */
    readonly rate?: number;
    /** Measured window, ms. */
    readonly durationMs: number;
    /** Load before the window, not measured (counted). @default 0 */
    readonly warmupMs?: number;
    /** How long answers still outstanding at the end may take before they count as lost. @default 10000 */
    readonly drainMs?: number;
}

export interface LoadResult {
    readonly name: string;
    /** Whole run: requests handed to undici, answers by HTTP status, transport errors, no answer by the end of the drain. */
    readonly sent: number;
    readonly answered: number;
    readonly byStatus: Readonly<Record<string, number>>;
    readonly errors: number;
    readonly errorSamples: readonly string[];
    readonly unanswered: number;
    /** 2xx answers whose body carries no JSON-RPC `result`. */
    readonly rpcErrors: number;
    /** Measured window only. */
    readonly window: {
        readonly ms: number;
        readonly sent: number;
        /** 2xx answers per second of window. */
        readonly okPerSecond: number;
        readonly byStatus: Readonly<Record<string, number>>;
        /** Latency of every 2xx answer, ms, ascending (to merge rounds). */
        readonly latenciesMs: readonly number[];
        /** Latency of 2xx answers, ms (NaN when there were none). */
        readonly p50Ms: number;
        readonly p99Ms: number;
        readonly maxMs: number;
    };
}

export function checkLoadSpec(spec: LoadSpec): void {
    const where = `load '${spec.name}'`;
    if (!Number.isInteger(spec.connections) || spec.connections < 1) throw new Error(`${where}: connections must be a whole number of at least 1, found ${spec.connections}`);
    if (spec.rate !== undefined && !(spec.rate > 0)) throw new Error(`${where}: rate must be above 0 requests per second, found ${spec.rate}`);
    if (!(spec.durationMs > 0)) throw new Error(`${where}: durationMs must be above 0, found ${spec.durationMs}`);
}

/** Nearest-rank percentile of ascending `sorted` (NaN when empty). */
export function percentile(sorted: ArrayLike<number>, q: number): number {
    if (sorted.length === 0) return Number.NaN;
    const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
    return sorted[rank - 1] ?? Number.NaN;
}

const nowMs = () => performance.now();

function add(counts: Record<string, number>, key: string): void {
    counts[key] = (counts[key] ?? 0) + 1;
}

/** Runs one load in this thread, starting at wall-clock time `startAt` (ms since the epoch). */
export async function runLoadHere(spec: LoadSpec, startAt = Date.now()): Promise<LoadResult> {
    checkLoadSpec(spec);
    const warmupMs = spec.warmupMs ?? 0;
    const drainMs = spec.drainMs ?? 10_000;
    const pool = new Pool(spec.url, {
        connections: spec.connections,
        pipelining: 1,
        keepAliveTimeout: 120_000,
        keepAliveMaxTimeout: 120_000,
        headersTimeout: drainMs + spec.durationMs + warmupMs,
        bodyTimeout: drainMs + spec.durationMs + warmupMs,
    });
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (spec.key !== undefined) headers.authorization = `Bearer ${spec.key}`;
    const path = spec.path ?? "/";

    const byStatus: Record<string, number> = {};
    const windowByStatus: Record<string, number> = {};
    const errorSamples = new Set<string>();
    const latencies: number[] = [];
    let sent = 0;
    let answered = 0;
    let errors = 0;
    let rpcErrors = 0;
    let windowSent = 0;
    let outstanding = 0;
    let allAnswered: (() => void) | undefined;

    const wait = startAt - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const start = nowMs();
    const windowStart = start + warmupMs;
    const stopAt = windowStart + spec.durationMs;

    const one = async (): Promise<void> => {
        const sentAt = nowMs();
        const inWindow = sentAt >= windowStart && sentAt < stopAt;
        sent++;
        if (inWindow) windowSent++;
        outstanding++;
        try {
            const res = await post(pool, path, headers, spec.body);
            const latency = nowMs() - sentAt;
            const status = String(res.status);
            answered++;
            add(byStatus, status);
            const ok = res.status >= 200 && res.status < 300;
            if (ok && !res.text.includes('"result"')) rpcErrors++;
            if (inWindow) {
                add(windowByStatus, status);
                if (ok) latencies.push(latency);
            }
        } catch (err) {
            errors++;
            if (errorSamples.size < 3) errorSamples.add(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
        } finally {
            outstanding--;
            if (outstanding === 0) allAnswered?.();
        }
    };

    if (spec.rate === undefined) {
        const loop = async () => {
            while (nowMs() < stopAt) await one();
        };
        await Promise.all(Array.from({ length: spec.connections }, loop));
    } else {
        // Fire every request whose time has come, then sleep until the next one is due: timers are
        // ~1 ms coarse, so at high rates several leave per tick and the rate holds on average.
        const interval = 1000 / spec.rate;
        let next = start;
        while (next < stopAt) {
            const now = nowMs();
            while (next <= now && next < stopAt) {
                void one();
                next += interval;
            }
            if (next < stopAt) await new Promise((r) => setTimeout(r, Math.max(0, next - nowMs())));
        }
    }

    if (outstanding > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([new Promise<void>((r) => (allAnswered = r)), new Promise((r) => (timer = setTimeout(r, drainMs)))]);
        clearTimeout(timer);
    }
    // Counts freeze here: whatever destroy() cuts off below is lost, not a transport error.
    const unanswered = outstanding;
    const counted = { sent, answered, errors, rpcErrors, byStatus: { ...byStatus } };
    await pool.destroy();

    latencies.sort((a, b) => a - b);
    const windowOk = Object.entries(windowByStatus).reduce((n, [status, count]) => (status.startsWith("2") ? n + count : n), 0);
    return {
        name: spec.name,
        ...counted,
        errorSamples: [...errorSamples],
        unanswered,
        window: {
            ms: spec.durationMs,
            sent: windowSent,
            okPerSecond: windowOk / (spec.durationMs / 1000),
            byStatus: windowByStatus,
            latenciesMs: latencies,
            p50Ms: percentile(latencies, 0.5),
            p99Ms: percentile(latencies, 0.99),
            maxMs: latencies.length === 0 ? Number.NaN : (latencies[latencies.length - 1] ?? Number.NaN),
        },
    };
}

const WORKER_TAG = "ledgerfleet-bench-load";

interface WorkerInput {
    tag: typeof WORKER_TAG;
    spec: LoadSpec;
}

/** Worker -> parent: loaded and waiting for the start time, then the result. */
type WorkerMessage = { ready: true } | { result: LoadResult };

/**
 * Runs the loads at the same time, each in its own worker thread: every thread loads this module
 * first (half a second under tsx), then all start at the same instant.
 */
export async function runLoads(specs: readonly LoadSpec[]): Promise<LoadResult[]> {
    specs.forEach(checkLoadSpec);
    const workers: Worker[] = [];
    let waiting = specs.length;
    try {
        return await Promise.all(
            specs.map(
                (spec) =>
                    new Promise<LoadResult>((resolve, reject) => {
                        const input: WorkerInput = { tag: WORKER_TAG, spec };
                        const worker = new Worker(__filename, { workerData: input });
                        workers.push(worker);
                        worker.on("message", (message: WorkerMessage) => {
                            if ("result" in message) {
                                resolve(message.result);
                            } else if (--waiting === 0) {
                                const startAt = Date.now() + 50;
                                for (const w of workers) w.postMessage({ startAt });
                            }
                        });
                        worker.once("error", (err) => reject(new Error(`load '${spec.name}' failed: ${err.message}`)));
                        worker.once("exit", (code) => reject(new Error(`load '${spec.name}': its worker exited (code ${code}) without a result`)));
                    }),
            ),
        );
    } finally {
        await Promise.all(workers.map((w) => w.terminate()));
    }
}

if (!isMainThread && (workerData as Partial<WorkerInput> | undefined)?.tag === WORKER_TAG) {
    const input = workerData as WorkerInput;
    const port = parentPort;
    port?.once("message", ({ startAt }: { startAt: number }) => {
        runLoadHere(input.spec, startAt).then(
            (result) => port.postMessage({ result } satisfies WorkerMessage),
            (err: unknown) => {
                throw err;
            },
        );
    });
    port?.postMessage({ ready: true } satisfies WorkerMessage);
}
