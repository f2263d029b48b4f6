// The scheduler service under load, beside nginx doing the same job the usual way, all in one run:
//
// 1. Overhead: closed loops at the upstream's saturation point, straight to the upstream, through
//    the scheduler and through nginx: throughput, p50 and p99, and their ratios to the direct path.
//    Upstreams: a fixed-service-time one (5 ms, 32 in service, so its capacity is known) at 32
//    connections, and anvil (a real Ethereum JSON-RPC node) at the point its ramp finds.
// 2. Isolation: tenant A at 50% of its quota while B sends 10x its quota, on a "contended" upstream
//    (32 x 128 ms = 250 rps) that serves either tenant's quota (200 rps) but not what the two quotas
//    admit together (A's 100 + B's 200): A's p99 with the flood against A alone. The scheduler queues
//    per tenant and shares the upstream's slots by weight (A's half, 125 rps, covers its 100); nginx
//    forwards whatever limit_req admits into the upstream's one first-come queue, which grows by
//    50 requests a second for as long as the flood lasts.
// 3. Fairness: four backlogged tenants weighted 1:1:2:4 on the contended upstream: their shares of
//    the answers against their weights, and Jain's index of the weight-normalised shares.
// 5. No request lost: for the scheduler's flood, the clients' counts by status against the
//    scheduler's /metrics and the upstream's own count.
// (4, the baseline, is the nginx column.)
//
// How the processes are placed, then one table with every figure (the CPU each process used among
// them) and its target. Ratios come from this run only; nothing is asserted (see DESIGN.md). Exit 0
// once the table is printed, targets met or not; 1 when the bench itself could not run.
//
//   npm run bench:scheduler               2 to 3 minutes
//   npm run bench:scheduler -- --quick    shorter windows, one round (a smoke run; noisier figures)
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { freePort, startAnvil } from "../test/support/anvil";
import { fairness, findSaturation, isolation, type IsolationRun, okCount, type Target, type Throughput, throughputAtSaturation, type Timing } from "./lib/cases";
import { compareCounts, type CountCheck, type CountSnapshot, formatCounts } from "./lib/counts";
import { capacityRps, type FixedUpstreamOptions, spawnFixedUpstreams } from "./lib/fixed-upstream";
import { type NginxTenant, startNginx } from "./lib/nginx";
import { childPidsNamed, Cleanup, CpuMeter, OTHERS, placeProcesses, Reaper } from "./lib/processes";
import { startSchedulerProcess } from "./lib/scheduler-process";
import { figure, markdownTable, ratio } from "./lib/table";

/** The overhead cases' upstream: capacity 32 / 5 ms = 6,400 rps (nominally: timers fire late, the direct row shows what it does). */
const FIXED: FixedUpstreamOptions = { serviceMs: 5, concurrency: 32, queueLimit: 1024 };
/** The contention cases' upstream: 250 rps, above one tenant's quota, below what A and B's quotas admit together. */
const CONTENDED: FixedUpstreamOptions = { serviceMs: 128, concurrency: 32, queueLimit: 1024 };
/**
 * Requests the scheduler holds on each peer, per ledger (the service's `inFlightPerUpstream`, which a
 * ledger may set for its own peers). A bound trades throughput for isolation:
 * - the overhead case's peer gets a quarter more than it serves at once: the few waiting at the peer
 *   hide the scheduler's own turnaround (answer in, slot freed, next request out), where with exactly
 *   32 the peer idles in between (0.83x of direct at saturation, against 0.90-0.94x with 40);
 * - the contention cases' peer gets exactly what it serves at once, so everything else waits in the
 *   scheduler's fair queues: with 40 a flood put 8 requests ahead of a neighbour's at the peer, and A's
 *   p99 ratio went from 1.4x to 1.8x.
 */
const IN_FLIGHT = 32;
const IN_FLIGHT_OVERHEAD = 40;
/** Connections for the overhead case: twice what the upstream serves at once, so it is saturated through every path. */
const OVERHEAD_CONNECTIONS = 2 * 32;
const QUEUE_LENGTH = 256;
const QUOTA_RPS = 200;
const RATE_A = QUOTA_RPS / 2;
const RATE_B = QUOTA_RPS * 10;
/** Quota of the tenants whose buckets must not bind (overhead, fairness). */
const UNLIMITED_RPS = 100_000;
const FAIR_TENANTS = [
    { id: "w1-a", weight: 1 },
    { id: "w1-b", weight: 1 },
    { id: "w2", weight: 2 },
    { id: "w4", weight: 4 },
] as const;
/** Each fairness tenant's closed loops: more than its share of the 32 slots plus a queue, so it stays backlogged. */
const FAIR_CONNECTIONS = 48;
const ANVIL_RAMP = [1, 4, 16, 64];
const TARGETS = { isolationRatio: 1.5, jain: 0.95, overheadThroughput: 0.85 };

interface Durations {
    readonly rounds: number;
    readonly overhead: Timing;
    readonly ramp: Timing;
    readonly isolation: Timing;
    readonly fairness: Timing;
}
const FULL: Durations = {
    rounds: 2,
    overhead: { warmupMs: 1000, windowMs: 2500 },
    ramp: { warmupMs: 500, windowMs: 1500 },
    isolation: { warmupMs: 2000, windowMs: 5000 },
    fairness: { warmupMs: 2000, windowMs: 6000 },
};
const QUICK: Durations = {
    rounds: 1,
    overhead: { warmupMs: 500, windowMs: 1500 },
    ramp: { warmupMs: 300, windowMs: 800 },
    isolation: { warmupMs: 1500, windowMs: 3000 },
    fairness: { warmupMs: 1500, windowMs: 3000 },
};

const progress = (text: string) => process.stderr.write(`${text}\n`);

/** Random per run: the keys live in temp files and the processes' memory only. */
const keys = new Map<string, string>();
function keyOf(tenant: string): string {
    let key = keys.get(tenant);
    if (key === undefined) {
        key = randomBytes(24).toString("base64url");
        keys.set(tenant, key);
    }
    return key;
}

interface Measured {
    fixed: Map<string, Throughput>;
    anvilRamp: Awaited<ReturnType<typeof findSaturation>>;
    anvil: Map<string, Throughput>;
    isolation: { scheduler: IsolationRun; nginx: IsolationRun };
    counts: CountCheck;
    nginxForwarded: { client2xx: number; upstreamServed: number };
    /** The contended upstream's answers per second over each flood run (its capacity when the gateway keeps it busy). */
    upstreamRate: { scheduler: number; nginx: number };
    fairness: Awaited<ReturnType<typeof fairness>>;
}

async function measure(durations: Durations, gatewayPrefix: readonly string[], root: string, cleanup: Cleanup, reaper: Reaper): Promise<Measured> {
    progress("starting the fixed upstreams, anvil, the scheduler and nginx...");
    const upstreams = await spawnFixedUpstreams([FIXED, CONTENDED]);
    reaper.watch(upstreams.pid);
    cleanup.add("stop the fixed upstreams", () => upstreams.stop());
    const [fixed, contended] = upstreams.upstreams;
    if (fixed === undefined || contended === undefined) throw new Error("the fixed upstreams' process started fewer upstreams than asked");
    const anvil = await startAnvil();
    cleanup.add("stop anvil", () => anvil.stop());
    const anvilPid = childPidsNamed("anvil")[0] ?? Number.NaN;
    reaper.watch(anvilPid);

    const scheduler = await startSchedulerProcess(
        {
            dir: path.join(root, "scheduler"),
            port: await freePort(),
            adminPort: await freePort(),
            ledgers: { fixed: [fixed.url], anvil: [anvil.url], contended: [contended.url] },
            tenants: [
                { id: "overhead", ledger: "fixed", key: keyOf("overhead"), rps: UNLIMITED_RPS },
                { id: "chain", ledger: "anvil", key: keyOf("chain"), rps: UNLIMITED_RPS },
                { id: "a", ledger: "contended", key: keyOf("a"), rps: QUOTA_RPS },
                { id: "b", ledger: "contended", key: keyOf("b"), rps: QUOTA_RPS },
                ...FAIR_TENANTS.map((t) => ({ id: t.id, ledger: "contended", key: keyOf(t.id), rps: UNLIMITED_RPS, weight: t.weight })),
            ],
            inFlightPerUpstream: IN_FLIGHT,
            inFlightByLedger: { fixed: IN_FLIGHT_OVERHEAD },
            queueLength: QUEUE_LENGTH,
        },
        gatewayPrefix,
    );
    reaper.watch(scheduler.pid);
    cleanup.add("stop the scheduler", () => scheduler.stop());
    const nginx = async (name: string, upstream: string, tenants: NginxTenant[]) => {
        const running = await startNginx({ dir: path.join(root, `nginx-${name}`), port: await freePort(), upstream, tenants, keepalive: 64 }, gatewayPrefix);
        reaper.watch(running.pid);
        cleanup.add(`stop nginx (${name})`, () => running.stop());
        return running;
    };
    const nginxFixed = await nginx("fixed", fixed.url, [{ id: "overhead", key: keyOf("overhead"), rps: UNLIMITED_RPS }]);
    const nginxAnvil = await nginx("anvil", anvil.url, [{ id: "chain", key: keyOf("chain"), rps: UNLIMITED_RPS }]);
    const nginxContended = await nginx("contended", contended.url, [
        { id: "a", key: keyOf("a"), rps: QUOTA_RPS },
        { id: "b", key: keyOf("b"), rps: QUOTA_RPS },
    ]);

    const pids = (upstream: [string, number], gateway?: [string, number]) =>
        new Map<string, number>([["load generator", process.pid], upstream, ...(gateway === undefined ? [] : [gateway])]);
    const targets = (direct: string, upstream: [string, number], tenant: string, nginxRun: { url: string; pid: number }): Target[] => [
        { name: "direct", url: direct, pids: pids(upstream) },
        { name: "scheduler", url: scheduler.url, key: keyOf(tenant), pids: pids(upstream, ["scheduler", scheduler.pid]) },
        { name: "nginx", url: nginxRun.url, key: keyOf(tenant), pids: pids(upstream, ["nginx", nginxRun.pid]) },
    ];

    progress(`1. overhead on the fixed upstream: ${OVERHEAD_CONNECTIONS} connections, ${durations.rounds} round(s) of direct, scheduler, nginx...`);
    const fixedResult = await throughputAtSaturation(targets(fixed.url, ["upstreams", upstreams.pid], "overhead", nginxFixed), OVERHEAD_CONNECTIONS, durations.rounds, durations.overhead);

    progress(`1. overhead on anvil: finding its saturation point (${ANVIL_RAMP.join(", ")} connections), then direct, scheduler, nginx...`);
    const anvilTargets = targets(anvil.url, ["anvil", anvilPid], "chain", nginxAnvil);
    const [anvilDirect] = anvilTargets;
    if (anvilDirect === undefined) throw new Error("no direct path to anvil");
    const anvilRamp = await findSaturation(anvilDirect, ANVIL_RAMP, durations.ramp);
    const anvilResult = await throughputAtSaturation(anvilTargets, anvilRamp.connections, durations.rounds, durations.overhead);

    progress(`2, 5. isolation through the scheduler: A at ${RATE_A} rps alone, then with B at ${RATE_B} rps; request counts on both sides...`);
    const loads = { rateA: RATE_A, rateB: RATE_B, connectionsA: 256, connectionsB: 512 };
    const tenantTargets = (url: string, gateway: [string, number]) =>
        [
            { name: "a", url, key: keyOf("a"), pids: pids(["upstreams", upstreams.pid], gateway) },
            { name: "b", url, key: keyOf("b"), pids: pids(["upstreams", upstreams.pid], gateway) },
        ] as const;
    const snapshot = async (): Promise<CountSnapshot> => ({ metrics: await scheduler.metrics(), upstream: await contended.stats() });
    const snapshots: CountSnapshot[] = [];
    const [schedulerA, schedulerB] = tenantTargets(scheduler.url, ["scheduler", scheduler.pid]);
    const schedulerIsolation = await isolation(schedulerA, schedulerB, loads, durations.isolation, {
        before: async () => void snapshots.push(await snapshot()),
        after: async () => void snapshots.push(await snapshot()),
    });
    const [before, after] = snapshots;
    if (before === undefined || after === undefined) throw new Error("the request counts around the flood were not taken");
    const counts = compareCounts([schedulerIsolation.withFlood, schedulerIsolation.flood], ["a", "b"], before, after);

    progress("2. isolation through nginx...");
    const served: number[] = [];
    const [nginxA, nginxB] = tenantTargets(nginxContended.url, ["nginx", nginxContended.pid]);
    const nginxIsolation = await isolation(nginxA, nginxB, loads, durations.isolation, {
        before: async () => void served.push((await contended.stats()).served),
        after: async () => void served.push((await contended.stats()).served),
    });
    const nginxForwarded = { client2xx: okCount(nginxIsolation.withFlood.byStatus) + okCount(nginxIsolation.flood.byStatus), upstreamServed: (served[1] ?? 0) - (served[0] ?? 0) };
    const upstreamRate = { scheduler: counts.upstreamServed / schedulerIsolation.floodSeconds, nginx: nginxForwarded.upstreamServed / nginxIsolation.floodSeconds };

    progress(`3. fairness: ${FAIR_TENANTS.length} tenants weighted ${FAIR_TENANTS.map((t) => t.weight).join(":")}, ${FAIR_CONNECTIONS} connections each...`);
    const fair = await fairness(scheduler.url, FAIR_TENANTS.map((t) => ({ id: t.id, key: keyOf(t.id), weight: t.weight })), FAIR_CONNECTIONS, durations.fairness);

    return { fixed: fixedResult, anvilRamp, anvil: anvilResult, isolation: { scheduler: schedulerIsolation, nginx: nginxIsolation }, counts, nginxForwarded, upstreamRate, fairness: fair };
}

const met = (ok: boolean) => (ok ? "met" : "NOT met");
const mean = (xs: readonly number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/** `target`: the least throughput, as a fraction of direct, the scheduler must keep (the upstream's saturation point). */
function overheadRows(label: string, by: Map<string, Throughput>, target?: number): string[][] {
    const [direct, scheduler, nginx] = ["direct", "scheduler", "nginx"].map((n) => by.get(n));
    if (direct === undefined || scheduler === undefined || nginx === undefined) return [[label, "missing", "", "", "", "", ""]];
    const row = (what: string, pick: (t: Throughput) => number, decimals = 1) => [label, what, figure(pick(direct), decimals), figure(pick(scheduler), decimals), figure(pick(nginx), decimals), "-", ""];
    const vs = (what: string, pick: (t: Throughput) => number) => [label, `${what} vs direct`, "1.00x", ratio(pick(scheduler), pick(direct)), ratio(pick(nginx), pick(direct)), "none set", ""];
    const notOk = (t: Throughput) => t.non2xx + t.rpcErrors + t.errors;
    const throughputVs = vs("throughput", (t) => t.okPerSecond);
    if (target !== undefined) {
        throughputVs[5] = `>= ${target.toFixed(2)}x (overhead < ${Math.round((1 - target) * 100)}%)`;
        throughputVs[6] = met(scheduler.okPerSecond / direct.okPerSecond >= target);
    }
    return [
        row("throughput, 2xx/s", (t) => t.okPerSecond),
        throughputVs,
        row("p50 ms", (t) => t.p50Ms, 2),
        vs("p50", (t) => t.p50Ms),
        row("p99 ms", (t) => t.p99Ms, 2),
        vs("p99", (t) => t.p99Ms),
        [label, "answers not 2xx with a result, or none", String(notOk(direct)), String(notOk(scheduler)), String(notOk(nginx)), "0", met(notOk(scheduler) === 0)],
        row("gateway CPU, % of its core", (t) => t.cpu.get("scheduler") ?? t.cpu.get("nginx") ?? Number.NaN, 0),
        row("gateway CPU per request, us", (t) => t.cpuPerRequestUs.get("scheduler") ?? t.cpuPerRequestUs.get("nginx") ?? Number.NaN, 0),
        row("upstream CPU, % of a core", (t) => t.cpu.get("upstreams") ?? t.cpu.get("anvil") ?? Number.NaN, 0),
        row("load generator CPU, % of a core", (t) => t.cpu.get("load generator") ?? Number.NaN, 0),
        row("other programs' CPU, % of a core", (t) => t.cpu.get(OTHERS) ?? Number.NaN, 0),
    ];
}

/** Percent of one CPU that other programs keep busy, over a second. */
async function othersBusy(): Promise<number> {
    const meter = new CpuMeter(new Map([["bench", process.pid]]));
    await new Promise((r) => setTimeout(r, 1000));
    return meter.read().get(OTHERS) ?? Number.NaN;
}

function report(m: Measured, placement: string, quick: boolean, busyBefore: number): string[] {
    const rows: string[][] = [];
    rows.push(...overheadRows(`1 overhead, fixed upstream (${FIXED.serviceMs} ms x ${FIXED.concurrency}, ${figure(capacityRps(FIXED))} rps nominal), ${OVERHEAD_CONNECTIONS} conns`, m.fixed, TARGETS.overheadThroughput));
    const rampText = m.anvilRamp.steps.map((s) => `${s.connections}: ${figure(s.okPerSecond)}/s`).join(", ");
    rows.push(["1 overhead, anvil", `saturation ramp, direct (conns: 2xx/s)`, rampText, "", "", `point: ${m.anvilRamp.connections} conns`, ""]);
    rows.push(...overheadRows(`1 overhead, anvil, ${m.anvilRamp.connections} conns`, m.anvil));

    const iso = (run: IsolationRun) => ({ alone: run.alone.window.p99Ms, flood: run.withFlood.window.p99Ms, ratio: run.withFlood.window.p99Ms / run.alone.window.p99Ms });
    const s = iso(m.isolation.scheduler);
    const n = iso(m.isolation.nginx);
    const label = `2 isolation, contended upstream (${figure(capacityRps(CONTENDED))} rps), quotas ${QUOTA_RPS} rps, A ${RATE_A}/s, B ${RATE_B}/s`;
    const isolationMet = s.ratio <= TARGETS.isolationRatio && s.ratio < n.ratio;
    rows.push(
        [label, "A p50 ms alone / with B flooding", "-", `${figure(m.isolation.scheduler.alone.window.p50Ms, 2)} / ${figure(m.isolation.scheduler.withFlood.window.p50Ms, 2)}`, `${figure(m.isolation.nginx.alone.window.p50Ms, 2)} / ${figure(m.isolation.nginx.withFlood.window.p50Ms, 2)}`, "-", ""],
        [label, "A p99 ms alone", "-", figure(s.alone, 2), figure(n.alone, 2), "-", ""],
        [label, "A p99 ms with B flooding", "-", figure(s.flood, 2), figure(n.flood, 2), "-", ""],
        [label, "A p99 ratio, flood / alone", "-", `${s.ratio.toFixed(2)}x`, `${n.ratio.toFixed(2)}x`, `<= ${TARGETS.isolationRatio}x and below nginx's`, met(isolationMet)],
        [label, "A answers with B flooding", "-", formatCounts(m.isolation.scheduler.withFlood.byStatus), formatCounts(m.isolation.nginx.withFlood.byStatus), "all 2xx", met(Object.keys(m.isolation.scheduler.withFlood.byStatus).every((c) => c.startsWith("2")))],
        [label, "B answers (whole flood)", "-", formatCounts(m.isolation.scheduler.flood.byStatus), formatCounts(m.isolation.nginx.flood.byStatus), "-", ""],
        [label, "gateway CPU during the flood, % of its core", "-", figure(m.isolation.scheduler.cpu.get("scheduler") ?? Number.NaN, 0), figure(m.isolation.nginx.cpu.get("nginx") ?? Number.NaN, 0), "-", ""],
        [label, "gateway CPU per request during the flood, us", "-", figure(m.isolation.scheduler.cpuPerRequestUs.get("scheduler") ?? Number.NaN, 0), figure(m.isolation.nginx.cpuPerRequestUs.get("nginx") ?? Number.NaN, 0), "-", ""],
        [label, "upstream's answers per second during the flood run", "-", figure(m.upstreamRate.scheduler), figure(m.upstreamRate.nginx), `capacity ${figure(capacityRps(CONTENDED))}`, ""],
        [label, "A mean ms with B flooding: client (window) / scheduler's own (arrival to answer, whole run)", "-", `${figure(mean(m.isolation.scheduler.withFlood.window.latenciesMs), 2)} / ${figure(m.counts.serverMeanMs.a ?? Number.NaN, 2)}`, "-", "-", ""],
        [label, "other programs' CPU during the flood, % of a core", "-", figure(m.isolation.scheduler.cpu.get(OTHERS) ?? Number.NaN, 0), figure(m.isolation.nginx.cpu.get(OTHERS) ?? Number.NaN, 0), "-", ""],
    );

    const f = m.fairness.fairness;
    for (const share of f.shares) {
        rows.push([`3 fairness, contended upstream, ${FAIR_CONNECTIONS} conns each`, `tenant ${share.tenant} (weight ${share.weight}): share / entitled`, "-", `${(share.share * 100).toFixed(1)}% / ${(share.entitled * 100).toFixed(1)}%`, "-", "-", ""]);
    }
    const served = m.fairness.results.reduce((a, r) => a + okCount(r.window.byStatus), 0);
    const windowSeconds = (m.fairness.results[0]?.window.ms ?? Number.NaN) / 1000;
    rows.push([`3 fairness, contended upstream, ${FAIR_CONNECTIONS} conns each`, "upstream saturated: 2xx/s, all tenants / capacity", "-", `${figure(served / windowSeconds)} / ${figure(capacityRps(CONTENDED))}`, "-", "-", ""]);
    rows.push([`3 fairness, contended upstream, ${FAIR_CONNECTIONS} conns each`, `Jain's index of share/weight (${served} answers)`, "-", f.jain.toFixed(3), "-", `>= ${TARGETS.jain}`, met(f.jain >= TARGETS.jain)]);

    const c = m.counts;
    const lost = "5 no request lost (scheduler, the flood of case 2)";
    rows.push(
        [lost, "requests sent by A and B (client)", "-", String(c.clientSent), "-", "-", ""],
        [lost, "answers by status, client", "-", `${formatCounts(c.clientByStatus)}; no answer: ${c.clientLost}`, "-", "-", ""],
        [lost, "answers by status, scheduler /metrics", "-", formatCounts(c.serverByStatus), "-", "-", ""],
        [lost, "by tenant and outcome, scheduler /metrics", "-", Object.entries(c.serverByTenant).map(([t, o]) => `${t}: ${formatCounts(o)}`).join("; "), "-", "-", ""],
        [lost, "forwarded: client 2xx / upstream's own count", "-", `${okCount(c.clientByStatus)} / ${c.upstreamServed}`, `${m.nginxForwarded.client2xx} / ${m.nginxForwarded.upstreamServed}`, "equal", ""],
        [lost, "every request exactly one answer, both sides agree", "-", c.mismatches.length === 0 ? "yes" : "NO", "-", "yes", met(c.mismatches.length === 0)],
    );

    const out = [
        `ledgerfleet scheduler benchmark: node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? "unknown CPU"}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}${quick ? ", --quick (short windows, one round)" : ""}`,
        `placement: ${placement}`,
        `other programs on the machine before the run: ${figure(busyBefore, 0)}% of one CPU busy (of ${os.cpus().length * 100}%); their share during each case is in the table`,
        "",
        ...markdownTable(["case", "figure", "direct", "scheduler", "nginx", "target", "result"], rows),
        "",
        "Latency runs from handing a request to the client library to the end of its answer; throughput counts 2xx answers in the measured window (after a warm-up).",
        `Overhead paths ran in ${quick ? "one round" : "interleaved rounds"} (direct, scheduler, nginx, ...), merged per path. Open-loop rates (case 2) are offered whatever the answers do.`,
        `nginx: limit_req keyed on $http_authorization, rate = the tenant's rps, burst = one second's worth, nodelay (the scheduler's bucket also holds one second); keep-alive to the upstream (keepalive 64); no per-tenant queue.`,
        `Fixed upstreams: ${FIXED.concurrency} requests in service at once, up to ${FIXED.queueLimit} more queued FIFO, beyond that 503; service time from a timer (at least the nominal ms).`,
    ];
    for (const mismatch of c.mismatches) out.push(`count mismatch: ${mismatch}`);
    return out;
}

async function main(): Promise<number> {
    let quick: boolean;
    try {
        quick = parseArgs({ args: process.argv.slice(2), options: { quick: { type: "boolean", default: false } }, strict: true, allowPositionals: false }).values.quick ?? false;
    } catch (err) {
        process.stderr.write(`bench/scheduler.ts: ${(err as Error).message}\nusage: npm run bench:scheduler -- [--quick]\n`);
        return 2;
    }
    const placement = placeProcesses();
    const cleanup = new Cleanup();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerfleet-bench-scheduler-"));
    const reaper = new Reaper(root);
    cleanup.add("release the reaper", () => reaper.release());
    cleanup.removeDir(root);
    // `on`, not `once`: tsx relays a Ctrl-C a second time when the first is slow to be acknowledged,
    // and a signal nobody listens to would end the process before the cleanup has run.
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.on(signal, () => {
            progress(`\n${signal}: stopping every process the bench started and removing ${root}...`);
            void cleanup.run().then(() => process.exit(130));
        });
    }
    try {
        const busyBefore = await othersBusy();
        const measured = await measure(quick ? QUICK : FULL, placement.gatewayPrefix, root, cleanup, reaper);
        for (const line of report(measured, placement.description, quick, busyBefore)) console.log(line);
        return 0;
    } finally {
        await cleanup.run();
    }
}

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (err: unknown) => {
            console.error(`bench/scheduler.ts failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
            process.exit(1);
        },
    );
}
