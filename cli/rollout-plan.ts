// What `ledgerfleet rollout` does next, decided from what it sees: pure, no I/O, no clock.
//
// Every Besu node is a StatefulSet of one pod with updateStrategy OnDelete, so a changed pod
// template only marks the pod outdated. QBFT with n validators keeps producing blocks with
// f = floor((n-1)/3) of them down; the rollout keeps the number of unavailable validators of a
// ledger, counted in every region, within min(f, --max-unavailable). It restarts one pod at a time
// and waits for it to come back Ready on the new revision before touching the next one: a bad new
// version must never take down a second node. RPC nodes go first, as a canary that does not vote.
import { maxFaulty } from "../config/fault-tolerance";

export type NodeRole = "validator" | "rpc";

/** A node's pod (`<node>-0`) as the rollout sees it. */
export interface PodObservation {
    name: string;
    uid: string;
    /** Its `controller-revision-hash` label: the StatefulSet revision it was created from. */
    revision?: string;
    /** Its Ready condition is True (validators: peered and caught up). */
    ready: boolean;
    /** It has a deletionTimestamp: it is on its way out, whatever its conditions still say. */
    terminating: boolean;
}

export interface StatefulSetObservation {
    /** `status.updateRevision`: the revision a pod created now gets. */
    updateRevision?: string;
    /** `status.observedGeneration >= metadata.generation`: the controller has acted on the latest spec. */
    settled: boolean;
}

export interface NodeObservation {
    node: string;
    region: string;
    role: NodeRole;
    /** The stack deploys this node's region, so the rollout may restart its pod. */
    restartable: boolean;
    /** Absent when the region's namespace has no StatefulSet of that name. */
    statefulSet?: StatefulSetObservation;
    /** Absent when the pod does not exist (not created yet, or deleted and not yet recreated). */
    pod?: PodObservation;
}

/** Every node of one ledger, in every region of the network, in network-file order. */
export interface LedgerObservation {
    ledger: string;
    nodes: readonly NodeObservation[];
}

export interface Budget {
    validators: number;
    /** Validators QBFT can lose and keep producing blocks. */
    f: number;
    maxUnavailable: number;
    /** At most this many validators of the ledger may be unavailable when the rollout deletes one. */
    budget: number;
}

/** The pod a delete step removes; `uid` makes the delete a no-op if the pod was replaced meanwhile. */
export interface PodTarget {
    node: string;
    region: string;
    role: NodeRole;
    pod: string;
    uid: string;
    fromRevision?: string;
    toRevision?: string;
}

export type Step = { kind: "delete"; pod: PodTarget } | { kind: "wait"; reason: string } | { kind: "done" } | { kind: "stop"; reason: string };

/** A pod the rollout deleted and now waits for. */
export interface Restart {
    target: PodTarget;
    /** When it was deleted, in the clock's milliseconds. */
    startedAt: number;
}

/** What the rollout did to one ledger, for the summary. */
export interface LedgerReport {
    ledger: string;
    /** `pod in region`, in the order they came back Ready. */
    restarted: string[];
    /** The last observation of the ledger. */
    last?: LedgerObservation;
    stopped: boolean;
    /** The pod it restarted that did not come back. */
    failed?: string;
}

export type RestartProgress = { kind: "ready"; revision: string } | { kind: "wait"; reason: string } | { kind: "stop"; reason: string };

/** The default of --max-unavailable: one validator at a time. */
export const DEFAULT_MAX_UNAVAILABLE = 1;

export function ledgerBudget(validators: number, maxUnavailable: number = DEFAULT_MAX_UNAVAILABLE): Budget {
    const f = maxFaulty(validators);
    return { validators, f, maxUnavailable, budget: Math.min(f, maxUnavailable) };
}

/** Why an explicit --max-unavailable is refused for this ledger, or undefined when it is fine. */
export function maxUnavailableProblem(ledger: string, validators: number, maxUnavailable: number): string | undefined {
    const f = maxFaulty(validators);
    if (maxUnavailable <= f) return undefined;
    return (
        `--max-unavailable ${maxUnavailable} is more than ledger ${ledger} can lose: with ${validators} validators QBFT keeps ` +
        `producing blocks only while at most f = floor((${validators} - 1) / 3) = ${f} are down, so at most ${f} may be unavailable at once`
    );
}

export function podName(node: string): string {
    return `${node}-0`;
}

/** Not Ready, missing, or being restarted. */
export function isUnavailable(n: NodeObservation): boolean {
    return n.pod === undefined || n.pod.terminating || !n.pod.ready;
}

/** Its pod runs a revision other than the one its StatefulSet now creates pods from. */
export function isOutdated(n: NodeObservation): boolean {
    const wanted = n.statefulSet?.updateRevision;
    return n.pod !== undefined && !n.pod.terminating && wanted !== undefined && n.pod.revision !== wanted;
}

/** `val-3-0 in ams-dc2`. */
export function where(n: { node: string; region: string }): string {
    return `${podName(n.node)} in ${n.region}`;
}

/** What the rollout last saw of a node, in a few words. */
export function condition(n: NodeObservation): string {
    if (n.statefulSet === undefined) return "no StatefulSet";
    if (n.pod === undefined) return "pod missing";
    if (n.pod.terminating) return "terminating";
    const wanted = n.statefulSet.updateRevision;
    const revision =
        n.pod.revision === wanted ? `revision ${wanted}` : `revision ${n.pod.revision ?? "(none)"}, StatefulSet at ${wanted ?? "(unknown)"}`;
    return `${n.pod.ready ? "Ready" : "not Ready"}, ${revision}`;
}

/**
 * Pods this stack may restart, in the order it restarts them: RPC nodes first (a canary that does
 * not vote), then validators, those already unavailable first (restarting them costs no
 * availability). Network-file order otherwise.
 */
export function restartOrder(obs: LedgerObservation): NodeObservation[] {
    const outdated = obs.nodes.filter((n) => n.restartable && isOutdated(n));
    const rank = (n: NodeObservation) => (n.role === "rpc" ? 0 : isUnavailable(n) ? 1 : 2);
    return outdated.map((n, i) => ({ n, i })).sort((a, b) => rank(a.n) - rank(b.n) || a.i - b.i).map(({ n }) => n);
}

/** The next thing to do for a ledger when no restart of ours is in flight. */
export function nextStep(obs: LedgerObservation, budget: Budget): Step {
    const mine = obs.nodes.filter((n) => n.restartable);
    const undeployed = mine.find((n) => n.statefulSet === undefined);
    if (undeployed !== undefined) {
        return {
            kind: "stop",
            reason:
                `ledger ${obs.ledger}: node ${undeployed.node} has no StatefulSet in region ${undeployed.region}, though the network file ` +
                "places it there: deploy the stack (pulumi up) before rolling it out",
        };
    }
    const unsettled = mine.find((n) => n.statefulSet?.settled !== true || n.statefulSet.updateRevision === undefined);
    if (unsettled !== undefined) {
        return { kind: "wait", reason: `StatefulSet ${unsettled.node} in ${unsettled.region}: its controller has not yet acted on the latest spec` };
    }

    const order = restartOrder(obs);
    if (order.length === 0) return { kind: "done" };

    const recreating = mine.find((n) => n.pod === undefined || n.pod.terminating);
    if (recreating !== undefined) return { kind: "wait", reason: `${where(recreating)} is being recreated (${condition(recreating)})` };
    // A pod of ours already on the new revision but not Ready may be the new version failing (say, a
    // canary a previous run left behind): no further pod goes down until it is Ready.
    const failing = mine.find((n) => !isOutdated(n) && isUnavailable(n));
    if (failing !== undefined) {
        return { kind: "wait", reason: `${where(failing)} runs the new revision but is not Ready (${condition(failing)})` };
    }

    const candidate = order[0];
    const target = toTarget(candidate);
    if (candidate.role === "rpc") return { kind: "delete", pod: target };

    if (budget.budget < 1) {
        return {
            kind: "stop",
            reason:
                `ledger ${obs.ledger} has ${budget.validators} validators, so f = ${budget.f}: no validator can be restarted ` +
                "without stopping the chain",
        };
    }
    const down = obs.nodes.filter((n) => n.role === "validator" && isUnavailable(n));
    const after = down.length + (isUnavailable(candidate) ? 0 : 1);
    if (after > budget.budget) {
        return {
            kind: "wait",
            reason:
                `${down.length} of ${budget.validators} validators of ledger ${obs.ledger} unavailable ` +
                `(${down.map((n) => `${where(n)}: ${condition(n)}`).join("; ")}), budget ${budget.budget}: ` +
                `${where(candidate)} waits`,
        };
    }
    return { kind: "delete", pod: target };
}

function toTarget(n: NodeObservation): PodTarget {
    if (n.pod === undefined) throw new Error(`internal: ${where(n)} has no pod to delete`);
    return {
        node: n.node,
        region: n.region,
        role: n.role,
        pod: n.pod.name,
        uid: n.pod.uid,
        fromRevision: n.pod.revision,
        toRevision: n.statefulSet?.updateRevision,
    };
}

/** Whether the pod the rollout deleted is back: recreated, on the StatefulSet's revision, Ready. */
export function restartProgress(obs: LedgerObservation, restart: Restart, now: number, timeoutMs: number): RestartProgress {
    const { target } = restart;
    const n = obs.nodes.find((x) => x.node === target.node && x.region === target.region);
    const seen = n === undefined ? "node no longer in the network file" : lastSeen(n, target);
    const wanted = n?.statefulSet?.updateRevision;
    const pod = n?.pod;
    if (
        pod !== undefined &&
        pod.uid !== target.uid &&
        !pod.terminating &&
        n?.statefulSet?.settled === true &&
        wanted !== undefined &&
        pod.revision === wanted &&
        pod.ready
    ) {
        return { kind: "ready", revision: wanted };
    }
    if (now - restart.startedAt >= timeoutMs) {
        return {
            kind: "stop",
            reason:
                `${target.pod} in region ${target.region} did not come back Ready on revision ${wanted ?? target.toRevision ?? "(unknown)"} ` +
                `within ${formatDuration(timeoutMs)}; last seen: ${seen}. The remaining outdated pods were left alone`,
        };
    }
    return { kind: "wait", reason: `${target.pod} in ${target.region}: ${seen}` };
}

function lastSeen(n: NodeObservation, target: PodTarget): string {
    if (n.pod !== undefined && n.pod.uid === target.uid) return "the old pod is still terminating";
    return condition(n);
}

export function budgetLine(budget: Budget): string {
    return (
        `budget ${budget.budget} validator(s) unavailable at once ` +
        `(f = ${budget.f} of ${budget.validators} validators, --max-unavailable ${budget.maxUnavailable})`
    );
}

/** What --dry-run prints for a ledger: its budget, who is down now, and the restart order. */
export function describePlan(obs: LedgerObservation, budget: Budget): string[] {
    const order = restartOrder(obs);
    const lines = [`${obs.ledger}: ${budgetLine(budget)}`];
    const down = obs.nodes.filter((n) => n.role === "validator" && isUnavailable(n));
    if (down.length > 0) lines.push(`  unavailable now: ${down.map((n) => `${where(n)} (${condition(n)})`).join(", ")}`);
    if (order.length === 0) lines.push("  nothing to restart: every pod this stack deploys is current");
    order.forEach((n, i) => lines.push(`  ${i + 1}. ${where(n)} (${n.role}, ${condition(n)})`));
    const elsewhere = outdatedElsewhere(obs);
    if (elsewhere.length > 0) lines.push(`  outdated in regions this stack does not deploy (left to their stacks): ${elsewhere.map(where).join(", ")}`);
    return lines;
}

/** Outdated pods in regions this stack does not deploy. */
export function outdatedElsewhere(obs: LedgerObservation): NodeObservation[] {
    return obs.nodes.filter((n) => !n.restartable && isOutdated(n));
}

export function formatDuration(ms: number): string {
    const seconds = Math.round(ms / 1000);
    if (seconds < 60) return `${seconds}s`;
    const minutes = Math.floor(seconds / 60);
    const rest = seconds % 60;
    return rest === 0 ? `${minutes} minute${minutes === 1 ? "" : "s"}` : `${minutes}m ${rest}s`;
}

/** The summary of one ledger; `report` is undefined when an earlier ledger stopped the rollout. */
export function summaryLines(ledger: string, report: LedgerReport | undefined): string[] {
    if (report === undefined) return [`  ${ledger}: not started (an earlier ledger stopped the rollout)`];
    const restarted = report.restarted.length === 0 ? "restarted nothing" : `restarted ${report.restarted.length}: ${report.restarted.join(", ")}`;
    const obs = report.last;
    const left = obs === undefined ? [] : restartOrder(obs);
    const failed = report.failed === undefined ? "" : `; ${report.failed} restarted but not back Ready`;
    const state = report.stopped
        ? `stopped${failed}` + (left.length === 0 ? "" : `; ${left.length} outdated pod(s) left alone: ${left.map(where).join(", ")}`)
        : "every pod this stack deploys is current";
    const lines = [`  ${ledger}: ${restarted}; ${state}`];
    if (obs === undefined) return lines;
    const notReady = obs.nodes.filter((n) => n.restartable && !isOutdated(n) && isUnavailable(n));
    if (!report.stopped && notReady.length > 0) lines.push(`    not Ready now: ${notReady.map(where).join(", ")}`);
    const elsewhere = outdatedElsewhere(obs);
    if (elsewhere.length > 0) {
        lines.push(`    outdated in regions this stack does not deploy (roll them out with those regions' stacks): ${elsewhere.map(where).join(", ")}`);
    }
    return lines;
}
