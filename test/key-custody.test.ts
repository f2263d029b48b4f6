// Who holds which private key, as the README's table says: what each stack outputs, and what a
// region stack's state receives through its StackReference to the global stack.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SigningKey } from "ethers";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSecretValue, unwrapSecrets } from "../cli/mocks";
import { type Plan, plan } from "../cli/plan";
import { placeholderKey } from "./helpers/placeholder-keys";

// A well-known published development key (Hardhat/Anvil account #1): test-only material.
const BROUGHT = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const LINE = "{ name: val-1, role: validator, region: fra-dc1, address: 198.51.100.11 }";

let dir: string;
const plans: Record<string, Plan> = {};
beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerfleet-custody-"));
    fs.mkdirSync(path.join(dir, "networks"));
    const atlas = fs.readFileSync(path.join(__dirname, "..", "stacks", "networks", "atlas.yaml"), "utf8");
    if (!atlas.includes(LINE)) throw new Error("the example network changed: update LINE");
    const pub = `0x${new SigningKey(BROUGHT).publicKey.slice(4)}`;
    fs.writeFileSync(path.join(dir, "networks", "atlas.yaml"), atlas.replace(LINE, LINE.replace(" }", `, publicKey: "${pub}" }`)));
    const stacks: Record<string, Record<string, unknown>> = {
        global: { "ledgerfleet:deploy": "global" },
        fra: { "ledgerfleet:deploy": "region:fra-dc1", "ledgerfleet:globalStack": "acme/ledgerfleet/global", "ledgerfleet:lab": true, "ledgerfleet:nodeKeys": { "main/val-1": BROUGHT } },
        ams: { "ledgerfleet:deploy": "region:ams-dc2", "ledgerfleet:globalStack": "acme/ledgerfleet/global" },
    };
    for (const [name, config] of Object.entries(stacks)) {
        fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), stringify({ config: { "ledgerfleet:network": "networks/atlas.yaml", ...config } }));
        plans[name] = await plan({ stack: name, stacksDir: dir });
    }
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const generated = ["val-2", "val-3", "val-4", "val-5", "val-6", "val-7", "rpc-1", "rpc-2"];

describe("who holds which private key", () => {
    it("the global stack outputs every generated key, as one secret, and no brought key", () => {
        const outputs = plans["global"]?.mocks.stackOutputs as Record<string, unknown>;
        expect(isSecretValue(outputs["nodePrivateKeys"])).toBe(true);
        const keys = unwrapSecrets(outputs["nodePrivateKeys"]) as Record<string, string>;
        expect(Object.keys(keys).sort()).toEqual(generated.map((n) => `main/${n}`).sort());
        for (const n of generated) expect(keys[`main/${n}`]).toBe(`0x${placeholderKey("main", n).privateKeyHex}`);
        expect(JSON.stringify(unwrapSecrets(outputs))).not.toContain(BROUGHT.slice(2));
    });

    it("a region stack outputs no private key, and its StackReference brings it the global stack's whole outputs", () => {
        for (const region of ["fra", "ams"]) {
            const p = plans[region];
            const outputs = JSON.stringify(unwrapSecrets(p?.mocks.stackOutputs));
            for (const n of generated) expect(outputs).not.toContain(placeholderKey("main", n).privateKeyHex);
            expect(outputs).not.toContain(BROUGHT.slice(2));
            // What the engine stores for the reference: the referenced stack's outputs, all of them.
            const [reference] = p?.mocks.ofType("pulumi:pulumi:StackReference") ?? [];
            expect(reference?.inputs["name"]).toBe("acme/ledgerfleet/global");
        }
        const global = unwrapSecrets(plans["global"]?.mocks.stackOutputs) as { nodePrivateKeys: Record<string, string> };
        // ams builds val-3 and val-4 only, yet what it reads holds fra's and lon's keys too (README, "Keys and data").
        expect(Object.keys(global.nodePrivateKeys)).toContain("main/val-2");
    });

    it("a brought key is held by the stack that builds its node only: in its Secret, never in an output", () => {
        const secret = (p: Plan | undefined) => p?.mocks.registrations.filter((r) => r.type === "kubernetes:core/v1:Secret" && r.name.endsWith("-secret-val-1-key")) ?? [];
        expect(secret(plans["fra"])).toHaveLength(1);
        expect(JSON.stringify(unwrapSecrets(secret(plans["fra"])[0]?.inputs))).toContain(BROUGHT.slice(2));
        for (const other of ["global", "ams"]) {
            expect(JSON.stringify(unwrapSecrets(plans[other]?.mocks.registrations.map((r) => r.inputs)))).not.toContain(BROUGHT.slice(2));
        }
    });
});
