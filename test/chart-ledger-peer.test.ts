import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, chmodSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { secp256k1 } from "@noble/curves/secp256k1";
import { afterAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../charts/kube";
import { validateKubeObject } from "./helpers/kube-schema";
import { ledgerNamespace, LedgerNamespaceValues } from "../charts/ledger-namespace";
import { ledgerPeer, LedgerPeerValues } from "../charts/ledger-peer";
import { besuConfigToml } from "../frameworks/besu/config";

// ---------------------------------------------------------------------------------------------
// Fixtures: a real secp256k1 key pair (derived here with @noble/curves, not by the code under test)
// whose private key is a recognisable marker, so a leak is easy to find in rendered JSON.

const MARKER_KEY = "c0ffee".repeat(10) + "c0ff"; // 32 bytes, valid secp256k1 scalar
const OTHER_KEY = "5eed".repeat(16);
const publicKeyOf = (hex: string) => "0x" + Buffer.from(secp256k1.getPublicKey(hex, false).slice(1)).toString("hex");
const MARKER_PUBLIC = publicKeyOf(MARKER_KEY);

const NS: LedgerNamespaceValues = {
    network: "atlas",
    ledger: "main",
    region: "aws-use1",
    namespace: "atlas-main",
    // Odd bytes on purpose: CRLF, tabs, non-ASCII, trailing blank lines must all survive untouched.
    genesisJson: '{\r\n\t"config": { "chainId": 31337, "qbft": {} },\n  "extraData": "0xf87aa0",  "note": "ünïcødé ✓"\n}\n\n',
};

function peer(over: Partial<LedgerPeerValues> = {}): LedgerPeerValues {
    const role = over.role ?? "validator";
    const node = over.node ?? (role === "validator" ? "val-1" : "rpc-1");
    const p2pHost = `main-${node}.aws-use1.atlas.ledger.example`;
    return {
        network: "atlas",
        ledger: "main",
        region: "aws-use1",
        node,
        role,
        namespace: "atlas-main",
        image: "hyperledger/besu:25.4.1@sha256:" + "ab".repeat(32),
        p2pHost,
        storageClass: "ledger-gp3",
        resources: { cpu: "2", memory: "4Gi", storageGiB: 100 },
        configToml: over.configToml ?? besuConfigToml({ role, p2pHost }),
        staticNodesJson: JSON.stringify([`enode://${"ab".repeat(64)}@main-val-2.gcp-euw1.atlas.ledger.example:30303`]),
        publicKey: MARKER_PUBLIC,
        nodeKey: { secretName: `${node}-key`, key: "key", privateKey: "0x" + MARKER_KEY },
        ...over,
    };
}

// ---------------------------------------------------------------------------------------------
// Helpers

type Obj = Record<string, unknown>;
const get = (o: unknown, path: string): unknown =>
    path.split(".").reduce<unknown>((cur, k) => (cur !== null && typeof cur === "object" ? (cur as Obj)[k] : undefined), o);
const arr = (o: unknown, path: string): Obj[] => {
    const v = get(o, path);
    if (!Array.isArray(v)) throw new Error(`${path} is not a list`);
    return v as Obj[];
};
const find = (objs: KubeObject[], kind: string, name: string): KubeObject => {
    const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
    if (!o) throw new Error(`no ${kind} ${name} among ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(", ")}`);
    return o;
};
const podSpec = (objs: KubeObject[], node: string) => get(find(objs, "StatefulSet", node), "spec.template.spec") as Obj;
const containers = (spec: Obj): Obj[] => [...arr(spec, "initContainers"), ...arr(spec, "containers")];
const container = (spec: Obj, name: string): Obj => {
    const c = containers(spec).find((x) => x.name === name);
    if (!c) throw new Error(`no container ${name}`);
    return c;
};
const subset = (want: Record<string, string>, have: Record<string, string> | undefined) =>
    Object.entries(want).every(([k, v]) => have?.[k] === v);

/**
 * Kubernetes NetworkPolicy ingress semantics, written from the API reference, for matchLabels only:
 * a pod selected by any Ingress policy admits a connection only if some rule of one of them does.
 */
type Source = "internet" | { namespace: string; namespaceLabels: Record<string, string>; podLabels: Record<string, string> };
function admits(policies: KubeObject[], pod: { namespace: string; labels: Record<string, string> }, src: Source, port: number, protocol: "TCP" | "UDP"): boolean {
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
        const portOk = ports.length === 0 || ports.some((pp) => (pp.protocol ?? "TCP") === protocol && pp.port === port);
        const from = (rule.from ?? []) as Obj[];
        const fromOk = from.length === 0 || (src !== "internet" && from.some((peerSel) => {
            if (peerSel.ipBlock !== undefined) throw new Error("ipBlock not supported by this test");
            const nsOk = peerSel.namespaceSelector === undefined ? src.namespace === pod.namespace : matches(peerSel.namespaceSelector, src.namespaceLabels);
            const podOk = peerSel.podSelector === undefined || matches(peerSel.podSelector, src.podLabels);
            return nsOk && podOk;
        }));
        return portOk && fromOk;
    }));
}

// Renders used across tests.
const nsObjects = ledgerNamespace(NS);
const validator = ledgerPeer(peer());
const rpcNode = ledgerPeer(peer({ role: "rpc", resources: { cpu: "2", memory: "8Gi", storageGiB: 200 } }));
const operatorKey = ledgerPeer(peer({ node: "val-2", nodeKey: { secretName: "val-2-operator-key", key: "nodekey" } }));
const everything = [...nsObjects, ...validator, ...rpcNode, ...operatorKey];

// ---------------------------------------------------------------------------------------------

describe("ledger namespace and peer charts", () => {
    it("every rendered object is valid against the Kubernetes OpenAPI schema", () => {
        for (const obj of everything) {
            expect(() => validateKubeObject(obj), `${obj.kind}/${obj.metadata.name}`).not.toThrow();
        }
        // The harness is not vacuous: a wrong enum and a wrong type are rejected.
        const svc = structuredClone(find(validator, "Service", "val-1-p2p"));
        (arr(svc, "spec.ports")[0] as Obj).protocol = "QUIC";
        expect(() => validateKubeObject(svc)).toThrow();
        const sts = structuredClone(find(validator, "StatefulSet", "val-1"));
        (get(sts, "spec") as Obj).replicas = "one";
        expect(() => validateKubeObject(sts)).toThrow();
        // ... and so is a field Kubernetes does not have (a typo the API server would drop).
        const typo = structuredClone(find(validator, "StatefulSet", "val-1"));
        (get(typo, "spec") as Obj).persistentVolumeClaimRetentionPolicey = { whenDeleted: "Retain" };
        expect(() => validateKubeObject(typo)).toThrow(/spec\.persistentVolumeClaimRetentionPolicey/);
    });

    it("every object carries the standard app.kubernetes.io labels and the ledger's labels", () => {
        for (const obj of everything) {
            const labels = obj.metadata.labels ?? {};
            for (const k of ["name", "instance", "component", "part-of", "managed-by"]) {
                expect(labels[`app.kubernetes.io/${k}`], `${obj.kind}/${obj.metadata.name} ${k}`).toMatch(/\S/);
            }
            expect(labels["app.kubernetes.io/part-of"]).toBe("atlas");
            expect(labels["app.kubernetes.io/managed-by"]).toBe("ledgerfleet");
            expect(labels["ledgerfleet.io/ledger"]).toBe("main");
            // The genesis ConfigMap alone is region-neutral: it must be identical in every region.
            if (obj.metadata.name !== "genesis") expect(labels["ledgerfleet.io/region"]).toBe("aws-use1");
        }
        for (const obj of validator) {
            expect(obj.metadata.labels).toMatchObject({
                "app.kubernetes.io/name": "besu",
                "app.kubernetes.io/instance": "main-val-1",
                "app.kubernetes.io/component": "validator",
                "ledgerfleet.io/role": "validator",
            });
            if (obj.kind !== "Namespace") expect(obj.metadata.namespace).toBe("atlas-main");
        }
        expect(get(find(validator, "StatefulSet", "val-1"), "spec.template.metadata.labels")).toMatchObject(find(validator, "StatefulSet", "val-1").metadata.labels ?? {});
    });

    it("a validator's volume survives deletion of its StatefulSet", () => {
        const sts = find(validator, "StatefulSet", "val-1");
        expect(get(sts, "spec.persistentVolumeClaimRetentionPolicy")).toEqual({ whenDeleted: "Retain", whenScaled: "Retain" });
        const [claim] = arr(sts, "spec.volumeClaimTemplates");
        expect(get(claim, "metadata.name")).toBe("data");
        expect(get(claim, "spec.storageClassName")).toBe("ledger-gp3");
        expect(get(claim, "spec.resources.requests.storage")).toBe("100Gi");
        expect(get(sts, "spec.replicas")).toBe(1);
        expect(get(sts, "spec.serviceName")).toBe("val-1");
    });

    it("the pod cannot run as root, has no capabilities, a read-only root fs and the RuntimeDefault seccomp profile", () => {
        for (const objs of [validator, rpcNode]) {
            const spec = podSpec(objs, objs === validator ? "val-1" : "rpc-1");
            expect(get(spec, "securityContext.runAsNonRoot")).toBe(true);
            expect(get(spec, "securityContext.runAsUser")).toBe(1000);
            expect(get(spec, "securityContext.seccompProfile.type")).toBe("RuntimeDefault");
            expect(get(spec, "automountServiceAccountToken")).toBe(false);
            expect(containers(spec).map((c) => c.name)).toEqual(["verify-key", "besu"]);
            for (const c of containers(spec)) {
                const sc = c.securityContext as Obj;
                expect(sc.runAsNonRoot, String(c.name)).toBe(true);
                expect(sc.runAsUser).not.toBe(0);
                expect(sc.allowPrivilegeEscalation).toBe(false);
                expect(sc.readOnlyRootFilesystem).toBe(true);
                expect(sc.privileged).toBeUndefined();
                expect(get(sc, "capabilities")).toEqual({ drop: ["ALL"] });
                // Every writable path is a volume: the data disk and /tmp.
                const writable = ((c.volumeMounts ?? []) as Obj[]).filter((m) => m.readOnly !== true).map((m) => m.mountPath);
                expect(writable.every((p) => p === "/data" || p === "/tmp")).toBe(true);
            }
        }
        const ns = find(nsObjects, "Namespace", "atlas-main");
        for (const mode of ["enforce", "audit", "warn"]) {
            expect(ns.metadata.labels?.[`pod-security.kubernetes.io/${mode}`]).toBe("restricted");
        }
    });

    it("validators get Guaranteed QoS: requests equal limits in every container", () => {
        const spec = podSpec(validator, "val-1");
        for (const c of containers(spec)) {
            expect(get(c, "resources.requests"), String(c.name)).toEqual(get(c, "resources.limits"));
            expect(get(c, "resources.limits.cpu")).toBeDefined();
            expect(get(c, "resources.limits.memory")).toBeDefined();
        }
        expect(get(container(spec, "besu"), "resources.limits")).toEqual({ cpu: "2", memory: "4Gi" });
    });

    it("BESU_OPTS sizes the heap from the memory limit (4Gi and 8Gi give different -Xmx, below the limit)", () => {
        const xmxMiB = (objs: KubeObject[], node: string) => {
            const env = arr(container(podSpec(objs, node), "besu"), "env");
            const opts = String(env.find((e) => e.name === "BESU_OPTS")?.value);
            const m = /-Xmx(\d+)([mg])/.exec(opts);
            if (!m) throw new Error(`no -Xmx in ${opts}`);
            return Number(m[1]) * (m[2] === "g" ? 1024 : 1);
        };
        const small = xmxMiB(validator, "val-1"); // 4Gi
        const large = xmxMiB(rpcNode, "rpc-1"); // 8Gi
        expect(large).toBe(2 * small);
        expect(small).toBeLessThan(4096);
        expect(large).toBeLessThan(8192);
    });

    it("the P2P service exposes 30303 over TCP and UDP at the node's stable name, reaching the container", () => {
        const svc = find(validator, "Service", "val-1-p2p");
        expect(get(svc, "spec.type")).toBe("LoadBalancer");
        expect(get(svc, "spec.externalTrafficPolicy")).toBe("Local");
        expect(svc.metadata.annotations?.["external-dns.alpha.kubernetes.io/hostname"]).toBe("main-val-1.aws-use1.atlas.ledger.example");
        const ports = arr(svc, "spec.ports").map((p) => `${p.port}/${p.protocol}`).sort();
        expect(ports).toEqual(["30303/TCP", "30303/UDP"]);
    });

    it("every Service port lands on a container port of the same number and protocol, on the node's own pod", () => {
        for (const [objs, node] of [[validator, "val-1"], [rpcNode, "rpc-1"]] as const) {
            const sts = find(objs, "StatefulSet", node);
            const podLabels = get(sts, "spec.template.metadata.labels") as Record<string, string>;
            expect(subset(get(sts, "spec.selector.matchLabels") as Record<string, string>, podLabels)).toBe(true);
            const cports = arr(container(podSpec(objs, node), "besu"), "ports");
            for (const svc of objs.filter((o) => o.kind === "Service")) {
                expect(subset(get(svc, "spec.selector") as Record<string, string>, podLabels)).toBe(true);
                for (const p of arr(svc, "spec.ports")) {
                    const target = cports.find((c) => c.name === p.targetPort);
                    expect(target, `${svc.metadata.name} ${String(p.name)}`).toBeDefined();
                    expect(target?.containerPort).toBe(p.port);
                    expect(target?.protocol).toBe(p.protocol);
                }
            }
            // A node's selector does not catch its neighbours.
            const other = find(objs === validator ? rpcNode : validator, "StatefulSet", objs === validator ? "rpc-1" : "val-1");
            expect(subset(get(sts, "spec.selector.matchLabels") as Record<string, string>, get(other, "spec.template.metadata.labels") as Record<string, string>)).toBe(false);
        }
        const headless = find(validator, "Service", "val-1");
        expect(get(headless, "spec.clusterIP")).toBe("None");
        expect(get(headless, "spec.publishNotReadyAddresses")).toBe(true);
        expect(arr(find(validator, "Service", "val-1-rpc"), "spec.ports").map((p) => p.port)).toEqual([8545, 8546]);
    });

    it("RPC accepts the namespace's pods and the network's scheduler only; P2P is open; metrics only to monitoring", () => {
        const policies = [...nsObjects, ...validator];
        const pod = { namespace: "atlas-main", labels: get(find(validator, "StatefulSet", "val-1"), "spec.template.metadata.labels") as Record<string, string> };
        const atlasNs = { "app.kubernetes.io/part-of": "atlas" };
        const scheduler = { "app.kubernetes.io/component": "scheduler" };
        const cases: [string, Source, number, "TCP" | "UDP", boolean][] = [
            ["same-namespace pod -> rpc", { namespace: "atlas-main", namespaceLabels: {}, podLabels: { app: "x" } }, 8545, "TCP", true],
            ["same-namespace pod -> ws", { namespace: "atlas-main", namespaceLabels: {}, podLabels: {} }, 8546, "TCP", true],
            ["network's scheduler -> rpc", { namespace: "atlas-scheduler", namespaceLabels: atlasNs, podLabels: scheduler }, 8545, "TCP", true],
            ["other network's scheduler -> rpc", { namespace: "zeta-scheduler", namespaceLabels: { "app.kubernetes.io/part-of": "zeta" }, podLabels: scheduler }, 8545, "TCP", false],
            ["non-scheduler pod in the network's namespace -> rpc", { namespace: "atlas-scheduler", namespaceLabels: atlasNs, podLabels: { "app.kubernetes.io/component": "web" } }, 8545, "TCP", false],
            ["pod in an unrelated namespace -> rpc", { namespace: "default", namespaceLabels: {}, podLabels: scheduler }, 8545, "TCP", false],
            ["internet -> rpc", "internet", 8545, "TCP", false],
            ["internet -> p2p tcp", "internet", 30303, "TCP", true],
            ["internet -> p2p udp", "internet", 30303, "UDP", true],
            ["monitoring namespace -> metrics", { namespace: "monitoring", namespaceLabels: { "ledgerfleet.io/metrics": "true" }, podLabels: {} }, 9545, "TCP", true],
            ["unlabelled namespace -> metrics", { namespace: "default", namespaceLabels: {}, podLabels: {} }, 9545, "TCP", false],
            ["internet -> metrics", "internet", 9545, "TCP", false],
            ["internet -> anything else", "internet", 22, "TCP", false],
        ];
        for (const [what, src, port, proto, allowed] of cases) expect(admits(policies, pod, src, port, proto), what).toBe(allowed);
        // The namespace denies by default: a pod with no policy of its own admits nothing.
        expect(admits(nsObjects, { namespace: "atlas-main", labels: { app: "other" } }, "internet", 30303, "TCP")).toBe(false);
    });

    it("an operator-provided key renders no Secret, and the pod still mounts it where Besu's config reads it", () => {
        expect(operatorKey.filter((o) => o.kind === "Secret")).toEqual([]);
        const spec = podSpec(operatorKey, "val-2");
        const vol = arr(spec, "volumes").find((v) => get(v, "secret.secretName") === "val-2-operator-key");
        expect(vol).toBeDefined();
        const [item] = arr(vol, "secret.items");
        expect(item.key).toBe("nodekey");
        expect(get(vol, "secret.defaultMode")).toBeLessThanOrEqual(0o440);
        expect(Number(get(vol, "secret.defaultMode")) & 0o007).toBe(0); // nothing for "other"
        for (const name of ["besu", "verify-key"]) {
            const mount = arr(container(spec, name), "volumeMounts").find((m) => m.name === vol?.name);
            expect(mount?.readOnly).toBe(true);
            // Besu reads the key file its config.toml names.
            const keyFile = /^node-private-key-file="(.*)"$/m.exec(peer().configToml)?.[1];
            expect(posix.join(String(mount?.mountPath), String(item.path))).toBe(keyFile);
        }
    });

    it("a generated key is rendered as an Opaque Secret under the name the pod mounts", () => {
        const secret = find(validator, "Secret", "val-1-key");
        expect(secret.type).toBe("Opaque");
        expect(secret.stringData).toEqual({ key: "0x" + MARKER_KEY });
        expect(arr(podSpec(validator, "val-1"), "volumes").some((v) => get(v, "secret.secretName") === "val-1-key")).toBe(true);
    });

    it("the private key appears in no object but its Secret", () => {
        for (const obj of everything.filter((o) => o.kind !== "Secret")) {
            expect(JSON.stringify(obj).toLowerCase(), `${obj.kind}/${obj.metadata.name}`).not.toContain(MARKER_KEY);
        }
        expect(JSON.stringify(find(validator, "Secret", "val-1-key"))).toContain(MARKER_KEY);
    });

    it("every file Besu's config names is mounted there, and genesis is byte-identical to the input", () => {
        const spec = podSpec(validator, "val-1");
        const besu = container(spec, "besu");
        const toml = peer().configToml;
        const setting = (k: string) => new RegExp(`^${k}="(.*)"$`, "m").exec(toml)?.[1];
        const mounts = arr(besu, "volumeMounts");
        const volumes = arr(spec, "volumes");
        /** The content Besu sees at a path, resolved through mounts, volumes and ConfigMaps. */
        const contentAt = (path: string): string | undefined => {
            for (const m of mounts) {
                const mp = String(m.mountPath);
                const inside = m.subPath !== undefined ? (path === mp ? String(m.subPath) : undefined) : path.startsWith(mp + "/") ? path.slice(mp.length + 1) : undefined;
                if (inside === undefined) continue;
                const cmName = get(volumes.find((v) => v.name === m.name), "configMap.name");
                const cm = [...nsObjects, ...validator].find((o) => o.kind === "ConfigMap" && o.metadata.name === cmName);
                return (get(cm, "data") as Record<string, string> | undefined)?.[inside];
            }
            return undefined;
        };
        const args = arr(besu, "args") as unknown as string[];
        const configFile = args.find((a) => a.startsWith("--config-file="))?.split("=")[1];
        expect(contentAt(String(configFile))).toBe(toml);
        expect(contentAt(String(setting("static-nodes-file")))).toBe(peer().staticNodesJson);
        expect(contentAt(String(setting("genesis-file")))).toBe(NS.genesisJson);
        expect(get(find(nsObjects, "ConfigMap", "genesis"), "data")).toEqual({ "genesis.json": NS.genesisJson });
        // ...and the whole genesis object is the same in another region.
        expect(find(ledgerNamespace({ ...NS, region: "gcp-euw1" }), "ConfigMap", "genesis")).toEqual(find(nsObjects, "ConfigMap", "genesis"));
        expect(mounts.find((m) => m.mountPath === setting("data-path"))?.name).toBe("data");
    });

    it("renders deterministically, in a fixed order, and a config change rolls the pod", () => {
        expect(ledgerPeer(peer())).toEqual(validator);
        expect(ledgerNamespace(NS)).toEqual(nsObjects);
        expect(validator.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
            "ConfigMap/val-1-config", "Secret/val-1-key", "Service/val-1", "Service/val-1-p2p", "Service/val-1-rpc", "NetworkPolicy/val-1", "StatefulSet/val-1",
        ]);
        expect(nsObjects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
            "Namespace/atlas-main", "ConfigMap/genesis", "PodDisruptionBudget/validators", "PodDisruptionBudget/rpc", "NetworkPolicy/default-deny-ingress",
        ]);
        const hash = (objs: KubeObject[]) => get(find(objs, "StatefulSet", "val-1"), "spec.template.metadata.annotations") as Record<string, string>;
        expect(hash(validator)["ledgerfleet.io/config-hash"]).toMatch(/^[0-9a-f]{64}$/);
        expect(hash(validator)).toMatchObject({ "prometheus.io/scrape": "true", "prometheus.io/port": "9545", "prometheus.io/path": "/metrics" });
        const changedPeers = ledgerPeer(peer({ staticNodesJson: "[]" }));
        expect(hash(changedPeers)["ledgerfleet.io/config-hash"]).not.toBe(hash(validator)["ledgerfleet.io/config-hash"]);
        const changedConfig = ledgerPeer(peer({ configToml: peer().configToml + "# x\n" }));
        expect(hash(changedConfig)["ledgerfleet.io/config-hash"]).not.toBe(hash(validator)["ledgerfleet.io/config-hash"]);
    });

    it("a node drain takes at most one validator (and one rpc node) of the ledger in the region at a time", () => {
        const valLabels = get(find(validator, "StatefulSet", "val-1"), "spec.template.metadata.labels") as Record<string, string>;
        const rpcLabels = get(find(rpcNode, "StatefulSet", "rpc-1"), "spec.template.metadata.labels") as Record<string, string>;
        const budget = (name: string) => find(nsObjects, "PodDisruptionBudget", name);
        for (const [name, own, other] of [["validators", valLabels, rpcLabels], ["rpc", rpcLabels, valLabels]] as const) {
            expect(get(budget(name), "spec.maxUnavailable")).toBe(1);
            expect(get(budget(name), "spec.minAvailable")).toBeUndefined();
            const sel = get(budget(name), "spec.selector.matchLabels") as Record<string, string>;
            expect(subset(sel, own)).toBe(true);
            expect(subset(sel, other)).toBe(false);
            // Another region's or ledger's pods are not counted against this budget.
            expect(subset(sel, { ...own, "ledgerfleet.io/region": "gcp-euw1" })).toBe(false);
            expect(subset(sel, { ...own, "ledgerfleet.io/ledger": "tradefin" })).toBe(false);
        }
    });

    it("schedules on the tainted ledger pool, spread over hosts and zones", () => {
        const spec = podSpec(validator, "val-1");
        expect(arr(spec, "tolerations")).toContainEqual({ key: "ledgerfleet.io/pool", operator: "Equal", value: "ledger", effect: "NoSchedule" });
        const [anti] = arr(spec, "affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution");
        expect(get(anti, "podAffinityTerm.topologyKey")).toBe("kubernetes.io/hostname");
        const [spread] = arr(spec, "topologySpreadConstraints");
        expect(spread).toMatchObject({ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" });
        // Both select every pod of this ledger, validators and rpc nodes alike.
        for (const sel of [get(anti, "podAffinityTerm.labelSelector.matchLabels"), get(spread, "labelSelector.matchLabels")]) {
            for (const [objs, node] of [[validator, "val-1"], [rpcNode, "rpc-1"]] as const) {
                expect(subset(sel as Record<string, string>, get(find(objs, "StatefulSet", node), "spec.template.metadata.labels") as Record<string, string>)).toBe(true);
            }
        }
        expect(Number(get(spec, "terminationGracePeriodSeconds"))).toBeGreaterThanOrEqual(60);
    });

    it("a validator is ready without peers (so a fresh network can start); an rpc node needs a peer", () => {
        const readiness = (objs: KubeObject[], node: string) => new URL(String(get(container(podSpec(objs, node), "besu"), "readinessProbe.httpGet.path")), "http://pod");
        expect(readiness(validator, "val-1").pathname).toBe("/readiness");
        expect(readiness(validator, "val-1").searchParams.get("minPeers")).toBe("0");
        expect(Number(readiness(rpcNode, "rpc-1").searchParams.get("minPeers"))).toBeGreaterThanOrEqual(1);
        const besu = container(podSpec(validator, "val-1"), "besu");
        for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
            expect(get(besu, `${probe}.httpGet.port`)).toBe("rpc-http");
        }
        // Besu may need minutes to open its database after a restart: the startup probe waits >= 10 min.
        expect(Number(get(besu, "startupProbe.periodSeconds")) * Number(get(besu, "startupProbe.failureThreshold"))).toBeGreaterThanOrEqual(600);
        // P2P never waits for readiness, or a fresh network's nodes could not reach one another.
        expect(get(find(rpcNode, "Service", "rpc-1-p2p"), "spec.publishNotReadyAddresses")).toBe(true);
    });

    it("rejects values that would only fail later, naming the node", () => {
        expect(() => ledgerPeer(peer({ publicKey: "0x1234" }))).toThrow(/publicKey of node "val-1".*128 hex/);
        expect(() => ledgerPeer(peer({ node: "Val_1", configToml: "" }))).toThrow(/node name "Val_1"/);
        expect(() => ledgerPeer(peer({ resources: { cpu: "2", memory: "4Gi", storageGiB: 0 } }))).toThrow(/storageGiB/);
    });

    it("places values only known at deploy time (a Pulumi Output) without reading them", () => {
        class Later { constructor(readonly what: string) {} }
        const base = peer();
        const v: LedgerPeerValues<Later | string> = { ...base, staticNodesJson: new Later("peers"), publicKey: new Later("pub"), nodeKey: { secretName: "val-1-key", key: "key", privateKey: new Later("priv") } };
        expect(() => ledgerPeer(v)).toThrow(/configHash/);
        const objs = ledgerPeer({ ...v, configHash: new Later("hash") });
        expect((get(find(objs, "ConfigMap", "val-1-config"), "data") as Obj)["static-nodes.json"]).toEqual(new Later("peers"));
        expect((get(find(objs, "Secret", "val-1-key"), "stringData") as Obj).key).toEqual(new Later("priv"));
        expect(get(find(objs, "StatefulSet", "val-1"), "spec.template.metadata.annotations")).toMatchObject({ "ledgerfleet.io/config-hash": new Later("hash") });
    });
});

// ---------------------------------------------------------------------------------------------
// The verify-key init container's script, run for real with /bin/sh against a stand-in `besu`
// that accepts only the documented syntax (besu-docs, CLI subcommands, `public-key export`:
// `besu public-key export [--node-private-key-file=<file>] [--to=<key-file>]`, parent options such
// as --data-path before the subcommand) and derives the public key with @noble/curves.

describe("verify-key init container", () => {
    const dir = mkdtempSync(join(tmpdir(), "verify-key-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const noble = createRequire(__filename).resolve("@noble/curves/secp256k1");
    mkdirSync(join(dir, "bin"));
    writeFileSync(join(dir, "besu.js"), `
const { secp256k1 } = require(${JSON.stringify(noble)});
const fs = require("node:fs");
const args = process.argv.slice(2);
let i = 0;
while (i < args.length && args[i].startsWith("--data-path=")) i++;
const rest = args.slice(i);
const key = rest.find((a) => a.startsWith("--node-private-key-file="));
const to = rest.find((a) => a.startsWith("--to="));
if (rest[0] !== "public-key" || rest[1] !== "export" || !key || !to || rest.length !== 4) {
  console.error("stub besu: unexpected arguments " + JSON.stringify(args)); process.exit(2);
}
const priv = fs.readFileSync(key.split("=")[1], "utf8").trim().replace(/^0x/, "");
let pub;
try { pub = secp256k1.getPublicKey(priv, false).slice(1); } catch (e) { console.error("stub besu: " + e.message); process.exit(1); }
fs.writeFileSync(to.split("=")[1], "0x" + Buffer.from(pub).toString("hex"));
`);
    writeFileSync(join(dir, "bin", "besu"), `#!/bin/sh\nexec "${process.execPath}" "${join(dir, "besu.js")}" "$@"\n`);
    chmodSync(join(dir, "bin", "besu"), 0o755);

    function runVerify(keyFileContent: string | undefined, expected: string) {
        const spec = podSpec(validator, "val-1");
        const init = container(spec, "verify-key");
        const env: Record<string, string> = {};
        for (const e of arr(init, "env")) env[String(e.name)] = String(e.value);
        expect(env.EXPECTED_PUBLIC_KEY).toBe(MARKER_PUBLIC);
        const keyFile = join(dir, "secrets", "key");
        rmSync(join(dir, "secrets"), { recursive: true, force: true });
        mkdirSync(join(dir, "secrets"));
        if (keyFileContent !== undefined) writeFileSync(keyFile, keyFileContent);
        const work = mkdtempSync(join(dir, "tmp-"));
        const [shell, flag, script] = arr(init, "command") as unknown as string[];
        return spawnSync(shell, [flag, script], {
            encoding: "utf8",
            env: { ...env, EXPECTED_PUBLIC_KEY: expected, NODE_KEY_FILE: keyFile, VERIFY_DIR: work, PATH: `${join(dir, "bin")}:${process.env.PATH ?? ""}` },
        });
    }

    it("lets the node start when the mounted key derives the expected public key", () => {
        const r = runVerify("0x" + MARKER_KEY + "\n", MARKER_PUBLIC);
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        // Case of the hex does not matter.
        expect(runVerify(MARKER_KEY, MARKER_PUBLIC.toUpperCase().replace("0X", "0x")).status).toBe(0);
    });

    it("refuses to start the node, saying why, when the key was swapped or regenerated", () => {
        const r = runVerify("0x" + OTHER_KEY, MARKER_PUBLIC);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("WRONG NODE KEY");
        expect(r.stderr).toContain(MARKER_PUBLIC);
        expect(r.stderr).toContain(publicKeyOf(OTHER_KEY));
        expect(r.stderr).toContain("val-1-key");
    });

    it("refuses to start when no key is mounted (Besu would silently generate one)", () => {
        const r = runVerify(undefined, MARKER_PUBLIC);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toMatch(/no private key/);
    });
});
