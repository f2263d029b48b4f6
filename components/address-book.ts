// Every static address of the network, in one place: each node's P2P address and each region's
// egress (NAT) addresses. Existing clusters name theirs in the network file. Cloud regions' are
// reserved by the global stack (or the `all` stack), one per node in the node's own cloud region, and
// published as its `addresses` output, which region stacks read: no region stack creates an address,
// so stacks go up in any order, and every peer list is complete on the first pass.
import * as pulumi from "@pulumi/pulumi";
import { canonicalIp } from "../frameworks/besu/host";
import { egressAddressResourceName, nodeAddressResourceName } from "../config/names";
import { type NetworkConfig, nodeKeyConfigPath } from "../config/schema";
import type { CloudModules } from "./clouds";
import type { CloudAdapter, ReservedAddress } from "./clouds/types";
import { configuredAddress } from "./identity";

export interface AddressBook {
    /** "<ledger>/<node>" -> the node's P2P address. */
    readonly nodes: Readonly<Record<string, ReservedAddress>>;
    /** Region id -> where its pods' connections to other sites come from. */
    readonly egress: Readonly<Record<string, readonly ReservedAddress[]>>;
}

/** The `addresses` stack output: plain values. */
export interface PublishedAddresses {
    nodes: Record<string, { ip: string; ref: string }>;
    egress: Record<string, { ip: string; ref: string }[]>;
}

function adapterFor(clouds: CloudModules, cloud: string): CloudAdapter {
    const adapter = clouds.adapters[cloud as keyof CloudModules["adapters"]];
    if (adapter === undefined) throw new Error(`internal: the ${cloud} adapter was not loaded`);
    return adapter;
}

/** Addresses as the network file names them (existing clusters). */
function configured(config: NetworkConfig, nodes: Record<string, ReservedAddress>, egress: Record<string, readonly ReservedAddress[]>): void {
    for (const [ledgerId, ledger] of Object.entries(config.ledgers)) {
        for (const node of ledger.nodes) {
            if (config.regions[node.region]?.cloud !== "existing") continue;
            const ip = configuredAddress(ledgerId, node);
            nodes[nodeKeyConfigPath(ledgerId, node.name)] = { ip, ref: ip };
        }
    }
    for (const [id, region] of Object.entries(config.regions)) {
        if (region.cloud === "existing") egress[id] = region.egressAddresses.map((a) => ({ ip: canonicalIp(a), ref: canonicalIp(a) }));
    }
}

/** Global and `all` stacks: reserve every cloud node's and cloud region's address, protected. */
export function reserveAddresses(args: {
    network: string;
    config: NetworkConfig;
    clouds: CloudModules;
    providers: Readonly<Record<string, pulumi.ProviderResource>>;
    parent: pulumi.Resource;
}): AddressBook {
    const { config } = args;
    const nodes: Record<string, ReservedAddress> = {};
    const egress: Record<string, readonly ReservedAddress[]> = {};
    configured(config, nodes, egress);
    for (const [regionId, region] of Object.entries(config.regions)) {
        if (region.cloud === "existing") continue;
        const adapter = adapterFor(args.clouds, region.cloud);
        const provider = args.providers[regionId];
        if (provider === undefined) throw new Error(`internal: no provider for region ${regionId}`);
        const base = { network: config.name, regionId, region, provider, parent: args.parent };
        egress[regionId] = Array.from({ length: adapter.egressCount(region) }, (_, i) =>
            adapter.reserveAddress(egressAddressResourceName(args.network, regionId, i), { ...base, purpose: "egress" }),
        );
        for (const [ledgerId, ledger] of Object.entries(config.ledgers)) {
            for (const node of ledger.nodes.filter((n) => n.region === regionId)) {
                const key = nodeKeyConfigPath(ledgerId, node.name);
                nodes[key] = adapter.reserveAddress(nodeAddressResourceName(args.network, regionId, ledgerId, node.name), { ...base, purpose: "p2p", node: key });
            }
        }
    }
    return { nodes, egress };
}

/** Region stacks: the cloud addresses the global stack reserved, read from its `addresses` output. */
export function referencedAddresses(config: NetworkConfig, clouds: CloudModules, globalStack: string, published: pulumi.Output<unknown>): AddressBook {
    const nodes: Record<string, ReservedAddress> = {};
    const egress: Record<string, readonly ReservedAddress[]> = {};
    configured(config, nodes, egress);
    const book = published.apply((v) => (v !== null && typeof v === "object" ? (v as Partial<PublishedAddresses>) : {}));
    const entry = (what: string, pick: (p: Partial<PublishedAddresses>) => { ip: string; ref: string } | undefined) => {
        const found = book.apply((p) => {
            const e = pick(p);
            if (e === undefined) {
                throw new pulumi.RunError(`global stack ${globalStack} has no address for ${what}: run \`pulumi up\` on the global stack after changing the network file`);
            }
            return e;
        });
        return { ip: found.apply((e) => e.ip), ref: found.apply((e) => e.ref) };
    };
    for (const [regionId, region] of Object.entries(config.regions)) {
        if (region.cloud === "existing") continue;
        const count = adapterFor(clouds, region.cloud).egressCount(region);
        egress[regionId] = Array.from({ length: count }, (_, i) => entry(`region ${regionId}'s egress #${i + 1}`, (p) => p.egress?.[regionId]?.[i]));
        for (const [ledgerId, ledger] of Object.entries(config.ledgers)) {
            for (const node of ledger.nodes.filter((n) => n.region === regionId)) {
                const key = nodeKeyConfigPath(ledgerId, node.name);
                nodes[key] = entry(`node ${key}`, (p) => p.nodes?.[key]);
            }
        }
    }
    return { nodes, egress };
}

/** The `addresses` output the global stack publishes for region stacks (and people). */
export function publishAddresses(book: AddressBook): pulumi.Output<PublishedAddresses> {
    const pair = (a: ReservedAddress): pulumi.Output<{ ip: string; ref: string }> => pulumi.all([a.ip, a.ref]).apply(([ip, ref]) => ({ ip, ref }));
    const nodes = Object.entries(book.nodes).map(([k, a]) => pair(a).apply((p) => [k, p] as const));
    const egress = Object.entries(book.egress).map(([r, list]) => pulumi.all(list.map(pair)).apply((p) => [r, p] as const));
    return pulumi.all([pulumi.all(nodes), pulumi.all(egress)]).apply(([n, e]) => ({
        nodes: Object.fromEntries(n.map(([k, p]) => [k, { ip: p.ip, ref: p.ref }])),
        egress: Object.fromEntries(e.map(([r, list]) => [r, list.map((p) => ({ ip: p.ip, ref: p.ref }))])),
    }));
}
