// A ledger's peers as one resource: at most `inFlightPerUpstream` requests on each, the rest
// waiting in the tenants' fair queues; failed requests retried once on another peer when that is
// safe. Retry rule: a read is retried after any failure; a transaction (a request holding an
// eth_sendRawTransaction) only when the connection to the first peer could not be made at all
// (refused, unreachable, connect timeout). Once a connection was open the peer may have the
// transaction, and a second copy on another peer races the first for the same nonce and comes back
// as "already known" or "nonce too low": the tenant gets 502 and checks eth_getTransactionByHash.
import type { LedgerSettings, SchedulerConfig } from "./config";
import { FairQueue } from "./fair-queue";
import { type FailureKind, Upstream } from "./upstream";

/** Why a request got no peer. `abandoned`: its client hung up while it waited. */
export type Refusal = "unavailable" | "queue_full" | "queue_timeout" | "abandoned";

/** The tenant's connection, as far as the queue cares. */
export interface Client {
    readonly destroyed: boolean;
}

export type ForwardResult =
    | { readonly ok: true; readonly status: number; readonly body: Buffer }
    | {
          readonly ok: false;
          readonly status: 499 | 502 | 503 | 504;
          readonly kind: FailureKind | Refusal;
          /** For the tenant: what happened, without the peers' addresses. */
          readonly message: string;
          /** For the log: which peer and what it did. */
          readonly detail: string;
      };

interface Waiter {
    readonly since: number;
    readonly client?: Client;
    /** The peer that just failed this request: a retry goes elsewhere. */
    readonly exclude?: Upstream;
    readonly resolve: (upstream: Upstream | Refusal) => void;
}

export class LedgerRoute {
    readonly id: string;
    upstreams: Upstream[] = [];
    private readonly queue: FairQueue<Waiter>;
    /** Retries come before the queue: their tenants already waited their turn once. */
    private readonly retries: Waiter[] = [];
    private limit: number;
    private timeoutMs: number;
    private rotation = 0;

    constructor(settings: LedgerSettings, config: SchedulerConfig) {
        this.id = settings.id;
        this.limit = settings.inFlightPerUpstream ?? config.limits.inFlightPerUpstream;
        this.timeoutMs = config.limits.upstreamTimeoutMs;
        this.queue = new FairQueue(config.limits.queueLength);
        this.update(settings, config);
    }

    /**
     * Applies a new config: peers that stay keep their connections and health, new ones are
     * added, and the ones that go are returned, for the caller to close once their requests are answered.
     */
    update(settings: LedgerSettings, config: SchedulerConfig): Upstream[] {
        const limits = config.limits;
        // A pool's connection count and connect timeout are fixed when it is made: new ones need new pools.
        const limit = settings.inFlightPerUpstream ?? limits.inFlightPerUpstream;
        const resized = limit !== this.limit || limits.upstreamTimeoutMs !== this.timeoutMs;
        this.limit = limit;
        this.timeoutMs = limits.upstreamTimeoutMs;
        this.queue.setCapacity(limits.queueLength);
        for (const tenant of config.tenants) if (tenant.ledger === this.id) this.queue.setWeight(tenant.id, tenant.weight);

        const current = new Map(this.upstreams.map((u) => [u.url, u]));
        const next = settings.upstreams.map((url) => {
            const existing = current.get(url);
            if (existing && !resized) return existing;
            const upstream = new Upstream(url, limit, limits.upstreamTimeoutMs);
            if (existing) {
                upstream.healthy = existing.healthy;
                upstream.checkedHealthy = existing.checkedHealthy;
            }
            return upstream;
        });
        const removed = this.upstreams.filter((u) => !next.includes(u));
        this.upstreams = next;
        const checkTimeout = Math.min(config.health.intervalMs, limits.upstreamTimeoutMs);
        for (const upstream of next) {
            upstream.startChecks(settings.health, config.health.intervalMs, config.health.failures, checkTimeout, () => this.healthChanged());
        }
        for (const upstream of removed) upstream.stopChecks();
        this.healthChanged();
        return removed;
    }

    queueDepth(tenant: string): number {
        return this.queue.depth(tenant);
    }

    hasHealthy(except?: Upstream): boolean {
        for (const upstream of this.upstreams) if (upstream.healthy && upstream !== except) return true;
        return false;
    }

    /**
     * Sends `body` (`cost` calls, `write` when it holds a transaction) to a peer, waiting for a
     * slot in the tenant's queue if need be; a request whose `client` hung up meanwhile is dropped
     * from the queue rather than sent.
     */
    async forward(tenant: string, body: Buffer, cost: number, write: boolean, client?: Client): Promise<ForwardResult> {
        if (!this.hasHealthy()) return refused("unavailable", this.id);
        // Nobody overtakes the queue: a free slot goes to the waiting ones first (pump()).
        let upstream: Upstream | Refusal | undefined = this.queue.size === 0 ? this.take() : undefined;
        if (upstream === undefined) {
            upstream = await new Promise<Upstream | Refusal>((resolve) => {
                if (!this.queue.push(tenant, { since: Date.now(), client, resolve }, cost)) resolve("queue_full");
            });
            if (typeof upstream === "string") return refused(upstream, this.id, tenant, this.queue.depth(tenant), this.timeoutMs);
        }
        const first = await upstream.send(body, this.timeoutMs);
        this.finished(upstream, first.ok ? undefined : first.failure);
        if (first.ok) return first;

        const mayRetry = write ? first.failure === "refused" : true;
        if (mayRetry && this.hasHealthy(upstream)) {
            const other = this.take(upstream) ?? (await new Promise<Upstream | Refusal>((resolve) => this.retries.push({ since: Date.now(), exclude: upstream, resolve })));
            if (typeof other !== "string") {
                const second = await other.send(body, this.timeoutMs);
                this.finished(other, second.ok ? undefined : second.failure);
                if (second.ok) return second;
                return failed(second.failure, `${other.url}: ${second.detail} (after ${upstream.url}: ${first.detail})`, this.timeoutMs, write);
            }
        }
        return failed(first.failure, `${upstream.url}: ${first.detail}`, this.timeoutMs, write);
    }

    /** Fails everything waiting and closes the peers' pools once their requests are answered. */
    async close(): Promise<void> {
        for (const waiter of this.queue.drain()) waiter.resolve("unavailable");
        for (const waiter of this.retries.splice(0)) waiter.resolve("unavailable");
        await Promise.all(this.upstreams.map((u) => u.close()));
    }

    async destroy(): Promise<void> {
        await Promise.all(this.upstreams.map((u) => u.destroy()));
    }

    /** A healthy peer with a free slot, the least busy one (ties taken in turn); the slot is taken. */
    private take(exclude?: Upstream): Upstream | undefined {
        const count = this.upstreams.length;
        let best: Upstream | undefined;
        for (let i = 0; i < count; i++) {
            const upstream = this.upstreams[(this.rotation + i) % count];
            if (!upstream.healthy || upstream === exclude || upstream.inFlight >= this.limit) continue;
            if (best === undefined || upstream.inFlight < best.inFlight) best = upstream;
        }
        if (best) {
            best.inFlight++;
            this.rotation = (this.rotation + 1) % count;
        }
        return best;
    }

    /** Gives the slot back; a peer that broke a connection or timed out is marked down first, so the slot does not go to it. */
    private finished(upstream: Upstream, failure: FailureKind | undefined): void {
        upstream.inFlight--;
        if (failure !== undefined && failure !== "bad_response" && upstream.healthy) {
            upstream.markDown();
            this.healthChanged();
        } else {
            this.pump();
        }
    }

    private healthChanged(): void {
        if (this.hasHealthy()) {
            this.pump();
            return;
        }
        // Nothing will free a slot for them: answer now rather than at the client's timeout.
        for (const waiter of this.retries.splice(0)) waiter.resolve("unavailable");
        for (const waiter of this.queue.drain()) waiter.resolve("unavailable");
    }

    /** Hands free slots to retries first, then to the queues in fair order. */
    private pump(): void {
        for (let i = 0; i < this.retries.length; ) {
            const waiter = this.retries[i];
            const upstream = this.take(waiter.exclude);
            if (upstream) {
                this.retries.splice(i, 1);
                waiter.resolve(upstream);
            } else if (!this.hasHealthy(waiter.exclude)) {
                this.retries.splice(i, 1);
                waiter.resolve("unavailable");
            } else {
                i++;
            }
        }
        if (this.queue.size === 0) return;
        const now = Date.now();
        while (this.queue.size > 0) {
            const upstream = this.take();
            if (!upstream) return;
            const waiter = this.queue.shift() as Waiter;
            if (waiter.client?.destroyed || now - waiter.since > this.timeoutMs) {
                upstream.inFlight--;
                waiter.resolve(waiter.client?.destroyed ? "abandoned" : "queue_timeout");
                continue;
            }
            waiter.resolve(upstream);
        }
    }
}

function refused(kind: Refusal, ledger: string, tenant = "", depth = 0, timeoutMs = 0): ForwardResult {
    switch (kind) {
        case "unavailable":
            return { ok: false, status: 503, kind, message: `no healthy peer for ledger ${ledger} at the moment: retry shortly`, detail: "no healthy upstream" };
        case "queue_full":
            return {
                ok: false,
                status: 503,
                kind,
                message: `ledger ${ledger}'s peers are busy and tenant ${tenant}'s queue is full (${depth} requests waiting): slow down and retry`,
                detail: "queue full",
            };
        case "queue_timeout":
            return { ok: false, status: 503, kind, message: `ledger ${ledger}'s peers are busy: waited ${timeoutMs} ms for a free one; slow down and retry`, detail: "queue wait timed out" };
        case "abandoned":
            // Nobody reads it: the status (nginx's "client closed request") is for the log and the meters.
            return { ok: false, status: 499, kind, message: "the client closed the connection while the request waited", detail: "client gone while queued" };
    }
}

function failed(kind: FailureKind, detail: string, timeoutMs: number, write: boolean): ForwardResult {
    switch (kind) {
        case "timeout":
            return { ok: false, status: 504, kind, message: `the ledger's peer did not answer within ${timeoutMs} ms`, detail };
        case "refused":
            return { ok: false, status: 503, kind, message: "no peer of the ledger could be reached: retry shortly", detail };
        case "connection":
            return {
                ok: false,
                status: 502,
                kind,
                message: `the connection to the ledger's peer broke before its answer was complete${write ? "; the transaction may have been received: check with eth_getTransactionByHash before sending it again" : ""}`,
                detail,
            };
        case "bad_response":
            return { ok: false, status: 502, kind, message: "the ledger's peer answered with something that is not JSON-RPC", detail };
    }
}
