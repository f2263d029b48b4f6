// The placement engine at service-network scale: generated tenant mixes of 10, 100, 1,000 and 10,000
// dedicated ledgers over 12 to 100 cloud regions, each placed once with place() (which also runs the
// First Fit Decreasing baseline and returns the better; the time includes both). The target: 10,000
// ledgers over 100 regions in under 2 s, with machines within 5% of the lower bound.
//
//   npm run bench:placement
//
// Figures come from one run per size (see STYLE.md); nothing here is asserted. generateMix is
// exported for other benches (a cost column, for one) to place the same mixes.
import { CATALOG } from "../config/catalog";
import { countryOf } from "../config/catalog/countries";
import { PRICES } from "../config/catalog/prices";
import { allocatable } from "../config/pool-sizing";
import type { CloudName } from "../config/schema";
import { DEFAULT_RESOURCES } from "../frameworks/besu/config";
import { admits, dedicatedNodeResources, place, PlacementError, podDemand } from "../scheduler/placement";
import type { PlacementResult } from "../scheduler/placement";
import { billCluster, billTotal, type ClusterPod } from "../scheduler/cost/cluster";
import { ALONE_SYSTEM_MACHINES } from "../scheduler/cost/footprint";
import { regionRates } from "../scheduler/cost/rates";
import type { FixedNode, LedgerDemand, PlacementInput, PlacementRegion, Residency } from "../scheduler/placement";

/** mulberry32: a small seeded PRNG, so a mix is the same on every run and machine. */
export function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const CLOUDS: readonly CloudName[] = ["aws", "gcp", "alicloud"];
/** The default ledger machine and its 16-vCPU sibling, per cloud. */
const MACHINES: Readonly<Record<CloudName, readonly [string, string]>> = {
    aws: ["m7i.2xlarge", "m7i.4xlarge"],
    gcp: ["n2-standard-8", "n2-standard-16"],
    alicloud: ["ecs.g7.2xlarge", "ecs.g7.4xlarge"],
};
const CONTINENT: Readonly<Record<string, string>> = Object.fromEntries([
    ...["US", "CA", "MX", "BR", "CL"].map((c) => [c, "americas"]),
    ...["DE", "CH", "IE", "GB", "FR", "SE", "IT", "ES", "BE", "NL", "FI", "PL"].map((c) => [c, "europe"]),
    ...["ZA", "IL", "AE", "BH", "QA", "SA"].map((c) => [c, "mea"]),
]);
const EUROPE = ["DE", "FR", "NL", "IE", "BE", "SE", "FI", "IT", "ES"];

/**
 * Cloud regions from the three catalogs, the clouds taken in turn so that any prefix mixes them
 * (each cloud's list in a seeded order, so a small network still spans continents); past the 93 the
 * catalogs hold, a second cluster in a region already used. Failure domains are declared per cloud
 * and continent (a network file may set `failureDomain`), so most residencies admit 4 or more and
 * the per-domain rule is exercised. A quarter of the pools use the 16-vCPU machine; half keep one
 * machine per zone as their minimum. Prices are the catalog's (config/catalog/prices.ts).
 */
function generateRegions(random: () => number, count: number): Omit<PlacementRegion, "maxMachines">[] {
    const lists = CLOUDS.map((cloud) => {
        const codes = Object.keys(CATALOG[cloud].regions).map((code) => ({ code, key: random() }));
        return codes.sort((a, b) => a.key - b.key).map(({ code }) => ({ cloud, code }));
    });
    const order: { cloud: CloudName; code: string }[] = [];
    for (let i = 0; order.length < lists.reduce((n, l) => n + l.length, 0); i++) {
        for (const list of lists) if (i < list.length) order.push(list[i]!);
    }
    return Array.from({ length: count }, (_, i) => {
        const { cloud, code } = order[i % order.length]!;
        const machine = MACHINES[cloud][random() < 0.25 ? 1 : 0];
        const size = CATALOG[cloud].machines[machine]!;
        const free = allocatable(size);
        const zones = Math.min(random() < 0.2 ? 2 : 3, CATALOG[cloud].regions[code]!.length);
        const country = countryOf(cloud, code);
        const price = PRICES[cloud].machines[machine]!.usd * (PRICES[cloud].regionMultipliers[code] ?? 1);
        return {
            id: `${cloud}-${code}${i >= order.length ? "-b" : ""}`,
            cloud,
            failureDomain: `${cloud}-${CONTINENT[country ?? ""] ?? "apac"}`,
            ...(country === undefined ? {} : { country }),
            machine,
            capacity: { cpuMillis: free.cpuMillis, memoryMiB: free.memoryMiB, volumes: size.maxVolumes },
            zones,
            minMachines: random() < 0.5 ? zones : 0,
            machineHourPrice: Number(price.toFixed(4)),
        };
    });
}

/** Each generated ledger's volume size per role, GiB (the cost column counts storage). */
const STORAGE = new Map<string, { validator: number; rpc: number }>();

/**
 * What the dedicated ledgers pay on the shared pools against the same ledgers each on clusters of
 * their own in the same regions (the cost model's own cluster bill, scheduler/cost/cluster.ts, with the
 * catalog's prices): the aggregate ratio, and the median of the per-ledger ratios.
 */
function costRatio(input: PlacementInput, result: PlacementResult): { aggregate: number; median: number } {
    const regionsById = new Map(input.regions.map((r) => [r.id, r]));
    const demandOf = new Map<string, { cpuMillis: number; memoryMiB: number }>();
    for (const l of input.ledgers) for (const n of l.nodes) demandOf.set(`${l.ledger}/${n.name}`, n.demand);
    for (const f of input.fixed) demandOf.set(`${f.ledger}/${f.node}`, f.demand);
    const pod = (ledger: string, node: string, role: "validator" | "rpc"): ClusterPod => ({
        ledger,
        requests: demandOf.get(`${ledger}/${node}`) ?? { cpuMillis: 0, memoryMiB: 0 },
        storageGiB: STORAGE.get(ledger)?.[role] ?? 100,
        rpcLoadBalancer: false,
    });
    const spec = (regionId: string, machines: number, pods: ClusterPod[]) => {
        const r = regionsById.get(regionId)!;
        const cloud = r.cloud as CloudName;
        const code = regionId.slice(cloud.length + 1).replace(/-b$/, "");
        return { cloud, rates: regionRates(cloud, code), zones: r.zones, ledgerPool: { machine: r.machine, size: CATALOG[cloud].machines[r.machine]!, machines }, systemPool: { machine: CATALOG[cloud].defaults.systemMachine, machines: ALONE_SYSTEM_MACHINES }, pods };
    };
    const byRegion = new Map<string, ClusterPod[]>();
    for (const n of result.nodes) byRegion.set(n.region, [...(byRegion.get(n.region) ?? []), pod(n.ledger, n.node, n.role)]);
    const shared = new Map<string, number>();
    for (const usage of result.regions) {
        const bill = billCluster(spec(usage.region, usage.machines, byRegion.get(usage.region) ?? []));
        for (const [ledger, usd] of Object.entries(bill.byLedger)) shared.set(ledger, (shared.get(ledger) ?? 0) + usd);
    }
    // Alone: per region it uses, a cluster with only its pods, one machine per pod in a zone (its pods
    // never share a machine), rows over the region's zones.
    const nodesOf = new Map<string, typeof result.nodes>();
    for (const n of result.nodes) nodesOf.set(n.ledger, [...(nodesOf.get(n.ledger) ?? []), n]);
    const ratios: number[] = [];
    let sharedSum = 0;
    let aloneSum = 0;
    for (const l of input.ledgers) {
        let alone = 0;
        const nodes = nodesOf.get(l.ledger) ?? [];
        for (const regionId of new Set(nodes.map((n) => n.region))) {
            const here = nodes.filter((n) => n.region === regionId);
            const zones = regionsById.get(regionId)!.zones;
            const perZone = Math.max(...Array.from({ length: zones }, (_, z) => here.filter((n) => n.zone === z).length));
            alone += billTotal(billCluster(spec(regionId, perZone * zones, here.map((n) => pod(n.ledger, n.node, n.role)))));
        }
        const paid = shared.get(l.ledger) ?? 0;
        sharedSum += paid;
        aloneSum += alone;
        ratios.push(paid / alone);
    }
    ratios.sort((a, b) => a - b);
    return { aggregate: sharedSum / aloneSum, median: ratios[Math.floor(ratios.length / 2)] ?? Number.NaN };
}

/** Most tenants are small: a few TPS to a few dozen; one in eight is in the hundreds. */
function tenantTps(random: () => number): number {
    const u = random();
    if (u < 0.6) return 1 + Math.floor(random() * 20);
    if (u < 0.88) return 20 + Math.floor(random() * 80);
    if (u < 0.97) return 100 + Math.floor(random() * 200);
    return 300 + Math.floor(random() * 300);
}

/** Residency for about a third of the tenants: two clouds, European countries, a named set, or a cloud denied. */
function tenantResidency(random: () => number, regions: readonly Omit<PlacementRegion, "maxMachines">[]): Residency | undefined {
    const u = random();
    if (u < 0.7) return undefined;
    if (u < 0.8) {
        const left = CLOUDS[Math.floor(random() * 3)]!;
        return { clouds: CLOUDS.filter((c) => c !== left) };
    }
    if (u < 0.9) return { countries: EUROPE };
    if (u < 0.95) return { deny: { clouds: [CLOUDS[Math.floor(random() * 3)]!] } };
    const named = regions.filter(() => random() < 0.3).map((r) => r.id);
    return { regions: named.length > 0 ? named : [regions[0]!.id] };
}

/** Whether a residency leaves room for n validators at f per region (and per failure domain from 4 domains). */
function admitsEnough(residency: Residency | undefined, regions: readonly Omit<PlacementRegion, "maxMachines">[], validators: number): boolean {
    const ok = regions.filter((r) => admits(residency, r));
    const f = Math.floor((validators - 1) / 3);
    const domains = new Set(ok.map((r) => r.failureDomain)).size;
    return domains >= 4 ? domains * f >= validators : ok.length * f >= validators;
}

/**
 * A seeded tenant mix: `ledgers` dedicated ledgers (nine in ten with 4 validators, the rest 7 or 10;
 * 1 or 2 rpc nodes), each sized from its TPS by scheduler/placement/sizing.ts, about a third with a
 * residency; a shared ledger `main` (4 validators, 2 rpc at the default resources) fixed in the first
 * regions; pools' max set to three times an even share of the demand (at most the schema's 1000).
 */
export function generateMix(seed: number, ledgers: number, regionCount: number): PlacementInput {
    const random = prng(seed);
    const regions = generateRegions(random, regionCount);
    const demands: LedgerDemand[] = [];
    for (let i = 0; i < ledgers; i++) {
        const u = random();
        const validators = u < 0.9 ? 4 : u < 0.97 ? 7 : 10;
        const rpc = random() < 0.5 ? 1 : 2;
        const tps = tenantTps(random);
        let residency = tenantResidency(random, regions);
        if (!admitsEnough(residency, regions, validators)) residency = undefined;
        const sized = { validator: dedicatedNodeResources("validator", tps), rpc: dedicatedNodeResources("rpc", tps) };
        STORAGE.set(`tenant-${String(i).padStart(5, "0")}`, { validator: sized.validator.storageGiB, rpc: sized.rpc.storageGiB });
        const node = (role: "validator" | "rpc", n: number) => ({ name: `${role === "validator" ? "val" : "rpc"}-${n}`, role, demand: podDemand(role, sized[role].cpu, sized[role].memory) });
        const tenant = `tenant-${String(i).padStart(5, "0")}`;
        demands.push({
            ledger: tenant,
            tenant,
            nodes: [...Array.from({ length: validators }, (_, n) => node("validator", n + 1)), ...Array.from({ length: rpc }, (_, n) => node("rpc", n + 1))],
            ...(residency === undefined ? {} : { residency }),
        });
    }
    const fixed: FixedNode[] = [0, 1, 2, 3, 0, 1].map((r, i) => {
        const role = i < 4 ? "validator" : "rpc";
        const res = DEFAULT_RESOURCES[role];
        return { ledger: "main", node: i < 4 ? `val-${i + 1}` : `rpc-${i - 3}`, role, region: regions[r % regions.length]!.id, zone: i % 2, demand: podDemand(role, res.cpu, res.memory) };
    });
    // Machines each region would need with the CPU demand (what binds on these machines) spread evenly.
    const demandCpu = demands.reduce((sum, l) => sum + l.nodes.reduce((s, n) => s + n.demand.cpuMillis, 0), 0);
    const evenShare = demandCpu / regions.reduce((sum, r) => sum + r.capacity.cpuMillis, 0);
    return {
        regions: regions.map((r) => ({ ...r, maxMachines: Math.min(1000, Math.max(Math.ceil((3 * evenShare) / r.zones) * r.zones, 2 * r.zones, r.minMachines)) })),
        fixed,
        ledgers: demands,
    };
}

const SIZES: readonly [number, number][] = [
    [10, 12],
    [100, 24],
    [1000, 50],
    [10000, 100],
];

function main(): void {
    // One small run first, so the largest is not the one that warms the JIT up.
    place(generateMix(1, 50, 12));
    const header = ["ledgers", "regions", "nodes", "time (ms)", "cpu (ms)", "machines", "FFD machines", "lower bound", "machines/lower bound", "machines/FFD", "shared/alone (all)", "shared/alone (median)"];
    const rows: string[][] = [];
    for (const [ledgers, regions] of SIZES) {
        const input = generateMix(42, ledgers, regions);
        const nodes = input.ledgers.reduce((sum, l) => sum + l.nodes.length, 0);
        const start = process.hrtime.bigint();
        const cpuStart = process.cpuUsage();
        try {
            const result = place(input);
            const ms = Number(process.hrtime.bigint() - start) / 1e6;
            const cpu = process.cpuUsage(cpuStart);
            const ratio = costRatio(input, result);
            rows.push([ledgers, regions, nodes, ms.toFixed(0), ((cpu.user + cpu.system) / 1000).toFixed(0), result.machines, result.ffdMachines, result.lowerBound, (result.machines / result.lowerBound).toFixed(3), (result.machines / result.ffdMachines).toFixed(3), ratio.aggregate.toFixed(3), ratio.median.toFixed(3)].map(String));
        } catch (err) {
            if (!(err instanceof PlacementError)) throw err;
            rows.push([String(ledgers), String(regions), String(nodes), `infeasible (${err.constraint}): ${err.message}`]);
        }
    }
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const line = (cells: readonly string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join("  ");
    console.log(line(header));
    for (const row of rows) console.log(row.length === header.length ? line(row) : row.join("  "));
    console.log("\ntime: place() end to end (wall clock), which runs the engine and the First Fit Decreasing baseline and returns the better.");
    console.log("cpu: the process's CPU time over the same call (all threads, so the garbage collector's helpers too); well below time when other work shares the cores.");
    console.log("shared/alone: what the dedicated ledgers pay on the shared pools (machines by dominant share, each region's fixed costs by machine share: scheduler/cost) over the same ledgers each on clusters of their own in the same regions; all ledgers together, and the median ledger.");
}

if (require.main === module) main();
