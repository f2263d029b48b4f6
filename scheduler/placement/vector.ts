// Arithmetic on demand and capacity vectors that more than one part of the engine needs.
import type { Vector } from "./types";

/** Whether the demand fits the capacity on every dimension. */
export function fitsIn(d: Vector, capacity: Vector): boolean {
    return d.cpuMillis <= capacity.cpuMillis && d.memoryMiB <= capacity.memoryMiB && d.volumes <= capacity.volumes;
}

/** Refuses a demand the engine cannot count with: not a number, infinite or negative. */
export function checkDemand(d: Vector, what: string): void {
    const ok = (v: number) => Number.isFinite(v) && v >= 0;
    if (!ok(d.cpuMillis) || !ok(d.memoryMiB) || !ok(d.volumes)) {
        throw new Error(`placement input: ${what} has demand ${JSON.stringify(d)}; every dimension must be a number >= 0`);
    }
}

export function formatDemand(d: Vector): string {
    return `${d.cpuMillis}m CPU, ${d.memoryMiB}Mi memory, ${d.volumes} volume${d.volumes === 1 ? "" : "s"}`;
}
