// Per-node resources of a dedicated tenant's ledger from its TPS quota (and storage, when the tenant
// gives it), and the demand such a pod puts on a machine. The model, with where each figure comes from:
//
// Base per role, for an idle chain:
// - validator 1 CPU, 2Gi: Besu refuses less than 2Gi (besuOpts in frameworks/besu/config.ts; the
//   heap is half the limit, so 1 GiB of heap), and 1 CPU keeps QBFT's round timers and the JVM's
//   JIT and garbage collector from starving on a chain that seals a block every 2 s even when empty.
// - rpc 1 CPU, 4Gi: it answers the tenant's queries (eth_call, eth_getLogs, receipts) from heap and
//   page cache, so it starts with twice a validator's memory (DEFAULT_RESOURCES keeps that ratio).
// Growth with TPS (estimates, anchored so that 100 TPS gives exactly DEFAULT_RESOURCES in
// frameworks/besu/config.ts, today's 2 CPU / 4Gi validator and 2 CPU / 8Gi rpc node):
// - CPU +10m per TPS: every validator verifies every transaction's signature and executes it once
//   per block; rpc nodes import the same blocks and serve queries.
// - memory +20Mi per TPS (validator) and +40Mi per TPS (rpc): a larger transaction pool, RocksDB
//   block cache and write buffers for a state and trie-log set that grow faster, and on rpc nodes the
//   query working sets (the tenant's rps defaults to 10 x tps).
// - rounded up to 250m CPU and 256Mi memory; at most 16 CPU (block import is mostly sequential in
//   Besu, so more cores do not buy TPS) and 32Gi (validator) or 64Gi (rpc). A node that does not fit
//   any admitted machine is the placement engine's "machine-size" error, which names the machine.
// Storage, unless the tenant gives storageGiB (then both roles get it):
//   (bytes per tx x tps + bytes per block / block period) x seconds per month x retention months,
// - bytes per tx: about 1 KiB on a validator (block body, receipt, Bonsai trie log; estimate) and
//   4 KiB on an rpc node, which keeps every state version (Forest, Besu's archive mode; estimate);
// - bytes per block: about 1 KiB for a header with QBFT's seals and its trie log, every 2 s even on
//   an idle chain (the schema's default blockPeriodSeconds; estimate);
// - 30-day months; 12 months of retention at the full quota (the StorageClasses allow expansion, so
//   this is how long until an operator must grow the volume, not a limit);
// - clamped to the schema's 10..64000 GiB.
import { ledgerPodRequests } from "../../config/pool-sizing";
import type { Vector } from "./types";

export type Role = "validator" | "rpc";

export const SIZING_MODEL = {
    base: { validator: { cpuMillis: 1000, memoryMiB: 2048 }, rpc: { cpuMillis: 1000, memoryMiB: 4096 } },
    perTps: { validator: { cpuMillis: 10, memoryMiB: 20 }, rpc: { cpuMillis: 10, memoryMiB: 40 } },
    max: { validator: { cpuMillis: 16000, memoryMiB: 32 * 1024 }, rpc: { cpuMillis: 16000, memoryMiB: 64 * 1024 } },
    cpuStepMillis: 250,
    memoryStepMiB: 256,
    bytesPerTx: { validator: 1024, rpc: 4096 },
    bytesPerBlock: 1024,
    blockPeriodSeconds: 2,
    secondsPerMonth: 30 * 24 * 3600,
    retentionMonths: 12,
    storageGiB: { min: 10, max: 64000 },
} as const;

const roundUp = (value: number, step: number) => Math.ceil(value / step) * step;

/** Kubernetes CPU quantity: whole cores as "2", otherwise millicores as "1500m". */
export function cpuQuantity(millis: number): string {
    return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** Kubernetes memory quantity in Gi when whole, otherwise Mi (the schema allows only these two). */
export function memoryQuantity(mib: number): string {
    return mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`;
}

/** Chain data one node of this role keeps over the retention horizon, GiB (before clamping). */
export function storageFromTps(role: Role, tps: number): number {
    const m = SIZING_MODEL;
    const bytesPerSecond = m.bytesPerTx[role] * tps + m.bytesPerBlock / m.blockPeriodSeconds;
    return (bytesPerSecond * m.secondsPerMonth * m.retentionMonths) / 2 ** 30;
}

export function dedicatedNodeResources(role: Role, tps: number, storageGiB?: number): { cpu: string; memory: string; storageGiB: number } {
    if (!Number.isFinite(tps) || tps <= 0) throw new Error(`dedicated node sizing: tps must be a positive number, got ${tps}`);
    if (storageGiB !== undefined && !(storageGiB > 0)) throw new Error(`dedicated node sizing: storageGiB must be positive, got ${storageGiB}`);
    const m = SIZING_MODEL;
    const cpuMillis = Math.min(roundUp(m.base[role].cpuMillis + m.perTps[role].cpuMillis * tps, m.cpuStepMillis), m.max[role].cpuMillis);
    const memoryMiB = Math.min(roundUp(m.base[role].memoryMiB + m.perTps[role].memoryMiB * tps, m.memoryStepMiB), m.max[role].memoryMiB);
    const storage = Math.ceil(storageGiB ?? storageFromTps(role, tps));
    return {
        cpu: cpuQuantity(cpuMillis),
        memory: memoryQuantity(memoryMiB),
        storageGiB: Math.min(Math.max(storage, m.storageGiB.min), m.storageGiB.max),
    };
}

/** What one ledger pod of these resources asks a machine for: exactly what config/pool-sizing.ts counts, plus its one volume. */
export function podDemand(role: Role, cpu: string, memory: string): Vector {
    const requests = ledgerPodRequests(role, cpu, memory);
    return { cpuMillis: requests.cpuMillis, memoryMiB: requests.memoryMiB, volumes: 1 };
}
