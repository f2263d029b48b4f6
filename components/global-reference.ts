// Region stacks (`deploy: region:<id>`) build nodes whose keys the global stack generated. They
// read public keys and (secret) private keys through a StackReference, and recompute genesis from
// the same network file, which must agree byte for byte with the global stack's.
import * as pulumi from "@pulumi/pulumi";
import { addressFromPublicKey, enodeUrl } from "../frameworks/besu/keys";
import { type NodeConfig, nodeKeyConfigPath } from "../stacks/schema";
import { type NodeIdentity, p2pHost } from "./identity";

export interface PublishedLedger {
    genesisSha256: string;
    nodes: Record<string, { publicKey: string; keySource: string }>;
}

export class GlobalIdentities {
    readonly ledgers: pulumi.Output<Record<string, PublishedLedger>>;
    readonly privateKeys: pulumi.Output<Record<string, string>>;

    constructor(
        readonly stackName: string,
        ref: pulumi.StackReference,
    ) {
        this.ledgers = ref.requireOutput("ledgers").apply((v: unknown) => {
            if (typeof v !== "object" || v === null) {
                throw new pulumi.RunError(`global stack ${stackName} has no 'ledgers' output: run \`pulumi up\` on it first`);
            }
            return v as Record<string, PublishedLedger>;
        });
        this.privateKeys = pulumi.secret(ref.requireOutput("nodePrivateKeys")).apply((v: unknown) => (v ?? {}) as Record<string, string>);
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

    /** Fails the deployment when this stack's genesis differs from the global stack's. */
    checkGenesis(ledger: string, genesisJson: pulumi.Output<string>, sha256: (text: string) => string): pulumi.Output<string> {
        return pulumi.all([this.ledgers, genesisJson]).apply(([all, genesis]) => {
            const expected = all[ledger]?.genesisSha256;
            if (expected !== sha256(genesis)) {
                throw new pulumi.RunError(
                    `genesis of ledger ${ledger} differs from global stack ${this.stackName}'s: ` +
                        "the network file changed; deploy the global stack first so every region agrees",
                );
            }
            return genesis;
        });
    }
}

/** Identity of a node whose key the global stack generated. */
export function referencedIdentity(global: GlobalIdentities, ledger: string, node: NodeConfig, domain: string, withPrivateKey: boolean): NodeIdentity {
    const host = p2pHost(ledger, node.name, node.region, domain);
    const published = global.published(ledger, node.name);
    const publicKey = published.apply((p) => p.publicKey);
    return {
        ledger,
        node: node.name,
        role: node.role,
        region: node.region,
        p2pHost: host,
        publicKey,
        address: publicKey.apply(addressFromPublicKey),
        enode: publicKey.apply((pk) => enodeUrl(pk, host)),
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
