// How many machines a cloud region's ledger pool needs for the ledger pods it hosts, from the pods'
// resource requests and the machines' allocatable capacity. Pure: the loader uses it to refuse a pool
// too small (before anything is built), the Region to size the pool it builds.
import { HELPER_REQUESTS, VERIFY_KEY_REQUESTS } from "../charts/pod-requests";
import type { MachineType } from "./catalog/types";

/** CPU in millicores and memory in MiB. */
export interface Requests {
    readonly cpuMillis: number;
    readonly memoryMiB: number;
}

/** "2" -> 2000, "1.5" -> 1500, "500m" -> 500. */
export function cpuMillis(quantity: string): number {
    return quantity.endsWith("m") ? Number(quantity.slice(0, -1)) : Math.round(Number(quantity) * 1000);
}

/** "4Gi" -> 4096, "3584Mi" -> 3584 (the schema allows Mi and Gi only). */
export function memoryMiB(quantity: string): number {
    return quantity.endsWith("Gi") ? Number(quantity.slice(0, -2)) * 1024 : Number(quantity.slice(0, -2));
}

/**
 * What the scheduler reserves for one ledger pod (Kubernetes' rule: the larger of the largest init
 * container and the sum of the containers): Besu, plus the peers-reload sidecar on validators; the
 * verify-key and peers init containers run before them.
 */
export function ledgerPodRequests(role: "validator" | "rpc", cpu: string, memory: string): Requests {
    const sidecars = role === "validator" ? 1 : 0;
    const containers = {
        cpuMillis: cpuMillis(cpu) + sidecars * cpuMillis(HELPER_REQUESTS.cpu),
        memoryMiB: memoryMiB(memory) + sidecars * memoryMiB(HELPER_REQUESTS.memory),
    };
    const init = [VERIFY_KEY_REQUESTS, HELPER_REQUESTS];
    return {
        cpuMillis: Math.max(containers.cpuMillis, ...init.map((c) => cpuMillis(c.cpu))),
        memoryMiB: Math.max(containers.memoryMiB, ...init.map((c) => memoryMiB(c.memory))),
    };
}

/**
 * Per machine, what is left for ledger pods: capacity less the kubelet's reservation (Google's
 * published GKE formula, which EKS's and ACK's bootstrap reservations approach; the estimate is the
 * same for the three clouds, stated once) and an allowance for the DaemonSets every machine runs
 * (CNI, CSI node plugin, kube-proxy, log and metrics agents). Sources, checked 2026-11-25:
 * https://cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes (reservations).
 */
export const DAEMONSET_ALLOWANCE: Requests = { cpuMillis: 400, memoryMiB: 768 };

export function allocatable(machine: MachineType): Requests {
    const cores = machine.vcpu;
    const reservedCpu =
        60 * Math.min(cores, 1) + 10 * clamp(cores - 1, 0, 1) + 5 * clamp(cores - 2, 0, 2) + 2.5 * Math.max(cores - 4, 0);
    const gib = machine.memoryGiB;
    const reservedMemGiB =
        0.25 * Math.min(gib, 4) + 0.2 * clamp(gib - 4, 0, 4) + 0.1 * clamp(gib - 8, 0, 8) + 0.06 * clamp(gib - 16, 0, 112) + 0.02 * Math.max(gib - 128, 0);
    const evictionMiB = 100;
    return {
        cpuMillis: Math.floor(cores * 1000 - reservedCpu - DAEMONSET_ALLOWANCE.cpuMillis),
        memoryMiB: Math.floor(gib * 1024 - reservedMemGiB * 1024 - evictionMiB - DAEMONSET_ALLOWANCE.memoryMiB),
    };
}

function clamp(v: number, lo: number, hi: number): number {
    return Math.min(Math.max(v, lo), hi);
}

/** Whether one pod fits on an empty machine. */
export function fits(pod: Requests, capacity: Requests): boolean {
    return pod.cpuMillis <= capacity.cpuMillis && pod.memoryMiB <= capacity.memoryMiB;
}

/**
 * Machines needed for `pods` (First Fit Decreasing over CPU and memory, largest share first).
 * Infinity when a pod fits on no machine of this type.
 */
export function machinesFor(pods: readonly Requests[], capacity: Requests): number {
    if (pods.some((p) => !fits(p, capacity))) return Infinity;
    const share = (p: Requests) => Math.max(p.cpuMillis / capacity.cpuMillis, p.memoryMiB / capacity.memoryMiB);
    const free: Requests[] = [];
    for (const pod of [...pods].sort((a, b) => share(b) - share(a))) {
        const i = free.findIndex((m) => fits(pod, m));
        if (i === -1) free.push({ cpuMillis: capacity.cpuMillis - pod.cpuMillis, memoryMiB: capacity.memoryMiB - pod.memoryMiB });
        else {
            const m = free[i] as Requests;
            free[i] = { cpuMillis: m.cpuMillis - pod.cpuMillis, memoryMiB: m.memoryMiB - pod.memoryMiB };
        }
    }
    return free.length;
}

/**
 * Machines a zonal pool needs when every pod is pinned to a zone (its volume lives there): the
 * fullest zone's need, in every zone, since managed pools spread machines evenly over their zones.
 */
export function zonalMachinesFor(podsByZone: readonly (readonly Requests[])[]): (capacity: Requests) => number {
    return (capacity) => podsByZone.length * Math.max(0, ...podsByZone.map((pods) => machinesFor(pods, capacity)));
}
