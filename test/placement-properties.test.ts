// The placement engine's promises over random networks: every answer keeps every hard constraint
// (checked here from the input and the answer alone, not with the engine's helpers), the machine
// count lies between the lower bound and the baseline's, adding a ledger moves no node, and the
// same input gives the same answer. Runs are bounded so the file stays a few seconds.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
    type FixedNode,
    type LedgerDemand,
    place,
    PlacementError,
    type PlacementInput,
    type PlacementRegion,
    type PlacementResult,
    type Residency,
    type Vector,
} from "../scheduler/placement";

const CLOUDS = ["aws", "gcp", "alicloud"] as const;
const COUNTRIES = ["DE", "US", "FR"] as const;
const CONSTRAINTS = ["fault-tolerance", "failure-domains", "residency", "machine-size", "pool-max"];

/** Allocatable shares of 4-, 8- and 16-vCPU machines (config/pool-sizing.ts allocatable()), and a memory-poor one. */
const MACHINES: readonly Vector[] = [
    { cpuMillis: 3530, memoryMiB: 12600, volumes: 15 },
    { cpuMillis: 7510, memoryMiB: 28255, volumes: 31 },
    { cpuMillis: 15490, memoryMiB: 58200, volumes: 127 },
    { cpuMillis: 7510, memoryMiB: 9000, volumes: 4 },
];

const demandArb: fc.Arbitrary<Vector> = fc.record({
    cpuMillis: fc.integer({ min: 500, max: 3500 }),
    memoryMiB: fc.integer({ min: 1024, max: 8192 }),
    volumes: fc.constant(1),
});

const regionsArb: fc.Arbitrary<PlacementRegion[]> = fc
    .array(
        fc.record({
            cloud: fc.constantFrom(...CLOUDS),
            // Either the cloud (the default) or one of five declared domains.
            domain: fc.constantFrom("cloud", "d1", "d2", "d3", "d4", "d5"),
            country: fc.option(fc.constantFrom(...COUNTRIES), { nil: undefined, freq: 8 }),
            capacity: fc.constantFrom(MACHINES[0]!, MACHINES[1]!, MACHINES[1]!, MACHINES[2]!, MACHINES[3]!),
            zones: fc.integer({ min: 1, max: 3 }),
            min: fc.integer({ min: 0, max: 4 }),
            extra: fc.integer({ min: 3, max: 60 }),
            price: fc.integer({ min: 1, max: 9 }),
        }),
        { minLength: 6, maxLength: 10 },
    )
    .map((specs) =>
        specs.map((s, i) => {
            const minRounded = Math.ceil(s.min / s.zones) * s.zones;
            return {
                id: `r${i}`,
                cloud: s.cloud,
                failureDomain: s.domain === "cloud" ? s.cloud : s.domain,
                ...(s.country === undefined ? {} : { country: s.country }),
                machine: `m${i}`,
                capacity: s.capacity,
                zones: s.zones,
                minMachines: s.min,
                maxMachines: minRounded + s.extra,
                machineHourPrice: s.price / 10,
            };
        }),
    );

const residencyArb: fc.Arbitrary<Residency | undefined> = fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.subarray([...CLOUDS], { minLength: 2 }).map((clouds) => ({ clouds })) },
    { weight: 1, arbitrary: fc.subarray([...COUNTRIES], { minLength: 1 }).map((countries) => ({ countries })) },
    { weight: 1, arbitrary: fc.subarray(["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9"], { minLength: 6 }).map((regions) => ({ regions })) },
    { weight: 1, arbitrary: fc.constantFrom(...CLOUDS).map((cloud) => ({ deny: { clouds: [cloud] } })) },
);

interface LedgerSpec {
    validators: number;
    rpc: number;
    validator: Vector;
    rpcDemand: Vector;
    residency: Residency | undefined;
}

const ledgerSpecArb: fc.Arbitrary<LedgerSpec> = fc.record({
    validators: fc.constantFrom(4, 4, 4, 4, 4, 5, 7, 7, 10),
    rpc: fc.integer({ min: 0, max: 3 }),
    validator: demandArb,
    rpcDemand: demandArb,
    residency: residencyArb,
});

function toLedger(name: string, spec: LedgerSpec): LedgerDemand {
    return {
        ledger: name,
        tenant: `tenant-${name}`,
        nodes: [
            ...Array.from({ length: spec.validators }, (_, i) => ({ name: `val-${i + 1}`, role: "validator" as const, demand: spec.validator })),
            ...Array.from({ length: spec.rpc }, (_, i) => ({ name: `rpc-${i + 1}`, role: "rpc" as const, demand: spec.rpcDemand })),
        ],
        ...(spec.residency === undefined ? {} : { residency: spec.residency }),
    };
}

const fixedArb = fc.array(
    fc.record({ ledger: fc.constantFrom("main", "ops"), region: fc.nat(8), zone: fc.option(fc.nat(2), { nil: undefined }), role: fc.constantFrom("validator" as const, "rpc" as const), demand: demandArb }),
    { maxLength: 6 },
);

const inputArb: fc.Arbitrary<PlacementInput> = fc
    .record({ regions: regionsArb, ledgers: fc.array(ledgerSpecArb, { minLength: 1, maxLength: 5 }), fixed: fixedArb, pin: fc.integer({ min: 0, max: 3 }).map((n) => n === 0) })
    .map(({ regions, ledgers, fixed, pin }) => {
        const placed = ledgers.map((spec, i) => toLedger(`l${i}`, spec));
        const fixedNodes: FixedNode[] = fixed.map((f, i) => {
            const region = regions[f.region % regions.length]!;
            return { ledger: f.ledger, node: `n${i}`, role: f.role, region: region.id, ...(f.zone === undefined ? {} : { zone: f.zone % region.zones }), demand: f.demand };
        });
        // Sometimes the first ledger's first validator is pinned by hand (no zone): it leaves the nodes to place.
        const first = placed[0]!;
        if (pin) {
            const [val, ...rest] = first.nodes;
            placed[0] = { ...first, nodes: rest };
            fixedNodes.push({ ledger: first.ledger, node: val!.name, role: "validator", region: regions[regions.length - 1]!.id, demand: val!.demand });
        }
        return { regions, fixed: fixedNodes, ledgers: placed };
    });

// ---- The independent checker: from the input and the answer only. ----

function admitted(residency: Residency | undefined, r: PlacementRegion): boolean {
    if (residency === undefined) return true;
    const inList = (list: string[] | undefined, value: string | undefined) => list === undefined || (value !== undefined && list.includes(value));
    if (!inList(residency.clouds, r.cloud) || !inList(residency.countries, r.country) || !inList(residency.regions, r.id)) return false;
    const deny = residency.deny;
    if (deny === undefined) return true;
    return !(deny.clouds?.includes(r.cloud) || (r.country !== undefined && deny.countries?.includes(r.country)) || deny.regions?.includes(r.id));
}

function checkResult(input: PlacementInput, result: PlacementResult): void {
    const regions = new Map(input.regions.map((r) => [r.id, r]));
    const byKey = new Map(result.nodes.map((n) => [`${n.ledger}/${n.node}`, n]));
    const fixedKeys = new Set(input.fixed.map((n) => `${n.ledger}/${n.node}`));
    const expected = [...fixedKeys, ...input.ledgers.flatMap((l) => l.nodes.map((n) => `${l.ledger}/${n.name}`)).filter((k) => !fixedKeys.has(k))];
    // Every node exactly once.
    expect(result.nodes.length).toBe(expected.length);
    expect(new Set(byKey.keys())).toEqual(new Set(expected));

    const usage = new Map(result.regions.map((u) => [u.region, u]));
    expect(result.regions.map((u) => u.region)).toEqual(input.regions.map((r) => r.id));
    for (const n of result.nodes) {
        const r = regions.get(n.region);
        expect(r, `${n.ledger}/${n.node} in unknown region ${n.region}`).toBeDefined();
        expect(Number.isInteger(n.zone) && n.zone >= 0 && n.zone < r!.zones).toBe(true);
        expect(Number.isInteger(n.machine) && n.machine >= 0 && n.machine < usage.get(n.region)!.perZone[n.zone]!).toBe(true);
    }
    // Fixed nodes and nodes placed before stay exactly where they were.
    for (const f of input.fixed) {
        const out = byKey.get(`${f.ledger}/${f.node}`)!;
        expect(out.region).toBe(f.region);
        if (f.zone !== undefined) expect(out.zone).toBe(f.zone);
    }
    for (const [key, before] of Object.entries(input.existing ?? {})) {
        const out = byKey.get(key);
        if (out !== undefined && (!fixedKeys.has(key) || input.fixed.find((f) => `${f.ledger}/${f.node}` === key)!.region === before.region)) {
            expect({ region: out.region, zone: out.zone }).toEqual(before);
        }
    }
    // Residency, and at most f validators per region (and per failure domain from 4 admitted domains).
    const demandOf = new Map<string, Vector>([
        ...input.fixed.map((f) => [`${f.ledger}/${f.node}`, f.demand] as const),
        ...input.ledgers.flatMap((l) => l.nodes.map((n) => [`${l.ledger}/${n.name}`, n.demand] as const)),
    ]);
    for (const l of input.ledgers) {
        const mine = result.nodes.filter((n) => n.ledger === l.ledger);
        for (const n of mine) expect(admitted(l.residency, regions.get(n.region)!), `${n.ledger}/${n.node} in ${n.region}`).toBe(true);
        const validators = mine.filter((n) => n.role === "validator");
        const f = Math.floor((validators.length - 1) / 3);
        const perRegion = new Map<string, number>();
        const perDomain = new Map<string, number>();
        for (const v of validators) {
            perRegion.set(v.region, (perRegion.get(v.region) ?? 0) + 1);
            const domain = regions.get(v.region)!.failureDomain;
            perDomain.set(domain, (perDomain.get(domain) ?? 0) + 1);
        }
        for (const count of perRegion.values()) expect(count).toBeLessThanOrEqual(f);
        const domains = new Set(input.regions.filter((r) => admitted(l.residency, r)).map((r) => r.failureDomain));
        if (domains.size >= 4) for (const count of perDomain.values()) expect(count).toBeLessThanOrEqual(f);
    }
    // The packing the count rests on: each machine within its capacity, no two pods of one ledger on it.
    const machines = new Map<string, { used: Vector; ledgers: Set<string> }>();
    for (const n of result.nodes) {
        const key = `${n.region}/${n.zone}/${n.machine}`;
        const m = machines.get(key) ?? { used: { cpuMillis: 0, memoryMiB: 0, volumes: 0 }, ledgers: new Set<string>() };
        const d = demandOf.get(`${n.ledger}/${n.node}`)!;
        m.used.cpuMillis += d.cpuMillis;
        m.used.memoryMiB += d.memoryMiB;
        m.used.volumes += d.volumes;
        expect(m.ledgers.has(n.ledger), `two pods of ${n.ledger} on ${key}`).toBe(false);
        m.ledgers.add(n.ledger);
        machines.set(key, m);
    }
    for (const [key, m] of machines) {
        const cap = regions.get(key.split("/")[0]!)!.capacity;
        expect(m.used.cpuMillis <= cap.cpuMillis && m.used.memoryMiB <= cap.memoryMiB && m.used.volumes <= cap.volumes, `${key} over capacity`).toBe(true);
    }
    // Machines in whole rows within [min, max], and the lower bound as documented.
    let total = 0;
    let bound = 0;
    for (const r of input.regions) {
        const u = usage.get(r.id)!;
        const here = result.nodes.filter((n) => n.region === r.id);
        const minRows = Math.ceil(r.minMachines / r.zones);
        expect(u.perZone).toHaveLength(r.zones);
        expect(u.machines).toBe(r.zones * Math.max(minRows, ...u.perZone));
        expect(u.machines).toBeLessThanOrEqual(r.maxMachines);
        expect(u.nodes).toBe(here.length);
        const sum = (k: keyof Vector) => here.reduce((s, n) => s + demandOf.get(`${n.ledger}/${n.node}`)![k], 0);
        const byDemand = Math.max(...(["cpuMillis", "memoryMiB", "volumes"] as const).map((k) => Math.ceil(sum(k) / r.capacity[k])));
        const sameLedgerInZone = Math.max(0, ...[...countBy(here, (n) => `${n.ledger}/${n.zone}`).values()]);
        const lowerBound = r.zones * Math.max(Math.ceil(byDemand / r.zones), sameLedgerInZone, minRows);
        expect(u.lowerBound).toBe(lowerBound);
        expect(u.machines).toBeGreaterThanOrEqual(lowerBound);
        total += u.machines;
        bound += lowerBound;
    }
    expect(result.machines).toBe(total);
    expect(result.lowerBound).toBe(bound);
    expect(result.lowerBound).toBeLessThanOrEqual(result.machines);
    expect(result.machines).toBeLessThanOrEqual(result.ffdMachines);
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
    const out = new Map<string, number>();
    for (const item of items) out.set(key(item), (out.get(key(item)) ?? 0) + 1);
    return out;
}

/** place(), or undefined when the input is infeasible; a refusal must still name a tenant and a known constraint. */
function tryPlace(input: PlacementInput): PlacementResult | undefined {
    try {
        return place(input);
    } catch (err) {
        if (!(err instanceof PlacementError)) throw err;
        const tenants = new Set([...input.ledgers.map((l) => l.tenant), ...input.fixed.map((f) => f.ledger)]);
        expect(tenants.has(err.tenant), `error names ${err.tenant}`).toBe(true);
        expect(CONSTRAINTS).toContain(err.constraint);
        expect(err.message).toContain(err.tenant);
        return undefined;
    }
}

describe("placement properties", () => {
    it("every answer keeps every hard constraint, with lowerBound <= machines <= ffdMachines", () => {
        let placed = 0;
        const runs = 200;
        fc.assert(
            fc.property(inputArb, (input) => {
                const result = tryPlace(input);
                if (result === undefined) return;
                placed++;
                checkResult(input, result);
            }),
            { numRuns: runs },
        );
        // Most random networks are feasible; a generator that made none would prove nothing.
        expect(placed).toBeGreaterThan(runs / 2);
    });

    it("placing A, then A + B with A's placement as existing, moves no node of A", () => {
        let compared = 0;
        fc.assert(
            fc.property(inputArb, fc.array(ledgerSpecArb, { minLength: 1, maxLength: 3 }), (input, more) => {
                const first = tryPlace(input);
                if (first === undefined) return;
                const existing = Object.fromEntries(first.nodes.map((n) => [`${n.ledger}/${n.node}`, { region: n.region, zone: n.zone }]));
                const next: PlacementInput = { ...input, ledgers: [...input.ledgers, ...more.map((spec, i) => toLedger(`new${i}`, spec))], existing };
                const second = tryPlace(next);
                if (second === undefined) return;
                compared++;
                for (const before of first.nodes) {
                    const after = second.nodes.find((n) => n.ledger === before.ledger && n.node === before.node);
                    expect({ region: after?.region, zone: after?.zone }).toEqual({ region: before.region, zone: before.zone });
                }
                checkResult(next, second);
            }),
            { numRuns: 100 },
        );
        expect(compared).toBeGreaterThan(20);
    });

    it("the same input gives the same answer", () => {
        fc.assert(
            fc.property(inputArb, (input) => {
                const a = tryPlace(input);
                const b = tryPlace(structuredClone(input));
                expect(JSON.stringify(b)).toBe(JSON.stringify(a));
            }),
            { numRuns: 60 },
        );
    });
});
