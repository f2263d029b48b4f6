// The monthly bill of one cloud region's cluster and who pays which part of it. The same function
// prices the shared network's regions and a tenant's imagined cluster of its own, so the two numbers
// a tenant compares are made the same way.
//
// Who pays (see model.ts for the whole rule):
// - The ledger pool's machines (and their boot disks) are paid by the pods on them, each in
//   proportion to its dominant share: the larger of its CPU and memory requests as a share of the
//   pool's allocatable capacity. Shares are normalised over the pods, so idle capacity is paid too,
//   by everyone in proportion: the pool was sized for them.
// - A pod's own volume, P2P address, P2P load balancer, RPC load balancer and egress are its own.
// - The region's fixed costs (control plane, system pool, NAT, NAT addresses) are shared by the same
//   dominant shares: they exist because the pods do, and larger pods hold more of the cluster.
import type { MachineType } from "../../config/catalog";
import { HOURS_PER_MONTH } from "../../config/catalog/prices";
import type { CloudName } from "../../config/schema";
import { allocatable, type Requests } from "../../config/pool-sizing";
import { EGRESS_GIB_PER_NODE_MONTH, egressAddresses, MACHINE_DISK_GIB, natGateways } from "./footprint";
import type { RegionRates } from "./rates";

/** What a region's bill is made of. */
export const COST_KINDS = ["compute", "control-plane", "nat", "load-balancers", "addresses", "storage", "egress", "existing"] as const;
export type CostKind = (typeof COST_KINDS)[number];

export interface ClusterPod {
    readonly ledger: string;
    readonly requests: Requests;
    readonly storageGiB: number;
    /** An RPC node whose JSON-RPC LoadBalancer serves other regions' schedulers (charts/ledger-peer.ts). */
    readonly rpcLoadBalancer: boolean;
}

export interface ClusterSpec {
    readonly cloud: CloudName;
    readonly rates: RegionRates;
    readonly zones: number;
    readonly ledgerPool: { readonly machine: string; readonly size: MachineType; readonly machines: number };
    readonly systemPool: { readonly machine: string; readonly machines: number };
    readonly pods: readonly ClusterPod[];
}

export interface Bill {
    /** USD per month by kind, unrounded. */
    readonly items: Partial<Record<CostKind, number>>;
    /** Ledger id -> its part of the bill, unrounded; the parts and `unowned` add up to the items. */
    readonly byLedger: Readonly<Record<string, number>>;
    /** What no pod pays for: a region with no ledger pod in it. */
    readonly unowned: number;
}

export function billTotal(bill: Bill): number {
    return Object.values(bill.items).reduce((a, b) => a + b, 0);
}

/** Dominant shares, normalised to 1 over the pods (all 0 when there are none). */
export function dominantShares(pods: readonly Requests[], capacity: Requests): number[] {
    const raw = pods.map((p) => Math.max(p.cpuMillis / capacity.cpuMillis, p.memoryMiB / capacity.memoryMiB));
    const sum = raw.reduce((a, b) => a + b, 0);
    return raw.map((r) => (sum === 0 ? 0 : r / sum));
}

/** Monthly cost of `count` load balancers in one region. */
function loadBalancers(rates: RegionRates, count: number): number {
    if (count === 0) return 0;
    const bundle = rates.loadBalancerBundle;
    const hourly = bundle === undefined ? count * rates.loadBalancerHour : bundle.usd + Math.max(0, count - bundle.count) * rates.loadBalancerHour;
    return hourly * HOURS_PER_MONTH;
}

export function billCluster(spec: ClusterSpec): Bill {
    const { rates, ledgerPool, systemPool, pods } = spec;
    const month = (hourly: number): number => hourly * HOURS_PER_MONTH;
    const machineDisk = MACHINE_DISK_GIB[spec.cloud] * rates.storageGiBMonth;
    const machines = ledgerPool.machines + systemPool.machines;

    const ledgerCompute = month(ledgerPool.machines * rates.machineHour(ledgerPool.machine));
    const systemCompute = month(systemPool.machines * rates.machineHour(systemPool.machine));
    const controlPlane = month(rates.controlPlaneHour);
    const nat = month(rates.natPer === "gateway" ? natGateways(spec.cloud, spec.zones) * rates.natHour : Math.min(machines, rates.natMaxMachines ?? machines) * rates.natHour);
    const natAddresses = month(egressAddresses(spec.cloud, spec.zones) * rates.addressHour);
    const balancers = pods.length + pods.filter((p) => p.rpcLoadBalancer).length;
    const balancerCost = loadBalancers(rates, balancers);
    const address = month(rates.addressHour);
    const egress = EGRESS_GIB_PER_NODE_MONTH * rates.egressGiB;

    const items: Record<Exclude<CostKind, "existing">, number> = {
        compute: ledgerCompute + systemCompute,
        "control-plane": controlPlane,
        nat,
        "load-balancers": balancerCost,
        addresses: natAddresses + pods.length * address,
        storage: pods.reduce((sum, p) => sum + p.storageGiB * rates.storageGiBMonth, 0) + machines * machineDisk,
        egress: pods.length * egress,
    };

    if (pods.length === 0) return { items, byLedger: {}, unowned: Object.values(items).reduce((a, b) => a + b, 0) };

    const capacity = allocatable(ledgerPool.size);
    const pool = { cpuMillis: capacity.cpuMillis * ledgerPool.machines, memoryMiB: capacity.memoryMiB * ledgerPool.machines };
    const shares = dominantShares(pods.map((p) => p.requests), pool);
    const shared = ledgerCompute + ledgerPool.machines * machineDisk;
    const fixed = controlPlane + systemCompute + systemPool.machines * machineDisk + nat + natAddresses;
    const perBalancer = balancerCost / balancers;
    const byLedger: Record<string, number> = {};
    pods.forEach((pod, i) => {
        const share = shares[i] as number;
        const own = pod.storageGiB * rates.storageGiBMonth + address + egress + perBalancer * (pod.rpcLoadBalancer ? 2 : 1);
        byLedger[pod.ledger] = (byLedger[pod.ledger] ?? 0) + share * (shared + fixed) + own;
    });
    return { items, byLedger, unowned: 0 };
}
