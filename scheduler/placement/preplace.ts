// What is already where, before anything is placed: fixed nodes (shared ledgers' nodes and pinned
// dedicated nodes) and nodes placed by an earlier run (`existing`). Neither ever moves: a node's
// volume lives in its zone. They are packed first, largest first in each zone, so the engine packs
// around them; a fixed node given without a zone gets the zone it fits best, and keeps it once the
// loader records it in `existing`.
import { type Fleet, zoneKey } from "./fleet";
import { type LedgerPlan, share } from "./ledger";
import { admits, describeResidency } from "./residency";
import { type LedgerDemand, PlacementError, type PlacementInput, type Vector } from "./types";
import { checkDemand, fitsIn, formatDemand } from "./vector";

interface Item {
    ledger: string;
    node: string;
    role: "validator" | "rpc";
    region: number;
    zone: number | undefined;
    demand: Vector;
    reason: string;
}

/** Keys ("ledger/node") of fixed nodes: a dedicated ledger's node listed there is pinned, not placed. */
export function fixedKeys(input: PlacementInput): Set<string> {
    const keys = new Set<string>();
    for (const n of input.fixed) {
        const key = `${n.ledger}/${n.node}`;
        if (keys.has(key)) throw new Error(`placement input: fixed node ${key} is listed twice`);
        keys.add(key);
        checkDemand(n.demand, `fixed node ${key}`);
    }
    return keys;
}

export function preplace(fleet: Fleet, input: PlacementInput, dedicated: ReadonlyMap<string, LedgerDemand>, pinned: ReadonlySet<string>): void {
    const existing = input.existing ?? {};
    const regionOf = (id: string, what: string): number => {
        const r = fleet.byId.get(id);
        if (r === undefined) throw new Error(`placement input: ${what} is in region "${id}", which is not among the ${fleet.regions.length} regions given; a node never moves on its own, so add the region back or move the node by hand`);
        return r;
    };
    const checkZone = (zone: number | undefined, region: number, what: string): number | undefined => {
        const zones = fleet.regions[region]!.spec.zones;
        if (zone !== undefined && (!Number.isInteger(zone) || zone < 0 || zone >= zones)) {
            throw new Error(`placement input: ${what} is in zone ${zone} of ${fleet.regions[region]!.spec.id}, which has zones 0 to ${zones - 1}`);
        }
        return zone;
    };
    const items: Item[] = [];
    for (const n of input.fixed) {
        const key = `${n.ledger}/${n.node}`;
        const region = regionOf(n.region, `fixed node ${key}`);
        const before = existing[key];
        const zone = checkZone(n.zone ?? (before !== undefined && before.region === n.region ? before.zone : undefined), region, `fixed node ${key}`);
        const reason = dedicated.has(n.ledger) ? "fixed: pinned by hand" : "fixed: a shared ledger's node, packed around";
        items.push({ ledger: n.ledger, node: n.node, role: n.role, region, zone, demand: n.demand, reason });
    }
    // Only entries of nodes still asked for count: a node dropped from its ledger is gone.
    const withExisting = new Set(Object.keys(existing).map((key) => key.slice(0, key.indexOf("/"))));
    for (const ledger of dedicated.values()) {
        if (!withExisting.has(ledger.ledger)) continue;
        for (const n of ledger.nodes) {
            const key = `${ledger.ledger}/${n.name}`;
            const before = Object.hasOwn(existing, key) ? existing[key] : undefined;
            if (pinned.has(key) || before === undefined) continue;
            const region = regionOf(before.region, `node ${key} (placed before)`);
            const zone = checkZone(before.zone, region, `node ${key} (placed before)`);
            items.push({ ledger: ledger.ledger, node: n.name, role: n.role, region, zone, demand: n.demand, reason: "kept: placed here before, and its volume lives in this zone" });
        }
    }
    for (const item of items) {
        const spec = fleet.regions[item.region]!.spec;
        const tenant = dedicated.get(item.ledger)?.tenant ?? item.ledger;
        if (!fitsIn(item.demand, spec.capacity)) {
            throw new PlacementError(
                tenant,
                "machine-size",
                `${tenant}'s ${item.role} ${item.node}${tenant === item.ledger ? "" : ` (ledger ${item.ledger})`} in ${spec.id} needs ${formatDemand(item.demand)}, more than one ${spec.machine} has allocatable (${formatDemand(spec.capacity)}): give ${spec.id}'s ledger pool a larger machine type, or lower the node's resources`,
            );
        }
        const residency = dedicated.get(item.ledger)?.residency;
        if (!admits(residency, spec)) {
            throw new PlacementError(
                tenant,
                "residency",
                `${tenant}'s node ${item.node} is in ${spec.id} (${item.reason.startsWith("fixed") ? "pinned there" : "placed there before"}), which its residency (${describeResidency(residency)}) does not admit: a node never moves on its own, since its volume lives there; move it by hand or widen the residency to admit ${spec.id}`,
            );
        }
    }
    // Zoned items, largest first within each zone, each on the first machine with room.
    const zoned = items.map((item, i) => ({ item, i })).filter(({ item }) => item.zone !== undefined);
    zoned.sort(
        (a, b) =>
            zoneKey(a.item.region, a.item.zone!) - zoneKey(b.item.region, b.item.zone!) ||
            share(b.item.demand, fleet.regions[b.item.region]!.spec.capacity) - share(a.item.demand, fleet.regions[a.item.region]!.spec.capacity) ||
            a.i - b.i,
    );
    for (const { item } of zoned) {
        const bins = fleet.regions[item.region]!.bins[item.zone!]!;
        const machine = bins.firstFit(item.demand, fleet.ledgerMachines(item.ledger), zoneKey(item.region, item.zone!));
        fleet.put({ ledger: item.ledger, node: item.node, role: item.role, region: item.region, demand: item.demand, reason: item.reason }, { zone: item.zone!, machine });
    }
    // Fixed nodes without a zone: where they fit without the pool growing, else the least-filled zone.
    for (const item of items) {
        if (item.zone !== undefined) continue;
        const state = fleet.regions[item.region]!;
        const zones = state.bins.map((_, z) => z).sort((a, b) => fleet.podsInZone(item.ledger, item.region, a) - fleet.podsInZone(item.ledger, item.region, b) || a - b);
        const spot = fleet.spotWithoutGrowth(item.region, item.demand, fleet.ledgerMachines(item.ledger), zones) ?? {
            zone: zones.reduce((best, z) => (state.bins[z]!.count < state.bins[best]!.count ? z : best), zones[0]!),
            machine: -1,
        };
        fleet.put({ ledger: item.ledger, node: item.node, role: item.role, region: item.region, demand: item.demand, reason: `${item.reason}; zone chosen where it fits` }, spot);
    }
    for (const state of fleet.regions) {
        const rows = fleet.paidRows(state.index);
        if (rows <= state.maxRows) continue;
        const here = [...fleet.byLedger.values()].flat().filter((p) => p.region === state.index);
        const tenants = [...new Set(here.map((p) => dedicated.get(p.ledger)?.tenant ?? p.ledger))];
        const machines = rows * state.spec.zones;
        throw new PlacementError(
            tenants[0]!,
            "pool-max",
            `region ${state.spec.id}: the ${here.length} nodes already there (fixed or placed before; ledgers of ${tenants.slice(0, 4).join(", ")}${tenants.length > 4 ? ", ..." : ""}) need ${machines} machines (${rows} in each of ${state.spec.zones} zones), above its pool max of ${state.spec.maxMachines}: raise the max to ${machines}, or move pinned nodes elsewhere`,
        );
    }
}

/** A dedicated ledger's fixed and kept validators must already respect f per region (and per failure domain where that applies). */
export function checkPreplaced(fleet: Fleet, plan: LedgerPlan): void {
    const { tenant, ledger } = plan.demand;
    const byRegion = new Map<number, string[]>();
    const byDomain = new Map<number, string[]>();
    for (const p of fleet.byLedger.get(ledger) ?? []) {
        if (p.role !== "validator") continue;
        const domain = fleet.regions[p.region]!.domain;
        byRegion.set(p.region, [...(byRegion.get(p.region) ?? []), p.node]);
        byDomain.set(domain, [...(byDomain.get(domain) ?? []), p.node]);
    }
    const more = (n: number) => `${3 * n + 1} validators allow ${n} per ${plan.fdActive ? "region and failure domain" : "region"}`;
    for (const [region, nodes] of byRegion) {
        if (nodes.length <= plan.f) continue;
        throw new PlacementError(
            tenant,
            "fault-tolerance",
            `${tenant} already has ${nodes.length} validators in ${fleet.regions[region]!.spec.id} (pinned or placed before: ${nodes.join(", ")}), but with ${plan.validators} validators f = ${plan.f} allows ${plan.f} per region: unpin one, or run more validators (${more(nodes.length)})`,
        );
    }
    if (!plan.fdActive) return;
    for (const [domain, nodes] of byDomain) {
        if (nodes.length <= plan.f) continue;
        throw new PlacementError(
            tenant,
            "failure-domains",
            `${tenant} already has ${nodes.length} validators in failure domain ${fleet.domains[domain]} (pinned or placed before: ${nodes.join(", ")}), but with ${plan.validators} validators f = ${plan.f} allows ${plan.f} per failure domain (its residency admits ${plan.domainsAdmitted} domains): unpin one, or run more validators (${more(nodes.length)})`,
        );
    }
}
