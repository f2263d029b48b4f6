// `ledgerfleet rollout` against an in-memory fleet of clusters: StatefulSets of one pod each,
// deleted pods recreated on the StatefulSet's revision and becoming Ready some ticks later (or
// never, for a broken revision). Time is fake: `sleep` advances it, so 20 minutes take no time.
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { kubeCluster, podInfo } from "../cli/kube-cluster";
import { type Cluster, type PodInfo, registerRolloutCommand, rollout, type RolloutOptions, type StatefulSetInfo } from "../cli/rollout";
import { type LedgerObservation, ledgerBudget, nextStep, type NodeObservation, restartOrder } from "../cli/rollout-plan";
import { makeTempDir, removeTempDirs } from "./fixtures/temp-dirs";

afterAll(removeTempDirs);

const NODES = [
    ["val-1", "validator", "fra-dc1", "198.51.100.11"],
    ["val-2", "validator", "fra-dc1", "198.51.100.12"],
    ["val-3", "validator", "ams-dc2", "198.51.100.75"],
    ["val-4", "validator", "ams-dc2", "198.51.100.76"],
    ["val-5", "validator", "lon-dc3", "198.51.100.139"],
    ["val-6", "validator", "lon-dc3", "198.51.100.140"],
    ["val-7", "validator", "par-dc4", "198.51.100.203"],
    ["rpc-1", "rpc", "fra-dc1", "198.51.100.21"],
    ["rpc-2", "rpc", "par-dc4", "198.51.100.213"],
] as const;
const CONTEXTS: Record<string, string> = { "fra-dc1": "kind-fra", "ams-dc2": "kind-ams", "lon-dc3": "kind-lon", "par-dc4": "kind-par" };

/** Like the atlas example: 7 validators over 4 regions (f = 2), 2 rpc nodes. */
const NETWORK = [
    "name: atlas",
    "domain: atlas.ledger.example",
    "regions:",
    ...Object.entries(CONTEXTS).map(
        ([region, context], i) => `  ${region}: { cloud: existing, kubeconfigContext: ${context}, storageClass: local-retain, egressAddresses: [203.0.113.${10 * (i + 1)}] }`,
    ),
    "ledgers:",
    "  main:",
    "    framework: besu",
    "    consensus: qbft",
    "    chainId: 827614",
    '    image: "hyperledger/besu:26.8.1"',
    "    nodes:",
    ...NODES.map(([name, role, region, address], i) => `      - { name: ${name}, role: ${role}, region: ${region}, address: ${address}${role === "rpc" ? `, rpcAddress: 10.10.0.${i}` : ""} }`),
].join("\n");

const regionStack = (region: string) => `config:\n  ledgerfleet:network: net.yaml\n  ledgerfleet:deploy: region:${region}\n  ledgerfleet:globalStack: org/ledgerfleet/global\n`;

function stacksDir(): string {
    const dir = makeTempDir("rollout");
    const files: Record<string, string> = {
        "net.yaml": NETWORK,
        "Pulumi.dev.yaml": "config:\n  ledgerfleet:network: net.yaml\n  ledgerfleet:deploy: all\n",
        "Pulumi.global.yaml": "config:\n  ledgerfleet:network: net.yaml\n  ledgerfleet:deploy: global\n",
        "Pulumi.fra.yaml": regionStack("fra-dc1"),
        "Pulumi.lon.yaml": regionStack("lon-dc3"),
    };
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
}

const OLD = "main-old";
const NEW = "main-new";
const SECOND = 1000;
const MINUTE = 60 * SECOND;
/** A deleted pod is recreated this long after, and is Ready this long after that. */
const RECREATE_AFTER = 10 * SECOND;
const READY_AFTER = 90 * SECOND;

interface FakeNode {
    node: string;
    role: string;
    region: string;
    updateRevision: string;
    pod?: { uid: string; revision: string; ready: boolean };
    recreateAt?: number;
    readyAt?: number;
}

/** Four regions' clusters in memory; records the validators unavailable (all regions) at every tick. */
class FakeFleet {
    time = 0;
    readonly nodes: FakeNode[];
    readonly trace: { time: number; unavailableValidators: number; unavailablePods: number; event: string }[] = [];
    readonly deleted: { pod: string; region: string; time: number }[] = [];
    readonly broken = new Set<string>();
    readonly unreachable = new Set<string>();
    /** Pods not Ready for a while for reasons of their own (a node's disk, a network split). */
    readonly outages: { node: string; from: number; to: number }[] = [];
    readonly clustersMade: string[] = [];
    private uids = 0;

    constructor() {
        this.nodes = NODES.map(([node, role, region]) => ({ node, role, region, updateRevision: NEW, pod: { uid: this.uid(), revision: OLD, ready: true } }));
    }

    private uid(): string {
        return `uid-${++this.uids}`;
    }

    ready(n: FakeNode): boolean {
        return n.pod !== undefined && n.pod.ready && !this.outages.some((o) => o.node === n.node && this.time >= o.from && this.time < o.to);
    }

    find(node: string): FakeNode {
        const n = this.nodes.find((x) => x.node === node);
        if (n === undefined) throw new Error(`no node ${node}`);
        return n;
    }

    private record(event: string): void {
        const down = this.nodes.filter((n) => !this.ready(n));
        this.trace.push({ time: this.time, unavailableValidators: down.filter((n) => n.role === "validator").length, unavailablePods: down.length, event });
    }

    advance(ms: number): void {
        this.time += ms;
        for (const n of this.nodes) {
            if (n.pod === undefined && n.recreateAt !== undefined && n.recreateAt <= this.time) {
                n.pod = { uid: this.uid(), revision: n.updateRevision, ready: false };
                n.recreateAt = undefined;
                n.readyAt = this.broken.has(n.updateRevision) ? undefined : this.time + READY_AFTER;
            }
            if (n.pod !== undefined && n.readyAt !== undefined && n.readyAt <= this.time) {
                n.pod.ready = true;
                n.readyAt = undefined;
            }
        }
        this.record("tick");
    }

    cluster(region: string): Cluster {
        this.clustersMade.push(region);
        const here = (namespace: string, selector: string) => {
            if (this.unreachable.has(region)) throw new Error("connect ECONNREFUSED 10.0.0.1:6443");
            expect(namespace).toBe("atlas-main");
            expect(selector).toBe(`app.kubernetes.io/name=besu,ledgerfleet.io/ledger=main,ledgerfleet.io/region=${region}`);
            return this.nodes.filter((n) => n.region === region);
        };
        return {
            listStatefulSets: async (namespace, selector): Promise<StatefulSetInfo[]> =>
                here(namespace, selector).map((n) => ({ name: n.node, generation: 2, observedGeneration: 2, updateRevision: n.updateRevision })),
            listPods: async (namespace, selector): Promise<PodInfo[]> =>
                here(namespace, selector).flatMap((n) =>
                    n.pod === undefined
                        ? []
                        : [{ name: `${n.node}-0`, uid: n.pod.uid, labels: { "controller-revision-hash": n.pod.revision }, ready: this.ready(n), terminating: false }],
                ),
            deletePod: async (namespace, name, uid) => {
                const n = here(namespace, `app.kubernetes.io/name=besu,ledgerfleet.io/ledger=main,ledgerfleet.io/region=${region}`).find((x) => `${x.node}-0` === name);
                if (n?.pod === undefined || n.pod.uid !== uid) return;
                n.pod = undefined;
                n.recreateAt = this.time + RECREATE_AFTER;
                this.deleted.push({ pod: name, region, time: this.time });
                this.record(`delete ${name}`);
            },
        };
    }
}

function run(fleet: FakeFleet, options: Partial<RolloutOptions> & { stack: string }) {
    let out = "";
    let err = "";
    const done = rollout({
        stacksDir: stacksDir(),
        clusters: (region) => fleet.cluster(region),
        sleep: async (ms) => fleet.advance(ms),
        now: () => fleet.time,
        out: { write: (s: string) => (out += s) },
        err: { write: (s: string) => (err += s) },
        ...options,
    });
    return done.then((code) => ({ code, out, err }));
}

const maxUnavailable = (fleet: FakeFleet) => Math.max(...fleet.trace.map((t) => t.unavailableValidators));

describe("ledgerfleet rollout", () => {
    it("restarts every outdated pod, RPC nodes first, never more validators unavailable than the budget in any region", async () => {
        const fleet = new FakeFleet();
        const { code, out, err } = await run(fleet, { stack: "dev", maxUnavailable: 2 });
        expect(err).toBe("");
        expect(code).toBe(0);
        expect(fleet.deleted.map((d) => d.pod)).toEqual(["rpc-1-0", "rpc-2-0", "val-1-0", "val-2-0", "val-3-0", "val-4-0", "val-5-0", "val-6-0", "val-7-0"]);
        expect(fleet.nodes.every((n) => n.pod?.revision === NEW && fleet.ready(n))).toBe(true);
        expect(fleet.trace.length).toBeGreaterThan(100);
        expect(maxUnavailable(fleet)).toBeLessThanOrEqual(2);
        // One restart at a time: a bad version never takes down a second pod.
        expect(Math.max(...fleet.trace.map((t) => t.unavailablePods))).toBe(1);
        expect(out).toMatch(/main: deleting rpc-1-0 in fra-dc1 \(rpc, revision main-old -> main-new\)/);
        expect(out).toMatch(/main: ready: val-7-0 in par-dc4 on revision main-new/);
        expect(out).toMatch(/main: restarted 9: .*; every pod this stack deploys is current/);
    });

    it("counts a validator unavailable in a region this stack does not restart against the budget, and waits for it", async () => {
        const fleet = new FakeFleet();
        fleet.outages.push({ node: "val-3", from: 0, to: 10 * MINUTE });
        const { code, out } = await run(fleet, { stack: "fra" });
        expect(code).toBe(0);
        expect(fleet.deleted.map((d) => d.pod)).toEqual(["rpc-1-0", "val-1-0", "val-2-0"]);
        expect(fleet.deleted.every((d) => d.region === "fra-dc1")).toBe(true);
        // The RPC canary does not vote, so it goes ahead; the validators wait for val-3 to be back.
        expect(fleet.deleted[0].time).toBeLessThan(10 * MINUTE);
        expect(fleet.deleted[1].time).toBeGreaterThanOrEqual(10 * MINUTE);
        expect(out).toMatch(/waiting: 1 of 7 validators of ledger main unavailable \(val-3-0 in ams-dc2: not Ready.*\), budget 1: val-1-0 in fra-dc1 waits/);
        expect(maxUnavailable(fleet)).toBeLessThanOrEqual(1);
    });

    it("with --max-unavailable 2 restarts a validator while one elsewhere is down, but not while two are", async () => {
        const fleet = new FakeFleet();
        fleet.outages.push({ node: "val-3", from: 0, to: Infinity }, { node: "val-5", from: 0, to: 10 * MINUTE });
        const { code } = await run(fleet, { stack: "fra", maxUnavailable: 2 });
        expect(code).toBe(0);
        expect(fleet.deleted.map((d) => d.pod)).toEqual(["rpc-1-0", "val-1-0", "val-2-0"]);
        expect(fleet.deleted[1].time).toBeGreaterThanOrEqual(10 * MINUTE);
        expect(maxUnavailable(fleet)).toBe(2);
    });

    it("stops after the first pod when the new revision never becomes Ready, exit 1, and leaves the others alone", async () => {
        const fleet = new FakeFleet();
        fleet.broken.add(NEW);
        const { code, out, err } = await run(fleet, { stack: "dev" });
        expect(code).toBe(1);
        expect(fleet.deleted.map((d) => d.pod)).toEqual(["rpc-1-0"]);
        expect(fleet.time).toBeGreaterThanOrEqual(20 * MINUTE);
        expect(err).toMatch(/rollout stopped: rpc-1-0 in region fra-dc1 did not come back Ready on revision main-new within 20 minutes; last seen: not Ready, revision main-new\. The remaining outdated pods were left alone/);
        expect(fleet.nodes.filter((n) => n.node !== "rpc-1").every((n) => n.pod?.revision === OLD && fleet.ready(n))).toBe(true);
        expect(out).toMatch(/main: restarted nothing; stopped; rpc-1-0 in fra-dc1 restarted but not back Ready; 8 outdated pod\(s\) left alone: rpc-2-0 in par-dc4, val-1-0 in fra-dc1/);
    });

    it("holds back every other pod while a pod of an earlier run is not Ready on the new revision", async () => {
        const fleet = new FakeFleet();
        fleet.find("rpc-1").pod = { uid: "canary", revision: NEW, ready: false };
        const { code, out, err } = await run(fleet, { stack: "dev", timeoutMinutes: 5 });
        expect(code).toBe(1);
        expect(fleet.deleted).toEqual([]);
        expect(out).toMatch(/waiting: rpc-1-0 in fra-dc1 runs the new revision but is not Ready/);
        expect(err).toMatch(/waited 5 minutes/);
    });

    it("a region stack restarts only its own region's pods", async () => {
        const fleet = new FakeFleet();
        const { code, out } = await run(fleet, { stack: "lon" });
        expect(code).toBe(0);
        expect(fleet.deleted).toEqual([
            expect.objectContaining({ pod: "val-5-0", region: "lon-dc3" }),
            expect.objectContaining({ pod: "val-6-0", region: "lon-dc3" }),
        ]);
        expect(fleet.nodes.filter((n) => n.region !== "lon-dc3").every((n) => n.pod?.revision === OLD)).toBe(true);
        // It still reads every region: their validators count against the budget.
        expect(new Set(fleet.clustersMade)).toEqual(new Set(Object.keys(CONTEXTS)));
        expect(out).toMatch(/outdated in regions this stack does not deploy .*: val-1-0 in fra-dc1/);
    });

    it("refuses --max-unavailable 3 when the ledger tolerates f = 2, exit 2, without reading any cluster", async () => {
        const fleet = new FakeFleet();
        const { code, err } = await run(fleet, { stack: "dev", maxUnavailable: 3 });
        expect(code).toBe(2);
        expect(err).toMatch(/--max-unavailable 3 is more than ledger main can lose: with 7 validators .* f = floor\(\(7 - 1\) \/ 3\) = 2/);
        expect(fleet.clustersMade).toEqual([]);
    });

    it("a dry run lists the restart order and the budget and deletes nothing", async () => {
        const fleet = new FakeFleet();
        const { code, out } = await run(fleet, { stack: "dev", dryRun: true });
        expect(code).toBe(0);
        expect(fleet.deleted).toEqual([]);
        expect(out).toMatch(/main: budget 1 validator\(s\) unavailable at once \(f = 2 of 7 validators, --max-unavailable 1\)/);
        const order = [...out.matchAll(/^ {2}\d+\. (\S+) in (\S+) \((\w+)/gm)].map((m) => m[1]);
        expect(order).toEqual(["rpc-1-0", "rpc-2-0", "val-1-0", "val-2-0", "val-3-0", "val-4-0", "val-5-0", "val-6-0", "val-7-0"]);
    });

    it("stops with a message naming an unreachable region and its context, restarting nothing", async () => {
        const fleet = new FakeFleet();
        fleet.unreachable.add("par-dc4");
        const { code, err } = await run(fleet, { stack: "lon" });
        expect(code).toBe(1);
        expect(fleet.deleted).toEqual([]);
        expect(err).toMatch(/cannot read region par-dc4 \(kubeconfig context kind-par\): connect ECONNREFUSED .*cannot prove the ledger is healthy/);
    });

    it("a global stack runs no ledger pods: nothing to restart, exit 0", async () => {
        const fleet = new FakeFleet();
        const { code, out } = await run(fleet, { stack: "global" });
        expect(code).toBe(0);
        expect(out).toMatch(/nothing to restart/);
        expect(fleet.clustersMade).toEqual([]);
    });

    it("an unknown stack or ledger is a usage error, exit 2", async () => {
        expect((await run(new FakeFleet(), { stack: "prod" })).code).toBe(2);
        const { code, err } = await run(new FakeFleet(), { stack: "dev", ledger: "mian" });
        expect(code).toBe(2);
        expect(err).toMatch(/no such ledger \(did you mean 'main'\?\)/);
    });

    it("the rollout subcommand passes its options through and reports the exit code", async () => {
        const fleet = new FakeFleet();
        const dir = stacksDir();
        let out = "";
        let exit = -1;
        const io = { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (out += s) } };
        const program = () => new Command("ledgerfleet").exitOverride().configureOutput({ writeOut: io.out.write, writeErr: io.err.write });
        const defaults = { clusters: (region: string) => fleet.cluster(region), sleep: async (ms: number) => fleet.advance(ms), now: () => fleet.time };
        const cli = program();
        registerRolloutCommand(cli, io, (code) => (exit = code), defaults);
        await cli.parseAsync(["rollout", "--stack", "dev", "--stacks", dir, "--max-unavailable", "2", "--dry-run"], { from: "user" });
        expect(exit).toBe(0);
        expect(out).toMatch(/--max-unavailable 2\)/);
        expect(fleet.deleted).toEqual([]);

        const bad = program();
        registerRolloutCommand(bad, io, (code) => (exit = code), defaults);
        await expect(bad.parseAsync(["rollout", "--stack", "dev", "--max-unavailable", "two"], { from: "user" })).rejects.toThrow(/whole number/);
    });
});

describe("rollout decisions", () => {
    const node = (name: string, role: "validator" | "rpc", ready: boolean, revision = OLD): NodeObservation => ({
        node: name,
        region: "fra",
        role,
        restartable: true,
        statefulSet: { updateRevision: NEW, settled: true },
        pod: { name: `${name}-0`, uid: name, revision, ready, terminating: false },
    });

    it("f and the budget follow n >= 3f + 1, capped by --max-unavailable", () => {
        expect([4, 6, 7, 10, 13].map((n) => ledgerBudget(n).f)).toEqual([1, 1, 2, 3, 4]);
        expect(ledgerBudget(7).budget).toBe(1);
        expect(ledgerBudget(7, 2).budget).toBe(2);
    });

    it("never deletes a Ready validator when the unavailable validators already use up the budget", () => {
        const obs: LedgerObservation = { ledger: "main", nodes: [node("v1", "validator", true), node("v2", "validator", false, NEW), node("v3", "validator", true), node("v4", "validator", true)] };
        // v2 is ours, current and not Ready: it holds everything back.
        expect(nextStep(obs, ledgerBudget(4)).kind).toBe("wait");
        const elsewhere: LedgerObservation = { ...obs, nodes: obs.nodes.map((n) => (n.node === "v2" ? { ...n, restartable: false } : n)) };
        expect(nextStep(elsewhere, ledgerBudget(4))).toEqual({ kind: "wait", reason: expect.stringMatching(/1 of 4 validators .* budget 1/) });
    });

    it("restarts an outdated validator that is already down first: it costs no availability", () => {
        const obs: LedgerObservation = { ledger: "main", nodes: [node("v1", "validator", true), node("v2", "validator", false), node("v3", "validator", true), node("v4", "validator", true)] };
        expect(restartOrder(obs).map((n) => n.node)).toEqual(["v2", "v1", "v3", "v4"]);
        expect(nextStep(obs, ledgerBudget(4))).toMatchObject({ kind: "delete", pod: { pod: "v2-0" } });
    });

    it("reads a pod as Ready only when its Ready condition is True, and as terminating once it has a deletionTimestamp", () => {
        const pod = (conditions: { type: string; status: string }[], deletionTimestamp?: Date) => podInfo({ metadata: { name: "val-1-0", uid: "u", deletionTimestamp }, status: { conditions } });
        expect(pod([{ type: "Ready", status: "True" }]).ready).toBe(true);
        expect(pod([{ type: "ContainersReady", status: "True" }, { type: "Ready", status: "False" }]).ready).toBe(false);
        expect(pod([]).ready).toBe(false);
        expect(pod([{ type: "Ready", status: "True" }], new Date()).terminating).toBe(true);
    });
});

describe("the rollout's way into a cloud region", () => {
    const kubeconfig = (contexts: string[]) =>
        [
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "  - { name: c, cluster: { server: 'https://127.0.0.1:1' } }",
            "users:",
            "  - { name: u, user: { token: t } }",
            "contexts:",
            ...contexts.map((c) => `  - { name: ${c}, context: { cluster: c, user: u } }`),
            `current-context: ${contexts[0] ?? "none"}`,
        ].join("\n");
    const aws = { cloud: "aws", region: "eu-central-1", vpcCidr: "10.0.0.0/16" } as const;

    it("is a kubeconfig context named after the region, and says how to make it when there is none", () => {
        const dir = makeTempDir("rollout");
        fs.writeFileSync(path.join(dir, "config"), kubeconfig(["other"]));
        const before = process.env["KUBECONFIG"];
        process.env["KUBECONFIG"] = path.join(dir, "config");
        try {
            expect(() => kubeCluster("aws-fra", aws)).toThrow(
                /context aws-fra not found in the default kubeconfig; its contexts are: other\. The rollout reaches aws region aws-fra through a context named aws-fra: aws eks update-kubeconfig --region eu-central-1 --name \$\(pulumi stack output clusters --json \| jq -r '\."aws-fra"\.cluster'\) --alias aws-fra/,
            );
            fs.writeFileSync(path.join(dir, "config"), kubeconfig(["other", "aws-fra"]));
            expect(() => kubeCluster("aws-fra", aws)).not.toThrow();
        } finally {
            if (before === undefined) delete process.env["KUBECONFIG"];
            else process.env["KUBECONFIG"] = before;
        }
    });
});
