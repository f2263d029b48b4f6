// Metering for billing and operations, on one prom-client registry. Labels are bounded: tenant and
// ledger come from the config (an unauthenticated request is tenant "-"), the others from small
// fixed sets. Never a key, never a method name a client made up.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { MethodClass } from "./methods";

const PREFIX = "ledgerfleet_scheduler_";

/**
 * What became of an HTTP request: `ok` (the peer answered; some calls of a batch may still have been
 * denied), and otherwise why the service answered it itself.
 */
export type Outcome =
    | "ok"
    | "unauthorized"
    | "invalid"
    | "denied"
    | "too_large"
    | "throttled"
    | "queue_full"
    | "abandoned"
    | "unavailable"
    | "upstream_error"
    | "timeout"
    | "not_found"
    | "internal";

/** What the gauges read at scrape time (nothing is counted on the request path for them). */
export interface GaugeSource {
    upstreams(): Iterable<{ ledger: string; url: string; healthy: boolean; inFlight: number }>;
    queues(): Iterable<{ tenant: string; ledger: string; depth: number }>;
}

type Child = { inc(value?: number): void };

export class SchedulerMetrics {
    readonly registry = new Registry();
    private readonly requests: Counter<"tenant" | "ledger" | "outcome">;
    private readonly calls: Counter<"tenant" | "ledger" | "class">;
    private readonly transactions: Counter<"tenant" | "ledger">;
    private readonly errors: Counter<"tenant" | "ledger" | "kind">;
    private readonly denied: Counter<"tenant" | "ledger">;
    private readonly throttled: Counter<"tenant" | "ledger" | "quota">;
    private readonly requestBytes: Counter<"tenant" | "ledger">;
    private readonly responseBytes: Counter<"tenant" | "ledger">;
    private readonly duration: Histogram<"tenant" | "ledger">;
    private readonly responses: Counter<"code">;
    private readonly reloads: Counter<"result">;
    private readonly meters = new Map<string, TenantMeter>();
    private readonly responseChildren = new Map<number, Child>();

    constructor(gauges: GaugeSource) {
        const registers = [this.registry];
        collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
        this.requests = new Counter({ name: `${PREFIX}requests_total`, help: "HTTP requests answered, by tenant, ledger and outcome", labelNames: ["tenant", "ledger", "outcome"], registers });
        this.calls = new Counter({ name: `${PREFIX}calls_total`, help: "JSON-RPC calls sent to the ledger's peers (each call of a batch), by class: read, transaction, extra (allowed by the tenant's methods.allow)", labelNames: ["tenant", "ledger", "class"], registers });
        this.transactions = new Counter({ name: `${PREFIX}transactions_total`, help: "eth_sendRawTransaction calls sent to the ledger's peers", labelNames: ["tenant", "ledger"], registers });
        this.errors = new Counter({ name: `${PREFIX}errors_total`, help: "Requests the ledger's peers failed, by kind: refused, connection, timeout, bad_response, unavailable, queue_full, queue_timeout, abandoned", labelNames: ["tenant", "ledger", "kind"], registers });
        this.denied = new Counter({ name: `${PREFIX}denied_total`, help: "JSON-RPC calls refused by the tenant's method policy", labelNames: ["tenant", "ledger"], registers });
        this.throttled = new Counter({ name: `${PREFIX}throttled_total`, help: "Requests refused with 429, by the quota they exceeded (rps or tps)", labelNames: ["tenant", "ledger", "quota"], registers });
        this.requestBytes = new Counter({ name: `${PREFIX}request_bytes_total`, help: "Request body bytes received", labelNames: ["tenant", "ledger"], registers });
        this.responseBytes = new Counter({ name: `${PREFIX}response_bytes_total`, help: "Response body bytes sent", labelNames: ["tenant", "ledger"], registers });
        this.duration = new Histogram({
            name: `${PREFIX}request_duration_seconds`,
            help: "Time from the request's arrival to its answer",
            labelNames: ["tenant", "ledger"],
            buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            registers,
        });
        this.responses = new Counter({ name: `${PREFIX}responses_total`, help: "HTTP answers by status code", labelNames: ["code"], registers });
        this.reloads = new Counter({ name: `${PREFIX}config_reloads_total`, help: "Config changes seen, by result: applied or refused (the last good config stays)", labelNames: ["result"], registers });
        // Read when scraped: the request path counts nothing for them.
        const gauge = <L extends string>(name: string, help: string, labelNames: L[], read: () => Iterable<[Record<L, string>, number]>) =>
            new Gauge({
                name: `${PREFIX}${name}`,
                help,
                labelNames,
                registers,
                collect() {
                    this.reset();
                    for (const [labels, value] of read()) this.set(labels as Partial<Record<L, string>>, value);
                },
            });
        const upstreams = () => [...gauges.upstreams()];
        gauge("upstream_healthy", "1 when requests are routed to the peer, 0 when it is marked down", ["ledger", "upstream"], () => upstreams().map((u) => [{ ledger: u.ledger, upstream: u.url }, u.healthy ? 1 : 0]));
        gauge("upstream_in_flight", "Requests this replica has on the peer now", ["ledger", "upstream"], () => upstreams().map((u) => [{ ledger: u.ledger, upstream: u.url }, u.inFlight]));
        gauge("queue_depth", "Requests waiting for a free peer slot, by tenant", ["tenant", "ledger"], () => [...gauges.queues()].map((q) => [{ tenant: q.tenant, ledger: q.ledger }, q.depth]));
    }

    /** The tenant's counters, bound once (a label lookup per request would cost more than the count). */
    meter(tenant: string, ledger: string): TenantMeter {
        const key = `${tenant}\u0000${ledger}`;
        let meter = this.meters.get(key);
        if (!meter) {
            meter = new TenantMeter(this, tenant, ledger);
            this.meters.set(key, meter);
        }
        return meter;
    }

    response(code: number): void {
        let child = this.responseChildren.get(code);
        if (!child) {
            child = this.responses.labels(String(code));
            this.responseChildren.set(code, child);
        }
        child.inc();
    }

    reload(result: "applied" | "refused"): void {
        this.reloads.labels(result).inc();
    }

    /** @internal for TenantMeter */
    bind(tenant: string, ledger: string) {
        return {
            requests: (outcome: Outcome) => this.requests.labels(tenant, ledger, outcome),
            calls: (cls: MethodClass) => this.calls.labels(tenant, ledger, cls),
            transactions: this.transactions.labels(tenant, ledger),
            errors: (kind: string) => this.errors.labels(tenant, ledger, kind),
            denied: this.denied.labels(tenant, ledger),
            throttled: (quota: string) => this.throttled.labels(tenant, ledger, quota),
            requestBytes: this.requestBytes.labels(tenant, ledger),
            responseBytes: this.responseBytes.labels(tenant, ledger),
            duration: this.duration.labels(tenant, ledger),
        };
    }
}

export class TenantMeter {
    private readonly bound: ReturnType<SchedulerMetrics["bind"]>;
    private readonly byOutcome = new Map<string, Child>();
    private readonly byClass = new Map<string, Child>();
    private readonly byKind = new Map<string, Child>();

    constructor(metrics: SchedulerMetrics, tenant: string, ledger: string) {
        this.bound = metrics.bind(tenant, ledger);
    }

    /** One answered request: its outcome, bytes in and out, and seconds from arrival to answer. */
    answered(outcome: Outcome, requestBytes: number, responseBytes: number, seconds: number): void {
        cached(this.byOutcome, outcome, () => this.bound.requests(outcome)).inc();
        if (requestBytes > 0) this.bound.requestBytes.inc(requestBytes);
        if (responseBytes > 0) this.bound.responseBytes.inc(responseBytes);
        this.bound.duration.observe(seconds);
    }

    forwarded(cls: MethodClass, count: number): void {
        if (count === 0) return;
        cached(this.byClass, cls, () => this.bound.calls(cls)).inc(count);
        if (cls === "transaction") this.bound.transactions.inc(count);
    }

    denied(count: number): void {
        this.bound.denied.inc(count);
    }

    throttled(quota: "rps" | "tps"): void {
        this.bound.throttled(quota).inc();
    }

    error(kind: string): void {
        cached(this.byKind, kind, () => this.bound.errors(kind)).inc();
    }
}

function cached(map: Map<string, Child>, key: string, make: () => Child): Child {
    let child = map.get(key);
    if (!child) {
        child = make();
        map.set(key, child);
    }
    return child;
}
