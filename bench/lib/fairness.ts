// Jain's fairness index (Jain, Chiu and Hawe, 1984) on weight-normalised shares: tenant i got
// share_i of the throughput and was entitled to weight_i / sum(weights); with x_i = share_i / weight_i,
// J = (sum x)^2 / (n * sum x^2) is 1 when every tenant got exactly its weight's worth and 1/n when
// one tenant got everything.

export interface TenantShare {
    readonly tenant: string;
    readonly weight: number;
    /** Answers served (or any throughput measure, the same for every tenant). */
    readonly served: number;
}

export interface Fairness {
    /** Per tenant: share of what was served, and share its weight entitles it to. */
    readonly shares: ReadonlyArray<{ tenant: string; weight: number; share: number; entitled: number }>;
    readonly jain: number;
}

export function jainIndex(xs: readonly number[]): number {
    if (xs.length === 0) throw new Error("Jain's index of nothing: expected at least one value");
    if (xs.some((x) => !(x >= 0))) throw new Error(`Jain's index: expected values of at least 0, found ${xs.join(", ")}`);
    const sum = xs.reduce((a, b) => a + b, 0);
    const squares = xs.reduce((a, b) => a + b * b, 0);
    // Nobody got anything: equal, if uselessly so.
    return squares === 0 ? 1 : (sum * sum) / (xs.length * squares);
}

export function weightedFairness(tenants: readonly TenantShare[]): Fairness {
    if (tenants.some((t) => !(t.weight > 0))) throw new Error(`fairness: every weight must be above 0, found ${tenants.map((t) => `${t.tenant}=${t.weight}`).join(", ")}`);
    const served = tenants.reduce((a, t) => a + t.served, 0);
    const weights = tenants.reduce((a, t) => a + t.weight, 0);
    const shares = tenants.map((t) => ({ tenant: t.tenant, weight: t.weight, share: served === 0 ? 0 : t.served / served, entitled: t.weight / weights }));
    return { shares, jain: jainIndex(shares.map((s) => s.share / s.weight)) };
}
