// What one node's objects share: labels, names, ports and Pulumi annotations.
import { PORTS } from "../frameworks/besu/config";
import { KubeObject, standardLabels } from "./kube";
import { APP_NAME, LEDGER_LABEL, type LedgerRole, REGION_LABEL, ROLE_LABEL } from "./ledger-labels";

/** Labels and selectors of one node's objects. */
export function nodeLabels(v: { network: string; ledger: string; region: string; node: string; role: LedgerRole }) {
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
        /** The ledger's pods in this namespace, whatever their role. */
        ledgerPods: { matchLabels: { "app.kubernetes.io/name": APP_NAME, [LEDGER_LABEL]: v.ledger } },
    };
}

export function nodeMeta(v: { network: string; ledger: string; region: string; node: string; role: LedgerRole; namespace: string }, name: string, annotations?: Record<string, string>): KubeObject["metadata"] {
    return { name, namespace: v.namespace, labels: nodeLabels(v).labels, ...(annotations ? { annotations } : {}) };
}

/** Name of a node's data volume claim. */
export function dataClaimName(node: string): string {
    return `${node}-data`;
}

const servicePort = (name: string, port: number) => ({ name, port, targetPort: name, protocol: "TCP" });
export const P2P_PORT = servicePort("p2p", PORTS.p2p);
export const RPC_PORT = servicePort("rpc-http", PORTS.rpcHttp);
export const METRICS_PORT = servicePort("metrics", PORTS.metrics);

/** Skip the await where readiness depends on peers in other regions, which may not exist yet. */
export const SKIP_AWAIT = { "pulumi.com/skipAwait": "true" };

