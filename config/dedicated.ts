// Dedicated tenants become ledgers. A tenant with `dedicated: { validators, rpc, residency }` gets a
// chain of its own (own genesis, keys and namespace); the placement engine (scheduler/placement)
// decides which cloud region and zone each of its nodes lives in, packing them with every other
// ledger's pods onto the regions' ledger pools. The result is an ordinary ledger in
// `network.ledgers`, named after the tenant, with every node's region and zone written out: from
// here on the Network, the policies, the summary and the cost model treat it like `main`.
//
// Stable: nodes placed by an earlier deploy are an input (the stack's previous `ledgers` output)
// and stay where they are; adding a tenant moves no existing node. Pure: no Pulumi.
import { createHash } from "node:crypto";
import { CATALOG } from "./catalog";
import { countryOf } from "./catalog/countries";
import { nodeZones } from "./cloud-settings";
import type { KeyPath } from "./errors";
import { failureDomainOf } from "./failure-domain";
import { nodeResources } from "./node-resources";
import { allocatable } from "./pool-sizing";
import { ledgerSchema, type CloudRegionConfig, type LedgerConfig, type NetworkConfig, type TenantConfig } from "./schema";
import { machineHourPrice } from "../scheduler/cost";
import {
    admits,
    dedicatedNodeResources,
    place,
    PlacementError,
    podDemand,
    type FixedNode,
    type LedgerDemand,
    type PlacementRegion,
    type PlacementResult,
    type Vector,
} from "../scheduler/placement";

/** The engine's answer as the loaded network carries it: what the plan shows and the pools are sized from. */
export interface NetworkPlacement {
    /** Cloud regions the engine packed, in file order. */
    readonly regions: Readonly<Record<string, { machines: number; perZone: readonly number[]; lowerBound: number; nodes: number; utilisation: Vector; machine: string }>>;
    /** "<ledger>/<node>" of every dedicated node -> where it went and why. */
    readonly nodes: Readonly<Record<string, { region: string; zone: string; reason: string; kept: boolean }>>;
    readonly machines: number;
    readonly ffdMachines: number;
    readonly lowerBound: number;
    /** Dedicated ledgers whose chain id the loader derived (pin it: it is part of their genesis). */
    readonly derivedChainIds: Readonly<Record<string, number>>;
}

export interface PlacementProblem {
    path: KeyPath;
    message: string;
}

/**
 * The largest volume of the StorageClass each adapter builds, GiB: gp3 16,384 (EC2 API reference,
 * EBS volume sizes); pd-balanced 65,536 (Compute Engine, persistent disk limits); ESSD PL1 65,536
 * (Alibaba Cloud, ESSD specifications). Checked 2026-11-25.
 */
const MAX_VOLUME_GIB: Readonly<Record<CloudRegionConfig["cloud"], number>> = { aws: 16_384, gcp: 65_536, alicloud: 65_536 };

/** A dedicated ledger's node names: val-1..val-N, rpc-1..rpc-M. */
export function dedicatedNodeNames(tenant: TenantConfig): { name: string; role: "validator" | "rpc" }[] {
    const d = tenant.dedicated;
    if (d === undefined) return [];
    return [
        ...Array.from({ length: d.validators }, (_, i) => ({ name: `val-${i + 1}`, role: "validator" as const })),
        ...Array.from({ length: d.rpc }, (_, i) => ({ name: `rpc-${i + 1}`, role: "rpc" as const })),
    ];
}

/**
 * A chain id for a dedicated ledger that names none: derived from the network and tenant names (the
 * same every run), nine digits, never a development default or another ledger's. It becomes part of
 * the genesis, so the plan tells the operator to pin it.
 */
export function derivedChainId(networkName: string, tenantId: string, taken: ReadonlySet<number>): number {
    const digest = createHash("sha256").update(`${networkName}/${tenantId}`).digest();
    let id = 100_000_000 + (digest.readUInt32BE(0) % 900_000_000);
    while (taken.has(id)) id++;
    return id;
}

/**
 * Where each dedicated node was placed before, from a stack's previous `ledgers` output
 * ({ <ledger>: { nodes: { <node>: { region, zone } } } }); empty when never deployed.
 */
export function previousPlacement(ledgers: unknown): Record<string, { region: string; zone: string }> {
    const out: Record<string, { region: string; zone: string }> = {};
    if (ledgers === null || typeof ledgers !== "object") return out;
    for (const [ledger, summary] of Object.entries(ledgers as Record<string, unknown>)) {
        const nodes = (summary as { nodes?: unknown } | null)?.nodes;
        if (nodes === null || typeof nodes !== "object") continue;
        for (const [node, n] of Object.entries(nodes as Record<string, { region?: unknown; zone?: unknown }>)) {
            if (typeof n?.region === "string" && typeof n.zone === "string") out[`${ledger}/${node}`] = { region: n.region, zone: n.zone };
        }
    }
    return out;
}

/** The loaded network with every dedicated tenant's ledger added and placed; problems instead when it cannot be. */
export function withDedicatedLedgers(
    network: NetworkConfig,
    previous: Readonly<Record<string, { region: string; zone: string }>> = {},
): { network: NetworkConfig; problems: PlacementProblem[] } {
    const dedicated = network.tenants.map((t, index) => ({ t, index })).filter(({ t }) => t.dedicated !== undefined);
    if (dedicated.length === 0) return { network, problems: [] };
    const problems: PlacementProblem[] = [];

    // Cloud regions are the candidates: their pools grow with what is placed on them. An existing
    // cluster has no pool ledgerfleet can size, and its nodes need addresses the file names.
    const cloudRegions = Object.entries(network.regions).filter((e): e is [string, CloudRegionConfig] => e[1].cloud !== "existing");
    const regions: PlacementRegion[] = [];
    const zonesOf: Record<string, readonly string[]> = {};
    for (const [id, region] of cloudRegions) {
        const catalog = CATALOG[region.cloud];
        const zones = region.zones ?? catalog.regions[region.region]?.slice(0, 3) ?? [];
        const machine = region.pools?.ledger?.machine ?? catalog.defaults.ledgerMachine;
        const size = catalog.machines[machine];
        // An unknown region or machine is reported by the cloud checks that run next.
        if (size === undefined || zones.length === 0) continue;
        zonesOf[id] = zones;
        const free = allocatable(size);
        regions.push({
            id,
            cloud: region.cloud,
            failureDomain: failureDomainOf(id, region),
            country: countryOf(region.cloud, region.region),
            machine,
            capacity: { cpuMillis: free.cpuMillis, memoryMiB: free.memoryMiB, volumes: size.maxVolumes },
            zones: zones.length,
            minMachines: region.pools?.ledger?.min ?? 0,
            maxMachines: region.pools?.ledger?.max ?? 1000,
            machineHourPrice: machineHourPrice(region.cloud, region.region, machine, region.prices),
        });
    }

    // Everything already in those regions by hand: the shared ledgers' nodes, and pinned dedicated nodes.
    const fixed: FixedNode[] = [];
    const pinnedZones: Record<string, Record<string, string>> = {};
    for (const [ledgerId, ledger] of Object.entries(network.ledgers)) {
        for (const node of ledger.nodes) {
            const zones = zonesOf[node.region];
            if (zones === undefined) continue;
            const r = nodeResources(ledger, node);
            const zone = (pinnedZones[node.region] ??= nodeZones(network, node.region, zones))[`${ledgerId}/${node.name}`];
            // A zone the region does not have is the cloud checks' to report, on the file as written.
            if (zone !== undefined && !zones.includes(zone)) return { network, problems: [] };
            fixed.push({ ledger: ledgerId, node: node.name, role: node.role, region: node.region, zone: zone === undefined ? undefined : zones.indexOf(zone), demand: podDemand(node.role, r.cpu, r.memory) });
        }
    }

    const existing: Record<string, { region: string; zone: number }> = {};
    const ledgers: LedgerDemand[] = [];
    const resourcesOf: Record<string, NonNullable<LedgerConfig["resources"]>> = {};
    for (const { t } of dedicated) {
        const d = t.dedicated;
        if (d === undefined) continue;
        const sized = {
            validator: dedicatedNodeResources("validator", t.tps, t.storageGiB),
            rpc: dedicatedNodeResources("rpc", t.tps, t.storageGiB),
        };
        resourcesOf[t.id] = sized;
        const pinned = new Map((d.nodes ?? []).map((n) => [n.name, n]));
        const toPlace = [];
        for (const { name, role } of dedicatedNodeNames(t)) {
            const demand = podDemand(role, sized[role].cpu, sized[role].memory);
            const pin = pinned.get(name);
            const zones = pin === undefined ? undefined : zonesOf[pin.region];
            if (pin !== undefined) {
                // Pinned by hand: load the engine packs around, in the zone named or one it spreads to.
                if (zones !== undefined && pin.zone !== undefined && !zones.includes(pin.zone)) {
                    const at = d.nodes?.findIndex((n) => n.name === name) ?? 0;
                    problems.push({ path: ["tenants", network.tenants.indexOf(t), "dedicated", "nodes", at, "zone"], message: `zone '${pin.zone}' is not one of region '${pin.region}''s zones (${zones.join(", ")})` });
                    continue;
                }
                if (zones !== undefined) fixed.push({ ledger: t.id, node: name, role, region: pin.region, zone: pin.zone === undefined ? undefined : zones.indexOf(pin.zone), demand });
                continue;
            }
            const was = previous[`${t.id}/${name}`];
            const wasZones = was === undefined ? undefined : zonesOf[was.region];
            if (was !== undefined && wasZones !== undefined && wasZones.includes(was.zone)) existing[`${t.id}/${name}`] = { region: was.region, zone: wasZones.indexOf(was.zone) };
            toPlace.push({ name, role, demand });
        }
        ledgers.push({ ledger: t.id, tenant: t.id, nodes: toPlace, residency: d.residency });
    }

    if (problems.length > 0) return { network, problems };
    // Two mistakes are named before the engine runs, with what each filter left: residency that
    // admits no region, and chain data no volume of the admitted clouds can hold.
    for (const { t, index } of dedicated) {
        const residency = t.dedicated?.residency;
        const admitted = regions.filter((r) => admits(residency, r));
        if (admitted.length === 0) {
            problems.push({
                path: ["tenants", index, "dedicated", residency === undefined ? "validators" : "residency"],
                message: residency === undefined
                    ? "a dedicated ledger's nodes go to cloud regions, and the network has none ledgerfleet can place on: add a cloud region"
                    : `residency admits none of the network's cloud regions (${regions.map((r) => `${r.id}: ${r.cloud}, ${r.country ?? "no country"}`).join("; ")}): widen it or add a region it admits`,
            });
            continue;
        }
        // The larger volume of the two roles (an rpc node keeps every state version: Forest).
        const storage = Math.max(resourcesOf[t.id]?.validator?.storageGiB ?? 0, resourcesOf[t.id]?.rpc?.storageGiB ?? 0);
        const largest = Math.max(...admitted.map((r) => MAX_VOLUME_GIB[r.cloud as CloudRegionConfig["cloud"]]));
        if (storage > largest) {
            problems.push({
                path: ["tenants", index, t.storageGiB === undefined ? "tps" : "storageGiB"],
                message: `each node of '${t.id}' needs a ${storage} GiB volume${t.storageGiB === undefined ? " (sized from its tps)" : ""}, and the largest volume in the regions its residency admits holds ${largest} GiB: lower it, or admit a cloud with larger volumes`,
            });
        }
    }
    if (problems.length > 0) return { network, problems };

    let result: PlacementResult;
    try {
        result = place({ regions, fixed, ledgers, existing });
    } catch (error) {
        if (!(error instanceof PlacementError)) throw error;
        const index = network.tenants.findIndex((t) => t.id === error.tenant);
        const at: KeyPath = ["tenants", Math.max(index, 0)];
        const key = error.constraint === "residency" ? ["dedicated", "residency"] : error.constraint === "machine-size" ? ["tps"] : ["dedicated"];
        const tenant = network.tenants[index];
        const path = error.constraint === "residency" && tenant?.dedicated?.residency === undefined ? [...at, "dedicated"] : [...at, ...key];
        problems.push({ path, message: error.message });
        return { network, problems };
    }

    const placedAt = new Map(result.nodes.map((n) => [`${n.ledger}/${n.node}`, n]));
    const taken = new Set(Object.values(network.ledgers).map((l) => l.chainId));
    const derivedChainIds: Record<string, number> = {};
    const image = Object.values(network.ledgers)[0]?.image;
    const ledgersOut: Record<string, LedgerConfig> = { ...network.ledgers };
    const placedNodes: Record<string, { region: string; zone: string; reason: string; kept: boolean }> = {};
    for (const { t, index } of dedicated) {
        const d = t.dedicated;
        if (d === undefined) continue;
        const chainId = d.chainId ?? derivedChainId(network.name, t.id, taken);
        if (d.chainId === undefined) derivedChainIds[t.id] = chainId;
        taken.add(chainId);
        const ledgerImage = d.image ?? image;
        if (ledgerImage === undefined) {
            problems.push({ path: ["tenants", index, "dedicated"], message: "the network has no shared ledger whose Besu image a dedicated ledger could use: set dedicated.image (pinned by digest)" });
            continue;
        }
        const nodes = dedicatedNodeNames(t).map(({ name, role }) => {
            const key = `${t.id}/${name}`;
            const at = placedAt.get(key);
            const pin = d.nodes?.find((n) => n.name === name);
            const region = at?.region ?? pin?.region ?? "";
            const zones = zonesOf[region];
            const zone = pin?.zone ?? (at !== undefined && zones !== undefined ? zones[at.zone] : undefined);
            if (pin === undefined && at !== undefined && zone !== undefined) {
                placedNodes[key] = { region, zone, reason: at.reason, kept: existing[key] !== undefined };
            }
            return { name, role, region, ...(zone === undefined ? {} : { zone }) };
        });
        ledgersOut[t.id] = ledgerSchema.parse({
            framework: "besu",
            consensus: "qbft",
            chainId,
            image: ledgerImage,
            blockPeriodSeconds: d.blockPeriodSeconds,
            resources: resourcesOf[t.id],
            nodes,
        });
    }
    if (problems.length > 0) return { network, problems };

    const placement: NetworkPlacement = {
        regions: Object.fromEntries(
            result.regions.map((r) => [
                r.region,
                { machines: r.machines, perZone: r.perZone, lowerBound: r.lowerBound, nodes: r.nodes, utilisation: r.utilisation, machine: regions.find((x) => x.id === r.region)?.machine ?? "" },
            ]),
        ),
        nodes: placedNodes,
        machines: result.machines,
        ffdMachines: result.ffdMachines,
        lowerBound: result.lowerBound,
        derivedChainIds,
    };
    const tenants = network.tenants.map((t) => (t.dedicated === undefined ? t : { ...t, ledger: t.id }));
    return { network: { ...network, ledgers: ledgersOut, tenants, placement }, problems };
}
