// The placement engine: where each dedicated ledger's nodes run, on pools shared with everyone
// else's ledger pods, using the fewest machines and then the cheapest. Pure and deterministic: no
// clock, no randomness, every sort with a stable tie-break.
//
// How (both strategies share the mechanics in fleet.ts and ledger.ts; they differ in order):
// 1. Fixed nodes and nodes placed before go first, exactly where they are (preplace.ts).
// 2. Ledgers one by one, each node (validators first, largest first) to the first region, in the
//    strategy's order, where it fits on machines the pool pays for already (an opened machine with
//    room, or a zone below the fullest one, or below minMachines); only when no region has that, to
//    the first whose pool may grow by a row. Hard constraints filter regions before they are tried.
// 3. The engine then repacks each zone offline (largest first, three orders, the fewest machines
//    win): nodes never change zone, so this changes the count, not the answer.
//
// The engine's order: most-constrained ledgers first (fewest admitted regions), then largest; regions
// with the largest machines first (fewer machines for the same pods), then cheapest, then input order;
// zones holding fewest of the ledger's pods first (a zone outage takes fewer of them).
// The baseline's order (placeFirstFitDecreasing): largest ledger first, regions and zones in input
// order, no repack: textbook First Fit Decreasing under the same constraints.
//
// place() runs both and returns the better (fewer machines, then lower cost): the engine alone is
// almost always better, but returning the baseline when it is not is what guarantees
// `machines <= ffdMachines` on every input, and it costs one more pass, well inside the time budget.
import { packZone, ZoneBins } from "./bins";
import { Fleet, type Placed } from "./fleet";
import { Counters, type LedgerPlan, placeLedger, share, type Strategy } from "./ledger";
import { checkPreplaced, fixedKeys, preplace } from "./preplace";
import { admits, residencyKey } from "./residency";
import { checkDemand } from "./vector";
import { type LedgerDemand, type NodePlacement, PlacementError, type PlacementInput, type PlacementResult, type RegionUsage, type Vector } from "./types";

type Kind = "engine" | "baseline";

export function place(input: PlacementInput): PlacementResult {
    const engine = attempt(() => run(input, "engine"));
    const baseline = attempt(() => run(input, "baseline"));
    if (engine instanceof PlacementError) {
        // The engine's message: the baseline tries the same constraints in a plainer order.
        if (baseline instanceof PlacementError) throw engine;
        return answer(baseline, baseline.machines);
    }
    if (baseline instanceof PlacementError) return answer(engine, Infinity);
    const engineWins = engine.machines < baseline.machines || (engine.machines === baseline.machines && engine.cost <= baseline.cost);
    return answer(engineWins ? engine : baseline, baseline.machines);
}

/** The baseline: First Fit Decreasing over regions and zones in input order, under the same hard constraints. */
export function placeFirstFitDecreasing(input: PlacementInput): PlacementResult {
    const result = run(input, "baseline");
    return answer(result, result.machines);
}

/** A strategy's outcome; `nodes` makes the per-node list on demand. */
interface Run {
    nodes: () => NodePlacement[];
    regions: RegionUsage[];
    machines: number;
    lowerBound: number;
    cost: number;
}

function answer(run: Run, ffdMachines: number): PlacementResult {
    return { nodes: run.nodes(), regions: run.regions, machines: run.machines, ffdMachines, lowerBound: run.lowerBound };
}

function attempt(f: () => Run): Run | PlacementError {
    try {
        return f();
    } catch (err) {
        if (err instanceof PlacementError) return err;
        throw err;
    }
}

function run(input: PlacementInput, kind: Kind): Run {
    const fleet = new Fleet(input.regions);
    const dedicated = new Map<string, LedgerDemand>();
    for (const l of input.ledgers) {
        if (dedicated.has(l.ledger)) throw new Error(`placement input: ledger "${l.ledger}" is listed twice among the ledgers to place`);
        dedicated.set(l.ledger, l);
        checkNodes(l);
    }
    const pinned = fixedKeys(input);
    preplace(fleet, input, dedicated, pinned);
    const ref = reference(input.regions.map((r) => r.capacity));
    const strategy = kind === "engine" ? engineStrategy(fleet, ref) : baselineStrategy(fleet);
    const admittedCache = new Map<string, { admitted: number[]; domains: number }>();
    const plans = input.ledgers.map((demand, index) => {
        const key = residencyKey(demand.residency);
        let cached = admittedCache.get(key);
        if (cached === undefined) {
            const admitted = strategy.regionOrder.filter((r) => admits(demand.residency, fleet.regions[r]!.spec));
            cached = { admitted, domains: new Set(admitted.map((r) => fleet.regions[r]!.domain)).size };
            admittedCache.set(key, cached);
        }
        const before = fleet.byLedger.get(demand.ledger);
        // Validators first, each role largest first; sort is stable, so ties keep the input order.
        const toPlace = (before === undefined ? [...demand.nodes] : demand.nodes.filter((n) => fleet.find(demand.ledger, n.name) === undefined)).sort(
            (a, b) => (a.role === b.role ? 0 : a.role === "validator" ? -1 : 1) || share(b.demand, ref) - share(a.demand, ref),
        );
        let validators = 0;
        for (const p of before ?? []) if (p.role === "validator") validators++;
        for (const n of toPlace) if (n.role === "validator") validators++;
        const plan: LedgerPlan = {
            demand,
            index,
            admitted: cached.admitted,
            domainsAdmitted: cached.domains,
            fdActive: cached.domains >= 4,
            validators,
            f: Math.max(0, Math.floor((validators - 1) / 3)),
            toPlace,
        };
        return { plan, size: toPlace.reduce((sum, n) => sum + share(n.demand, ref), 0) };
    });
    for (const { plan } of plans) checkPreplaced(fleet, plan);
    plans.sort((a, b) =>
        kind === "engine"
            ? a.plan.admitted.length - b.plan.admitted.length || b.size - a.size || a.plan.index - b.plan.index
            : b.size - a.size || a.plan.index - b.plan.index,
    );
    const counters = new Counters(fleet.regions.length, fleet.domains.length);
    const reasons = new Map<number, string>();
    for (const { plan } of plans) placeLedger(fleet, plan, strategy, counters, reasons);
    return summarise(fleet, input, pinned, kind === "engine");
}

function checkNodes(l: LedgerDemand): void {
    const names = new Set<string>();
    for (const n of l.nodes) {
        if (names.has(n.name)) throw new Error(`placement input: ledger "${l.ledger}" lists node "${n.name}" twice`);
        names.add(n.name);
        checkDemand(n.demand, `node ${l.ledger}/${n.name}`);
    }
}

/** Per dimension, the largest machine's capacity: the yardstick for "largest pod first". */
function reference(capacities: readonly Vector[]): Vector {
    const max = (k: keyof Vector) => Math.max(1, ...capacities.map((c) => c[k]));
    return { cpuMillis: max("cpuMillis"), memoryMiB: max("memoryMiB"), volumes: max("volumes") };
}

function engineStrategy(fleet: Fleet, ref: Vector): Strategy {
    const size = (c: Vector) => c.cpuMillis / ref.cpuMillis + c.memoryMiB / ref.memoryMiB;
    const regionOrder = fleet.regions
        .map((r) => r.index)
        .sort((a, b) => {
            const ra = fleet.regions[a]!.spec;
            const rb = fleet.regions[b]!.spec;
            return size(rb.capacity) - size(ra.capacity) || ra.machineHourPrice - rb.machineHourPrice || a - b;
        });
    const inOrder = fleet.regions.map((r) => r.bins.map((_, z) => z));
    return {
        regionOrder,
        label: "largest, then cheapest machines first",
        zones(f, ledger, region, podsInRegion) {
            if (podsInRegion === 0) return inOrder[region]!;
            return [...inOrder[region]!].sort((a, b) => f.podsInZone(ledger, region, a) - f.podsInZone(ledger, region, b) || a - b);
        },
    };
}

function baselineStrategy(fleet: Fleet): Strategy {
    const inOrder = fleet.regions.map((r) => r.bins.map((_, z) => z));
    return { regionOrder: fleet.regions.map((r) => r.index), label: "first fit in input order", zones: (_f, _ledger, region) => inOrder[region]! };
}

/**
 * The answer: where every node is, and per region the machines it needs and its lower bound.
 *
 * Lower bound of a region, from the nodes this result put there: the largest over CPU, memory and
 * volumes of ceil(total demand / one machine's capacity); at least k where k is the most nodes of one
 * ledger in one zone (they need k machines in that zone, so k rows); rounded up to whole rows of
 * `zones` machines; at least minMachines rounded up to whole rows. No packing of those nodes in
 * those zones can use fewer machines, so machines >= lowerBound always.
 */
function summarise(fleet: Fleet, input: PlacementInput, pinned: ReadonlySet<string>, repack: boolean): Run {
    const byZone = fleet.regions.map((r) => r.bins.map(() => [] as Placed[]));
    // Per region, the most pods of one ledger in one zone; pods sharing a ledger and zone get a group.
    const mostOfOneLedger = new Int32Array(fleet.regions.length);
    let groups = 0;
    for (const placed of fleet.byLedger.values()) {
        for (let i = 0; i < placed.length; i++) {
            const p = placed[i]!;
            let same = 1;
            let group = -1;
            for (let j = 0; j < placed.length; j++) {
                if (j === i || placed[j]!.region !== p.region || placed[j]!.zone !== p.zone) continue;
                same++;
                // The group is numbered after the ledger's first pod in that zone.
                if (group === -1) group = groups + Math.min(i, j);
            }
            mostOfOneLedger[p.region] = Math.max(mostOfOneLedger[p.region]!, same);
            p.group = group;
            byZone[p.region]![p.zone]!.push(p);
        }
        groups += placed.length;
    }
    let machines = 0;
    let lowerBound = 0;
    let cost = 0;
    const scratch = new ZoneBins(fleet.regions[0]?.spec.capacity ?? { cpuMillis: 1, memoryMiB: 1, volumes: 1 }, 1024);
    const regions: RegionUsage[] = fleet.regions.map((state) => {
        const { spec } = state;
        const cap = spec.capacity;
        const keys = [(d: Vector) => share(d, cap), (d: Vector) => d.cpuMillis, (d: Vector) => d.memoryMiB];
        const used: Vector = { cpuMillis: 0, memoryMiB: 0, volumes: 0 };
        let nodes = 0;
        const perZone = state.bins.map((bins, z) => {
            const items = byZone[state.index]![z]!;
            for (const { demand } of items) {
                used.cpuMillis += demand.cpuMillis;
                used.memoryMiB += demand.memoryMiB;
                used.volumes += demand.volumes;
            }
            nodes += items.length;
            if (!repack || items.length === 0) return bins.count;
            let best = bins.count;
            for (const key of keys) {
                const packed = packZone(items, cap, key, scratch);
                if (packed.machines >= best) continue;
                best = packed.machines;
                for (let i = 0; i < items.length; i++) items[i]!.machine = packed.assignment[i]!;
            }
            return best;
        });
        const rows = Math.max(state.minRows, ...perZone);
        const regionMachines = rows * spec.zones;
        const byDemand = Math.max(Math.ceil(used.cpuMillis / cap.cpuMillis), Math.ceil(used.memoryMiB / cap.memoryMiB), Math.ceil(used.volumes / cap.volumes));
        const bound = Math.max(Math.ceil(byDemand / spec.zones), mostOfOneLedger[state.index]!, state.minRows) * spec.zones;
        machines += regionMachines;
        lowerBound += bound;
        cost += regionMachines * spec.machineHourPrice;
        const ratio = (k: keyof Vector) => (regionMachines === 0 ? 0 : used[k] / (regionMachines * cap[k]));
        return {
            region: spec.id,
            machines: regionMachines,
            lowerBound: bound,
            nodes,
            perZone,
            utilisation: { cpuMillis: ratio("cpuMillis"), memoryMiB: ratio("memoryMiB"), volumes: ratio("volumes") },
        };
    });
    // Built only for the answer place() returns: 60,000 objects the other strategy need not make.
    const nodes = (): NodePlacement[] => {
        const list: NodePlacement[] = [];
        const out = (p: Placed) => list.push({ ledger: p.ledger, node: p.node, role: p.role, region: fleet.regions[p.region]!.spec.id, zone: p.zone, machine: p.machine, reason: p.reason });
        for (const n of input.fixed) out(fleet.find(n.ledger, n.node)!);
        for (const l of input.ledgers) {
            for (const n of l.nodes) if (pinned.size === 0 || !pinned.has(`${l.ledger}/${n.name}`)) out(fleet.find(l.ledger, n.name)!);
        }
        return list;
    };
    return { nodes, regions, machines, lowerBound, cost };
}
