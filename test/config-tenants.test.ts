// Tenants in a network file: dedicated tenants become placed ledgers, and every mistake in the tenant
// table or its prices is refused with file, line and key path before anything is planned.
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadNetworkFile, parseNetworkText } from "../config/load";
import { cloudSettings } from "../config/cloud-settings";
import { faultTolerance } from "../config/fault-tolerance";
import { configError, removeTempDirs, shown, writeFiles } from "./fixtures/config/network";

afterAll(removeTempDirs);

/** Five cloud regions over three clouds and three countries, one shared ledger; tenants appended per test. */
const BASE = [
    "name: orbit", //                                                     1
    "domain: orbit.ledger.example", //                                    2
    "apiAllowList: [203.0.113.0/28]", //                                  3
    "regions:", //                                                        4
    "  aws-fra: { cloud: aws, region: eu-central-1 }", //                 5
    "  gcp-fra: { cloud: gcp, region: europe-west3 }", //                 6
    "  ali-fra: { cloud: alicloud, region: eu-central-1 }", //            7
    "  aws-irl: { cloud: aws, region: eu-west-1 }", //                    8
    "  gcp-ams: { cloud: gcp, region: europe-west4 }", //                 9
    "ledgers:", //                                                        10
    "  main:", //                                                         11
    "    framework: besu", //                                             12
    "    consensus: qbft", //                                             13
    "    chainId: 727271", //                                             14
    '    image: "hyperledger/besu:26.8.0@sha256:' + "ab".repeat(32) + '"', // 15
    "    nodes:", //                                                      16
    "      - { name: val-1, role: validator, region: aws-fra }", //       17
    "      - { name: val-2, role: validator, region: gcp-fra }", //       18
    "      - { name: val-3, role: validator, region: ali-fra }", //       19
    "      - { name: val-4, role: validator, region: aws-irl }", //       20
    "      - { name: rpc-1, role: rpc, region: aws-fra }", //             21
    "      - { name: rpc-2, role: rpc, region: gcp-fra }", //             22
    "      - { name: rpc-3, role: rpc, region: ali-fra }", //             23
    "      - { name: rpc-4, role: rpc, region: aws-irl }", //             24
    "scheduler: { image: \"registry.example/ledgerfleet/scheduler:0.1.0@sha256:" + "cd".repeat(32) + "\" }", // 25
    "tenants:", //                                                        26
    "  - { id: loyalty, ledger: main, tps: 10 }", //                      27
];

function network(...tenants: string[]): string {
    return [...BASE, ...tenants].join("\n") + "\n";
}

function withLines(replacements: Record<number, string>, ...tenants: string[]): string {
    return [...BASE.map((line, i) => replacements[i + 1] ?? line), ...tenants].join("\n") + "\n";
}

function problemsIn(text: string): { file: string; lines: string[] } {
    const file = path.join(writeFiles({ "network.yaml": text }), "network.yaml");
    const { message } = configError(() => loadNetworkFile(file));
    return { file: shown(file), lines: message.split("\n") };
}

describe("dedicated tenants", () => {
    it("become ledgers of their own, spread so that losing any region keeps their chain running", () => {
        const net = parseNetworkText(network("  - { id: tradefin, dedicated: { validators: 4, rpc: 2 }, tps: 20 }"), "network.yaml");
        const ledger = net.ledgers["tradefin"];
        expect(ledger?.nodes.map((n) => `${n.name}:${n.role}`)).toEqual(["val-1:validator", "val-2:validator", "val-3:validator", "val-4:validator", "rpc-1:rpc", "rpc-2:rpc"]);
        // f = 1: no region holds more than one validator, and every node is pinned to a zone of its region.
        const perRegion = new Map<string, number>();
        for (const n of ledger?.nodes ?? []) {
            if (n.role === "validator") perRegion.set(n.region, (perRegion.get(n.region) ?? 0) + 1);
            expect(cloudSettings(net, n.region).settings?.zones).toContain(n.zone);
        }
        expect(Math.max(...perRegion.values())).toBe(1);
        expect(faultTolerance(net).find((t) => t.ledger === "tradefin")?.rows.filter((r) => r.level === "region").every((r) => r.survivesLoss)).toBe(true);
        // Its own chain: a chain id of its own, the shared ledger's image, the tenant routed to it.
        expect(ledger?.chainId).not.toBe(727271);
        expect(ledger?.image).toBe(net.ledgers["main"]?.image);
        expect(net.tenants.find((t) => t.id === "tradefin")?.ledger).toBe("tradefin");
        expect(net.placement?.derivedChainIds["tradefin"]).toBe(ledger?.chainId);
    });

    it("respect residency: clouds, countries and deny lists", () => {
        const net = parseNetworkText(
            network(
                "  - { id: tradefin, dedicated: { validators: 4, rpc: 1, residency: { clouds: [aws, gcp] } }, tps: 5 }",
                "  - { id: healthrec, dedicated: { validators: 4, rpc: 1, residency: { countries: [DE, NL, IE], deny: { regions: [ali-fra] } } }, tps: 5 }",
            ),
            "network.yaml",
        );
        const regionsOf = (ledger: string) => new Set(net.ledgers[ledger]?.nodes.map((n) => n.region));
        expect([...regionsOf("tradefin")].every((r) => net.regions[r]?.cloud === "aws" || net.regions[r]?.cloud === "gcp")).toBe(true);
        expect(regionsOf("healthrec").has("ali-fra")).toBe(false);
        // A deny list that leaves three regions for four validators cannot be placed at all.
        const { file, lines } = problemsIn(network("  - { id: denied, dedicated: { validators: 4, residency: { deny: { regions: [ali-fra, gcp-ams] } } }, tps: 5 }"));
        expect(lines.find((l) => l.startsWith(`${file}:28:`))).toMatch(/tenants\[1\]\.dedicated: denied needs 4 regions .*; 3 are admitted/);
    });

    it("keep the nodes a previous deploy placed, and adding a tenant moves none of them", () => {
        const one = parseNetworkText(network("  - { id: tradefin, dedicated: { validators: 4, rpc: 2 }, tps: 20 }"), "network.yaml");
        const deployed = Object.fromEntries((one.ledgers["tradefin"]?.nodes ?? []).map((n) => [`tradefin/${n.name}`, { region: n.region, zone: n.zone ?? "" }]));
        const two = parseNetworkText(
            network("  - { id: bigco, dedicated: { validators: 7, rpc: 2 }, tps: 80 }", "  - { id: tradefin, dedicated: { validators: 4, rpc: 2 }, tps: 20 }"),
            "network.yaml",
            { previous: deployed },
        );
        for (const n of two.ledgers["tradefin"]?.nodes ?? []) expect({ region: n.region, zone: n.zone }).toEqual(deployed[`tradefin/${n.name}`]);
        expect(Object.values(two.placement?.nodes ?? {}).filter((p) => p.kept)).toHaveLength(6);
    });

    it("pinned nodes stay where the file puts them", () => {
        const net = parseNetworkText(
            network("  - { id: tradefin, dedicated: { validators: 4, rpc: 1, nodes: [{ name: val-1, region: gcp-ams }] }, tps: 5 }"),
            "network.yaml",
        );
        expect(net.ledgers["tradefin"]?.nodes.find((n) => n.name === "val-1")?.region).toBe("gcp-ams");
    });

    it("size each cloud region's ledger pool from the packed demand", () => {
        const without = parseNetworkText(network(), "network.yaml");
        const withTenants = parseNetworkText(network("  - { id: bigco, dedicated: { validators: 10, rpc: 5 }, tps: 200 }"), "network.yaml");
        const machines = (net: typeof without) => Object.keys(net.regions).reduce((sum, r) => sum + (cloudSettings(net, r).settings?.pools.ledger.desired ?? 0), 0);
        expect(machines(withTenants)).toBeGreaterThan(machines(without));
        for (const [id, r] of Object.entries(withTenants.placement?.regions ?? {})) expect(cloudSettings(withTenants, id).settings?.pools.ledger.desired).toBe(r.machines);
        // The pool follows the engine's count, whatever the pods alone would give.
        const placement = withTenants.placement;
        if (placement === undefined) throw new Error("no placement");
        const grown = { ...withTenants, placement: { ...placement, regions: { ...placement.regions, "gcp-ams": { ...placement.regions["gcp-ams"]!, machines: 12 } } } };
        expect(cloudSettings(grown, "gcp-ams").settings?.pools.ledger.desired).toBe(12);
    });
});

describe("tenant mistakes: exit 2 with file, line and key path", () => {
    it("a tenant id that repeats", () => {
        const { file, lines } = problemsIn(network("  - { id: loyalty, ledger: main, tps: 3 }"));
        expect(lines).toContain(`${file}:28:11: tenants[1].id: duplicate tenant id 'loyalty': first used by tenants[0], line 27`);
    });

    it("ledger: naming no ledger, and both ledger and dedicated", () => {
        const { file, lines } = problemsIn(network("  - { id: a, ledger: mian, tps: 3 }", "  - { id: b, ledger: main, dedicated: { validators: 4 }, tps: 3 }"));
        expect(lines.find((l) => l.startsWith(`${file}:28:`))).toMatch(/tenants\[1\]\.ledger: expected a ledger defined under 'ledgers' \(main\), found 'mian' \(did you mean 'main'\?\)/);
        expect(lines.find((l) => l.startsWith(`${file}:29:`))).toContain("tenants[2].dedicated: expected either 'ledger' (share a ledger) or 'dedicated' (a ledger of its own), found both");
    });

    it("a dedicated tenant with fewer than 4 validators", () => {
        const { file, lines } = problemsIn(network("  - { id: tiny, dedicated: { validators: 3 }, tps: 3 }"));
        expect(lines).toContain(`${file}:28:42: tenants[1].dedicated.validators: expected a number >= 4, found number 3`);
    });

    it("residency that excludes every region", () => {
        const { file, lines } = problemsIn(network("  - { id: sg, dedicated: { validators: 4, residency: { countries: [SG] } }, tps: 3 }"));
        const line = lines.find((l) => l.startsWith(`${file}:28:`));
        expect(line).toContain("tenants[1].dedicated.residency: residency admits none of the network's cloud regions");
        expect(line).toContain("aws-fra: aws, DE");
    });

    it("residency that admits too few regions for its fault tolerance names the tenant, the constraint and the way out", () => {
        const { file, lines } = problemsIn(network("  - { id: tradefin, dedicated: { validators: 4, residency: { clouds: [aws] } }, tps: 3 }"));
        const line = lines.find((l) => l.startsWith(`${file}:28:`)) ?? "";
        expect(line).toContain(
            "tenants[1].dedicated: tradefin needs 4 regions in clouds [aws] whose machines fit a validator (4 validators, f = 1 per region); 2 are admitted: " +
                "widen its residency: allowing every cloud would admit 3 more (gcp-fra, ali-fra, gcp-ams)",
        );
    });

    it("a residency region the network does not define", () => {
        const { file, lines } = problemsIn(network("  - { id: t, dedicated: { validators: 4, residency: { regions: [aws-frs] } }, tps: 3 }"));
        expect(lines.find((l) => l.startsWith(`${file}:28:`))).toContain("tenants[1].dedicated.residency.regions[0]: expected a region defined under 'regions'");
    });

    it("a TPS no machine type in the allowed regions can hold", () => {
        const { file, lines } = problemsIn(network("  - { id: huge, dedicated: { validators: 4 }, tps: 100000 }"));
        const line = lines.find((l) => l.startsWith(`${file}:28:`)) ?? "";
        expect(line).toMatch(/tenants\[1\]\.tps: /);
        expect(line).toContain("huge");
    });

    it("storage no volume in the allowed regions can hold", () => {
        const { file, lines } = problemsIn(network("  - { id: archive, dedicated: { validators: 4, residency: { clouds: [aws] } }, tps: 3, storageGiB: 20000 }"));
        expect(lines.find((l) => l.startsWith(`${file}:28:`))).toContain("tenants[1].storageGiB: each node of 'archive' needs a 20000 GiB volume, and the largest volume in the regions its residency admits holds 16384 GiB");
    });

    it("storage sized from tps that no volume can hold, on the rpc nodes (which keep every state version)", () => {
        const { file, lines } = problemsIn(network("  - { id: archive, dedicated: { validators: 4, residency: { clouds: [aws] } }, tps: 150 }"));
        expect(lines.find((l) => l.startsWith(`${file}:28:`))).toMatch(
            /tenants\[1\]\.tps: each node of 'archive' needs a (\d+) GiB volume \(sized from its tps\), and the largest volume in the regions its residency admits holds 16384 GiB/,
        );
    });

    it("a dedicated tenant whose id is already a ledger's", () => {
        const { file, lines } = problemsIn(network("  - { id: main, dedicated: { validators: 4 }, tps: 3 }"));
        expect(lines.find((l) => l.startsWith(`${file}:28:`))).toContain("tenants[1].id: a dedicated tenant's ledger takes the tenant's id, and ledger 'main' is already defined");
    });

    it("a dedicated tenant whose namespace would be the scheduler's", () => {
        const { file, lines } = problemsIn(network("  - { id: scheduler, dedicated: { validators: 4 }, tps: 3 }"));
        expect(lines.find((l) => l.startsWith(`${file}:28:`))).toContain("tenants[1].id: a dedicated tenant's ledger lives in namespace orbit-scheduler, which is the scheduler's: rename the tenant");
    });

    it("a dedicated tenant id too long to be a ledger's", () => {
        const { file, lines } = problemsIn(network("  - { id: a-very-long-tenant-name, dedicated: { validators: 4 }, tps: 3 }"));
        expect(lines.find((l) => l.startsWith(`${file}:28:`))).toContain("tenants[1].id: a dedicated tenant's id names its ledger, and ledger ids are at most 20 characters; 'a-very-long-tenant-name' has 23");
    });

    it("a pinned node in a zone its region does not have", () => {
        const { file, lines } = problemsIn(network("  - { id: t, dedicated: { validators: 4, nodes: [{ name: val-1, region: aws-fra, zone: eu-west-1a }] }, tps: 3 }"));
        expect(lines.find((l) => l.startsWith(`${file}:28:`))).toContain("tenants[1].dedicated.nodes[0].zone: zone 'eu-west-1a' is not one of region 'aws-fra''s zones (eu-central-1a, eu-central-1b, eu-central-1c)");
    });

    it("a pinned node in an existing cluster", () => {
        const { file, lines } = problemsIn(
            withLines(
                { 9: "  dc: { cloud: existing, kubeconfigContext: dc, egressAddresses: [198.51.100.62] }" },
                "  - { id: t, dedicated: { validators: 4, nodes: [{ name: val-1, region: dc }] }, tps: 3 }",
            ),
        );
        expect(lines.find((l) => l.startsWith(`${file}:28:`))).toContain("tenants[1].dedicated.nodes[0].region: 'dc' is an existing cluster, where every node needs an address the file names");
    });

    it("a pinned node with a name the ledger does not have", () => {
        const { file, lines } = problemsIn(network("  - { id: t, dedicated: { validators: 4, nodes: [{ name: val-5, region: aws-fra }] }, tps: 3 }"));
        expect(lines.find((l) => l.startsWith(`${file}:28:`))).toContain("tenants[1].dedicated.nodes[0].name: a dedicated ledger's nodes are named val-1..val-4 and rpc-1..rpc-2; found 'val-5'");
    });

    it("a price override for an unknown machine type", () => {
        const { file, lines } = problemsIn(withLines({ 5: "  aws-fra: { cloud: aws, region: eu-central-1, prices: { machines: { m7x.2xlarge: 0.5 } } }" }));
        expect(lines.find((l) => l.startsWith(`${file}:5:`))).toMatch(/regions\.aws-fra\.prices\.machines.*m7x\.2xlarge/);
    });

    it("a negative price", () => {
        const { file, lines } = problemsIn(withLines({ 6: "  gcp-fra: { cloud: gcp, region: europe-west3, prices: { storageGiBMonth: -1 } }" }));
        expect(lines).toContain(`${file}:6:75: regions.gcp-fra.prices.storageGiBMonth: expected a number >= 0, found number -1`);
    });
});
