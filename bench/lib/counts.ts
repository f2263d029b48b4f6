// "No request lost": every request the clients sent got exactly one answer, counted on both sides.
// The client side is the load generator's count by HTTP status (and what got no answer at all);
// the server side is the scheduler's /metrics (answers by status code, and by tenant and outcome)
// and the upstream's own count of what it served. Both sides are read as differences between a
// snapshot just before the flood and one after its last answer, so nothing else is in them.
import type { UpstreamStats } from "./fixed-upstream";
import type { LoadResult } from "./load";
import { type MetricSample, sumOf } from "./scheduler-process";

export interface CountSnapshot {
    readonly metrics: readonly MetricSample[];
    readonly upstream: UpstreamStats;
}

export interface CountCheck {
    readonly clientSent: number;
    readonly clientByStatus: Readonly<Record<string, number>>;
    /** Transport errors and requests with no answer by the end of the drain. */
    readonly clientLost: number;
    /** `ledgerfleet_scheduler_responses_total` by code. */
    readonly serverByStatus: Readonly<Record<string, number>>;
    /** `ledgerfleet_scheduler_requests_total` by tenant, then outcome. */
    readonly serverByTenant: Readonly<Record<string, Readonly<Record<string, number>>>>;
    readonly upstreamServed: number;
    /** Per tenant: mean ms from arrival to answer by the scheduler's own histogram (all its answers). */
    readonly serverMeanMs: Readonly<Record<string, number>>;
    readonly mismatches: readonly string[];
}

const RESPONSES = "ledgerfleet_scheduler_responses_total";
const REQUESTS = "ledgerfleet_scheduler_requests_total";
const DURATION = "ledgerfleet_scheduler_request_duration_seconds";

/** What a counter grew by between the snapshots, per value of `label` (zeros left out). */
function growth(before: readonly MetricSample[], after: readonly MetricSample[], name: string, label: string, where: Readonly<Record<string, string>> = {}): Record<string, number> {
    const values = new Set(after.filter((s) => s.name === name).map((s) => s.labels[label] ?? ""));
    const out: Record<string, number> = {};
    for (const value of [...values].sort()) {
        const filter = { ...where, [label]: value };
        const delta = sumOf(after, name, filter) - sumOf(before, name, filter);
        if (delta !== 0) out[value] = delta;
    }
    return out;
}

const total = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((a, b) => a + b, 0);
const sumStatus = (counts: Readonly<Record<string, number>>, test: (code: number) => boolean) =>
    Object.entries(counts).reduce((n, [code, count]) => (test(Number(code)) ? n + count : n), 0);

/** `results[i]` is tenant `tenants[i]`'s load. */
export function compareCounts(results: readonly LoadResult[], tenants: readonly string[], before: CountSnapshot, after: CountSnapshot): CountCheck {
    const clientByStatus: Record<string, number> = {};
    for (const r of results) for (const [code, n] of Object.entries(r.byStatus)) clientByStatus[code] = (clientByStatus[code] ?? 0) + n;
    const clientSent = results.reduce((n, r) => n + r.sent, 0);
    const clientLost = results.reduce((n, r) => n + r.errors + r.unanswered, 0);
    const serverByStatus = growth(before.metrics, after.metrics, RESPONSES, "code");
    const serverByTenant = Object.fromEntries(tenants.map((t) => [t, growth(before.metrics, after.metrics, REQUESTS, "outcome", { tenant: t })]));
    const upstreamServed = after.upstream.served - before.upstream.served;
    const grew = (name: string, tenant: string) => sumOf(after.metrics, name, { tenant }) - sumOf(before.metrics, name, { tenant });
    const serverMeanMs = Object.fromEntries(tenants.map((t) => [t, (grew(`${DURATION}_sum`, t) / grew(`${DURATION}_count`, t)) * 1000]));

    const mismatches: string[] = [];
    const expect = (what: string, client: number, server: number) => {
        if (client !== server) mismatches.push(`${what}: client ${client}, server ${server}`);
    };
    if (clientLost > 0) mismatches.push(`${clientLost} request(s) got no answer (transport error or none by the end of the drain)`);
    const unexpected = Object.keys(clientByStatus).filter((code) => !/^2\d\d$/.test(code) && code !== "429" && code !== "503");
    if (unexpected.length > 0) mismatches.push(`answers other than 2xx, 429 or 503: ${unexpected.map((c) => `${c} x${clientByStatus[c]}`).join(", ")}`);
    for (const code of new Set([...Object.keys(clientByStatus), ...Object.keys(serverByStatus)])) {
        expect(`HTTP ${code} answers (responses_total)`, clientByStatus[code] ?? 0, serverByStatus[code] ?? 0);
    }
    results.forEach((r, i) => {
        const tenant = tenants[i] ?? "?";
        const outcomes = serverByTenant[tenant] ?? {};
        expect(`tenant ${tenant}: requests (requests_total)`, r.sent, total(outcomes));
        expect(`tenant ${tenant}: 2xx vs outcome ok`, sumStatus(r.byStatus, (c) => c >= 200 && c < 300), outcomes.ok ?? 0);
        expect(`tenant ${tenant}: 429 vs outcome throttled`, r.byStatus["429"] ?? 0, outcomes.throttled ?? 0);
    });
    expect("answers forwarded: client 2xx vs the upstream's served count", sumStatus(clientByStatus, (c) => c >= 200 && c < 300), upstreamServed);
    return { clientSent, clientByStatus, clientLost, serverByStatus, serverByTenant, upstreamServed, serverMeanMs, mismatches };
}

/** `200: 612, 429: 9000` */
export function formatCounts(counts: Readonly<Record<string, number>>): string {
    const entries = Object.entries(counts).filter(([, n]) => n !== 0);
    return entries.length === 0 ? "none" : entries.map(([k, n]) => `${k}: ${n}`).join(", ");
}
