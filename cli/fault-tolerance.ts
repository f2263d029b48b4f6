// BFT arithmetic the plan reports: with n validators QBFT tolerates f = floor((n-1)/3) faulty
// ones, so a failure domain (region, data centre, cloud) may hold at most f of them.
import type { NetworkConfig } from "../config/schema";

export interface DomainRow {
    /** "region" or "cloud". */
    level: string;
    domain: string;
    validators: number;
    /** The ledger keeps producing blocks when this whole domain is lost. */
    survivesLoss: boolean;
}

export interface LedgerTolerance {
    ledger: string;
    validators: number;
    f: number;
    rows: DomainRow[];
}

export function maxFaulty(validators: number): number {
    return Math.max(0, Math.floor((validators - 1) / 3));
}

/**
 * The cloud-level failure domain of a region: the provider for aws/gcp/alicloud; for an existing
 * (on-premises) cluster its own failure domain, so four data centres count as four domains.
 */
export function cloudDomain(network: NetworkConfig, regionId: string): string {
    const region = network.regions[regionId];
    if (region === undefined) return "unknown";
    return region.cloud === "existing" ? `existing:${region.failureDomain ?? regionId}` : (region.failureDomain ?? region.cloud);
}

export function faultTolerance(network: NetworkConfig): LedgerTolerance[] {
    return Object.entries(network.ledgers).map(([ledger, config]) => {
        const validators = config.nodes.filter((n) => n.role === "validator");
        const f = maxFaulty(validators.length);
        const levels: [string, (region: string) => string][] = [
            ["region", (r) => r],
            ["cloud", (r) => cloudDomain(network, r)],
        ];
        const rows: DomainRow[] = [];
        for (const [level, domainOf] of levels) {
            const counts = new Map<string, number>();
            for (const region of Object.keys(network.regions)) counts.set(domainOf(region), 0);
            for (const v of validators) counts.set(domainOf(v.region), (counts.get(domainOf(v.region)) ?? 0) + 1);
            for (const [domain, n] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
                rows.push({ level, domain, validators: n, survivesLoss: n <= f });
            }
        }
        return { ledger, validators: validators.length, f, rows };
    });
}
