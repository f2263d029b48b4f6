// Why a ledger cannot be placed, in an operator's words: the tenant, the constraint that cannot be
// met, what was counted, and the nearest way out. Worked out only once placement has failed, so it
// may look at every region without slowing the engine down.
import type { Fleet, RegionState } from "./fleet";
import type { LedgerPlan } from "./ledger";
import { describeResidency, widerResidency } from "./residency";
import { type PlacementNode, PlacementError } from "./types";
import { fitsIn, formatDemand } from "./vector";

function list(ids: readonly string[]): string {
    return ids.slice(0, 4).join(", ") + (ids.length > 4 ? `, and ${ids.length - 4} more` : "");
}

/** The ways out that apply, as one clause: "raise ..., or widen ...". */
function waysOut(...ways: (string | undefined)[]): string {
    return ways.filter((w) => w !== undefined && w !== "").join(", or ");
}

/** QBFT sizes from 4 to 100 validators that `domains` failure domains can hold at f = floor((n - 1) / 3) each, nearest to n on either side. */
function feasibleSizes(n: number, domains: number): number[] {
    const ok = (v: number) => v <= domains * Math.floor((v - 1) / 3);
    const out: number[] = [];
    for (let v = n - 1; v >= 4; v--) {
        if (ok(v)) {
            out.push(v);
            break;
        }
    }
    for (let v = n + 1; v <= 100; v++) {
        if (ok(v)) {
            out.push(v);
            break;
        }
    }
    return out;
}

/**
 * A node found no region. The checks go from the widest cause to the narrowest: residency admits
 * nothing; no admitted machine is large enough; too few admitted regions (or failure domains) for
 * f per region even with unlimited pools; the pools that would do are at their max.
 */
export function unplaceable(fleet: Fleet, plan: LedgerPlan, node: PlacementNode): PlacementError {
    const { tenant, ledger, residency } = plan.demand;
    const where = describeResidency(residency);
    /** " in clouds [aws, gcp]", or nothing for a tenant without residency. */
    const inWhere = residency === undefined ? "" : ` in ${where}`;
    const d = node.demand;
    const mine = fleet.ledgerMachines(ledger);
    const room = (r: RegionState) => fitsIn(d, r.spec.capacity) && fleet.hasRoom(r.index, d, mine);
    const wider = widerResidency(residency, fleet.regions.map((r) => r.spec), (spec) => room(fleet.regions[fleet.byId.get(spec.id)!]!));
    const widen = wider === undefined ? undefined : `widen its residency: ${wider}`;

    const admitted = plan.admitted.map((r) => fleet.regions[r]!);
    if (admitted.length === 0) {
        return new PlacementError(tenant, "residency", `${tenant}'s residency (${where}) admits none of the ${fleet.regions.length} regions: ${wider ?? "name clouds, countries or regions the network has"}`);
    }
    const fitting = admitted.filter((r) => fitsIn(d, r.spec.capacity));
    if (fitting.length === 0) {
        const largest = [...admitted].sort((a, b) => b.spec.capacity.cpuMillis - a.spec.capacity.cpuMillis || b.spec.capacity.memoryMiB - a.spec.capacity.memoryMiB)[0]!.spec;
        return new PlacementError(
            tenant,
            "machine-size",
            `${tenant}'s ${node.role} ${node.name} needs ${formatDemand(d)}, more than one machine of any region${inWhere} has (largest: ${largest.machine} in ${largest.id}, ${formatDemand(largest.capacity)} allocatable): ${waysOut("lower the tenant's tps or give an admitted region's ledger pool a larger machine type", widen)}`,
        );
    }
    // A region already holding one of its validators counts as having room for one.
    const holding = new Set((fleet.byLedger.get(ledger) ?? []).filter((p) => p.role === node.role).map((p) => p.region));
    const withRoom = fitting.filter((r) => holding.has(r.index) || room(r));
    const full = fitting.filter((r) => !holding.has(r.index) && !room(r)).map((r) => r.spec);
    const atMax = full.length === 0 ? "" : ` (pools at their max: ${list(full.map((r) => `${r.id} ${r.maxMachines} machines`))})`;
    const raise = full.length === 0 ? undefined : `raise the max of ${full[0]!.id}'s ledger pool${full.length > 1 ? " or another full one" : ""}`;
    if (node.role === "rpc") {
        return new PlacementError(tenant, "pool-max", `${tenant}'s rpc node ${node.name} fits no pool${inWhere}${atMax}: ${waysOut(raise, widen) || "add a region"}`);
    }

    const { f, validators } = plan;
    if (plan.fdActive) {
        const domainsOf = (regions: readonly RegionState[]) => [...new Set(regions.map((r) => fleet.domains[r.domain]!))];
        const need = Math.ceil(validators / Math.max(f, 1));
        const fitDomains = domainsOf(fitting);
        if (f === 0 || fitDomains.length * f < validators) {
            const sizes = feasibleSizes(validators, fitDomains.length);
            const span = `the ${residency === undefined ? "network's regions" : "regions its residency admits"} span ${plan.domainsAdmitted} failure domains, so none may hold more than f`;
            return new PlacementError(
                tenant,
                "failure-domains",
                `${tenant}'s ${validators} validators need ${need} failure domains with at most f = ${f} each (${span}); the regions${inWhere} whose machines fit a validator span ${fitDomains.length} (${list(fitDomains)}): ${waysOut(
                    widen ?? "allow regions in another failure domain",
                    sizes.length === 0 ? undefined : `run ${sizes.join(" or ")} validators`,
                )}`,
            );
        }
        return new PlacementError(
            tenant,
            "pool-max",
            `${tenant} needs ${need} failure domains${inWhere} with room for a validator (f = ${f} per region and per domain); ${domainsOf(withRoom).length} have room${atMax}: ${waysOut(raise, widen) || "add a region"}`,
        );
    }
    const need = f === 0 ? validators : Math.ceil(validators / f);
    if (f === 0 || fitting.length * f < validators) {
        const small = admitted.length - fitting.length;
        return new PlacementError(
            tenant,
            "fault-tolerance",
            `${tenant} needs ${need} regions${inWhere} whose machines fit a validator (${validators} validators, f = ${f} per region); ${fitting.length} ${fitting.length === 1 ? "is" : "are"} admitted${small > 0 ? ` (${small} more with machines too small)` : ""}: ${widen ?? "add regions"}${f === 0 ? "; QBFT needs at least 4 validators to tolerate a fault" : ""}`,
        );
    }
    return new PlacementError(
        tenant,
        "pool-max",
        `${tenant} needs ${need} regions${inWhere} with room for a validator (f = ${f} per region); ${withRoom.length} have room${atMax}: ${waysOut(raise, widen) || "add a region"}`,
    );
}
