// Per-tenant quotas as token buckets: one for JSON-RPC calls (rps, each call of a batch counts)
// and one for transactions (tps, eth_sendRawTransaction calls). Each replica enforces its share
// (quota / replicas): the Service spreads connections evenly, so N replicas together admit the quota.

export class TokenBucket {
    private tokens: number;
    private last: number;
    private rate: number;
    private capacity: number;

    /** `rate` tokens per second; the bucket holds one second's worth, and at least one token. */
    constructor(rate: number, now: number) {
        this.rate = rate;
        this.capacity = Math.max(rate, 1);
        this.tokens = this.capacity;
        this.last = now;
    }

    /** Keeps the tokens there are (up to the new capacity): a reload neither refills nor empties a bucket. */
    setRate(rate: number, now: number): void {
        this.refill(now);
        this.rate = rate;
        this.capacity = Math.max(rate, 1);
        this.tokens = Math.min(this.tokens, this.capacity);
    }

    /**
     * Seconds to wait before `cost` tokens may be taken; 0 when they may be now. A cost above the
     * capacity (a batch bigger than a second's quota) is admitted when the bucket is full and
     * leaves it in debt, so that it is paid for by waiting rather than refused for ever.
     */
    wait(cost: number, now: number): number {
        this.refill(now);
        const need = Math.min(cost, this.capacity);
        return this.tokens >= need ? 0 : (need - this.tokens) / this.rate;
    }

    take(cost: number): void {
        this.tokens -= cost;
    }

    private refill(now: number): void {
        const elapsed = now - this.last;
        if (elapsed > 0) {
            this.tokens = Math.min(this.capacity, this.tokens + (elapsed / 1000) * this.rate);
            this.last = now;
        }
    }
}

export interface Throttle {
    readonly quota: "rps" | "tps";
    /** The limit this replica enforces, per second. */
    readonly limit: number;
    /** Whole seconds, at least 1: the `Retry-After` header. */
    readonly retryAfter: number;
}

export class TenantQuota {
    private readonly calls: TokenBucket;
    private readonly transactions: TokenBucket;
    private rpsLimit: number;
    private tpsLimit: number;

    constructor(rps: number, tps: number, replicas: number, now: number) {
        this.rpsLimit = rps / replicas;
        this.tpsLimit = tps / replicas;
        this.calls = new TokenBucket(this.rpsLimit, now);
        this.transactions = new TokenBucket(this.tpsLimit, now);
    }

    update(rps: number, tps: number, replicas: number, now: number): void {
        this.rpsLimit = rps / replicas;
        this.tpsLimit = tps / replicas;
        this.calls.setRate(this.rpsLimit, now);
        this.transactions.setRate(this.tpsLimit, now);
    }

    /** Takes `calls` and `transactions` tokens, or none and says which quota is exhausted. */
    admit(calls: number, transactions: number, now: number): Throttle | undefined {
        const callWait = this.calls.wait(calls, now);
        if (callWait > 0) return { quota: "rps", limit: this.rpsLimit, retryAfter: Math.max(1, Math.ceil(callWait)) };
        if (transactions > 0) {
            const txWait = this.transactions.wait(transactions, now);
            if (txWait > 0) return { quota: "tps", limit: this.tpsLimit, retryAfter: Math.max(1, Math.ceil(txWait)) };
            this.transactions.take(transactions);
        }
        this.calls.take(calls);
        return undefined;
    }
}
