// What a deployed network keeps: its genesis, its volumes, its namespaces, its resources under a
// renamed region. Each run of the program is checked against what the stack deployed last time.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../cli/main";
import { type Plan, plan, ProgramError, runProgram } from "../cli/plan";
import { unwrapSecrets } from "../cli/mocks";

const ATLAS = fs.readFileSync(path.join(__dirname, "..", "stacks", "networks", "atlas.yaml"), "utf8");
let dir: string;
let deployed: Record<string, unknown>;
let base: Plan;

/** Writes `networks/<name>.yaml` and a stack `<name>` deploying it whole; returns the stack name. */
function stack(name: string, network: string): string {
    fs.writeFileSync(path.join(dir, "networks", `${name}.yaml`), network);
    fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), stringify({ config: { "ledgerfleet:network": `networks/${name}.yaml` } }));
    return name;
}

function edited(from: string, to: string): string {
    if (!ATLAS.includes(from)) throw new Error(`the example network has no "${from}"`);
    return ATLAS.replace(from, to);
}

function genesisFiles(p: Plan): string[] {
    return p.manifests.filter((m) => m.path.endsWith("/ConfigMap-genesis.yaml")).map((m) => m.yaml);
}

/** Runs the program as `pulumi preview`/`up` would, on a stack that deployed `outputs` last time. */
async function runAgainst(name: string, outputs: Record<string, unknown>): Promise<ProgramError | undefined> {
    const config = { "ledgerfleet:network": path.join(dir, "networks", `${name}.yaml`) };
    return runProgram(name, config, [], undefined, outputs).then(() => undefined, (e: unknown) => e as ProgramError);
}

beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerfleet-lock-"));
    fs.mkdirSync(path.join(dir, "networks"));
    base = await plan({ stack: stack("base", ATLAS), stacksDir: dir });
    // As `pulumi stack output --json` prints them after the first `pulumi up` (secrets hidden).
    deployed = base.plan.outputs as Record<string, unknown>;
    fs.writeFileSync(path.join(dir, "deployed.json"), JSON.stringify(deployed));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("a deployed ledger's genesis never changes", () => {
    it("adding a validator leaves the genesis ConfigMap byte-identical, and the plan says it must be voted in", async () => {
        const added = await plan({
            stack: stack("added", edited("      # RPC nodes serve", "      - { name: val-8, role: validator, region: par-dc4, address: 198.51.100.204 }\n      # RPC nodes serve")),
            stacksDir: dir,
        });
        expect(added.loaded.network.ledgers["main"]?.nodes.filter((n) => n.role === "validator")).toHaveLength(8);
        expect(genesisFiles(added)).toEqual(genesisFiles(base));
        expect(genesisFiles(base)).toHaveLength(4);
        expect(added.summary).toContain("not in genesis: val-8; each becomes a validator once more than half of the current ones vote it in");
    });

    it("a hand-edited genesis on a deployed ledger is refused offline with exit 2, naming what changed, writing nothing", async () => {
        const cases: [string, string, RegExp][] = [
            ["period", edited("blockPeriodSeconds: 2", "blockPeriodSeconds: 5"), /blockPeriodSeconds was 2 when the ledger was deployed, the network file now says 5/],
            ["chain", edited("chainId: 827614", "chainId: 827615"), /chainId was 827614 when the ledger was deployed, the network file now says 827615/],
            ["voters", edited("validators: [val-1, val-2, val-3, val-4, val-5, val-6, val-7]", "validators: [val-1, val-2, val-3, val-4, val-5, val-6]"),
                /the genesis validators were \[val-1, val-2, val-3, val-4, val-5, val-6, val-7\]; val-7 removed: set genesis.validators back to .* by QBFT vote/],
        ];
        for (const [name, network, why] of cases) {
            let err = "";
            const io = { out: { write: () => true }, err: { write: (s: string) => ((err += s), true) } };
            const out = path.join(dir, `out-${name}`);
            const code = await main(["plan", "--stack", stack(name, network), "--stacks", dir, "--deployed", path.join(dir, "deployed.json"), "--out", out], io);
            expect(code, name).toBe(2);
            expect(err, name).toContain("genesis of ledger main is locked");
            expect(err, name).toMatch(why);
            expect(err).not.toMatch(/^\s+at /m);
            expect(fs.existsSync(out)).toBe(false);
        }
    });

    it("a plan against the deployment keeps the deployed genesis bytes", async () => {
        const again = await plan({ stack: "base", stacksDir: dir, deployed });
        expect(genesisFiles(again)).toEqual(genesisFiles(base));
        const lock = (deployed["ledgers"] as { main: { genesis: { json: string } } }).main.genesis;
        expect(again.manifests.find((m) => m.path === "fra-dc1/atlas-main/ConfigMap-genesis.yaml")?.object["data"]).toEqual({ "genesis.json": lock.json });
    });

    it("online, the same edit fails the program before it registers any Kubernetes object (a failed preview)", async () => {
        stack("online", edited("blockPeriodSeconds: 2", "blockPeriodSeconds: 5"));
        const error = await runAgainst("online", unwrapSecrets(deployed) as Record<string, unknown>);
        expect(error).toBeInstanceOf(ProgramError);
        expect(error?.configuration).toBe(true);
        expect(error?.message).toMatch(/^genesis of ledger main is locked: .*blockPeriodSeconds was 2/);
        const objects = (error?.registered ?? []).filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers:"));
        expect(objects.map((r) => r.name)).toEqual([]);
    });

    it("the genesis ConfigMap is immutable and protected, so no change can slip past the check either", () => {
        const genesis = base.mocks.registrations.filter((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.name.endsWith("-configmap-genesis"));
        expect(genesis).toHaveLength(4);
        for (const r of genesis) {
            expect(r.protect, r.name).toBe(true);
            expect(r.inputs["immutable"]).toBe(true);
        }
    });
});

describe("nothing a network holds is lost to an update", () => {
    it("namespaces and volumes are protected from deletion and retained if someone unprotects them", () => {
        // The ledgers' namespaces (the scheduler's holds no data and stays deletable).
        const kept = base.mocks.registrations.filter((r) => (r.type === "kubernetes:core/v1:Namespace" && !r.urn.includes("ledgerfleet:index:Scheduler")) || r.type === "kubernetes:core/v1:PersistentVolumeClaim");
        expect(kept).toHaveLength(4 + 9);
        for (const r of kept) expect([r.name, r.protect, r.retainOnDelete]).toEqual([r.name, true, true]);
    });

    it("a volume grows in place; a smaller size is refused with the reason before anything changes", async () => {
        const grown = await plan({ stack: stack("grown", edited("validator: { cpu: \"2\", memory: 4Gi, storageGiB: 100 }", "validator: { cpu: \"2\", memory: 4Gi, storageGiB: 300 }")), stacksDir: dir, deployed });
        const claim = grown.manifests.find((m) => m.path === "fra-dc1/atlas-main/PersistentVolumeClaim-val-1-data.yaml");
        expect((claim?.object["spec"] as { resources: { requests: { storage: string } } }).resources.requests.storage).toBe("300Gi");
        const sts = (p: Plan) => p.manifests.find((m) => m.path === "fra-dc1/atlas-main/StatefulSet-val-1.yaml")?.yaml;
        expect(sts(grown)).toBe(sts(base));

        stack("shrunk", edited("validator: { cpu: \"2\", memory: 4Gi, storageGiB: 100 }", "validator: { cpu: \"2\", memory: 4Gi, storageGiB: 50 }"));
        const error = await runAgainst("shrunk", unwrapSecrets(deployed) as Record<string, unknown>);
        expect(error?.configuration).toBe(true);
        expect(error?.message).toContain("node main/val-1: its data volume is 100 GiB and Kubernetes cannot shrink a volume; set storageGiB to 100 or more");
    });

    it("a renamed region adopts its resources under the old name instead of building them anew", async () => {
        const renamed = await plan({
            stack: stack("renamed", ATLAS.replace("  fra-dc1:\n    cloud: existing\n", "  frankfurt:\n    cloud: existing\n    renamedFrom: fra-dc1\n").replaceAll("region: fra-dc1", "region: frankfurt")),
            stacksDir: dir,
        });
        const region = renamed.mocks.registrations.find((r) => r.type === "ledgerfleet:index:Region" && r.name === "atlas-frankfurt");
        expect(region?.aliases).toEqual(["atlas-fra-dc1"]);
        // The engine carries a parent's alias to every child whose name starts with the parent's.
        const under = (urn: string): boolean => {
            const r = renamed.mocks.registrations.find((x) => x.urn === urn);
            return r !== undefined && (r.urn === region?.urn || under(r.parent));
        };
        const children = renamed.mocks.registrations.filter((r) => r.urn !== region?.urn && under(r.urn));
        expect(children.length).toBeGreaterThan(20);
        for (const child of children) expect(child.name.startsWith("atlas-frankfurt-"), child.name).toBe(true);
        // Same objects in the cluster (names, namespaces); only the region label and DNS names follow the new id.
        const names = (p: Plan, region: string) => p.manifests.filter((m) => m.region === region).map((m) => m.path.slice(region.length));
        expect(names(renamed, "frankfurt")).toEqual(names(base, "fra-dc1"));
    });
});
