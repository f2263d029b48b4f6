// `ledgerfleet preflight`: what it says it would check offline, the in-cluster probe against real
// sockets, and `--run` end to end through a fake kubectl that runs the probe on this machine.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { Command, CommanderError } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { preflight, preflightNetwork, registerPreflightCommand } from "../cli/preflight";
import { parseProbeOutput, planPreflight } from "../cli/preflight-plan";
import { PROBE_SCRIPT } from "../cli/preflight-probe";
import { loadStack } from "../config/load";
import { type DeployTarget, type NetworkConfig, networkSchema } from "../config/schema";

const STACKS = path.join(__dirname, "../stacks");

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerfleet-preflight-"));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    return dir;
}

function capture() {
    let out = "";
    let err = "";
    return { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) }, text: () => out, errors: () => err };
}

async function listen(host: string, port: number): Promise<net.Server> {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => resolve());
    });
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return server;
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

/** Two regions of two validators each; `addresses` gives val-1..val-4 their P2P addresses. */
function network(addresses: readonly string[], fra: Record<string, unknown> = {}): NetworkConfig {
    const region = (id: string) => ({ cloud: "existing", kubeconfigContext: `${id}-ctx`, storageClass: "local-retain", egressAddresses: ["203.0.113.10"] });
    return networkSchema.parse({
        name: "atlas",
        domain: "ledger.invalid",
        regions: { fra: { ...region("fra"), kubeconfig: "/etc/fra.kubeconfig", ...fra }, ams: region("ams") },
        ledgers: {
            main: {
                framework: "besu",
                consensus: "qbft",
                chainId: 827614,
                image: "hyperledger/besu:26.8.1",
                nodes: addresses.map((address, i) => ({ name: `val-${i + 1}`, role: "validator", region: i < 2 ? "fra" : "ams", address })),
            },
        },
    });
}

/**
 * A kubectl that answers `get storageclass` / `get nodes` from JSON files beside it and, for `run`,
 * executes what follows `--` on this machine, as the pod would. Every call is logged, one per line.
 */
function fakeKubectl(files: Record<string, unknown> = {}): { kubectl: string; calls: () => string[] } {
    const dir = tempDir();
    for (const [name, value] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), JSON.stringify(value));
    const kubectl = path.join(dir, "kubectl");
    fs.writeFileSync(
        kubectl,
        [
            "#!/bin/bash",
            'dir="$(dirname "$0")"',
            // One write per call: the regions' kubectl calls run side by side.
            'line=$(printf "%q " "$@"); printf "%s\\n" "$line" >> "$dir/calls.log"',
            'if [ "${3:-}" = --kubeconfig ] && [ -f "$4" ]; then echo "kubeconfig file $4 holds: $(head -n 1 "$4")" >> "$dir/calls.log"; fi',
            'while [ "$#" -gt 0 ]; do case "$1" in --context|--kubeconfig) shift 2 ;; *) break ;; esac; done',
            'case "$1" in',
            "  get)",
            '    if [ "$2" = nodes ]; then cat "$dir/nodes.json"; exit; fi',
            '    if [ -f "$dir/storageclass-$3.json" ]; then cat "$dir/storageclass-$3.json"; exit; fi',
            '    echo "Error from server (NotFound): storageclasses.storage.k8s.io \\"$3\\" not found" >&2; exit 1 ;;',
            '  run) while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do shift; done; shift; exec "$@" ;;',
            '  *) echo "fake kubectl: unexpected $*" >&2; exit 1 ;;',
            "esac",
        ].join("\n") + "\n",
        { mode: 0o755 },
    );
    const log = path.join(dir, "calls.log");
    return { kubectl, calls: () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : []) };
}

const RETAIN = { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", provisioner: "rancher.io/local-path", reclaimPolicy: "Retain", allowVolumeExpansion: true };
const node = (name: string, ready: boolean, unschedulable = false) => ({
    metadata: { name },
    spec: unschedulable ? { unschedulable: true } : {},
    status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
});
const NODES = { apiVersion: "v1", kind: "List", items: [node("a", true), node("b", true), node("c", true, true)] };

/** The output's section for one region: from its `region <id>` line to the next. */
function section(text: string, region: string): string {
    const start = text.indexOf(`\nregion ${region}`);
    if (start < 0) return "";
    const next = text.indexOf("\nregion ", start + 1);
    return text.slice(start, next < 0 ? undefined : next);
}

describe("ledgerfleet preflight offline", () => {
    it("lists every node's address:30303 under every region hosting its ledger, and contacts nothing", async () => {
        const { kubectl, calls } = fakeKubectl();
        const io = capture();
        let loaded: { network: NetworkConfig; deploy: DeployTarget };
        let code: number;
        try {
            loaded = loadStack(STACKS, "atlas");
            code = await preflight({ stack: "atlas", stacksDir: STACKS, kubectl, ...io });
        } catch {
            // The example network may be mid-edit; the same promise holds for a network built here.
            loaded = { network: network(["198.51.100.11", "198.51.100.12", "198.51.100.75", "2001:db8::76"]), deploy: { kind: "all" } };
            code = await preflightNetwork({ stack: "dev", ...loaded, kubectl, ...io });
        }
        expect(code).toBe(0);
        expect(io.errors()).toBe("");
        expect(calls()).toEqual([]);
        const text = io.text();
        expect(text).toMatch(/Offline: nothing was contacted/);
        for (const [regionId, region] of Object.entries(loaded.network.regions)) {
            const hosted = Object.values(loaded.network.ledgers).filter((l) => l.nodes.some((n) => n.region === regionId));
            if (hosted.length === 0) continue;
            const part = section(text, regionId);
            if (region.cloud === "existing") expect(part).toContain(`cluster context ${region.kubeconfigContext}`);
            for (const n of hosted.flatMap((l) => l.nodes)) {
                const address = n.address?.includes(":") ? `[${n.address}]:30303` : `${n.address}:30303`;
                expect(part, `region ${regionId} lists ${n.name}`).toMatch(new RegExp(`^\\s+tcp\\s+${address.replace(/[.[\]]/g, "\\$&")}\\s`, "m"));
            }
            expect(part).toMatch(/storage class\s+\S+\s+exists, reclaimPolicy Retain, allowVolumeExpansion true/);
        }
    });

    it("a region stack checks its own region only, and the global stack has no cluster to check", () => {
        const net4 = network(["198.51.100.11", "198.51.100.12", "198.51.100.75", "198.51.100.76"]);
        const one = planPreflight(net4, { kind: "region", region: "ams" });
        expect(one.regions.map((r) => r.region)).toEqual(["ams"]);
        expect(one.regions[0].peers.map((p) => `${p.ip}:${p.port}`)).toEqual(["198.51.100.11:30303", "198.51.100.12:30303", "198.51.100.75:30303", "198.51.100.76:30303"]);
        expect(one.regions[0].machines).toEqual({ required: 2, ledger: "main" });
        expect(planPreflight(net4, { kind: "global" }).regions).toEqual([]);
    });

    it("says why a global stack has nothing to check, and exits 0", async () => {
        const io = capture();
        const code = await preflightNetwork({ stack: "global", network: network(["198.51.100.11", "198.51.100.12", "198.51.100.75", "198.51.100.76"]), deploy: { kind: "global" }, ...io });
        expect(code).toBe(0);
        expect(io.text()).toMatch(/deploys .* no region, so it has no cluster to check/);
    });
});

/** The probe's output; it exits 0 whatever it finds, and 2 (with a `probe error` line) on bad arguments. */
function runProbe(args: readonly string[], expectedExit = 0): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile("/bin/bash", ["-c", PROBE_SCRIPT, "preflight", ...args], { encoding: "utf8", timeout: 30_000 }, (error, stdout) => {
            const code = error === null ? 0 : error.code;
            if (code === expectedExit) resolve(stdout);
            else reject(new Error(`probe exited ${String(code)}, expected ${expectedExit}:\n${stdout}`));
        });
    });
}

describe("the probe script, under the local bash", () => {
    it("reports an open port ok, a closed one failed, resolves localhost but not a name under .invalid", async () => {
        const server = await listen("127.0.0.1", 0);
        const open = (server.address() as net.AddressInfo).port;
        const closed = await closedPort();
        const lines = parseProbeOutput(await runProbe(["2", "127.0.0.1", String(open), "localhost", "127.0.0.1", String(closed), "nowhere.invalid"]));
        expect(lines).toContainEqual({ kind: "tcp", ok: true, ip: "127.0.0.1", port: open, reason: "" });
        expect(lines).toContainEqual({ kind: "tcp", ok: false, ip: "127.0.0.1", port: closed, reason: "refused" });
        expect(lines.find((l) => l.kind === "dns" && l.name === "localhost")).toMatchObject({ ok: true });
        expect(lines.find((l) => l.kind === "dns" && l.name === "nowhere.invalid")).toMatchObject({ ok: false });
        expect(lines).toContainEqual({ kind: "done", count: 2 });
    });

    it("refuses malformed targets without using them", async () => {
        const output = await runProbe(["2", "1.2.3.4;touch /tmp/x", "30303", "-x", "::1", "99999", "bad name"]);
        expect(output).toMatch(/^tcp fail 1\.2\.3\.4\?touch\?\/?\S* 30303 invalid-target$/m);
        expect(output).toMatch(/^tcp fail ::1 99999 invalid-target$/m);
        expect(output).toMatch(/^dns fail -x invalid-name$/m);
        expect(output).toMatch(/^dns fail bad\?name invalid-name$/m);
        expect(output).toMatch(/^probe done 2$/m);
        expect(await runProbe(["0"], 2)).toMatch(/^probe error expected the timeout/m);
    });
});

describe("ledgerfleet preflight --run, through a fake kubectl", () => {
    // Distinct loopback addresses keep the real port, 30303: the plan always dials P2P_PORT.
    const OPEN = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"];
    const listenAll = async () => {
        for (const ip of OPEN) await listen(ip, 30303);
    };
    const run = async (addresses: readonly string[], files: Record<string, unknown>, fra: Record<string, unknown> = {}) => {
        const fake = fakeKubectl(files);
        const io = capture();
        const code = await preflightNetwork({ stack: "dev", network: network(addresses, fra), deploy: { kind: "all" }, run: true, timeoutSeconds: 10, kubectl: fake.kubectl, podName: () => "ledgerfleet-preflight-test01", ...io });
        return { code, text: io.text(), calls: fake.calls() };
    };

    it("exits 0 when every peer accepts on 30303 and the clusters are ready", async () => {
        await listenAll();
        const { code, text, calls } = await run(OPEN, { "storageclass-local-retain.json": RETAIN, "nodes.json": NODES });
        expect(text).not.toMatch(/FAIL/);
        expect(code).toBe(0);
        for (const r of ["fra", "ams"]) {
            for (const ip of OPEN) expect(section(text, r)).toMatch(new RegExp(`tcp\\s+${ip.replace(/\./g, "\\.")}:30303 main/val-\\d\\s+ok`));
        }
        expect(text).toMatch(/ledger nodes\s+ledgerfleet\.io\/pool=ledger\s+ok: 2 Ready, schedulable \(and 1 cordoned\)/);
        expect(text).toMatch(/0 failed, \d+ warnings, \d+ ok: every mandatory check passed/);
        const runs = calls.filter((c) => / run /.test(c));
        expect(runs).toHaveLength(2);
        expect(runs.find((c) => c.includes("fra-ctx"))).toMatch(/^--context fra-ctx --kubeconfig \/etc\/fra\.kubeconfig run ledgerfleet-preflight-test01 --namespace atlas-main --rm -i /);
        expect(runs.find((c) => c.includes("ams-ctx"))).not.toMatch(/--kubeconfig/);
        expect(runs[0]).toMatch(/runAsNonRoot.*true.*runAsUser.*1000/);
        expect(runs[0]).toMatch(/automountServiceAccountToken.*false/);
        expect(runs[0]).toMatch(/limits/);
        // Labelled as a pod of the ledger, so the ledger's own NetworkPolicies admit it like a peer.
        expect(runs[0]).toMatch(/--labels app\.kubernetes\.io\/name=besu\\?,ledgerfleet\.io\/ledger=main\\?,/);
        expect(calls).toContain("--context ams-ctx get nodes -l ledgerfleet.io/pool=ledger -o json ");
    });

    it("exits 1 and names the peer that does not answer", async () => {
        await listenAll();
        const { code, text } = await run([...OPEN.slice(0, 3), "127.0.0.9"], { "storageclass-local-retain.json": RETAIN, "nodes.json": NODES });
        expect(code).toBe(1);
        for (const r of ["fra", "ams"]) expect(section(text, r)).toMatch(/tcp\s+127\.0\.0\.9:30303 main\/val-4\s+FAIL: connection refused/);
        expect(text).toMatch(/^\s+tcp\s+127\.0\.0\.2:30303 main\/val-1\s+ok/m);
        expect(text).toMatch(/2 failed, .*fix the failures first/);
    });

    it("fails a storage class that deletes its volumes, and says why", async () => {
        await listenAll();
        const { code, text } = await run(OPEN, { "storageclass-local-retain.json": { ...RETAIN, reclaimPolicy: "Delete" }, "nodes.json": NODES });
        expect(code).toBe(1);
        expect(text).toMatch(/reclaimPolicy\s+local-retain\s+FAIL: Delete, not Retain: deleting a node's volume claim would delete its chain data/);
    });

    it("fails a missing storage class and too few ledger machines", async () => {
        await listenAll();
        const { code, text } = await run(OPEN, { "nodes.json": { items: [node("a", true), node("b", false)] } });
        expect(code).toBe(1);
        expect(text).toMatch(/storage class\s+local-retain\s+FAIL: does not exist in this cluster/);
        expect(text).toMatch(/ledger nodes\s+\S+\s+FAIL: 1 Ready, schedulable \(and 1 not Ready\), need 2: ledger main has 2 nodes here; pods of one ledger need distinct machines/);
    });

    it("a kubeconfig given inline reaches kubectl as a private file, removed afterwards, and is never printed", async () => {
        await listenAll();
        const inline = "apiVersion: v1\nkind: Config\n# secret-token-here\n";
        const { code, text, calls } = await run(OPEN, { "storageclass-local-retain.json": RETAIN, "nodes.json": NODES }, { kubeconfig: inline });
        expect(code).toBe(0);
        const files = calls.flatMap((c) => /^kubeconfig file (\S+) holds: apiVersion: v1$/.exec(c)?.[1] ?? []);
        expect(files).toHaveLength(3);
        for (const file of files) expect(fs.existsSync(file)).toBe(false);
        expect(text).not.toMatch(/secret-token-here/);
        const offline = capture();
        await preflightNetwork({ stack: "dev", network: network(OPEN, { kubeconfig: inline }), deploy: { kind: "all" }, ...offline });
        expect(offline.text()).toMatch(/cluster context fra-ctx \(kubeconfig given inline\)/);
        expect(offline.text()).not.toMatch(/secret-token-here/);
    });

    it("a missing kubectl exits 2 with what to do", async () => {
        const io = capture();
        const code = await preflightNetwork({ stack: "dev", network: network(OPEN), deploy: { kind: "all" }, run: true, kubectl: path.join(tempDir(), "no-kubectl"), ...io });
        expect(code).toBe(2);
        expect(io.errors()).toMatch(/cannot run kubectl .*no-kubectl' \(ENOENT\).*install it, or pass --kubectl <path>/);
        expect(io.text()).toBe("");
    });
});

describe("ledgerfleet preflight on bad usage", () => {
    it("an unknown stack exits 2 with the stacks there are, and no stack trace", async () => {
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config:\n  ledgerfleet:network: networks/net.yaml\n");
        const io = capture();
        expect(await preflight({ stack: "prod", stacksDir: dir, ...io })).toBe(2);
        expect(io.errors()).toMatch(/unknown stack 'prod'.*available stacks in .*: dev/);
        expect(io.errors()).not.toMatch(/^\s+at /m);
        expect(io.text()).toBe("");
    });

    it("the command passes its options through and exits 2 on a bad --timeout", async () => {
        const dir = tempDir();
        const io = capture();
        const program = new Command("ledgerfleet").exitOverride().configureOutput({ writeOut: io.out.write, writeErr: io.err.write });
        let exitCode = -1;
        registerPreflightCommand(program, io, (code) => (exitCode = code));
        await program.parseAsync(["preflight", "--stack", "prod", "--stacks", dir], { from: "user" });
        expect(exitCode).toBe(2);
        expect(io.errors()).toMatch(/unknown stack 'prod'/);
        await expect(program.parseAsync(["preflight", "--stack", "dev", "--timeout", "0"], { from: "user" })).rejects.toBeInstanceOf(CommanderError);
        expect(io.errors()).toMatch(/--timeout <seconds>.*expected whole seconds from 1 to 120/);
    });
});
