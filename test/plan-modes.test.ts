// Region stacks, the global stack, and keys the operator brings: what each stack would build.
import * as fs from "node:fs";
import * as path from "node:path";
import { SigningKey, computeAddress } from "ethers";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Plan, plan, ProgramError, runProgram } from "../cli/plan";
import { makeTempDir, removeTempDirs } from "./fixtures/temp-dirs";

const STACKS = path.join(__dirname, "..", "stacks");
// Well-known published development keys (Hardhat/Anvil accounts #1 and #2): test-only material.
const BROUGHT_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const EXISTING_SECRET_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
const pub = (priv: string) => `0x${new SigningKey(priv).publicKey.slice(4)}`;
const BROUGHT_KEY_PUBLIC_MARK = pub(BROUGHT_KEY);

let dir: string;
afterAll(removeTempDirs);
function stackFile(name: string, config: Record<string, unknown>): void {
    fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), stringify({ config }));
}

beforeAll(() => {
    dir = makeTempDir("modes");
    fs.mkdirSync(path.join(dir, "networks"));
    fs.copyFileSync(path.join(STACKS, "networks", "atlas.yaml"), path.join(dir, "networks", "atlas.yaml"));
    stackFile("all", { "ledgerfleet:network": "networks/atlas.yaml", "ledgerfleet:deploy": "all" });
    stackFile("global", { "ledgerfleet:network": "networks/atlas.yaml", "ledgerfleet:deploy": "global" });
    stackFile("fra", {
        "ledgerfleet:network": "networks/atlas.yaml",
        "ledgerfleet:deploy": "region:fra-dc1",
        "ledgerfleet:globalStack": "acme/ledgerfleet/global",
    });

    const byo = fs.readFileSync(path.join(STACKS, "networks", "atlas.yaml"), "utf8")
        .replace("{ name: val-1, role: validator, region: fra-dc1, address: 198.51.100.11 }", `{ name: val-1, role: validator, region: fra-dc1, address: 198.51.100.11, publicKey: "${pub(BROUGHT_KEY)}" }`)
        .replace(
            "{ name: val-3, role: validator, region: ams-dc2, address: 198.51.100.75 }",
            `{ name: val-3, role: validator, region: ams-dc2, address: 198.51.100.75, publicKey: "${pub(EXISTING_SECRET_KEY)}", keySecret: { name: hsm-export-val-3 } }`,
        );
    if (!byo.includes(BROUGHT_KEY_PUBLIC_MARK) || !byo.includes("hsm-export-val-3")) throw new Error("the example network changed: update the replaced node lines");
    fs.writeFileSync(path.join(dir, "networks", "byo.yaml"), byo);
    // A plain-text key in a stack file is refused unless the stack is a throwaway lab network.
    stackFile("byo", { "ledgerfleet:network": "networks/byo.yaml", "ledgerfleet:lab": true, "ledgerfleet:nodeKeys": { "main/val-1": BROUGHT_KEY } });
    // As `pulumi config set --secret` writes them: one entry encrypted, or the whole object.
    stackFile("byo-leaf", { "ledgerfleet:network": "networks/byo.yaml", "ledgerfleet:nodeKeys": { "main/val-1": { secure: "v1:ZW5jcnlwdGVk" } } });
    stackFile("byo-whole", { "ledgerfleet:network": "networks/byo.yaml", "ledgerfleet:nodeKeys": { secure: "v1:ZW5jcnlwdGVk" } });
    stackFile("byo-missing", { "ledgerfleet:network": "networks/byo.yaml" });
    stackFile("byo-global", { "ledgerfleet:network": "networks/byo.yaml", "ledgerfleet:deploy": "global" });
    stackFile("byo-ams", { "ledgerfleet:network": "networks/byo.yaml", "ledgerfleet:deploy": "region:ams-dc2", "ledgerfleet:globalStack": "acme/ledgerfleet/global" });
});

function genesisOf(p: Plan, region: string): string {
    const m = p.manifests.find((x) => x.path === `${region}/atlas-main/ConfigMap-genesis.yaml`);
    if (m === undefined) throw new Error(`no genesis in ${region}`);
    return m.yaml;
}

describe("deploy modes", () => {
    it("a region stack builds only its region, with the same genesis and keys as the whole network", async () => {
        const all = await plan({ stack: "all", stacksDir: dir });
        const fra = await plan({ stack: "fra", stacksDir: dir });
        expect(new Set(fra.manifests.map((m) => m.region))).toEqual(new Set(["fra-dc1"]));
        expect(genesisOf(fra, "fra-dc1")).toBe(genesisOf(all, "fra-dc1"));
        const staticNodes = (p: Plan) => p.manifests.find((m) => m.path === "fra-dc1/atlas-main/ConfigMap-peers.yaml")?.yaml;
        expect(staticNodes(fra)).toBe(staticNodes(all));
        // Keys come from the global stack, so the region stack generates none of its own.
        expect(fra.mocks.ofType("random:index/randomBytes:RandomBytes")).toEqual([]);
        expect(fra.mocks.ofType("pulumi:pulumi:StackReference").map((r) => r.inputs["name"])).toEqual(["acme/ledgerfleet/global"]);
    });

    it("the global stack owns identities and genesis, builds no Kubernetes objects and hands private keys on only as a secret", async () => {
        const global = await plan({ stack: "global", stacksDir: dir });
        expect(global.manifests).toEqual([]);
        expect(global.mocks.ofType("random:index/randomBytes:RandomBytes")).toHaveLength(9);
        const outputs = global.plan.outputs as { nodePrivateKeys: unknown; ledgers: { main: { validators: string[] } } };
        expect(outputs.nodePrivateKeys).toBe("[secret]");
        expect(outputs.ledgers.main.validators).toHaveLength(7);
    });
});

describe("keys the operator brings", () => {
    let byo: Plan;
    beforeAll(async () => {
        byo = await plan({ stack: "byo", stacksDir: dir });
    });

    it("uses the brought public key in genesis and every peer list, and generates no key for that node", () => {
        const validators = (byo.plan.outputs as { ledgers: { main: { validators: string[] } } }).ledgers.main.validators;
        expect(validators).toContain(computeAddress(BROUGHT_KEY).toLowerCase());
        expect(validators).toContain(computeAddress(EXISTING_SECRET_KEY).toLowerCase());
        const peers = byo.manifests.find((m) => m.path === "par-dc4/atlas-main/ConfigMap-peers.yaml")?.yaml ?? "";
        expect(peers).toContain(`enode://${pub(BROUGHT_KEY).slice(2)}@198.51.100.11:30303`);
        const generated = byo.mocks.ofType("random:index/randomBytes:RandomBytes").map((r) => r.name);
        expect(generated).not.toContain("main-val-1-node-key");
        expect(generated).not.toContain("main-val-3-node-key");
        expect(generated).toHaveLength(7);
    });

    it("keeps a private key from secret config out of every output", () => {
        const text = JSON.stringify(byo.plan) + byo.manifests.map((m) => m.yaml).join("\n") + byo.summary;
        expect(text).not.toContain(BROUGHT_KEY.slice(2));
        const secret = byo.manifests.find((m) => m.path === "fra-dc1/atlas-main/Secret-val-1-key.yaml");
        expect(secret?.object["stringData"]).toEqual({ key: "[redacted]" });
    });

    it("plans a stack whose keys are encrypted, entry by entry or as a whole, without decrypting them", async () => {
        for (const stack of ["byo-leaf", "byo-whole"]) {
            const p = await plan({ stack, stacksDir: dir });
            const secret = p.manifests.find((m) => m.path === "fra-dc1/atlas-main/Secret-val-1-key.yaml");
            expect(secret?.object["stringData"], stack).toEqual({ key: "[redacted]" });
        }
    });

    it("a brought key with no private key anywhere is a configuration error that says how to set it", async () => {
        const { main } = await import("../cli/main");
        let err = "";
        const io = { out: { write: () => true }, err: { write: (s: string) => ((err += s), true) } };
        expect(await main(["plan", "--stack", "byo-missing", "--stacks", dir, "--out", path.join(dir, "out-missing")], io)).toBe(2);
        expect(err).toContain(`pulumi config set --secret --path 'ledgerfleet:nodeKeys["main/val-1"]'`);
        expect(err).not.toMatch(/^\s+at /m);
        expect(fs.existsSync(path.join(dir, "out-missing"))).toBe(false);
    });

    it("an error the program meets while resolving outputs fails the plan, said once, instead of leaving resources out", async () => {
        // Past the loader's own check, as `pulumi up` would run it: the program's RunError surfaces.
        const run = runProgram("direct", { "ledgerfleet:network": path.join(dir, "networks", "byo.yaml") }, []);
        const error = await run.then(() => undefined, (e: unknown) => e);
        expect(error).toBeInstanceOf(ProgramError);
        expect((error as ProgramError).configuration).toBe(true);
        expect((error as ProgramError).message.split("\n")[0]).toBe(
            'node main/val-1 brings its own key (publicKey is set) but secret config ledgerfleet:nodeKeys has no entry "main/val-1". Set it with:',
        );
    });

    it("only the stack that builds a node needs its brought private key", async () => {
        // val-1 brings its key and lives in fra-dc1: neither the global stack nor ams-dc2's reads it.
        for (const stack of ["byo-global", "byo-ams"]) {
            const p = await plan({ stack, stacksDir: dir });
            expect(p.manifests.some((m) => m.path.startsWith("fra-dc1/")), stack).toBe(false);
        }
    });

    it("mounts an operator's existing Secret without creating one", () => {
        expect(byo.manifests.some((m) => m.path === "ams-dc2/atlas-main/Secret-val-3-key.yaml")).toBe(false);
        const sts = byo.manifests.find((m) => m.path === "ams-dc2/atlas-main/StatefulSet-val-3.yaml");
        expect(sts?.yaml).toContain("secretName: hsm-export-val-3");
    });
});

describe("a region stack and its global stack", () => {
    it("says to deploy the global stack first when it has published nothing yet", async () => {
        const config = { "ledgerfleet:network": path.join(dir, "networks", "atlas.yaml"), "ledgerfleet:deploy": "region:fra-dc1", "ledgerfleet:globalStack": "acme/ledgerfleet/empty" };
        const error = await runProgram("fra", config, [], { "acme/ledgerfleet/empty": {} }).then(() => undefined, (e: unknown) => e as ProgramError);
        expect(error?.configuration).toBe(true);
        expect(error?.message).toContain("global stack acme/ledgerfleet/empty has no 'ledgers' output: run `pulumi up` on it first");
    });
});

describe("a genesis lock ledgerfleet did not write", () => {
    it("fails a region stack as a configuration problem, with the reason and no stack trace", async () => {
        const config = { "ledgerfleet:network": path.join(dir, "networks", "atlas.yaml"), "ledgerfleet:deploy": "region:fra-dc1", "ledgerfleet:globalStack": "acme/ledgerfleet/odd" };
        const odd = { ledgers: { main: { genesis: { chainId: "827614" }, nodes: {} } } };
        const error = await runProgram("fra", config, [], { "acme/ledgerfleet/odd": odd }).then(() => undefined, (e: unknown) => e as ProgramError);
        expect(error?.configuration).toBe(true);
        expect(error?.message).toContain("global stack acme/ledgerfleet/odd, ledger main: the recorded genesis lock is not one ledgerfleet wrote");
    });
});
