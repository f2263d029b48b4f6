// Who may reach a ledger's pods in one region, and how its pods find one another: one headless
// Service and one NetworkPolicy per role, shared by the ledger's nodes there. Nothing in them is
// specific to one node, so a region stores them once per ledger, not once per node.
import { PORTS } from "../frameworks/besu/config";
import { type KubeObject, NAMESPACE_NAME_LABEL, SCHEDULER_COMPONENT, schedulerNamespace } from "./kube";
import { APP_NAME, LEDGER_LABEL, ledgerLabels, type LedgerRole, REGION_LABEL, roleSelector } from "./ledger-labels";
import { METRICS_PORT, P2P_PORT } from "./node-common";

/** The governing headless Service of every ledger StatefulSet: pod `<node>-0` is `<node>-0.nodes.<namespace>.svc`. */
export const NODES_SERVICE = "nodes";

/** The DNS name of a node's pod inside its cluster, which same-cluster peers resolve to its pod address. */
export function podDnsName(node: string, namespace: string): string {
    return `${node}-0.${NODES_SERVICE}.${namespace}.svc`;
}

/** NetworkPolicy of each role's pods. */
export const ROLE_POLICY: Readonly<Record<LedgerRole, string>> = { validator: "validators", rpc: "rpc" };

export interface LedgerAccessValues<S = string> {
    network: string;
    ledger: string;
    region: string;
    namespace: string;
    /** Roles with at least one node of the ledger in this region. */
    roles: readonly LedgerRole[];
    /** Where the ledger's P2P connections come from: its regions' egress addresses, as CIDRs. */
    peerSources: readonly S[];
    /** Other regions' egress addresses (CIDRs) whose schedulers call this region's RPC nodes; none when they cannot. */
    schedulerSources: readonly S[];
    /** Namespace whose pods may scrape metrics. */
    monitoringNamespace: string;
}

export function ledgerAccess<S>(v: LedgerAccessValues<S>): KubeObject[] {
    const ledgerPods = { "app.kubernetes.io/name": APP_NAME, [LEDGER_LABEL]: v.ledger, [REGION_LABEL]: v.region };
    const nodes: KubeObject = {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: NODES_SERVICE, namespace: v.namespace, labels: ledgerLabels(v, "ledger") },
        spec: {
            clusterIP: "None",
            // Peers find a pod by name while it starts, not only once it is ready.
            publishNotReadyAddresses: true,
            selector: ledgerPods,
            ports: [P2P_PORT, METRICS_PORT],
        },
    };

    const p2p = {
        // The ledger's pods in this cluster, and the ledger's regions' egress addresses.
        ports: [{ protocol: "TCP", port: PORTS.p2p }],
        from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": APP_NAME, [LEDGER_LABEL]: v.ledger } } }, ...v.peerSources.map((cidr) => ({ ipBlock: { cidr } }))],
    };
    const rpc = {
        ports: [{ protocol: "TCP", port: PORTS.rpcHttp }],
        from: [
            {
                // The label the API server sets to a namespace's name: nobody can forge it.
                namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: schedulerNamespace(v.network) } },
                podSelector: { matchLabels: { "app.kubernetes.io/component": SCHEDULER_COMPONENT } },
            },
            ...v.schedulerSources.map((cidr) => ({ ipBlock: { cidr } })),
        ],
    };
    const metrics = {
        ports: [{ protocol: "TCP", port: PORTS.metrics }],
        from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: v.monitoringNamespace } } }],
    };
    // Validators serve no JSON-RPC beyond their pod; RPC nodes serve schedulers only.
    const policies: KubeObject[] = v.roles.map((role) => ({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: ROLE_POLICY[role], namespace: v.namespace, labels: ledgerLabels(v, role) },
        spec: {
            podSelector: { matchLabels: roleSelector(v, role) },
            policyTypes: ["Ingress"],
            ingress: role === "validator" ? [p2p, metrics] : [p2p, rpc, metrics],
        },
    }));
    return [nodes, ...policies];
}
