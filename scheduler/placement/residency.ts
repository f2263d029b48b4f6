// Which regions a tenant's residency admits, how to say it in a message, and which single change to
// it would admit the most regions (the "nearest way out" a PlacementError names).
import type { PlacementRegion, Residency, ResidencyFilter } from "./types";

/** Every given allow-list admits the region and no deny-list names it. */
export function admits(residency: Residency | undefined, region: Pick<PlacementRegion, "id" | "cloud" | "country">): boolean {
    if (residency === undefined) return true;
    if (residency.clouds !== undefined && !residency.clouds.includes(region.cloud)) return false;
    if (residency.countries !== undefined && (region.country === undefined || !residency.countries.includes(region.country))) return false;
    if (residency.regions !== undefined && !residency.regions.includes(region.id)) return false;
    return residency.deny === undefined || !names(residency.deny, region);
}

function names(filter: ResidencyFilter, region: Pick<PlacementRegion, "id" | "cloud" | "country">): boolean {
    return (
        (filter.clouds ?? []).includes(region.cloud) ||
        (region.country !== undefined && (filter.countries ?? []).includes(region.country)) ||
        (filter.regions ?? []).includes(region.id)
    );
}

/** Same admitted regions, same key: ledgers with equal residency share one filtered region list. */
export function residencyKey(residency: Residency | undefined): string {
    if (residency === undefined) return "";
    const list = (values: string[] | undefined) => (values === undefined ? null : [...new Set(values)].sort());
    const filter = (f: ResidencyFilter | undefined) => (f === undefined ? null : [list(f.clouds), list(f.countries), list(f.regions)]);
    return JSON.stringify([filter(residency), filter(residency.deny)]);
}

/** "clouds [aws, gcp], countries [DE] except regions [x]"; "any region" without a residency. */
export function describeResidency(residency: Residency | undefined): string {
    const filter = (f: ResidencyFilter) =>
        (["clouds", "countries", "regions"] as const).flatMap((k) => (f[k] === undefined ? [] : [`${k} [${f[k].join(", ")}]`])).join(", ");
    const allow = residency === undefined ? "" : filter(residency);
    const deny = residency?.deny === undefined ? "" : filter(residency.deny);
    if (allow === "" && deny === "") return "any region";
    return [allow === "" ? "any region" : allow, deny === "" ? "" : `except ${deny}`].filter((s) => s !== "").join(" ");
}

/** One change to a residency: drop one allow-list, or the deny-list. */
interface Relaxation {
    advice: string;
    residency: Residency | undefined;
}

function relaxations(residency: Residency | undefined): Relaxation[] {
    if (residency === undefined) return [];
    const out: Relaxation[] = [];
    const without = (key: "clouds" | "countries" | "regions" | "deny"): Residency => {
        const copy: Residency = { ...residency };
        delete copy[key];
        return copy;
    };
    if (residency.clouds !== undefined) out.push({ advice: "allowing every cloud", residency: without("clouds") });
    if (residency.countries !== undefined) out.push({ advice: "allowing every country", residency: without("countries") });
    if (residency.regions !== undefined) out.push({ advice: "allowing every region", residency: without("regions") });
    if (residency.deny !== undefined) out.push({ advice: "dropping the deny-list", residency: without("deny") });
    return out;
}

/**
 * The single residency change that admits the most further regions passing `usable` (e.g. "machines
 * large enough, pool not at its max"), as advice: "allowing every cloud would admit 3 more (a, b, c)".
 * Undefined when no change helps.
 */
export function widerResidency(residency: Residency | undefined, regions: readonly PlacementRegion[], usable: (r: PlacementRegion) => boolean): string | undefined {
    let best: { advice: string; extra: string[] } | undefined;
    for (const relax of relaxations(residency)) {
        const extra = regions.filter((r) => !admits(residency, r) && admits(relax.residency, r) && usable(r)).map((r) => r.id);
        if (extra.length > 0 && (best === undefined || extra.length > best.extra.length)) best = { advice: relax.advice, extra };
    }
    if (best === undefined) return undefined;
    const shown = best.extra.slice(0, 4).join(", ") + (best.extra.length > 4 ? ", ..." : "");
    return `${best.advice} would admit ${best.extra.length} more (${shown})`;
}
