import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { qbftGenesis } from "../frameworks/besu/genesis";
import { type DeployTarget, deploysRegion, type NetworkConfig, nodeKeyConfigPath } from "../stacks/schema";
import { GlobalIdentities, referencedIdentity } from "./global-reference";
import { type NodeIdentity, nodeIdentity } from "./identity";
import { Region, type RegionLedger } from "./region";

export interface NetworkArgs {
    readonly config: NetworkConfig;
    /** What this stack deploys. @default { kind: "all" } */
    readonly deploy?: DeployTarget;
    /** `ledgerfleet:nodeKeys` secret config ("<ledger>/<node>" -> private key) for brought keys. */
    readonly nodeKeys?: pulumi.Output<Record<string, string> | undefined>;
    /** The global stack (`org/project/stack`) a `region:<id>` stack reads identities from. */
    readonly globalStack?: string;
}

/** Namespace of a ledger in every region it spans. */
export function ledgerNamespaceName(network: string, ledger: string): string {
    return `${network}-${ledger}`;
}

export interface LedgerSummary {
    chainId: number;
    namespace: string;
    genesisSha256: string;
    /** Validator addresses, sorted as in genesis extraData. */
    validators: string[];
    nodes: Record<string, { region: string; role: string; p2pHost: string; publicKey: string; enode: string; address: string; keySource: string }>;
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

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ledgerfleet:index:Network", name, {}, opts);
        const { config } = args;
        const deploy = args.deploy ?? { kind: "all" };
        const global = deploy.kind === "region" ? this.globalReference(name, args.globalStack) : undefined;
        const needsRandom = Object.values(config.ledgers).some((l) => l.nodes.some((n) => n.publicKey === undefined));
        const randomProvider = global === undefined && needsRandom ? new random.Provider(`${name}-random`, {}, { parent: this }) : undefined;

        const ledgers: RegionLedger[] = Object.entries(config.ledgers).map(([id, ledger]) => {
            const identities: NodeIdentity[] = ledger.nodes.map((node) => {
                // A stack reads the private keys of the nodes it builds, and no others.
                const withPrivateKey = deploysRegion(deploy, node.region);
                if (global !== undefined && node.publicKey === undefined) return referencedIdentity(global, id, node, config.domain, withPrivateKey);
                return nodeIdentity({ ledger: id, node, domain: config.domain, parent: this, randomProvider, nodeKeys: args.nodeKeys, withPrivateKey });
            });
            const localGenesis = pulumi
                .all(identities.filter((i) => i.role === "validator").map((i) => i.address))
                .apply((validators) =>
                    qbftGenesis({
                        chainId: ledger.chainId,
                        blockPeriodSeconds: ledger.blockPeriodSeconds,
                        epochLength: ledger.epochLength,
                        requestTimeoutSeconds: ledger.requestTimeoutSeconds,
                        gasLimit: ledger.gasLimit,
                        validators,
                    }),
                );
            const genesisJson = global === undefined ? localGenesis : global.checkGenesis(id, localGenesis, sha256Hex);
            const enodes = pulumi.all(Object.fromEntries(identities.map((i) => [i.node, i.enode])));
            return { id, config: ledger, namespace: ledgerNamespaceName(config.name, id), genesisJson, identities, enodes };
        });

        const regionIds =
            deploy.kind === "all" ? Object.keys(config.regions) : deploy.kind === "region" ? [deploy.region] : [];
        for (const regionId of regionIds) {
            const region = config.regions[regionId];
            if (region === undefined) throw new pulumi.RunError(`deploy target names region '${regionId}', which the network file does not define`);
            this.regions[regionId] = new Region(
                `${name}-${regionId}`,
                {
                    network: config.name,
                    regionId,
                    region,
                    ledgers: ledgers.filter((l) => l.identities.some((i) => i.region === regionId)),
                },
                { parent: this },
            );
        }

        this.ledgers = pulumi.all(
            Object.fromEntries(ledgers.map((l) => [l.id, summarize(l)])),
        );
        if (deploy.kind === "global") {
            const held = ledgers.flatMap((l) => l.identities).filter((i) => i.keySource === "generated");
            this.nodePrivateKeys = pulumi.secret(
                pulumi.all(Object.fromEntries(held.map((i) => [nodeKeyConfigPath(i.ledger, i.node), i.privateKey ?? ""]))),
            );
        }
        this.registerOutputs({ ledgers: this.ledgers, nodePrivateKeys: this.nodePrivateKeys });
    }

    private globalReference(name: string, globalStack: string | undefined): GlobalIdentities {
        if (globalStack === undefined) {
            throw new pulumi.RunError(
                "a region stack reads node identities from the global stack: set ledgerfleet:globalStack to its name (org/project/stack)",
            );
        }
        return new GlobalIdentities(globalStack, new pulumi.StackReference(`${name}-global`, { name: globalStack }, { parent: this }));
    }
}

function sha256Hex(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

function summarize(l: RegionLedger): pulumi.Output<LedgerSummary> {
    const nodes = pulumi.all(
        Object.fromEntries(
            l.identities.map((i) => [
                i.node,
                pulumi.all([i.publicKey, i.enode, i.address]).apply(([publicKey, enode, address]) => ({
                    region: i.region,
                    role: i.role,
                    p2pHost: i.p2pHost,
                    publicKey,
                    enode,
                    address,
                    keySource: i.keySource,
                })),
            ]),
        ),
    );
    return pulumi.all([l.genesisJson, nodes]).apply(([genesis, n]) => ({
        chainId: l.config.chainId,
        namespace: l.namespace,
        genesisSha256: sha256Hex(genesis),
        validators: Object.values(n)
            .filter((x) => x.role === "validator")
            .map((x) => x.address)
            .sort(),
        nodes: n,
    }));
}
