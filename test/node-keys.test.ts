// Keys an operator brings: a key that does not derive its declared public key stops the stack
// before anything is built, offline and online; a key in plain text is refused outside a lab.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SigningKey } from "ethers";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../cli/main";
import { plan, ProgramError, runProgram } from "../cli/plan";

// Well-known published development keys (Hardhat/Anvil accounts #1 and #2): test-only material.
const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const OTHER = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
const pub = (priv: string) => `0x${new SigningKey(priv).publicKey.slice(4)}`;
const LINE = "{ name: val-1, role: validator, region: fra-dc1, address: 198.51.100.11 }";

let dir: string;
beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerfleet-keys-"));
    fs.mkdirSync(path.join(dir, "networks"));
    const atlas = fs.readFileSync(path.join(__dirname, "..", "stacks", "networks", "atlas.yaml"), "utf8");
    if (!atlas.includes(LINE)) throw new Error("the example network changed: update LINE");
    fs.writeFileSync(path.join(dir, "networks", "byo.yaml"), atlas.replace(LINE, LINE.replace(" }", `, publicKey: "${pub(KEY)}" }`)));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function stack(name: string, config: Record<string, unknown>): string {
    fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), stringify({ config: { "ledgerfleet:network": "networks/byo.yaml", ...config } }));
    return name;
}

async function planned(name: string): Promise<{ code: number; err: string; out: string }> {
    let err = "";
    let out = "";
    const io = { out: { write: (s: string) => ((out += s), true) }, err: { write: (s: string) => ((err += s), true) } };
    const code = await main(["plan", "--stack", name, "--stacks", dir, "--out", path.join(dir, `out-${name}`)], io);
    return { code, err, out };
}

describe("a key brought in the stack file", () => {
    it("in plain text is refused, with the command that stores it encrypted, and nothing is written", async () => {
        const { code, err } = await planned(stack("plain", { "ledgerfleet:nodeKeys": { "main/val-1": KEY } }));
        expect(code).toBe(2);
        expect(err).toMatch(/Pulumi\.plain\.yaml:4:\d+: config\.ledgerfleet:nodeKeys\["main\/val-1"\]: the private key of node main\/val-1 is in plain text/);
        expect(err).toContain(`pulumi config set --secret --path 'ledgerfleet:nodeKeys["main/val-1"]' 0x<64 hex>`);
        expect(err).not.toContain(KEY.slice(2));
        expect(fs.existsSync(path.join(dir, "out-plain"))).toBe(false);
    });

    it("in plain text on a lab stack is planned, and the summary says it is a lab", async () => {
        const { code, out } = await planned(stack("lab", { "ledgerfleet:lab": true, "ledgerfleet:nodeKeys": { "main/val-1": KEY } }));
        expect(code).toBe(0);
        expect(out).toContain("LAB network (ledgerfleet:lab: true)");
        expect(out).not.toContain(KEY.slice(2));
    });

    it("that derives another public key is refused offline, naming the node and the stack file key, without the key", async () => {
        const { code, err } = await planned(stack("wrong", { "ledgerfleet:lab": true, "ledgerfleet:nodeKeys": { "main/val-1": OTHER } }));
        expect(code).toBe(2);
        expect(err).toMatch(
            new RegExp(`Pulumi\\.wrong\\.yaml:5:\\d+: config\\.ledgerfleet:nodeKeys\\["main/val-1"\\]: the private key given for node main/val-1 derives public key ${pub(OTHER)}, but the network file declares ${pub(KEY)}`),
        );
        expect(err).not.toContain(OTHER.slice(2));
    });

    it("that derives another public key fails the program once decrypted (pulumi preview/up), before any Kubernetes object", async () => {
        // As Pulumi hands the program a secret config value: decrypted, and marked secret.
        const config = { "ledgerfleet:network": path.join(dir, "networks", "byo.yaml"), "ledgerfleet:nodeKeys": JSON.stringify({ "main/val-1": OTHER }) };
        const error = await runProgram("online", config, ["ledgerfleet:nodeKeys"]).then(() => undefined, (e: unknown) => e as ProgramError);
        expect(error).toBeInstanceOf(ProgramError);
        expect(error?.configuration).toBe(true);
        expect(error?.message).toContain(`ledgerfleet:nodeKeys["main/val-1"]: the private key given for node main/val-1 derives public key ${pub(OTHER)}`);
        expect(error?.message).not.toContain(OTHER.slice(2));
        const objects = (error?.registered ?? []).filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers:"));
        expect(objects).toEqual([]);
        // The right key, decrypted, plans.
        await expect(runProgram("online-ok", { ...config, "ledgerfleet:nodeKeys": JSON.stringify({ "main/val-1": KEY }) }, ["ledgerfleet:nodeKeys"])).resolves.toBeDefined();
    });

    it("an entry for a node that brings no key is refused, with the name that was probably meant", async () => {
        const { code, err } = await planned(stack("typo", { "ledgerfleet:nodeKeys": { "main/val-l": { secure: "v1:ZW5j" }, "main/val-1": { secure: "v1:ZW5j" } } }));
        expect(code).toBe(2);
        expect(err).toMatch(/config\.ledgerfleet:nodeKeys\["main\/val-l"\]: no node "main\/val-l" brings its own key .*\(did you mean 'main\/val-1'\?\)/);
    });

    it("encrypted entry by entry plans without being decrypted", async () => {
        const p = await plan({ stack: stack("encrypted", { "ledgerfleet:nodeKeys": { "main/val-1": { secure: "v1:ZW5j" } } }), stacksDir: dir });
        expect(p.exitCode).toBe(0);
    });
});
