// Values and readers shared by the chart tests. The key pair is derived here with @noble/curves, not
// by the code under test, and its private key is a recognisable marker, so a leak is easy to find.
import { secp256k1 } from "@noble/curves/secp256k1";
import * as ipaddr from "ipaddr.js";
import type { KubeObject } from "../../charts/kube";
import type { LedgerNamespaceValues } from "../../charts/ledger-namespace";
import type { LedgerPeerValues } from "../../charts/ledger-peer";
import { besuConfigToml } from "../../frameworks/besu/config";

export const MARKER_KEY = "c0ffee".repeat(10) + "c0ff"; // 32 bytes, valid secp256k1 scalar
export const OTHER_KEY = "5eed".repeat(16);
export const publicKeyOf = (hex: string) => "0x" + Buffer.from(secp256k1.getPublicKey(hex, false).slice(1)).toString("hex");
export const MARKER_PUBLIC = publicKeyOf(MARKER_KEY);

export const NS: LedgerNamespaceValues = {
    network: "atlas",
    ledger: "main",
    region: "aws-use1",
    namespace: "atlas-main",
    // Odd bytes on purpose: CRLF, tabs, non-ASCII, trailing blank lines must all survive untouched.
    genesisJson: '{\r\n\t"config": { "chainId": 827614, "qbft": {} },\n  "extraData": "0xf87aa0",  "note": "ünïcødé ✓"\n}\n\n',
    genesisSha256: "ab".repeat(32),
    peers: { staticNodesJson: "[]\n", allowlist: "", localPeers: "" },
    roles: ["validator", "rpc"],
    access: { peerSources: ["203.0.113.10/32", "203.0.113.20/32"], schedulerSources: ["203.0.113.20/32"], monitoringNamespace: "monitoring" },
};

export const EGRESS = NS.access.peerSources;
export const REMOTE_SCHEDULERS = NS.access.schedulerSources;
export const POD_CIDR = "10.244.0.0/16";

export function peer(over: Partial<LedgerPeerValues> = {}): LedgerPeerValues {
    const role = over.role ?? "validator";
    const node = over.node ?? (role === "validator" ? "val-1" : "rpc-1");
    const address = over.address ?? (role === "validator" ? "198.51.100.11" : "198.51.100.21");
    return {
        network: "atlas",
        ledger: "main",
        region: "aws-use1",
        node,
        role,
        namespace: "atlas-main",
        image: "hyperledger/besu:26.8.0@sha256:" + "ab".repeat(32),
        address,
        dnsName: `main-${node}.aws-use1.atlas.ledger.example`,
        loadBalancer: "metallb",
        p2pSourceRanges: [...EGRESS, POD_CIDR],
        schedulerSources: REMOTE_SCHEDULERS,
        nodeSelector: { "ledgerfleet.io/pool": "ledger" },
        storageClass: "ledger-gp3",
        resources: role === "validator" ? { cpu: "2", memory: "4Gi", storageGiB: 100 } : { cpu: "2", memory: "8Gi", storageGiB: 200 },
        configToml: over.configToml ?? besuConfigToml({ role, p2pHost: address }),
        ...(role === "rpc" ? { peersHash: "cd".repeat(32), rpcAddress: "10.10.0.21" } : {}),
        publicKey: MARKER_PUBLIC,
        nodeKey: { secretName: `${node}-key`, key: "key", privateKey: "0x" + MARKER_KEY },
        ...over,
    };
}

type Obj = Record<string, unknown>;
export type { Obj };
export const get = (o: unknown, path: string): unknown =>
    path.split(".").reduce<unknown>((cur, k) => (cur !== null && typeof cur === "object" ? (cur as Obj)[k] : undefined), o);
export const arr = (o: unknown, path: string): Obj[] => {
    const v = get(o, path);
    if (!Array.isArray(v)) throw new Error(`${path} is not a list`);
    return v as Obj[];
};
export const find = (objs: KubeObject[], kind: string, name: string): KubeObject => {
    const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
    if (!o) throw new Error(`no ${kind} ${name} among ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(", ")}`);
    return o;
};
export const podSpec = (objs: KubeObject[], node: string) => get(find(objs, "StatefulSet", node), "spec.template.spec") as Obj;
export const containers = (spec: Obj): Obj[] => [...arr(spec, "initContainers"), ...arr(spec, "containers")];
export const container = (spec: Obj, name: string): Obj => {
    const c = containers(spec).find((x) => x.name === name);
    if (!c) throw new Error(`no container ${name}`);
    return c;
};
export const subset = (want: Record<string, string>, have: Record<string, string> | undefined) =>
    Object.entries(want).every(([k, v]) => have?.[k] === v);

/** Where a connection comes from: an address outside the cluster, or a pod (its namespace's labels included). */
export type Source =
    | { ip: string }
    | { namespace: string; namespaceLabels: Record<string, string>; podLabels: Record<string, string> };

/**
 * Kubernetes NetworkPolicy ingress semantics, written from the API reference (matchLabels and
 * ipBlock.cidr only): a pod selected by any Ingress policy admits a connection only if some rule
 * of one of them does.
 */
export function admits(policies: KubeObject[], pod: { namespace: string; labels: Record<string, string> }, src: Source, port: number): boolean {
    const matches = (sel: unknown, labels: Record<string, string>) => {
        if (get(sel, "matchExpressions") !== undefined) throw new Error("matchExpressions not supported by this test");
        return subset((get(sel, "matchLabels") ?? {}) as Record<string, string>, labels);
    };
    const selecting = policies.filter(
        (p) => p.kind === "NetworkPolicy" && p.metadata.namespace === pod.namespace && matches(get(p, "spec.podSelector"), pod.labels) &&
            arr(p, "spec.policyTypes").includes("Ingress" as never),
    );
    if (selecting.length === 0) return true;
    return selecting.some((p) => ((get(p, "spec.ingress") ?? []) as Obj[]).some((rule) => {
        const ports = (rule.ports ?? []) as Obj[];
        const portOk = ports.length === 0 || ports.some((pp) => (pp.protocol ?? "TCP") === "TCP" && pp.port === port);
        const from = (rule.from ?? []) as Obj[];
        const fromOk = from.length === 0 || from.some((peerSel) => {
            if (peerSel.ipBlock !== undefined) {
                if (!("ip" in src)) return false;
                const [range, bits] = ipaddr.parseCIDR(String(get(peerSel, "ipBlock.cidr")));
                const address = ipaddr.parse(src.ip);
                return address.kind() === range.kind() && address.match(range, bits);
            }
            if ("ip" in src) return false;
            const nsOk = peerSel.namespaceSelector === undefined ? src.namespace === pod.namespace : matches(peerSel.namespaceSelector, src.namespaceLabels);
            const podOk = peerSel.podSelector === undefined || matches(peerSel.podSelector, src.podLabels);
            return nsOk && podOk;
        });
        return portOk && fromOk;
    }));
}
