import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { PORTS } from "../frameworks/besu/config";
import { genesisValidators, qbftGenesis } from "../frameworks/besu/genesis";
import { allowlistLines, type PeerEntry, staticNodesJson } from "../frameworks/besu/peers";
import { hostCidr } from "../config/addresses";
import { cloudProviderResourceName, ledgerNamespaceName, nodeDnsName, regionResourceName } from "../config/names";
import { cloudSettings } from "../config/cloud-settings";
import { faultTolerance } from "../config/fault-tolerance";
import type { NetworkShape } from "../policies/ledger-shape";
import { type AddressBook, type PublishedAddresses, publishAddresses, referencedAddresses, reserveAddresses } from "./address-book";
import type { CloudModules } from "./clouds";
import { type DeployTarget, deploysRegion, type LedgerConfig, type NetworkConfig, nodeKeyConfigPath } from "../config/schema";
import { type GenesisLock, genesisLock, genesisParameters, genesisValidatorEntries, lockDifferences, sha256Hex } from "./genesis-lock";
import { deployedLock, GlobalIdentities, referencedIdentity } from "./global-reference";
import { type NodeIdentity, nodeIdentity } from "./identity";
import { nodeResources } from "../config/node-resources";
import { type DeployedNode, Region, type RegionArgs, type RegionLedger } from "./region";
import { checkedKeyHashes, regionScheduler } from "./scheduler";

export interface NetworkArgs {
    readonly config: NetworkConfig;
    /** What this stack deploys. @default { kind: "all" } */
    readonly deploy?: DeployTarget;
    /** `ledgerfleet:nodeKeys` secret config ("<ledger>/<node>" -> private key) for brought keys. */
    readonly nodeKeys?: pulumi.Output<Record<string, string> | undefined>;
    /** `ledgerfleet:tenantKeyHashes` secret config (tenant id -> SHA-256 hex of its key), for the schedulers. */
    readonly tenantKeyHashes?: pulumi.Output<Record<string, string> | undefined>;
    /** The global stack (`org/project/stack`) a `region:<id>` stack reads identities from. */
    readonly globalStack?: string;
    /**
     * This stack's own name (`org/project/stack`), whose previous outputs hold the genesis it deployed.
     * @default the running stack
     */
    readonly selfStack?: string;
    /** The cloud adapters the network's regions use (components/clouds/index.ts `loadClouds`). */
    readonly clouds?: CloudModules;
}


export interface LedgerSummary {
    chainId: number;
    namespace: string;
    genesisSha256: string;
    /** What the genesis was made from, and its bytes: the next run refuses a different one. */
    genesis: GenesisLock;
    /** Validator addresses in genesis, as its extraData lists them. */
    validators: string[];
    nodes: Record<string, {
        region: string;
        role: string;
        p2pAddress: string;
        /** Cloud regions: the zone its pod and volume live in (a node never moves away from its volume). */
        zone?: string;
        dnsName: string;
        publicKey: string;
        enode: string;
        address: string;
        keySource: string;
        storageGiB: number;
    }>;
}

/**
 * The whole network: node identities and genesis for every ledger, and one Region per region the
 * stack deploys. In `global` mode only identities and genesis; in `region:<id>` mode they come
 * from the global stack and only that region is built.
 */
export class Network extends pulumi.ComponentResource {
    readonly ledgers: pulumi.Output<Record<string, LedgerSummary>>;
    /** "<ledger>/<node>" -> private key, for region stacks (secret). Only set in `global` mode. */
    readonly nodePrivateKeys?: pulumi.Output<Record<string, string>>;
    readonly regions: Record<string, Region> = {};
    /** Every static address this stack reserved or read (global and `all` stacks publish it). */
    readonly addresses?: pulumi.Output<PublishedAddresses>;
    /** The DNS zone's name servers, to delegate the domain to (global and `all` stacks, with `dns`). */
    readonly nameServers?: pulumi.Output<string[]>;
    private pendingRegions: (() => Region)[];

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        // The network's shape as inputs of the component: what the ledger policies check a whole
        // ledger against, even in a region stack that builds only part of it (policies/ledger.ts).
        super("ledgerfleet:index:Network", name, networkShape(args.config), opts);
        const { config } = args;
        const deploy = args.deploy ?? { kind: "all" };
        const global = deploy.kind === "region" ? this.globalReference(name, args.globalStack) : undefined;
        // The global stack owns genesis; every other stack reads what it deployed last time.
        const previous = global === undefined ? this.previousLedgers(name, args.selfStack) : undefined;
        const needsRandom = Object.values(config.ledgers).some((l) => l.nodes.some((n) => n.publicKey === undefined));
        const randomProvider = global === undefined && needsRandom ? new random.Provider(`${name}-random`, {}, { parent: this }) : undefined;
        const clouds = args.clouds ?? { adapters: {}, dns: {} };
        // A provider per cloud region this stack touches: the global stack reserves addresses in every
        // one, a region stack builds its own cluster with its own.
        const providers: Record<string, pulumi.ProviderResource> = {};
        for (const regionId of deploy.kind === "region" ? [deploy.region] : Object.keys(config.regions)) {
            const region = config.regions[regionId];
            if (region === undefined || region.cloud === "existing") continue;
            const adapter = clouds.adapters[region.cloud];
            if (adapter === undefined) throw new Error(`internal: region ${regionId} needs the ${region.cloud} adapter, which was not loaded`);
            providers[regionId] = adapter.provider(cloudProviderResourceName(name, regionId), { network: config.name, regionId, region, parent: this });
        }
        const book =
            global !== undefined
                ? referencedAddresses(config, clouds, global.stackName, global.addresses)
                : reserveAddresses({ network: name, config, clouds, providers, parent: this });
        const egress = (region: string): pulumi.Input<string>[] => (book.egress[region] ?? []).map((a) => a.ip);
        const previousNodes = previous?.apply((p) => previousNodeState(p));

        const ledgers: RegionLedger[] = Object.entries(config.ledgers).map(([id, ledger]) => {
            const identities: NodeIdentity[] = ledger.nodes.map((node) => {
                // A stack uses the private keys of the nodes it builds, and no others (a region stack's
                // state still holds the global stack's outputs: README, "Keys and data").
                const withPrivateKey = deploysRegion(deploy, node.region);
                const address = book.nodes[nodeKeyConfigPath(id, node.name)];
                if (address === undefined) throw new Error(`internal: no address for ${id}/${node.name}`);
                if (global !== undefined && node.publicKey === undefined) return referencedIdentity(global, id, node, config.domain, withPrivateKey, address.ip);
                return nodeIdentity({ ledger: id, node, domain: config.domain, p2pAddress: address.ip, parent: this, randomProvider, nodeKeys: args.nodeKeys, withPrivateKey });
            });
            const planned = genesisLock(ledger, "");
            const genesis =
                global !== undefined
                    ? global.genesis(id, planned)
                    : lockedGenesis(id, planned, computedGenesis(ledger, identities), previous, args.selfStack ?? "this stack");
            // Every region's Namespace waits for the genesis, and everything else for the Namespace:
            // a brought key that does not match its public key stops the stack before anything is built.
            const keyChecks = identities.flatMap((i) => (i.keyChecked === undefined ? [] : [i.keyChecked]));
            const genesisJson: pulumi.Output<string> = keyChecks.length === 0 ? genesis : pulumi.all([genesis, pulumi.all(keyChecks)]).apply(([json]) => json);
            const keyed = identities.map((i) =>
                pulumi.all([i.publicKey, i.p2pAddress, pulumi.all(egress(i.region))]).apply(([publicKey, address, from]): PeerEntry => ({ publicKey, address, egress: from })),
            );
            // One Output per ledger over all its keys, shared by every region's peer files: never one per node.
            const entries = pulumi.all(keyed);
            return {
                id,
                config: ledger,
                namespace: ledgerNamespaceName(config.name, id),
                genesisJson,
                identities,
                staticNodesJson: pulumi.all(identities.map((i) => i.enode)).apply(staticNodesJson),
                allowlist: entries.apply((all) => allowlistLines(all, PORTS.p2p)),
                peerSources: hostCidrs([...new Set(identities.map((i) => i.region))].flatMap(egress)),
            };
        });

        const tenantKeys = checkedKeyHashes(config, args.tenantKeyHashes);
        const regionIds =
            deploy.kind === "all" ? Object.keys(config.regions) : deploy.kind === "region" ? [deploy.region] : [];
        this.pendingRegions = regionIds.map((regionId) => () => {
            const region = config.regions[regionId];
            if (region === undefined) throw new pulumi.RunError(`deploy target names region '${regionId}', which the network file does not define`);
            return (this.regions[regionId] = new Region(
                regionResourceName(name, regionId),
                {
                    network: config.name,
                    regionId,
                    region,
                    ledgers: ledgers.filter((l) => l.identities.some((i) => i.region === regionId)),
                    schedulerSources: hostCidrs(Object.keys(config.regions).filter((r) => r !== regionId).flatMap(egress)),
                    netRestrict: config.netRestrict,
                    scheduler: regionScheduler(config, regionId, tenantKeys),
                    previousNodes,
                    addresses: book,
                    cloud: cloudArgs(config, regionId, clouds, providers[regionId]),
                },
                // A renamed region adopts what it built under its old id; its children's names start
                // with its own, so the engine carries the alias down to them.
                { parent: this, aliases: region.cloud === "existing" && region.renamedFrom ? [{ name: `${name}-${region.renamedFrom}` }] : undefined },
            ));
        });

        if (global === undefined) {
            this.addresses = publishAddresses(book);
            this.nameServers = networkDns(name, config, clouds, providers, book, this);
        }
        // Each cloud node's zone, worked out once per region (the summary records it).
        const zones: Record<string, string> = Object.assign({}, ...Object.keys(config.regions).map((r) => cloudSettings(config, r).settings?.nodeZones ?? {}));
        this.ledgers = pulumi.all(Object.fromEntries(ledgers.map((l) => [l.id, summarize(l, zones)])));
        if (deploy.kind === "global") {
            const held = ledgers.flatMap((l) => l.identities).filter((i) => i.keySource === "generated");
            this.nodePrivateKeys = pulumi.secret(
                pulumi.all(Object.fromEntries(held.map((i) => [nodeKeyConfigPath(i.ledger, i.node), i.privateKey ?? ""]))),
            );
        }
        this.registerOutputs({ ledgers: this.ledgers, nodePrivateKeys: this.nodePrivateKeys, addresses: this.addresses, nameServers: this.nameServers });
    }

    /**
     * Builds the Regions and their nodes, a batch at a time, letting the event loop turn in between. A
     * program that builds every resource at once holds every registration in flight together; in
     * batches, the registrations of one batch can finish (and their pending state be freed) before
     * the next is built. It changes no resource and no dependency: under `pulumi up` the turns cost
     * nothing measurable, and in an offline plan of a large network they bound the memory in flight.
     */
    async buildRegions(): Promise<void> {
        const builders = this.pendingRegions;
        this.pendingRegions = [];
        for (const build of builders) {
            await new Promise((resolve) => setImmediate(resolve));
            await build().buildNodes();
        }
    }

    private globalReference(name: string, globalStack: string | undefined): GlobalIdentities {
        if (globalStack === undefined) {
            throw new pulumi.RunError(
                "a region stack reads node identities from the global stack: set ledgerfleet:globalStack to its name (org/project/stack)",
            );
        }
        return new GlobalIdentities(globalStack, new pulumi.StackReference(`${name}-global`, { name: globalStack }, { parent: this }));
    }

    /**
     * This stack's `ledgers` output from its last update: a StackReference to the running stack reads
     * the last checkpoint (nothing on a first deploy), and previews resolve it too.
     */
    private previousLedgers(name: string, selfStack: string | undefined): pulumi.Output<Record<string, unknown> | undefined> {
        const stack = selfStack ?? `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
        const ref = new pulumi.StackReference(`${name}-previous`, { name: stack }, { parent: this });
        return ref.getOutput("ledgers").apply((v: unknown) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>) : undefined));
    }
}

/** The Network component's inputs: the fault-tolerance table and every ledger's nodes (policies/ledger.ts reads them). */
export function networkShape(config: NetworkConfig): NetworkShape {
    return {
        faultTolerance: faultTolerance(config),
        ledgers: Object.fromEntries(
            Object.entries(config.ledgers).map(([id, l]) => [
                id,
                { image: l.image, nodes: l.nodes.map((n) => ({ name: n.name, role: n.role, region: n.region })) },
            ]),
        ),
    };
}

/**
 * Addresses as single-host CIDRs: the file's, de-duplicated and sorted (stable manifests), then the
 * clouds' in network order.
 */
function hostCidrs(addresses: readonly pulumi.Input<string>[]): pulumi.Input<string>[] {
    const known = [...new Set(addresses.filter((a): a is string => typeof a === "string"))].sort().map(hostCidr);
    const reserved = addresses.filter((a) => typeof a !== "string").map((a) => pulumi.output(a).apply(hostCidr));
    return [...known, ...reserved];
}

/** What a cloud region's Region needs to build its cluster; undefined for existing clusters and regions this stack does not build. */
function cloudArgs(config: NetworkConfig, regionId: string, clouds: CloudModules, provider: pulumi.ProviderResource | undefined): RegionArgs["cloud"] {
    const region = config.regions[regionId];
    if (region === undefined || region.cloud === "existing") return undefined;
    const adapter = clouds.adapters[region.cloud];
    const { settings, problems } = cloudSettings(config, regionId);
    // The loader reports these with file and line; a program handed an unchecked config stops here.
    if (settings === undefined) throw new pulumi.RunError(`region ${regionId}: ${problems.map((p) => p.message).join("; ")}`);
    if (adapter === undefined || provider === undefined) throw new Error(`internal: region ${regionId} has no ${region.cloud} adapter or provider`);
    return { adapter, provider, settings };
}

/** The network's DNS zone and a record per node (global and `all` stacks, when the file names `dns`). */
function networkDns(
    name: string,
    config: NetworkConfig,
    clouds: CloudModules,
    providers: Readonly<Record<string, pulumi.ProviderResource>>,
    book: AddressBook,
    parent: pulumi.Resource,
): pulumi.Output<string[]> | undefined {
    if (config.dns === undefined) return undefined;
    const cloud = config.dns.provider;
    const dns = clouds.dns[cloud];
    const regionId = Object.keys(config.regions).find((r) => config.regions[r]?.cloud === cloud);
    const provider = regionId === undefined ? undefined : providers[regionId];
    if (dns === undefined || regionId === undefined || provider === undefined) throw new Error(`internal: no ${cloud} DNS adapter or provider`);
    const records = Object.entries(config.ledgers).flatMap(([ledgerId, ledger]) =>
        ledger.nodes.map((node) => {
            const address = book.nodes[nodeKeyConfigPath(ledgerId, node.name)];
            if (address === undefined) throw new Error(`internal: no address for ${ledgerId}/${node.name}`);
            const fqdn = nodeDnsName(ledgerId, node.name, node.region, config.domain);
            return { key: `${ledgerId}-${node.name}`, relativeName: fqdn.slice(0, -(config.domain.length + 1)), ip: address.ip };
        }),
    );
    return dns.zone(`${name}-dns`, { network: config.name, domain: config.domain, provider, regionId, records, parent }).nameServers;
}

/** genesis.json from the genesis validators: names resolve to their node's address, 0x entries stand. */
function computedGenesis(ledger: LedgerConfig, identities: readonly NodeIdentity[]): pulumi.Output<string> {
    const byName = new Map(identities.map((i) => [i.node, i]));
    const addresses = genesisValidatorEntries(ledger).map((entry) => {
        const identity = byName.get(entry);
        if (identity === undefined) return pulumi.output(entry.toLowerCase());
        return identity.address;
    });
    return pulumi.all(addresses).apply((validators) => qbftGenesis({ ...genesisParameters(ledger), validators }));
}

/**
 * The genesis this stack deploys: what it deployed before, byte for byte, when the network file still
 * agrees with it (a refusal, before any resource changes, when it does not); else the computed one.
 */
function lockedGenesis(
    ledger: string,
    planned: Omit<GenesisLock, "sha256" | "json">,
    computed: pulumi.Output<string>,
    previous: pulumi.Output<Record<string, unknown> | undefined> | undefined,
    stack: string,
): pulumi.Output<string> {
    if (previous === undefined) return computed;
    return pulumi.all([previous, computed]).apply(([ledgers, json]) => {
        const entry = ledgers?.[ledger] as { genesis?: unknown } | undefined;
        const deployed = deployedLock(entry?.genesis, `ledger ${ledger}`);
        if (deployed === undefined) return json;
        const differences = lockDifferences(deployed, planned);
        if (differences.length > 0) {
            throw new pulumi.RunError(
                `genesis of ledger ${ledger} is locked: ${stack} deployed it, and a running chain's genesis never changes ` +
                    `(nodes restarted on another genesis refuse their own database). ${differences.join("; ")}.`,
            );
        }
        return deployed.json;
    });
}

/** "<ledger>/<node>" -> its volume's size and zone as last deployed, from the previous `ledgers` output. */
function previousNodeState(ledgers: Record<string, unknown> | undefined): Record<string, DeployedNode> {
    const out: Record<string, DeployedNode> = {};
    for (const [ledger, summary] of Object.entries(ledgers ?? {})) {
        const nodes = (summary as { nodes?: Record<string, { storageGiB?: unknown; zone?: unknown }> } | null)?.nodes ?? {};
        for (const [node, n] of Object.entries(nodes)) {
            out[nodeKeyConfigPath(ledger, node)] = {
                ...(typeof n?.storageGiB === "number" ? { storageGiB: n.storageGiB } : {}),
                ...(typeof n?.zone === "string" ? { zone: n.zone } : {}),
            };
        }
    }
    return out;
}

function summarize(l: RegionLedger, zones: Readonly<Record<string, string>>): pulumi.Output<LedgerSummary> {
    const nodes = pulumi.all(
        Object.fromEntries(
            l.identities.map((i) => {
                const node = l.config.nodes.find((n) => n.name === i.node);
                const storageGiB = node === undefined ? 0 : nodeResources(l.config, node).storageGiB;
                const zone = zones[nodeKeyConfigPath(l.id, i.node)];
                return [
                    i.node,
                    pulumi.all([i.publicKey, i.enode, i.address, i.p2pAddress]).apply(([publicKey, enode, address, p2pAddress]) => ({
                        region: i.region,
                        role: i.role,
                        p2pAddress,
                        ...(zone === undefined ? {} : { zone }),
                        dnsName: i.dnsName,
                        publicKey,
                        enode,
                        address,
                        keySource: i.keySource,
                        storageGiB,
                    })),
                ];
            }),
        ),
    );
    return pulumi.all([l.genesisJson, nodes]).apply(([genesis, n]) => ({
        chainId: l.config.chainId,
        namespace: l.namespace,
        genesisSha256: sha256Hex(genesis),
        genesis: genesisLock(l.config, genesis),
        validators: genesisValidators(genesis),
        nodes: n,
    }));
}
