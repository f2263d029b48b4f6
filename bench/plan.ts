// Offline plan cost as networks grow: two shapes (one ledger holding every node; a service network
// of 25-node ledgers) at 10, 100, 400 and 1,000 nodes. Each (shape, size) runs in a child process
// of its own (bench/plan-one.ts): a fresh heap and module cache, so no size inherits another's
// warm JIT or garbage, and peak RSS is that size's own. The child times plan() + writePlan(); this
// process times the child end to end (tsx start, module loading, plan, write, exit).
//
// The ratio to watch is ms/node against the 100-node run: the issue asks for "ms per node at 1,000
// within 1.2x of 100"; the 1,000-node row also shows the targets, under 30 s and 1 GB.
//
//   npm run bench                                     every shape and size
//   npm run bench -- --sizes 10,100 --shapes service  a quick look
//
// Ratios come from one run per size (see STYLE.md); nothing here is asserted.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, formatProblems, loadStack } from "../config/load";
import { checkSpread, isShape, networkSpec, SHAPE_TITLES, SHAPES, type Shape, writeStack } from "./networks";
import type { PlanRun } from "./plan-one";
import { ALL_POLICIES } from "../policies/all";

const DEFAULT_SIZES = [10, 100, 400, 1000];
/** The run every other size's ms/node is compared with. */
const BASELINE_NODES = 100;
/** The issue's targets for the largest network. */
const TARGET = { nodes: 1000, ms: 30_000, bytes: 1e9 };

const ROOT = path.join(__dirname, "..");
const BIN = path.join(ROOT, "node_modules", ".bin");
const CHILD = path.join(__dirname, "plan-one.ts");

interface Measured {
    shape: Shape;
    nodes: number;
    ledgers: number;
    regions: number;
    run?: PlanRun;
    /** The child's wall time, spawn to exit. */
    endToEndMs: number;
    failure?: string;
}

class UsageError extends Error {}

/** The three-cloud shape is measured where the issue asks: 100 nodes over 12 regions. */
const CLOUD_SIZES = [100];

function parseOptions(argv: string[]): { sizes: number[]; shapes: Shape[]; explicitSizes: boolean } {
    const { values } = parseArgs({
        args: argv,
        options: { sizes: { type: "string" }, shapes: { type: "string" } },
        strict: true,
        allowPositionals: false,
    });
    const sizes = values.sizes === undefined ? DEFAULT_SIZES : values.sizes.split(",").map((s) => Number(s.trim()));
    const badSize = sizes.find((n) => !Number.isInteger(n) || n < 4);
    if (badSize !== undefined) throw new UsageError(`--sizes: expected comma-separated whole numbers of at least 4, found ${String(badSize)}`);
    const shapeNames = values.shapes === undefined ? [...SHAPES] : values.shapes.split(",").map((s) => s.trim());
    const badShape = shapeNames.find((s) => !isShape(s));
    if (badShape !== undefined) throw new UsageError(`--shapes: expected some of ${SHAPES.join(", ")}, found '${badShape}'`);
    return { sizes: [...new Set(sizes)].sort((a, b) => a - b), shapes: [...new Set(shapeNames)].filter(isShape), explicitSizes: values.sizes !== undefined };
}

/** Every generated network must load before anything is timed: a failure here is the generator's. */
function validate(root: string, shape: Shape, nodes: number): void {
    checkSpread(networkSpec(shape, nodes));
    const dir = fs.mkdtempSync(path.join(root, `check-${shape}-${nodes}-`));
    try {
        loadStack(dir, writeStack(dir, shape, nodes));
    } catch (err) {
        if (err instanceof ConfigError) throw new Error(`generated ${shape} network of ${nodes} nodes does not load:\n${formatProblems(err.problems)}`);
        throw err;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function runChild(root: string, shape: Shape, nodes: number): Promise<Measured> {
    const spec = networkSpec(shape, nodes);
    const base = { shape, nodes, ledgers: spec.ledgers.length, regions: spec.regions };
    const dir = fs.mkdtempSync(path.join(root, `${shape}-${nodes}-`));
    return new Promise((resolve) => {
        const start = process.hrtime.bigint();
        // As package.json's scripts run the CLI: the project's Node 22, tsx, a larger young generation.
        const child = spawn(path.join(BIN, "node"), ["--max-semi-space-size=32", "--import", "tsx", CHILD, shape, String(nodes), dir], { cwd: ROOT, env: env(), stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
        const finish = (measured: Measured) => {
            fs.rmSync(dir, { recursive: true, force: true });
            resolve(measured);
        };
        child.on("error", (err) => finish({ ...base, endToEndMs: 0, failure: `cannot start ${path.join(BIN, "node")}: ${err.message}` }));
        child.on("close", (code, signal) => {
            const endToEndMs = Number(process.hrtime.bigint() - start) / 1e6;
            const last = stdout.trim().split("\n").pop() ?? "";
            if (code !== 0) {
                const how = signal === null ? `exit code ${String(code)}` : `signal ${signal}`;
                finish({ ...base, endToEndMs, failure: `child failed (${how}):\n${stderr}${stdout}` });
                return;
            }
            try {
                const run = JSON.parse(last) as PlanRun;
                if (stderr.trim() !== "") process.stderr.write(`  ${shape} ${nodes}: child wrote to stderr:\n${stderr}`);
                finish({ ...base, endToEndMs, run });
            } catch {
                finish({ ...base, endToEndMs, failure: `child printed no result line; stdout:\n${stdout}\nstderr:\n${stderr}` });
            }
        });
    });
}

const mb = (bytes: number) => bytes / 1e6;

/** tsx starts with `env node`: the project's Node 22 must come first on PATH. */
function env(): NodeJS.ProcessEnv {
    return { ...process.env, PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ""}` };
}

/** Runs `node` with `args` in the project and resolves with its stdout and wall time. */
function timed(args: string[], childEnv: NodeJS.ProcessEnv): Promise<{ ms: number; stdout: string; code: number | null }> {
    return new Promise((resolve) => {
        const start = process.hrtime.bigint();
        const child = spawn(path.join(BIN, "node"), args, { cwd: ROOT, env: childEnv, stdio: ["ignore", "pipe", "ignore"] });
        let stdout = "";
        child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
        child.on("close", (code) => resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, stdout, code }));
    });
}

/**
 * What `npm start` spends loading the cloud SDKs: each SDK's require time after @pulumi/pulumi is
 * loaded (in one fresh process, as the program loads them), and `npm start`'s own command end to end
 * on the example (three clouds) next to the on-premises one (no SDK).
 */
async function sdkLoadTimes(root: string, childEnv: NodeJS.ProcessEnv): Promise<string[]> {
    const script =
        "const t=()=>Number(process.hrtime.bigint())/1e6;require('@pulumi/pulumi');const out={};" +
        "for(const m of ['aws','gcp','alicloud']){const s=t();require('@pulumi/'+m);out[m]=t()-s;}console.log(JSON.stringify(out));";
    const sdk = await timed(["-e", script], childEnv);
    const loads = JSON.parse(sdk.stdout.trim() || "{}") as Record<string, number>;
    const total = Object.values(loads).reduce((a, b) => a + b, 0);
    const plan = (stack: string) => timed(["--max-semi-space-size=32", "--import", "tsx", path.join(ROOT, "cli", "main.ts"), "plan", "--stack", stack, "--out", fs.mkdtempSync(path.join(root, `start-${stack}-`))], childEnv);
    const example = await plan("dev");
    const policy = await timed(["--import", "tsx", "-e", `require(${JSON.stringify(path.join(ROOT, "cli", "plan.ts"))}).plan({ stack: "dev" }).then((p) => console.log(JSON.stringify([p.policyMs, p.plan.resources.length])))`], childEnv);
    const [policyMs, resources] = JSON.parse(policy.stdout.trim().split("\n").pop() ?? "[0, 0]") as [number, number];
    const onPremises = await plan("atlas");
    return [
        `cloud SDKs as npm start loads them: ${Object.entries(loads).map(([m, ms]) => `@pulumi/${m} ${ms.toFixed(0)} ms`).join(", ")} (together ${total.toFixed(0)} ms)`,
        `npm start's command end to end: the example (3 clouds + on-premises) ${example.ms.toFixed(0)} ms${example.code === 0 ? "" : " (FAILED)"}, ` +
            `the on-premises atlas network ${onPremises.ms.toFixed(0)} ms; ratio ${(example.ms / onPremises.ms).toFixed(2)}x (target: the example under 3 s)`,
        `the policy pack (${ALL_POLICIES.length} policies) on the example's plan (${resources} resources): ${policyMs.toFixed(0)} ms (target: well under a second)`,
    ];
}

function table(shape: Shape, rows: readonly Measured[]): string[] {
    const columns = [
        ["nodes", 5],
        ["ledgers", 7],
        ["regions", 7],
        ["resources", 9],
        ["k8s objects", 11],
        ["plan ms", 8],
        ["policy ms", 9],
        ["end-to-end ms", 13],
        ["ms/node", 8],
        [`vs ${BASELINE_NODES}`, 7],
        ["peak MB", 7],
        ["output MB", 9],
    ] as const;
    const line = (cells: readonly string[]) => cells.map((c, i) => c.padStart(columns[i]?.[1] ?? 0)).join("  ");
    const baseline = rows.find((r) => r.nodes === BASELINE_NODES)?.run;
    const baselinePerNode = baseline === undefined ? undefined : baseline.ms / baseline.nodes;
    const out = [SHAPE_TITLES[shape], line(columns.map(([name]) => name))];
    for (const r of rows) {
        const lead = [String(r.nodes), String(r.ledgers), String(r.regions)];
        if (r.run === undefined) {
            out.push(`${line(lead)}  FAILED after ${r.endToEndMs.toFixed(0)} ms (error output below)`);
            continue;
        }
        const perNode = r.run.ms / r.nodes;
        const peakBytes = r.run.maxRssKiB * 1024;
        let row = line([
            ...lead,
            String(r.run.resources),
            String(r.run.objects),
            r.run.ms.toFixed(0),
            r.run.policyMs.toFixed(0),
            r.endToEndMs.toFixed(0),
            perNode.toFixed(2),
            baselinePerNode === undefined ? "-" : `${(perNode / baselinePerNode).toFixed(2)}x`,
            mb(peakBytes).toFixed(0),
            mb(r.run.bytes).toFixed(1),
        ]);
        if (r.nodes === TARGET.nodes) {
            const fast = r.endToEndMs < TARGET.ms;
            const small = peakBytes < TARGET.bytes;
            row +=
                `   target under 30 s and 1 GB: ${(r.endToEndMs / 1000).toFixed(1)} s end to end (${fast ? "met" : "NOT met"}), ` +
                `${mb(peakBytes).toFixed(0)} MB peak (${small ? "met" : "NOT met"})`;
        }
        out.push(row);
    }
    return out;
}

async function main(): Promise<number> {
    let options: { sizes: number[]; shapes: Shape[]; explicitSizes: boolean };
    try {
        options = parseOptions(process.argv.slice(2));
    } catch (err) {
        if (!(err instanceof UsageError) && !(err instanceof TypeError)) throw err;
        process.stderr.write(`bench/plan.ts: ${err.message}\nusage: npm run bench -- [--sizes 10,100,400,1000] [--shapes ${SHAPES.join(",")}]\n`);
        return 2;
    }
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerfleet-bench-"));
    const cleanUp = () => fs.rmSync(root, { recursive: true, force: true });
    process.once("SIGINT", () => {
        cleanUp();
        process.exit(130);
    });
    try {
        const sizesOf = (shape: Shape) => (shape === "three-cloud" && !options.explicitSizes ? CLOUD_SIZES : options.sizes);
        for (const shape of options.shapes) for (const nodes of sizesOf(shape)) validate(root, shape, nodes);
        const results = new Map<Shape, Measured[]>();
        for (const shape of options.shapes) {
            const rows: Measured[] = [];
            for (const nodes of sizesOf(shape)) {
                process.stderr.write(`planning ${shape} with ${nodes} nodes...\n`);
                rows.push(await runChild(root, shape, nodes));
            }
            results.set(shape, rows);
        }

        const all = [...results.values()].flat();
        const nodeVersion = all.find((r) => r.run !== undefined)?.run?.node ?? "unknown";
        const cpu = os.cpus()[0]?.model ?? "unknown CPU";
        console.log(`ledgerfleet plan benchmark: node ${nodeVersion}, ${os.cpus().length} x ${cpu}, one run per size, each in its own process`);
        console.log(`plan ms = plan() + writePlan() in the child; policy ms = the ${ALL_POLICIES.length}-policy pack on the plan's resources (part of plan ms); end-to-end ms = the child's whole run; MB = 10^6 bytes (peak = max RSS)`);
        for (const [shape, rows] of results) {
            console.log("");
            for (const text of table(shape, rows)) console.log(text);
        }
        console.log("");
        for (const line of await sdkLoadTimes(root, env())) console.log(line);
        const failed = all.filter((r) => r.failure !== undefined);
        for (const r of failed) console.log(`\n${r.shape} with ${r.nodes} nodes failed:\n${r.failure ?? ""}`);
        return failed.length > 0 ? 1 : 0;
    } finally {
        cleanUp();
    }
}

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (err: unknown) => {
            console.error(err);
            process.exit(1);
        },
    );
}
