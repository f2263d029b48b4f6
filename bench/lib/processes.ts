// Where the bench's processes run, what CPU they use, and that they all end with the bench.
//
// Placement on a machine with at least two CPUs: the gateway under test (the scheduler or nginx)
// gets CPU 1 to itself; the load generator (this process and its worker threads), the fixed
// upstreams and anvil share CPU 0, the way the rest of the world shares the machines around a
// gateway. Children inherit this process's CPU set, so only the gateway needs a prefix. Other
// programs on the machine are not moved: what they take shows in the CPU columns.
import { type ChildProcess, execFileSync, spawn, type SpawnOptions } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";

export interface Placement {
    /** Prefix for a gateway's command line (`taskset -c 1`), empty when unpinned. */
    readonly gatewayPrefix: readonly string[];
    /** One line for the output. */
    readonly description: string;
}

const TASKSET = "/usr/bin/taskset";

/** Pins this process (every thread, and so every child it starts) to CPU 0 and returns the gateway's prefix; unpinned when that cannot be done. */
export function placeProcesses(): Placement {
    // The machine's CPUs, not this process's current set: a shell may have started it pinned.
    const cpus = os.cpus().length;
    if (cpus < 2 || !fs.existsSync(TASKSET)) {
        return { gatewayPrefix: [], description: `unpinned (${cpus} CPU${cpus === 1 ? "" : "s"}${fs.existsSync(TASKSET) ? "" : ", no taskset"}): the load generator, upstreams and gateway share every CPU` };
    }
    try {
        execFileSync(TASKSET, ["-a", "-p", "-c", "0", String(process.pid)], { stdio: "ignore" });
    } catch (err) {
        return { gatewayPrefix: [], description: `unpinned (taskset failed: ${(err as Error).message}): the load generator, upstreams and gateway share every CPU` };
    }
    return {
        gatewayPrefix: [TASKSET, "-c", "1"],
        description: `CPU 0: load generator (this process, one worker thread per load), fixed upstreams, anvil; CPU 1: the gateway under test alone (scheduler or nginx, one process); ${cpus} CPUs in all`,
    };
}

/** User + system CPU seconds a process has used so far (all its threads), from /proc; NaN when it is gone. */
export function cpuSeconds(pid: number): number {
    if (pid === process.pid) {
        const usage = process.cpuUsage();
        return (usage.user + usage.system) / 1e6;
    }
    try {
        // Fields after the command name, which may itself hold spaces and parentheses.
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        // utime and stime are fields 14 and 15 of stat(5), 12 and 13 here, in clock ticks (USER_HZ: 100 on Linux).
        return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
        return Number.NaN;
    }
}

/** CPU seconds every CPU of the machine has been busy (not idle, not waiting for I/O), from /proc/stat. */
export function machineBusySeconds(): number {
    try {
        const line = fs.readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
        // cpu user nice system idle iowait irq softirq steal ...
        const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
        return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100;
    } catch {
        return Number.NaN;
    }
}

/** What `CpuMeter.read()` calls the CPU the measured processes did not use: other programs, and the kernel's work for everyone. */
export const OTHERS = "others";

/** CPU use of named processes over a stretch of time, as a share of one CPU, and of everything else on the machine. */
export class CpuMeter {
    private readonly start = new Map<string, number>();
    private readonly pids: ReadonlyMap<string, number>;
    private readonly began = performance.now();
    private readonly machineStart = machineBusySeconds();

    constructor(pids: ReadonlyMap<string, number>) {
        this.pids = pids;
        for (const [name, pid] of pids) this.start.set(name, cpuSeconds(pid));
    }

    /** Name -> CPU seconds used since construction; OTHERS: the machine's busy time the named processes do not account for. */
    seconds(): Map<string, number> {
        const out = new Map<string, number>();
        let ours = 0;
        for (const [name, pid] of this.pids) {
            const used = cpuSeconds(pid) - (this.start.get(name) ?? 0);
            ours += used;
            out.set(name, used);
        }
        out.set(OTHERS, Math.max(0, machineBusySeconds() - this.machineStart - ours));
        return out;
    }

    /** As seconds(), in percent of one CPU over the time since construction. */
    read(): Map<string, number> {
        const elapsed = (performance.now() - this.began) / 1000;
        return new Map([...this.seconds()].map(([name, used]) => [name, (used / elapsed) * 100]));
    }
}

/** Things to stop and folders to remove, undone in reverse order once, on success, error or SIGINT. */
export class Cleanup {
    private readonly steps: Array<{ what: string; run: () => Promise<void> | void }> = [];
    private done: Promise<void> | undefined;

    add(what: string, run: () => Promise<void> | void): void {
        this.steps.push({ what, run });
    }

    removeDir(dir: string): void {
        this.add(`remove ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
    }

    run(): Promise<void> {
        this.done ??= (async () => {
            for (const step of this.steps.splice(0).reverse()) {
                try {
                    await step.run();
                } catch (err) {
                    process.stderr.write(`cleanup: ${step.what} failed: ${(err as Error).message}\n`);
                }
            }
        })();
        return this.done;
    }
}

/** Spawns `file args` run by `prefix` (such as `taskset -c 1`), or directly when the prefix is empty. */
export function spawnUnder(prefix: readonly string[], file: string, args: readonly string[], options: SpawnOptions): ChildProcess {
    const [runner, ...runnerArgs] = prefix;
    return runner === undefined ? spawn(file, [...args], options) : spawn(runner, [...runnerArgs, file, ...args], options);
}

/** Pids of this process's children whose command name (comm) is `name`, from /proc. */
export function childPidsNamed(name: string): number[] {
    const pids: number[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            if (comm === name && ppid === process.pid) pids.push(Number(entry));
        } catch {
            // Gone between the listing and the read.
        }
    }
    return pids;
}

/**
 * The last line of defence: a shell, in a session of its own (a Ctrl-C to the bench's process group
 * does not reach it), that is told each pid the bench starts and, should the bench die without
 * saying "done" (SIGKILL, or tsx's signal relay giving up on it), stops those processes and removes
 * the temp folder. On a normal end the bench stops everything itself, then releases it.
 */
const REAPER_SCRIPT = `
pids=""
while IFS= read -r line; do
    if [ "$line" = done ]; then exit 0; fi
    pids="$pids $line"
done
[ -n "$pids" ] && kill $pids 2>/dev/null
sleep 2
[ -n "$pids" ] && kill -9 $pids 2>/dev/null
rm -rf -- "$1"
`;

export class Reaper {
    private readonly child: ChildProcess;

    constructor(tempDir: string) {
        this.child = spawn("/bin/sh", ["-c", REAPER_SCRIPT, "ledgerfleet-bench-reaper", tempDir], { stdio: ["pipe", "ignore", "ignore"], detached: true });
        this.child.unref();
    }

    watch(pid: number): void {
        if (Number.isInteger(pid) && pid > 0) this.child.stdin?.write(`${pid}\n`);
    }

    /** Everything is stopped and removed: the reaper leaves without touching anything. */
    release(): void {
        this.child.stdin?.end("done\n");
    }
}
