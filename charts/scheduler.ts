// The tenants' scheduler in one region: its namespace, config, keys, Deployment, Service, disruption
// budget, autoscaler and NetworkPolicies. Pure: values in, Kubernetes objects out (same values, same
// objects, in the same order). What the service serves is charts/scheduler-config.ts.
import { type KubeObject, restrictedContainerSecurity, SCHEDULER_COMPONENT, standardLabels } from "./kube";
import { REGION_LABEL } from "./ledger-labels";
import { ADMIN_PORT, CONFIG_DIR, CONFIG_FILE, KEYS_FILE, KEYS_PATH, SCHEDULER_PORT } from "./scheduler-config";
import { SKIP_AWAIT } from "./node-common";

/** app.kubernetes.io/name of the scheduler's objects. */
export const SCHEDULER_APP = "ledgerfleet-scheduler";
/** The name of the Deployment, Service, budget and autoscaler; the ConfigMap and Secret are named after it. */
export const SCHEDULER_NAME = "scheduler";
export const CONFIG_MAP_NAME = `${SCHEDULER_NAME}-config`;
export const KEYS_SECRET_NAME = `${SCHEDULER_NAME}-keys`;
/** distroless's `nonroot` user, which scheduler/Dockerfile runs as. */
export const SCHEDULER_UID = 65532;

/** @default requests of each replica when the scheduler block names none: the service is I/O-bound. */
/** preStop sleep, and the service's own graceful shutdown (limits.shutdownMs default) in seconds. */
const PRE_STOP_SECONDS = 5;
const SHUTDOWN_SECONDS = 20;

export const DEFAULT_RESOURCES = { cpu: "500m", memory: "256Mi" } as const;
/** The autoscaler adds replicas above this average CPU use, as a share of the request. */
const TARGET_CPU_PERCENT = 70;

/** S is a plain string, or whatever the caller resolves later (a Pulumi Output): the chart only places it. */
export interface SchedulerChartValues<S = string> {
    network: string;
    region: string;
    /** e.g. "meridian-scheduler" (charts/kube.ts schedulerNamespace). */
    namespace: string;
    /** The namespace whose pods scrape /metrics (the admin port). */
    monitoringNamespace: string;
    /** Built from scheduler/Dockerfile, pinned by digest. */
    image: string;
    /** The floor: the Deployment's replicas and the autoscaler's minimum (>= 2). */
    replicas: number;
    /** The autoscaler's maximum. @default 2 x replicas */
    maxReplicas?: number;
    /** Per replica. @default DEFAULT_RESOURCES */
    resources?: { cpu?: string; memory?: string };
    /** scheduler.yaml (charts/scheduler-config.ts schedulerConfigYaml): the tenant table, no keys. */
    configYaml: S;
    /** keys.yaml: tenant id -> SHA-256 of its key. Secret. */
    keysYaml: S;
}

/** Throws a clear error for values Kubernetes would reject later, less clearly. */
export function checkSchedulerChartValues<S>(v: SchedulerChartValues<S>): void {
    const problems: string[] = [];
    if (!Number.isInteger(v.replicas) || v.replicas < 2) problems.push(`replicas must be a whole number of at least 2 (one replica is a single point of failure for every tenant), got ${v.replicas}`);
    const max = v.maxReplicas ?? 2 * v.replicas;
    if (!Number.isInteger(max) || max < v.replicas) problems.push(`maxReplicas must be a whole number no lower than replicas (${v.replicas}), got ${max}`);
    if (problems.length > 0) throw new Error(`scheduler chart (region ${v.region}): ${problems.join("; ")}.`);
}

/** Labels of every scheduler object; the pods' `component` label is what the ledgers' RPC NetworkPolicy admits. */
export function schedulerLabels(v: { network: string; region: string }): Record<string, string> {
    return {
        ...standardLabels({ name: SCHEDULER_APP, instance: `${SCHEDULER_NAME}-${v.region}`, component: SCHEDULER_COMPONENT, partOf: v.network }),
        [REGION_LABEL]: v.region,
    };
}

/** Selects the scheduler's pods; only labels that never change (a Deployment's selector is immutable). */
export const SCHEDULER_SELECTOR: Readonly<Record<string, string>> = { "app.kubernetes.io/name": SCHEDULER_APP, "app.kubernetes.io/component": SCHEDULER_COMPONENT };

export function schedulerChart<S = string>(v: SchedulerChartValues<S>): KubeObject[] {
    checkSchedulerChartValues(v);
    const labels = schedulerLabels(v);
    const meta = (name: string, annotations?: Record<string, string>) => ({ name, namespace: v.namespace, labels, ...(annotations ? { annotations } : {}) });
    const resources = { cpu: v.resources?.cpu ?? DEFAULT_RESOURCES.cpu, memory: v.resources?.memory ?? DEFAULT_RESOURCES.memory };

    const namespace: KubeObject = {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name: v.namespace,
            labels: {
                ...labels,
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/audit": "restricted",
                "pod-security.kubernetes.io/warn": "restricted",
            },
        },
    };

    const config: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: meta(CONFIG_MAP_NAME), data: { [CONFIG_FILE]: v.configYaml } };
    const keys: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: meta(KEYS_SECRET_NAME), type: "Opaque", stringData: { [KEYS_FILE]: v.keysYaml } };

    const http = { name: "http", containerPort: SCHEDULER_PORT, protocol: "TCP" };
    const admin = { name: "admin", containerPort: ADMIN_PORT, protocol: "TCP" };
    const deployment: KubeObject = {
        apiVersion: "apps/v1",
        kind: "Deployment",
        // Its pods are ready only once an upstream is (GET /readyz): on a first deploy the RPC nodes
        // wait for peers in other regions, and Pulumi must not wait for them here.
        metadata: meta(SCHEDULER_NAME, SKIP_AWAIT),
        spec: {
            // Also set while the autoscaler runs, so a first deploy starts with the floor: an update that
            // changes the Deployment sets the count back to it, and the autoscaler raises it again.
            replicas: v.replicas,
            selector: { matchLabels: { ...SCHEDULER_SELECTOR } },
            // A new pod is ready before an old one goes: the region never serves with fewer replicas.
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
            template: {
                // No checksum of the config here, on purpose: the service watches its mounted files and
                // reloads the tenant table and keys in place (scheduler/README.md), so onboarding a tenant
                // is a ConfigMap update that reaches every pod within the kubelet's sync period. A checksum
                // annotation would restart every replica on every tenant change, dropping their in-flight
                // requests and resetting every tenant's rate buckets for nothing.
                metadata: {
                    labels,
                    annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": String(ADMIN_PORT), "prometheus.io/path": "/metrics" },
                },
                spec: {
                    automountServiceAccountToken: false,
                    enableServiceLinks: false,
                    terminationGracePeriodSeconds: PRE_STOP_SECONDS + SHUTDOWN_SECONDS + 5,
                    securityContext: {
                        runAsNonRoot: true,
                        runAsUser: SCHEDULER_UID,
                        runAsGroup: SCHEDULER_UID,
                        // The mounted config and keys belong to this group (mode 0440 below).
                        fsGroup: SCHEDULER_UID,
                        seccompProfile: { type: "RuntimeDefault" },
                    },
                    // One replica per zone where the cluster has zones, and never two on one machine when
                    // it can be helped: losing a zone or a machine leaves the others serving.
                    topologySpreadConstraints: [
                        { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { ...SCHEDULER_SELECTOR } } },
                        { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { ...SCHEDULER_SELECTOR } } },
                    ],
                    containers: [
                        {
                            name: SCHEDULER_NAME,
                            image: v.image,
                            // The image's ENTRYPOINT runs the bundle with --config CONFIG_DIR/CONFIG_FILE.
                            ports: [http, admin],
                            // A CPU limit would throttle the event loop in bursts and add latency for every
                            // tenant; the memory limit keeps a leak from starving the node.
                            resources: { requests: resources, limits: { memory: resources.memory } },
                            securityContext: restrictedContainerSecurity(SCHEDULER_UID),
                            readinessProbe: { httpGet: { path: "/readyz", port: admin.name }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 2 },
                            livenessProbe: { httpGet: { path: "/healthz", port: admin.name }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
                            // On SIGTERM the service stops accepting and finishes what is in flight (up to
                            // limits.shutdownMs, 20 s). The sleep first lets the endpoint removal reach every
                            // kube-proxy and ingress, so no new request is sent to a closing pod.
                            lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SECONDS } } },
                            volumeMounts: [
                                { name: "config", mountPath: CONFIG_DIR, readOnly: true },
                                { name: "tmp", mountPath: "/tmp" },
                            ],
                        },
                    ],
                    volumes: [
                        {
                            // One projected folder, not subPath files (a subPath mount never sees an update):
                            // CONFIG_DIR/scheduler.yaml from the ConfigMap and CONFIG_DIR/keys/keys.yaml from
                            // the Secret, swapped in together by the kubelet.
                            name: "config",
                            projected: {
                                sources: [
                                    { configMap: { name: CONFIG_MAP_NAME, items: [{ key: CONFIG_FILE, path: CONFIG_FILE }] } },
                                    { secret: { name: KEYS_SECRET_NAME, items: [{ key: KEYS_FILE, path: KEYS_PATH }] } },
                                ],
                                // Hashes only, but nobody else's business: read-only, and no world access; the
                                // kubelet gives the files to fsGroup, which the service runs in.
                                defaultMode: 0o440,
                            },
                        },
                        { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                    ],
                },
            },
        },
    };

    // ClusterIP only. Tenants reach it through the operator's ingress (or gateway), which terminates TLS:
    // bearer keys must never cross a network in clear text, and this chart holds no certificate. Clients
    // inside the cluster call it directly. No LoadBalancer here: it would publish plain HTTP, and the
    // network file names no tenant source ranges to restrict one to.
    const service: KubeObject = {
        apiVersion: "v1",
        kind: "Service",
        // Its endpoints are the ready pods, which need a ready upstream (see the Deployment).
        metadata: meta(SCHEDULER_NAME, SKIP_AWAIT),
        spec: { type: "ClusterIP", selector: { ...SCHEDULER_SELECTOR }, ports: [{ name: http.name, port: SCHEDULER_PORT, targetPort: http.name, protocol: "TCP" }] },
    };

    // A drain or an upgrade takes replicas one at a time while another serves.
    const budget: KubeObject = {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: meta(SCHEDULER_NAME),
        spec: { minAvailable: 1, selector: { matchLabels: { ...SCHEDULER_SELECTOR } }, unhealthyPodEvictionPolicy: "AlwaysAllow" },
    };

    // On CPU, from the cluster's metrics API (metrics-server: GKE and ACK run it, EKS and some existing
    // clusters need it installed). Without it the autoscaler holds the count where it is: never below
    // the floor. Each replica enforces 1/replicas of every quota (the config's `replicas` is the floor),
    // so while scaled out the region admits up to maxReplicas/replicas of a quota: a burst allowance
    // the metered usage still shows, rather than quotas that shrink whenever the region is busy.
    const autoscaler: KubeObject = {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: meta(SCHEDULER_NAME),
        spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: SCHEDULER_NAME },
            minReplicas: v.replicas,
            maxReplicas: v.maxReplicas ?? 2 * v.replicas,
            metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: TARGET_CPU_PERCENT } } }],
        },
    };

    const defaultDeny: KubeObject = {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: meta("default-deny-ingress"),
        spec: { podSelector: {}, policyTypes: ["Ingress"] },
    };
    // The service port from anywhere the cluster routes to it: the ingress controller (whichever
    // namespace the operator runs it in) and clients in the cluster; every request there needs a
    // tenant's key. The admin port (/metrics with every tenant's usage, the probes) from the monitoring
    // namespace only; the kubelet's probes come from the node, which NetworkPolicies do not filter.
    const serving: KubeObject = {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: meta(SCHEDULER_NAME),
        spec: {
            podSelector: { matchLabels: { ...SCHEDULER_SELECTOR } },
            policyTypes: ["Ingress"],
            ingress: [
                { ports: [{ protocol: "TCP", port: SCHEDULER_PORT }] },
                { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": v.monitoringNamespace } } }], ports: [{ protocol: "TCP", port: ADMIN_PORT }] },
            ],
        },
    };

    return [namespace, config, keys, deployment, service, budget, autoscaler, defaultDeny, serving];
}
