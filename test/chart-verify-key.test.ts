// The verify-key init container's script, run for real with /bin/sh against a stand-in `besu`
// that accepts only the documented syntax (besu-docs, CLI subcommands, `public-key export`:
// `besu public-key export [--node-private-key-file=<file>] [--to=<key-file>]`, parent options such
// as --data-path before the subcommand) and derives the public key with @noble/curves.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, chmodSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ledgerPeer } from "../charts/ledger-peer";
import { MARKER_KEY, MARKER_PUBLIC, OTHER_KEY, arr, container, peer, podSpec, publicKeyOf } from "./helpers/chart-fixtures";

const validator = ledgerPeer(peer());

describe("verify-key init container", () => {
    const dir = mkdtempSync(join(tmpdir(), "ledgerfleet-verify-key-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const noble = createRequire(__filename).resolve("@noble/curves/secp256k1");
    mkdirSync(join(dir, "bin"));
    writeFileSync(join(dir, "besu.js"), `
const { secp256k1 } = require(${JSON.stringify(noble)});
const fs = require("node:fs");
const args = process.argv.slice(2);
let i = 0;
while (i < args.length && args[i].startsWith("--data-path=")) i++;
const rest = args.slice(i);
const key = rest.find((a) => a.startsWith("--node-private-key-file="));
const to = rest.find((a) => a.startsWith("--to="));
if (rest[0] !== "public-key" || rest[1] !== "export" || !key || !to || rest.length !== 4) {
  console.error("stub besu: unexpected arguments " + JSON.stringify(args)); process.exit(2);
}
const priv = fs.readFileSync(key.split("=")[1], "utf8").trim().replace(/^0x/, "");
let pub;
try { pub = secp256k1.getPublicKey(priv, false).slice(1); } catch (e) { console.error("stub besu: " + e.message); process.exit(1); }
fs.writeFileSync(to.split("=")[1], "0x" + Buffer.from(pub).toString("hex"));
`);
    writeFileSync(join(dir, "bin", "besu"), `#!/bin/sh\nexec "${process.execPath}" "${join(dir, "besu.js")}" "$@"\n`);
    chmodSync(join(dir, "bin", "besu"), 0o755);

    function runVerify(keyFileContent: string | undefined, expected: string) {
        const spec = podSpec(validator, "val-1");
        const init = container(spec, "verify-key");
        const env: Record<string, string> = {};
        for (const e of arr(init, "env")) env[String(e.name)] = String(e.value);
        expect(env.EXPECTED_PUBLIC_KEY).toBe(MARKER_PUBLIC);
        const keyFile = join(dir, "secrets", "key");
        rmSync(join(dir, "secrets"), { recursive: true, force: true });
        mkdirSync(join(dir, "secrets"));
        if (keyFileContent !== undefined) writeFileSync(keyFile, keyFileContent);
        const work = mkdtempSync(join(dir, "tmp-"));
        const [shell, flag, script] = arr(init, "command") as unknown as string[];
        return spawnSync(shell, [flag, script], {
            encoding: "utf8",
            env: { ...env, EXPECTED_PUBLIC_KEY: expected, NODE_KEY_FILE: keyFile, VERIFY_DIR: work, PATH: `${join(dir, "bin")}:${process.env.PATH ?? ""}` },
        });
    }

    it("lets the node start when the mounted key derives the expected public key", () => {
        const r = runVerify("0x" + MARKER_KEY + "\n", MARKER_PUBLIC);
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        // Case of the hex does not matter.
        expect(runVerify(MARKER_KEY, MARKER_PUBLIC.toUpperCase().replace("0X", "0x")).status).toBe(0);
    });

    it("refuses to start the node, saying why, when the key was swapped or regenerated", () => {
        const r = runVerify("0x" + OTHER_KEY, MARKER_PUBLIC);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("WRONG NODE KEY");
        expect(r.stderr).toContain(MARKER_PUBLIC);
        expect(r.stderr).toContain(publicKeyOf(OTHER_KEY));
        expect(r.stderr).toContain("val-1-key");
    });

    it("refuses to start when no key is mounted (Besu would silently generate one)", () => {
        const r = runVerify(undefined, MARKER_PUBLIC);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toMatch(/no private key/);
    });
});
