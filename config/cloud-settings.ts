// A cloud region's settings with every default filled in and checked against the catalog: zones,
// control-plane version, API allow-list, and pool sizes from the nodes it hosts. The loader reports
// the problems (file, line, key path); the Region builds from the settings.
import { CATALOG } from "./catalog";
import { ACK_RELEASES } from "./catalog/alicloud";
import type { KeyPath } from "./errors";
import { nodeResources } from "./node-resources";
import { allocatable, ledgerPodRequests, type Requests, zonalMachinesFor } from "./pool-sizing";
import type { CloudRegionConfig, NetworkConfig } from "./schema";

/** One pool's size: machine type and machine counts, all totals over the pool's zones. */
export interface PoolSize {
    readonly machine: string;
    readonly min: number;
    readonly max: number;
    /** Machines to start with: enough for the region's ledger pods, within [min, max]. */
    readonly desired: number;
    /** The same per zone (pools spread evenly over `zones`; GKE's regional pools count per zone). */
    readonly perZone: { readonly min: number; readonly max: number; readonly desired: number };
}

export interface CloudSettings {
    readonly zones: readonly string[];
    readonly kubernetesVersion: string;
    readonly apiAllowList: readonly string[];
    readonly pools: { readonly system: PoolSize; readonly ledger: PoolSize };
    /** "<ledger>/<node>" -> the zone its pod and volume live in. */
    readonly nodeZones: Readonly<Record<string, string>>;
}

export interface SettingsProblem {
    readonly path: KeyPath;
    readonly message: string;
}

/** The VPC range every cloud adapter can split (AWS allows /16 to /28; pods need a /20 at least). */
const VPC_PREFIX = { min: 16, max: 20 } as const;

/** Add-ons (CoreDNS, metrics) run two replicas: two system machines at least. */
const SYSTEM_MIN = 2;

/** The nodes a region hosts, in file order, with the zone each is pinned to. */
export function nodeZones(network: NetworkConfig, regionId: string, zones: readonly string[]): Record<string, string> {
    const out: Record<string, string> = {};
    let i = 0;
    for (const [ledgerId, ledger] of Object.entries(network.ledgers)) {
        for (const node of ledger.nodes) {
            if (node.region !== regionId) continue;
            // Round robin in file order: validators of one region land in different zones.
            out[`${ledgerId}/${node.name}`] = node.zone ?? (zones[i % zones.length] as string);
            i++;
        }
    }
    return out;
}

export function cloudSettings(network: NetworkConfig, regionId: string): { settings?: CloudSettings; problems: SettingsProblem[] } {
    const region = network.regions[regionId];
    if (region === undefined || region.cloud === "existing") return { problems: [] };
    const problems: SettingsProblem[] = [];
    const at = (...path: (string | number)[]): KeyPath => ["regions", regionId, ...path];
    const catalog = CATALOG[region.cloud];
    const known = catalog.regions[region.region];
    if (known === undefined) {
        problems.push({
            path: at("region"),
            message: `'${region.region}' is not a ${region.cloud} region ledgerfleet knows (config/catalog/${region.cloud}.ts, checked ${catalog.checked}); ` +
                `known: ${Object.keys(catalog.regions).sort().join(", ")}`,
        });
        return { problems };
    }
    // What every adapter can split into node, pod and load balancer ranges (AWS VPCs are /16 at most).
    const vpc = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(region.vpcCidr);
    if (vpc === null || Number(vpc[2]) < VPC_PREFIX.min || Number(vpc[2]) > VPC_PREFIX.max) {
        problems.push({
            path: at("vpcCidr"),
            message: `expected an IPv4 range from /${VPC_PREFIX.min} to /${VPC_PREFIX.max} (the cluster's machines, pods and load balancers take addresses from it; AWS VPCs are /16 at most), found ${region.vpcCidr}`,
        });
    }
    const zones = region.zones ?? known.slice(0, 3);
    region.zones?.forEach((zone, i) => {
        if (!known.includes(zone)) problems.push({ path: at("zones", i), message: `'${zone}' is not a zone of ${region.cloud} region ${region.region}; its zones: ${known.join(", ")}` });
    });
    if (region.zones !== undefined && new Set(region.zones).size !== region.zones.length) {
        problems.push({ path: at("zones"), message: "a zone is listed twice: name each zone once" });
    }
    if (zones.length < 2) {
        problems.push({ path: at("region"), message: `${region.cloud} region ${region.region} has fewer than two zones in the catalog: a cluster needs at least two` });
    }

    // ACK takes a full release (1.35.7-aliyun.1): only the minors the catalog maps can be built.
    if (region.cloud === "alicloud" && region.kubernetesVersion !== undefined && ACK_RELEASES[region.kubernetesVersion] === undefined) {
        problems.push({
            path: at("kubernetesVersion"),
            message: `ACK offers no release of Kubernetes ${region.kubernetesVersion} that ledgerfleet knows (config/catalog/alicloud.ts, checked ${catalog.checked}); known: ${Object.keys(ACK_RELEASES).join(", ")}`,
        });
    }
    const placed = nodeZones(network, regionId, zones);
    for (const [ledgerId, ledger] of Object.entries(network.ledgers)) {
        ledger.nodes.forEach((node, i) => {
            if (node.region === regionId && node.zone !== undefined && !zones.includes(node.zone)) {
                problems.push({ path: ["ledgers", ledgerId, "nodes", i, "zone"], message: `zone '${node.zone}' is not one of region '${regionId}''s zones (${zones.join(", ")})` });
            }
        });
    }

    const podsByZone = zones.map((zone) =>
        Object.entries(network.ledgers).flatMap(([ledgerId, ledger]) =>
            ledger.nodes
                .filter((n) => n.region === regionId && placed[`${ledgerId}/${n.name}`] === zone)
                .map((n): Requests => {
                    const r = nodeResources(ledger, n);
                    return ledgerPodRequests(n.role, r.cpu, r.memory);
                }),
        ),
    );
    const system = pool(region, "system", catalog.defaults.systemMachine, zones.length, () => SYSTEM_MIN, problems, at);
    // With dedicated ledgers placed, the engine packed every ledger pod of the region (config/dedicated.ts).
    const packed = network.placement?.regions[regionId];
    const ledgerNeed = packed === undefined ? zonalMachinesFor(podsByZone) : () => packed.machines;
    const ledgerPool = pool(region, "ledger", catalog.defaults.ledgerMachine, zones.length, ledgerNeed, problems, at);
    if (problems.length > 0 || system === undefined || ledgerPool === undefined) return { problems };
    return {
        settings: {
            zones,
            kubernetesVersion: region.kubernetesVersion ?? catalog.defaults.kubernetesVersion,
            apiAllowList: region.apiAllowList ?? network.apiAllowList,
            pools: { system, ledger: ledgerPool },
            nodeZones: placed,
        },
        problems,
    };
}

function pool(
    region: CloudRegionConfig,
    which: "system" | "ledger",
    defaultMachine: string,
    zoneCount: number,
    needed: (capacity: Requests) => number,
    problems: SettingsProblem[],
    at: (...path: (string | number)[]) => KeyPath,
): PoolSize | undefined {
    const given = region.pools?.[which];
    const machine = given?.machine ?? defaultMachine;
    const size = CATALOG[region.cloud].machines[machine];
    if (size === undefined) {
        problems.push({
            path: given?.machine === undefined ? at("cloud") : at("pools", which, "machine"),
            message: `'${machine}' is not a ${region.cloud} machine type ledgerfleet knows (config/catalog/${region.cloud}.ts, checked ${CATALOG[region.cloud].checked})`,
        });
        return undefined;
    }
    const need = needed(allocatable(size));
    if (need === Infinity) {
        problems.push({
            path: at("pools", which, "machine"),
            message: `a ledger pod of this region does not fit on one ${machine} (${size.vcpu} vCPU, ${size.memoryGiB} GiB, less the kubelet's and DaemonSets' share): choose a larger machine type or smaller node resources`,
        });
        return undefined;
    }
    const min = given?.min ?? need;
    const max = given?.max ?? Math.max(min, need, zoneCount * 3);
    if (given?.min !== undefined && min > max) {
        problems.push({ path: at("pools", which, "min"), message: `min (${min}) is greater than max (${max}) in the ${which} pool` });
        return undefined;
    }
    if (need > max) {
        problems.push({
            path: at("pools", which, "max"),
            message: `the ${which} pool is too small: the region's ledger pods need ${need} ${machine} machines (${need / zoneCount} in each of ${zoneCount} zones) at their resource requests, and max is ${max}; raise max to ${need} or choose a larger machine type`,
        });
        return undefined;
    }
    const desired = Math.max(min, need);
    const perZone = (n: number) => Math.ceil(n / zoneCount);
    return { machine, min, max, desired, perZone: { min: perZone(min), max: perZone(max), desired: perZone(desired) } };
}
