// BFT arithmetic the plan reports: with n validators QBFT tolerates f = floor((n-1)/3) faulty
// ones, so a failure domain (region, data centre, cloud) may hold at most f of them.
import type { NetworkConfig } from "../stacks/schema";

export interface DomainRow {
    /** "region", "failure domain" or "cloud". */
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

export function faultTolerance(network: NetworkConfig): LedgerTolerance[] {
    return Object.entries(network.ledgers).map(([ledger, config]) => {
        const validators = config.nodes.filter((n) => n.role === "validator");
        const f = maxFaulty(validators.length);
        const levels: [string, (region: string) => string][] = [
            ["region", (r) => r],
            ["failure domain", (r) => { const c = network.regions[r]; return c?.cloud === "existing" ? (c.failureDomain ?? r) : r; }],
            ["cloud", (r) => network.regions[r]?.cloud ?? "unknown"],
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
