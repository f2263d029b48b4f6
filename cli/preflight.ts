// `ledgerfleet preflight`: the cluster prerequisites the program cannot create (routes and firewalls
// between sites, a LoadBalancer that honours requested addresses, a Retain storage class, labelled
// ledger machines), checked before a network fails to form. Offline by default: it prints the
// checks; `--run` makes them with the user's kubectl. The decisions live in preflight-plan.ts.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { ConfigError, loadStack } from "../config/load";
import { ledgerNamespaceName } from "../config/names";
import { isInlineKubeconfig } from "../config/network";
import type { DeployTarget, NetworkConfig } from "../config/schema";
import {
    type KubectlAnswer,
    labelSelector,
    ledgerNodeResults,
    parseProbeOutput,
    planPreflight,
    preflightExitCode,
    probeArguments,
    probeResults,
    type RegionPreflight,
    type RegionResults,
    renderPlan,
    renderResults,
    storageClassResults,
} from "./preflight-plan";
import { PROBE_SCRIPT } from "./preflight-probe";
import { LEDGER_LABEL } from "../charts/ledger-namespace";

const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

interface Output {
    write(text: string): unknown;
}

export interface PreflightOptions {
    stack: string;
    /** Folder of the stack files. @default the project's stacks/ */
    stacksDir?: string;
    /** Make the checks with kubectl; left out, only describe them and contact nothing. */
    run?: boolean;
    /** Seconds per TCP connection and per DNS lookup. @default 5 */
    timeoutSeconds?: number;
    /** kubectl executable (a path or a name on PATH). @default "kubectl" */
    kubectl?: string;
    out: Output;
    err: Output;
}

export const DEFAULT_TIMEOUT_SECONDS = 5;
const MAX_TIMEOUT_SECONDS = 120;
/** The probe pod pulls the Besu image (hundreds of MB) before it runs: give kubectl time for that. */
const POD_RUNNING_TIMEOUT_SECONDS = 300;
const KUBECTL_GET_TIMEOUT_MS = 60_000;

/** kubectl is missing or cannot be run: a usage problem (exit 2), not a failed check. */
class KubectlUnavailable extends Error {}

/** Loads the stack and runs the preflight. Returns the exit code: 0 fine, 1 a check failed, 2 usage or configuration. */
export async function preflight(options: PreflightOptions): Promise<number> {
    const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    if (!validTimeout(timeoutSeconds)) {
        options.err.write(`ledgerfleet: --timeout expects whole seconds from 1 to ${MAX_TIMEOUT_SECONDS}, found ${timeoutSeconds}\n`);
        return EXIT.usage;
    }
    const stacksDir = options.stacksDir ?? path.join(__dirname, "..", "stacks");
    let loaded;
    try {
        loaded = loadStack(stacksDir, options.stack);
    } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        options.err.write(`ledgerfleet: invalid configuration, nothing checked:\n${err.message}\n`);
        return EXIT.usage;
    }
    return preflightNetwork({ ...options, network: loaded.network, deploy: loaded.deploy, timeoutSeconds });
}

export interface PreflightNetworkOptions extends Omit<PreflightOptions, "stacksDir"> {
    /** The network as the loader returns it (tests build one by hand). */
    network: NetworkConfig;
    deploy: DeployTarget;
    /** Name of the probe pod; a fresh `ledgerfleet-preflight-<random>` per region when left out. */
    podName?: () => string;
}

/** The preflight of an already loaded network. */
export async function preflightNetwork(options: PreflightNetworkOptions): Promise<number> {
    const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    const plan = planPreflight(options.network, options.deploy);
    if (!options.run || plan.regions.length === 0) {
        options.out.write(renderPlan(plan, options.stack, timeoutSeconds));
        return EXIT.ok;
    }
    const kubectl = kubectlRunner(options.kubectl ?? "kubectl");
    const podName = options.podName ?? (() => `ledgerfleet-preflight-${randomBytes(3).toString("hex")}`);
    let results: RegionResults[];
    const inline = inlineKubeconfigs(plan.regions);
    try {
        // Clusters are independent: check them side by side.
        results = await Promise.all(inline.regions.map((r) => checkRegion(plan.network, r, kubectl, podName, timeoutSeconds, options.err)));
    } catch (err) {
        if (!(err instanceof KubectlUnavailable)) throw err;
        options.err.write(`ledgerfleet: ${err.message}\n`);
        return EXIT.usage;
    } finally {
        inline.cleanup();
    }
    options.out.write(renderResults(plan, options.stack, results));
    return preflightExitCode(results);
}

/**
 * The Kubernetes provider takes a kubeconfig's contents as well as its path, and kubectl only a path:
 * contents go to a private temporary file for the run, removed afterwards.
 */
function inlineKubeconfigs(regions: readonly RegionPreflight[]): { regions: RegionPreflight[]; cleanup: () => void } {
    if (!regions.some((r) => r.kubeconfig !== undefined && isInlineKubeconfig(r.kubeconfig))) return { regions: [...regions], cleanup: () => {} };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerfleet-preflight-"));
    const written = regions.map((r) => {
        if (r.kubeconfig === undefined || !isInlineKubeconfig(r.kubeconfig)) return r;
        const file = path.join(dir, `${r.region}.kubeconfig`);
        fs.writeFileSync(file, r.kubeconfig, { mode: 0o600 });
        return { ...r, kubeconfig: file };
    });
    return { regions: written, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function validTimeout(seconds: number): boolean {
    return Number.isInteger(seconds) && seconds >= 1 && seconds <= MAX_TIMEOUT_SECONDS;
}

interface KubectlResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    /** Killed after the time limit. */
    readonly timedOut: boolean;
}

type Kubectl = (args: readonly string[], timeoutMs: number) => Promise<KubectlResult>;

/** kubectl through execFile: no shell, so no value is ever parsed by one. */
function kubectlRunner(executable: string): Kubectl {
    return (args, timeoutMs) =>
        new Promise((resolve, reject) => {
            execFile(executable, [...args], { encoding: "utf8", timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
                const code = error?.code;
                if (code === "ENOENT" || code === "EACCES") {
                    reject(
                        new KubectlUnavailable(
                            `cannot run kubectl '${executable}' (${code}): --run checks the clusters with kubectl; install it, or pass --kubectl <path>. Without --run, preflight only prints the checks.`,
                        ),
                    );
                    return;
                }
                resolve({ code: error ? (typeof code === "number" ? code : 1) : 0, stdout, stderr, timedOut: error?.killed === true && error.signal !== null });
            });
        });
}

/** `--context` and `--kubeconfig`, before every kubectl subcommand for the region. */
export function clusterArgs(region: RegionPreflight): string[] {
    return ["--context", region.kubeconfigContext, ...(region.kubeconfig === undefined ? [] : ["--kubeconfig", region.kubeconfig])];
}

/**
 * The probe pod as the restricted Pod Security Standard wants it: non-root as Besu's uid 1000, no
 * service account token, no privilege escalation, no capabilities, read-only root, small limits. A
 * strategic merge, so the container kubectl generates (image, command, stdin) keeps its fields.
 */
export function probePodOverrides(podName: string): object {
    return {
        apiVersion: "v1",
        spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
                {
                    name: podName,
                    resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                },
            ],
        },
    };
}

/**
 * Where a ledger's probe runs: in the ledger's namespace, labelled as one of its pods, so the ledger's
 * NetworkPolicies admit it exactly as they admit a same-cluster peer (a pod elsewhere would be refused
 * by this cluster's own nodes, and the check would fail for the wrong reason).
 */
export function probePlacement(network: string, ledger: string): { namespace: string; labels: string } {
    return {
        namespace: ledgerNamespaceName(network, ledger),
        labels: `app.kubernetes.io/name=besu,${LEDGER_LABEL}=${ledger},app.kubernetes.io/component=preflight,app.kubernetes.io/managed-by=ledgerfleet`,
    };
}

/** `kubectl run` of the probe: attached (-i) so its output comes back, deleted when done (--rm). */
export function probeRunArgs(region: RegionPreflight, podName: string, timeoutSeconds: number, placement: { namespace: string; labels: string }): string[] {
    return [
        ...clusterArgs(region),
        "run",
        podName,
        "--namespace",
        placement.namespace,
        "--rm",
        "-i",
        "--quiet",
        "--restart=Never",
        `--pod-running-timeout=${POD_RUNNING_TIMEOUT_SECONDS}s`,
        "--labels",
        placement.labels,
        "--image",
        region.image,
        "--override-type=strategic",
        "--overrides",
        JSON.stringify(probePodOverrides(podName)),
        "--command",
        "--",
        "/bin/bash",
        "-c",
        PROBE_SCRIPT,
        "preflight",
        ...probeArguments(region, timeoutSeconds),
    ];
}

/** kubectl's complaint in one line: its last non-empty lines of stderr, or how it ended. */
function complaint(result: KubectlResult, limitSeconds: number): string {
    if (result.timedOut) return `kubectl did not finish within ${limitSeconds}s`;
    const text = result.stderr
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== "" && !/^If you don't see a command prompt/.test(l))
        .slice(-3)
        .join(" ");
    return text === "" ? `kubectl exited with ${result.code}` : text;
}

function answerOf(result: KubectlResult): KubectlAnswer {
    if (result.code !== 0 || result.timedOut) return { ok: false, error: complaint(result, KUBECTL_GET_TIMEOUT_MS / 1000) };
    try {
        return { ok: true, json: JSON.parse(result.stdout) };
    } catch {
        return { ok: false, error: "kubectl answered something other than JSON" };
    }
}

async function checkRegion(network: string, region: RegionPreflight, kubectl: Kubectl, podName: () => string, timeoutSeconds: number, progress: Output): Promise<RegionResults> {
    const selector = labelSelector(region.nodeSelector);
    const storage = kubectl([...clusterArgs(region), "get", "storageclass", region.storageClass, "-o", "json"], KUBECTL_GET_TIMEOUT_MS);
    const nodes = kubectl([...clusterArgs(region), "get", "nodes", ...(selector === "" ? [] : ["-l", selector]), "-o", "json"], KUBECTL_GET_TIMEOUT_MS);
    // One probe per ledger, each in its ledger's namespace with its peers (see probePlacement).
    const probes = region.ledgers.map(async (ledger) => {
        const scoped: RegionPreflight = { ...region, peers: region.peers.filter((p) => p.ledger === ledger), unaddressed: region.unaddressed.filter((u) => u.startsWith(`${ledger}/`)) };
        const name = podName();
        const placement = probePlacement(network, ledger);
        progress.write(`preflight: region ${region.region}: probing ${scoped.peers.length} peers of ledger ${ledger} from pod ${name} in context ${region.kubeconfigContext} (the image may take a while to pull)\n`);
        // Every connect and lookup runs in parallel inside the pod; allow for the pull, two timeouts and slack.
        const probeLimitSeconds = POD_RUNNING_TIMEOUT_SECONDS + 2 * timeoutSeconds + 60;
        const probeResult = await kubectl(probeRunArgs(scoped, name, timeoutSeconds, placement), probeLimitSeconds * 1000);
        const lines = parseProbeOutput(probeResult.stdout);
        let failure: string | undefined;
        if (!lines.some((l) => l.kind === "done")) {
            failure = `the probe pod did not finish (${complaint(probeResult, probeLimitSeconds)})`;
            if (probeResult.timedOut) {
                const withKubeconfig = region.kubeconfig === undefined ? "" : " with the region's kubeconfig";
                failure += `; if pod ${name} is left over: kubectl --context ${region.kubeconfigContext} delete pod ${name} --namespace ${placement.namespace}${withKubeconfig}`;
            }
        }
        return probeResults(scoped, lines, timeoutSeconds, failure);
    });
    const [storageResult, nodesResult, ...probed] = await Promise.all([storage, nodes, ...probes]);
    const peerResults = probed.flat();
    const order = (r: { check: string }) => (r.check === "tcp" ? 0 : 1);
    return {
        region: region.region,
        context: region.kubeconfigContext,
        results: [
            ...[...peerResults].sort((a, b) => order(a) - order(b)),
            ...storageClassResults(region.storageClass, answerOf(storageResult)),
            ...ledgerNodeResults(region, answerOf(nodesResult)),
        ],
    };
}

function parseTimeout(value: string): number {
    const seconds = Number(value);
    if (!/^\d+$/.test(value) || !validTimeout(seconds)) {
        throw new InvalidArgumentError(`expected whole seconds from 1 to ${MAX_TIMEOUT_SECONDS}`);
    }
    return seconds;
}

/** Adds `ledgerfleet preflight` to the program; the command's exit code goes to `setExitCode`. */
export function registerPreflightCommand(program: Command, io: { out: Output; err: Output }, setExitCode: (code: number) => void): Command {
    return program
        .command("preflight")
        .description("the cluster prerequisites a network needs but cannot create: print the checks, or make them with --run")
        .requiredOption("--stack <name>", "stack to check (stacks/Pulumi.<name>.yaml)")
        .option("--stacks <dir>", "folder of the stack files (default: the project's stacks/)")
        .option("--run", "make the checks with kubectl (default: only print them, contacting nothing)")
        .option("--timeout <seconds>", "per TCP connection and DNS lookup", parseTimeout, DEFAULT_TIMEOUT_SECONDS)
        .option("--kubectl <path>", "kubectl executable to run", "kubectl")
        .action(async (opts: { stack: string; stacks?: string; run?: boolean; timeout: number; kubectl: string }) => {
            setExitCode(
                await preflight({
                    stack: opts.stack,
                    stacksDir: opts.stacks && path.resolve(opts.stacks),
                    run: opts.run === true,
                    timeoutSeconds: opts.timeout,
                    kubectl: opts.kubectl,
                    out: io.out,
                    err: io.err,
                }),
            );
        });
}
