// `ledgerfleet preflight`, the pure part: which checks each region of a stack needs, how they read
// offline, what the probe pod and kubectl answered, and the table of results. No I/O here.
import { canonicalIp, isIpAddress } from "../config/addresses";
import { nodeDnsName } from "../config/names";
import { isInlineKubeconfig } from "../config/network";
import type { DeployTarget, NetworkConfig } from "../config/schema";

/** Besu's P2P port (TCP; discovery is off), where every peer dials every other. */
export const P2P_PORT = 30303;

/** One node every pod of a region must reach: its static address and port, and its name for people. */
export interface PeerTarget {
    readonly ledger: string;
    readonly node: string;
    /** Region the node runs in. */
    readonly region: string;
    /** Canonical IP (the node's `address:`). */
    readonly ip: string;
    readonly port: number;
    /** `<ledger>-<node>.<region>.<domain>`: for people and tools, never in a peer list. */
    readonly dnsName: string;
}

export interface RegionPreflight {
    readonly region: string;
    readonly kubeconfigContext: string;
    /** kubeconfig file, or its contents (as the Kubernetes provider takes them); kubectl's default when absent. */
    readonly kubeconfig?: string;
    /** Image of the probe pod: the first hosted ledger's Besu image, already trusted and pulled there. */
    readonly image: string;
    /** Ledgers with a node in this region, in file order. */
    readonly ledgers: readonly string[];
    /** Every node of those ledgers, in every region (this one included: hairpin through the LoadBalancer). */
    readonly peers: readonly PeerTarget[];
    /** `ledger/node` of peers without an address in the file (none can be checked). */
    readonly unaddressed: readonly string[];
    readonly storageClass: string;
    readonly nodeSelector: Readonly<Record<string, string>>;
    /** Ledger pods of one ledger need distinct machines: the region's largest ledger sets the minimum. */
    readonly machines: { readonly required: number; readonly ledger: string };
}

export interface PreflightPlan {
    readonly network: string;
    readonly deploy: DeployTarget;
    readonly regions: readonly RegionPreflight[];
    /** Regions the stack deploys that have nothing preflight can check, and why. */
    readonly skipped: readonly { readonly region: string; readonly reason: string }[];
}

export function planPreflight(network: NetworkConfig, deploy: DeployTarget): PreflightPlan {
    const ids = deploy.kind === "all" ? Object.keys(network.regions) : deploy.kind === "region" ? [deploy.region] : [];
    const regions: RegionPreflight[] = [];
    const skipped: { region: string; reason: string }[] = [];
    for (const id of ids) {
        const region = network.regions[id];
        if (region === undefined) throw new Error(`internal: deploy target names region '${id}', which the network does not define`);
        const hosted = Object.entries(network.ledgers).filter(([, l]) => l.nodes.some((n) => n.region === id));
        if (region.cloud !== "existing") {
            skipped.push({ region: id, reason: `a ${region.cloud} region: the program builds its cluster, there is no cluster to check beforehand` });
            continue;
        }
        if (hosted.length === 0) {
            skipped.push({ region: id, reason: "hosts no ledger node: nothing to check" });
            continue;
        }
        const peers: PeerTarget[] = [];
        const unaddressed: string[] = [];
        let machines = { required: 0, ledger: "" };
        for (const [ledger, l] of hosted) {
            for (const n of l.nodes) {
                if (n.address === undefined || !isIpAddress(n.address)) unaddressed.push(`${ledger}/${n.name}`);
                else peers.push({ ledger, node: n.name, region: n.region, ip: canonicalIp(n.address), port: P2P_PORT, dnsName: nodeDnsName(ledger, n.name, n.region, network.domain) });
            }
            const here = l.nodes.filter((n) => n.region === id).length;
            if (here > machines.required) machines = { required: here, ledger };
        }
        regions.push({
            region: id,
            kubeconfigContext: region.kubeconfigContext,
            ...(region.kubeconfig === undefined ? {} : { kubeconfig: region.kubeconfig }),
            image: hosted[0][1].image,
            ledgers: hosted.map(([ledger]) => ledger),
            peers,
            unaddressed,
            storageClass: region.storageClass,
            nodeSelector: region.ledgerNodeSelector,
            machines,
        });
    }
    return { network: network.name, deploy, regions, skipped };
}


/** A peer in a cloud region: its address exists once the global stack reserves it, not in the file. */
const UNADDRESSED = "not checked: a cloud node, whose static address the global stack reserves (`pulumi stack output addresses`)";

/** `k=v,k2=v2`, as `kubectl get -l` takes it; "" selects every node. */
export function labelSelector(labels: Readonly<Record<string, string>>): string {
    return Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
}

/** The probe's arguments: the timeout, then `ip port name` per peer (see PROBE_SCRIPT). */
export function probeArguments(region: RegionPreflight, timeoutSeconds: number): string[] {
    return [String(timeoutSeconds), ...region.peers.flatMap((p) => [p.ip, String(p.port), p.dnsName])];
}

export function hostPort(ip: string, port: number): string {
    return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function deployText(deploy: DeployTarget): string {
    return deploy.kind === "region" ? `region:${deploy.region}` : deploy.kind;
}

function nodesText(n: number): string {
    return `${n} node${n === 1 ? "" : "s"}`;
}

/** Columns padded to their widest cell; the last column runs free. */
export function table(rows: readonly (readonly string[])[], indent = "  "): string {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (i === r.length - 1 ? 0 : r[i].length))));
    return rows.map((r) => indent + r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ").trimEnd()).join("\n") + "\n";
}

function header(plan: PreflightPlan, stack: string): string {
    const n = plan.regions.length;
    return `ledgerfleet preflight: stack ${stack}, network ${plan.network}, deploy ${deployText(plan.deploy)}: ${n} region${n === 1 ? "" : "s"} to check\n`;
}

function nothingToCheck(plan: PreflightPlan): string {
    const lines = plan.skipped.map((s) => `region ${s.region}: ${s.reason}\n`);
    if (plan.deploy.kind === "global") {
        lines.push("This stack deploys the network's identities (deploy global) and no region, so it has no cluster to check: run preflight on the stacks that deploy regions.\n");
    }
    return lines.join("");
}

/** What `--run` would check, region by region. Nothing is contacted to write it. */
export function renderPlan(plan: PreflightPlan, stack: string, timeoutSeconds: number): string {
    let text = header(plan, stack) + nothingToCheck(plan);
    if (plan.regions.length === 0) return text;
    text +=
        `Offline: nothing was contacted. \`ledgerfleet preflight --stack ${stack} --run\` makes these checks with kubectl.\n` +
        "A peer accepts connections only once its node is deployed and its P2P Service holds its address.\n";
    for (const r of plan.regions) {
        text += `\nregion ${r.region}: cluster context ${r.kubeconfigContext}${kubeconfigText(r.kubeconfig)}, ledgers ${r.ledgers.join(", ")}\n`;
        text += `  from inside cluster ${r.kubeconfigContext}, one pod per ledger in the ledger's namespace, labelled as one of its pods (so its NetworkPolicies admit it as a peer), running ${r.image}:\n`;
        const rows: string[][] = [["CHECK", "TARGET", "REQUIREMENT"]];
        for (const p of r.peers) rows.push(["tcp", hostPort(p.ip, p.port), `${p.ledger}/${p.node} (region ${p.region}) accepts a TCP connection within ${timeoutSeconds}s`]);
        for (const u of r.unaddressed) rows.push(["tcp", u, UNADDRESSED]);
        for (const p of r.peers) rows.push(["dns", p.dnsName, `resolves to ${p.ip} (advisory)`]);
        text += table(rows, "    ");
        text += "    (dns is advisory: names are for people and never in a peer list, so an unresolved name is a warning, not a failure)\n";
        text += "  cluster:\n";
        text += table(
            [
                ["CHECK", "TARGET", "REQUIREMENT"],
                ["storage class", r.storageClass, "exists, reclaimPolicy Retain, allowVolumeExpansion true"],
                ["ledger nodes", selectorText(r.nodeSelector), `at least ${r.machines.required} Ready, schedulable (${machinesWhy(r)})`],
            ],
            "    ",
        );
    }
    return text;
}

/** Where the kubeconfig comes from; contents given inline (credentials) are never printed. */
function kubeconfigText(kubeconfig: string | undefined): string {
    if (kubeconfig === undefined) return "";
    return isInlineKubeconfig(kubeconfig) ? " (kubeconfig given inline)" : ` (kubeconfig ${kubeconfig})`;
}

function selectorText(labels: Readonly<Record<string, string>>): string {
    return labelSelector(labels) || "(any node)";
}

function machinesWhy(r: RegionPreflight): string {
    return `ledger ${r.machines.ledger} has ${nodesText(r.machines.required)} here; pods of one ledger need distinct machines`;
}

// ---- results ----

export type Status = "ok" | "FAIL" | "warn";

export interface CheckResult {
    readonly check: string;
    readonly target: string;
    readonly status: Status;
    readonly detail: string;
}

export interface RegionResults {
    readonly region: string;
    readonly context: string;
    readonly results: readonly CheckResult[];
}

export type ProbeLine =
    | { readonly kind: "tcp"; readonly ok: boolean; readonly ip: string; readonly port: number; readonly reason: string }
    | { readonly kind: "dns"; readonly ok: boolean; readonly name: string; readonly addresses: readonly string[]; readonly reason: string }
    | { readonly kind: "done"; readonly count: number }
    | { readonly kind: "error"; readonly message: string };

/** The probe's lines, as PROBE_SCRIPT prints them; anything else (kubectl's own chatter) is ignored. */
export function parseProbeOutput(text: string): ProbeLine[] {
    const lines: ProbeLine[] = [];
    for (const raw of text.split(/\r?\n/)) {
        const words = raw.trim().split(/\s+/);
        const rest = words.slice(4).join(" ");
        if (words[0] === "tcp" && (words[1] === "ok" || words[1] === "fail") && words.length >= 4 && /^\d+$/.test(words[3])) {
            lines.push({ kind: "tcp", ok: words[1] === "ok", ip: words[2], port: Number(words[3]), reason: rest });
        } else if (words[0] === "dns" && words[1] === "ok" && words.length >= 4) {
            lines.push({ kind: "dns", ok: true, name: words[2], addresses: words[3].split(",").filter((a) => a !== "" && a !== "?"), reason: "" });
        } else if (words[0] === "dns" && words[1] === "fail" && words.length >= 3) {
            lines.push({ kind: "dns", ok: false, name: words[2], addresses: [], reason: words.slice(3).join(" ") });
        } else if (words[0] === "probe" && words[1] === "done" && /^\d+$/.test(words[2] ?? "")) {
            lines.push({ kind: "done", count: Number(words[2]) });
        } else if (words[0] === "probe" && words[1] === "error") {
            lines.push({ kind: "error", message: words.slice(2).join(" ") });
        }
    }
    return lines;
}

function sameIp(a: string, b: string): boolean {
    return isIpAddress(a) && isIpAddress(b) && canonicalIp(a) === canonicalIp(b);
}

function tcpFailure(reason: string, p: PeerTarget, timeoutSeconds: number): string {
    const word = reason.split(" ")[0];
    if (word === "timeout") {
        return `no answer within ${timeoutSeconds}s: a firewall drops TCP ${p.port} on the way, the address is not routed from this cluster, or no LoadBalancer holds it (is ${p.ledger}/${p.node} deployed?)`;
    }
    if (word === "refused") {
        return `connection refused: ${p.ip} is reached but nothing accepts on ${p.port} (${p.ledger}/${p.node} not running yet, or its P2P Service does not hold this address)`;
    }
    if (word === "unreachable") return `no route to ${p.ip} from this cluster: routing between sites, or the address is not announced by a LoadBalancer`;
    if (word === "invalid-target") return "the probe rejected the address or port";
    return reason.replace(/^error /, "") || "failed";
}

/**
 * The probe's verdict on every peer of a region. `failure` says why the pod did not finish (kubectl's
 * error); a peer the probe never answered for fails with it. DNS is advisory: a miss is a warning.
 */
export function probeResults(region: RegionPreflight, lines: readonly ProbeLine[], timeoutSeconds: number, failure?: string): CheckResult[] {
    const error = lines.find((l) => l.kind === "error");
    const missing = failure ?? (error?.kind === "error" ? `probe error: ${error.message}` : "the probe ended before checking it");
    const results: CheckResult[] = [];
    for (const p of region.peers) {
        const target = `${hostPort(p.ip, p.port)} ${p.ledger}/${p.node}`;
        const line = lines.find((l) => l.kind === "tcp" && l.port === p.port && sameIp(l.ip, p.ip));
        if (line?.kind !== "tcp") results.push({ check: "tcp", target, status: "FAIL", detail: `not checked: ${missing}` });
        else if (line.ok) results.push({ check: "tcp", target, status: "ok", detail: `connected (region ${p.region})` });
        else results.push({ check: "tcp", target, status: "FAIL", detail: tcpFailure(line.reason, p, timeoutSeconds) });
    }
    for (const u of region.unaddressed) results.push({ check: "tcp", target: u, status: "warn", detail: UNADDRESSED });
    for (const p of region.peers) {
        const line = lines.find((l) => l.kind === "dns" && l.name === p.dnsName);
        const advisory = "(advisory: peers connect by address)";
        if (line?.kind !== "dns") results.push({ check: "dns", target: p.dnsName, status: "warn", detail: `not checked: ${missing}` });
        else if (!line.ok) results.push({ check: "dns", target: p.dnsName, status: "warn", detail: `does not resolve${line.reason === "timeout" ? ` within ${timeoutSeconds}s` : ""} ${advisory}` });
        else if (!line.addresses.some((a) => sameIp(a, p.ip))) {
            results.push({ check: "dns", target: p.dnsName, status: "warn", detail: `resolves to ${line.addresses.join(", ") || "no address"}, not to the node's address ${p.ip} ${advisory}` });
        } else results.push({ check: "dns", target: p.dnsName, status: "ok", detail: `resolves to ${line.addresses.join(", ")}` });
    }
    return results;
}

/** What kubectl answered: its JSON, or why there is none. */
export type KubectlAnswer = { readonly ok: true; readonly json: unknown } | { readonly ok: false; readonly error: string };

type Json = Record<string, unknown>;
const object = (v: unknown): Json => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});

export function storageClassResults(name: string, answer: KubectlAnswer): CheckResult[] {
    const check = "storage class";
    if (!answer.ok) {
        const detail = /NotFound|not found/.test(answer.error)
            ? `does not exist in this cluster: create it (reclaimPolicy: Retain, allowVolumeExpansion: true) or name another in the region's storageClass`
            : `kubectl could not read it: ${answer.error}`;
        return [{ check, target: name, status: "FAIL", detail }];
    }
    const sc = object(answer.json);
    // Kubernetes' defaults when a field is left out: Delete, and no expansion.
    const reclaim = typeof sc.reclaimPolicy === "string" ? sc.reclaimPolicy : "Delete";
    const expansion = sc.allowVolumeExpansion === true;
    return [
        { check, target: name, status: "ok", detail: `exists (provisioner ${String(sc.provisioner ?? "unknown")})` },
        reclaim === "Retain"
            ? { check: "reclaimPolicy", target: name, status: "ok", detail: "Retain" }
            : { check: "reclaimPolicy", target: name, status: "FAIL", detail: `${reclaim}, not Retain: deleting a node's volume claim would delete its chain data with it` },
        expansion
            ? { check: "volume expansion", target: name, status: "ok", detail: "allowVolumeExpansion true" }
            : { check: "volume expansion", target: name, status: "FAIL", detail: `allowVolumeExpansion ${sc.allowVolumeExpansion === undefined ? "unset (false)" : String(sc.allowVolumeExpansion)}: a full data volume could not be grown in place` },
    ];
}

/** Ready, schedulable nodes carrying the region's ledger labels, against the most any one ledger needs. */
export function ledgerNodeResults(region: RegionPreflight, answer: KubectlAnswer): CheckResult[] {
    const target = selectorText(region.nodeSelector);
    if (!answer.ok) return [{ check: "ledger nodes", target, status: "FAIL", detail: `kubectl could not list them: ${answer.error}` }];
    const items = Array.isArray(object(answer.json).items) ? (object(answer.json).items as unknown[]) : [];
    let usable = 0;
    let notReady = 0;
    let cordoned = 0;
    for (const item of items) {
        const conditions = object(object(item).status).conditions;
        const ready = Array.isArray(conditions) && conditions.some((c) => object(c).type === "Ready" && object(c).status === "True");
        const unschedulable = object(object(item).spec).unschedulable === true;
        if (!ready) notReady++;
        else if (unschedulable) cordoned++;
        else usable++;
    }
    const others = [notReady > 0 ? `${notReady} not Ready` : "", cordoned > 0 ? `${cordoned} cordoned` : ""].filter((s) => s !== "").join(", ");
    const found = `${usable} Ready, schedulable${others === "" ? "" : ` (and ${others})`}`;
    if (usable >= region.machines.required) return [{ check: "ledger nodes", target, status: "ok", detail: `${found}; ${machinesWhy(region)}` }];
    return [{ check: "ledger nodes", target, status: "FAIL", detail: `${found}, need ${region.machines.required}: ${machinesWhy(region)}; label ${region.machines.required - usable} more with ${target}` }];
}

export function preflightExitCode(regions: readonly RegionResults[]): 0 | 1 {
    return regions.some((r) => r.results.some((c) => c.status === "FAIL")) ? 1 : 0;
}

/** The results, one table per region, and a closing verdict. */
export function renderResults(plan: PreflightPlan, stack: string, regions: readonly RegionResults[]): string {
    let text = header(plan, stack) + nothingToCheck(plan);
    const count = (s: Status) => regions.reduce((n, r) => n + r.results.filter((c) => c.status === s).length, 0);
    for (const r of regions) {
        text += `\nregion ${r.region} (context ${r.context})\n`;
        text += table([["CHECK", "TARGET", "RESULT"], ...r.results.map((c) => [c.check, c.target, `${c.status}${c.detail === "" ? "" : `: ${c.detail}`}`])]);
    }
    const failed = count("FAIL");
    const verdict = failed > 0 ? "fix the failures first: each one can keep the network from forming or lose a node's data" : "every mandatory check passed";
    text += `\n${failed} failed, ${count("warn")} warnings, ${count("ok")} ok: ${verdict}.\n`;
    return text;
}
