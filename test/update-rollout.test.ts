// Changing a running network: for each change an operator makes to the example, `pulumi up` is
// simulated over the plan's dependency graph (test/helpers/update-simulation.ts), then the pods it
// leaves outdated are rolled out with the rollout command's own decisions (cli/rollout-plan.ts).
// The chain must keep more than 2f+1 validators up at every step: no more than f down at once.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maxFaulty } from "../config/fault-tolerance";
import type { Registration } from "../cli/mocks";
import { runProgram } from "../cli/plan";
import { type LedgerObservation, ledgerBudget, nextStep, type NodeObservation } from "../cli/rollout-plan";
import { loadNetworkFile } from "../config/load";
import { maxValidatorsDownAtOnce, simulateUpdate, type UpdateSimulation } from "./helpers/update-simulation";

const ATLAS = fs.readFileSync(path.join(__dirname, "..", "stacks", "networks", "atlas.yaml"), "utf8");
const IMAGE = "hyperledger/besu:26.8.1@sha256:6f3f21ce533383fcc8db3bce02252b59d5a9e776b72b5a1c8ecd2db011600042";

function edit(from: string, to: string): string {
    if (!ATLAS.includes(from)) throw new Error(`the example network has no "${from}"`);
    return ATLAS.replace(from, to);
}

const CHANGES: Record<string, string> = {
    "add an RPC node": edit("      # RPC nodes serve", "      - { name: rpc-3, role: rpc, region: ams-dc2, address: 198.51.100.77, rpcAddress: 10.20.0.21 }\n      # RPC nodes serve"),
    "add a validator": edit("      # RPC nodes serve", "      - { name: val-8, role: validator, region: par-dc4, address: 198.51.100.204 }\n      # RPC nodes serve"),
    "bump the image": edit(IMAGE, `hyperledger/besu:26.9.0@sha256:${"0f".repeat(32)}`),
    "raise the validators' memory": edit('validator: { cpu: "2", memory: 4Gi, storageGiB: 100 }', 'validator: { cpu: "2", memory: 6Gi, storageGiB: 100 }'),
};

let dir: string;
let before: readonly Registration[];
const after: Record<string, readonly Registration[]> = {};
const simulations: Record<string, UpdateSimulation> = {};

async function registrations(name: string, network: string): Promise<readonly Registration[]> {
    const file = path.join(dir, `${name.replace(/\W+/g, "-")}.yaml`);
    fs.writeFileSync(file, network);
    loadNetworkFile(file); // a valid change, or the test is not about what it says
    return (await runProgram("prod", { "ledgerfleet:network": file }, [])).registrations;
}

beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerfleet-update-"));
    before = await registrations("base", ATLAS);
    for (const [change, network] of Object.entries(CHANGES)) {
        after[change] = await registrations(change, network);
        simulations[change] = simulateUpdate(before, after[change] ?? []);
    }
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const f = maxFaulty(7);

describe("pulumi up on a running network", () => {
    it("the simulation is not vacuous: every change changes something, over a real dependency graph", () => {
        for (const [change, sim] of Object.entries(simulations)) {
            expect(sim.steps.filter((s) => s.kind !== "same").length, change).toBeGreaterThan(0);
        }
        // Steps wait for what they depend on: a new node's key before the peer lists that name it.
        const added = simulations["add a validator"]?.steps ?? [];
        const key = added.find((s) => s.urn.endsWith("::main-val-8-node-key"));
        expect(key?.kind).toBe("create");
        for (const s of added.filter((x) => x.urn.endsWith("-configmap-peers"))) expect(s.level).toBeGreaterThan(key?.level ?? 0);
        // And it does see a restart where Kubernetes would make one: the same image bump under the
        // StatefulSet default (RollingUpdate) restarts every validator at once.
        const rolling = after["bump the image"]?.map((r) =>
            r.type === "kubernetes:apps/v1:StatefulSet" ? { ...r, inputs: { ...r.inputs, spec: { ...(r.inputs["spec"] as object), updateStrategy: { type: "RollingUpdate" } } } } : r,
        ) ?? [];
        const beforeRolling = before.map((r) =>
            r.type === "kubernetes:apps/v1:StatefulSet" ? { ...r, inputs: { ...r.inputs, spec: { ...(r.inputs["spec"] as object), updateStrategy: { type: "RollingUpdate" } } } } : r,
        );
        expect(maxValidatorsDownAtOnce(simulateUpdate(beforeRolling, rolling), "main")).toBe(7);
    });

    for (const change of Object.keys(CHANGES)) {
        it(`${change}: no step restarts more than f validators (it restarts none), and nothing protected is replaced`, () => {
            const sim = simulations[change];
            if (sim === undefined) throw new Error("no simulation");
            expect(sim.refused, change).toEqual([]);
            expect(maxValidatorsDownAtOnce(sim, "main")).toBe(0);
            for (const level of new Set(sim.steps.map((s) => s.level))) {
                expect(sim.pods.filter((p) => p.level === level && p.effect === "restart" && p.role === "validator").length).toBeLessThanOrEqual(f);
            }
            // Genesis is untouched by every one of these changes.
            const genesis = sim.steps.filter((s) => s.urn.endsWith("-configmap-genesis"));
            expect(genesis.map((s) => s.kind)).toEqual(["same", "same", "same", "same"]);
        });
    }

    for (const change of ["add an RPC node", "add a validator"]) {
        it(`${change}: the peer-list change restarts no validator and leaves none outdated; the new node just starts`, () => {
            const sim = simulations[change];
            const validators = sim?.pods.filter((p) => p.role === "validator") ?? [];
            const added = change === "add a validator" ? [{ node: "val-8", effect: "start" }] : [];
            expect(validators.map((p) => ({ node: p.node, effect: p.effect }))).toEqual(added);
            // Peer lists and allowlists change in place (a mutable ConfigMap the pods read live).
            const peers = sim?.steps.filter((s) => s.urn.endsWith("-configmap-peers")) ?? [];
            expect(peers.length).toBe(4);
            for (const s of peers) expect(["update", "same"]).toContain(s.kind);
            expect(peers.some((s) => s.kind === "update")).toBe(true);
            // RPC nodes cannot reload their allowlist: they are marked for the rollout, not restarted.
            expect(sim?.pods.filter((p) => p.role === "rpc" && p.effect !== "start").every((p) => p.effect === "outdated")).toBe(true);
        });
    }

    for (const change of ["bump the image", "raise the validators' memory"]) {
        it(`${change}: pulumi up marks the validators outdated, and the rollout restarts them at most f at a time`, () => {
            const sim = simulations[change];
            const outdated = new Set(sim?.pods.filter((p) => p.effect === "outdated").map((p) => p.node));
            for (let i = 1; i <= 7; i++) expect(outdated.has(`val-${i}`), `val-${i}`).toBe(true);
            for (const maxUnavailable of [1, 2]) {
                const trace = rollOut(outdated, maxUnavailable);
                expect(trace.restarted.sort()).toEqual([...outdated].sort());
                expect(trace.maxValidatorsDown).toBeLessThanOrEqual(Math.min(maxUnavailable, f));
                // One pod at a time: a bad new version never takes down a second node.
                expect(trace.maxValidatorsDown).toBe(1);
            }
        });
    }
});

/**
 * The example ledger as a cluster would show it after `pulumi up`: every node Ready, the outdated
 * ones on the old revision. The rollout's own nextStep decides; a deleted pod comes back Ready on the
 * new revision three ticks later. Returns what it restarted and the most validators down at once.
 */
function rollOut(outdated: ReadonlySet<string>, maxUnavailable: number): { restarted: string[]; maxValidatorsDown: number } {
    const network = loadNetworkFile(path.join(dir, "base.yaml"));
    const nodes: NodeObservation[] = (network.ledgers["main"]?.nodes ?? []).map((n) => ({
        node: n.name,
        region: n.region,
        role: n.role,
        restartable: true,
        statefulSet: { updateRevision: "new", settled: true },
        pod: { name: `${n.name}-0`, uid: `${n.name}-old`, revision: outdated.has(n.name) ? "old" : "new", ready: true, terminating: false },
    }));
    const back = new Map<string, number>();
    const restarted: string[] = [];
    let maxValidatorsDown = 0;
    const budget = ledgerBudget(nodes.filter((n) => n.role === "validator").length, maxUnavailable);
    for (let tick = 0; tick < 1000; tick++) {
        for (const [node, at] of back) {
            if (at > tick) continue;
            const n = nodes.find((x) => x.node === node);
            if (n !== undefined) n.pod = { name: `${node}-0`, uid: `${node}-new`, revision: "new", ready: true, terminating: false };
            back.delete(node);
        }
        const down = nodes.filter((n) => n.role === "validator" && (n.pod === undefined || !n.pod.ready)).length;
        maxValidatorsDown = Math.max(maxValidatorsDown, down);
        const observation: LedgerObservation = { ledger: "main", nodes };
        const step = nextStep(observation, budget);
        if (step.kind === "done") return { restarted, maxValidatorsDown };
        if (step.kind === "stop") throw new Error(step.reason);
        if (step.kind === "delete") {
            const n = nodes.find((x) => x.node === step.pod.node);
            if (n === undefined) throw new Error("unknown node");
            delete n.pod;
            restarted.push(n.node);
            back.set(n.node, tick + 3);
        }
    }
    throw new Error("the rollout did not finish");
}
