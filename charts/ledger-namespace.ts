// The namespace a ledger lives in, in one region: what every node of that ledger there shares.
// Pure: values in, Kubernetes objects out.

import { KubeObject, standardLabels } from "./kube";

/** Label keys ledgerfleet puts on every object of a ledger, so selectors never drift apart. */
export const LEDGER_LABEL = "ledgerfleet.io/ledger";
export const REGION_LABEL = "ledgerfleet.io/region";
export const ROLE_LABEL = "ledgerfleet.io/role";

/** Name of the ConfigMap holding genesis.json; every node of the ledger mounts it. */
export const GENESIS_CONFIGMAP = "genesis";
export const GENESIS_FILE = "genesis.json";

export type LedgerRole = "validator" | "rpc";

/** Every ledger pod carries app.kubernetes.io/name=besu; selectors start from it. */
export const APP_NAME = "besu";

/** S is a plain string, or whatever the caller resolves later (a Pulumi Output): the chart only places it. */
export interface LedgerNamespaceValues<S = string> {
    network: string;
    ledger: string;
    region: string;
    /** e.g. "atlas-main". */
    namespace: string;
    /** Exact bytes of genesis.json, identical in every region. */
    genesisJson: S;
}

/** Labels of objects that belong to the ledger as a whole rather than to one node. */
export function ledgerLabels(v: { network: string; ledger: string; region: string }, component: string): Record<string, string> {
    return {
        ...standardLabels({ name: APP_NAME, instance: v.ledger, component, partOf: v.network }),
        [LEDGER_LABEL]: v.ledger,
        [REGION_LABEL]: v.region,
    };
}

/** Selects the pods of one role of one ledger in one region. */
export function roleSelector(v: { ledger: string; region: string }, role: LedgerRole): Record<string, string> {
    return {
        "app.kubernetes.io/name": APP_NAME,
        [LEDGER_LABEL]: v.ledger,
        [REGION_LABEL]: v.region,
        [ROLE_LABEL]: role,
    };
}

const ROLES: readonly { role: LedgerRole; budget: string }[] = [
    { role: "validator", budget: "validators" },
    { role: "rpc", budget: "rpc" },
];

/**
 * Namespace (Pod Security "restricted"), the shared genesis ConfigMap, one PodDisruptionBudget per
 * role and a default-deny ingress NetworkPolicy; each node's own NetworkPolicy opens what it serves.
 */
export function ledgerNamespace<S = string>(v: LedgerNamespaceValues<S>): KubeObject[] {
    const meta = (name: string, component: string) => ({
        name,
        namespace: v.namespace,
        labels: ledgerLabels(v, component),
    });

    const namespace: KubeObject = {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name: v.namespace,
            labels: {
                ...ledgerLabels(v, "ledger"),
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/audit": "restricted",
                "pod-security.kubernetes.io/warn": "restricted",
            },
        },
    };

    // The same object, to the byte, in every region (labels included, so no region label): a diff
    // or checksum of the manifests across regions shows at once that the chain's genesis agrees.
    const { [REGION_LABEL]: _region, ...sameEverywhere } = ledgerLabels(v, "ledger");
    const genesis: KubeObject = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: GENESIS_CONFIGMAP, namespace: v.namespace, labels: sameEverywhere },
        data: { [GENESIS_FILE]: v.genesisJson },
    };

    // maxUnavailable: 1 over all of a role's pods in the region, not minAvailable: 1 per node: every
    // node is a StatefulSet of one replica, so a per-node minAvailable: 1 would refuse every eviction
    // and block node drains (and so cluster upgrades) forever. One budget per role lets a drain take
    // one validator of this ledger in this region at a time, waiting until it is Ready again
    // elsewhere before taking the next; with no more than f validators per region, consensus holds.
    const budgets: KubeObject[] = ROLES.map(({ role, budget }) => ({
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: meta(budget, role),
        spec: {
            maxUnavailable: 1,
            selector: { matchLabels: roleSelector(v, role) },
            // A pod that is already unready (crash-looping, still syncing after a failed start) may be
            // evicted anyway, so one broken pod cannot hold a node drain hostage.
            unhealthyPodEvictionPolicy: "AlwaysAllow",
        },
    }));

    const defaultDeny: KubeObject = {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: meta("default-deny-ingress", "ledger"),
        spec: { podSelector: {}, policyTypes: ["Ingress"] },
    };

    return [namespace, genesis, ...budgets, defaultDeny];
}
