// The example network, planned offline exactly as `npm start` does, checked the way an operator
// would look at it: per-region objects, one genesis, complete peer lists, no key material.
import * as fs from "node:fs";
import * as path from "node:path";
import { decodeRlp } from "ethers";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Plan, plan, writePlan } from "../cli/plan";
import { makeTempDir, removeTempDirs } from "./fixtures/temp-dirs";
import { validateKubeObject } from "./helpers/kube-schema";
import { placeholderKey } from "./helpers/placeholder-keys";
import { SigningKey } from "ethers";
import { parseEnode } from "../frameworks/besu/peers";
import { isIpAddress } from "../frameworks/besu/host";

let result: Plan;
let outDir: string;

function filesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
        .sort();
}

interface Manifest {
    metadata: { name: string; namespace?: string };
    data: Record<string, string>;
    stringData?: unknown;
}

function manifest(region: string, file: string): Manifest {
    return parse(fs.readFileSync(path.join(outDir, "manifests", region, "atlas-main", file), "utf8")) as Manifest;
}

beforeAll(async () => {
    result = await plan({ stack: "atlas" });
    outDir = makeTempDir("plan");
    writePlan(result, outDir);
});
afterAll(removeTempDirs);

const nodes = () => result.loaded.network.ledgers["main"]!.nodes;

describe("offline plan of the example network", () => {
    it("puts every node's Kubernetes objects in its own region, and nowhere else", () => {
        const regions = Object.keys(result.loaded.network.regions);
        expect(nodes().length).toBe(9);
        for (const node of nodes()) {
            const files = [`StatefulSet-${node.name}.yaml`, `Service-${node.name}-p2p.yaml`, `PersistentVolumeClaim-${node.name}-data.yaml`,
                `ConfigMap-${node.name}-config.yaml`, `Secret-${node.name}-key.yaml`];
            // Only RPC nodes serve JSON-RPC beyond their pod.
            if (node.role === "rpc") files.push(`Service-${node.name}-rpc.yaml`);
            else expect(fs.existsSync(path.join(outDir, "manifests", node.region, "atlas-main", `Service-${node.name}-rpc.yaml`))).toBe(false);
            for (const file of files) {
                for (const region of regions) {
                    expect(fs.existsSync(path.join(outDir, "manifests", region, "atlas-main", file)), `${region}/${file}`).toBe(region === node.region);
                }
            }
        }
    });

    it("writes a byte-identical genesis to every region whose extraData holds exactly the validators' addresses", () => {
        const regions = Object.keys(result.loaded.network.regions);
        const files = regions.map((r) => fs.readFileSync(path.join(outDir, "manifests", r, "atlas-main", "ConfigMap-genesis.yaml")));
        for (const f of files) expect(f.equals(files[0]!)).toBe(true);

        const genesis = JSON.parse(manifest(regions[0]!, "ConfigMap-genesis.yaml").data["genesis.json"]);
        const decoded = decodeRlp(genesis.extraData) as unknown[];
        const expected = nodes().filter((n) => n.role === "validator").map((n) => placeholderKey("main", n.name).address).sort();
        expect(decoded).toEqual([`0x${"00".repeat(32)}`, expected, [], "0x", []]);
        expect(genesis.config.chainId).toBe(827614);
    });

    it("gives every node an IP as p2p-host, and peer lists and allowlists that name only IPs", () => {
        for (const node of nodes()) {
            const toml = manifest(node.region, `ConfigMap-${node.name}-config.yaml`).data["config.toml"] ?? "";
            expect(toml).toContain(`p2p-host="${node.address}"`);
        }
        for (const region of Object.keys(result.loaded.network.regions)) {
            const peers = manifest(region, "ConfigMap-peers.yaml").data;
            const entries = [...(JSON.parse(peers["static-nodes.json"] ?? "") as string[]), ...(peers["allowlist"] ?? "").trim().split("\n")];
            expect(entries.length).toBeGreaterThan(9);
            for (const enode of entries) expect(isIpAddress(parseEnode(enode).ip), enode).toBe(true);
        }
    });

    it("peers every node with every node of its ledger at its static address, and admits exactly them", () => {
        const expected = nodes().map((n) => `enode://${placeholderKey("main", n.name).publicKeyHex}@${n.address}:30303`).sort();
        const egressOf = (region: string) => (result.loaded.network.regions[region] as { egressAddresses: string[] }).egressAddresses;
        for (const node of nodes()) {
            const peers = manifest(node.region, "ConfigMap-peers.yaml").data;
            // Besu skips its own id in static-nodes.json (RunnerBuilder.sanitizePeers), so the list is shared by the region's pods.
            expect(JSON.parse(peers["static-nodes.json"] ?? "")).toEqual(expected);
            const allowlist = (peers["allowlist"] ?? "").trim().split("\n").map(parseEnode);
            const own = placeholderKey("main", node.name).publicKeyHex;
            const admitted = new Set(allowlist.map((e) => e.id).filter((id) => id !== own));
            expect(admitted).toEqual(new Set(nodes().filter((n) => n.name !== node.name).map((n) => placeholderKey("main", n.name).publicKeyHex)));
            // Each peer at its static address and at every egress address of its region, nothing else.
            for (const peer of nodes()) {
                const id = placeholderKey("main", peer.name).publicKeyHex;
                expect(allowlist.filter((e) => e.id === id).map((e) => e.ip).sort()).toEqual([peer.address, ...egressOf(peer.region)].sort());
            }
            // Every static node is in the allowlist, or Besu refuses to start ("Specified node(s) not in nodes-allowlist").
            for (const enode of expected) expect(peers["allowlist"]).toContain(enode);
        }
    });

    it("refuses, in every node's allowlist, an enode that is not in the network", () => {
        const stranger = `enode://${new SigningKey("0x" + "42".repeat(32)).publicKey.slice(4)}`;
        for (const region of Object.keys(result.loaded.network.regions)) {
            const allowlist = manifest(region, "ConfigMap-peers.yaml").data["allowlist"] ?? "";
            expect(allowlist).not.toContain(stranger);
            // A member's key at an address that is not its own or its region's egress is not admitted either.
            const val1 = placeholderKey("main", "val-1").publicKeyHex;
            expect(allowlist).not.toContain(`enode://${val1}@203.0.113.40:30303`);
        }
    });

    it("writes no private key material to plan.json, manifests or the summary", () => {
        const texts = [result.summary, ...filesUnder(outDir).map((f) => fs.readFileSync(path.join(outDir, f), "utf8"))].map((t) => t.toLowerCase());
        const secrets = nodes().flatMap((n) => {
            const k = placeholderKey("main", n.name);
            return [k.privateKeyHex, k.seedHex, k.seedBase64.toLowerCase()];
        });
        expect(secrets.length).toBe(27);
        for (const secret of secrets) {
            for (const text of texts) expect(text.includes(secret)).toBe(false);
        }
        // The redaction is visible, not silent: the key Secrets say where the data went.
        const secret = manifest("fra-dc1", "Secret-val-1-key.yaml");
        expect(secret.stringData).toEqual({ key: "[redacted]" });
        const planJson = JSON.parse(fs.readFileSync(path.join(outDir, "plan.json"), "utf8"));
        const keyResource = planJson.resources.find((r: { type: string; name: string }) => r.type === "kubernetes:core/v1:Secret");
        expect(keyResource.inputs.stringData).toBe("[secret]");
    });

    it("renders only objects that pass the Kubernetes OpenAPI schema", () => {
        expect(result.manifests.length).toBeGreaterThan(60);
        for (const m of result.manifests) validateKubeObject(m.object);
    });

    it("writes the same bytes when run twice", async () => {
        const again = await plan({ stack: "atlas" });
        const second = makeTempDir("plan");
        writePlan(again, second);
        const files = filesUnder(outDir);
        expect(filesUnder(second)).toEqual(files);
        for (const f of files) expect(fs.readFileSync(path.join(second, f)).equals(fs.readFileSync(path.join(outDir, f))), f).toBe(true);
        expect(again.summary).toBe(result.summary);
    });

    it("follows the plan.json contract", () => {
        const planJson = JSON.parse(fs.readFileSync(path.join(outDir, "plan.json"), "utf8"));
        // No dedicated tenants in atlas, so no `placement`; `cost` always (see plan-sharing.test.ts).
        expect(Object.keys(planJson)).toEqual(["project", "stack", "resources", "outputs", "faultTolerance", "cost"]);
        // The summary's table, for tools: every region of atlas holds at most f = 2 of main's 7 validators.
        expect(planJson.faultTolerance).toEqual([expect.objectContaining({ ledger: "main", validators: 7, f: 2, quorum: 5, domains: 4 })]);
        expect(planJson.faultTolerance[0].rows.every((r: { survivesLoss: boolean }) => r.survivesLoss)).toBe(true);
        expect(planJson.project).toBe("ledgerfleet");
        expect(planJson.stack).toBe("atlas");
        for (const r of planJson.resources) expect(Object.keys(r)).toEqual(["urn", "type", "name", "parent", "provider", "custom", "inputs"]);
        expect(JSON.parse(fs.readFileSync(path.join(outDir, "policy.json"), "utf8"))).toEqual([]);
        expect(planJson.outputs.ledgers.main.validators).toHaveLength(7);
    });

    it("gives every resource a parent and every custom resource an explicit provider", () => {
        const regs = result.mocks.registrations;
        for (const r of regs) {
            if (r.type === "pulumi:pulumi:Stack") continue;
            // A stack reference is read by the engine itself, not through a provider.
            if (r.type === "pulumi:pulumi:StackReference") {
                expect(r.parent, r.name).not.toBe("");
                continue;
            }
            expect(r.parent, r.name).not.toBe("");
            if (r.custom && !r.type.startsWith("pulumi:providers:")) expect(r.provider, r.name).not.toBe("");
        }
    });

    it("protects every generated node key from replacement", () => {
        const keys = result.mocks.ofType("random:index/randomBytes:RandomBytes");
        expect(keys.map((k) => k.name).sort()).toEqual(nodes().map((n) => `main-${n.name}-node-key`).sort());
        for (const k of keys) expect(k.protect, k.name).toBe(true);
    });

    it("keeps each ledger in its own namespace in every region it spans", () => {
        for (const region of Object.keys(result.loaded.network.regions)) {
            const ns = parse(fs.readFileSync(path.join(outDir, "manifests", region, "_cluster", "Namespace-atlas-main.yaml"), "utf8"));
            expect(ns.metadata.name).toBe("atlas-main");
        }
        const namespaces = new Set(result.manifests.map((m) => (m.object["metadata"] as { namespace?: string }).namespace).filter(Boolean));
        // The ledger's, and the tenants' scheduler's (charts/scheduler.ts).
        expect([...namespaces].sort()).toEqual(["atlas-main", "atlas-scheduler"]);
    });

    it("says in the summary that keys are placeholders and whether each region's loss is survivable", () => {
        expect(result.summary).toContain("PLACEHOLDERS");
        expect(result.summary).toMatch(/7 validators tolerate f = 2/);
        expect(result.summary).toMatch(/region\s+fra-dc1\s+2\s+yes/);
        expect(result.summary).not.toMatch(/\bNO\b/);
        // The address every peer list names, beside the DNS name people use.
        for (const node of nodes()) expect(result.summary).toMatch(new RegExp(`\\n    ${node.address?.replace(/\./g, "\\.")}\\s+main-${node.name}\\.${node.region}\\.atlas\\.ledger\\.example\\n`));
    });
});
