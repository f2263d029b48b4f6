// `ledgerfleet plan`: runs the real Pulumi program (index.ts) under the shared mocks with a stack's
// config, and turns what it registered into plan.json, manifests/ and policy.json.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { type LoadedStack, loadStack } from "../stacks/load";
import { type Manifest, renderManifests } from "./manifests";
import { LedgerfleetMocks, installMocks, redactSecrets, unwrapSecrets } from "./mocks";
import { renderSummary } from "./summary";

export const PROJECT = "ledgerfleet";

export interface PlanResource {
    urn: string;
    type: string;
    name: string;
    parent: string;
    provider: string;
    custom: boolean;
    inputs: unknown;
}

export interface PlanJson {
    project: string;
    stack: string;
    resources: PlanResource[];
    outputs: unknown;
}

export interface PolicyResult {
    policy: string;
    enforcementLevel: "advisory" | "mandatory" | "disabled";
    urn: string;
    message: string;
}

export interface Plan {
    loaded: LoadedStack;
    mocks: LedgerfleetMocks;
    plan: PlanJson;
    manifests: Manifest[];
    policy: PolicyResult[];
    summary: string;
    /** 0 fine, 1 a mandatory policy is violated. */
    exitCode: 0 | 1;
}

/** Runs index.ts under mocks once and returns what it registered, secrets still wrapped. */
export async function runProgram(
    stack: string,
    config: Record<string, string>,
    secretKeys: readonly string[],
    stackOutputs?: Record<string, Record<string, unknown>>,
): Promise<LedgerfleetMocks> {
    const mocks = new LedgerfleetMocks({ stackOutputs });
    await installMocks(mocks, PROJECT, stack, config, secretKeys);
    // The same module `pulumi up` loads; it exports the program function.
    const program = (await import("../index")).default as unknown as () => Promise<Record<string, unknown>>;
    // Pulumi captures a stack trace for every promise it makes (for its leak report); mapping each
    // through source maps was most of a large plan's time, and the plan never shows those traces.
    const sourceMaps = process.sourceMapsEnabled;
    process.setSourceMapsEnabled(false);
    try {
        await pulumi.runtime.runInPulumiStack(program);
        // Registrations still in flight (outputs resolving after the program returned) finish here.
        await pulumi.runtime.disconnect();
    } finally {
        process.setSourceMapsEnabled(sourceMaps);
    }
    return mocks;
}

export interface PlanOptions {
    stack: string;
    /** Folder of the stack files; defaults to the project's stacks/. */
    stacksDir?: string;
}

export async function plan(options: PlanOptions): Promise<Plan> {
    const stacksDir = options.stacksDir ?? path.join(__dirname, "..", "stacks");
    const stackFileConfig = loadStack(stacksDir, options.stack);
    // Absolute, so the program finds the network file whichever folder the stack files are in.
    const config: Record<string, string> = { ...stackFileConfig.config, "ledgerfleet:network": stackFileConfig.networkFile };
    const loaded: LoadedStack = { ...stackFileConfig, config };
    let stackOutputs: Record<string, Record<string, unknown>> | undefined;
    if (loaded.deploy.kind === "region") {
        // A region stack reads the global stack's outputs; offline, they come from planning the
        // global stack of the same network file first (placeholder keys match by construction).
        const globalStack = loaded.config["ledgerfleet:globalStack"] ?? "global";
        const global = await runProgram(globalStack, { ...loaded.config, "ledgerfleet:deploy": "global" }, loaded.secretKeys);
        stackOutputs = { [globalStack]: unwrapSecrets(global.stackOutputs) as Record<string, unknown> };
    }
    const mocks = await runProgram(options.stack, loaded.config, loaded.secretKeys, stackOutputs);
    const resources = [...mocks.registrations]
        .sort((a, b) => a.urn.localeCompare(b.urn))
        .map((r) => ({ urn: r.urn, type: r.type, name: r.name, parent: r.parent, provider: r.provider, custom: r.custom, inputs: redactSecrets(r.inputs) }));
    const planJson: PlanJson = { project: PROJECT, stack: options.stack, resources, outputs: redactSecrets(mocks.stackOutputs) };
    const manifests = renderManifests(mocks.registrations, loaded.network.name);
    const policy: PolicyResult[] = [];
    const exitCode = policy.some((p) => p.enforcementLevel === "mandatory") ? 1 : 0;
    return { loaded, mocks, plan: planJson, manifests, policy, exitCode, summary: renderSummary({ loaded, registrations: mocks.registrations, manifests, policy }) };
}

/** Writes the plan to outDir, replacing what was there only once everything is ready. */
export function writePlan(result: Plan, outDir: string): void {
    const staging = `${outDir.replace(/\/+$/, "")}.partial-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    fs.writeFileSync(path.join(staging, "plan.json"), `${JSON.stringify(result.plan, null, 2)}\n`);
    fs.writeFileSync(path.join(staging, "policy.json"), `${JSON.stringify(result.policy, null, 2)}\n`);
    for (const m of result.manifests) {
        const file = path.join(staging, "manifests", m.path);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, m.yaml);
    }
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.renameSync(staging, outDir);
}
