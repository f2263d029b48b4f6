// One Besu node of a ledger: its config, key, volume, Services, NetworkPolicy and StatefulSet.
// Pure: values in, Kubernetes objects out (same values, same objects, in the same order).

import { createHash } from "node:crypto";
import type { KubeObject } from "./kube";
import type { LedgerRole } from "./ledger-labels";
import { type AddressRequest, type LoadBalancerImplementation, requestAddress } from "./load-balancer";
import { ledgerPod } from "./ledger-pod";
import { dataClaimName, nodeLabels, nodeMeta, P2P_PORT, RPC_PORT, SKIP_AWAIT } from "./node-common";

export { ledgerNamespace } from "./ledger-namespace";
export type { LedgerNamespaceValues } from "./ledger-namespace";

export interface NodeKeySource<S> {
    secretName: string;
    key: string;
    /** When set, the chart renders the Secret holding it; otherwise the Secret already exists (operator-provided). */
    privateKey?: S;
}

export interface LedgerPeerValues<S = string> {
    network: string;
    ledger: string;
    region: string;
    node: string;
    role: LedgerRole;
    namespace: string;
    image: string;
    /** Static P2P address (an IP): Besu's p2p-host; the P2P Service requests exactly this address. */
    address: S;
    /**
     * How the P2P Service asks for `address`, when the cluster's load balancer has its own way (a cloud's
     * annotations for a reserved address). Left out: as `loadBalancer` says (charts/load-balancer.ts).
     */
    p2pRequest?: AddressRequest<S>;
    /** RPC nodes: the address of their JSON-RPC LoadBalancer for other regions' schedulers; ClusterIP only when left out. */
    rpcAddress?: string;
    /** The region's cloud-level failure domain (the cloud, or an on-premises site), for the ledger policies. */
    failureDomain?: string;
    /** `<ledger>-<node>.<region>.<domain>`: published for people and tools (external-dns), never in a peer list. */
    dnsName: string;
    loadBalancer: LoadBalancerImplementation;
    /**
     * Source ranges of the P2P LoadBalancer: the ledger's regions' egress addresses and this cluster's
     * pod ranges (CIDRs). Empty: none set (kube-proxy would drop in-cluster peers whose pod range is missing).
     */
    p2pSourceRanges: readonly S[];
    /** Egress CIDRs of the other regions, whose schedulers may call an RPC node's rpcAddress. */
    schedulerSources: readonly S[];
    /** Labels of the nodes ledger pods must run on. */
    nodeSelector: Record<string, S | string>;
    storageClass: string;
    resources: { cpu: string; memory: string; storageGiB: number };
    /** The data volume's size as a quantity; `${resources.storageGiB}Gi` when left out (an S when checked against what is deployed). */
    storageRequest?: S;
    /** Contents of config.toml (from frameworks/besu). */
    configToml: S;
    /** sha256 of configToml (hex); computed here when configToml is a plain string. */
    configSha256?: S;
    /**
     * RPC nodes: a hash of the ledger's peer files here. RPC nodes cannot reload their allowlist (their
     * JSON-RPC serves tenants ETH, NET and WEB3 only, not PERM), so a change marks them for the rollout.
     */
    peersHash?: S;
    /** 0x + 128 hex: the node's expected public key (checked here when it is a plain string). */
    publicKey: S;
    nodeKey: NodeKeySource<S>;
}

/** A StatefulSet pod gets the label controller-revision-hash=<name>-<10 chars>, itself at most 63. */
const MAX_NODE_NAME = 52;

/** Throws a clear error for values Kubernetes or the key check would reject later, less clearly. */
export function checkLedgerPeerValues<S>(v: LedgerPeerValues<S>): void {
    const problems: string[] = [];
    if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(v.node) || v.node.length > MAX_NODE_NAME) {
        problems.push(
            `node name "${v.node}" must be lowercase letters, digits and "-", start with a letter, ` +
                `end with a letter or digit, and be at most ${MAX_NODE_NAME} characters (it names a StatefulSet and Services)`,
        );
    }
    if (typeof v.publicKey === "string" && !/^0x[0-9a-fA-F]{128}$/.test(v.publicKey)) {
        problems.push(`publicKey of node "${v.node}" must be 0x followed by 128 hex digits (the 64-byte secp256k1 public key), got "${v.publicKey}"`);
    }
    if (!Number.isInteger(v.resources.storageGiB) || v.resources.storageGiB <= 0) {
        problems.push(`resources.storageGiB of node "${v.node}" must be a whole number of GiB above 0, got ${v.resources.storageGiB}`);
    }
    if (v.role !== "validator" && v.role !== "rpc") {
        problems.push(`role of node "${v.node}" must be "validator" or "rpc", got "${String(v.role)}"`);
    }
    if (v.rpcAddress !== undefined && v.role !== "rpc") problems.push(`node "${v.node}" is a validator: validators get no rpcAddress`);
    if (v.role === "rpc" && v.peersHash === undefined) problems.push(`rpc node "${v.node}" needs peersHash: it restarts to pick up allowlist changes`);
    if (problems.length > 0) throw new Error(`ledger peer chart: ${problems.join("; ")}.`);
}

/** sha256 of the node's config.toml: the pod template carries it, so a change marks the pod for the rollout. */
export function configHash(configToml: string): string {
    return createHash("sha256").update(configToml).digest("hex");
}

/** The config's hash, as given or computed from a plain-string config. */
function configSha256<S>(v: LedgerPeerValues<S>): S | string {
    if (v.configSha256 !== undefined) return v.configSha256;
    if (typeof v.configToml === "string") return configHash(v.configToml);
    throw new Error(`node ${v.ledger}/${v.node}: configSha256 is required when configToml is not a plain string`);
}

/**
 * Pulumi's await on a Service waits for its Endpoints to settle with no unready address, and on a
 * LoadBalancer for an address as well (pulumi-kubernetes await/service.go). A LoadBalancer that asks
 * for a fixed address either gets it from the cluster's pool within seconds or never will: wait five
 * minutes, not the default ten, then fail with the provider's "not allocated an IP address".
 */
const LOAD_BALANCER_AWAIT = { "pulumi.com/timeoutSeconds": "300" };
/**
 * Objects for one node, in a fixed order: config, key (when rendered), volume, Services, StatefulSet.
 * What every node of the ledger here shares (peer files, NetworkPolicies, the headless Service) is in
 * charts/ledger-namespace.ts.
 */
export function ledgerPeer<S = string>(v: LedgerPeerValues<S>): KubeObject[] {
    checkLedgerPeerValues(v);
    const { selector } = nodeLabels(v);
    const rpc = v.role === "rpc";

    const config: KubeObject = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: nodeMeta(v, `${v.node}-config`),
        data: { "config.toml": v.configToml },
    };

    // Rendered under the name the pod mounts, so the two cannot disagree.
    const keySecret: KubeObject[] = v.nodeKey.privateKey === undefined ? [] : [{
        apiVersion: "v1",
        kind: "Secret",
        metadata: nodeMeta(v, v.nodeKey.secretName),
        type: "Opaque",
        stringData: { [v.nodeKey.key]: v.nodeKey.privateKey },
    }];

    // Its own object, not a StatefulSet volumeClaimTemplate: a template's size is immutable (a change
    // replaces the StatefulSet and leaves the volume at its old size), a claim's size can grow in place.
    const data: KubeObject = {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: nodeMeta(v, dataClaimName(v.node)),
        spec: {
            accessModes: ["ReadWriteOnce"],
            storageClassName: v.storageClass,
            resources: { requests: { storage: v.storageRequest ?? `${v.resources.storageGiB}Gi` } },
        },
    };

    const p2pAddress = v.p2pRequest ?? requestAddress(v.loadBalancer, v.address);
    const p2p: KubeObject = {
        apiVersion: "v1",
        kind: "Service",
        metadata: nodeMeta(v, `${v.node}-p2p`, {
            ...LOAD_BALANCER_AWAIT,
            ...p2pAddress.annotations,
            // For people and tools: a name that follows the address. No peer list uses it.
            "external-dns.alpha.kubernetes.io/hostname": v.dnsName,
        }),
        spec: {
            type: "LoadBalancer",
            ...p2pAddress.spec,
            // Local: peers' real source addresses reach the NetworkPolicy and Besu's allowlist.
            externalTrafficPolicy: "Local",
            // The network's addresses only; the implementation (or kube-proxy) filters the rest.
            ...(v.p2pSourceRanges.length > 0 ? { loadBalancerSourceRanges: [...v.p2pSourceRanges] } : {}),
            // P2P must not wait for readiness: a node is ready only once it has peers.
            publishNotReadyAddresses: true,
            selector,
            // TCP only: discovery is off, so Besu uses no UDP.
            ports: [P2P_PORT],
        },
    };

    const rpcService: KubeObject[] = !rpc ? [] : [rpcServiceFor(v, selector)];

    return [config, ...keySecret, data, p2p, ...rpcService, ledgerPod(v, configSha256(v))];
}

/**
 * An RPC node's JSON-RPC for schedulers: ClusterIP for its own cluster's, and a LoadBalancer on its
 * (private) rpcAddress when other regions' schedulers reach it. Its endpoints are the ready pods only,
 * which need peers: skip Pulumi's await, or a first deploy would wait for other regions.
 */
function rpcServiceFor<S>(v: LedgerPeerValues<S>, selector: Record<string, string>): KubeObject {
    // No other region to serve (or none named): an empty loadBalancerSourceRanges would admit everyone.
    if (v.rpcAddress === undefined || v.schedulerSources.length === 0) {
        return {
            apiVersion: "v1",
            kind: "Service",
            metadata: nodeMeta(v, `${v.node}-rpc`, SKIP_AWAIT),
            spec: { type: "ClusterIP", selector, ports: [RPC_PORT] },
        };
    }
    const request = requestAddress(v.loadBalancer, v.rpcAddress);
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: nodeMeta(v, `${v.node}-rpc`, { ...SKIP_AWAIT, ...request.annotations }),
        spec: {
            type: "LoadBalancer",
            ...request.spec,
            externalTrafficPolicy: "Local",
            loadBalancerSourceRanges: [...v.schedulerSources],
            selector,
            ports: [RPC_PORT],
        },
    };
}
