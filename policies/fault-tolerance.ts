// How much of a ledger each failure domain can take down: the one definition the plan's summary and
// plan.json (`faultTolerance`, from the network file) and the ledger policies (from the resources a
// stack registers) both use. Pure.
//
// QBFT commits a block with a quorum of ceil(2n/3) of its n validators (Besu's
// BftHelpers.calculateRequiredValidatorQuorum: Util.fastDivCeiling(2 * validatorCount, 3)), so a
// ledger keeps producing blocks after losing `lost` validators while n - lost >= ceil(2n/3). For
// n = 3f + 1 that is exactly lost <= f; for n = 3f + 2 or 3f + 3 it is lost <= n - ceil(2n/3).

/** Where one validator of a ledger runs. */
export interface ValidatorPlacement {
    ledger: string;
    region: string;
    /** Its region's failure domain at cloud level: the cloud, or an on-premises site. */
    domain: string;
}

export interface DomainRow {
    /** "region" or "cloud". */
    level: "region" | "cloud";
    domain: string;
    /** Validators lost with this whole domain. */
    validators: number;
    /** Validators left: n - lost. */
    remaining: number;
    /** The ledger keeps producing blocks when this whole domain is lost: remaining >= quorum. */
    survivesLoss: boolean;
    /** Region rows: the failure domain the region is in. */
    within?: string;
}

export interface LedgerTolerance {
    ledger: string;
    validators: number;
    /** Faulty validators BFT tolerates: floor((n - 1) / 3). */
    f: number;
    /** Validators a block needs: ceil(2n / 3). */
    quorum: number;
    /** Distinct cloud-level failure domains holding its validators. */
    domains: number;
    rows: DomainRow[];
}

export function maxFaulty(validators: number): number {
    return Math.max(0, Math.floor((validators - 1) / 3));
}

export function quorum(validators: number): number {
    return Math.ceil((2 * validators) / 3);
}

/**
 * The table per ledger: for every region and every failure domain (including those listed in `also`
 * that hold none of its validators), what losing it costs.
 */
export function toleranceTable(
    placements: readonly ValidatorPlacement[],
    also: readonly { region: string; domain: string }[] = [],
    ledgers: readonly string[] = [...new Set(placements.map((p) => p.ledger))],
): LedgerTolerance[] {
    return ledgers.map((ledger) => {
        const mine = placements.filter((p) => p.ledger === ledger);
        const n = mine.length;
        const q = quorum(n);
        const rows: DomainRow[] = [];
        for (const level of ["region", "cloud"] as const) {
            const key = (p: { region: string; domain: string }) => (level === "region" ? p.region : p.domain);
            const counts = new Map<string, number>();
            for (const a of also) counts.set(key(a), 0);
            for (const p of mine) counts.set(key(p), (counts.get(key(p)) ?? 0) + 1);
            const domainOf = new Map([...also, ...mine].map((p) => [p.region, p.domain]));
            for (const [domain, lost] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
                const within = level === "region" ? domainOf.get(domain) : undefined;
                rows.push({ level, domain, validators: lost, remaining: n - lost, survivesLoss: n > 0 && n - lost >= q, ...(within === undefined ? {} : { within }) });
            }
        }
        return { ledger, validators: n, f: maxFaulty(n), quorum: q, domains: new Set(mine.map((p) => p.domain)).size, rows };
    });
}
