// The packing state both strategies share: every region's pool as zones of machines (bins), where
// each node went, and the arithmetic of rows (a pool spreads its machines evenly over its zones, so
// it pays for zones x the fullest zone, and at least minMachines in whole rows).
//
// Per region it also keeps the most any one machine has free (per dimension, over its zones) and
// whether a zone is below the rows paid for: a node tries every admitted region, and these let it
// pass over a full region in a few comparisons instead of a search of each zone.
import { ZoneBins } from "./bins";
import type { PlacementRegion, Vector } from "./types";

export interface RegionState {
    readonly index: number;
    readonly spec: PlacementRegion;
    readonly bins: ZoneBins[];
    /** Zone indexes in order, 0..zones-1. */
    readonly zoneOrder: readonly number[];
    /** minMachines in whole rows. */
    readonly minRows: number;
    /** The most rows maxMachines allows. */
    readonly maxRows: number;
    /** Index into Fleet.domains. */
    readonly domain: number;
}

export interface Placed {
    readonly ledger: string;
    readonly node: string;
    readonly role: "validator" | "rpc";
    readonly region: number;
    readonly zone: number;
    /** Its machine in the zone; the final repack may move it to another machine of the same zone. */
    machine: number;
    /** For the final repack: shared by the ledger's pods in the same zone, -1 for its only pod there. */
    group: number;
    readonly demand: Vector;
    readonly reason: string;
}

/** Where a pod can go in a region: a zone and an opened machine, or -1 for a machine the pool pays for already but has not opened. */
export interface Spot {
    zone: number;
    machine: number;
}

/** Machines of one ledger's pods, as pairs (zone key, machine index): the hostname anti-affinity. A ledger has a dozen pods or so. */
export type LedgerMachines = number[];

export const zoneKey = (region: number, zone: number): number => region * 4 + zone;

export class Fleet {
    readonly regions: RegionState[];
    readonly byId = new Map<string, number>();
    readonly domains: string[] = [];
    /** Nodes placed so far, per ledger, in placement order. */
    readonly byLedger = new Map<string, Placed[]>();
    /** Machines of each ledger's pods placed so far. */
    readonly machinesOf = new Map<string, LedgerMachines>();
    /** Per region: the most free on one opened machine, per dimension (maxima may come from different machines). */
    private readonly freeCpu: Float64Array;
    private readonly freeMem: Float64Array;
    private readonly freeVol: Float64Array;
    /** Per region: rows paid for (fullest zone, at least minMachines in rows), and whether some zone has fewer. */
    private readonly paid: Int32Array;
    private readonly unopened: Uint8Array;

    constructor(regions: readonly PlacementRegion[]) {
        const domainIndex = new Map<string, number>();
        this.regions = regions.map((spec, index) => {
            checkRegion(spec);
            if (this.byId.has(spec.id)) throw new Error(`placement input: region "${spec.id}" is listed twice; region ids must be unique`);
            this.byId.set(spec.id, index);
            let domain = domainIndex.get(spec.failureDomain);
            if (domain === undefined) {
                domain = this.domains.length;
                domainIndex.set(spec.failureDomain, domain);
                this.domains.push(spec.failureDomain);
            }
            const bins = Array.from({ length: spec.zones }, () => new ZoneBins(spec.capacity));
            const zoneOrder = bins.map((_, z) => z);
            return { index, spec, bins, zoneOrder, minRows: Math.ceil(spec.minMachines / spec.zones), maxRows: Math.floor(spec.maxMachines / spec.zones), domain };
        });
        const n = this.regions.length;
        this.freeCpu = new Float64Array(n).fill(-1);
        this.freeMem = new Float64Array(n).fill(-1);
        this.freeVol = new Float64Array(n).fill(-1);
        this.paid = new Int32Array(n);
        this.unopened = new Uint8Array(n);
        for (const r of this.regions) this.refresh(r.index);
    }

    /** Rows the pool pays for: the fullest zone, at least minMachines in whole rows. */
    paidRows(region: number): number {
        return this.paid[region]!;
    }

    ledgerMachines(ledger: string): LedgerMachines {
        let machines = this.machinesOf.get(ledger);
        if (machines === undefined) {
            machines = [];
            this.machinesOf.set(ledger, machines);
        }
        return machines;
    }

    /** The ledger's node of this name, if placed. */
    find(ledger: string, node: string): Placed | undefined {
        const list = this.byLedger.get(ledger);
        if (list !== undefined) for (const p of list) if (p.node === node) return p;
        return undefined;
    }

    /** Whether the region might take the pod without growing: a zone below the paid rows, or free room that may fit. */
    mayTake(region: number, d: Vector): boolean {
        if (d.cpuMillis > this.regions[region]!.spec.capacity.cpuMillis) return false;
        if (this.unopened[region] === 1) return this.fitsEmpty(region, d);
        return this.freeCpu[region]! >= d.cpuMillis && this.freeMem[region]! >= d.memoryMiB && this.freeVol[region]! >= d.volumes;
    }

    fitsEmpty(region: number, d: Vector): boolean {
        return this.regions[region]!.bins[0]!.fitsEmpty(d);
    }

    /**
     * Where the pod fits in this region without the pool growing: an opened machine with room
     * and none of the ledger's pods (zones tried in `zones` order), else a machine the pool already
     * pays for in its least-filled zone. Undefined when only a new row would take it.
     */
    spotWithoutGrowth(region: number, d: Vector, mine: LedgerMachines, zones: readonly number[]): Spot | undefined {
        if (!this.mayTake(region, d)) return undefined;
        const state = this.regions[region]!;
        if (!state.bins[0]!.fitsEmpty(d)) return undefined;
        for (const zone of zones) {
            const machine = state.bins[zone]!.firstFit(d, mine, zoneKey(region, zone));
            if (machine !== -1) return { zone, machine };
        }
        if (this.unopened[region] === 0) return undefined;
        const paid = this.paid[region]!;
        let best = -1;
        for (const zone of zones) {
            const count = state.bins[zone]!.count;
            if (count < paid && (best === -1 || count < state.bins[best]!.count)) best = zone;
        }
        return best === -1 ? undefined : { zone: best, machine: -1 };
    }

    /** A new row, if the pool's max allows one: the machine goes in the least-filled zone, the first of `zones` on a tie. */
    spotInNewRow(region: number, d: Vector, zones: readonly number[]): Spot | undefined {
        const state = this.regions[region]!;
        if (!state.bins[0]!.fitsEmpty(d) || this.paid[region]! + 1 > state.maxRows) return undefined;
        let best = zones[0]!;
        for (const zone of zones) if (state.bins[zone]!.count < state.bins[best]!.count) best = zone;
        return { zone: best, machine: -1 };
    }

    /** Whether a pod of this size and ledger could go to the region now, growing the pool if it must. */
    hasRoom(region: number, d: Vector, mine: LedgerMachines): boolean {
        const zones = this.regions[region]!.zoneOrder;
        return this.spotWithoutGrowth(region, d, mine, zones) !== undefined || this.spotInNewRow(region, d, zones) !== undefined;
    }

    /** Puts the pod on the spot's machine (opening it if -1) and records it. */
    put(node: Omit<Placed, "zone" | "machine" | "group">, spot: Spot): Placed {
        const { zone } = spot;
        const bins = this.regions[node.region]!.bins[zone]!;
        const machine = spot.machine === -1 ? bins.open() : spot.machine;
        bins.take(machine, node.demand);
        this.ledgerMachines(node.ledger).push(zoneKey(node.region, zone), machine);
        const placed: Placed = { ledger: node.ledger, node: node.node, role: node.role, region: node.region, zone, machine, group: -1, demand: node.demand, reason: node.reason };
        const ofLedger = this.byLedger.get(node.ledger);
        if (ofLedger === undefined) this.byLedger.set(node.ledger, [placed]);
        else ofLedger.push(placed);
        this.refresh(node.region);
        return placed;
    }

    /** The ledger's pods in each zone of a region. */
    podsInZone(ledger: string, region: number, zone: number): number {
        const mine = this.machinesOf.get(ledger);
        if (mine === undefined) return 0;
        const key = zoneKey(region, zone);
        let count = 0;
        for (let i = 0; i < mine.length; i += 2) if (mine[i] === key) count++;
        return count;
    }

    private refresh(region: number): void {
        const state = this.regions[region]!;
        let cpu = -1;
        let mem = -1;
        let vol = -1;
        let rows = 0;
        for (const bins of state.bins) {
            cpu = Math.max(cpu, bins.rootCpu());
            mem = Math.max(mem, bins.rootMem());
            vol = Math.max(vol, bins.rootVol());
            rows = Math.max(rows, bins.count);
        }
        const paid = Math.max(rows, state.minRows);
        let unopened = 0;
        for (const bins of state.bins) if (bins.count < paid) unopened = 1;
        this.freeCpu[region] = cpu;
        this.freeMem[region] = mem;
        this.freeVol[region] = vol;
        this.paid[region] = paid;
        this.unopened[region] = unopened;
    }
}

function checkRegion(r: PlacementRegion): void {
    const where = `placement input: region "${r.id}"`;
    if (!Number.isInteger(r.zones) || r.zones < 1 || r.zones > 3) throw new Error(`${where}: zones is ${r.zones}; a pool spreads over 1 to 3 zones`);
    for (const [k, v] of Object.entries(r.capacity)) {
        if (!(v > 0)) throw new Error(`${where}: capacity ${k} is ${v}; a ledger machine needs some of every resource (see config/pool-sizing.ts allocatable())`);
    }
    if (!Number.isInteger(r.minMachines) || !Number.isInteger(r.maxMachines) || r.minMachines < 0 || r.maxMachines < r.minMachines) {
        throw new Error(`${where}: minMachines ${r.minMachines} and maxMachines ${r.maxMachines} must be whole numbers with 0 <= min <= max`);
    }
    const minRounded = Math.ceil(r.minMachines / r.zones) * r.zones;
    if (minRounded > r.maxMachines) {
        throw new Error(
            `${where}: minMachines ${r.minMachines} over ${r.zones} zones is ${minRounded} machines in whole rows, above maxMachines ${r.maxMachines}: raise the max to ${minRounded} or lower the min`,
        );
    }
}
