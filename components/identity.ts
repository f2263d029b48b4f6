// Node identities: the one thing a ledger network cannot lose. A generated key is a protected
// Pulumi resource (32 random bytes, stored as a secret in state); a brought key stays with the
// operator (secret config or an existing Kubernetes Secret) and only its public half is in the file.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { hexToBytes } from "@noble/hashes/utils";
import { addressFromPublicKey, enodeUrl, normalizePublicKey, privateKeyFromHex, privateKeyFromSeed, publicKeyFromPrivate, toHex } from "../frameworks/besu/keys";
import { canonicalIp } from "../frameworks/besu/host";
import { SECRET_PLACEHOLDER } from "../config/load";
import { keyMismatch } from "../config/node-keys";
import { nodeDnsName, nodeKeyResourceName } from "../config/names";
import { type NodeConfig, NODE_KEYS_KEY, nodeKeyConfigPath } from "../config/schema";

export interface NodeIdentity {
    readonly ledger: string;
    readonly node: string;
    readonly role: NodeConfig["role"];
    readonly region: string;
    /**
     * Static P2P address (an IP): Besu's p2p-host and the host of its enode everywhere. A string when
     * the network file names it (existing clusters); the cloud's reserved address otherwise.
     */
    readonly p2pAddress: pulumi.Input<string>;
    /** `<ledger>-<node>.<region>.<domain>`: for people and tools, never in a peer list. */
    readonly dnsName: string;
    /** 0x + 128 hex. Public, never secret. */
    readonly publicKey: pulumi.Output<string>;
    readonly address: pulumi.Output<string>;
    readonly enode: pulumi.Output<string>;
    /** Where the pod finds its private key. */
    readonly keySecret: { readonly name: string; readonly key: string };
    /** The private key (a secret) when ledgerfleet holds it; undefined when the operator's Secret already exists. */
    readonly privateKey?: pulumi.Output<string>;
    readonly keySource: "generated" | "config" | "existing-secret";
    /** For a key from config: resolves once it is known to derive the declared public key, fails otherwise. */
    readonly keyChecked?: pulumi.Output<boolean>;
}


/** The static P2P address a node of an existing region names in the file; the loader refuses a node without one. */
export function configuredAddress(ledger: string, node: NodeConfig): string {
    if (node.address === undefined) {
        throw new pulumi.RunError(`node ${ledger}/${node.name} has no static P2P address: give it address: <IP> in the network file`);
    }
    return canonicalIp(node.address);
}

/** A node's enode URL once its key and address are known. */
export function enodeOf(publicKey: pulumi.Output<string>, address: pulumi.Input<string>): pulumi.Output<string> {
    return typeof address === "string" ? publicKey.apply((pk) => enodeUrl(pk, address)) : pulumi.all([publicKey, address]).apply(([pk, host]) => enodeUrl(pk, host));
}

export interface IdentityArgs {
    readonly ledger: string;
    readonly node: NodeConfig;
    readonly domain: string;
    /** The node's static P2P address: as the file names it, or as its cloud reserved it. */
    readonly p2pAddress: pulumi.Input<string>;
    /** Parent for the generated key resource (the Network). */
    readonly parent: pulumi.Resource;
    /** Provider for the generated key; required when the node brings no public key. */
    readonly randomProvider?: pulumi.ProviderResource;
    /** `ledgerfleet:nodeKeys` secret config: "<ledger>/<node>" -> private key hex. */
    readonly nodeKeys?: pulumi.Output<Record<string, string> | undefined>;
    /** Whether this stack builds the node and so reads a brought key from config. @default true */
    readonly withPrivateKey?: boolean;
}

export function nodeIdentity(args: IdentityArgs): NodeIdentity {
    const { ledger, node } = args;
    const base = {
        ledger,
        node: node.name,
        role: node.role,
        region: node.region,
        p2pAddress: args.p2pAddress,
        dnsName: nodeDnsName(ledger, node.name, node.region, args.domain),
    };
    const defaultSecret = { name: `${node.name}-key`, key: "key" };
    let publicKey: pulumi.Output<string>;
    let privateKey: pulumi.Output<string> | undefined;
    let keySource: NodeIdentity["keySource"];
    let keySecret = defaultSecret;
    let keyChecked: pulumi.Output<boolean> | undefined;

    if (node.publicKey === undefined) {
        if (args.randomProvider === undefined) throw new Error(`internal: no random provider for ${ledger}/${node.name}`);
        // Protected: a regenerated validator key no longer matches genesis and halts the chain.
        const seed = new random.RandomBytes(
            nodeKeyResourceName(ledger, node.name),
            { length: 32 },
            { parent: args.parent, provider: args.randomProvider, protect: true },
        );
        privateKey = pulumi.secret(seed.hex).apply((hex) => toHex(privateKeyFromSeed(hexToBytes(hex))));
        publicKey = pulumi.unsecret(privateKey.apply((pk) => publicKeyFromPrivate(privateKeyFromHex(pk))));
        keySource = "generated";
    } else {
        publicKey = pulumi.output(normalizePublicKey(node.publicKey));
        if (node.keySecret !== undefined) {
            keySecret = { name: node.keySecret.name, key: node.keySecret.key };
            keySource = "existing-secret";
        } else if (args.withPrivateKey === false) {
            keySource = "config";
        } else {
            const entry = nodeKeyConfigPath(ledger, node.name);
            const keys = args.nodeKeys ?? pulumi.output(undefined);
            privateKey = pulumi.secret(
                keys.apply((all) => {
                    const value = all?.[entry];
                    if (value === undefined) {
                        throw new pulumi.RunError(
                            `node ${ledger}/${node.name} brings its own key (publicKey is set) but secret config ` +
                                `ledgerfleet:nodeKeys has no entry "${entry}". Set it with:\n` +
                                `  pulumi config set --secret --path 'ledgerfleet:nodeKeys["${entry}"]' 0x<64 hex>\n` +
                                `or name an existing Kubernetes Secret with keySecret.`,
                        );
                    }
                    return value;
                }),
            );
            // Whenever the key can be read (decrypted under `pulumi preview`/`up`; in plain text on a
            // lab stack), it must derive the declared public key. Not secret: it only says "checked".
            const declared = node.publicKey;
            keyChecked = pulumi.unsecret(
                privateKey.apply((value) => {
                    const mismatch = value === SECRET_PLACEHOLDER ? undefined : keyMismatch(value, declared);
                    if (mismatch !== undefined) {
                        throw new pulumi.RunError(`${NODE_KEYS_KEY}["${entry}"]: the private key given for node ${entry} ${mismatch}`);
                    }
                    return true;
                }),
            );
            keySource = "config";
        }
    }
    return {
        ...base,
        publicKey,
        address: publicKey.apply(addressFromPublicKey),
        enode: enodeOf(publicKey, base.p2pAddress),
        keySecret,
        privateKey,
        keySource,
        keyChecked,
    };
}
