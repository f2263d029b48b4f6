// The placement engine as an operator meets it: where a dedicated ledger's nodes go, what it refuses
// and how it says so, and what it never does (move a node, break f per region, leave residency).
import { describe, expect, it } from "vitest";
import { ledgerPodRequests } from "../config/pool-sizing";
import { cpuQuantity, memoryQuantity } from "../config/schema";
import { besuOpts, DEFAULT_RESOURCES } from "../frameworks/besu/config";
import {
    dedicatedNodeResources,
    type FixedNode,
    type LedgerDemand,
    place,
    placeFirstFitDecreasing,
    PlacementError,
    type PlacementInput,
    type PlacementRegion,
    type PlacementResult,
    podDemand,
    type Residency,
} from "../scheduler/placement";

/** An m7i.2xlarge's allocatable share (config/pool-sizing.ts allocatable()): 3 validators of 2 CPU fit, 4 do not. */
const MACHINE = { cpuMillis: 7510, memoryMiB: 28255, volumes: 31 };
const VALIDATOR = podDemand("validator", "2", "4Gi");
const RPC = podDemand("rpc", "2", "8Gi");

function region(id: string, over: Partial<PlacementRegion> = {}): PlacementRegion {
    const cloud = over.cloud ?? id.split("-")[0]!;
    return { id, cloud, failureDomain: cloud, country: "DE", machine: "m7i.2xlarge", capacity: MACHINE, zones: 3, minMachines: 0, maxMachines: 30, machineHourPrice: 0.4, ...over };
}

function ledger(tenant: string, validators: number, rpc: number, residency?: Residency): LedgerDemand {
    return {
        ledger: tenant,
        tenant,
        nodes: [
            ...Array.from({ length: validators }, (_, i) => ({ name: `val-${i + 1}`, role: "validator" as const, demand: VALIDATOR })),
            ...Array.from({ length: rpc }, (_, i) => ({ name: `rpc-${i + 1}`, role: "rpc" as const, demand: RPC })),
        ],
        ...(residency === undefined ? {} : { residency }),
    };
}

function nodesOf(result: PlacementResult, ledgerId: string) {
    return result.nodes.filter((n) => n.ledger === ledgerId);
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
    const out = new Map<string, number>();
    for (const item of items) out.set(key(item), (out.get(key(item)) ?? 0) + 1);
    return out;
}

function placementError(input: PlacementInput): PlacementError {
    try {
        place(input);
    } catch (err) {
        if (err instanceof PlacementError) return err;
        throw err;
    }
    throw new Error("expected a PlacementError, but the input was placed");
}

/** Two regions per cloud on aws and gcp, one on alicloud, one on premises (dc1): four failure domains. */
const FOUR_DOMAINS = [
    region("aws-1"),
    region("aws-2"),
    region("gcp-1"),
    region("gcp-2"),
    region("alicloud-1"),
    region("onprem-1", { cloud: "existing", failureDomain: "dc1" }),
];

describe("fault tolerance", () => {
    it("spreads a 7-validator ledger over 4 failure domains with at most 2 validators (f) in any region or domain", () => {
        const result = place({ regions: FOUR_DOMAINS, fixed: [], ledgers: [ledger("tradefin", 7, 2)] });
        const validators = nodesOf(result, "tradefin").filter((n) => n.role === "validator");
        expect(validators).toHaveLength(7);
        const domainOf = new Map(FOUR_DOMAINS.map((r) => [r.id, r.failureDomain]));
        expect(Math.max(...countBy(validators, (n) => n.region).values())).toBeLessThanOrEqual(2);
        const perDomain = countBy(validators, (n) => domainOf.get(n.region)!);
        expect(perDomain.size).toBe(4);
        expect(Math.max(...perDomain.values())).toBeLessThanOrEqual(2);
        expect(validators[0]?.reason).toContain("at most f = 2 per region and per failure domain");
    });

    it("applies the per-domain rule only when the admitted regions span 4 or more failure domains", () => {
        // Three clouds: a domain may hold more than f, a region still not.
        const regions = [region("aws-1"), region("aws-2"), region("gcp-1"), region("alicloud-1")];
        const result = place({ regions, fixed: [], ledgers: [ledger("tradefin", 7, 0)] });
        const validators = nodesOf(result, "tradefin");
        expect(Math.max(...countBy(validators, (n) => n.region).values())).toBe(2);
        expect(countBy(validators, (n) => n.region.split("-")[0]!).get("aws")).toBe(4);
        expect(validators[0]?.reason).not.toContain("failure domain");
    });

    it("puts rpc nodes beside the ledger's validators, one per region before any region gets two", () => {
        const result = place({ regions: FOUR_DOMAINS, fixed: [], ledgers: [ledger("tradefin", 4, 3)] });
        const nodes = nodesOf(result, "tradefin");
        const validatorRegions = new Set(nodes.filter((n) => n.role === "validator").map((n) => n.region));
        const rpc = nodes.filter((n) => n.role === "rpc");
        expect(rpc.every((n) => validatorRegions.has(n.region))).toBe(true);
        expect(new Set(rpc.map((n) => n.region)).size).toBe(3);
    });
});

describe("residency", () => {
    const regions = [
        region("aws-de-1"),
        region("aws-de-2"),
        region("aws-us-1", { country: "US" }),
        region("aws-us-2", { country: "US" }),
        region("gcp-de-1"),
        region("gcp-de-2"),
        region("gcp-us-1", { country: "US" }),
        region("gcp-us-2", { country: "US" }),
        // The cheapest and the largest: where an unrestricted tenant goes first.
        region("alicloud-cn-1", { country: "CN", machineHourPrice: 0.2 }),
        region("alicloud-cn-2", { country: "CN", machineHourPrice: 0.2 }),
        region("alicloud-de-1", { machineHourPrice: 0.2 }),
        // No country: no countries list admits it.
        region("aws-x-1", { country: undefined, machineHourPrice: 0.1 }),
    ];
    const placedIn = (residency: Residency) => new Set(nodesOf(place({ regions, fixed: [], ledgers: [ledger("tradefin", 4, 2, residency)] }), "tradefin").map((n) => n.region));

    it("keeps every node in the clouds a tenant allows", () => {
        expect([...placedIn({ clouds: ["gcp"] })].every((r) => r.startsWith("gcp-"))).toBe(true);
    });

    it("keeps every node in the countries a tenant allows, never in a region without a country", () => {
        const used = placedIn({ countries: ["DE"] });
        expect([...used].every((r) => ["aws-de-1", "aws-de-2", "gcp-de-1", "gcp-de-2", "alicloud-de-1"].includes(r))).toBe(true);
    });

    it("uses only the regions a tenant names", () => {
        const named = ["aws-us-1", "aws-us-2", "gcp-us-1", "gcp-us-2"];
        expect([...placedIn({ regions: named })].sort()).toEqual(named);
    });

    it("never uses a denied cloud, even where it is the cheapest", () => {
        expect([...placedIn({})].some((r) => r.startsWith("alicloud-"))).toBe(true);
        expect([...placedIn({ deny: { clouds: ["alicloud"] } })].some((r) => r.startsWith("alicloud-"))).toBe(false);
    });
});

describe("packing", () => {
    const regions = ["aws-1", "aws-2", "gcp-1", "gcp-2", "alicloud-1", "alicloud-2"].map((id) => region(id, { machineHourPrice: id.endsWith("2") ? 0.3 : 0.4 }));
    /** The shared ledger: one validator in each of the first four regions, zone 0; an rpc node without a zone. */
    const shared: FixedNode[] = [
        ...["aws-1", "gcp-1", "alicloud-1", "aws-2"].map((r, i) => ({ ledger: "main", node: `val-${i + 1}`, role: "validator" as const, region: r, zone: 0, demand: VALIDATOR })),
        { ledger: "main", node: "rpc-1", role: "rpc", region: "gcp-1", demand: RPC },
    ];

    it("packs a small ledger onto machines the shared ledger's pools pay for already, and moves no fixed node", () => {
        const alone = place({ regions, fixed: shared, ledgers: [] });
        const result = place({ regions, fixed: shared, ledgers: [ledger("tradefin", 4, 1)] });
        expect(result.machines).toBe(alone.machines);
        expect(new Set(nodesOf(result, "tradefin").map((n) => n.region))).toEqual(new Set(["aws-1", "gcp-1", "alicloud-1", "aws-2"]));
        for (const fixed of shared) {
            const out = result.nodes.find((n) => n.ledger === "main" && n.node === fixed.node);
            expect(out?.region).toBe(fixed.region);
            if (fixed.zone !== undefined) expect(out?.zone).toBe(fixed.zone);
            expect(out?.reason).toMatch(/^fixed/);
        }
    });

    it("prefers the cheaper of otherwise equal regions", () => {
        const result = place({ regions, fixed: [], ledgers: [ledger("tradefin", 4, 0)] });
        // Four regions are needed; the three cheap ones are all used, and the fourth is one of the others.
        const used = new Set(nodesOf(result, "tradefin").map((n) => n.region));
        for (const cheap of ["aws-2", "gcp-2", "alicloud-2"]) expect(used.has(cheap)).toBe(true);
    });

    it("never grows a pool past its max: ledgers that do not fit go to other regions", () => {
        const small = ["aws-1", "aws-2", "gcp-1", "gcp-2", "alicloud-1"].map((id) => region(id, { maxMachines: 3 }));
        const roomy = region("alicloud-2", { machineHourPrice: 1 });
        const ledgers = Array.from({ length: 8 }, (_, i) => ledger(`t${i}`, 4, 1));
        const result = place({ regions: [...small, roomy], fixed: [], ledgers });
        for (const usage of result.regions) {
            const max = [...small, roomy].find((r) => r.id === usage.region)!.maxMachines;
            expect(usage.machines).toBeLessThanOrEqual(max);
        }
        expect(result.regions.find((r) => r.region === "alicloud-2")!.nodes).toBeGreaterThan(0);
    });

    it("counts machines in whole rows, at least minMachines, and never fewer than the lower bound nor more than the baseline", () => {
        const regionsWithMin = [region("aws-1", { minMachines: 4 }), region("gcp-1", { zones: 2 }), region("alicloud-1"), region("aws-2"), region("gcp-2")];
        const result = place({ regions: regionsWithMin, fixed: [], ledgers: [ledger("a", 4, 2), ledger("b", 7, 1), ledger("c", 4, 1)] });
        for (const usage of result.regions) {
            const spec = regionsWithMin.find((r) => r.id === usage.region)!;
            expect(usage.machines % spec.zones).toBe(0);
            expect(usage.machines).toBe(spec.zones * Math.max(...usage.perZone, Math.ceil(spec.minMachines / spec.zones)));
            expect(usage.machines).toBeGreaterThanOrEqual(usage.lowerBound);
        }
        // minMachines 4 over 3 zones: two rows.
        expect(result.regions.find((r) => r.region === "aws-1")!.machines).toBeGreaterThanOrEqual(6);
        expect(result.lowerBound).toBeLessThanOrEqual(result.machines);
        expect(result.machines).toBeLessThanOrEqual(result.ffdMachines);
        expect(result.ffdMachines).toBe(placeFirstFitDecreasing({ regions: regionsWithMin, fixed: [], ledgers: [ledger("a", 4, 2), ledger("b", 7, 1), ledger("c", 4, 1)] }).machines);
    });
});

describe("stability", () => {
    const regions = FOUR_DOMAINS;
    const existingOf = (result: PlacementResult) => Object.fromEntries(result.nodes.map((n) => [`${n.ledger}/${n.node}`, { region: n.region, zone: n.zone }]));

    it("keeps every node placed before where it is when a tenant is added, even next to a new, cheaper region", () => {
        const first = place({ regions, fixed: [], ledgers: [ledger("tradefin", 4, 2), ledger("loyalty", 7, 1)] });
        const cheaper = [...regions, region("gcp-3", { machineHourPrice: 0.01 })];
        const second = place({ regions: cheaper, fixed: [], ledgers: [ledger("tradefin", 4, 2), ledger("loyalty", 7, 1), ledger("newco", 4, 2)], existing: existingOf(first) });
        for (const before of first.nodes) {
            const after = second.nodes.find((n) => n.ledger === before.ledger && n.node === before.node);
            expect({ region: after?.region, zone: after?.zone }).toEqual({ region: before.region, zone: before.zone });
            expect(after?.reason).toMatch(/^kept/);
        }
        expect(nodesOf(second, "newco")).toHaveLength(6);
    });

    it("gives the same answer for the same input, and leaves the input as it was", () => {
        const input: PlacementInput = { regions, fixed: [], ledgers: [ledger("tradefin", 4, 2), ledger("loyalty", 10, 2), ledger("newco", 4, 1)] };
        const copy = structuredClone(input);
        const a = place(input);
        const b = place(structuredClone(input));
        expect(JSON.stringify(a)).toBe(JSON.stringify(b));
        expect(input).toEqual(copy);
    });
});

describe("what cannot be placed, and the way out", () => {
    const three = [region("aws-1"), region("aws-2"), region("gcp-1"), region("alicloud-1")];

    it("fault-tolerance: too few admitted regions for f = 1 per region", () => {
        const err = placementError({ regions: three, fixed: [], ledgers: [ledger("tradefin", 4, 2, { clouds: ["aws", "gcp"] })] });
        expect(err.tenant).toBe("tradefin");
        expect(err.constraint).toBe("fault-tolerance");
        expect(err.message).toBe(
            "tradefin needs 4 regions in clouds [aws, gcp] whose machines fit a validator (4 validators, f = 1 per region); 3 are admitted: widen its residency: allowing every cloud would admit 1 more (alicloud-1)",
        );
    });

    it("failure-domains: 5 validators over 4 domains, and the sizes that would fit", () => {
        const err = placementError({ regions: FOUR_DOMAINS, fixed: [], ledgers: [ledger("tradefin", 5, 1)] });
        expect(err.constraint).toBe("failure-domains");
        expect(err.message).toContain("tradefin's 5 validators need 5 failure domains with at most f = 1 each");
        expect(err.message).toContain("span 4 (aws, gcp, alicloud, dc1)");
        expect(err.message).toContain("run 4 or 7 validators");
    });

    it("residency: no region admitted, with the change that would admit some", () => {
        const err = placementError({ regions: three, fixed: [], ledgers: [ledger("tradefin", 4, 2, { clouds: ["aws"], countries: ["BR"] })] });
        expect(err.constraint).toBe("residency");
        expect(err.message).toBe("tradefin's residency (clouds [aws], countries [BR]) admits none of the 4 regions: allowing every country would admit 2 more (aws-1, aws-2)");
    });

    it("machine-size: a node larger than any admitted machine names the largest machine", () => {
        const huge = ledger("tradefin", 4, 0);
        huge.nodes[0] = { name: "val-1", role: "validator", demand: { cpuMillis: 9000, memoryMiB: 4096, volumes: 1 } };
        const err = placementError({ regions: three, fixed: [], ledgers: [huge] });
        expect(err.constraint).toBe("machine-size");
        expect(err.message).toContain("tradefin's validator val-1 needs 9000m CPU, 4096Mi memory, 1 volume");
        expect(err.message).toContain("largest: m7i.2xlarge in aws-1, 7510m CPU, 28255Mi memory, 31 volumes allocatable");
        expect(err.message).toContain("larger machine type");
    });

    it("pool-max: regions at their max, and which pool to raise", () => {
        const full = three.map((r, i) => (i === 0 ? { ...r, maxMachines: 0 } : r));
        const err = placementError({ regions: full, fixed: [], ledgers: [ledger("tradefin", 4, 2)] });
        expect(err.constraint).toBe("pool-max");
        expect(err.message).toBe("tradefin needs 4 regions with room for a validator (f = 1 per region); 3 have room (pools at their max: aws-1 0 machines): raise the max of aws-1's ledger pool");
    });

    it("pool-max: nodes already in a region that need more than its max", () => {
        const fixed: FixedNode[] = Array.from({ length: 4 }, (_, i) => ({ ledger: "main", node: `val-${i}`, role: "validator", region: "aws-1", zone: 0, demand: VALIDATOR }));
        const err = placementError({ regions: [region("aws-1", { maxMachines: 3 }), ...three.slice(1)], fixed, ledgers: [] });
        expect(err.constraint).toBe("pool-max");
        expect(err.message).toContain("region aws-1: the 4 nodes already there");
        // Pods of one ledger never share a machine: four in zone 0 need four machines there, so four rows.
        expect(err.message).toContain("need 12 machines (4 in each of 3 zones), above its pool max of 3: raise the max to 12");
    });

    it("fault-tolerance: pinned validators already above f in one region", () => {
        const fixed: FixedNode[] = ["val-1", "val-2"].map((node) => ({ ledger: "tradefin", node, role: "validator", region: "aws-1", demand: VALIDATOR }));
        const err = placementError({ regions: FOUR_DOMAINS, fixed, ledgers: [{ ...ledger("tradefin", 4, 0), nodes: ledger("tradefin", 4, 0).nodes.slice(2) }] });
        expect(err.constraint).toBe("fault-tolerance");
        expect(err.message).toContain("tradefin already has 2 validators in aws-1 (pinned or placed before: val-1, val-2), but with 4 validators f = 1 allows 1 per region");
    });

    it("residency: a node placed before in a region the residency no longer admits is not moved silently", () => {
        const err = placementError({
            regions: FOUR_DOMAINS,
            fixed: [],
            ledgers: [ledger("tradefin", 4, 0, { deny: { clouds: ["aws"] } })],
            existing: { "tradefin/val-1": { region: "aws-1", zone: 0 } },
        });
        expect(err.constraint).toBe("residency");
        expect(err.message).toContain("tradefin's node val-1 is in aws-1 (placed there before), which its residency (any region except clouds [aws]) does not admit");
    });
});

describe("sizing", () => {
    it("sizes a 100 TPS tenant's nodes as the built-in defaults", () => {
        for (const role of ["validator", "rpc"] as const) {
            const r = dedicatedNodeResources(role, 100);
            expect({ cpu: r.cpu, memory: r.memory }).toEqual({ cpu: DEFAULT_RESOURCES[role].cpu, memory: DEFAULT_RESOURCES[role].memory });
        }
    });

    it("gives a small tenant smaller nodes that Besu and the schema still accept", () => {
        const r = dedicatedNodeResources("validator", 1);
        expect(r).toEqual({ cpu: "1250m", memory: "2304Mi", storageGiB: 45 });
        expect(() => besuOpts(r.memory)).not.toThrow();
        for (const tps of [0.5, 1, 7, 33, 250, 999, 5000]) {
            for (const role of ["validator", "rpc"] as const) {
                const sized = dedicatedNodeResources(role, tps);
                expect(cpuQuantity.safeParse(sized.cpu).success).toBe(true);
                expect(memoryQuantity.safeParse(sized.memory).success).toBe(true);
                expect(() => besuOpts(sized.memory)).not.toThrow();
            }
        }
    });

    it("grows storage with TPS within the schema's 10..64000 GiB, and takes the tenant's own figure when given", () => {
        expect(dedicatedNodeResources("rpc", 1).storageGiB).toBe(134);
        expect(dedicatedNodeResources("rpc", 10).storageGiB).toBeGreaterThan(dedicatedNodeResources("validator", 10).storageGiB);
        expect(dedicatedNodeResources("validator", 100_000).storageGiB).toBe(64000);
        expect(dedicatedNodeResources("validator", 10, 500).storageGiB).toBe(500);
        expect(dedicatedNodeResources("rpc", 10, 2).storageGiB).toBe(10);
    });

    it("asks a machine for what the pool sizing counts: Besu, the validator's sidecar, one volume", () => {
        expect(podDemand("validator", "2", "4Gi")).toEqual({ ...ledgerPodRequests("validator", "2", "4Gi"), volumes: 1 });
        expect(podDemand("validator", "2", "4Gi")).toEqual({ cpuMillis: 2050, memoryMiB: 4160, volumes: 1 });
        expect(podDemand("rpc", "1500m", "4Gi")).toEqual({ cpuMillis: 1500, memoryMiB: 4096, volumes: 1 });
    });
});
