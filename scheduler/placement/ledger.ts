// One dedicated ledger's nodes onto regions, under its hard constraints: at most f validators per
// region, and per failure domain when its residency admits regions in 4 or more; residency; machines
// large enough; pools within their max. Both strategies (the engine and the baseline) run this; they
// differ in the order they try regions and zones (a Strategy).
//
// RPC nodes (the task leaves them to us): an RPC node goes to a region that holds the ledger's
// validators and the fewest of its RPC nodes so far, so two RPC nodes share a region only once every
// validator region has one. Next to a validator it imports blocks with one hop, and the region's
// scheduler reaches it in-cluster; spread over regions, the tenant keeps an RPC endpoint when a region
// is lost. Only when no validator region has room does an RPC node go to another admitted region.
import { unplaceable } from "./errors";
import type { Fleet, Spot } from "./fleet";
import type { LedgerDemand, PlacementNode, Vector } from "./types";

export interface Strategy {
    /** Regions in the order this strategy tries them. */
    readonly regionOrder: readonly number[];
    /** Zones of a region in the order tried for a pod of the current ledger. */
    zones(fleet: Fleet, ledger: string, region: number, ledgerPodsInRegion: number): readonly number[];
    /** How the strategy chose, for the nodes' reasons. */
    readonly label: string;
}

export interface LedgerPlan {
    readonly demand: LedgerDemand;
    /** Position in the input's ledgers. */
    readonly index: number;
    /** Regions the residency admits, in the strategy's order. */
    readonly admitted: readonly number[];
    /** Failure domains among the admitted regions. */
    readonly domainsAdmitted: number;
    /** Whether no failure domain may hold more than f validators (the admitted regions span 4 or more). */
    readonly fdActive: boolean;
    /** All the ledger's validators: those to place and those fixed or kept. */
    readonly validators: number;
    readonly f: number;
    /** Nodes to place, validators first, each role largest first. */
    readonly toPlace: readonly PlacementNode[];
}

/** Per-run scratch counters indexed by region and failure domain, reset after each ledger. */
export class Counters {
    readonly validators: Int32Array;
    readonly rpc: Int32Array;
    readonly pods: Int32Array;
    readonly domainValidators: Int32Array;
    private readonly touched: number[] = [];
    private readonly touchedDomains: number[] = [];

    constructor(regions: number, domains: number) {
        this.validators = new Int32Array(regions);
        this.rpc = new Int32Array(regions);
        this.pods = new Int32Array(regions);
        this.domainValidators = new Int32Array(domains);
    }

    count(region: number, domain: number, role: "validator" | "rpc"): void {
        if (this.pods[region] === 0) this.touched.push(region);
        this.pods[region]!++;
        if (role === "rpc") this.rpc[region]!++;
        else {
            if (this.domainValidators[domain] === 0) this.touchedDomains.push(domain);
            this.validators[region]!++;
            this.domainValidators[domain]!++;
        }
    }

    reset(): void {
        for (const r of this.touched.splice(0)) {
            this.validators[r] = 0;
            this.rpc[r] = 0;
            this.pods[r] = 0;
        }
        for (const d of this.touchedDomains.splice(0)) this.domainValidators[d] = 0;
    }
}

/** Dominant share of a pod against a reference machine: what "largest first" sorts by. */
export function share(d: Vector, ref: Vector): number {
    return Math.max(d.cpuMillis / ref.cpuMillis, d.memoryMiB / ref.memoryMiB, d.volumes / ref.volumes);
}

interface Found {
    region: number;
    spot: Spot;
    grows: boolean;
}

/** Places every node of the plan, or throws the PlacementError that says why it cannot. */
export function placeLedger(fleet: Fleet, plan: LedgerPlan, strategy: Strategy, counters: Counters, reasons: Map<number, string>): void {
    const { ledger } = plan.demand;
    const mine = fleet.ledgerMachines(ledger);
    for (const p of fleet.byLedger.get(ledger) ?? []) counters.count(p.region, fleet.regions[p.region]!.domain, p.role);
    const { f, fdActive, admitted } = plan;
    const validatorAllowed = (r: number) => counters.validators[r]! < f && (!fdActive || counters.domainValidators[fleet.regions[r]!.domain]! < f);
    // First every allowed region where the pod fits on machines already paid for; only then one that grows.
    const tryRegions = (d: Vector, allowed: (r: number) => boolean): Found | undefined => {
        for (const r of admitted) {
            if (!fleet.mayTake(r, d) || !allowed(r)) continue;
            const spot = fleet.spotWithoutGrowth(r, d, mine, strategy.zones(fleet, ledger, r, counters.pods[r]!));
            if (spot !== undefined) return { region: r, spot, grows: false };
        }
        for (const r of admitted) {
            if (!allowed(r)) continue;
            const spot = fleet.spotInNewRow(r, d, strategy.zones(fleet, ledger, r, counters.pods[r]!));
            if (spot !== undefined) return { region: r, spot, grows: true };
        }
        return undefined;
    };
    // The RPC rule: regions holding the ledger's validators, then the others; in each, fewest of its rpc nodes first.
    const tryRpc = (d: Vector): { found: Found; holding: boolean; level: number } | undefined => {
        for (const holding of [true, false]) {
            const tier = (r: number) => (counters.validators[r]! > 0) === holding;
            for (let level = 0; level !== Infinity; ) {
                const at = level;
                const found = tryRegions(d, (r) => tier(r) && counters.rpc[r] === at);
                if (found !== undefined) return { found, holding, level };
                level = Infinity;
                for (const r of admitted) if (tier(r) && counters.rpc[r]! > at) level = Math.min(level, counters.rpc[r]!);
            }
        }
        return undefined;
    };
    try {
        for (const node of plan.toPlace) {
            let found: Found | undefined;
            // The reason's parts as one number, so that 60,000 nodes share a few dozen strings.
            let flag = 0;
            let count = 0;
            if (node.role === "validator") {
                found = tryRegions(node.demand, validatorAllowed);
                flag = fdActive ? 1 : 0;
                count = f;
            } else {
                const rpc = tryRpc(node.demand);
                found = rpc?.found;
                flag = rpc?.holding === false ? 1 : 0;
                count = rpc?.level ?? 0;
            }
            if (found === undefined) throw unplaceable(fleet, plan, node);
            const { region, spot, grows } = found;
            const zones = fleet.regions[region]!.spec.zones;
            const code = ((((node.role === "rpc" ? 1 : 0) * 2 + (grows ? 1 : 0)) * 4 + zones) * 2 + flag) * 1024 + count;
            let reason = reasons.get(code);
            if (reason === undefined) {
                reason = `${node.role}: ${grows ? `adds a row of ${zones} machine${zones === 1 ? "" : "s"}` : "fits machines the pool counts already"}; ${
                    node.role === "validator"
                        ? `at most f = ${f} per region${fdActive ? " and per failure domain" : ""}`
                        : `${flag === 0 ? "beside the ledger's validators" : "no region holding its validators has room"}, ${count === 0 ? "no" : count} other rpc node${count === 1 ? "" : "s"} of it there`
                }; ${strategy.label}`;
                reasons.set(code, reason);
            }
            fleet.put({ ledger, node: node.name, role: node.role, region, demand: node.demand, reason }, spot);
            counters.count(region, fleet.regions[region]!.domain, node.role);
        }
    } finally {
        counters.reset();
    }
}
