// Resource names are ids joined with '-'; ids that run together would give two resources one URN,
// which the engine refuses only halfway through `pulumi up`. The loader refuses them first.
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { plan } from "../cli/plan";
import { nodeAddressResourceName, nodeKeyResourceName, nodeResourceName, regionResourceName } from "../config/names";
import { loadNetworkFile } from "../config/load";
import { configError, removeTempDirs, shown, writeFiles } from "./fixtures/config/network";

afterAll(removeTempDirs);

const REGIONS = [
    "regions:",
    "  fra: { cloud: existing, kubeconfigContext: fra, egressAddresses: [203.0.113.1] }",
    "  fra-dc1: { cloud: existing, kubeconfigContext: fra-dc1, egressAddresses: [203.0.113.2] }",
    "  ams: { cloud: existing, kubeconfigContext: ams, egressAddresses: [203.0.113.3] }",
];
const ledger = (name: string, nodes: string[]) => [
    `  ${name}:`,
    "    framework: besu",
    "    consensus: qbft",
    `    chainId: ${4000 + name.length}`,
    '    image: "hyperledger/besu:26.8.0"',
    "    nodes:",
    ...nodes.map((n) => `      - ${n}`),
];
let address = 0;
const node = (name: string, region: string) => `{ name: ${name}, role: validator, region: ${region}, address: 198.51.100.${++address} }`;

function problemsIn(lines: string[]): { file: string; lines: string[] } {
    const file = path.join(writeFiles({ "network.yaml": lines.join("\n") + "\n" }), "network.yaml");
    return { file: shown(file), lines: configError(() => loadNetworkFile(file)).message.split("\n") };
}

describe("names that run together", () => {
    it("ledger main with node val-x and ledger main-val with node x would name their keys alike: refused at the second", () => {
        const { file, lines } = problemsIn([
            "name: atlas", "domain: atlas.example", ...REGIONS, "ledgers:",
            ...ledger("main", [node("val-x", "fra"), node("v2", "fra"), node("v3", "ams"), node("v4", "ams")]),
            ...ledger("main-val", [node("x", "fra-dc1"), node("w2", "fra-dc1"), node("w3", "ams"), node("w4", "ams")]),
        ]);
        expect(lines).toEqual([
            `${file}:24:17: ledgers.main-val.nodes[0].name: node 'x' of ledger 'main-val' and node 'val-x' of ledger 'main' (ledgers.main.nodes[0].name, line 14) would give their generated keys the same name, main-val-x-node-key: ids are joined with '-', so they run together; rename one of them`,
        ]);
    });

    it("region fra with ledger dc1-main and region fra-dc1 with ledger main would name their objects alike: refused", () => {
        const { file, lines } = problemsIn([
            "name: atlas", "domain: atlas.example", ...REGIONS, "ledgers:",
            ...ledger("main", [node("a1", "fra-dc1"), node("a2", "fra-dc1"), node("a3", "ams"), node("a4", "ams")]),
            ...ledger("dc1-main", [node("b1", "fra"), node("b2", "fra"), node("b3", "ams"), node("b4", "ams")]),
        ]);
        expect(lines).toEqual([
            `${file}:24:46: ledgers.dc1-main.nodes[0].region: ledger 'dc1-main' in region 'fra' and ledger 'main' in region 'fra-dc1' (ledgers.main.nodes[0].region, line 14) would give what they build in their regions the same name, atlas-fra-dc1-main: ids are joined with '-', so they run together; rename one of them`,
        ]);
    });

    it("the loader's names are the names the program gives (config/names.ts is their one definition)", async () => {
        const p = await plan({ stack: "dev" });
        const names = (type: string) => p.mocks.ofType(type).map((r) => r.name).sort();
        const nodes = Object.entries(p.loaded.network.ledgers).flatMap(([l, c]) => c.nodes.map((n) => ({ l, n })));
        expect(names("ledgerfleet:index:LedgerNode")).toEqual(nodes.map(({ l, n }) => nodeResourceName("meridian", n.region, l, n.name)).sort());
        expect(names("random:index/randomBytes:RandomBytes")).toEqual(nodes.map(({ l, n }) => nodeKeyResourceName(l, n.name)).sort());
        expect(names("ledgerfleet:index:Region")).toEqual(Object.keys(p.loaded.network.regions).map((r) => regionResourceName("meridian", r)).sort());
        // Every cloud node's reserved address, under the name the network's file gives it.
        const reserved = [...names("aws:ec2/eip:Eip"), ...names("gcp:compute/address:Address"), ...names("alicloud:ecs/eipAddress:EipAddress")];
        const cloudNodes = nodes.filter(({ n }) => p.loaded.network.regions[n.region]?.cloud !== "existing");
        for (const { l, n } of cloudNodes) expect(reserved).toContain(nodeAddressResourceName("meridian", n.region, l, n.name));
    });
});
