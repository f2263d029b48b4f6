// One measured plan, in a process of its own: `tsx bench/plan-one.ts <shape> <nodes> [dir]`.
// Writes the generated stack to `dir` (a temporary folder of its own, removed after, when left
// out), then times plan() and writePlan() cold: nothing is warmed, so module loading is outside the
// timing but first-call JIT and every allocation of this size are in it. Prints one JSON line.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { plan, writePlan } from "../cli/plan";
import { isShape, SHAPES, writeStack } from "./networks";

/** What a child reports on its last stdout line. */
export interface PlanRun {
    shape: string;
    nodes: number;
    node: string;
    /** plan() plus writePlan(), in milliseconds. */
    ms: number;
    planMs: number;
    writeMs: number;
    /** The policy pack on the plan's resources (part of planMs). */
    policyMs: number;
    /** Findings of the pack, mandatory ones. */
    mandatory: number;
    resources: number;
    objects: number;
    /** Bytes of every file written under the output folder. */
    bytes: number;
    /** Peak resident set size of this process, in KiB. */
    maxRssKiB: number;
}

function bytesUnder(dir: string): number {
    let total = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) total += bytesUnder(full);
        else if (entry.isFile()) total += fs.statSync(full).size;
    }
    return total;
}

async function main(): Promise<void> {
    const [shape, nodesText, dirArg] = process.argv.slice(2);
    const nodes = Number(nodesText);
    if (shape === undefined || !isShape(shape) || !Number.isInteger(nodes)) {
        process.stderr.write(`usage: tsx bench/plan-one.ts <${SHAPES.join("|")}> <nodes> [dir]\n`);
        process.exit(2);
    }
    const dir = dirArg ?? fs.mkdtempSync(path.join(os.tmpdir(), "ledgerfleet-bench-"));
    try {
        const stack = writeStack(dir, shape, nodes);
        const outDir = path.join(dir, "out");
        const start = process.hrtime.bigint();
        const result = await plan({ stack, stacksDir: dir });
        const planned = process.hrtime.bigint();
        writePlan(result, outDir);
        const end = process.hrtime.bigint();
        const run: PlanRun = {
            shape,
            nodes,
            node: process.version,
            ms: Number(end - start) / 1e6,
            planMs: Number(planned - start) / 1e6,
            writeMs: Number(end - planned) / 1e6,
            policyMs: result.policyMs,
            mandatory: result.policy.filter((f) => f.enforcementLevel === "mandatory").length,
            resources: result.plan.resources.length,
            objects: result.manifests.length,
            bytes: bytesUnder(outDir),
            maxRssKiB: process.resourceUsage().maxRSS,
        };
        process.stdout.write(`${JSON.stringify(run)}\n`);
    } finally {
        if (dirArg === undefined) fs.rmSync(dir, { recursive: true, force: true });
    }
}

if (require.main === module) {
    // Exits as the CLI does (process.exit), so nothing left pending lengthens the end-to-end time.
    main().then(
        () => process.exit(0),
        (err: unknown) => {
            process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
            process.exit(1);
        },
    );
}
