#!/usr/bin/env node
// ledgerfleet command line. Exit codes: 0 fine; 1 a mandatory policy is violated (plan), a
// rollout stopped or a preflight check failed; 2 invalid configuration or usage.
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, CommanderError } from "commander";
import { ConfigError } from "../config/load";
import { plan, ProgramError, writePlan } from "./plan";
import { registerPreflightCommand } from "./preflight";
import { registerRolloutCommand } from "./rollout";
import { registerPolicyCommand } from "./policy";
import { registerSchedulerCommands } from "./scheduler";

export const EXIT = { ok: 0, policy: 1, failed: 1, usage: 2 } as const;

/** A request the CLI cannot carry out as given (exit 2, no stack trace). */
class UsageError extends Error {}

interface Output {
    write(text: string): unknown;
}

export async function main(argv: readonly string[], io: { out: Output; err: Output } = { out: process.stdout, err: process.stderr }): Promise<number> {
    const program = new Command("ledgerfleet")
        .description("Permissioned ledger networks across clouds, on Pulumi")
        .exitOverride()
        .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s) });
    let exitCode: number = EXIT.ok;
    program
        .command("plan")
        .description("run the Pulumi program offline under mocks: what would be built, and whether it complies")
        .requiredOption("--stack <name>", "stack to plan (stacks/Pulumi.<name>.yaml)")
        .option("--out <dir>", "output folder (default: out/<stack>)")
        .option("--stacks <dir>", "folder of the stack files (default: the project's stacks/)")
        .option("--deployed <file>", "the stack's outputs from its last update (`pulumi stack output --json`): check the plan against what is deployed")
        .option("--policy-config <file>", "a Pulumi policy config file (enforcement levels, parameters), as `pulumi preview --policy-pack-config` takes")
        .action(async (opts: { stack: string; out?: string; stacks?: string; deployed?: string; policyConfig?: string }) => {
            const deployed = opts.deployed === undefined ? undefined : readDeployed(opts.deployed);
            const result = await plan({ stack: opts.stack, stacksDir: opts.stacks && path.resolve(opts.stacks), deployed, policyConfig: opts.policyConfig });
            const outDir = path.resolve(opts.out ?? path.join("out", opts.stack));
            try {
                writePlan(result, outDir);
            } catch (err) {
                const code = (err as NodeJS.ErrnoException).code;
                if (code === undefined) throw err;
                throw new UsageError(`cannot write the plan to ${outDir} (${code}): choose another --out folder`);
            }
            io.out.write(result.summary);
            io.out.write(
                `\nWrote ${path.relative(process.cwd(), outDir) || "."}/: plan.json (${result.plan.resources.length} resources), ` +
                    `policy.json (${result.policy.length} results), manifests/ (${result.manifests.length} objects)\n`,
            );
            exitCode = result.exitCode;
        });
    registerRolloutCommand(program, io, (code) => (exitCode = code));
    registerPreflightCommand(program, io, (code) => (exitCode = code));
    registerPolicyCommand(program, { out: (s) => io.out.write(s), err: (s) => io.err.write(s) }, (code) => (exitCode = code));
    registerSchedulerCommands(program, io, (code) => (exitCode = code));
    try {
        await program.parseAsync([...argv], { from: "user" });
        return exitCode;
    } catch (err) {
        if (err instanceof CommanderError) {
            return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
        }
        if (err instanceof UsageError) {
            io.err.write(`ledgerfleet: ${err.message}\n`);
            return EXIT.usage;
        }
        if (err instanceof ConfigError || (err instanceof ProgramError && err.configuration)) {
            io.err.write(`ledgerfleet: invalid configuration, nothing written:\n${err.message}\n`);
            return EXIT.usage;
        }
        throw err;
    }
}

/** A `pulumi stack output --json` file: a JSON object of outputs. */
function readDeployed(file: string): Record<string, unknown> {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new UsageError(`cannot read --deployed ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        throw new UsageError(`--deployed ${file} is not JSON: expected the output of \`pulumi stack output --json\``);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new UsageError(`--deployed ${file}: expected a JSON object of stack outputs, as \`pulumi stack output --json\` prints`);
    }
    return value as Record<string, unknown>;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err: unknown) => {
            process.stderr.write(`ledgerfleet: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
            process.exit(70);
        },
    );
}
