// The network's monthly cost, per region, cloud, ledger and tenant, beside what each tenant would pay
// alone. Pure: the loaded network in, a report out; prices from config/catalog/prices.ts and the
// regions' overrides.
//
// How the cost is allocated (USD per month, on-demand list prices, 730 hours):
// - A cloud region pays for what its adapter builds (scheduler/cost/cluster.ts): the pools' machines
//   and their boot disks, the control plane, NAT and its addresses, one static address and one P2P
//   load balancer per node, an RPC load balancer per rpc node with an rpcAddress when the network
//   has other regions, each node's volume, and an egress estimate per node.
// - Inside a region, the ledger pool's machines are paid by the pods on them by dominant share (the
//   larger of a pod's CPU and memory share of the pool's allocatable capacity), normalised so the
//   whole pool, idle capacity included, is paid. A node's volume, address, load balancers and egress
//   are its ledger's. The fixed costs (control plane, system pool, NAT and its addresses) are shared
//   by the ledgers in the region by the same shares: by the machines they hold.
// - An existing cluster costs its `prices.monthly` (0, and listed as unpriced, when not given),
//   shared by its ledgers by dominant share of the region's requests.
// - A ledger costs the sum over its nodes. A dedicated tenant pays its ledger. A shared ledger is
//   split among its tenants half by TPS quota and half by weight: the quota is the capacity the
//   nodes are sized for, the weight the tenant's claim on it when the peers are saturated; both are
//   what a tenant buys. A ledger no tenant uses (the operator's own) is `unallocated`, and so is a
//   region's bill when no ledger has a node in it.
// - `alone`: scheduler/cost/alone.ts.
// Money stays unrounded until the report, where each breakdown is apportioned in whole cents from the
// total (scheduler/cost/money.ts): regions, clouds, ledgers and tenants each add up to it exactly.
import { CATALOG } from "../../config/catalog";
import { HOURS_PER_MONTH, PRICES, PRICES_CHECKED, priceSources } from "../../config/catalog/prices";
import type { CloudName, NetworkConfig, TenantConfig } from "../../config/schema";
import { type Alone, aloneCost } from "./alone";
import { type Bill, billCluster, billTotal, COST_KINDS, type CostKind, dominantShares } from "./cluster";
import { EGRESS_GIB_PER_NODE_MONTH } from "./footprint";
import { apportion, cents } from "./money";
import { clusterPod, settingsOf } from "./pods";
import { regionRates } from "./rates";

export { machineHourPrice } from "./rates";

/** USD per month; `items` by kind (compute, control-plane, nat, load-balancers, addresses, storage, egress, existing). */
export interface CostLine {
    monthly: number;
    items: Record<string, number>;
}

export interface TenantCost {
    id: string;
    ledger: string;
    dedicated: boolean;
    /** What the tenant pays on the network, USD per month. */
    monthly: number;
    /** What the same fault tolerance would cost it alone, USD per month. */
    alone: number;
    /** monthly / alone (4 decimals; 0 when alone is 0). */
    ratio: number;
    /** How `alone` was worked out. */
    basis: string;
}

export interface CostReport {
    currency: "USD";
    /** When the price tables were checked. */
    checked: string;
    /** Where the prices come from (pricing pages; "estimate: ..." for derived figures). */
    sources: string[];
    total: number;
    regions: Record<string, CostLine & { cloud: string }>;
    /** Cloud (and "existing") -> USD per month. */
    clouds: Record<string, number>;
    ledgers: Record<string, number>;
    tenants: TenantCost[];
    /** Cost of ledgers no tenant uses (the operator's own), and of regions with no ledger node. */
    unallocated: number;
    /** Existing regions with no price given (counted as 0). */
    unpriced: string[];
}

/** The bill of one region of the network. */
function regionBill(network: NetworkConfig, regionId: string): Bill {
    const region = network.regions[regionId];
    if (region === undefined) throw new Error(`internal: region '${regionId}' vanished`);
    const regions = Object.keys(network.regions).length;
    const pods = Object.entries(network.ledgers).flatMap(([ledgerId, ledger]) =>
        ledger.nodes.filter((n) => n.region === regionId).map((n) => clusterPod(ledgerId, ledger, n, regions)),
    );
    if (region.cloud === "existing") {
        const monthly = region.prices?.monthly ?? 0;
        if (pods.length === 0) return { items: { existing: monthly }, byLedger: {}, unowned: monthly };
        // No pool to measure against: the shares are of what the region's pods request together.
        const all = pods.reduce((a, p) => ({ cpuMillis: a.cpuMillis + p.requests.cpuMillis, memoryMiB: a.memoryMiB + p.requests.memoryMiB }), { cpuMillis: 0, memoryMiB: 0 });
        const shares = dominantShares(pods.map((p) => p.requests), all);
        const byLedger: Record<string, number> = {};
        pods.forEach((p, i) => (byLedger[p.ledger] = (byLedger[p.ledger] ?? 0) + (shares[i] as number) * monthly));
        return { items: { existing: monthly }, byLedger, unowned: 0 };
    }
    const settings = settingsOf(network, regionId);
    const { ledger, system } = settings.pools;
    const size = CATALOG[region.cloud].machines[ledger.machine];
    if (size === undefined) throw new Error(`region '${regionId}': '${ledger.machine}' is not a ${region.cloud} machine type ledgerfleet knows`);
    return billCluster({
        cloud: region.cloud,
        rates: regionRates(region.cloud, region.region, region.prices),
        zones: settings.zones.length,
        ledgerPool: { machine: ledger.machine, size, machines: ledger.desired },
        systemPool: { machine: system.machine, machines: system.desired },
        pods,
    });
}

/** Each shared-ledger tenant's part: half by TPS quota, half by weight, among the ledger's tenants. */
function sharedParts(tenants: readonly TenantConfig[]): number[] {
    const tps = tenants.reduce((a, t) => a + t.tps, 0);
    const weight = tenants.reduce((a, t) => a + t.weight, 0);
    return tenants.map((t) => 0.5 * (t.tps / tps) + 0.5 * (t.weight / weight));
}

/** The ledger a tenant pays for: its own when dedicated (the loader names it after the tenant). */
function ledgerOf(network: NetworkConfig, tenant: TenantConfig): string {
    const ledger = tenant.ledger ?? (tenant.dedicated === undefined ? undefined : tenant.id);
    if (ledger === undefined) throw new Error(`tenant '${tenant.id}' names no ledger: give it \`ledger: <shared ledger>\` or \`dedicated:\``);
    if (network.ledgers[ledger] === undefined) {
        throw new Error(
            `tenant '${tenant.id}' uses ledger '${ledger}', which the network does not define` +
                (tenant.dedicated === undefined ? "" : " (a dedicated tenant's ledger is made by the loader: cost the network config/load.ts returns)"),
        );
    }
    return ledger;
}

export function networkCost(network: NetworkConfig): CostReport {
    const regionIds = Object.keys(network.regions);
    const bills = regionIds.map((id) => regionBill(network, id));
    const total = cents(bills.reduce((a, b) => a + billTotal(b), 0));

    // Regions, their items, and clouds: each apportioned from the total, so each adds up to it.
    const regionCents = apportion(bills.map(billTotal), total);
    const regions: CostReport["regions"] = {};
    const clouds: Record<string, number> = {};
    regionIds.forEach((id, i) => {
        const cloud = (network.regions[id] as { cloud: string }).cloud;
        const bill = bills[i] as Bill;
        const kinds = COST_KINDS.filter((k): k is CostKind => bill.items[k] !== undefined);
        const itemCents = apportion(kinds.map((k) => bill.items[k] as number), regionCents[i] as number);
        regions[id] = { cloud, monthly: (regionCents[i] as number) / 100, items: Object.fromEntries(kinds.map((k, j) => [k, (itemCents[j] as number) / 100])) };
        clouds[cloud] = (clouds[cloud] ?? 0) + (regionCents[i] as number);
    });

    // Ledgers, and what no ledger pays for.
    const ledgerIds = Object.keys(network.ledgers);
    const ledgerUsd = ledgerIds.map((l) => bills.reduce((a, b) => a + (b.byLedger[l] ?? 0), 0));
    const unowned = bills.reduce((a, b) => a + b.unowned, 0);
    const split = apportion([...ledgerUsd, unowned], total);
    const ledgerCents = Object.fromEntries(ledgerIds.map((l, i) => [l, split[i] as number]));
    let unallocated = split[ledgerIds.length] as number;

    // Tenants, from the ledgers' cents: a dedicated tenant pays its ledger, a shared ledger is split.
    const ledgerOfTenant = new Map(network.tenants.map((t) => [t.id, ledgerOf(network, t)]));
    const monthly = new Map<string, number>();
    for (const ledgerId of ledgerIds) {
        const users = network.tenants.filter((t) => ledgerOfTenant.get(t.id) === ledgerId);
        const owner = users.find((t) => t.dedicated !== undefined);
        const sharers = users.filter((t) => t.dedicated === undefined);
        const amount = ledgerCents[ledgerId] as number;
        if (owner !== undefined) monthly.set(owner.id, amount);
        else if (sharers.length > 0) apportion(sharedParts(sharers), amount).forEach((c, i) => monthly.set((sharers[i] as TenantConfig).id, c));
        else unallocated += amount;
    }
    // A shared ledger's tenants all compare with the same stand-in ledger: priced once per ledger.
    const sharedAlone = new Map<string, Alone>();
    const tenants = network.tenants.map((t): TenantCost => {
        const ledger = ledgerOfTenant.get(t.id) as string;
        const alone = t.dedicated !== undefined ? aloneCost(network, t, ledger) : (sharedAlone.get(ledger) ?? aloneCost(network, t, ledger));
        if (t.dedicated === undefined) sharedAlone.set(ledger, alone);
        const paid = (monthly.get(t.id) ?? 0) / 100;
        const aloneUsd = cents(alone.usd) / 100;
        return {
            id: t.id,
            ledger,
            dedicated: t.dedicated !== undefined,
            monthly: paid,
            alone: aloneUsd,
            ratio: aloneUsd === 0 ? 0 : Math.round((paid / aloneUsd) * 10_000) / 10_000,
            basis: alone.basis,
        };
    });

    const cloudsUsed = new Set(Object.values(network.regions).flatMap((r) => (r.cloud === "existing" ? [] : [r.cloud as CloudName])));
    const sources = [
        ...new Set([
            ...[...cloudsUsed].flatMap((c) => priceSources(PRICES[c])),
            `estimate: ${EGRESS_GIB_PER_NODE_MONTH} GiB of internet egress per ledger node per month (scheduler/cost/footprint.ts); ${HOURS_PER_MONTH} hours a month`,
        ]),
    ];
    return {
        currency: "USD",
        checked: PRICES_CHECKED,
        sources,
        total: total / 100,
        regions,
        clouds: Object.fromEntries(Object.entries(clouds).map(([c, v]) => [c, v / 100])),
        ledgers: Object.fromEntries(Object.entries(ledgerCents).map(([l, v]) => [l, v / 100])),
        tenants,
        unallocated: unallocated / 100,
        unpriced: regionIds.filter((id) => {
            const r = network.regions[id];
            return r?.cloud === "existing" && r.prices === undefined;
        }),
    };
}

/** Problems in price overrides: an unknown machine type (path ["regions", id, "prices", "machines", type]), with the known types named. */
export function priceProblems(network: NetworkConfig): { path: (string | number)[]; message: string }[] {
    const problems: { path: (string | number)[]; message: string }[] = [];
    for (const [id, region] of Object.entries(network.regions)) {
        if (region.cloud === "existing") continue;
        const catalog = CATALOG[region.cloud];
        for (const machine of Object.keys(region.prices?.machines ?? {})) {
            if (catalog.machines[machine] !== undefined) continue;
            problems.push({
                path: ["regions", id, "prices", "machines", machine],
                message: `'${machine}' is not a ${region.cloud} machine type ledgerfleet knows (config/catalog/${region.cloud}.ts, checked ${catalog.checked}), so its price would never be used; known: ${Object.keys(catalog.machines).sort().join(", ")}`,
            });
        }
    }
    return problems;
}
