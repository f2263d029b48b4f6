// Region stacks (`deploy: region:<id>`) build nodes whose keys the global stack generated. They
// read public keys and (secret) private keys through a StackReference, and recompute genesis from
// the same network file, which must agree byte for byte with the global stack's.
import * as pulumi from "@pulumi/pulumi";
import { addressFromPublicKey } from "../frameworks/besu/keys";
import { type NodeConfig, nodeKeyConfigPath } from "../config/schema";
import { type GenesisLock, lockDifferences, readLock } from "./genesis-lock";
import { nodeDnsName } from "../config/names";
import { enodeOf, type NodeIdentity } from "./identity";

export interface PublishedLedger {
    genesis: GenesisLock;
    nodes: Record<string, { publicKey: string; keySource: string }>;
}

export class GlobalIdentities {
    readonly ledgers: pulumi.Output<Record<string, PublishedLedger>>;
    readonly privateKeys: pulumi.Output<Record<string, string>>;
    /** The global stack's `addresses` output: every static address it reserved (components/address-book.ts). */
    readonly addresses: pulumi.Output<unknown>;

    constructor(
        readonly stackName: string,
        ref: pulumi.StackReference,
    ) {
        // getOutput, not requireOutput: requireOutput throws its own message before this one could say what to do.
        this.ledgers = ref.getOutput("ledgers").apply((v: unknown) => {
            if (typeof v !== "object" || v === null) {
                throw new pulumi.RunError(`global stack ${stackName} has no 'ledgers' output: run \`pulumi up\` on it first`);
            }
            return v as Record<string, PublishedLedger>;
        });
        this.addresses = ref.getOutput("addresses");
        this.privateKeys = pulumi.secret(ref.getOutput("nodePrivateKeys")).apply((v: unknown) => (v ?? {}) as Record<string, string>);
    }

    published(ledger: string, node: string): pulumi.Output<{ publicKey: string; keySource: string }> {
        return this.ledgers.apply((all) => {
            const entry = all[ledger]?.nodes[node];
            if (entry === undefined) {
                throw new pulumi.RunError(
                    `global stack ${this.stackName} knows no node ${ledger}/${node}: run \`pulumi up\` on the global stack after changing the network file`,
                );
            }
            return entry;
        });
    }

    /**
     * The global stack's genesis, byte for byte, once this stack's network file agrees with it; fails
     * the deployment otherwise (the global stack owns genesis: deploy it first).
     */
    genesis(ledger: string, planned: Omit<GenesisLock, "sha256" | "json">): pulumi.Output<string> {
        return this.ledgers.apply((all) => {
            const published = deployedLock(all[ledger]?.genesis, `global stack ${this.stackName}, ledger ${ledger}`);
            if (published === undefined) {
                throw new pulumi.RunError(`global stack ${this.stackName} publishes no genesis for ledger ${ledger}: run \`pulumi up\` on it first`);
            }
            const differences = lockDifferences(published, planned);
            if (differences.length > 0) {
                throw new pulumi.RunError(
                    `the network file disagrees with global stack ${this.stackName} on the genesis of ledger ${ledger}: ${differences.join("; ")}. ` +
                        "The global stack owns genesis: deploy it first, so every region agrees",
                );
            }
            return published.json;
        });
    }
}

/**
 * A genesis lock read from a stack's outputs (undefined: never deployed). One that ledgerfleet did not
 * write fails the deployment with the reason, as a configuration problem rather than a program bug.
 */
export function deployedLock(value: unknown, where: string): GenesisLock | undefined {
    try {
        return readLock(value, where);
    } catch (err) {
        throw new pulumi.RunError(err instanceof Error ? err.message : String(err));
    }
}

/** Identity of a node whose key the global stack generated. */
export function referencedIdentity(
    global: GlobalIdentities,
    ledger: string,
    node: NodeConfig,
    domain: string,
    withPrivateKey: boolean,
    address: pulumi.Input<string>,
): NodeIdentity {
    const published = global.published(ledger, node.name);
    const publicKey = published.apply((p) => p.publicKey);
    return {
        ledger,
        node: node.name,
        role: node.role,
        region: node.region,
        p2pAddress: address,
        dnsName: nodeDnsName(ledger, node.name, node.region, domain),
        publicKey,
        address: publicKey.apply(addressFromPublicKey),
        enode: enodeOf(publicKey, address),
        keySecret: { name: `${node.name}-key`, key: "key" },
        // Only the nodes this region stack builds: it never reads other regions' keys.
        privateKey: withPrivateKey
            ? global.privateKeys.apply((keys) => {
                  const key = keys[nodeKeyConfigPath(ledger, node.name)];
                  if (key === undefined) throw new pulumi.RunError(`global stack ${global.stackName} holds no private key for ${ledger}/${node.name}`);
                  return key;
              })
            : undefined,
        keySource: "generated",
    };
}
