// The scheduler service in front of peers that fail: garbage, silence, a connection cut mid-answer,
// a peer that is down. The real process, with anvil and small node:http servers as its upstreams.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import type * as http from "node:http";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Anvil, freePort, type HttpUpstream, type SchedulerProcess, startAnvil, startHttpUpstream, startSchedulerProcess } from "./support/anvil";
import { makeTempDir, removeTempDirs } from "./fixtures/temp-dirs";

const KEY = "lfk_upstreams-test-key-0123456789";
const sha = (key: string) => createHash("sha256").update(key).digest("hex");
const TX = { jsonrpc: "2.0", id: 1, method: "eth_sendRawTransaction", params: ["0x00"] };
const READ = { jsonrpc: "2.0", id: 2, method: "eth_getBalance", params: ["0x0000000000000000000000000000000000000000", "latest"] };

let anvil: Anvil;
let service: SchedulerProcess;
const servers: HttpUpstream[] = [];
/** Calls each test upstream received, by upstream name and method (health checks included). */
const received: Record<string, Record<string, number>> = {};
/** The peer listed first for ledger txfailover, where nothing listens. */
let downFirst = "";

/** A node:http upstream that counts the methods it receives, then does what `behave` does. */
async function upstream(name: string, behave: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void): Promise<string> {
    received[name] = {};
    const server = await startHttpUpstream((req, res) => {
        let body = "";
        req.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
        req.on("end", () => {
            let method = "?";
            try {
                method = (JSON.parse(body) as { method?: string }).method ?? "batch";
            } catch {
                // Not JSON: counted as "?".
            }
            received[name][method] = (received[name][method] ?? 0) + 1;
            behave(req, res, body);
        });
    });
    servers.push(server);
    return server.url;
}

const cutAfterReceiving = (req: http.IncomingMessage) => req.socket.destroy();

beforeAll(async () => {
    anvil = await startAnvil();
    const garbage = await upstream("garbage", (_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>502 Bad Gateway</html>"));
    const hang = await upstream("hang", () => undefined);
    const hang2 = await upstream("hang2", () => undefined);
    const midway = await upstream("midway", (_req, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": "200" });
        res.write('{"jsonrpc":"2.0","id":2,"result":"0x');
        setTimeout(() => res.socket?.destroy(), 10);
    });
    const txA = await upstream("txA", cutAfterReceiving);
    const txB = await upstream("txB", cutAfterReceiving);
    const readA = await upstream("readA", cutAfterReceiving);
    const readB = await upstream("readB", cutAfterReceiving);
    const counting = await upstream("counting", (_req, res, body) => {
        const id = (JSON.parse(body) as { id?: unknown }).id ?? null;
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id, result: "0xabc" }));
    });
    const down = `http://127.0.0.1:${await freePort()}`;
    const down2 = (downFirst = `http://127.0.0.1:${await freePort()}`);

    const dir = makeTempDir("scheduler-upstreams");
    const file = path.join(dir, "scheduler.yaml");
    const ledgers = { garbage: [garbage], hang: [hang], hangq: [hang2], midway: [midway], txcut: [txA, txB], readcut: [readA, readB], failover: [down, anvil.url], txfailover: [down2, counting] };
    fs.writeFileSync(
        file,
        [
            "listen: { host: 127.0.0.1, port: 0 }",
            "ledgers:",
            // hangq's own bound (1) below the service-wide one (2): the queue-full case depends on it.
            ...Object.entries(ledgers).map(([id, urls]) => `  ${id}: { upstreams: ${JSON.stringify(urls)}${id === "hangq" ? ", inFlightPerUpstream: 1" : ""} }`),
            "tenants:",
            // One key per ledger is not needed: the tests reach each ledger through its own tenant.
            ...Object.keys(ledgers).map((id) => `  - { id: t-${id}, ledger: ${id}, keySha256: "${sha(`${KEY}-${id}`)}", rps: 10000, tps: 10000 }`),
            // Only the first check runs during the test: one failure is below the threshold, so the
            // misbehaving peers are still routed to and the tests see what a request meets.
            "health: { intervalMs: 600000, failures: 5 }",
            "limits: { upstreamTimeoutMs: 700, inFlightPerUpstream: 2, queueLength: 1 }",
            "",
        ].join("\n"),
    );
    service = await startSchedulerProcess(file);
});

afterAll(async () => {
    await service?.stop();
    await Promise.all(servers.map((s) => s.close()));
    await anvil?.stop();
    removeTempDirs();
});

async function rpc(ledger: string, body: object): Promise<{ status: number; body: { id?: unknown; result?: unknown; error?: { code: number; message: string } } }> {
    const response = await fetch(`${service.url}/`, { method: "POST", headers: { authorization: `Bearer ${KEY}-${ledger}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as { error?: { code: number; message: string } } };
}

describe("scheduler upstreams", () => {
    it("a peer answering garbage gives 502 with a JSON-RPC error", async () => {
        const reply = await rpc("garbage", READ);
        expect(reply.status).toBe(502);
        expect(reply.body).toMatchObject({ id: 2, error: { code: -32603, message: expect.stringContaining("not JSON-RPC") } });
    });

    it("a peer that does not answer gives 504 after the upstream timeout, then 503 while it is marked down", async () => {
        const reply = await rpc("hang", READ);
        expect(reply.status).toBe(504);
        expect(reply.body.error?.message).toContain("did not answer within 700 ms");
        const next = await rpc("hang", READ);
        expect(next.status).toBe(503);
        expect(next.body.error).toMatchObject({ code: -32002, message: expect.stringContaining("no healthy peer for ledger hang") });
    });

    it("a peer that closes the connection mid-answer gives 502", async () => {
        const reply = await rpc("midway", READ);
        expect(reply.status).toBe(502);
        expect(reply.body.error?.message).toContain("broke before its answer was complete");
    });

    it("fails over to the second peer when the first is down", async () => {
        const reply = await rpc("failover", READ);
        expect(reply).toEqual({ status: 200, body: { jsonrpc: "2.0", id: 2, result: "0x0" } });
        // And the next requests go straight to the healthy one.
        expect((await rpc("failover", READ)).status).toBe(200);
    });

    it("a transaction refused at connect (never received) is sent to the other peer", async () => {
        const reply = await rpc("txfailover", TX);
        expect(reply).toEqual({ status: 200, body: { jsonrpc: "2.0", id: 1, result: "0xabc" } });
        expect(received.counting.eth_sendRawTransaction).toBe(1);
        // It was tried first (the first request goes to the first peer), and is now marked down.
        const text = await (await fetch(`${service.adminUrl}/metrics`)).text();
        expect(text).toContain(`ledgerfleet_scheduler_upstream_healthy{ledger="txfailover",upstream="${downFirst}"} 0`);
    });

    it("a transaction is not sent again once a peer received it; a read is retried once on the other peer", async () => {
        const tx = await rpc("txcut", TX);
        expect(tx.status).toBe(502);
        expect(tx.body.error?.message).toContain("eth_getTransactionByHash");
        const sent = (received.txA.eth_sendRawTransaction ?? 0) + (received.txB.eth_sendRawTransaction ?? 0);
        expect(sent).toBe(1);

        const read = await rpc("readcut", READ);
        expect(read.status).toBe(502);
        expect((received.readA.eth_getBalance ?? 0) + (received.readB.eth_getBalance ?? 0)).toBe(2);
    });

    it("when a tenant's queue is full the request gets 503 saying so, while the queued one still gets its answer", async () => {
        // hangq's inFlightPerUpstream 1 (the service's is 2) and queueLength 1: one on the peer, one
        // waiting, the third refused.
        const first = rpc("hangq", READ);
        await new Promise((r) => setTimeout(r, 100));
        const second = rpc("hangq", READ);
        await new Promise((r) => setTimeout(r, 100));
        const third = await rpc("hangq", READ);
        expect(third.status).toBe(503);
        expect(third.body.error?.message).toContain("queue is full");
        // The first times out (504); the peer is then marked down and the queued one is told so.
        expect((await first).status).toBe(504);
        expect((await second).status).toBe(503);
    });

    it("counts upstream failures per tenant in the metrics", async () => {
        const text = await (await fetch(`${service.adminUrl}/metrics`)).text();
        expect(text).toMatch(/^ledgerfleet_scheduler_errors_total\{tenant="t-hang",ledger="hang",kind="timeout"\} 1$/m);
        expect(text).toMatch(/^ledgerfleet_scheduler_errors_total\{tenant="t-garbage",ledger="garbage",kind="bad_response"\} 1$/m);
        expect(text).toMatch(/^ledgerfleet_scheduler_errors_total\{tenant="t-hangq",ledger="hangq",kind="queue_full"\} 1$/m);
        expect(text).toMatch(/^ledgerfleet_scheduler_upstream_healthy\{ledger="hang",upstream="http:\/\/127\.0\.0\.1:\d+"\} 0$/m);
        expect(text).toMatch(/^ledgerfleet_scheduler_responses_total\{code="504"\} [1-9]/m);
    });
});
