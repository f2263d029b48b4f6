// The namespace a ledger lives in, in one region: what every node of that ledger there shares.
// Pure: values in, Kubernetes objects out.

import type { KubeObject } from "./kube";
import { ledgerAccess, type LedgerAccessValues } from "./ledger-access";
import { ledgerLabels, type LedgerRole, REGION_LABEL, roleSelector } from "./ledger-labels";

export { APP_NAME, LEDGER_LABEL, ledgerLabels, type LedgerRole, REGION_LABEL, ROLE_LABEL, roleSelector } from "./ledger-labels";


/** Name of the ConfigMap holding genesis.json; every node of the ledger mounts it. */
export const GENESIS_CONFIGMAP = "genesis";
export const GENESIS_FILE = "genesis.json";

/** The ledger's peer files in this region, shared by its pods here (see frameworks/besu/peers.ts). */
export const PEERS_CONFIGMAP = "peers";
export const PEER_FILES = { staticNodes: "static-nodes.json", allowlist: "allowlist", localPeers: "local-peers" } as const;


/** S is a plain string, or whatever the caller resolves later (a Pulumi Output): the chart only places it. */
export interface LedgerNamespaceValues<S = string> {
    network: string;
    ledger: string;
    region: string;
    /** e.g. "atlas-main". */
    namespace: string;
    /** Exact bytes of genesis.json, identical in every region. */
    genesisJson: S;
    /** sha256 of genesis.json, shown on the Namespace. */
    genesisSha256: S;
    /** static-nodes.json, the allowlist lines and the same-cluster peers (frameworks/besu/peers.ts). */
    peers: { staticNodesJson: S; allowlist: S; localPeers: S };
    /** Roles with at least one node of the ledger in this region: each gets a disruption budget and a NetworkPolicy. */
    roles: readonly LedgerRole[];
    /** Who may connect to the ledger's pods here (see charts/ledger-access.ts). */
    access: Pick<LedgerAccessValues<S>, "peerSources" | "schedulerSources" | "monitoringNamespace">;
}

const ROLES: readonly { role: LedgerRole; budget: string }[] = [
    { role: "validator", budget: "validators" },
    { role: "rpc", budget: "rpc" },
];

/**
 * Namespace (Pod Security "restricted"), the shared genesis and peers ConfigMaps, a
 * PodDisruptionBudget per role present, a default-deny ingress NetworkPolicy, and what opens it: a
 * NetworkPolicy per role and the headless Service the pods find one another through.
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
            annotations: { "ledgerfleet.io/genesis-sha256": v.genesisSha256 },
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
        // Genesis never changes once a chain runs: Kubernetes refuses edits to an immutable ConfigMap,
        // and the component protects it, so a changed genesis fails the preview instead of the chain.
        immutable: true,
        data: { [GENESIS_FILE]: v.genesisJson },
    };

    // Mounted as a folder, so an update reaches running pods without a restart; the validators'
    // sidecar reloads the allowlist from it (charts/pod-scripts.ts).
    const peers: KubeObject = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: meta(PEERS_CONFIGMAP, "ledger"),
        data: {
            [PEER_FILES.staticNodes]: v.peers.staticNodesJson,
            [PEER_FILES.allowlist]: v.peers.allowlist,
            [PEER_FILES.localPeers]: v.peers.localPeers,
        },
    };

    // maxUnavailable: 1 over all of a role's pods in the region, not minAvailable: 1 per node: every
    // node is a StatefulSet of one replica, so a per-node minAvailable: 1 would refuse every eviction
    // and block node drains (and so cluster upgrades) forever. One budget per role lets a drain take
    // one validator of this ledger in this region at a time, waiting until it is Ready again
    // elsewhere before taking the next; with no more than f validators per region, consensus holds.
    const budgets: KubeObject[] = ROLES.filter(({ role }) => v.roles.includes(role)).map(({ role, budget }) => ({
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

    const access = ledgerAccess({ network: v.network, ledger: v.ledger, region: v.region, namespace: v.namespace, roles: v.roles, ...v.access });
    return [namespace, genesis, peers, ...budgets, defaultDeny, ...access];
}
