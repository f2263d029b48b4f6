// Money is kept unrounded through the whole model and rounded to cents once, at the edge, so that
// every breakdown adds up to the total it breaks down: to the cent, not "about".

/** USD to whole cents. */
export function cents(usd: number): number {
    return Math.round(usd * 100);
}

/**
 * Splits `total` cents over parts in proportion to `values` (USD), each a whole number of cents and
 * together exactly `total`: the largest-remainder method (each part gets its floor, the cents left go
 * to the largest fractions, ties to the first). Deterministic: same values, same cents.
 */
export function apportion(values: readonly number[], total: number): number[] {
    if (values.length === 0) return [];
    const sum = values.reduce((a, b) => a + b, 0);
    // The values are the parts' USD; scale them to `total` in case it was rounded from another sum.
    const scaled = values.map((v) => (sum === 0 ? 0 : (v / sum) * total));
    const out = scaled.map(Math.floor);
    let left = total - out.reduce((a, b) => a + b, 0);
    const order = scaled.map((v, i) => ({ i, frac: v - Math.floor(v) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
    // Never more cents left than parts, unless every value is 0: then they go round from the first.
    for (let k = 0; left > 0; k = (k + 1) % order.length, left--) {
        const i = (order[k] as { i: number }).i;
        out[i] = (out[i] as number) + 1;
    }
    return out;
}
