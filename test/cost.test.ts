// The cost model: what a network costs per month and who pays which part, against figures worked out
// by hand from the published prices; price overrides; and, over random networks, that every
// breakdown adds up to the total to the cent.
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CATALOG } from "../config/catalog";
import { COUNTRIES, countryOf } from "../config/catalog/countries";
import { PRICES } from "../config/catalog/prices";
import { CLOUDS, type NetworkConfig, networkSchema } from "../config/schema";
import { type CostReport, machineHourPrice, networkCost, priceProblems } from "../scheduler/cost";

const IMAGE = `hyperledger/besu:26.8.0@sha256:${"ab".repeat(32)}`;

type Node = { name: string; role: "validator" | "rpc"; region: string; rpcAddress?: string; resources?: { cpu?: string; memory?: string; storageGiB?: number } };

function ledger(chainId: number, nodes: Node[]): Record<string, unknown> {
    return { framework: "besu", consensus: "qbft", chainId, image: IMAGE, nodes };
}

function network(regions: Record<string, unknown>, ledgers: Record<string, unknown>, tenants: unknown[] = []): NetworkConfig {
    return networkSchema.parse({ name: "orbit", domain: "orbit.ledger.example", regions, ledgers, tenants });
}

/** Every amount in cents: sums of dollar figures are compared without float noise. */
const c = (usd: number): number => Math.round(usd * 100);
const sumCents = (values: number[]): number => values.reduce((a, v) => a + c(v), 0);

// us-east-1 list prices, as config/catalog/prices-aws.ts gives them, and 730 hours a month.
const HOURS = 730;
const M7I_2XLARGE = 0.4032;
const M7I_LARGE = 0.1008;
const EKS = 0.1;
const NAT_GATEWAY = 0.045;
const ELASTIC_IP = 0.005;
const NLB = 0.0225;
const GP3 = 0.08;
const EGRESS = 0.09;

describe("the monthly cost of a small network, by hand", () => {
    // One EKS region, one ledger (a validator and an rpc node at the built-in resources), two tenants.
    const small = network(
        { "aws-use": { cloud: "aws", region: "us-east-1" } },
        {
            main: ledger(727271, [
                { name: "val-1", role: "validator", region: "aws-use" },
                { name: "rpc-1", role: "rpc", region: "aws-use" },
            ]),
        },
        [
            { id: "acme", ledger: "main", tps: 10, weight: 1 },
            { id: "beta", ledger: "main", tps: 30, weight: 1 },
        ],
    );

    // val-1 is pinned to zone a and rpc-1 to zone b; both fit one m7i.2xlarge, and an EKS ledger pool
    // has one group per zone of equal size: three m7i.2xlarge. Two m7i.large in the system pool.
    const compute = (3 * M7I_2XLARGE + 2 * M7I_LARGE) * HOURS; // 1030.176
    const controlPlane = EKS * HOURS; // 73
    const nat = 3 * NAT_GATEWAY * HOURS; // one per zone: 98.55
    const addresses = (3 + 2) * ELASTIC_IP * HOURS; // three NAT addresses, one per node: 18.25
    const loadBalancers = 2 * NLB * HOURS; // one P2P NLB per node: 32.85
    const storage = (100 + 200) * GP3 + 5 * 50 * GP3; // node volumes, and 50 GiB root per machine: 44
    const egress = 2 * 20 * EGRESS; // 20 GiB per node: 3.6
    const total = compute + controlPlane + nat + addresses + loadBalancers + storage + egress; // 1300.426

    it("prices every kind of resource the AWS adapter builds, to the cent", () => {
        const report = networkCost(small);
        expect(report.currency).toBe("USD");
        expect(report.checked).toBe("2026-11-25");
        expect(report.total).toBe(1300.43);
        expect(c(report.total)).toBe(c(total));
        expect(report.regions["aws-use"]).toEqual({
            cloud: "aws",
            monthly: 1300.43,
            items: { compute: 1030.18, "control-plane": 73, nat: 98.55, "load-balancers": 32.85, addresses: 18.25, storage: 44, egress: 3.6 },
        });
        expect(report.clouds).toEqual({ aws: 1300.43 });
        expect(report.ledgers).toEqual({ main: 1300.43 });
        expect(report.sources.some((s) => s.startsWith("https://aws.amazon.com/eks/pricing/"))).toBe(true);
        expect(report.sources.some((s) => s.startsWith("estimate:"))).toBe(true);
    });

    it("splits a shared ledger among its tenants half by TPS and half by weight", () => {
        const report = networkCost(small);
        // acme: 10/40 / 2 + 1/2 / 2 = 0.375 of 1300.43 = 487.66125; beta: 0.625, 812.76875. The odd cent
        // goes to the larger fraction, beta's.
        const [acme, beta] = report.tenants;
        expect(acme).toMatchObject({ id: "acme", ledger: "main", dedicated: false, monthly: 487.66 });
        expect(beta).toMatchObject({ id: "beta", ledger: "main", dedicated: false, monthly: 812.77 });
        expect(report.unallocated).toBe(0);
    });

    it("prices a shared tenant alone as the same fault tolerance in a cluster of its own", () => {
        // main has one validator (f = 0): alone is one validator and one rpc node in us-east-1, the
        // same cluster the network runs, at the same price.
        const acme = networkCost(small).tenants[0];
        expect(acme?.alone).toBe(1300.43);
        expect(acme?.ratio).toBe(0.375);
        expect(acme?.basis).toMatch(/1 validators for f = 0.*aws-use/);
    });
});

describe("the ledgers' shares of a region", () => {
    it("a ledger no tenant uses is the operator's: unallocated", () => {
        const net = network(
            { "aws-use": { cloud: "aws", region: "us-east-1" } },
            {
                main: ledger(11, [{ name: "val-1", role: "validator", region: "aws-use" }]),
                ops: ledger(12, [{ name: "val-1", role: "validator", region: "aws-use" }]),
            },
            [{ id: "acme", ledger: "main", tps: 5, weight: 1 }],
        );
        const report = networkCost(net);
        expect(report.unallocated).toBe(report.ledgers.ops);
        // The same pods pay the same: the two ledgers' validators are alike.
        expect(Math.abs(c(report.ledgers.main as number) - c(report.ledgers.ops as number))).toBeLessThanOrEqual(1);
        expect(report.tenants[0]?.monthly).toBe(report.ledgers.main);
    });

    it("a dedicated tenant pays less on the shared network than alone", () => {
        const nodes = (region: string, validators: number): Node[] => [
            ...Array.from({ length: validators }, (_, i): Node => ({ name: `val-${i + 1}`, role: "validator", region })),
            { name: "rpc-1", role: "rpc", region },
        ];
        const net = network(
            { "aws-fra": { cloud: "aws", region: "eu-central-1" }, "gcp-fra": { cloud: "gcp", region: "europe-west3" } },
            {
                main: ledger(21, [...nodes("aws-fra", 2), ...nodes("gcp-fra", 2)]),
                // As the loader leaves a dedicated tenant: a ledger named after it.
                dd: ledger(22, [...nodes("aws-fra", 2), ...nodes("gcp-fra", 2)]),
            },
            [
                { id: "acme", ledger: "main", tps: 20, weight: 2 },
                { id: "beta", ledger: "main", tps: 10, weight: 1 },
                { id: "dd", ledger: "dd", tps: 50, dedicated: { validators: 4, rpc: 2 } },
            ],
        );
        const report = networkCost(net);
        const dd = report.tenants.find((t) => t.id === "dd");
        expect(dd).toMatchObject({ ledger: "dd", dedicated: true, monthly: report.ledgers.dd });
        expect(dd?.alone).toBeGreaterThan(dd?.monthly as number);
        expect(dd?.ratio).toBeLessThan(1);
        expect(dd?.basis).toMatch(/aws-fra, gcp-fra/);
        // The shared tenants pay less than alone too: they share the control planes, NAT and pools.
        for (const t of report.tenants) expect(t.ratio, t.id).toBeGreaterThan(0);
        for (const t of report.tenants) expect(t.ratio, t.id).toBeLessThan(1);
        expect(sumCents(report.tenants.map((t) => t.monthly)) + c(report.unallocated)).toBe(c(report.total));
    });

    it("an existing cluster costs its monthly price, and one without a price is listed as unpriced", () => {
        const existing = (monthly?: number) => ({
            cloud: "existing",
            kubeconfigContext: "kind-a",
            egressAddresses: ["192.0.2.10"],
            ...(monthly === undefined ? {} : { prices: { monthly } }),
        });
        const net = network(
            { "dc-a": existing(500), "dc-b": existing() },
            {
                main: ledger(31, [
                    { name: "val-1", role: "validator", region: "dc-a" },
                    { name: "val-2", role: "validator", region: "dc-b" },
                ]),
            },
        );
        const report = networkCost(net);
        expect(report.regions["dc-a"]).toEqual({ cloud: "existing", monthly: 500, items: { existing: 500 } });
        expect(report.regions["dc-b"]).toEqual({ cloud: "existing", monthly: 0, items: { existing: 0 } });
        expect(report.unpriced).toEqual(["dc-b"]);
        expect(report.clouds).toEqual({ existing: 500 });
    });
});

describe("price overrides", () => {
    const twoRegions = (prices?: Record<string, unknown>) =>
        network(
            {
                "aws-a": { cloud: "aws", region: "us-east-1" },
                "aws-b": { cloud: "aws", region: "us-east-1", ...(prices === undefined ? {} : { prices }) },
            },
            {
                main: ledger(41, [
                    { name: "val-1", role: "validator", region: "aws-a" },
                    { name: "val-2", role: "validator", region: "aws-b" },
                ]),
            },
        );

    it("a machine price override changes exactly that region, by exactly the machines it prices", () => {
        const before = networkCost(twoRegions());
        const after = networkCost(twoRegions({ machines: { "m7i.2xlarge": 1 } }));
        expect(after.regions["aws-a"]).toEqual(before.regions["aws-a"]);
        // aws-b's ledger pool: one m7i.2xlarge in each of three zones.
        const delta = 3 * (1 - M7I_2XLARGE) * HOURS; // 1306.992
        const b0 = before.regions["aws-b"]?.items as Record<string, number>;
        const b1 = after.regions["aws-b"]?.items as Record<string, number>;
        expect(c(b1.compute as number) - c(b0.compute as number)).toBe(c(delta));
        expect({ ...b1, compute: 0 }).toEqual({ ...b0, compute: 0 });
        expect(c(after.total) - c(before.total)).toBe(c(delta));
    });

    it("machineHourPrice: the table in the reference region, scaled elsewhere, the override above both", () => {
        expect(machineHourPrice("aws", "us-east-1", "m7i.2xlarge")).toBe(M7I_2XLARGE);
        expect(machineHourPrice("aws", "eu-central-1", "m7i.2xlarge")).toBeCloseTo(M7I_2XLARGE * PRICES.aws.regionMultipliers["eu-central-1"]!, 9);
        expect(machineHourPrice("gcp", "us-central1", "n2-standard-8")).toBe(0.388472);
        expect(machineHourPrice("aws", "eu-central-1", "m7i.2xlarge", { machines: { "m7i.2xlarge": 0.3 } })).toBe(0.3);
        expect(() => machineHourPrice("aws", "us-east-1", "m9z.huge")).toThrow(/'m9z\.huge' is not a aws machine type/);
    });

    it("an unknown machine type in the overrides is reported at its path, with the known types", () => {
        const problems = priceProblems(twoRegions({ machines: { "m9z.huge": 2, "m7i.large": 0.09 } }));
        expect(problems).toHaveLength(1);
        expect(problems[0]?.path).toEqual(["regions", "aws-b", "prices", "machines", "m9z.huge"]);
        expect(problems[0]?.message).toMatch(/'m9z\.huge' is not a aws machine type .*known: .*m7i\.2xlarge/);
        expect(priceProblems(twoRegions({ machines: { "m7i.large": 0.09 } }))).toEqual([]);
    });
});

describe("the catalogs' price, country and volume tables", () => {
    it("every machine type of every catalog has a price, and every region a multiplier and a country", () => {
        for (const cloud of CLOUDS) {
            for (const machine of Object.keys(CATALOG[cloud].machines)) expect(PRICES[cloud].machines[machine]?.usd, `${cloud} ${machine}`).toBeGreaterThan(0);
            for (const region of Object.keys(CATALOG[cloud].regions)) {
                expect(PRICES[cloud].regionMultipliers[region], `${cloud} ${region}`).toBeGreaterThan(0);
                expect(countryOf(cloud, region), `${cloud} ${region}`).toMatch(/^[A-Z]{2}$/);
            }
            // No country for a region the catalog does not have (a stale entry would pass residency).
            expect(Object.keys(COUNTRIES[cloud]).sort()).toEqual(Object.keys(CATALOG[cloud].regions).sort());
        }
        expect([countryOf("aws", "eu-central-1"), countryOf("gcp", "europe-west3"), countryOf("alicloud", "eu-central-1")]).toEqual(["DE", "DE", "DE"]);
        expect(countryOf("aws", "eu-central-9")).toBeUndefined();
    });

    it("volumes a machine takes for pods: EBS dedicated or shared with network interfaces, 127 PDs, 15 ESSDs", () => {
        expect(CATALOG.aws.machines["m7i.2xlarge"]?.maxVolumes).toBe(31);
        expect(CATALOG.aws.machines["m6i.2xlarge"]?.maxVolumes).toBe(27 - 4);
        expect(CATALOG.aws.machines["r7g.8xlarge"]?.maxVolumes).toBe(27 - 8);
        expect(CATALOG.gcp.machines["n2-standard-8"]?.maxVolumes).toBe(127);
        expect(CATALOG.alicloud.machines["ecs.g7.2xlarge"]?.maxVolumes).toBe(15);
    });

    it("the disks and NAT addresses priced are the ones the adapters build", () => {
        const source = (file: string) => fs.readFileSync(path.join(__dirname, "..", "components", "clouds", file), "utf8");
        const aws = source("aws.ts");
        expect(aws).toMatch(/volumeSize: 50, volumeType: "gp3"/);
        expect(aws).toMatch(/type: "gp3"/);
        const gcp = source("gcp.ts");
        expect(gcp).toMatch(/diskType: "pd-balanced",\s+diskSizeGb: 100/);
        expect(gcp).toMatch(/const EGRESS_ADDRESSES = 2;/);
        const ali = source("alicloud.ts");
        expect(ali).toMatch(/systemDiskSize: 120/);
        expect(ali).toMatch(/dataDisks: \[\{ category: "cloud_essd", size: 200, performanceLevel: "PL1"/);
        expect(ali).toMatch(/parameters: \{ type: "cloud_essd", performanceLevel: "PL1"/);
        expect(ali).toMatch(/egressCount: \(\) => 1,/);
    });
});

describe("shares add up to the total, to the cent, over random networks", () => {
    const REGIONS: Record<string, unknown> = {
        "aws-use": { cloud: "aws", region: "us-east-1" },
        "aws-fra": { cloud: "aws", region: "eu-central-1", prices: { natHour: 0.05 } },
        "gcp-fra": { cloud: "gcp", region: "europe-west3" },
        "ali-fra": { cloud: "alicloud", region: "eu-central-1" },
        "dc-a": { cloud: "existing", kubeconfigContext: "kind-a", egressAddresses: ["192.0.2.10"], prices: { monthly: 321.17 } },
        "dc-b": { cloud: "existing", kubeconfigContext: "kind-b", egressAddresses: ["192.0.2.20"] },
    };
    const node = (regions: string[]) =>
        fc.record({
            role: fc.constantFrom("validator" as const, "rpc" as const),
            region: fc.constantFrom(...regions),
            cpu: fc.constantFrom("500m", "1", "2", "3"),
            memory: fc.constantFrom("2Gi", "3584Mi", "6Gi"),
            storageGiB: fc.integer({ min: 10, max: 900 }),
            rpcAddress: fc.boolean(),
        });
    const arbitraryNetwork = fc
        .subarray(Object.keys(REGIONS), { minLength: 1 })
        .chain((regions) =>
            fc.record({
                regions: fc.constant(regions),
                ledgers: fc.array(fc.array(node(regions), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 3 }),
                tenants: fc.array(fc.record({ ledger: fc.nat(3), dedicated: fc.boolean(), tps: fc.double({ min: 0.5, max: 500, noNaN: true }), weight: fc.integer({ min: 1, max: 9 }) }), { maxLength: 5 }),
            }),
        )
        .map(({ regions, ledgers, tenants }) => {
            const ledgerIds = ledgers.map((_, i) => `l${i}`);
            const files: Record<string, unknown> = {};
            ledgers.forEach((nodes, i) => {
                files[ledgerIds[i] as string] = ledger(100 + i, nodes.map((n, j): Node => ({
                    name: `n-${j}`,
                    role: n.role,
                    region: n.region,
                    resources: { cpu: n.cpu, memory: n.memory, storageGiB: n.storageGiB },
                    ...(n.role === "rpc" && n.rpcAddress ? { rpcAddress: `10.9.0.${j + 1}` } : {}),
                })));
            });
            // A dedicated tenant as the loader leaves it: the ledger named after it is its own, and no
            // shared tenant transacts on it. The first tenant to claim a ledger as dedicated has it.
            const owner = new Map<string, number>();
            tenants.forEach((t, i) => {
                const ledgerId = ledgerIds[t.ledger % ledgerIds.length] as string;
                if (t.dedicated && !owner.has(ledgerId)) owner.set(ledgerId, i);
            });
            const list = tenants.flatMap((t, i) => {
                const ledgerId = ledgerIds[t.ledger % ledgerIds.length] as string;
                if (owner.get(ledgerId) === i) return [{ id: ledgerId, ledger: ledgerId, tps: t.tps, weight: t.weight, dedicated: { validators: 4 } }];
                return t.dedicated || owner.has(ledgerId) ? [] : [{ id: `t-${i}`, ledger: ledgerId, tps: t.tps, weight: t.weight }];
            });
            return network(Object.fromEntries(regions.map((r) => [r, REGIONS[r]])), files, list);
        });

    function addsUp(report: CostReport): void {
        const total = c(report.total);
        expect(sumCents(report.tenants.map((t) => t.monthly)) + c(report.unallocated)).toBe(total);
        expect(sumCents(Object.values(report.regions).map((r) => r.monthly))).toBe(total);
        expect(sumCents(Object.values(report.clouds))).toBe(total);
        for (const r of Object.values(report.regions)) expect(sumCents(Object.values(r.items))).toBe(c(r.monthly));
        expect(sumCents(Object.values(report.ledgers))).toBeLessThanOrEqual(total);
        for (const t of report.tenants) {
            expect(t.monthly).toBeGreaterThanOrEqual(0);
            expect(t.alone).toBeGreaterThanOrEqual(0);
        }
    }

    it("tenants plus unallocated, regions, clouds and each region's items all equal the total", () => {
        fc.assert(
            fc.property(arbitraryNetwork, (net) => addsUp(networkCost(net))),
            { numRuns: 60, seed: 20261125 },
        );
    });
});
