// The policy pack offline: on the plan's recorded resources (`ledgerfleet plan`), and on plain
// manifest files (`ledgerfleet policy check`), through the same harness the tests use
// (policies/harness.ts), with the standard Pulumi policy config file (`--policy-config`).
import * as fs from "node:fs";
import * as path from "node:path";
import type AjvClass from "ajv";
import type { EnforcementLevel, PolicyPackConfig } from "@pulumi/policy";
import type { Command } from "commander";
import { parseAllDocuments } from "yaml";
import { didYouMean, type KeyPath } from "../config/errors";
import { ConfigError } from "../config/load";
import { readConfigFile } from "../config/read";
import { parseYaml } from "../config/source";
import { ALL_POLICIES, KUBERNETES_POLICIES } from "../policies/all";
import { type HarnessResource, type LedgerfleetPolicy, type PolicyFinding, runPolicies } from "../policies/harness";
import { kubeTypeToken } from "../policies/kube";
import { type Registration, unwrapSecrets } from "./mocks";
import type { PolicyResult } from "./plan-types";

/** A registration as the policy server would show it: inputs with secrets unwrapped. */
export function harnessResources(registrations: readonly Registration[]): HarnessResource[] {
    return registrations.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: unwrapSecrets(r.inputs) as Record<string, unknown>,
        protect: r.protect,
        parent: r.parent,
        provider: r.provider === "" ? undefined : r.provider.slice(0, r.provider.lastIndexOf("::")),
        dependencies: r.dependencies,
        aliases: r.aliases,
    }));
}

/** The pack on the plan's resources: findings grouped by policy (the pack's order), then by resource. */
export async function checkPlan(registrations: readonly Registration[], config: PolicyPackConfig = {}): Promise<PolicyResult[]> {
    return ordered(await runPolicies(ALL_POLICIES, harnessResources(registrations), config), ALL_POLICIES);
}

function ordered(findings: PolicyFinding[], policies: readonly LedgerfleetPolicy[]): PolicyFinding[] {
    const rank = new Map(policies.map((p, i) => [p.name, i]));
    return [...findings].sort((a, b) => (rank.get(a.policy) ?? 0) - (rank.get(b.policy) ?? 0) || a.urn.localeCompare(b.urn));
}

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/**
 * Reads a Pulumi policy config file (`pulumi preview --policy-pack-config` takes the same): JSON (or
 * YAML) mapping a policy name, or `all`, to an enforcement level or to `{ enforcementLevel?, <param>... }`.
 * Unknown policies, levels and parameters, and parameters of the wrong type, are refused with file,
 * line and key path.
 */
export function loadPolicyConfig(file: string, policies: readonly LedgerfleetPolicy[] = ALL_POLICIES): PolicyPackConfig {
    file = path.resolve(file);
    const source = parseYaml(readConfigFile(file, "policy config file"), file);
    if (source.unreadable) throw new ConfigError(source.problems);
    const problems = [...source.problems];
    const at = (keyPath: KeyPath, message: string) => problems.push(source.problemAt(keyPath, message));
    const value = source.value;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        at([], "expected a mapping from policy names (or `all`) to an enforcement level or to { enforcementLevel, parameters }");
        throw new ConfigError(problems);
    }
    const byName = new Map(policies.map((p) => [p.name, p]));
    // Loaded here: a plan without a policy config file pays nothing for a JSON Schema validator.
    const Ajv = (require("ajv") as { default: typeof AjvClass }).default;
    const ajv = new Ajv({ allErrors: true, strict: false });
    const levels = `one of ${LEVELS.filter((l) => l !== "remediate").join(", ")}`;
    const checkLevel = (keyPath: KeyPath, level: unknown) => {
        if (typeof level !== "string" || !LEVELS.includes(level as EnforcementLevel) || level === "remediate") {
            at(keyPath, `expected an enforcement level, ${levels}; found ${JSON.stringify(level)}${level === "remediate" ? " (no ledgerfleet policy remediates)" : ""}`);
        }
    };
    for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
        // Pulumi ESC environments the CLI resolves config from: not a policy, and nothing to check offline.
        if (name === "environments") {
            if (!Array.isArray(entry) || entry.some((e) => typeof e !== "string")) at([name], "expected a list of Pulumi ESC environment names");
            continue;
        }
        const policy = byName.get(name);
        if (name !== "all" && policy === undefined) {
            problems.push(source.problemAt([name], `no policy '${name}' in the ledgerfleet pack${didYouMean(name, [...byName.keys()])}; \`ledgerfleet policy list\` prints them`, "key"));
            continue;
        }
        if (typeof entry === "string") {
            checkLevel([name], entry);
            continue;
        }
        if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
            at([name], `expected an enforcement level (${levels}) or a mapping { enforcementLevel, parameters }`);
            continue;
        }
        const { enforcementLevel, ...params } = entry as Record<string, unknown>;
        if (enforcementLevel !== undefined) checkLevel([name, "enforcementLevel"], enforcementLevel);
        if (policy === undefined) {
            if (Object.keys(params).length > 0) at([name], "`all` takes an enforcement level only");
            continue;
        }
        const properties = policy.configSchema?.properties ?? {};
        for (const key of Object.keys(params)) {
            if (!(key in properties)) {
                const known = Object.keys(properties);
                at([name, key], `policy ${name} has no parameter '${key}'${known.length > 0 ? `; its parameters: ${known.join(", ")}` : "; it takes none"}`);
            }
        }
        const validate = ajv.compile({ type: "object", properties });
        if (!validate(params)) {
            for (const e of validate.errors ?? []) {
                const key = e.instancePath.split("/").filter(Boolean);
                at([name, ...key], `parameter ${key.join(".")} of policy ${name} ${e.message ?? "is invalid"}`);
            }
        }
    }
    if (problems.length > 0) throw new ConfigError(problems);
    const { environments: _environments, ...config } = value as Record<string, unknown>;
    return config as PolicyPackConfig;
}

/** One line per finding, grouped under its policy. */
export function renderFindings(findings: readonly PolicyResult[], nameOf: (urn: string) => string = (u) => u): string[] {
    if (findings.length === 0) return ["  no violations"];
    const lines: string[] = [];
    const byPolicy = new Map<string, PolicyResult[]>();
    for (const f of findings) byPolicy.set(f.policy, [...(byPolicy.get(f.policy) ?? []), f]);
    for (const [policy, list] of byPolicy) {
        lines.push(`  ${policy} (${list[0]?.enforcementLevel ?? "?"}): ${list.length} violation${list.length === 1 ? "" : "s"}`);
        for (const f of list) lines.push(`    ${f.urn === "" ? "(stack)" : nameOf(f.urn)}: ${f.message}`);
    }
    return lines;
}

/** Thrown for a file `policy check` cannot read as Kubernetes manifests (exit 2). */
export class NotAManifest extends Error {}

/** Every object of YAML/JSON manifest files, as the harness takes it (`file#index` names each). */
export function manifestResources(files: readonly string[]): HarnessResource[] {
    return files.flatMap((file) => {
        const text = readConfigFile(path.resolve(file), "manifest file");
        const docs = parseAllDocuments(text);
        const out: HarnessResource[] = [];
        docs.forEach((doc, i) => {
            if (doc.errors.length > 0) throw new NotAManifest(`${file}: not YAML or JSON: ${doc.errors[0]?.message.split("\n")[0] ?? ""}`);
            const items = manifestItems(doc.toJS() as unknown);
            for (const [j, obj] of items.entries()) {
                const where = `${file}#${i + 1}${items.length > 1 ? `.${j + 1}` : ""}`;
                const { apiVersion, kind, metadata } = obj as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
                if (typeof apiVersion !== "string" || typeof kind !== "string" || typeof metadata?.name !== "string") {
                    throw new NotAManifest(`${where}: not a Kubernetes manifest (expected apiVersion, kind and metadata.name)`);
                }
                const ns = typeof metadata.namespace === "string" ? `${metadata.namespace}/` : "";
                out.push({ type: kubeTypeToken(apiVersion, kind), name: `${kind}/${ns}${metadata.name}`, urn: `${where} ${kind}/${ns}${metadata.name}`, props: obj as Record<string, unknown> });
            }
        });
        return out;
    });
}

/** A document's objects: itself, or the items of a `List`; empty documents are skipped. */
function manifestItems(doc: unknown): unknown[] {
    if (doc === null || doc === undefined) return [];
    const list = doc as { kind?: unknown; items?: unknown };
    if (typeof list.kind === "string" && list.kind.endsWith("List") && Array.isArray(list.items)) return list.items;
    return [doc];
}

export async function policyCheck(options: { files: string[]; json: boolean; config?: string; out: (s: string) => void; err: (s: string) => void }): Promise<number> {
    let resources: HarnessResource[];
    let config: PolicyPackConfig = {};
    try {
        if (options.config !== undefined) config = loadPolicyConfig(options.config, KUBERNETES_POLICIES);
        for (const f of options.files) if (!fs.existsSync(f)) throw new NotAManifest(`${f}: no such file`);
        resources = manifestResources(options.files);
    } catch (err) {
        if (err instanceof NotAManifest) {
            options.err(`ledgerfleet policy check: ${err.message}\n`);
            return 2;
        }
        if (err instanceof ConfigError) {
            options.err(`ledgerfleet policy check: ${err.message}\n`);
            return 2;
        }
        throw err;
    }
    const findings = ordered(await runPolicies(KUBERNETES_POLICIES, resources, config), KUBERNETES_POLICIES);
    const mandatory = findings.some((f) => f.enforcementLevel === "mandatory");
    if (options.json) options.out(`${JSON.stringify(findings, null, 2)}\n`);
    else {
        const workloads = resources.length;
        options.out(`ledgerfleet policy check: ${workloads} object${workloads === 1 ? "" : "s"} in ${options.files.length} file${options.files.length === 1 ? "" : "s"}, ${KUBERNETES_POLICIES.length} Kubernetes policies\n`);
        options.out(`${renderFindings(findings).join("\n")}\n`);
        if (!mandatory && findings.length > 0) options.out("advisory findings only: exit 0\n");
    }
    return mandatory ? 1 : 0;
}

export function registerPolicyCommand(program: Command, io: { out: (s: string) => void; err: (s: string) => void }, setExit: (code: number) => void): void {
    const policy = program.command("policy").description("the ledgerfleet policy pack, offline");
    policy
        .command("check")
        .description("run the pack's Kubernetes policies on manifest files (Pods and the pod templates of Deployments, StatefulSets, DaemonSets, Jobs...)")
        .argument("<paths...>", "YAML or JSON manifest files (several documents, or a List, per file)")
        .option("--json", "print the results as policy.json does")
        .option("--policy-config <file>", "a Pulumi policy config file: enforcement levels and parameters")
        .action(async (paths: string[], opts: { json?: boolean; policyConfig?: string }) => {
            setExit(await policyCheck({ files: paths, json: opts.json === true, config: opts.policyConfig, ...io }));
        });
    policy
        .command("list")
        .description("every policy of the pack: id, enforcement level, what it checks")
        .action(() => {
            io.out(`${policyTable(ALL_POLICIES).join("\n")}\n`);
            setExit(0);
        });
}

/** The README's policy table, generated from the policies themselves. */
export function policyTable(policies: readonly LedgerfleetPolicy[]): string[] {
    return [
        "| id | enforcement | what it checks |",
        "|---|---|---|",
        ...policies.map((p) => `| \`${p.name}\` | ${p.enforcementLevel ?? "advisory"} | ${p.description.replace(/\|/g, "\\|")} |`),
    ];
}

