// What a tenant would pay to deploy the same fault tolerance alone: "the number the network sells".
// A cluster of its own in every region its ledger uses (same regions, so same clouds and prices),
// each with everything the adapter builds around a cluster (control plane, two system machines of
// the catalog's type, NAT and its addresses), the ledger machines its pods need in whole rows over
// the region's zones (a managed pool spreads machines evenly), and the pods' own volumes,
// addresses, load balancers and egress. An existing cluster in the ledger's regions would be the
// tenant's whole cluster: it pays that region's full monthly price.
//
// - A dedicated tenant: its own ledger's nodes, as placed.
// - A shared-ledger tenant: the smallest ledger with the shared ledger's fault tolerance, 3f + 1
//   validators (f of the shared ledger) round robin over the regions its validators use, and one
//   rpc node in each of its regions, each sized like the shared ledger's node of that role there.
import { CATALOG } from "../../config/catalog";
import { allocatable, type Requests, zonalMachinesFor } from "../../config/pool-sizing";
import type { LedgerConfig, NetworkConfig, NodeConfig, TenantConfig } from "../../config/schema";
import { billCluster, billTotal, type ClusterPod } from "./cluster";
import { ALONE_SYSTEM_MACHINES } from "./footprint";
import { clusterPod, settingsOf } from "./pods";
import { regionRates } from "./rates";

export interface Alone {
    /** USD per month, unrounded. */
    readonly usd: number;
    /** How it was worked out, for the plan. */
    readonly basis: string;
}

/** The regions of `nodes`, in order of first appearance. */
function regionsOf(nodes: readonly NodeConfig[]): string[] {
    return [...new Set(nodes.map((n) => n.region))];
}

/** Cost of one tenant-only cluster holding `nodes` (pods in file order, round robin over the region's zones, as the loader places them). */
function ownCluster(network: NetworkConfig, regionId: string, ledgerId: string, ledger: LedgerConfig, nodes: readonly NodeConfig[], regions: number): number {
    const region = network.regions[regionId];
    if (region === undefined) throw new Error(`ledger '${ledgerId}' has a node in region '${regionId}', which the network does not define`);
    if (region.cloud === "existing") return region.prices?.monthly ?? 0;
    const settings = settingsOf(network, regionId);
    const zones = settings.zones;
    const pods = nodes.map((node) => clusterPod(ledgerId, ledger, node, regions));
    const byZone: Requests[][] = zones.map(() => []);
    nodes.forEach((node, i) => {
        const zone = node.zone === undefined ? i % zones.length : Math.max(0, zones.indexOf(node.zone));
        (byZone[zone] as Requests[]).push((pods[i] as ClusterPod).requests);
    });
    const catalog = CATALOG[region.cloud];
    const machine = settings.pools.ledger.machine;
    const size = catalog.machines[machine];
    if (size === undefined) throw new Error(`region '${regionId}': '${machine}' is not a ${region.cloud} machine type ledgerfleet knows`);
    const machines = zonalMachinesFor(byZone)(allocatable(size));
    if (!Number.isFinite(machines)) throw new Error(`region '${regionId}': a pod of ledger '${ledgerId}' does not fit on one ${machine}, so no cluster of its own can be priced`);
    const bill = billCluster({
        cloud: region.cloud,
        rates: regionRates(region.cloud, region.region, region.prices),
        zones: zones.length,
        ledgerPool: { machine, size, machines },
        systemPool: { machine: catalog.defaults.systemMachine, machines: ALONE_SYSTEM_MACHINES },
        pods,
    });
    return billTotal(bill);
}

function sum(values: readonly number[]): number {
    return values.reduce((a, b) => a + b, 0);
}

/** A dedicated tenant alone: its ledger's own nodes, each region a cluster of its own. */
function dedicatedAlone(network: NetworkConfig, ledgerId: string, ledger: LedgerConfig): Alone {
    const regions = regionsOf(ledger.nodes);
    const usd = sum(regions.map((r) => ownCluster(network, r, ledgerId, ledger, ledger.nodes.filter((n) => n.region === r), regions.length)));
    return { usd, basis: `its ${ledger.nodes.length} nodes in a cluster of its own in each of ${regions.join(", ")}` };
}

/** The shared ledger's node of `role` in `region` (else its first of that role, else a bare one) whose resources a stand-in copies. */
function template(shared: LedgerConfig, role: "validator" | "rpc", region: string): NodeConfig {
    const found = shared.nodes.find((n) => n.role === role && n.region === region) ?? shared.nodes.find((n) => n.role === role);
    return found ?? { name: role, role, region };
}

/** A shared-ledger tenant alone: 3f + 1 validators and one rpc node per region, sized like the shared ledger's. */
function sharedAlone(network: NetworkConfig, ledgerId: string, shared: LedgerConfig): Alone {
    const validators = shared.nodes.filter((n) => n.role === "validator");
    const f = Math.max(0, Math.floor((validators.length - 1) / 3));
    const validatorRegions = regionsOf(validators.length > 0 ? validators : shared.nodes);
    const regions = regionsOf(shared.nodes);
    const standIns: NodeConfig[] = [
        ...Array.from({ length: 3 * f + 1 }, (_, i): NodeConfig => {
            const region = validatorRegions[i % validatorRegions.length] as string;
            const like = template(shared, "validator", region);
            return { name: `val-${i + 1}`, role: "validator", region, ...(like.resources === undefined ? {} : { resources: like.resources }) };
        }),
        ...regions.map((region, i): NodeConfig => {
            const like = template(shared, "rpc", region);
            return {
                name: `rpc-${i + 1}`,
                role: "rpc",
                region,
                ...(like.resources === undefined ? {} : { resources: like.resources }),
                ...(like.rpcAddress === undefined ? {} : { rpcAddress: like.rpcAddress }),
            };
        }),
    ];
    const usd = sum(regions.map((r) => ownCluster(network, r, ledgerId, shared, standIns.filter((n) => n.region === r), regions.length)));
    return {
        usd,
        basis: `a ledger of its own like ${ledgerId} (${3 * f + 1} validators for f = ${f}, one rpc node per region) in a cluster of its own in each of ${regions.join(", ")}`,
    };
}

export function aloneCost(network: NetworkConfig, tenant: TenantConfig, ledgerId: string): Alone {
    const ledger = network.ledgers[ledgerId];
    if (ledger === undefined) throw new Error(`tenant '${tenant.id}' uses ledger '${ledgerId}', which the network does not define`);
    return tenant.dedicated === undefined ? sharedAlone(network, ledgerId, ledger) : dedicatedAlone(network, ledgerId, ledger);
}
