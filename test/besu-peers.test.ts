// Peer lists and allowlists: the files every node reads, and the in-pod script that keeps the
// allowlist current and makes Besu reload it, run here under bash against a real local HTTP server.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { SigningKey } from "ethers";
import { parse as parseToml } from "smol-toml";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { LOCAL_HTTP_PROBE_SCRIPT, PEERS_SCRIPT } from "../charts/pod-scripts";
import { allowlistLines, localPeerLines, parseEnode, peerEnodes, staticNodesJson } from "../frameworks/besu/peers";

const ids = ["55", "66", "77"].map((b) => new SigningKey("0x" + b.repeat(32)).publicKey.slice(4));
const peers = [
    { publicKey: `0x${ids[0]}`, address: "198.51.100.1", egress: ["203.0.113.1", "203.0.113.2"] },
    { publicKey: `0x${ids[1]}`, address: "198.51.100.2", egress: ["203.0.113.3"] },
    { publicKey: `0x${ids[2]}`, address: "2001:db8::3", egress: ["2001:db8:ffff::1"] },
];

describe("static-nodes.json", () => {
    const enodes = ids.map((id, i) => `enode://${id}@198.51.100.${i + 1}:30303`);

    it("is a sorted JSON array with a trailing newline, whatever the input order", () => {
        const text = staticNodesJson([...enodes].reverse());
        expect(text.endsWith("]\n")).toBe(true);
        expect(JSON.parse(text)).toEqual([...enodes].sort());
        expect(text).toBe(staticNodesJson(enodes));
        expect(staticNodesJson([])).toBe("[]\n");
    });

    it("refuses duplicates, host names, unbracketed IPv6 and ids off the curve", () => {
        const first = enodes[0] ?? "";
        expect(() => staticNodesJson([first, first])).toThrow(/listed twice/);
        expect(() => staticNodesJson([`enode://${ids[0]}@node-1.example.net:30303`])).toThrow(/not an enode URL/);
        expect(() => staticNodesJson([`enode://${ids[0]}@2001:db8::1:30303`])).toThrow(/not an enode URL/);
        expect(() => staticNodesJson([`enode://${ids[0]}@[2001:0db8::1]:30303`])).toThrow(/write the address as \[2001:db8::1\]/);
        expect(() => staticNodesJson([first.replace(":30303", ":70000")])).toThrow(/not an enode URL/);
        expect(() => staticNodesJson([`enode://${"00".repeat(63)}07@10.0.0.1:30303`])).toThrow(/secp256k1/);
        expect(parseEnode(`enode://${ids[2]}@[2001:db8::3]:30303`)).toEqual({ id: ids[2], ip: "2001:db8::3", port: 30303 });
    });
});

describe("the node allowlist", () => {
    it("lists every peer at its static address and at each egress address of its region", () => {
        const lines = allowlistLines(peers, 30303).trimEnd().split("\n");
        expect(lines).toHaveLength(2 + 1 + 1 + 1 + 1 + 1);
        expect(lines).toContain(`enode://${ids[0]}@198.51.100.1:30303`);
        expect(lines).toContain(`enode://${ids[0]}@203.0.113.2:30303`);
        expect(lines).toContain(`enode://${ids[2]}@[2001:db8:ffff::1]:30303`);
        // Besu refuses to start when a static node is missing from the allowlist.
        for (const p of peers) expect(lines).toContain(peerEnodes(p, 30303)[0]);
        for (const line of lines) expect(() => parseEnode(line)).not.toThrow();
    });
});

// ---------------------------------------------------------------------------------------------
// The pod script, for real: bash, getent, a local HTTP server standing in for Besu's JSON-RPC.

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerfleet-peers-"));
const children: ChildProcess[] = [];
const servers: http.Server[] = [];
afterEach(async () => {
    for (const c of children.splice(0)) c.kill("SIGKILL");
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function peersDir(name: string, allowlist: string, localPeers: string): { dir: string; out: string } {
    const dir = path.join(tmp, name);
    fs.mkdirSync(path.join(dir, "peers"), { recursive: true });
    fs.writeFileSync(path.join(dir, "peers", "allowlist"), allowlist);
    fs.writeFileSync(path.join(dir, "peers", "local-peers"), localPeers);
    return { dir, out: path.join(dir, "permissions_config.toml") };
}

function env(dir: string, out: string, extra: Record<string, string>): NodeJS.ProcessEnv {
    return { PATH: process.env["PATH"], PEERS_DIR: path.join(dir, "peers"), OUT: out, P2P_PORT: "30303", INTERVAL: "1", RPC_PORT: "1", ...extra };
}

/** A stand-in for Besu's JSON-RPC: answers perm_reloadPermissionsFromFile as Besu does, and records calls. */
async function fakeBesu(): Promise<{ port: number; calls: string[] }> {
    const calls: string[] = [];
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString()));
        req.on("end", () => {
            calls.push(`${req.method} ${req.url} ${req.headers.host} ${body}`);
            res.setHeader("content-type", "application/json");
            res.end(JSON.stringify({ jsonrpc: "2.0", id: 1, result: "Success" }));
        });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return { port: (server.address() as AddressInfo).port, calls };
}

async function until(check: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
        if (check()) return;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
}

describe("the pod's allowlist script (charts/pod-scripts.ts)", () => {
    const fixed = allowlistLines(peers, 30303);
    const local = localPeerLines([{ publicKey: `0x${ids[1]}`, podDnsName: "localhost" }, { publicKey: `0x${ids[2]}`, podDnsName: "peer.does-not-exist.invalid" }]);
    const localhost = spawnSync("getent", ["ahosts", "localhost"], { encoding: "utf8" }).stdout.split("\n").map((l) => l.split(/\s+/)[0]).filter((a) => a);

    it("writes the allowlist plus the pod addresses of same-cluster peers, as TOML with Besu's key nodes-allowlist", () => {
        const { dir, out } = peersDir("once", fixed + 'enode://x"@1.2.3.4:30303\n', local);
        const run = spawnSync("bash", ["-c", PEERS_SCRIPT], { env: env(dir, out, { MODE: "once" }), encoding: "utf8" });
        expect(run.status, run.stderr).toBe(0);
        const podEntries = [...new Set(localhost)].map((ip) => `enode://${ids[1]}@${ip.includes(":") ? `[${ip}]` : ip}:30303`);
        expect(podEntries.length).toBeGreaterThan(0);
        const written = parseToml(fs.readFileSync(out, "utf8")) as { "nodes-allowlist": string[] };
        // The quoted junk line is dropped; the unresolvable peer simply has no pod entry yet.
        expect([...written["nodes-allowlist"]].sort()).toEqual([...fixed.trimEnd().split("\n"), ...podEntries].sort());
    });

    it("reloads Besu's allowlist over localhost JSON-RPC when the peers change, without restarting anything", async () => {
        const besu = await fakeBesu();
        const { dir, out } = peersDir("watch", fixed, "");
        const child = spawn("bash", ["-c", PEERS_SCRIPT], { env: env(dir, out, { MODE: "watch", RPC_PORT: String(besu.port) }), stdio: "pipe" });
        children.push(child);
        // A (re)started sidecar reloads once, since it cannot know whether its last write was reloaded.
        await until(() => besu.calls.length === 1, "the first reload");
        expect(besu.calls[0]).toBe(`POST / localhost {"jsonrpc":"2.0","id":1,"method":"perm_reloadPermissionsFromFile","params":[]}`);
        await new Promise((r) => setTimeout(r, 1500));
        expect(besu.calls).toHaveLength(1); // nothing changed, nothing reloaded

        const joined = `enode://${new SigningKey("0x" + "88".repeat(32)).publicKey.slice(4)}@198.51.100.9:30303`;
        fs.writeFileSync(path.join(dir, "peers", "allowlist"), fixed + joined + "\n");
        await until(() => besu.calls.length === 2, "the reload after a peer joined");
        expect(fs.readFileSync(out, "utf8")).toContain(joined);

        child.kill("SIGTERM");
        const code = await new Promise((r) => child.on("exit", (c, signal) => r(c ?? signal)));
        expect(code).toBe(0);
    });

    it("keeps retrying a reload Besu refuses or cannot take yet", async () => {
        const { dir, out } = peersDir("retry", fixed, "");
        // Nothing listens on the port yet: the reload fails, and is retried every interval.
        const besu = await fakeBesu();
        const port = besu.port;
        await new Promise((r) => servers.pop()?.close(r));
        const child = spawn("bash", ["-c", PEERS_SCRIPT], { env: env(dir, out, { MODE: "watch", RPC_PORT: String(port) }), stdio: "pipe" });
        children.push(child);
        await new Promise((r) => setTimeout(r, 1500));
        const late = http.createServer((_req, res) => res.end(JSON.stringify({ jsonrpc: "2.0", id: 1, result: "Success" })));
        servers.push(late);
        let reloaded = false;
        late.on("request", () => (reloaded = true));
        await new Promise<void>((r) => late.listen(port, "127.0.0.1", r));
        await until(() => reloaded, "a reload once Besu listens");
    });
});

describe("the local HTTP probe (validators' readiness, JSON-RPC on localhost only)", () => {
    it("succeeds on 200 and fails on Besu's 503 DOWN or a closed port", async () => {
        let status = 200;
        const seen: string[] = [];
        const server = http.createServer((req, res) => {
            seen.push(`${req.url} ${req.headers.host}`);
            res.statusCode = status;
            res.end(JSON.stringify({ status: status === 200 ? "UP" : "DOWN" }));
        });
        servers.push(server);
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const port = String((server.address() as AddressInfo).port);
        const probe = () => new Promise<number | null>((r) => spawn("bash", ["-c", LOCAL_HTTP_PROBE_SCRIPT, "readiness", port, "/readiness?minPeers=1&maxBlocksBehind=2"]).on("exit", r));
        expect(await probe()).toBe(0);
        expect(seen[0]).toBe("/readiness?minPeers=1&maxBlocksBehind=2 localhost");
        status = 503;
        expect(await probe()).not.toBe(0);
        await new Promise((r) => server.close(r));
        servers.pop();
        expect(await probe()).not.toBe(0);
    });
});
