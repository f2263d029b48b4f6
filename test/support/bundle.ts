// The scheduler as its image runs it: scheduler/Dockerfile's own esbuild command, as written there,
// writing its one-file bundle to `outfile` instead of dist/. The Dockerfile test checks that bundle;
// the scheduler benchmark measures it.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
export const DOCKERFILE_PATH = path.join(ROOT, "scheduler", "Dockerfile");

export function bundleScheduler(outfile: string): void {
    const command = fs.readFileSync(DOCKERFILE_PATH, "utf8").split("\n").find((l) => l.startsWith("RUN npx esbuild "));
    if (command === undefined) throw new Error("scheduler/Dockerfile has no `RUN npx esbuild` line");
    const args = command.slice("RUN npx esbuild ".length).trim().split(/\s+/).map((a) => (a.startsWith("--outfile=") ? `--outfile=${outfile}` : a));
    const built = spawnSync(path.join(ROOT, "node_modules", ".bin", "esbuild"), args, { cwd: ROOT, encoding: "utf8" });
    if (built.status !== 0) throw new Error(`esbuild failed: ${built.stderr}`);
}
