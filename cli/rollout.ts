// `ledgerfleet rollout`: restarts the outdated ledger pods of a stack, one at a time, within each
// ledger's fault tolerance (the decisions are in rollout-plan.ts; this file reads the clusters,
// deletes pods, waits, and reports). Exit codes: 0 everything this stack deploys is current (or a
// dry run), 1 the rollout stopped, 2 invalid configuration or usage.
import * as path from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { APP_NAME, LEDGER_LABEL, REGION_LABEL } from "../charts/ledger-namespace";
import { didYouMean } from "../config/errors";
import { ConfigError, loadStack, type LoadedStack } from "../config/load";
import { ledgerNamespaceName } from "../config/names";
import { type DeployTarget, deploysRegion, type NetworkConfig, type RegionConfig } from "../config/schema";
import {
    type Budget,
    budgetLine,
    describePlan,
    formatDuration,
    type LedgerObservation,
    type LedgerReport,
    ledgerBudget,
    maxUnavailableProblem,
    type NodeObservation,
    nextStep,
    podName,
    type Restart,
    restartProgress,
    summaryLines,
    where,
} from "./rollout-plan";

const EXIT = { ok: 0, stopped: 1, usage: 2 } as const;
/** The StatefulSet controller labels each pod with the revision it was created from. */
export const REVISION_LABEL = "controller-revision-hash";
/** The validators' startupProbe gives Besu 20 minutes to sync; a restart is not slower than that. */
export const DEFAULT_TIMEOUT_MINUTES = 20;
const DEFAULT_POLL_SECONDS = 5;

export interface Output {
    write(text: string): unknown;
}

export interface PodInfo {
    name: string;
    uid: string;
    labels: Readonly<Record<string, string>>;
    /** The pod's Ready condition is True. */
    ready: boolean;
    /** The pod has a deletionTimestamp. */
    terminating: boolean;
}

export interface StatefulSetInfo {
    name: string;
    generation?: number;
    observedGeneration?: number;
    updateRevision?: string;
}

/** What the rollout needs of one region's Kubernetes cluster. */
export interface Cluster {
    listStatefulSets(namespace: string, labelSelector: string): Promise<StatefulSetInfo[]>;
    listPods(namespace: string, labelSelector: string): Promise<PodInfo[]>;
    /** Deletes the pod only if it is still the one with this uid; a pod already gone is no error. */
    deletePod(namespace: string, name: string, uid: string): Promise<void>;
}

export type ClusterFactory = (regionId: string, region: RegionConfig) => Cluster;

export interface RolloutOptions {
    stack: string;
    /** @default the project's stacks/ folder */
    stacksDir?: string;
    /** Only this ledger. @default every ledger of the network */
    ledger?: string;
    /** @default 1 (and never more than a ledger's f) */
    maxUnavailable?: number;
    /** How long a restarted pod may take to be Ready, and how long the rollout waits for room. @default 20 */
    timeoutMinutes?: number;
    /** Print the order and the budgets; delete nothing. */
    dryRun?: boolean;
    /** @default each region's cluster through its kubeconfig context (cli/kube-cluster.ts) */
    clusters?: ClusterFactory;
    out: Output;
    err: Output;
    /** @default setTimeout */
    sleep?: (ms: number) => Promise<void>;
    /** Milliseconds. @default Date.now */
    now?: () => number;
    /** @default 5 */
    pollSeconds?: number;
}

/** The rollout cannot go on safely; exit 1. */
class Stop extends Error {}

export async function rollout(options: RolloutOptions): Promise<number> {
    const { out, err } = options;
    let loaded: LoadedStack;
    try {
        loaded = loadStack(options.stacksDir ?? path.join(__dirname, "..", "stacks"), options.stack);
    } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        err.write(`ledgerfleet: invalid configuration, nothing restarted:\n${error.message}\n`);
        return EXIT.usage;
    }
    const { network, deploy } = loaded;
    const usage = (message: string): number => {
        err.write(`ledgerfleet: ${message}\n`);
        return EXIT.usage;
    };

    const ledgerIds = Object.keys(network.ledgers);
    if (options.ledger !== undefined && !ledgerIds.includes(options.ledger)) {
        return usage(`--ledger ${options.ledger}: network ${network.name} has no such ledger${didYouMean(options.ledger, ledgerIds)}; its ledgers are: ${ledgerIds.join(", ")}`);
    }
    if (options.maxUnavailable !== undefined && !(Number.isInteger(options.maxUnavailable) && options.maxUnavailable >= 1)) {
        return usage(`--max-unavailable ${options.maxUnavailable}: expected a whole number of validators, at least 1`);
    }
    const timeoutMinutes = options.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES;
    if (!(timeoutMinutes > 0)) return usage(`--timeout ${timeoutMinutes}: expected a number of minutes above 0`);

    const selected = options.ledger === undefined ? ledgerIds : [options.ledger];
    const budgets = new Map<string, Budget>();
    for (const ledger of selected) {
        const validators = network.ledgers[ledger].nodes.filter((n) => n.role === "validator").length;
        if (options.maxUnavailable !== undefined) {
            const problem = maxUnavailableProblem(ledger, validators, options.maxUnavailable);
            if (problem !== undefined) return usage(problem);
        }
        budgets.set(ledger, ledgerBudget(validators, options.maxUnavailable));
    }

    if (deploy.kind === "global") {
        out.write(`Stack ${options.stack} deploys the global identities, no ledger pods: nothing to restart.\n`);
        return EXIT.ok;
    }

    const factory = options.clusters ?? (await import("./kube-cluster")).kubeCluster;
    const reader = new NetworkReader(network, deploy, factory);
    const driver: Driver = {
        reader,
        out,
        sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
        now: options.now ?? Date.now,
        pollMs: (options.pollSeconds ?? DEFAULT_POLL_SECONDS) * 1000,
        timeoutMs: timeoutMinutes * 60_000,
    };
    const scope = deploy.kind === "all" ? "every region" : `region ${deploy.region}`;
    out.write(`Rollout of stack ${options.stack} (network ${network.name}, restarts pods in ${scope})${options.dryRun ? ", dry run: nothing is deleted" : ""}\n`);

    const reports: LedgerReport[] = [];
    try {
        for (const [ledger, budget] of budgets) {
            if (options.dryRun) {
                for (const line of describePlan(await reader.observe(ledger), budget)) out.write(`${line}\n`);
                continue;
            }
            const report: LedgerReport = { ledger, restarted: [], stopped: false };
            reports.push(report);
            await rollLedger(driver, report, budget);
        }
    } catch (error) {
        if (!(error instanceof Stop)) throw error;
        const report = reports.at(-1);
        if (report !== undefined) report.stopped = true;
        err.write(`ledgerfleet: rollout stopped: ${error.message}\n`);
        if (!options.dryRun) writeSummary(out, reports, selected);
        return EXIT.stopped;
    }
    if (!options.dryRun) writeSummary(out, reports, selected);
    return EXIT.ok;
}

interface Driver {
    reader: NetworkReader;
    out: Output;
    sleep: (ms: number) => Promise<void>;
    now: () => number;
    pollMs: number;
    timeoutMs: number;
}

/** Restarts the ledger's outdated pods until none is left; throws Stop when it cannot go on safely. */
async function rollLedger(d: Driver, report: LedgerReport, budget: Budget): Promise<void> {
    const { ledger } = report;
    const say = (line: string) => d.out.write(`${ledger}: ${line}\n`);
    let restart: Restart | undefined;
    let waitingSince: number | undefined;
    let lastWait: string | undefined;
    const waitFor = async (reason: string) => {
        if (reason !== lastWait) say(`waiting: ${reason}`);
        lastWait = reason;
        await d.sleep(d.pollMs);
    };
    say(budgetLine(budget));

    for (;;) {
        const obs = await d.reader.observe(ledger);
        report.last = obs;
        if (restart !== undefined) {
            const progress = restartProgress(obs, restart, d.now(), d.timeoutMs);
            if (progress.kind === "stop") {
                report.failed = where(restart.target);
                throw new Stop(progress.reason);
            }
            if (progress.kind === "wait") {
                await waitFor(progress.reason);
                continue;
            }
            say(`ready: ${where(restart.target)} on revision ${progress.revision} after ${formatDuration(d.now() - restart.startedAt)}`);
            report.restarted.push(where(restart.target));
            restart = undefined;
            lastWait = undefined;
            continue;
        }

        const step = nextStep(obs, budget);
        if (step.kind === "done") return;
        if (step.kind === "stop") throw new Stop(step.reason);
        if (step.kind === "wait") {
            waitingSince ??= d.now();
            if (d.now() - waitingSince >= d.timeoutMs) {
                throw new Stop(`waited ${formatDuration(d.timeoutMs)} and the ledger is still not ready for the next restart: ${step.reason}. The remaining outdated pods were left alone`);
            }
            await waitFor(step.reason);
            continue;
        }

        const { pod } = step;
        say(`deleting ${where(pod)} (${pod.role}, revision ${pod.fromRevision ?? "(none)"} -> ${pod.toRevision ?? "(unknown)"})`);
        await d.reader.deletePod(ledger, pod.region, pod.pod, pod.uid);
        restart = { target: pod, startedAt: d.now() };
        waitingSince = undefined;
        lastWait = undefined;
    }
}

function writeSummary(out: Output, reports: readonly LedgerReport[], selected: readonly string[]): void {
    out.write("\nSummary:\n");
    for (const ledger of selected) {
        for (const line of summaryLines(ledger, reports.find((r) => r.ledger === ledger))) out.write(`${line}\n`);
    }
}

/** Reads every region of a ledger and deletes pods in the regions the stack deploys. */
class NetworkReader {
    private readonly clusters = new Map<string, Cluster>();

    constructor(
        private readonly network: NetworkConfig,
        /** What the stack deploys: the rollout restarts pods in those regions only. */
        private readonly deploy: DeployTarget,
        private readonly factory: ClusterFactory,
    ) {}

    /** Same in every region. */
    namespace(ledger: string): string {
        return ledgerNamespaceName(this.network.name, ledger);
    }

    async observe(ledger: string): Promise<LedgerObservation> {
        const nodes = this.network.ledgers[ledger].nodes;
        const regions = [...new Set(nodes.map((n) => n.region))];
        const namespace = this.namespace(ledger);
        const seen = await Promise.all(
            regions.map(async (region) => {
                const selector = `app.kubernetes.io/name=${APP_NAME},${LEDGER_LABEL}=${ledger},${REGION_LABEL}=${region}`;
                const cluster = this.cluster(region);
                try {
                    const [statefulSets, pods] = await Promise.all([cluster.listStatefulSets(namespace, selector), cluster.listPods(namespace, selector)]);
                    return { region, statefulSets, pods };
                } catch (error) {
                    throw this.unreadable(region, error);
                }
            }),
        );
        const observed = nodes.map((n): NodeObservation => {
            const inRegion = seen.find((s) => s.region === n.region);
            const sts = inRegion?.statefulSets.find((s) => s.name === n.name);
            const pod = inRegion?.pods.find((p) => p.name === podName(n.name));
            return {
                node: n.name,
                region: n.region,
                role: n.role,
                restartable: deploysRegion(this.deploy, n.region),
                statefulSet:
                    sts === undefined
                        ? undefined
                        : { updateRevision: sts.updateRevision, settled: (sts.observedGeneration ?? 0) >= (sts.generation ?? 0) },
                pod: pod === undefined ? undefined : { name: pod.name, uid: pod.uid, revision: pod.labels[REVISION_LABEL], ready: pod.ready, terminating: pod.terminating },
            };
        });
        return { ledger, nodes: observed };
    }

    async deletePod(ledger: string, region: string, pod: string, uid: string): Promise<void> {
        if (!deploysRegion(this.deploy, region)) {
            throw new Error(`internal: the rollout tried to delete ${pod} in ${region}, a region this stack does not deploy`);
        }
        try {
            await this.cluster(region).deletePod(this.namespace(ledger), pod, uid);
        } catch (error) {
            throw new Stop(`cannot delete ${pod} in region ${region} (${this.access(region)}): ${message(error)}`);
        }
    }

    private cluster(region: string): Cluster {
        let cluster = this.clusters.get(region);
        if (cluster === undefined) {
            try {
                cluster = this.factory(region, this.network.regions[region]);
            } catch (error) {
                throw this.unreadable(region, error);
            }
            this.clusters.set(region, cluster);
        }
        return cluster;
    }

    private unreadable(region: string, error: unknown): Stop {
        if (error instanceof Stop) return error;
        return new Stop(
            `cannot read region ${region} (${this.access(region)}): ${message(error)}. ` +
                "Without it the rollout cannot prove the ledger is healthy, so it restarts nothing more",
        );
    }

    private access(region: string): string {
        const r = this.network.regions[region];
        if (r === undefined) return "not in the network file";
        return r.cloud === "existing" ? `kubeconfig context ${r.kubeconfigContext}${r.kubeconfig === undefined ? "" : ` in ${r.kubeconfig}`}` : `${r.cloud} ${r.region}, kubeconfig context ${region}`;
    }
}

function message(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

function positiveInteger(value: string): number {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number, at least 1");
    return n;
}

function positiveMinutes(value: string): number {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a number of minutes above 0");
    return n;
}

/**
 * Adds `ledgerfleet rollout` to the CLI. `defaults` lets tests inject clusters and a clock; the CLI
 * passes none. Errors of its own are reported by `rollout` (exit codes through `setExitCode`);
 * bad options are commander's (exit 2 in main).
 */
export function registerRolloutCommand(
    program: Command,
    io: { out: Output; err: Output },
    setExitCode: (code: number) => void,
    defaults: Partial<Pick<RolloutOptions, "clusters" | "sleep" | "now" | "pollSeconds">> = {},
): Command {
    return program
        .command("rollout")
        .description("restart outdated ledger pods one at a time, never more validators down than the ledger can lose")
        .requiredOption("--stack <name>", "stack whose regions' pods to restart (stacks/Pulumi.<name>.yaml)")
        .option("--stacks <dir>", "folder of the stack files (default: the project's stacks/)")
        .option("--ledger <id>", "only this ledger (default: every ledger)")
        .option("--max-unavailable <n>", "validators of a ledger that may be unavailable at once, at most f (default: 1)", positiveInteger)
        .option("--timeout <minutes>", `how long a restarted pod may take to be Ready (default: ${DEFAULT_TIMEOUT_MINUTES})`, positiveMinutes)
        .option("--dry-run", "print the order and budgets; delete nothing")
        .action(async (opts: { stack: string; stacks?: string; ledger?: string; maxUnavailable?: number; timeout?: number; dryRun?: boolean }) => {
            setExitCode(
                await rollout({
                    ...defaults,
                    stack: opts.stack,
                    stacksDir: opts.stacks && path.resolve(opts.stacks),
                    ledger: opts.ledger,
                    maxUnavailable: opts.maxUnavailable,
                    timeoutMinutes: opts.timeout,
                    dryRun: opts.dryRun === true,
                    out: io.out,
                    err: io.err,
                }),
            );
        });
}
