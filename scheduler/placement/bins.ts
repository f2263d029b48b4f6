// The machines of one zone of one pool, as bins with what each has left, behind a segment tree of
// per-dimension maxima: "the first machine this pod fits on" costs O(log m) instead of a scan, which
// is what keeps 60,000 pods over 100 regions well under a second. A subtree is skipped when its
// largest free CPU, memory or volume count is too small; the maxima may come from different
// machines, so a search can descend and come back, but it never visits a subtree that cannot fit.
import type { Vector } from "./types";
import { fitsIn } from "./vector";

const EMPTY = -1;

export class ZoneBins {
    /** Machines in use (opened) in this zone. */
    count = 0;
    private size: number;
    private cpu: Float64Array;
    private mem: Float64Array;
    private vol: Float64Array;

    constructor(private capacity: Vector, initial = 16) {
        this.size = 1;
        while (this.size < initial) this.size *= 2;
        this.cpu = new Float64Array(2 * this.size).fill(EMPTY);
        this.mem = new Float64Array(2 * this.size).fill(EMPTY);
        this.vol = new Float64Array(2 * this.size).fill(EMPTY);
    }

    /** Empties the zone for another packing with machines of this capacity (reusing its arrays). */
    reset(capacity: Vector): void {
        this.capacity = capacity;
        this.count = 0;
        this.cpu.fill(EMPTY);
        this.mem.fill(EMPTY);
        this.vol.fill(EMPTY);
    }

    /** The most free on one opened machine, per dimension (-1 with none opened). */
    rootCpu(): number {
        return this.cpu[1]!;
    }
    rootMem(): number {
        return this.mem[1]!;
    }
    rootVol(): number {
        return this.vol[1]!;
    }

    /** Whether some machine (opened or not) could take this pod at all. */
    fitsEmpty(d: Vector): boolean {
        return fitsIn(d, this.capacity);
    }

    /** Cheap test before a search: no opened machine has this much free on every dimension. */
    mayFit(d: Vector): boolean {
        return this.cpu[1]! >= d.cpuMillis && this.mem[1]! >= d.memoryMiB && this.vol[1]! >= d.volumes;
    }

    /**
     * The leftmost opened machine the pod fits on and that holds no pod of its ledger; -1 if none.
     * `taken` lists the ledger's pods as pairs (zone key, machine); only pairs with `key` concern this zone.
     */
    firstFit(d: Vector, taken: readonly number[], key: number): number {
        if (!this.mayFit(d)) return -1;
        return this.search(1, d, taken, key);
    }

    private search(node: number, d: Vector, taken: readonly number[], key: number): number {
        if (this.cpu[node]! < d.cpuMillis || this.mem[node]! < d.memoryMiB || this.vol[node]! < d.volumes) return -1;
        if (node >= this.size) {
            const machine = node - this.size;
            for (let i = 0; i < taken.length; i += 2) if (taken[i] === key && taken[i + 1] === machine) return -1;
            return machine;
        }
        const left = this.search(2 * node, d, taken, key);
        return left !== -1 ? left : this.search(2 * node + 1, d, taken, key);
    }

    /** Opens an empty machine and returns its index. */
    open(): number {
        if (this.count === this.size) this.grow();
        const machine = this.count++;
        this.set(machine, this.capacity.cpuMillis, this.capacity.memoryMiB, this.capacity.volumes);
        return machine;
    }

    /** Takes the pod's demand off the machine. */
    take(machine: number, d: Vector): void {
        const leaf = this.size + machine;
        this.set(machine, this.cpu[leaf]! - d.cpuMillis, this.mem[leaf]! - d.memoryMiB, this.vol[leaf]! - d.volumes);
    }

    private set(machine: number, cpu: number, mem: number, vol: number): void {
        let node = this.size + machine;
        this.cpu[node] = cpu;
        this.mem[node] = mem;
        this.vol[node] = vol;
        for (node >>= 1; node >= 1; node >>= 1) {
            this.cpu[node] = Math.max(this.cpu[2 * node]!, this.cpu[2 * node + 1]!);
            this.mem[node] = Math.max(this.mem[2 * node]!, this.mem[2 * node + 1]!);
            this.vol[node] = Math.max(this.vol[2 * node]!, this.vol[2 * node + 1]!);
        }
    }

    private grow(): void {
        const old = { size: this.size, cpu: this.cpu, mem: this.mem, vol: this.vol };
        this.size *= 2;
        this.cpu = new Float64Array(2 * this.size).fill(EMPTY);
        this.mem = new Float64Array(2 * this.size).fill(EMPTY);
        this.vol = new Float64Array(2 * this.size).fill(EMPTY);
        this.cpu.set(old.cpu.subarray(old.size, old.size + this.count), this.size);
        this.mem.set(old.mem.subarray(old.size, old.size + this.count), this.size);
        this.vol.set(old.vol.subarray(old.size, old.size + this.count), this.size);
        for (let node = this.size - 1; node >= 1; node--) {
            this.cpu[node] = Math.max(this.cpu[2 * node]!, this.cpu[2 * node + 1]!);
            this.mem[node] = Math.max(this.mem[2 * node]!, this.mem[2 * node + 1]!);
            this.vol[node] = Math.max(this.vol[2 * node]!, this.vol[2 * node + 1]!);
        }
    }
}

/** A pod to pack offline; `group` >= 0 is shared by the pods of one ledger in the zone (they may not share a machine), -1 for a ledger's only pod there. */
export interface PackItem {
    readonly demand: Vector;
    readonly group: number;
}

const NONE: readonly number[] = [];

/**
 * Machines one zone needs for these pods, packed offline: First Fit Decreasing, pods ordered by
 * `key` (largest first; ties keep the given order), no two pods of one group on a machine.
 * Returns the machine index of every item, in the items' order, and the count.
 */
export function packZone(items: readonly PackItem[], capacity: Vector, key: (d: Vector) => number, scratch?: ZoneBins): { machines: number; assignment: number[] } {
    const keys = items.map((item) => key(item.demand));
    const order = items.map((_, i) => i).sort((a, b) => keys[b]! - keys[a]! || a - b);
    const bins = scratch ?? new ZoneBins(capacity);
    bins.reset(capacity);
    // Pairs (group, machine) for groups only: most pods are their ledger's only one in the zone.
    const taken: number[] = [];
    const assignment = new Array<number>(items.length).fill(-1);
    for (const i of order) {
        const item = items[i]!;
        let machine = bins.firstFit(item.demand, item.group < 0 ? NONE : taken, item.group);
        if (machine === -1) machine = bins.open();
        bins.take(machine, item.demand);
        assignment[i] = machine;
        if (item.group >= 0) taken.push(item.group, machine);
    }
    return { machines: bins.count, assignment };
}
