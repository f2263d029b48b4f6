// The scheduler service's pure parts, in process: the fair queue, the quotas, the method policy
// and the merging of a batch's answers.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KeyTable } from "../scheduler/service/auth";
import { FairQueue } from "../scheduler/service/fair-queue";
import { CODE, checkCall, errorBody, mergeBatch } from "../scheduler/service/jsonrpc";
import { MethodPolicy } from "../scheduler/service/methods";
import { TenantQuota } from "../scheduler/service/quota";

/** Dispatches `n` items and counts them by tenant. */
function dispatch(queue: FairQueue<string>, n: number): Record<string, number> {
    const counts: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
        const tenant = queue.shift();
        if (tenant === undefined) break;
        counts[tenant] = (counts[tenant] ?? 0) + 1;
    }
    return counts;
}

describe("fair queue (weighted deficit round robin)", () => {
    it("under contention, busy tenants share the dispatches in proportion to their weights", () => {
        const queue = new FairQueue<string>(1000);
        queue.setWeight("loyalty", 1);
        queue.setWeight("payments", 2);
        queue.setWeight("audit", 1);
        for (let i = 0; i < 500; i++) for (const tenant of ["loyalty", "payments", "audit"]) queue.push(tenant, tenant, 1);
        expect(dispatch(queue, 400)).toEqual({ loyalty: 100, payments: 200, audit: 100 });
    });

    it("a tenant that floods its queue does not delay another tenant's few requests beyond one turn", () => {
        const queue = new FairQueue<string>(10_000);
        for (let i = 0; i < 5000; i++) queue.push("flood", "flood", 1);
        expect(dispatch(queue, 10)).toEqual({ flood: 10 });
        for (let i = 0; i < 3; i++) queue.push("quiet", "quiet", 1);
        // Equal weights: the quiet tenant's three go out among the next six dispatches.
        expect(dispatch(queue, 6)).toEqual({ flood: 3, quiet: 3 });
    });

    it("a batch costs its calls: a tenant sending batches of 10 gets as many calls through as one sending single calls", () => {
        const queue = new FairQueue<number>(1000);
        for (let i = 0; i < 100; i++) {
            queue.push("batches", 10, 10);
            for (let j = 0; j < 10; j++) queue.push("singles", 1, 1);
        }
        const calls: Record<number, number> = { 1: 0, 10: 0 };
        for (let i = 0; i < 220; i++) {
            const cost = queue.shift() as number;
            calls[cost] += cost;
        }
        expect(Math.abs(calls[10] - calls[1])).toBeLessThanOrEqual(10);
    });

    it("a tenant's queue holds at most its capacity; the others are not affected", () => {
        const queue = new FairQueue<string>(2);
        expect([queue.push("a", "a1", 1), queue.push("a", "a2", 1), queue.push("a", "a3", 1)]).toEqual([true, true, false]);
        expect(queue.push("b", "b1", 1)).toBe(true);
        expect(queue.depth("a")).toBe(2);
        expect(queue.drain().sort()).toEqual(["a1", "a2", "b1"]);
        expect(queue.shift()).toBeUndefined();
    });

    it("every pushed item comes out exactly once, whatever the weights and costs", () => {
        fc.assert(
            fc.property(
                fc.array(fc.record({ tenant: fc.constantFrom("a", "b", "c"), cost: fc.integer({ min: 1, max: 100 }) }), { maxLength: 200 }),
                fc.record({ a: fc.double({ min: 0.01, max: 50, noNaN: true }), b: fc.double({ min: 0.01, max: 50, noNaN: true }), c: fc.double({ min: 0.01, max: 50, noNaN: true }) }),
                (items, weights) => {
                    const queue = new FairQueue<number>(1000);
                    for (const [tenant, weight] of Object.entries(weights)) queue.setWeight(tenant, weight);
                    items.forEach((item, i) => queue.push(item.tenant, i, item.cost));
                    const out: number[] = [];
                    for (let item = queue.shift(); item !== undefined; item = queue.shift()) out.push(item);
                    expect(out.sort((x, y) => x - y)).toEqual(items.map((_, i) => i));
                    // Within a tenant, first in, first out.
                    for (const tenant of ["a", "b", "c"]) {
                        const mine = items.map((item, i) => ({ ...item, i })).filter((item) => item.tenant === tenant);
                        expect(mine.map((m) => m.i)).toEqual([...mine.map((m) => m.i)].sort((x, y) => x - y));
                    }
                },
            ),
        );
    });
});

describe("quota (token buckets, per replica)", () => {
    it("admits a second's worth of calls, then refuses with a whole number of seconds to wait", () => {
        const quota = new TenantQuota(10, 5, 1, 0);
        for (let i = 0; i < 10; i++) expect(quota.admit(1, 0, 0)).toBeUndefined();
        expect(quota.admit(1, 0, 0)).toEqual({ quota: "rps", limit: 10, retryAfter: 1 });
        // 100 ms later one call's worth is back.
        expect(quota.admit(1, 0, 100)).toBeUndefined();
    });

    it("each replica enforces its share of the quota", () => {
        const quota = new TenantQuota(100, 10, 4, 0);
        let admitted = 0;
        while (quota.admit(1, 0, 0) === undefined) admitted++;
        expect(admitted).toBe(25);
    });

    it("counts transactions apart from calls, and takes nothing from either when one refuses", () => {
        const quota = new TenantQuota(100, 2, 1, 0);
        expect(quota.admit(2, 2, 0)).toBeUndefined();
        expect(quota.admit(1, 1, 0)).toMatchObject({ quota: "tps", limit: 2 });
        // The refused transaction took no call token: 98 calls are left.
        expect(quota.admit(98, 0, 0)).toBeUndefined();
        expect(quota.admit(1, 0, 0)).toMatchObject({ quota: "rps" });
    });

    it("a batch bigger than a second's quota is admitted when the bucket is full and paid for by waiting", () => {
        const quota = new TenantQuota(10, 1, 1, 0);
        expect(quota.admit(30, 0, 0)).toBeUndefined();
        // 20 calls in debt plus one to send: 2.1 s.
        expect(quota.admit(1, 0, 0)).toMatchObject({ retryAfter: 3 });
        expect(quota.admit(1, 0, 2100)).toBeUndefined();
    });

    it("a fractional quota share still admits one call, and Retry-After is at least 1", () => {
        const quota = new TenantQuota(1, 1, 3, 0);
        expect(quota.admit(1, 1, 0)).toBeUndefined();
        const refused = quota.admit(1, 0, 0);
        expect(refused?.retryAfter).toBe(3);
        expect(Number.isInteger(refused?.retryAfter)).toBe(true);
    });

    it("a reload's new rate keeps the tokens the tenant had", () => {
        const quota = new TenantQuota(10, 1, 1, 0);
        for (let i = 0; i < 10; i++) quota.admit(1, 0, 0);
        quota.update(1000, 1, 1, 0);
        expect(quota.admit(1, 0, 0)).toMatchObject({ quota: "rps", limit: 1000 });
    });
});

describe("key table", () => {
    const hash = (key: string) => createHash("sha256").update(key).digest("hex");
    const table = new KeyTable([
        [hash("lfk_alpha"), "loyalty"],
        [hash("lfk_beta"), "payments"],
    ]);

    it("finds the tenant of a bearer key from its hash alone", () => {
        expect(table.lookup("Bearer lfk_alpha")).toBe("loyalty");
        expect(table.lookup("bearer lfk_beta")).toBe("payments");
    });

    it("finds nobody for an unknown key, a key without the Bearer scheme, or no header", () => {
        for (const header of ["Bearer lfk_alph", "Bearer " + hash("lfk_alpha"), "lfk_alpha", "Basic lfk_alpha", "Bearer ", undefined]) expect(table.lookup(header), String(header)).toBeUndefined();
    });
});

describe("method policy", () => {
    const plain = new MethodPolicy([]);

    it("allows reading the chain and sending signed transactions by default", () => {
        for (const method of ["eth_call", "eth_getLogs", "eth_blockNumber", "eth_getTransactionReceipt", "net_version", "web3_clientVersion"]) expect(plain.classify(method)).toBe("read");
        expect(plain.classify("eth_sendRawTransaction")).toBe("transaction");
    });

    it("denies node accounts, signing, mining, filters and other namespaces by default", () => {
        for (const method of ["eth_accounts", "eth_sign", "eth_sendTransaction", "eth_signTransaction", "eth_newFilter", "eth_getFilterChanges", "personal_unlockAccount", "admin_peers", "debug_traceTransaction", "miner_start", "qbft_getValidatorsByBlockNumber", "txpool_besuTransactions", "perm_addNodesToAllowlist", "priv_distributeRawTransaction", "trace_block", "rpc_modules", "eth", "constructor", "__proto__"]) {
            expect(plain.classify(method), method).toBeUndefined();
        }
    });

    it("a tenant's methods.allow adds exact methods and whole namespaces", () => {
        const policy = new MethodPolicy(["debug_traceTransaction", "txpool_*"]);
        expect(policy.classify("debug_traceTransaction")).toBe("extra");
        expect(policy.classify("debug_traceBlock")).toBeUndefined();
        expect(policy.classify("txpool_besuStatistics")).toBe("extra");
        expect(policy.classify("admin_peers")).toBeUndefined();
    });
});

describe("JSON-RPC calls and batch answers", () => {
    it("tells a call from what is not one", () => {
        expect(checkCall({ jsonrpc: "2.0", id: 1, method: "eth_chainId" })).toMatchObject({ id: 1, method: "eth_chainId" });
        expect(checkCall({ jsonrpc: "1.0", id: 7, method: "eth_chainId" })).toMatchObject({ id: 7, invalid: expect.stringContaining('"jsonrpc": "2.0"') });
        expect(checkCall({ jsonrpc: "2.0", id: {}, method: "eth_chainId" })).toMatchObject({ id: null });
        expect(checkCall({ jsonrpc: "2.0", id: 1, method: 3 })).toMatchObject({ invalid: expect.stringContaining("method") });
        expect(checkCall("eth_chainId")).toMatchObject({ invalid: expect.any(String) });
    });

    it("puts the service's own answers and the peer's back in the order of the calls, matching the peer's by id", () => {
        const calls = [checkCall({ jsonrpc: "2.0", id: 1, method: "eth_chainId" }), checkCall({ jsonrpc: "2.0", id: "x", method: "admin_peers" }), checkCall({ jsonrpc: "2.0", id: 3, method: "eth_blockNumber" })];
        const local = [undefined, errorBody("x", CODE.methodNotFound, "denied"), undefined];
        // The peer may answer in any order.
        const upstream = Buffer.from('[{"jsonrpc":"2.0","id":3,"result":"0x10"},{"jsonrpc":"2.0","id":1,"result":"0x7a69"}]');
        const merged = JSON.parse(mergeBatch(calls, local, upstream)) as { id: unknown; result?: string; error?: { code: number } }[];
        expect(merged.map((a) => a.id)).toEqual([1, "x", 3]);
        expect(merged[0].result).toBe("0x7a69");
        expect(merged[1].error?.code).toBe(CODE.methodNotFound);
        expect(merged[2].result).toBe("0x10");
    });

    it("a denied notification gets no answer, and a call the peer did not answer gets an error", () => {
        const calls = [checkCall({ jsonrpc: "2.0", method: "admin_peers" }), checkCall({ jsonrpc: "2.0", id: 2, method: "eth_chainId" })];
        const merged = JSON.parse(mergeBatch(calls, [null, undefined], Buffer.from("[]"))) as { id: unknown; error?: { code: number } }[];
        expect(merged).toEqual([{ jsonrpc: "2.0", id: 2, error: { code: CODE.internalError, message: expect.any(String) } }]);
    });
});
