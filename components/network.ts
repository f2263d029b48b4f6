import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { PORTS } from "../frameworks/besu/config";
import { genesisValidators, qbftGenesis } from "../frameworks/besu/genesis";
import { allowlistLines, type PeerEntry, staticNodesJson } from "../frameworks/besu/peers";
import { hostCidr } from "../config/addresses";
import { ledgerNamespaceName, regionResourceName } from "../config/names";
import { type DeployTarget, deploysRegion, type LedgerConfig, type NetworkConfig, nodeKeyConfigPath } from "../config/schema";
import { type GenesisLock, genesisLock, genesisParameters, genesisValidatorEntries, lockDifferences, sha256Hex } from "./genesis-lock";
import { deployedLock, GlobalIdentities, referencedIdentity } from "./global-reference";
import { type NodeIdentity, nodeIdentity } from "./identity";
import { nodeResources } from "./ledger-node";
import { Region, type RegionLedger } from "./region";

export interface NetworkArgs {
    readonly config: NetworkConfig;
    /** What this stack deploys. @default { kind: "all" } */
    readonly deploy?: DeployTarget;
    /** `ledgerfleet:nodeKeys` secret config ("<ledger>/<node>" -> private key) for brought keys. */
    readonly nodeKeys?: pulumi.Output<Record<string, string> | undefined>;
    /** The global stack (`org/project/stack`) a `region:<id>` stack reads identities from. */
    readonly globalStack?: string;
    /**
     * This stack's own name (`org/project/stack`), whose previous outputs hold the genesis it deployed.
     * @default the running stack
     */
    readonly selfStack?: string;
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
    private pendingRegions: (() => Region)[];

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ledgerfleet:index:Network", name, {}, opts);
        const { config } = args;
        const deploy = args.deploy ?? { kind: "all" };
        const global = deploy.kind === "region" ? this.globalReference(name, args.globalStack) : undefined;
        // The global stack owns genesis; every other stack reads what it deployed last time.
        const previous = global === undefined ? this.previousLedgers(name, args.selfStack) : undefined;
        const needsRandom = Object.values(config.ledgers).some((l) => l.nodes.some((n) => n.publicKey === undefined));
        const randomProvider = global === undefined && needsRandom ? new random.Provider(`${name}-random`, {}, { parent: this }) : undefined;

        const ledgers: RegionLedger[] = Object.entries(config.ledgers).map(([id, ledger]) => {
            const identities: NodeIdentity[] = ledger.nodes.map((node) => {
                // A stack uses the private keys of the nodes it builds, and no others (a region stack's
                // state still holds the global stack's outputs: README, "Keys and data").
                const withPrivateKey = deploysRegion(deploy, node.region);
                if (global !== undefined && node.publicKey === undefined) return referencedIdentity(global, id, node, config.domain, withPrivateKey);
                return nodeIdentity({ ledger: id, node, domain: config.domain, parent: this, randomProvider, nodeKeys: args.nodeKeys, withPrivateKey });
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
            const egress = (region: string) => egressOf(config, region);
            const keyed = identities.map((i) =>
                i.publicKey.apply((publicKey): PeerEntry => ({ publicKey, address: i.p2pAddress, egress: egress(i.region) })),
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
                peerSources: [...new Set(identities.flatMap((i) => egress(i.region)))].sort().map(hostCidr),
            };
        });

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
                    schedulerSources: Object.keys(config.regions).filter((r) => r !== regionId).flatMap((r) => egressOf(config, r)).map(hostCidr),
                    netRestrict: config.netRestrict,
                    previousStorage: previous?.apply((p) => previousStorage(p)),
                },
                // A renamed region adopts what it built under its old id; its children's names start
                // with its own, so the engine carries the alias down to them.
                { parent: this, aliases: region.cloud === "existing" && region.renamedFrom ? [{ name: `${name}-${region.renamedFrom}` }] : undefined },
            ));
        });

        this.ledgers = pulumi.all(Object.fromEntries(ledgers.map((l) => [l.id, summarize(l)])));
        if (deploy.kind === "global") {
            const held = ledgers.flatMap((l) => l.identities).filter((i) => i.keySource === "generated");
            this.nodePrivateKeys = pulumi.secret(
                pulumi.all(Object.fromEntries(held.map((i) => [nodeKeyConfigPath(i.ledger, i.node), i.privateKey ?? ""]))),
            );
        }
        this.registerOutputs({ ledgers: this.ledgers, nodePrivateKeys: this.nodePrivateKeys });
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

/** A region's egress addresses (existing regions name them; cloud regions will reserve theirs). */
function egressOf(config: NetworkConfig, region: string): string[] {
    const r = config.regions[region];
    return r !== undefined && r.cloud === "existing" ? r.egressAddresses : [];
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

/** "<ledger>/<node>" -> storageGiB as last deployed, from the previous `ledgers` output. */
function previousStorage(ledgers: Record<string, unknown> | undefined): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [ledger, summary] of Object.entries(ledgers ?? {})) {
        const nodes = (summary as { nodes?: Record<string, { storageGiB?: unknown }> } | null)?.nodes ?? {};
        for (const [node, n] of Object.entries(nodes)) {
            if (typeof n?.storageGiB === "number") out[nodeKeyConfigPath(ledger, node)] = n.storageGiB;
        }
    }
    return out;
}

function summarize(l: RegionLedger): pulumi.Output<LedgerSummary> {
    const nodes = pulumi.all(
        Object.fromEntries(
            l.identities.map((i) => {
                const node = l.config.nodes.find((n) => n.name === i.node);
                const storageGiB = node === undefined ? 0 : nodeResources(l.config, node).storageGiB;
                return [
                    i.node,
                    pulumi.all([i.publicKey, i.enode, i.address]).apply(([publicKey, enode, address]) => ({
                        region: i.region,
                        role: i.role,
                        p2pAddress: i.p2pAddress,
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
