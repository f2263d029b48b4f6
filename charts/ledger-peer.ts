// One Besu node of a ledger: its StatefulSet, Services, config, key and NetworkPolicy.
// Pure: values in, Kubernetes objects out (same values, same objects, in the same order).

import { createHash } from "node:crypto";
import { posix } from "node:path";
import { besuOpts, HEALTH, PATHS, PORTS } from "../frameworks/besu/config";
import { KubeObject, standardLabels } from "./kube";
import { VERIFY_KEY_SCRIPT } from "./verify-key";
import {
    APP_NAME,
    GENESIS_CONFIGMAP,
    LEDGER_LABEL,
    LedgerRole,
    REGION_LABEL,
    ROLE_LABEL,
} from "./ledger-namespace";

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
    /** External stable endpoint "<ledger>-<node>.<region>.<domain>". */
    p2pHost: string;
    storageClass: string;
    resources: { cpu: string; memory: string; storageGiB: number };
    /** Contents of config.toml (from frameworks/besu). */
    configToml: string;
    /** Contents of static-nodes.json: every other node's enode (an S when only known at deploy time). */
    staticNodesJson: S;
    /**
     * peerConfigHash(configToml, staticNodesJson), for when staticNodesJson is not a plain string.
     * Left out, the chart computes it; it must then be given whenever staticNodesJson is not a string.
     */
    configHash?: S;
    /** 0x + 128 hex: the node's expected public key (checked here when it is a plain string). */
    publicKey: S;
    nodeKey: NodeKeySource<S>;
}

/** Besu's image runs as uid/gid 1000. */
const BESU_UID = 1000;
const CONFIG_TOML = "config.toml";
const STATIC_NODES = "static-nodes.json";

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
    if (problems.length > 0) throw new Error(`ledger peer chart: ${problems.join("; ")}.`);
}

/**
 * A validator reports ready without peers: nodes of a fresh network start one by one and each would
 * otherwise wait for the others forever (readiness also gates the PodDisruptionBudget and the RPC
 * Service, never P2P). It still has to be within HEALTH's block tolerance of the best block it knows,
 * so a validator catching up after a restart holds its role's disruption budget until it has.
 * RPC nodes keep HEALTH's minPeers: one without peers serves tenants a stale chain.
 */
export function readinessPath(role: LedgerRole): string {
    if (role === "rpc") return HEALTH.readiness;
    const url = new URL(HEALTH.readiness, "http://besu.invalid");
    url.searchParams.set("minPeers", "0");
    return url.pathname + url.search;
}

/**
 * The pod's ledgerfleet.io/config-hash: sha256 over the node's config files, length-prefixed so no
 * two different pairs collide. A change rolls the pod (subPath mounts never see ConfigMap updates).
 */
export function peerConfigHash(configToml: string, staticNodesJson: string): string {
    const h = createHash("sha256");
    for (const part of [configToml, staticNodesJson]) h.update(`${Buffer.byteLength(part)}:`).update(part);
    return h.digest("hex");
}

/** Labels and selectors of one node's objects. */
function nodeLabels<S>(v: LedgerPeerValues<S>) {
    const instance = `${v.ledger}-${v.node}`;
    return {
        labels: {
            ...standardLabels({ name: APP_NAME, instance, component: v.role, partOf: v.network }),
            [LEDGER_LABEL]: v.ledger,
            [REGION_LABEL]: v.region,
            [ROLE_LABEL]: v.role,
        },
        /** This node's pod; the StatefulSet selector is immutable, so it names only what never changes. */
        selector: { "app.kubernetes.io/name": APP_NAME, "app.kubernetes.io/instance": instance },
        /** The ledger's pods in this namespace, whatever their role: spread apart from one another. */
        ledgerPods: { matchLabels: { "app.kubernetes.io/name": APP_NAME, [LEDGER_LABEL]: v.ledger } },
    };
}

function nodeMeta<S>(v: LedgerPeerValues<S>, name: string, annotations?: Record<string, string>): KubeObject["metadata"] {
    return { name, namespace: v.namespace, labels: nodeLabels(v).labels, ...(annotations ? { annotations } : {}) };
}

const servicePort = (name: string, port: number, protocol = "TCP") => ({ name, port, targetPort: name, protocol });
const P2P_PORTS = [servicePort("p2p-tcp", PORTS.p2p), servicePort("p2p-udp", PORTS.p2p, "UDP")];
const RPC_PORTS = [servicePort("rpc-http", PORTS.rpcHttp), servicePort("rpc-ws", PORTS.rpcWs)];
const METRICS_PORT = servicePort("metrics", PORTS.metrics);

/** Objects for one node, in a fixed order: config, key (when rendered), Services, NetworkPolicy, StatefulSet. */
export function ledgerPeer<S = string>(v: LedgerPeerValues<S>): KubeObject[] {
    checkLedgerPeerValues(v);
    const configHash = v.configHash ?? (typeof v.staticNodesJson === "string" ? peerConfigHash(v.configToml, v.staticNodesJson) : undefined);
    if (configHash === undefined) {
        throw new Error(`ledger peer chart: node "${v.node}": staticNodesJson is not a plain string, so pass configHash = peerConfigHash(configToml, staticNodesJson) once it is known.`);
    }
    const { selector } = nodeLabels(v);

    const config: KubeObject = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: nodeMeta(v, `${v.node}-config`),
        data: { [CONFIG_TOML]: v.configToml, [STATIC_NODES]: v.staticNodesJson },
    };

    // Rendered under the name the pod mounts, so the two cannot disagree.
    const keySecret: KubeObject[] = v.nodeKey.privateKey === undefined ? [] : [{
        apiVersion: "v1",
        kind: "Secret",
        metadata: nodeMeta(v, v.nodeKey.secretName),
        type: "Opaque",
        stringData: { [v.nodeKey.key]: v.nodeKey.privateKey },
    }];

    const headless: KubeObject = {
        apiVersion: "v1",
        kind: "Service",
        metadata: nodeMeta(v, v.node),
        spec: {
            clusterIP: "None",
            // Peers and Prometheus find the pod by name while it starts, not only once it is ready.
            publishNotReadyAddresses: true,
            selector,
            ports: [...P2P_PORTS, ...RPC_PORTS, METRICS_PORT],
        },
    };

    const p2p: KubeObject = {
        apiVersion: "v1",
        kind: "Service",
        // external-dns keeps <p2pHost> pointing at whatever address this Service gets; cloud
        // adapters later pin that address, so the name in every peer's enode URL stays valid.
        metadata: nodeMeta(v, `${v.node}-p2p`, { "external-dns.alpha.kubernetes.io/hostname": v.p2pHost }),
        spec: {
            // A LoadBalancer keeps port 30303 outside, which every enode names; a NodePort would not.
            type: "LoadBalancer",
            // Local: no second hop through another node, and peers' real source addresses survive.
            externalTrafficPolicy: "Local",
            // P2P must not wait for readiness: an rpc node is not ready without peers, and could
            // never get any if its own endpoint were withheld until it had them.
            publishNotReadyAddresses: true,
            selector,
            // TCP and UDP on one LoadBalancer Service (MixedProtocolLBService, GA in Kubernetes 1.26).
            ports: P2P_PORTS,
        },
    };

    const rpc: KubeObject = {
        apiVersion: "v1",
        kind: "Service",
        metadata: nodeMeta(v, `${v.node}-rpc`),
        spec: { type: "ClusterIP", selector, ports: RPC_PORTS },
    };

    const networkPolicy: KubeObject = {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: nodeMeta(v, v.node),
        spec: {
            podSelector: { matchLabels: selector },
            policyTypes: ["Ingress"],
            ingress: [
                // P2P from anywhere: peers are in other clouds; the enode key handshake authenticates them.
                { ports: [{ protocol: "TCP", port: PORTS.p2p }, { protocol: "UDP", port: PORTS.p2p }] },
                {
                    ports: [{ protocol: "TCP", port: PORTS.rpcHttp }, { protocol: "TCP", port: PORTS.rpcWs }],
                    from: [
                        { podSelector: {} },
                        {
                            namespaceSelector: { matchLabels: { "app.kubernetes.io/part-of": v.network } },
                            podSelector: { matchLabels: { "app.kubernetes.io/component": "scheduler" } },
                        },
                    ],
                },
                {
                    ports: [{ protocol: "TCP", port: PORTS.metrics }],
                    from: [{ namespaceSelector: { matchLabels: { "ledgerfleet.io/metrics": "true" } } }],
                },
            ],
        },
    };

    return [config, ...keySecret, headless, p2p, rpc, networkPolicy, statefulSet(v, configHash)];
}

function statefulSet<S>(v: LedgerPeerValues<S>, configHash: S | string): KubeObject {
    const { labels, selector, ledgerPods } = nodeLabels(v);
    const containerSecurity = {
        runAsNonRoot: true,
        runAsUser: BESU_UID,
        runAsGroup: BESU_UID,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
    const keyMount = { name: "node-key", mountPath: posix.dirname(PATHS.nodeKey), readOnly: true };
    const tmpMount = { name: "tmp", mountPath: PATHS.tmp };
    // Requests equal limits in both containers: the pod is Guaranteed QoS only if every container,
    // init containers included, has them equal. The init container's share costs nothing extra: a
    // pod requests the larger of its biggest init container and the sum of the others.
    const verifyResources = { cpu: "500m", memory: "1Gi" };
    const nodeResources = { cpu: v.resources.cpu, memory: v.resources.memory };
    const probe = (path: string) => ({ httpGet: { path, port: "rpc-http" }, timeoutSeconds: 5 });

    const verifyKey = {
        name: "verify-key",
        image: v.image,
        command: ["/bin/sh", "-c", VERIFY_KEY_SCRIPT],
        env: [
            { name: "EXPECTED_PUBLIC_KEY", value: v.publicKey },
            { name: "NODE_NAME", value: `${v.ledger}/${v.node}` },
            { name: "NODE_KEY_FILE", value: PATHS.nodeKey },
            { name: "NODE_KEY_SECRET", value: v.nodeKey.secretName },
            { name: "NODE_KEY_ITEM", value: v.nodeKey.key },
            { name: "VERIFY_DIR", value: posix.join(PATHS.tmp, "verify-key") },
            // besuOpts sizes a full node (2Gi and up); exporting a public key needs a small heap.
            { name: "BESU_OPTS", value: `-Xmx512m -Djava.io.tmpdir=${PATHS.tmp}` },
        ],
        resources: { requests: verifyResources, limits: verifyResources },
        securityContext: containerSecurity,
        volumeMounts: [keyMount, tmpMount],
    };

    const besu = {
        name: "besu",
        image: v.image,
        args: [`--config-file=${PATHS.config}`],
        env: [{ name: "BESU_OPTS", value: besuOpts(v.resources.memory) }],
        ports: [...P2P_PORTS, ...RPC_PORTS, METRICS_PORT].map(({ name, port, protocol }) => ({ name, containerPort: port, protocol })),
        resources: { requests: nodeResources, limits: nodeResources },
        securityContext: containerSecurity,
        // Opening a large database and replaying the trie after a restart can take many minutes:
        // up to 20 minutes before liveness takes over, instead of killing a node that is recovering.
        startupProbe: { ...probe(HEALTH.liveness), periodSeconds: 10, failureThreshold: 120 },
        livenessProbe: { ...probe(HEALTH.liveness), periodSeconds: 15, failureThreshold: 4 },
        readinessProbe: { ...probe(readinessPath(v.role)), periodSeconds: 10, failureThreshold: 3 },
        volumeMounts: [
            { name: "data", mountPath: PATHS.data },
            // subPath mounts never see ConfigMap updates; the config-hash annotation rolls the pod instead.
            { name: "config", mountPath: PATHS.config, subPath: CONFIG_TOML, readOnly: true },
            { name: "config", mountPath: PATHS.staticNodes, subPath: STATIC_NODES, readOnly: true },
            { name: "genesis", mountPath: posix.dirname(PATHS.genesis), readOnly: true },
            keyMount,
            tmpMount,
        ],
    };

    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: nodeMeta(v, v.node),
        spec: {
            replicas: 1,
            serviceName: v.node,
            podManagementPolicy: "Parallel",
            selector: { matchLabels: selector },
            // Deleting or scaling down the StatefulSet never deletes a node's chain data.
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
            volumeClaimTemplates: [{
                metadata: { name: "data", labels },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    storageClassName: v.storageClass,
                    resources: { requests: { storage: `${v.resources.storageGiB}Gi` } },
                },
            }],
            template: {
                metadata: {
                    labels,
                    annotations: {
                        "prometheus.io/scrape": "true",
                        "prometheus.io/port": String(PORTS.metrics),
                        "prometheus.io/path": "/metrics",
                        "ledgerfleet.io/config-hash": configHash,
                    },
                },
                spec: {
                    automountServiceAccountToken: false,
                    enableServiceLinks: false,
                    // Besu flushes RocksDB on SIGTERM; a kill mid-write costs a long recovery on restart.
                    terminationGracePeriodSeconds: 120,
                    securityContext: {
                        runAsNonRoot: true,
                        runAsUser: BESU_UID,
                        runAsGroup: BESU_UID,
                        fsGroup: BESU_UID,
                        fsGroupChangePolicy: "OnRootMismatch",
                        seccompProfile: { type: "RuntimeDefault" },
                    },
                    tolerations: [{ key: "ledgerfleet.io/pool", operator: "Equal", value: "ledger", effect: "NoSchedule" }],
                    affinity: {
                        podAntiAffinity: {
                            preferredDuringSchedulingIgnoredDuringExecution: [{
                                weight: 100,
                                podAffinityTerm: { labelSelector: ledgerPods, topologyKey: "kubernetes.io/hostname" },
                            }],
                        },
                    },
                    topologySpreadConstraints: [{
                        maxSkew: 1,
                        topologyKey: "topology.kubernetes.io/zone",
                        whenUnsatisfiable: "ScheduleAnyway",
                        labelSelector: ledgerPods,
                    }],
                    initContainers: [verifyKey],
                    containers: [besu],
                    volumes: [
                        { name: "config", configMap: { name: `${v.node}-config` } },
                        { name: "genesis", configMap: { name: GENESIS_CONFIGMAP } },
                        {
                            name: "node-key",
                            secret: {
                                secretName: v.nodeKey.secretName,
                                items: [{ key: v.nodeKey.key, path: posix.basename(PATHS.nodeKey) }],
                                // Read-only, no world access. Group read is how Besu (uid 1000, not the
                                // file's owner) reads it: the kubelet gives the file to gid fsGroup, and
                                // with fsGroup set it turns 0400 into 0440 anyway (kubernetes/kubernetes
                                // #57923), so 0440 says what the pod really gets.
                                defaultMode: 0o440,
                            },
                        },
                        { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
                    ],
                },
            },
        },
    };
}
