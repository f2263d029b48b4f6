// A network hosting several ledgers: each its own chain, namespace, genesis and peer list, even
// where they share a cluster.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { decodeRlp } from "ethers";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LedgerfleetMocks } from "../cli/mocks";
import { type Plan, plan } from "../cli/plan";
import { makeTempDir, removeTempDirs } from "./fixtures/temp-dirs";
import { placeholderKey } from "./helpers/placeholder-keys";

let result: Plan;

afterAll(removeTempDirs);
beforeAll(async () => {
    const dir = makeTempDir("ledgers");
    fs.mkdirSync(path.join(dir, "networks"));
    const atlas = parse(fs.readFileSync(path.join(__dirname, "..", "stacks", "networks", "atlas.yaml"), "utf8")) as {
        ledgers: Record<string, Record<string, unknown>>;
    };
    atlas.ledgers["trade"] = {
        ...atlas.ledgers["main"],
        chainId: 4100,
        genesis: undefined,
        nodes: ["fra-dc1", "ams-dc2", "lon-dc3", "par-dc4"].map((region, i) => ({ name: `tv-${i + 1}`, role: "validator", region, address: `198.51.100.${40 + 64 * i}` })),
    };
    fs.writeFileSync(path.join(dir, "networks", "two.yaml"), stringify(atlas));
    fs.writeFileSync(path.join(dir, "Pulumi.two.yaml"), stringify({ config: { "ledgerfleet:network": "networks/two.yaml" } }));
    result = await plan({ stack: "two", stacksDir: dir });
});

function data(file: string): Record<string, string> {
    const m = result.manifests.find((x) => x.path === file);
    if (m === undefined) throw new Error(`no manifest ${file}`);
    return m.object["data"] as Record<string, string>;
}

describe("several ledgers on one network", () => {
    it("gives each ledger its own namespace in a shared cluster", () => {
        const namespaces = result.manifests.filter((m) => m.path.startsWith("fra-dc1/_cluster/")).map((m) => m.path);
        expect(namespaces).toEqual(["fra-dc1/_cluster/Namespace-atlas-main.yaml", "fra-dc1/_cluster/Namespace-atlas-scheduler.yaml", "fra-dc1/_cluster/Namespace-atlas-trade.yaml"]);
    });

    it("gives each ledger a genesis of its own chain, listing only its own validators", () => {
        const trade = JSON.parse(data("fra-dc1/atlas-trade/ConfigMap-genesis.yaml")["genesis.json"] ?? "");
        expect(trade.config.chainId).toBe(4100);
        const validators = (decodeRlp(trade.extraData) as unknown[])[1];
        expect(validators).toEqual(["tv-1", "tv-2", "tv-3", "tv-4"].map((n) => placeholderKey("trade", n).address).sort());
    });

    it("keeps peer lists and allowlists within a ledger", () => {
        const trade = data("fra-dc1/atlas-trade/ConfigMap-peers.yaml");
        const peers = JSON.parse(trade["static-nodes.json"] ?? "") as string[];
        expect(peers.map((e) => e.split("@")[1]).sort()).toEqual(["198.51.100.104:30303", "198.51.100.168:30303", "198.51.100.232:30303", "198.51.100.40:30303"]);
        const mainIds = new Set(["val-1", "val-2", "rpc-1"].map((n) => placeholderKey("main", n).publicKeyHex));
        const tradeIds = new Set((trade["allowlist"] ?? "").trim().split("\n").map((e) => e.slice("enode://".length, "enode://".length + 128)));
        expect(tradeIds).toEqual(new Set(["tv-1", "tv-2", "tv-3", "tv-4"].map((n) => placeholderKey("trade", n).publicKeyHex)));
        for (const id of mainIds) expect(tradeIds.has(id)).toBe(false);
    });
});

describe("the shared mocks", () => {
    it("refuse an invoke they do not know, naming it, so a new data source cannot slip into the plan unmocked", () => {
        const mocks = new LedgerfleetMocks();
        expect(() => mocks.call({ token: "aws:ec2/getAmi:getAmi", inputs: {} } as pulumi.runtime.MockCallArgs)).toThrow(/no mock for invoke 'aws:ec2\/getAmi:getAmi'.*cli\/mocks\.ts/);
    });
});
