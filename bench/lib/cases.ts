// The bench's measurements, each a function of where to send and how: overhead at saturation
// (paths measured in interleaved rounds, so that whatever else the machine does falls on all of them
// alike), the saturation ramp, isolation (tenant A alone, then with B flooding) and fairness.
import { CpuMeter } from "./processes";
import { type LoadResult, type LoadSpec, percentile, runLoads } from "./load";
import { type Fairness, weightedFairness } from "./fairness";

export const BLOCK_NUMBER = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] });

/** Somewhere to send requests: straight to an upstream, or through a gateway with a tenant's key. */
export interface Target {
    readonly name: string;
    readonly url: string;
    readonly key?: string;
    /** Processes whose CPU use is reported while this target is loaded (name -> pid). */
    readonly pids: ReadonlyMap<string, number>;
}

export interface Throughput {
    readonly okPerSecond: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    /** Over every round: answers other than 2xx; */
    readonly non2xx: number;
    /** 2xx answers without a JSON-RPC result; */
    readonly rpcErrors: number;
    /** transport errors, and requests with no answer. */
    readonly errors: number;
    /** Process name -> percent of one CPU, averaged over the rounds. */
    readonly cpu: ReadonlyMap<string, number>;
    /** Process name -> CPU microseconds per request answered (warm-up and drain included). */
    readonly cpuPerRequestUs: ReadonlyMap<string, number>;
}

export interface Timing {
    readonly warmupMs: number;
    readonly windowMs: number;
}

/**
 * How long the flood's last answers may take: long enough that a request still waiting in a queue
 * or a socket when the load stops is answered and counted, not cut off and called lost.
 */
const FLOOD_DRAIN_MS = 30_000;

/** 2xx answers in a count by HTTP status. */
export const okCount = (byStatus: Readonly<Record<string, number>>) => Object.entries(byStatus).reduce((n, [code, count]) => (code.startsWith("2") ? n + count : n), 0);

/** Closed loops of `connections` to each target in turn, `rounds` times; rounds merged per target. */
export async function throughputAtSaturation(targets: readonly Target[], connections: number, rounds: number, timing: Timing): Promise<Map<string, Throughput>> {
    const merged = new Map<string, { latencies: number[]; ok: number; ms: number; non2xx: number; rpcErrors: number; errors: number; answered: number; cpu: Map<string, number>; cpuSeconds: Map<string, number> }>();
    for (let round = 0; round < rounds; round++) {
        for (const target of targets) {
            const meter = new CpuMeter(target.pids);
            const [result] = await runLoads([{ name: target.name, url: target.url, key: target.key, body: BLOCK_NUMBER, connections, durationMs: timing.windowMs, warmupMs: timing.warmupMs }]);
            const cpu = meter.read();
            const cpuSeconds = meter.seconds();
            if (result === undefined) throw new Error(`no result for ${target.name}`);
            const entry = merged.get(target.name) ?? { latencies: [], ok: 0, ms: 0, non2xx: 0, rpcErrors: 0, errors: 0, answered: 0, cpu: new Map<string, number>(), cpuSeconds: new Map<string, number>() };
            entry.answered += result.answered;
            for (const [name, used] of cpuSeconds) entry.cpuSeconds.set(name, (entry.cpuSeconds.get(name) ?? 0) + used);
            entry.latencies.push(...result.window.latenciesMs);
            entry.ok += okCount(result.window.byStatus);
            entry.ms += result.window.ms;
            entry.non2xx += result.answered - okCount(result.byStatus);
            entry.errors += result.errors + result.unanswered;
            entry.rpcErrors += result.rpcErrors;
            for (const [name, percent] of cpu) entry.cpu.set(name, (entry.cpu.get(name) ?? 0) + percent / rounds);
            merged.set(target.name, entry);
        }
    }
    const out = new Map<string, Throughput>();
    for (const [name, e] of merged) {
        e.latencies.sort((a, b) => a - b);
        const perRequest = new Map([...e.cpuSeconds].map(([process, used]) => [process, e.answered === 0 ? Number.NaN : (used / e.answered) * 1e6]));
        out.set(name, { okPerSecond: e.ok / (e.ms / 1000), p50Ms: percentile(e.latencies, 0.5), p99Ms: percentile(e.latencies, 0.99), non2xx: e.non2xx, rpcErrors: e.rpcErrors, errors: e.errors, cpu: e.cpu, cpuPerRequestUs: perRequest });
    }
    return out;
}

export interface RampStep {
    readonly connections: number;
    readonly okPerSecond: number;
    readonly p50Ms: number;
}

/**
 * The saturation point of an upstream whose capacity is not known: closed loops of growing size,
 * stopping once throughput grows by less than 10% over the step before. The point is the smallest
 * step within 10% of the best throughput seen: more connections beyond it only add queueing.
 */
export async function findSaturation(target: Target, steps: readonly number[], timing: Timing): Promise<{ steps: RampStep[]; connections: number }> {
    const seen: RampStep[] = [];
    for (const connections of steps) {
        const [result] = await runLoads([{ name: `${target.name} x${connections}`, url: target.url, key: target.key, body: BLOCK_NUMBER, connections, durationMs: timing.windowMs, warmupMs: timing.warmupMs }]);
        if (result === undefined) throw new Error(`no result for ${target.name}`);
        const step = { connections, okPerSecond: result.window.okPerSecond, p50Ms: result.window.p50Ms };
        const before = seen[seen.length - 1];
        seen.push(step);
        if (before !== undefined && step.okPerSecond < before.okPerSecond * 1.1) break;
    }
    const best = Math.max(...seen.map((s) => s.okPerSecond));
    const point = seen.find((s) => s.okPerSecond >= best * 0.9) ?? seen[seen.length - 1];
    return { steps: seen, connections: point?.connections ?? steps[0] ?? 1 };
}

export interface IsolationLoads {
    /** Tenant A's rate (within its quota) and B's (above it). */
    readonly rateA: number;
    readonly rateB: number;
    /** Sockets each may hold: enough that answers held in a queue never slow the offered rate. */
    readonly connectionsA: number;
    readonly connectionsB: number;
}

export interface IsolationRun {
    readonly alone: LoadResult;
    readonly withFlood: LoadResult;
    readonly flood: LoadResult;
    /** Percent of one CPU during the flood. */
    readonly cpu: ReadonlyMap<string, number>;
    /** CPU microseconds per request (A's and B's) during the flood. */
    readonly cpuPerRequestUs: ReadonlyMap<string, number>;
    /** Wall time of the flood run, first request to last answer (and the threads' start). */
    readonly floodSeconds: number;
}

/**
 * Tenant A alone at `rateA`, then A again while B sends `rateB`. The flood runs `warmupMs` before A's
 * window opens, so that B's bucket is empty and its queue full (or the upstream's backlog growing)
 * when A is measured. `aroundFlood` runs just before and after the flood (the request counts).
 */
export async function isolation(
    a: Target,
    b: Target,
    loads: IsolationLoads,
    timing: Timing,
    aroundFlood: { before(): Promise<void>; after(): Promise<void> } = { before: async () => {}, after: async () => {} },
): Promise<IsolationRun> {
    const specA = (warmupMs: number): LoadSpec => ({ name: a.name, url: a.url, key: a.key, body: BLOCK_NUMBER, rate: loads.rateA, connections: loads.connectionsA, durationMs: timing.windowMs, warmupMs, drainMs: FLOOD_DRAIN_MS });
    const [alone] = await runLoads([specA(1000)]);
    await aroundFlood.before();
    const meter = new CpuMeter(a.pids);
    const floodStart = performance.now();
    const [withFlood, flood] = await runLoads([
        specA(timing.warmupMs),
        { name: b.name, url: b.url, key: b.key, body: BLOCK_NUMBER, rate: loads.rateB, connections: loads.connectionsB, durationMs: timing.windowMs, warmupMs: timing.warmupMs, drainMs: FLOOD_DRAIN_MS },
    ]);
    const floodSeconds = (performance.now() - floodStart) / 1000;
    const cpu = meter.read();
    const cpuSeconds = meter.seconds();
    await aroundFlood.after();
    if (alone === undefined || withFlood === undefined || flood === undefined) throw new Error(`isolation through ${a.name}: a load returned no result`);
    const answered = withFlood.answered + flood.answered;
    return { alone, withFlood, flood, cpu, cpuPerRequestUs: new Map([...cpuSeconds].map(([process, used]) => [process, (used / answered) * 1e6])), floodSeconds };
}

export interface FairTenant {
    readonly id: string;
    readonly key: string;
    readonly weight: number;
}

/** Every tenant backlogged (closed loops of `connections` each) on a saturated upstream; shares from the 2xx answers in the window. */
export async function fairness(url: string, tenants: readonly FairTenant[], connections: number, timing: Timing): Promise<{ results: LoadResult[]; fairness: Fairness }> {
    const results = await runLoads(tenants.map((t) => ({ name: t.id, url, key: t.key, body: BLOCK_NUMBER, connections, durationMs: timing.windowMs, warmupMs: timing.warmupMs })));
    return {
        results,
        fairness: weightedFairness(tenants.map((t, i) => ({ tenant: t.id, weight: t.weight, served: okCount(results[i]?.window.byStatus ?? {}) }))),
    };
}

