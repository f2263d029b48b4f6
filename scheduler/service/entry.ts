// What the container runs: `node dist/scheduler.js --config /etc/ledgerfleet/scheduler.yaml`
// (scheduler/Dockerfile bundles this file with esbuild; it imports only scheduler/service/ and
// npm packages). Exit codes: 0 stopped by SIGTERM/SIGINT, 1 could not listen or the shutdown grace
// ran out, 2 invalid configuration or usage.
import { parseArgs } from "node:util";
import { runScheduler, SCHEDULER_EXIT } from "./main";

async function main(argv: string[]): Promise<number> {
    let configFile: string | undefined;
    try {
        configFile = parseArgs({ args: argv, options: { config: { type: "string" } }, strict: true }).values.config;
    } catch (err) {
        process.stderr.write(`ledgerfleet scheduler: ${(err as Error).message}\nusage: scheduler --config FILE\n`);
        return SCHEDULER_EXIT.usage;
    }
    if (configFile === undefined) {
        process.stderr.write("ledgerfleet scheduler: missing --config FILE\nusage: scheduler --config FILE\n");
        return SCHEDULER_EXIT.usage;
    }
    return runScheduler(configFile, (text) => process.stderr.write(text));
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
        process.stderr.write(`ledgerfleet scheduler: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        process.exit(70);
    },
);
