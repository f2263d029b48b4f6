// `ledgerfleet plan`: runs the real Pulumi program (index.ts) under the shared mocks with a stack's
// config, and turns what it registered into plan.json, manifests/ and policy.json.
import { previousPlacement } from "../config/dedicated";
import { faultTolerance } from "../config/fault-tolerance";
import { networkCost } from "../scheduler/cost";
import { checkPlan, loadPolicyConfig } from "./policy";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
// The same module `pulumi up` loads; it exports the program function.
import indexProgram from "../index";
import { type LoadedStack, loadStack, SECRET_PLACEHOLDER } from "../config/load";
import { NODE_KEYS_KEY, nodeKeyConfigPath, PROJECT } from "../config/schema";
import { type Manifest, renderManifests } from "./manifests";
import { LedgerfleetMocks, installMocks, PLAN_ORGANIZATION, type Registration, redactSecrets, unwrapSecrets } from "./mocks";
import type { PlanJson, PolicyResult } from "./plan-types";
import { renderSummary } from "./summary";

export type { PlanJson, PlanResource, PolicyResult } from "./plan-types";


export interface Plan {
    loaded: LoadedStack;
    mocks: LedgerfleetMocks;
    plan: PlanJson;
    manifests: Manifest[];
    policy: PolicyResult[];
    /** How long the policy pack took on the plan's resources. */
    policyMs: number;
    summary: string;
    /** 0 fine, 1 a mandatory policy is violated. */
    exitCode: 0 | 1;
}

/** Set to 1 to keep stack traces while the program runs (they cost a large plan a tenth of its time). */
export const STACK_TRACES_ENV = "LEDGERFLEET_STACK_TRACES";

/**
 * Failures already reported by an earlier run in this process. A failed program leaves component
 * output registrations pending on what failed; they reject, with the same error objects, only once the
 * next run drives the runtime again. Pulumi's own handler dedupes errors by identity; so does the plan.
 */
const reported = new WeakSet<object>();
function isReported(reason: unknown): boolean {
    return typeof reason === "object" && reason !== null && reported.has(reason);
}

/** How the program names its own stack, to read what it deployed last time (see components/network.ts). */
export function selfStackName(stack: string): string {
    return `${PLAN_ORGANIZATION}/${PROJECT}/${stack}`;
}

/**
 * Runs index.ts under mocks once and returns what it registered, secrets still wrapped. `deployed` is
 * what the stack's last update output (`pulumi stack output --json`); left out, a first deploy.
 * `program` stands in for index.ts's (tests run small programs of their own).
 */
export async function runProgram(
    stack: string,
    config: Record<string, string>,
    secretKeys: readonly string[],
    stackOutputs?: Record<string, Record<string, unknown>>,
    deployed: Record<string, unknown> = {},
    program: () => Promise<unknown> = indexProgram,
): Promise<LedgerfleetMocks> {
    const mocks = new LedgerfleetMocks({ stackOutputs: { [selfStackName(stack)]: deployed, ...stackOutputs } });
    await installMocks(mocks, PROJECT, stack, config, secretKeys);
    // Pulumi captures a stack trace for every promise it makes (for its leak report); mapping each
    // through source maps was most of a large plan's time, and the plan never shows those traces.
    const sourceMaps = process.sourceMapsEnabled;
    process.setSourceMapsEnabled(false);
    // Capturing them costs as much again: the runtime takes `new Error().stack` for every promise it
    // makes. Off while the program runs, unless LEDGERFLEET_STACK_TRACES=1 (for an internal error's trace).
    const stackTraceLimit = Error.stackTraceLimit;
    if (process.env[STACK_TRACES_ENV] !== "1") Error.stackTraceLimit = 0;
    // An error inside an Output (a bad config value met while resolving inputs) surfaces as an
    // unhandled rejection, as under `pulumi up`, where the language host fails the update with it.
    // The plan does the same: it collects them and fails instead of writing a partial plan.
    const failures: unknown[] = [];
    const otherListeners = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    const note = (err: unknown) => {
        if (!isReported(err)) failures.push(err);
    };
    const collect = (reason: unknown) => note(reason);
    process.on("unhandledRejection", collect);
    try {
        const ran = await pulumi.runtime.runInPulumiStack(program).then(() => true, (err: unknown) => (note(err), false));
        if (ran) {
            // Registrations still in flight (outputs resolving after the program returned) finish here.
            await pulumi.runtime.disconnect().catch(note);
        } else {
            // A failed program leaves registrations waiting forever on what failed (disconnect would
            // wait with them), and components still sending their outputs. Let those arrive here, at
            // this run's mocks, until the monitor has been quiet for a few turns of the event loop.
            for (let quiet = 0, turns = 0, calls = mocks.monitorCalls; quiet < 5 && turns < 10_000; turns++) {
                await new Promise((resolve) => setImmediate(resolve));
                quiet = mocks.monitorCalls === calls ? quiet + 1 : 0;
                calls = mocks.monitorCalls;
            }
        }
        // Node reports unhandled rejections after the microtask queue drains: let it, then look.
        await new Promise((resolve) => setImmediate(resolve));
    } finally {
        for (const failure of failures) if (typeof failure === "object" && failure !== null) reported.add(failure);
        process.setSourceMapsEnabled(sourceMaps);
        Error.stackTraceLimit = stackTraceLimit;
        process.removeListener("unhandledRejection", collect);
        for (const listener of otherListeners) process.on("unhandledRejection", listener);
    }
    if (failures.length > 0) throw ProgramError.from(failures, mocks.registrations);
    return mocks;
}

/**
 * The program failed. `configuration` when every failure is a RunError: the program's way of saying
 * the stack's configuration cannot be deployed (Pulumi prints those without a stack trace, and so does
 * the CLI, exiting 2); otherwise a bug, reported with its trace.
 *
 * A duplicate URN (the mock monitor refuses it as the engine does) is a bug: ids from the network file
 * that would run together into one name are refused by the loader (config/validate-names.ts) before
 * the program runs, so two resources with one URN mean the program named them alike.
 */
export class ProgramError extends Error {
    constructor(
        message: string,
        readonly configuration: boolean,
        readonly causes: readonly unknown[],
        /** What the program had registered when it failed. */
        readonly registered: readonly Registration[] = [],
    ) {
        super(message);
    }

    static from(failures: readonly unknown[], registered: readonly Registration[] = []): ProgramError {
        const configuration = failures.every((f) => pulumi.RunError.isInstance(f));
        // One bad value fails every resource that depends on it; say it once.
        const messages = [...new Set(failures.map((f) => (f instanceof Error ? f.message : String(f)).replace(/^(error serializing property "[^"]*": )+/, "")))];
        const first = failures[0];
        const trace = first instanceof Error && first.stack !== undefined && /\n\s+at /.test(first.stack)
            ? first.stack
            : `${first instanceof Error ? first.message : String(first)}\n(run again with ${STACK_TRACES_ENV}=1 for its stack trace)`;
        const detail = configuration || !(first instanceof Error) ? messages.join("\n") : trace;
        return new ProgramError(detail, configuration, failures, registered);
    }
}

export interface PlanOptions {
    stack: string;
    /** Folder of the stack files; defaults to the project's stacks/. */
    stacksDir?: string;
    /** The stack's outputs from its last update (`pulumi stack output --json`): its genesis is then locked. */
    deployed?: Record<string, unknown>;
    /** A Pulumi policy config file (enforcement levels, parameters), as `pulumi preview --policy-pack-config` takes. */
    policyConfig?: string;
}

export async function plan(options: PlanOptions): Promise<Plan> {
    // Read first: a bad policy config is a usage error, reported before anything runs.
    const policyConfig = options.policyConfig === undefined ? {} : loadPolicyConfig(options.policyConfig);
    const stacksDir = options.stacksDir ?? path.join(__dirname, "..", "stacks");
    // Dedicated tenants' nodes stay where the last deploy put them.
    const stackFileConfig = loadStack(stacksDir, options.stack, { previous: previousPlacement(options.deployed?.["ledgers"]) });
    // Absolute, so the program finds the network file whichever folder the stack files are in.
    const config: Record<string, string> = {
        ...stackFileConfig.config,
        "ledgerfleet:network": stackFileConfig.networkFile,
        ...undecryptableNodeKeys(stackFileConfig),
    };
    const loaded: LoadedStack = { ...stackFileConfig, config };
    let stackOutputs: Record<string, Record<string, unknown>> | undefined;
    if (loaded.deploy.kind === "region") {
        // A region stack reads the global stack's outputs; offline, they come from planning the
        // global stack of the same network file first (placeholder keys match by construction).
        const globalStack = loaded.config["ledgerfleet:globalStack"];
        if (globalStack === undefined) throw new Error("internal: the loader lets no region stack through without ledgerfleet:globalStack");
        const global = await runProgram(globalStack, { ...loaded.config, "ledgerfleet:deploy": "global" }, loaded.secretKeys);
        stackOutputs = { [globalStack]: unwrapSecrets(global.stackOutputs) as Record<string, unknown> };
    }
    const mocks = await runProgram(options.stack, loaded.config, loaded.secretKeys, stackOutputs, options.deployed);
    const resources = [...mocks.registrations]
        .sort((a, b) => a.urn.localeCompare(b.urn))
        .map((r) => ({ urn: r.urn, type: r.type, name: r.name, parent: r.parent, provider: r.provider, custom: r.custom, inputs: redactSecrets(r.inputs) }));
    const cost = networkCost(loaded.network);
    const planJson: PlanJson = {
        project: PROJECT,
        stack: options.stack,
        resources,
        outputs: redactSecrets(mocks.stackOutputs),
        faultTolerance: faultTolerance(loaded.network),
        ...(loaded.network.placement === undefined ? {} : { placement: loaded.network.placement }),
        cost,
    };
    const manifests = renderManifests(mocks.registrations, loaded.network.name);
    const started = process.hrtime.bigint();
    const policy: PolicyResult[] = await checkPlan(mocks.registrations, policyConfig);
    const policyMs = Number(process.hrtime.bigint() - started) / 1e6;
    const exitCode = policy.some((p) => p.enforcementLevel === "mandatory") ? 1 : 0;
    return { loaded, mocks, plan: planJson, manifests, policy, policyMs, exitCode, summary: renderSummary({ loaded, cost, registrations: mocks.registrations, manifests, policy }) };
}

/**
 * A nodeKeys object encrypted as a whole cannot be read offline, not even its entries; plan it as
 * holding an (undecryptable) entry for every node that brings its key through config.
 */
function undecryptableNodeKeys(loaded: LoadedStack): Record<string, string> {
    if (loaded.config[NODE_KEYS_KEY] !== SECRET_PLACEHOLDER) return {};
    const entries = Object.entries(loaded.network.ledgers).flatMap(([ledger, l]) =>
        l.nodes.filter((n) => n.publicKey !== undefined && n.keySecret === undefined).map((n) => [nodeKeyConfigPath(ledger, n.name), SECRET_PLACEHOLDER]),
    );
    return { [NODE_KEYS_KEY]: JSON.stringify(Object.fromEntries(entries)) };
}

/** Writes the plan to outDir, replacing what was there only once everything is ready. */
export function writePlan(result: Plan, outDir: string): void {
    const staging = `${outDir.replace(/\/+$/, "")}.partial-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    try {
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
    } catch (err) {
        fs.rmSync(staging, { recursive: true, force: true });
        throw err;
    }
}
