// The StatefulSet of one Besu node: its pod, probes, placement and update strategy.
import { posix } from "node:path";
import { besuOpts, HEALTH, PATHS, PORTS } from "../frameworks/besu/config";
import { type KubeObject, restrictedContainerSecurity } from "./kube";
import { NODES_SERVICE } from "./ledger-access";
import { GENESIS_CONFIGMAP, PEERS_CONFIGMAP, PEER_FILES } from "./ledger-namespace";
import type { LedgerPeerValues } from "./ledger-peer";
import { dataClaimName, METRICS_PORT, nodeLabels, nodeMeta, P2P_PORT, RPC_PORT, SKIP_AWAIT } from "./node-common";
import { LOCAL_HTTP_PROBE_SCRIPT, PEERS_SCRIPT } from "./pod-scripts";
import { HELPER_REQUESTS, VERIFY_KEY_REQUESTS } from "./pod-requests";
import { VERIFY_KEY_SCRIPT } from "./verify-key";

/** Besu's image runs as uid/gid 1000. */
const BESU_UID = 1000;
/** How often the validators' sidecar re-reads the peer files and same-cluster pod addresses. */
const PEERS_INTERVAL_SECONDS = 15;
/** Annotations on the pod template; the rollout command compares pods with their StatefulSet's revision. */
export const CONFIG_HASH_ANNOTATION = "ledgerfleet.io/config-hash";
export const PEERS_HASH_ANNOTATION = "ledgerfleet.io/peers-hash";
/** On a ledger StatefulSet: its region's cloud-level failure domain (config/failure-domain.ts). */
export const FAILURE_DOMAIN_ANNOTATION = "ledgerfleet.io/failure-domain";

/**
 * updateStrategy OnDelete: `pulumi up` never restarts a ledger pod. Pulumi updates every StatefulSet of
 * a changed network at once, and PodDisruptionBudgets do not hold back StatefulSet rollouts, so a
 * RollingUpdate of an image bump would restart every validator of a ledger together and stop QBFT.
 * A changed pod template marks the pod outdated instead, and `ledgerfleet rollout` restarts outdated
 * pods at most f validators (default one) at a time, each only when the whole ledger is ready.
 */
export const UPDATE_STRATEGY = { type: "OnDelete" } as const;

export function ledgerPod<S>(v: LedgerPeerValues<S>, configHash: S | string): KubeObject {
    const { labels, selector, ledgerPods } = nodeLabels(v);
    const validator = v.role === "validator";
    const containerSecurity = restrictedContainerSecurity(BESU_UID);
    const keyMount = { name: "node-key", mountPath: posix.dirname(PATHS.nodeKey), readOnly: true };
    const tmpMount = { name: "tmp", mountPath: PATHS.tmp };
    const peersMount = { name: "peers", mountPath: PATHS.peers, readOnly: true };
    const permissionsDir = posix.dirname(PATHS.permissions);
    const small = HELPER_REQUESTS;

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
        resources: { requests: VERIFY_KEY_REQUESTS, limits: { memory: VERIFY_KEY_REQUESTS.memory } },
        securityContext: containerSecurity,
        volumeMounts: [keyMount, tmpMount],
    };

    const peersEnv = (mode: "once" | "watch") => [
        { name: "MODE", value: mode },
        { name: "PEERS_DIR", value: PATHS.peers },
        { name: "OUT", value: PATHS.permissions },
        { name: "P2P_PORT", value: String(PORTS.p2p) },
        { name: "RPC_PORT", value: String(PORTS.rpcHttp) },
        { name: "INTERVAL", value: String(PEERS_INTERVAL_SECONDS) },
    ];
    const peersContainer = (name: string, mode: "once" | "watch") => ({
        name,
        image: v.image,
        command: ["/bin/bash", "-c", PEERS_SCRIPT],
        env: peersEnv(mode),
        resources: { requests: small, limits: { memory: small.memory } },
        securityContext: containerSecurity,
        volumeMounts: [peersMount, { name: "permissions", mountPath: permissionsDir }],
    });

    // Validators: requests only for CPU. A CPU limit throttles the JVM in bursts (block import, GC),
    // and a validator late to propose or vote costs QBFT a round change against a 2 s block period.
    // RPC nodes: limits equal requests, so one tenant's heavy queries cannot starve a neighbour.
    const nodeResources = validator
        ? { requests: { cpu: v.resources.cpu, memory: v.resources.memory }, limits: { memory: v.resources.memory } }
        : { requests: { cpu: v.resources.cpu, memory: v.resources.memory }, limits: { cpu: v.resources.cpu, memory: v.resources.memory } };

    // Readiness: peered and caught up (Besu's /readiness). Validators listen on localhost only, so the
    // probe runs inside the pod; RPC nodes are probed on the port tenants use.
    const readinessProbe = validator
        ? { exec: { command: ["/bin/bash", "-c", LOCAL_HTTP_PROBE_SCRIPT, "readiness", String(PORTS.rpcHttp), HEALTH.readiness] } }
        : { httpGet: { path: HEALTH.readiness, port: RPC_PORT.name } };
    // Liveness on the metrics server (Prometheus' /-/healthy): cheap, and not the port tenants keep busy.
    const metricsProbe = { httpGet: { path: HEALTH.liveness, port: METRICS_PORT.name } };

    const besu = {
        name: "besu",
        image: v.image,
        args: [`--config-file=${PATHS.config}`],
        env: [{ name: "BESU_OPTS", value: besuOpts(v.resources.memory) }],
        ports: [P2P_PORT, ...(validator ? [] : [RPC_PORT]), METRICS_PORT].map(({ name, port }) => ({ name, containerPort: port, protocol: "TCP" })),
        resources: nodeResources,
        securityContext: containerSecurity,
        // Opening a large database and replaying the trie after a restart can take many minutes:
        // up to 20 minutes before liveness takes over, instead of killing a node that is recovering.
        startupProbe: { ...metricsProbe, timeoutSeconds: 5, periodSeconds: 10, failureThreshold: 120 },
        livenessProbe: { ...metricsProbe, timeoutSeconds: 5, periodSeconds: 15, failureThreshold: 4 },
        readinessProbe: { ...readinessProbe, timeoutSeconds: 8, periodSeconds: 10, failureThreshold: 3 },
        volumeMounts: [
            { name: "data", mountPath: PATHS.data },
            { name: "config", mountPath: posix.dirname(PATHS.config), readOnly: true },
            peersMount,
            { name: "genesis", mountPath: posix.dirname(PATHS.genesis), readOnly: true },
            { name: "permissions", mountPath: permissionsDir, readOnly: true },
            keyMount,
            tmpMount,
        ],
    };

    const annotations: Record<string, unknown> = {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": String(PORTS.metrics),
        "prometheus.io/path": "/metrics",
        [CONFIG_HASH_ANNOTATION]: configHash,
    };
    if (!validator) annotations[PEERS_HASH_ANNOTATION] = v.peersHash;

    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        // A node's readiness needs peers in other regions, which a first deploy may not have yet.
        // The failure domain is what the ledger policies count validators by (policies/ledger.ts).
        metadata: nodeMeta(v, v.node, { ...SKIP_AWAIT, ...(v.failureDomain === undefined ? {} : { [FAILURE_DOMAIN_ANNOTATION]: v.failureDomain }) }),
        spec: {
            replicas: 1,
            serviceName: NODES_SERVICE,
            podManagementPolicy: "Parallel",
            updateStrategy: UPDATE_STRATEGY,
            selector: { matchLabels: selector },
            template: {
                metadata: { labels, annotations },
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
                    nodeSelector: v.nodeSelector,
                    tolerations: [{ key: "ledgerfleet.io/pool", operator: "Equal", value: "ledger", effect: "NoSchedule" }],
                    affinity: {
                        // Required: two nodes of one ledger on one machine fail together.
                        podAntiAffinity: {
                            requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: ledgerPods, topologyKey: "kubernetes.io/hostname" }],
                        },
                    },
                    topologySpreadConstraints: [{
                        maxSkew: 1,
                        topologyKey: "topology.kubernetes.io/zone",
                        whenUnsatisfiable: "ScheduleAnyway",
                        labelSelector: ledgerPods,
                    }],
                    initContainers: [verifyKey, peersContainer("peers-init", "once")],
                    containers: [besu, ...(validator ? [peersContainer("peers-reload", "watch")] : [])],
                    volumes: [
                        { name: "data", persistentVolumeClaim: { claimName: dataClaimName(v.node) } },
                        { name: "config", configMap: { name: `${v.node}-config` } },
                        { name: "peers", configMap: { name: PEERS_CONFIGMAP, items: Object.values(PEER_FILES).map((f) => ({ key: f, path: f })) } },
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
                        { name: "permissions", emptyDir: { sizeLimit: "16Mi" } },
                        { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
                    ],
                },
            },
        },
    };
}
