// The fault-tolerance table of a network file (summary, plan.json and the Network component's inputs): its validators' placements,
// handed to the one definition in policies/fault-tolerance.ts.
import { failureDomainOf } from "./failure-domain";
import type { NetworkConfig } from "./schema";
import { type LedgerTolerance, maxFaulty, toleranceTable } from "../policies/fault-tolerance";

export type { DomainRow, LedgerTolerance } from "../policies/fault-tolerance";
export { maxFaulty };

/**
 * The cloud-level failure domain of a region: the provider for aws/gcp/alicloud (or the region's
 * failureDomain); for an existing (on-premises) cluster its own site, so four data centres count as four.
 */
export function cloudDomain(network: NetworkConfig, regionId: string): string {
    const region = network.regions[regionId];
    return region === undefined ? "unknown" : failureDomainOf(regionId, region);
}

export function faultTolerance(network: NetworkConfig): LedgerTolerance[] {
    const placements = Object.entries(network.ledgers).flatMap(([ledger, config]) =>
        config.nodes.filter((n) => n.role === "validator").map((n) => ({ ledger, region: n.region, domain: cloudDomain(network, n.region) })),
    );
    const regions = Object.keys(network.regions).map((region) => ({ region, domain: cloudDomain(network, region) }));
    return toleranceTable(placements, regions, Object.keys(network.ledgers));
}
