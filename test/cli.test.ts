// `ledgerfleet plan` as a user runs it: exit codes, what it writes, and what it says on bad input.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../cli/main";
import { networkWith, removeTempDirs, writeFiles } from "./fixtures/config/network";

afterAll(removeTempDirs);

const ROOT = path.join(__dirname, "..");
const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
const STACK = "config:\n  ledgerfleet:network: networks/net.yaml\n";
const KEY = `0x${"ab".repeat(64)}`; // 128 hex digits, but not a curve point

function capture(): { io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream }; out: () => string; err: () => string } {
    let out = "";
    let err = "";
    const sink = (append: (s: string) => void) => ({ write: (s: string) => (append(s), true) }) as unknown as NodeJS.WritableStream;
    return { io: { out: sink((s) => (out += s)), err: sink((s) => (err += s)) }, out: () => out, err: () => err };
}

/** An out/ folder holding an earlier plan, to show a failed run leaves it alone. */
function earlierOut(dir: string): string {
    const out = path.join(dir, "out");
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, "plan.json"), "earlier plan\n");
    return out;
}

const BAD_INPUTS: { name: string; files: Record<string, string>; stack?: string; expect: RegExp }[] = [
    { name: "missing network file", files: { "Pulumi.dev.yaml": "config:\n  ledgerfleet:network: networks/nope.yaml\n" }, expect: /Pulumi\.dev\.yaml:2:\d+: config\.ledgerfleet:network: network file not found/ },
    { name: "YAML syntax error", files: { "networks/net.yaml": networkWith({ 13: "      - { name: val-1, role: validator, region: fra" }) }, expect: /net\.yaml:\d+:\d+: invalid YAML/ },
    { name: "unknown key", files: { "networks/net.yaml": networkWith({ 4: "  fra: { cloud: existing, kubeconfigContext: fra, zone: a }" }) }, expect: /net\.yaml:4:\d+: regions\.fra\.zone: unknown key 'zone'/ },
    { name: "wrong type", files: { "networks/net.yaml": networkWith({ 10: "    chainId: twelve" }) }, expect: /net\.yaml:10:\d+: ledgers\.main\.chainId: expected an integer, found string "twelve"/ },
    { name: "duplicate node name", files: { "networks/net.yaml": networkWith({ 14: "      - { name: val-1, role: validator, region: fra, address: 198.51.100.14 }" }) }, expect: /net\.yaml:14:\d+: ledgers\.main\.nodes\[1\]\.name: duplicate node name 'val-1'/ },
    { name: "duplicate region id", files: { "networks/net.yaml": networkWith({ 5: "  fra: { cloud: existing, kubeconfigContext: ams }" }) }, expect: /net\.yaml:5:\d+: regions\.fra: duplicate region id 'fra'/ },
    { name: "fewer than 4 validators", files: { "networks/net.yaml": networkWith({ 16: "      - { name: rpc-2, role: rpc, region: ams, address: 198.51.100.16 }" }) }, expect: /net\.yaml:12:\d+: ledgers\.main\.nodes: QBFT needs at least 4 validators .*found 3/ },
    { name: "public key not on secp256k1", files: { "networks/net.yaml": networkWith({ 13: `      - { name: val-1, role: validator, region: fra, publicKey: "${KEY}", address: 198.51.100.13 }` }) }, expect: /net\.yaml:13:\d+: ledgers\.main\.nodes\[0\]\.publicKey: expected a public key on the secp256k1 curve/ },
    { name: "deploy naming no region", files: { "Pulumi.dev.yaml": `${STACK}  ledgerfleet:deploy: region:mars\n` }, expect: /Pulumi\.dev\.yaml:3:\d+: config\.ledgerfleet:deploy: region 'mars' is not defined/ },
    { name: "unknown --stack", files: {}, stack: "prod", expect: /Pulumi\.prod\.yaml: .*dev/ },
    { name: "node without an address", files: { "networks/net.yaml": networkWith({ 14: "      - { name: val-2, role: validator, region: fra }" }) }, expect: /net\.yaml:14:\d+: ledgers\.main\.nodes\[1\]: node 'val-2' is in existing region 'fra' and needs its static P2P address/ },
    { name: "duplicate address", files: { "networks/net.yaml": networkWith({ 14: "      - { name: val-2, role: validator, region: fra, address: 198.51.100.13 }" }) }, expect: /net\.yaml:14:\d+: ledgers\.main\.nodes\[1\]\.address: address 198\.51\.100\.13 is already used by main\/val-1/ },
    { name: "address that is not an IP", files: { "networks/net.yaml": networkWith({ 14: "      - { name: val-2, role: validator, region: fra, address: val-2.example }" }) }, expect: /net\.yaml:14:\d+: ledgers\.main\.nodes\[1\]\.address: expected an IPv4 or IPv6 address/ },
    { name: "address outside the region's pool", files: { "networks/net.yaml": networkWith({ 4: "  fra: { cloud: existing, kubeconfigContext: fra, egressAddresses: [203.0.113.1], addressPool: 10.0.0.0/24 }" }) }, expect: /net\.yaml:13:\d+: ledgers\.main\.nodes\[0\]\.address: expected an address in region 'fra' addressPool 10\.0\.0\.0\/24/ },
    { name: "development chain id", files: { "networks/net.yaml": networkWith({ 10: "    chainId: 1337" }) }, expect: /net\.yaml:10:\d+: ledgers\.main\.chainId: chain id 1337 is a development default/ },
    { name: "net-restrict excluding a node's own address", files: { "networks/net.yaml": networkWith({ 2: "domain: atlas.ledger.example\nnetRestrict: [203.0.113.0/24, 198.51.100.0/28]" }) }, expect: /net\.yaml:18:\d+: ledgers\.main\.nodes\[4\]\.address: address 198\.51\.100\.17 of main\/rpc-1 is outside netRestrict/ },
];

describe("ledgerfleet plan on bad input", () => {
    for (const c of BAD_INPUTS) {
        it(`${c.name}: exits 2, says where and what, writes nothing`, async () => {
            const dir = writeFiles({ "Pulumi.dev.yaml": STACK, "networks/net.yaml": networkWith({}), ...c.files });
            const out = earlierOut(dir);
            const { io, out: stdout, err } = capture();
            const code = await main(["plan", "--stack", c.stack ?? "dev", "--stacks", dir, "--out", out], io);
            expect(code).toBe(2);
            expect(err()).toMatch(c.expect);
            expect(err()).not.toMatch(/^\s+at /m);
            expect(stdout()).toBe("");
            expect(fs.readdirSync(out)).toEqual(["plan.json"]);
            expect(fs.readFileSync(path.join(out, "plan.json"), "utf8")).toBe("earlier plan\n");
        });
    }

    it("reports every problem of a file at once", async () => {
        const dir = writeFiles({
            "Pulumi.dev.yaml": STACK,
            "networks/net.yaml": networkWith({ 2: "domian: atlas.ledger.example", 10: "    chainId: -1", 14: "      - { name: val-1, role: validator, region: fra, address: 198.51.100.14 }" }),
        });
        const { io, err } = capture();
        expect(await main(["plan", "--stack", "dev", "--stacks", dir, "--out", path.join(dir, "out")], io)).toBe(2);
        expect(err()).toMatch(/net\.yaml:2:\d+: domian: unknown key/);
        expect(err()).toMatch(/net\.yaml:10:\d+: ledgers\.main\.chainId/);
        expect(err()).toMatch(/net\.yaml:14:\d+: ledgers\.main\.nodes\[1\]\.name: duplicate/);
        expect(fs.existsSync(path.join(dir, "out"))).toBe(false);
    });

    it("an --out folder that cannot be written exits 2 with the reason, leaving nothing behind", async () => {
        const dir = writeFiles({ "a-file": "not a folder\n" });
        const { io, err } = capture();
        expect(await main(["plan", "--stack", "dev", "--out", path.join(dir, "a-file", "out")], io)).toBe(2);
        expect(err()).toMatch(/cannot write the plan to .*a-file\/out \(ENOTDIR\)/);
        expect(err()).not.toMatch(/^\s+at /m);
        expect(fs.readdirSync(dir)).toEqual(["a-file"]);
    });

    it("a usage error (no --stack) exits 2", async () => {
        const { io, err } = capture();
        expect(await main(["plan"], io)).toBe(2);
        expect(err()).toContain("--stack");
    });
});

describe("ledgerfleet plan as a process", () => {
    const run = (args: string[]) => spawnSync(process.execPath, [TSX, path.join(ROOT, "cli", "main.ts"), ...args], { cwd: ROOT, encoding: "utf8" });

    it("an unknown stack exits 2 with the stacks there are and no stack trace", () => {
        const r = run(["plan", "--stack", "no-such-stack", "--out", path.join(writeFiles({}), "out")]);
        expect(r.status).toBe(2);
        expect(r.stderr).toContain("Pulumi.no-such-stack.yaml");
        // Nine stack files: the five nearest names, and how many more there are.
        expect(r.stderr).toMatch(/the nearest stacks in .*: ([a-z-]+, ){4}[a-z-]+ \(and 4 more\)/);
        expect(r.stderr).not.toMatch(/^\s+at /m);
    });

    it("the installed `ledgerfleet` command plans the example, exits 0 and writes plan.json, policy.json and manifests", () => {
        const out = path.join(writeFiles({}), "planned");
        const r = spawnSync(process.execPath, [path.join(ROOT, "bin", "ledgerfleet.js"), "plan", "--stack", "dev", "--out", out], { cwd: ROOT, encoding: "utf8" });
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(r.stdout).toContain("ledgerfleet plan: stack dev");
        expect(fs.readdirSync(out).sort()).toEqual(["manifests", "plan.json", "policy.json"]);
        expect(fs.readdirSync(path.join(out, "manifests")).sort()).toEqual(["ali-fra", "aws-dub", "aws-fra", "dc-ams", "gcp-ams", "gcp-fra"]);
    });
});

describe("an internal error in the program", () => {
    it("is reported with its stack trace, or with how to get one when traces were off for speed", async () => {
        const { ProgramError, STACK_TRACES_ENV } = await import("../cli/plan");
        const traced = ProgramError.from([new TypeError("cannot read x")]);
        expect(traced.configuration).toBe(false);
        expect(traced.message).toMatch(/^TypeError: cannot read x\n\s+at /);
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        const bare = new TypeError("cannot read y");
        Error.stackTraceLimit = limit;
        expect(ProgramError.from([bare]).message).toBe(`cannot read y\n(run again with ${STACK_TRACES_ENV}=1 for its stack trace)`);
    });
});
