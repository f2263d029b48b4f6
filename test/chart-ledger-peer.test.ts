// The ledger namespace and peer charts, read the way the API server and the kubelet would: schema,
// labels, who may connect to what, where each file Besu reads comes from, and what a change restarts.
import { posix } from "node:path";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../charts/kube";
import { ledgerNamespace } from "../charts/ledger-namespace";
import { ledgerPeer, type LedgerPeerValues } from "../charts/ledger-peer";
import { PATHS } from "../frameworks/besu/config";
import { validateKubeObject } from "./helpers/kube-schema";
import {
    admits, arr, container, containers, EGRESS, find, get, MARKER_KEY, NS, type Obj, peer, POD_CIDR, podSpec, REMOTE_SCHEDULERS, type Source, subset,
} from "./helpers/chart-fixtures";

const nsObjects = ledgerNamespace(NS);
const validator = ledgerPeer(peer());
const rpcNode = ledgerPeer(peer({ role: "rpc" }));
const operatorKey = ledgerPeer(peer({ node: "val-2", address: "198.51.100.12", nodeKey: { secretName: "val-2-operator-key", key: "nodekey" } }));
const everything = [...nsObjects, ...validator, ...rpcNode, ...operatorKey];
const podLabels = (objs: KubeObject[], node: string) => get(find(objs, "StatefulSet", node), "spec.template.metadata.labels") as Record<string, string>;

describe("ledger namespace and peer charts", () => {
    it("every rendered object is valid against the Kubernetes OpenAPI schema", () => {
        for (const obj of everything) expect(() => validateKubeObject(obj), `${obj.kind}/${obj.metadata.name}`).not.toThrow();
        // The harness is not vacuous: a wrong enum, a wrong type and an unknown field are rejected.
        const svc = structuredClone(find(validator, "Service", "val-1-p2p"));
        (arr(svc, "spec.ports")[0] as Obj).protocol = "QUIC";
        expect(() => validateKubeObject(svc)).toThrow();
        const sts = structuredClone(find(validator, "StatefulSet", "val-1"));
        (get(sts, "spec") as Obj).replicas = "one";
        expect(() => validateKubeObject(sts)).toThrow();
        const typo = structuredClone(find(validator, "StatefulSet", "val-1"));
        (get(typo, "spec") as Obj).updateStrategey = { type: "OnDelete" };
        expect(() => validateKubeObject(typo)).toThrow(/spec\.updateStrategey/);
    });

    it("every object carries the standard app.kubernetes.io labels and the ledger's labels", () => {
        for (const obj of everything) {
            const labels = obj.metadata.labels ?? {};
            for (const k of ["name", "instance", "component", "part-of", "managed-by"]) {
                expect(labels[`app.kubernetes.io/${k}`], `${obj.kind}/${obj.metadata.name} ${k}`).toMatch(/\S/);
            }
            expect(labels["ledgerfleet.io/ledger"]).toBe("main");
            // The genesis ConfigMap alone is region-neutral: it must be identical in every region.
            if (obj.metadata.name !== "genesis") expect(labels["ledgerfleet.io/region"]).toBe("aws-use1");
        }
        expect(podLabels(validator, "val-1")).toMatchObject(find(validator, "StatefulSet", "val-1").metadata.labels ?? {});
    });

    it("a node's volume is its own claim, whose size can grow in place, not a StatefulSet template", () => {
        const claim = find(validator, "PersistentVolumeClaim", "val-1-data");
        expect(get(claim, "spec.storageClassName")).toBe("ledger-gp3");
        expect(get(claim, "spec.resources.requests.storage")).toBe("100Gi");
        const sts = find(validator, "StatefulSet", "val-1");
        // A volumeClaimTemplate's size is immutable: changing it would replace the StatefulSet.
        expect(get(sts, "spec.volumeClaimTemplates")).toBeUndefined();
        expect(arr(podSpec(validator, "val-1"), "volumes").find((v) => v.name === "data")).toEqual({ name: "data", persistentVolumeClaim: { claimName: "val-1-data" } });
        const grown = ledgerPeer(peer({ resources: { cpu: "2", memory: "4Gi", storageGiB: 300 } }));
        expect(get(find(grown, "PersistentVolumeClaim", "val-1-data"), "spec.resources.requests.storage")).toBe("300Gi");
        expect(find(grown, "StatefulSet", "val-1")).toEqual(sts);
    });

    it("pulumi up restarts no ledger pod: StatefulSets use OnDelete and skip the await on peers", () => {
        for (const [objs, node] of [[validator, "val-1"], [rpcNode, "rpc-1"]] as const) {
            const sts = find(objs, "StatefulSet", node);
            expect(get(sts, "spec.updateStrategy")).toEqual({ type: "OnDelete" });
            expect(sts.metadata.annotations?.["pulumi.com/skipAwait"]).toBe("true");
        }
        // The RPC Service's endpoints are ready pods, which need peers: no await either.
        expect(find(rpcNode, "Service", "rpc-1-rpc").metadata.annotations?.["pulumi.com/skipAwait"]).toBe("true");
        // A P2P LoadBalancer waits for its address, but five minutes, not ten.
        expect(find(validator, "Service", "val-1-p2p").metadata.annotations?.["pulumi.com/timeoutSeconds"]).toBe("300");
    });

    it("the pod cannot run as root, has no capabilities, a read-only root fs and the RuntimeDefault seccomp profile", () => {
        for (const [objs, node] of [[validator, "val-1"], [rpcNode, "rpc-1"]] as const) {
            const spec = podSpec(objs, node);
            expect(get(spec, "securityContext.runAsNonRoot")).toBe(true);
            expect(get(spec, "securityContext.runAsUser")).toBe(1000);
            expect(get(spec, "automountServiceAccountToken")).toBe(false);
            for (const c of containers(spec)) {
                const sc = c.securityContext as Obj;
                expect(sc.runAsNonRoot, String(c.name)).toBe(true);
                expect(sc.allowPrivilegeEscalation).toBe(false);
                expect(sc.readOnlyRootFilesystem).toBe(true);
                expect(get(sc, "capabilities")).toEqual({ drop: ["ALL"] });
                // Every writable path is a volume: the data disk, /tmp and the permissions folder.
                const writable = ((c.volumeMounts ?? []) as Obj[]).filter((m) => m.readOnly !== true).map((m) => m.mountPath);
                expect(writable.every((p) => p === "/data" || p === "/tmp" || p === posix.dirname(PATHS.permissions)), String(c.name)).toBe(true);
            }
        }
        for (const mode of ["enforce", "audit", "warn"]) expect(find(nsObjects, "Namespace", "atlas-main").metadata.labels?.[`pod-security.kubernetes.io/${mode}`]).toBe("restricted");
    });

    it("validators request CPU without a limit (no throttling against the block period); RPC nodes are capped", () => {
        expect(get(container(podSpec(validator, "val-1"), "besu"), "resources")).toEqual({ requests: { cpu: "2", memory: "4Gi" }, limits: { memory: "4Gi" } });
        expect(get(container(podSpec(rpcNode, "rpc-1"), "besu"), "resources")).toEqual({ requests: { cpu: "2", memory: "8Gi" }, limits: { cpu: "2", memory: "8Gi" } });
    });

    it("the P2P Service requests the node's static address over TCP 30303 from the network's addresses only", () => {
        const svc = find(validator, "Service", "val-1-p2p");
        expect(get(svc, "spec.type")).toBe("LoadBalancer");
        expect(svc.metadata.annotations?.["metallb.io/loadBalancerIPs"]).toBe("198.51.100.11");
        expect(get(svc, "spec.loadBalancerSourceRanges")).toEqual([...EGRESS, POD_CIDR]);
        // Without the cluster's pod range, kube-proxy (1.25+) would drop in-cluster peers: then no ranges at all.
        expect(get(find(ledgerPeer(peer({ p2pSourceRanges: [] })), "Service", "val-1-p2p"), "spec.loadBalancerSourceRanges")).toBeUndefined();
        expect(get(svc, "spec.externalTrafficPolicy")).toBe("Local");
        expect(arr(svc, "spec.ports").map((p) => `${p.port}/${p.protocol}`)).toEqual(["30303/TCP"]);
        // For people: the DNS name follows the address, and nothing else uses it.
        expect(svc.metadata.annotations?.["external-dns.alpha.kubernetes.io/hostname"]).toBe("main-val-1.aws-use1.atlas.ledger.example");
        // Another implementation, another way to ask for the same address.
        expect(get(find(ledgerPeer(peer({ loadBalancer: "generic" })), "Service", "val-1-p2p"), "spec.loadBalancerIP")).toBe("198.51.100.11");
        expect(find(ledgerPeer(peer({ loadBalancer: "cilium" })), "Service", "val-1-p2p").metadata.annotations?.["lbipam.cilium.io/ips"]).toBe("198.51.100.11");
    });

    it("only RPC nodes get an RPC Service: a LoadBalancer on their private address for other regions' schedulers", () => {
        expect(validator.some((o) => o.kind === "Service" && o.metadata.name === "val-1-rpc")).toBe(false);
        const svc = find(rpcNode, "Service", "rpc-1-rpc");
        expect(get(svc, "spec.type")).toBe("LoadBalancer");
        expect(svc.metadata.annotations?.["metallb.io/loadBalancerIPs"]).toBe("10.10.0.21");
        expect(get(svc, "spec.loadBalancerSourceRanges")).toEqual(REMOTE_SCHEDULERS);
        expect(arr(svc, "spec.ports").map((p) => p.port)).toEqual([8545]);
        // No remote region to serve: ClusterIP, never an open LoadBalancer (empty source ranges admit all),
        // and no remote address in the NetworkPolicy either.
        const localOnly = ledgerNamespace({ ...NS, access: { ...NS.access, schedulerSources: [] } });
        const rpcPod = { namespace: "atlas-main", labels: podLabels(rpcNode, "rpc-1") };
        expect(admits(localOnly, rpcPod, { ip: "203.0.113.20" }, 8545)).toBe(false);
        expect(admits(nsObjects, rpcPod, { ip: "203.0.113.20" }, 8545)).toBe(true);
        for (const over of [{ rpcAddress: undefined }, { schedulerSources: [] }] as Partial<LedgerPeerValues>[]) {
            expect(get(find(ledgerPeer(peer({ role: "rpc", ...over })), "Service", "rpc-1-rpc"), "spec.type")).toBe("ClusterIP");
        }
    });

    it("every Service port lands on a container port of the same number, on the node's own pod", () => {
        for (const [objs, node] of [[validator, "val-1"], [rpcNode, "rpc-1"]] as const) {
            const labels = podLabels(objs, node);
            const cports = arr(container(podSpec(objs, node), "besu"), "ports");
            for (const svc of objs.filter((o) => o.kind === "Service")) {
                expect(subset(get(svc, "spec.selector") as Record<string, string>, labels)).toBe(true);
                for (const p of arr(svc, "spec.ports")) {
                    const target = cports.find((c) => c.name === p.targetPort);
                    expect(target, `${svc.metadata.name} ${String(p.name)}`).toBeDefined();
                    expect(target?.containerPort).toBe(p.port);
                }
            }
        }
        // A validator's JSON-RPC listens on localhost: no container port, no Service port for it.
        expect(arr(container(podSpec(validator, "val-1"), "besu"), "ports").map((p) => p.containerPort)).toEqual([30303, 9545]);
        // One headless Service per ledger and region governs every StatefulSet: pod DNS names for peers.
        const headless = find(nsObjects, "Service", "nodes");
        expect(get(headless, "spec.clusterIP")).toBe("None");
        expect(get(headless, "spec.publishNotReadyAddresses")).toBe(true);
        for (const [objs, node] of [[validator, "val-1"], [rpcNode, "rpc-1"]] as const) {
            expect(get(find(objs, "StatefulSet", node), "spec.serviceName")).toBe("nodes");
            expect(subset(get(headless, "spec.selector") as Record<string, string>, podLabels(objs, node))).toBe(true);
            const cports = arr(container(podSpec(objs, node), "besu"), "ports");
            for (const p of arr(headless, "spec.ports")) expect(cports.find((c) => c.name === p.targetPort)?.containerPort).toBe(p.port);
        }
    });

    it("P2P admits the network's egress addresses and the ledger's own pods; RPC only schedulers; metrics only monitoring", () => {
        const scheduler = { "app.kubernetes.io/component": "scheduler" };
        const nsLabel = (name: string) => ({ "kubernetes.io/metadata.name": name });
        const ledgerPod = { namespace: "atlas-main", namespaceLabels: nsLabel("atlas-main"), podLabels: podLabels(operatorKey, "val-2") };
        const check = (objs: KubeObject[], node: string, cases: [string, Source, number, boolean][]) => {
            const pod = { namespace: "atlas-main", labels: podLabels(objs, node) };
            for (const [what, src, port, allowed] of cases) expect(admits([...nsObjects, ...objs], pod, src, port), `${node}: ${what}`).toBe(allowed);
        };
        check(validator, "val-1", [
            ["a peer region's egress -> p2p", { ip: "203.0.113.20" }, 30303, true],
            ["another ledger pod in the cluster -> p2p", ledgerPod, 30303, true],
            ["a stranger on the internet -> p2p", { ip: "192.0.2.99" }, 30303, false],
            ["a pod of another app -> p2p", { namespace: "atlas-main", namespaceLabels: nsLabel("atlas-main"), podLabels: { app: "x" } }, 30303, false],
            ["the scheduler -> a validator's rpc", { namespace: "atlas-scheduler", namespaceLabels: nsLabel("atlas-scheduler"), podLabels: scheduler }, 8545, false],
            ["monitoring -> metrics", { namespace: "monitoring", namespaceLabels: nsLabel("monitoring"), podLabels: {} }, 9545, true],
            ["a namespace that only claims to be monitoring -> metrics", { namespace: "evil", namespaceLabels: { ...nsLabel("evil"), "ledgerfleet.io/metrics": "true" }, podLabels: {} }, 9545, false],
        ]);
        check(rpcNode, "rpc-1", [
            ["the network's scheduler -> rpc", { namespace: "atlas-scheduler", namespaceLabels: nsLabel("atlas-scheduler"), podLabels: scheduler }, 8545, true],
            ["a remote region's scheduler (its egress) -> rpc", { ip: "203.0.113.20" }, 8545, true],
            ["another network's scheduler -> rpc", { namespace: "zeta-scheduler", namespaceLabels: nsLabel("zeta-scheduler"), podLabels: scheduler }, 8545, false],
            ["a non-scheduler pod in the scheduler namespace -> rpc", { namespace: "atlas-scheduler", namespaceLabels: nsLabel("atlas-scheduler"), podLabels: { "app.kubernetes.io/component": "web" } }, 8545, false],
            ["a pod that labels its namespace part-of atlas -> rpc", { namespace: "default", namespaceLabels: { ...nsLabel("default"), "app.kubernetes.io/part-of": "atlas" }, podLabels: scheduler }, 8545, false],
            ["the internet -> rpc", { ip: "192.0.2.99" }, 8545, false],
        ]);
        // The namespace denies by default: a pod with no policy of its own admits nothing.
        expect(admits(nsObjects, { namespace: "atlas-main", labels: { app: "other" } }, { ip: "203.0.113.20" }, 30303)).toBe(false);
    });

    it("an operator-provided key renders no Secret, and the pod still mounts it where Besu's config reads it", () => {
        expect(operatorKey.filter((o) => o.kind === "Secret")).toEqual([]);
        const spec = podSpec(operatorKey, "val-2");
        const vol = arr(spec, "volumes").find((v) => get(v, "secret.secretName") === "val-2-operator-key");
        const [item] = arr(vol, "secret.items");
        expect(item?.key).toBe("nodekey");
        expect(Number(get(vol, "secret.defaultMode")) & 0o007).toBe(0);
        for (const name of ["besu", "verify-key"]) {
            const mount = arr(container(spec, name), "volumeMounts").find((m) => m.name === vol?.name);
            expect(mount?.readOnly).toBe(true);
            expect(posix.join(String(mount?.mountPath), String(item?.path))).toBe(/^node-private-key-file="(.*)"$/m.exec(peer().configToml)?.[1]);
        }
    });

    it("the private key appears in no object but its Secret", () => {
        for (const obj of everything.filter((o) => o.kind !== "Secret")) {
            expect(JSON.stringify(obj).toLowerCase(), `${obj.kind}/${obj.metadata.name}`).not.toContain(MARKER_KEY);
        }
        expect(find(validator, "Secret", "val-1-key").stringData).toEqual({ key: "0x" + MARKER_KEY });
    });

    it("every file Besu reads is mounted where its config says, from a folder mount that updates live", () => {
        const peers = { staticNodesJson: '["enode://x"]\n', allowlist: "enode://y\n", localPeers: "z n\n" };
        const ns = ledgerNamespace({ ...NS, peers });
        const spec = podSpec(validator, "val-1");
        const besu = container(spec, "besu");
        const toml = peer().configToml;
        const setting = (k: string) => new RegExp(`^${k}="(.*)"$`, "m").exec(toml)?.[1] ?? "";
        const mounts = arr(besu, "volumeMounts");
        const volumes = arr(spec, "volumes");
        const contentAt = (file: string): string | undefined => {
            const m = mounts.find((x) => file.startsWith(String(x.mountPath) + "/"));
            if (m === undefined) return undefined;
            expect(m.subPath, `${file}: a subPath mount never sees an update`).toBeUndefined();
            const cmName = get(volumes.find((v) => v.name === m.name), "configMap.name");
            const cm = [...ns, ...validator].find((o) => o.kind === "ConfigMap" && o.metadata.name === cmName);
            return (get(cm, "data") as Record<string, string> | undefined)?.[file.slice(String(m.mountPath).length + 1)];
        };
        const configFile = (arr(besu, "args") as unknown as string[]).find((a) => a.startsWith("--config-file="))?.split("=")[1] ?? "";
        expect(contentAt(configFile)).toBe(toml);
        expect(contentAt(setting("static-nodes-file"))).toBe(peers.staticNodesJson);
        expect(contentAt(setting("genesis-file"))).toBe(NS.genesisJson);
        // The permissions file is written in the pod (init container, then the sidecar) into a shared emptyDir.
        const permissionsDir = posix.dirname(setting("permissions-nodes-config-file"));
        const writer = arr(container(spec, "peers-init"), "volumeMounts").find((m) => m.mountPath === permissionsDir);
        expect(writer?.readOnly).toBeUndefined();
        expect(mounts.find((m) => m.mountPath === permissionsDir)?.readOnly).toBe(true);
        expect(get(find(ns, "ConfigMap", "genesis"), "immutable")).toBe(true);
        expect(find(ledgerNamespace({ ...NS, region: "gcp-euw1" }), "ConfigMap", "genesis")).toEqual(find(nsObjects, "ConfigMap", "genesis"));
    });

    it("validators reload their allowlist through a sidecar; RPC nodes, which cannot, are marked for the rollout instead", () => {
        const vSpec = podSpec(validator, "val-1");
        expect(arr(vSpec, "containers").map((c) => c.name)).toEqual(["besu", "peers-reload"]);
        expect(arr(vSpec, "initContainers").map((c) => c.name)).toEqual(["verify-key", "peers-init"]);
        expect((arr(container(vSpec, "peers-reload"), "env").find((e) => e.name === "MODE") as Obj).value).toBe("watch");
        const rSpec = podSpec(rpcNode, "rpc-1");
        expect(arr(rSpec, "containers").map((c) => c.name)).toEqual(["besu"]);
        const annotations = (objs: KubeObject[], node: string) => get(find(objs, "StatefulSet", node), "spec.template.metadata.annotations") as Record<string, string>;
        expect(annotations(rpcNode, "rpc-1")["ledgerfleet.io/peers-hash"]).toBe("cd".repeat(32));
        expect(annotations(validator, "val-1")["ledgerfleet.io/peers-hash"]).toBeUndefined();
        // A new region's egress is no template change for a validator: nothing to roll out.
        const otherPeers = ledgerPeer(peer({ p2pSourceRanges: [...EGRESS, "203.0.113.99/32"] }));
        expect(get(find(otherPeers, "StatefulSet", "val-1"), "spec.template")).toEqual(get(find(validator, "StatefulSet", "val-1"), "spec.template"));
        expect(() => ledgerPeer(peer({ role: "rpc", peersHash: undefined }))).toThrow(/peersHash/);
    });

    it("renders deterministically, in a fixed order, and a config change marks the pod for the rollout", () => {
        expect(ledgerPeer(peer())).toEqual(validator);
        expect(validator.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
            "ConfigMap/val-1-config", "Secret/val-1-key", "PersistentVolumeClaim/val-1-data", "Service/val-1-p2p", "StatefulSet/val-1",
        ]);
        // What every node of the ledger here shares is rendered once, not once per node.
        expect(nsObjects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
            "Namespace/atlas-main", "ConfigMap/genesis", "ConfigMap/peers", "PodDisruptionBudget/validators", "PodDisruptionBudget/rpc",
            "NetworkPolicy/default-deny-ingress", "Service/nodes", "NetworkPolicy/validators", "NetworkPolicy/rpc",
        ]);
        const hash = (objs: KubeObject[]) => (get(find(objs, "StatefulSet", "val-1"), "spec.template.metadata.annotations") as Record<string, string>)["ledgerfleet.io/config-hash"];
        expect(hash(validator)).toMatch(/^[0-9a-f]{64}$/);
        expect(hash(ledgerPeer(peer({ configToml: peer().configToml + "# x\n" })))).not.toBe(hash(validator));
    });

    it("a node drain takes at most one validator (and one rpc node) of the ledger here, and budgets exist only where pods do", () => {
        const budget = (name: string) => find(nsObjects, "PodDisruptionBudget", name);
        for (const [name, own, other] of [["validators", podLabels(validator, "val-1"), podLabels(rpcNode, "rpc-1")], ["rpc", podLabels(rpcNode, "rpc-1"), podLabels(validator, "val-1")]] as const) {
            expect(get(budget(name), "spec.maxUnavailable")).toBe(1);
            const sel = get(budget(name), "spec.selector.matchLabels") as Record<string, string>;
            expect(subset(sel, own)).toBe(true);
            expect(subset(sel, other)).toBe(false);
            expect(subset(sel, { ...own, "ledgerfleet.io/region": "gcp-euw1" })).toBe(false);
        }
        const validatorsOnly = ledgerNamespace({ ...NS, roles: ["validator"] });
        expect(validatorsOnly.filter((o) => o.kind === "PodDisruptionBudget").map((o) => o.metadata.name)).toEqual(["validators"]);
        expect(validatorsOnly.filter((o) => o.kind === "NetworkPolicy").map((o) => o.metadata.name)).toEqual(["default-deny-ingress", "validators"]);
    });

    it("schedules only on the ledger pool, never two pods of a ledger on one machine, spread over zones", () => {
        const spec = podSpec(validator, "val-1");
        expect(get(spec, "nodeSelector")).toEqual({ "ledgerfleet.io/pool": "ledger" });
        expect(arr(spec, "tolerations")).toContainEqual({ key: "ledgerfleet.io/pool", operator: "Equal", value: "ledger", effect: "NoSchedule" });
        expect(get(spec, "affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution")).toBeUndefined();
        const [anti] = arr(spec, "affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution");
        expect(get(anti, "topologyKey")).toBe("kubernetes.io/hostname");
        const [spread] = arr(spec, "topologySpreadConstraints");
        expect(spread).toMatchObject({ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone" });
        for (const sel of [get(anti, "labelSelector.matchLabels"), get(spread, "labelSelector.matchLabels")]) {
            expect(subset(sel as Record<string, string>, podLabels(rpcNode, "rpc-1"))).toBe(true);
        }
    });

    it("readiness means peered and caught up; liveness asks the metrics server, not the busy JSON-RPC port", () => {
        const v = container(podSpec(validator, "val-1"), "besu");
        const r = container(podSpec(rpcNode, "rpc-1"), "besu");
        // A validator's JSON-RPC is on localhost: its readiness probe runs in the pod.
        expect((get(v, "readinessProbe.exec.command") as string[]).slice(-2)).toEqual(["8545", "/readiness?minPeers=1&maxBlocksBehind=2"]);
        expect(get(r, "readinessProbe.httpGet")).toEqual({ path: "/readiness?minPeers=1&maxBlocksBehind=2", port: "rpc-http" });
        for (const c of [v, r]) {
            expect(get(c, "livenessProbe.httpGet")).toEqual({ path: "/-/healthy", port: "metrics" });
            expect(Number(get(c, "startupProbe.periodSeconds")) * Number(get(c, "startupProbe.failureThreshold"))).toBeGreaterThanOrEqual(600);
        }
        expect(get(find(rpcNode, "Service", "rpc-1-p2p"), "spec.publishNotReadyAddresses")).toBe(true);
    });

    it("rejects values that would only fail later, naming the node", () => {
        expect(() => ledgerPeer(peer({ publicKey: "0x1234" }))).toThrow(/publicKey of node "val-1".*128 hex/);
        expect(() => ledgerPeer(peer({ node: "Val_1" }))).toThrow(/node name "Val_1"/);
        expect(() => ledgerPeer(peer({ resources: { cpu: "2", memory: "4Gi", storageGiB: 0 } }))).toThrow(/storageGiB/);
        expect(() => ledgerPeer(peer({ rpcAddress: "10.0.0.1" }))).toThrow(/validators get no rpcAddress/);
    });

    it("places values only known at deploy time (a Pulumi Output) without reading them", () => {
        class Later { constructor(readonly what: string) {} }
        const v: LedgerPeerValues<Later | string> = { ...peer(), publicKey: new Later("pub"), storageRequest: new Later("size"), nodeKey: { secretName: "val-1-key", key: "key", privateKey: new Later("priv") } };
        const objs = ledgerPeer(v);
        expect((get(find(objs, "Secret", "val-1-key"), "stringData") as Obj).key).toEqual(new Later("priv"));
        expect(get(find(objs, "PersistentVolumeClaim", "val-1-data"), "spec.resources.requests.storage")).toEqual(new Later("size"));
    });
});
