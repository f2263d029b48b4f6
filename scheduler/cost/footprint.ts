// What each cloud adapter builds in a region that costs money beyond the pools' machines, counted as
// the adapters build it (components/clouds/*.ts). Kept here as data so the bill needs no Pulumi SDK;
// test/cost.test.ts reads the adapters' source and fails when they change and this does not.
import type { CloudName } from "../../config/schema";

/**
 * Disk every pool machine boots from, GiB, billed like the StorageClass's disks: AWS's launch template
 * root volume (gp3, 50), GKE's node pools' boot disk (pd-balanced, 100), ACK's system disk (120) and
 * the data disk every ACK pool machine also gets (200), both ESSD PL1.
 */
export const MACHINE_DISK_GIB: Readonly<Record<CloudName, number>> = { aws: 50, gcp: 100, alicloud: 120 + 200 };

/** NAT egress addresses the global stack reserves: one per zone (AWS), two (Cloud NAT), one (Alibaba Cloud). */
export function egressAddresses(cloud: CloudName, zones: number): number {
    return cloud === "aws" ? zones : cloud === "gcp" ? 2 : 1;
}

/** NAT gateways: one per zone on AWS, one regional Cloud NAT and one Enhanced NAT gateway elsewhere. */
export function natGateways(cloud: CloudName, zones: number): number {
    return cloud === "aws" ? zones : 1;
}

/**
 * Internet egress per ledger node per month, GiB (estimate). QBFT at a 2-second block period is
 * 1.3 million blocks a month; a node sends each of its ~6 peers about 1 KiB per block (its PREPARE
 * and COMMIT, the block itself from the proposer, new-block announcements), about 8 GiB; doubled
 * for transaction gossip and peers catching up after restarts.
 */
export const EGRESS_GIB_PER_NODE_MONTH = 20;

/** A tenant's own cluster (the "alone" price) runs the add-ons on two machines of the catalog's system type, as every region does. */
export const ALONE_SYSTEM_MACHINES = 2;
