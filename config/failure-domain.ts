import type { RegionConfig } from "./schema";

/**
 * A region's cloud-level failure domain: the provider for aws/gcp/alicloud (or the region's own
 * failureDomain); for an existing (on-premises) cluster its own site (failureDomain, else the region),
 * so four data centres count as four.
 */
export function failureDomainOf(regionId: string, region: RegionConfig): string {
    return region.cloud === "existing" ? `existing:${region.failureDomain ?? regionId}` : (region.failureDomain ?? region.cloud);
}
