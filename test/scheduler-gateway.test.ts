// The scheduler service as a tenant meets it: the real process in front of anvil, over HTTP.
// Auth, method policy, batches, the bad input, quotas, metrics and the access log.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Anvil, type SchedulerProcess, startAnvil, startSchedulerProcess } from "./support/anvil";
import { makeTempDir, removeTempDirs } from "./fixtures/temp-dirs";

const KEYS = { loyalty: "lfk_loyalty-key-0123456789", payments: "lfk_payments-key-0123456789", tiny: "lfk_tiny-key-0123456789", slowtx: "lfk_slowtx-key-0123456789" };
const sha = (key: string) => createHash("sha256").update(key).digest("hex");

let anvil: Anvil;
let service: SchedulerProcess;

beforeAll(async () => {
    anvil = await startAnvil();
    const dir = makeTempDir("scheduler-gateway");
    const file = path.join(dir, "scheduler.yaml");
    fs.writeFileSync(
        file,
        `listen: { host: 127.0.0.1, port: 0 }
ledgers:
  main: { upstreams: ["${anvil.url}"] }
tenants:
  - { id: loyalty, ledger: main, keySha256: "${sha(KEYS.loyalty)}", rps: 10000, tps: 1000, weight: 1 }
  - { id: payments, ledger: main, keySha256: "${sha(KEYS.payments)}", rps: 10000, tps: 1000, weight: 2, methods: { allow: [debug_traceTransaction] } }
  - { id: tiny, ledger: main, keySha256: "${sha(KEYS.tiny)}", rps: 2, tps: 1 }
  - { id: slowtx, ledger: main, keySha256: "${sha(KEYS.slowtx)}", rps: 10000, tps: 1 }
limits: { bodyBytes: 2048, batchSize: 5 }
`,
    );
    service = await startSchedulerProcess(file);
});

afterAll(async () => {
    await service?.stop();
    await anvil?.stop();
    removeTempDirs();
});

interface Reply {
    status: number;
    headers: Headers;
    body: unknown;
}

/** `key` null: no Authorization header. */
async function rpc(body: string | object, key: string | null = KEYS.loyalty): Promise<Reply> {
    const response = await fetch(`${service.url}/`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(key === null ? {} : { authorization: `Bearer ${key}` }) },
        body: typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === "" ? undefined : JSON.parse(text) };
}

const call = (id: number | string, method: string, params: unknown[] = []) => ({ jsonrpc: "2.0", id, method, params });
const errorOf = (reply: Reply) => (reply.body as { error: { code: number; message: string } }).error;

describe("scheduler gateway", () => {
    it("forwards a tenant's call to the ledger and returns the node's answer", async () => {
        const reply = await rpc(call(1, "eth_chainId"));
        expect(reply).toMatchObject({ status: 200, body: { jsonrpc: "2.0", id: 1, result: "0x7a69" } });
    });

    it("a denied method in a batch gets an error naming it; the other calls still run and all answer in order with their ids", async () => {
        const reply = await rpc([call(1, "eth_chainId"), call("b", "debug_traceTransaction", ["0x" + "0".repeat(64)]), call(3, "eth_blockNumber")]);
        expect(reply.status).toBe(200);
        const answers = reply.body as { id: unknown; result?: string; error?: { code: number; message: string } }[];
        expect(answers.map((a) => a.id)).toEqual([1, "b", 3]);
        expect(answers[0].result).toBe("0x7a69");
        expect(answers[1].error).toEqual({ code: -32601, message: expect.stringContaining("method debug_traceTransaction is not allowed for tenant loyalty") });
        expect(answers[2].result).toMatch(/^0x[0-9a-f]+$/);
    });

    it("a method denied by default is refused alone, and forwarded for the tenant whose methods.allow names it", async () => {
        const denied = await rpc(call(7, "debug_traceTransaction", ["0x" + "0".repeat(64)]));
        expect(denied.status).toBe(200);
        expect(denied.body).toMatchObject({ id: 7, error: { code: -32601, message: expect.stringContaining("debug_traceTransaction is not allowed for tenant loyalty") } });
        const allowed = await rpc(call(8, "debug_traceTransaction", ["0x" + "0".repeat(64)]), KEYS.payments);
        // anvil answers for itself (the transaction does not exist): the call went through.
        expect(JSON.stringify(allowed.body)).not.toContain("not allowed");
        expect(allowed.body).toMatchObject({ id: 8 });
        expect(await rpc(call(9, "eth_accounts"))).toMatchObject({ body: { error: { message: expect.stringContaining("eth_accounts is not allowed") } } });
    });

    it("refuses a missing or unknown key with 401 and a JSON-RPC error", async () => {
        const missing = await rpc(call(1, "eth_chainId"), null);
        expect(missing.status).toBe(401);
        expect(errorOf(missing).message).toContain("missing key");
        const unknown = await rpc(call(1, "eth_chainId"), "lfk_not-a-key-of-anyone");
        expect(unknown.status).toBe(401);
        expect(errorOf(unknown).message).toContain("unknown key");
    });

    it("answers malformed JSON with -32700", async () => {
        const reply = await rpc('{"jsonrpc":"2.0","id":1,"method":');
        expect(reply.status).toBe(400);
        expect(reply.body).toMatchObject({ id: null, error: { code: -32700 } });
    });

    it("answers what is not JSON-RPC 2.0 with -32600, in a batch by position", async () => {
        const single = await rpc({ jsonrpc: "1.0", id: 4, method: "eth_chainId" });
        expect(single.status).toBe(400);
        expect(single.body).toMatchObject({ id: 4, error: { code: -32600, message: expect.stringContaining('"jsonrpc": "2.0"') } });
        const batch = await rpc([call(1, "eth_chainId"), { id: 2, method: "eth_chainId" }, 42]);
        expect((batch.body as { id: unknown; error?: { code: number } }[]).map((a) => [a.id, a.error?.code])).toEqual([
            [1, undefined],
            [2, -32600],
            [null, -32600],
        ]);
    });

    it("answers an empty batch with one -32600 error, not an array", async () => {
        const reply = await rpc("[]");
        expect(reply.status).toBe(400);
        expect(reply.body).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600, message: expect.stringContaining("empty batch") } });
    });

    it("refuses a batch over the limit, saying the limit", async () => {
        const reply = await rpc(Array.from({ length: 6 }, (_, i) => call(i, "eth_chainId")));
        expect(reply.status).toBe(400);
        expect(errorOf(reply)).toEqual({ code: -32005, message: expect.stringContaining("batch of 6 calls is over this service's limit of 5") });
    });

    it("refuses a body over the limit with 413 and a JSON-RPC error", async () => {
        const reply = await rpc(call(1, "eth_call", [{ data: "0x" + "00".repeat(2000) }, "latest"]));
        expect(reply.status).toBe(413);
        expect(errorOf(reply)).toEqual({ code: -32005, message: expect.stringContaining("limit of 2048 bytes") });
    });

    it("over its rps quota a tenant gets 429 with an integer Retry-After and a JSON-RPC error", async () => {
        // tiny: rps 2, so two calls pass and the third is over.
        expect((await rpc(call(1, "eth_chainId"), KEYS.tiny)).status).toBe(200);
        expect((await rpc(call(2, "eth_chainId"), KEYS.tiny)).status).toBe(200);
        const reply = await rpc(call(3, "eth_chainId"), KEYS.tiny);
        expect(reply.status).toBe(429);
        expect(reply.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
        expect(reply.body).toMatchObject({ id: 3, error: { code: -32005, message: expect.stringContaining("tenant tiny is over its quota of 2 JSON-RPC calls per second") } });
        // The other tenants are not affected.
        expect((await rpc(call(4, "eth_chainId"))).status).toBe(200);
    });

    it("transactions have their own quota (tps)", async () => {
        const tx = call(1, "eth_sendRawTransaction", ["0x00"]);
        // The first goes to anvil (which refuses the bytes: still a transaction sent), the second is over tps 1.
        const first = await rpc(tx, KEYS.slowtx);
        expect(first.status).toBe(200);
        const second = await rpc(tx, KEYS.slowtx);
        expect(second.status).toBe(429);
        expect(Number(second.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
        expect(errorOf(second).message).toContain("quota of 1 transactions per second");
        expect((await rpc(call(2, "eth_chainId"), KEYS.slowtx)).status).toBe(200);
    });

    it("answers other paths with 404 and a JSON-RPC error", async () => {
        const response = await fetch(`${service.url}/nope`, { method: "POST", body: "{}" });
        expect(response.status).toBe(404);
        expect(await response.json()).toMatchObject({ error: { code: -32600 } });
    });

    it("exposes per-tenant metrics on /metrics, and /healthz and /readyz", async () => {
        await rpc(call(1, "eth_chainId"), KEYS.payments);
        const text = await (await fetch(`${service.adminUrl}/metrics`)).text();
        const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}[\]]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
        expect(value('ledgerfleet_scheduler_requests_total{tenant="loyalty",ledger="main",outcome="ok"}')).toBeGreaterThanOrEqual(3);
        expect(value('ledgerfleet_scheduler_requests_total{tenant="payments",ledger="main",outcome="ok"}')).toBeGreaterThanOrEqual(2);
        expect(value('ledgerfleet_scheduler_requests_total{tenant="-",ledger="-",outcome="unauthorized"}')).toBe(2);
        expect(value('ledgerfleet_scheduler_throttled_total{tenant="tiny",ledger="main",quota="rps"}')).toBe(1);
        expect(value('ledgerfleet_scheduler_throttled_total{tenant="slowtx",ledger="main",quota="tps"}')).toBe(1);
        expect(value('ledgerfleet_scheduler_transactions_total{tenant="slowtx",ledger="main"}')).toBe(1);
        expect(value('ledgerfleet_scheduler_denied_total{tenant="loyalty",ledger="main"}')).toBeGreaterThanOrEqual(3);
        expect(value('ledgerfleet_scheduler_calls_total{tenant="payments",ledger="main",class="extra"}')).toBe(1);
        expect(value('ledgerfleet_scheduler_responses_total{code="401"}')).toBe(2);
        expect(value('ledgerfleet_scheduler_responses_total{code="413"}')).toBe(1);
        expect(value('ledgerfleet_scheduler_request_bytes_total{tenant="loyalty",ledger="main"}')).toBeGreaterThan(0);
        expect(value('ledgerfleet_scheduler_response_bytes_total{tenant="loyalty",ledger="main"}')).toBeGreaterThan(0);
        expect(value('ledgerfleet_scheduler_request_duration_seconds_count{tenant="loyalty",ledger="main"}')).toBeGreaterThanOrEqual(3);
        expect(value(`ledgerfleet_scheduler_upstream_healthy{ledger="main",upstream="${anvil.url}"}`)).toBe(1);
        expect(text).toMatch(/^ledgerfleet_scheduler_queue_depth\{tenant="loyalty",ledger="main"\} 0$/m);
        expect(text).not.toContain("lfk_");
        expect((await fetch(`${service.adminUrl}/healthz`)).status).toBe(200);
        const ready = await fetch(`${service.adminUrl}/readyz`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).toMatchObject({ ready: true, ledgers: { main: { healthy: 1, upstreams: 1 } } });
    });

    it("writes one access-log line per request, naming the tenant and never the key", async () => {
        await rpc(call(1, "eth_blockNumber"), KEYS.payments);
        const line = await service.waitForLog((l) => l.msg === "rpc" && l.tenant === "payments" && l.calls === 1 && l.status === 200);
        expect(line).toMatchObject({ ledger: "main", outcome: "ok", requestBytes: expect.any(Number), responseBytes: expect.any(Number), ms: expect.any(Number) });
        const output = service.output();
        for (const key of [...Object.values(KEYS), "lfk_not-a-key-of-anyone"]) expect(output).not.toContain(key);
        expect(output.toLowerCase()).not.toContain("bearer");
        const unauthorized = service.logLines().filter((l) => l.msg === "rpc" && l.status === 401);
        expect(unauthorized).toHaveLength(2);
    });
});
