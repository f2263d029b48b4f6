// The offline plan names resources as the Pulumi engine would, so its URNs work with
// `pulumi up --target` and `pulumi state`, and its mock monitor refuses what the engine refuses.
// The engine's rules (pulumi/pulumi pkg/resource/deploy/deployment.go `generateURN`,
// step_generator.go `checkParent` and `generateURN`) are restated here from the recorded parent links,
// not taken from cli/mocks.ts.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { type Plan, plan, ProgramError, runProgram } from "../cli/plan";
import type { PlanResource } from "../cli/plan-types";

const STACK_TYPE = "pulumi:pulumi:Stack";
let result: Plan;
let byUrn: Map<string, PlanResource>;

beforeAll(async () => {
    result = await plan({ stack: "dev" });
    byUrn = new Map(result.plan.resources.map((r) => [r.urn, r]));
});

/** The types from the resource up to (not including) the stack, outermost first, following recorded parents. */
function typeChain(r: PlanResource): string[] {
    const chain: string[] = [];
    for (let cur: PlanResource | undefined = r; cur !== undefined && cur.type !== STACK_TYPE; cur = byUrn.get(cur.parent)) {
        chain.unshift(cur.type);
        if (cur.parent === "") break;
    }
    return chain;
}

/** A provider reference split where the engine splits it: at its last `::` (sdk/go/common/providers/reference.go). */
function parseProviderReference(ref: string): { urn: string; id: string } {
    const at = ref.lastIndexOf("::");
    return { urn: ref.slice(0, at), id: ref.slice(at + 2) };
}

/** Runs a small program under the plan's mocks; the ProgramError it fails with, or undefined. */
async function failureOf(program: () => Promise<unknown>): Promise<ProgramError | undefined> {
    return runProgram("dev", {}, [], undefined, {}, program).then(() => undefined, (e: unknown) => e as ProgramError);
}

describe("URNs in the example's plan", () => {
    it("carry every ancestor's type below the stack, outermost first, as the engine's do", () => {
        expect(result.plan.resources.length).toBeGreaterThan(100);
        for (const r of result.plan.resources) {
            const expected = r.type === STACK_TYPE ? `urn:pulumi:dev::ledgerfleet::${STACK_TYPE}::${r.name}` : `urn:pulumi:dev::ledgerfleet::${typeChain(r).join("$")}::${r.name}`;
            expect(r.urn).toBe(expected);
        }
    });

    it("name a node's StatefulSet under its Network, Region and LedgerNode", () => {
        const urn =
            "urn:pulumi:dev::ledgerfleet::ledgerfleet:index:Network$ledgerfleet:index:Region$ledgerfleet:index:LedgerNode$kubernetes:apps/v1:StatefulSet" +
            "::meridian-aws-fra-main-val-1-statefulset-val-1";
        expect(byUrn.get(urn)?.parent).toBe("urn:pulumi:dev::ledgerfleet::ledgerfleet:index:Network$ledgerfleet:index:Region$ledgerfleet:index:LedgerNode::meridian-aws-fra-main-val-1");
        expect(byUrn.get("urn:pulumi:dev::ledgerfleet::ledgerfleet:index:Network::meridian")?.parent).toBe(`urn:pulumi:dev::ledgerfleet::${STACK_TYPE}::ledgerfleet-dev`);
    });

    it("are unique", () => {
        expect(byUrn.size).toBe(result.plan.resources.length);
        expect(new Set(result.mocks.registrations.map((r) => r.urn)).size).toBe(result.mocks.registrations.length);
    });

    it("are what parents, provider references and dependencies point at", () => {
        for (const r of result.plan.resources) {
            if (r.type === STACK_TYPE) expect(r.parent).toBe("");
            else expect(byUrn.has(r.parent), `parent of ${r.urn}`).toBe(true);
            if (r.provider === "") continue;
            const { urn, id } = parseProviderReference(r.provider);
            expect(byUrn.get(urn)?.type, `provider of ${r.urn}`).toMatch(/^pulumi:providers:/);
            expect(id).not.toBe("");
        }
        const kube = result.plan.resources.filter((r) => r.type.startsWith("kubernetes:"));
        for (const r of kube) expect(byUrn.get(parseProviderReference(r.provider).urn)?.type, r.urn).toBe("pulumi:providers:kubernetes");
        for (const r of result.mocks.registrations) {
            for (const d of r.dependencies) expect(byUrn.has(d), `dependency ${d} of ${r.urn}`).toBe(true);
        }
        expect(result.mocks.registrations.some((r) => r.dependencies.length > 0)).toBe(true);
    });
});

describe("the plan's mock monitor refuses what the engine refuses", () => {
    it("fails a program that registers two resources of one type and name under one parent with the engine's duplicate-URN error", async () => {
        const error = await failureOf(async () => {
            const owner = new pulumi.ComponentResource("test:index:Owner", "owner");
            new pulumi.ComponentResource("test:index:Thing", "thing", {}, { parent: owner });
            new pulumi.ComponentResource("test:index:Thing", "thing", {}, { parent: owner });
            return {};
        });
        expect(error).toBeInstanceOf(ProgramError);
        expect(error?.message).toContain("Duplicate resource URN 'urn:pulumi:dev::ledgerfleet::test:index:Owner$test:index:Thing::thing'; try giving it a unique name");
        // Not a configuration problem: the loader refuses ids that would run together into one name.
        expect(error?.configuration).toBe(false);
        expect(error?.registered.filter((r) => r.name === "thing")).toHaveLength(1);
    });

    it("refuses a resource whose parent was never registered, naming the parent", async () => {
        const ghost = "urn:pulumi:dev::ledgerfleet::test:index:Ghost::ghost";
        const error = await failureOf(async () => {
            new pulumi.ComponentResource("test:index:Thing", "orphan", {}, { parent: new pulumi.DependencyResource(ghost) });
            return {};
        });
        expect(error).toBeInstanceOf(ProgramError);
        expect(error?.message).toContain(`could not find parent resource ${ghost}`);
        expect(error?.registered.some((r) => r.name === "orphan")).toBe(false);
    });

    it("still accepts one name under two parents of different types, as the engine does", async () => {
        const run = runProgram("dev", {}, [], undefined, {}, async () => {
            const a = new pulumi.ComponentResource("test:index:A", "a");
            const b = new pulumi.ComponentResource("test:index:B", "b");
            new pulumi.ComponentResource("test:index:Thing", "thing", {}, { parent: a });
            new pulumi.ComponentResource("test:index:Thing", "thing", {}, { parent: b });
            return {};
        });
        const urns = (await run).registrations.filter((r) => r.name === "thing").map((r) => r.urn).sort();
        expect(urns).toEqual([
            "urn:pulumi:dev::ledgerfleet::test:index:A$test:index:Thing::thing",
            "urn:pulumi:dev::ledgerfleet::test:index:B$test:index:Thing::thing",
        ]);
    });
});
