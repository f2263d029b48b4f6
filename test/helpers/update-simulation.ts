// What `pulumi up` would do to a running network when its config changes, simulated from two plans
// of the program: each resource's step (same, create, update, replace, delete) from the Kubernetes
// provider's diff rules, the engine's parallel execution over the recorded dependency graph, and
// what each step does to the ledger's pods.
//
// The replacement rules are the Kubernetes provider's own (pulumi-kubernetes v4.32.0,
// provider/pkg/provider/diff.go, read 2026-11-25): any change at or below these paths replaces the
// object; everything else is an in-place update. A StatefulSet's pod restarts when the StatefulSet is
// replaced, or when its pod template changes under updateStrategy RollingUpdate (the default); under
// OnDelete a template change only marks the pod outdated (the controller leaves it running).
import { isDeepStrictEqual } from "node:util";
import { type Registration, unwrapSecrets } from "../../cli/mocks";

const FORCE_NEW: Readonly<Record<string, readonly string[]>> = {
    "kubernetes:apps/v1:StatefulSet": ["spec.podManagementPolicy", "spec.revisionHistoryLimit", "spec.selector", "spec.serviceName", "spec.volumeClaimTemplates"],
    "kubernetes:core/v1:Service": ["spec.clusterIP"],
    "kubernetes:core/v1:PersistentVolumeClaim": ["spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"],
    "kubernetes:core/v1:Secret": ["type", "data", "stringData"],
    "random:index/randomBytes:RandomBytes": ["length"],
};
const ALWAYS = ["metadata.name", "metadata.namespace"];

export type StepKind = "same" | "create" | "update" | "replace" | "delete";

export interface ResourceStep {
    urn: string;
    type: string;
    kind: StepKind;
    /** Changed input paths (dot-separated, top two levels deep). */
    changed: string[];
    /** When it runs: 0 for steps that wait for no other changed resource, else one more than its latest dependency. */
    level: number;
}

export interface PodEffect {
    ledger: string;
    node: string;
    region: string;
    role: string;
    effect: "restart" | "outdated" | "start";
    level: number;
}

export interface UpdateSimulation {
    steps: ResourceStep[];
    /** Steps the engine refuses: a protected resource replaced or deleted (preview fails). */
    refused: string[];
    pods: PodEffect[];
}

function at(value: unknown, path: string): unknown {
    return path.split(".").reduce<unknown>((cur, k) => (cur !== null && typeof cur === "object" ? (cur as Record<string, unknown>)[k] : undefined), value);
}

/** Paths (two levels deep) whose values differ. */
function changedPaths(a: unknown, b: unknown, prefix = "", depth = 0): string[] {
    if (isDeepStrictEqual(a, b)) return [];
    const objects = a !== null && b !== null && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b);
    if (!objects || depth >= 2) return [prefix || "(root)"];
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
    return [...keys].flatMap((k) => changedPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k, depth + 1));
}

function forcesReplacement(type: string, oldInputs: unknown, newInputs: unknown, configMapsMutable: boolean): boolean {
    const paths = [...ALWAYS, ...(FORCE_NEW[type] ?? [])];
    if (type === "kubernetes:core/v1:ConfigMap" && (!configMapsMutable || at(newInputs, "immutable") === true)) paths.push("data", "binaryData");
    return paths.some((p) => !isDeepStrictEqual(at(oldInputs, p), at(newInputs, p)));
}

export function simulateUpdate(before: readonly Registration[], after: readonly Registration[]): UpdateSimulation {
    const old = new Map(before.map((r) => [r.urn, r]));
    const now = new Map(after.map((r) => [r.urn, r]));
    // The region providers set enableConfigMapMutable; without it any ConfigMap data change replaces.
    const configMapsMutable = after.filter((r) => r.type === "pulumi:providers:kubernetes").every((p) => unwrapSecrets(p.inputs["enableConfigMapMutable"]) === true || p.inputs["enableConfigMapMutable"] === "true");
    const kinds = new Map<string, { kind: StepKind; changed: string[] }>();
    for (const r of after) {
        const o = old.get(r.urn);
        if (o === undefined) {
            kinds.set(r.urn, { kind: "create", changed: [] });
            continue;
        }
        const a = unwrapSecrets(o.inputs);
        const b = unwrapSecrets(r.inputs);
        const changed = changedPaths(a, b);
        kinds.set(r.urn, { kind: changed.length === 0 ? "same" : forcesReplacement(r.type, a, b, configMapsMutable) ? "replace" : "update", changed });
    }
    for (const r of before) if (!now.has(r.urn)) kinds.set(r.urn, { kind: "delete", changed: [] });

    const levels = new Map<string, number>();
    const levelOf = (urn: string, seen: Set<string> = new Set()): number => {
        const known = levels.get(urn);
        if (known !== undefined) return known;
        if (seen.has(urn)) throw new Error(`dependency cycle through ${urn}`);
        seen.add(urn);
        const deps = (now.get(urn) ?? old.get(urn))?.dependencies ?? [];
        const changedDeps = deps.filter((d) => (kinds.get(d)?.kind ?? "same") !== "same");
        const level = changedDeps.length === 0 ? 0 : 1 + Math.max(...changedDeps.map((d) => levelOf(d, seen)));
        levels.set(urn, level);
        return level;
    };

    const steps: ResourceStep[] = [...kinds].map(([urn, k]) => ({ urn, type: (now.get(urn) ?? old.get(urn))?.type ?? "", ...k, level: levelOf(urn) }));
    const refused = steps
        .filter((s) => (s.kind === "replace" || s.kind === "delete") && old.get(s.urn)?.protect === true)
        .map((s) => `${s.kind} of protected ${s.urn}`);

    const pods: PodEffect[] = [];
    for (const s of steps.filter((x) => x.type === "kubernetes:apps/v1:StatefulSet")) {
        const r = now.get(s.urn) ?? old.get(s.urn);
        const labels = (at(unwrapSecrets(r?.inputs), "metadata.labels") ?? {}) as Record<string, string>;
        const who = { ledger: labels["ledgerfleet.io/ledger"] ?? "", node: String(at(unwrapSecrets(r?.inputs), "metadata.name")), region: labels["ledgerfleet.io/region"] ?? "", role: labels["ledgerfleet.io/role"] ?? "", level: s.level };
        const template = s.changed.some((p) => p === "spec.template" || p.startsWith("spec.template."));
        const strategy = at(unwrapSecrets(r?.inputs), "spec.updateStrategy.type") ?? "RollingUpdate";
        if (s.kind === "create") pods.push({ ...who, effect: "start" });
        else if (s.kind === "replace" || s.kind === "delete") pods.push({ ...who, effect: "restart" });
        else if (s.kind === "update" && template) pods.push({ ...who, effect: strategy === "OnDelete" ? "outdated" : "restart" });
    }
    // A replaced namespace takes every pod in it down.
    for (const s of steps.filter((x) => x.type === "kubernetes:core/v1:Namespace" && (x.kind === "replace" || x.kind === "delete"))) {
        pods.push({ ledger: "*", node: "*", region: "*", role: "validator", effect: "restart", level: s.level });
    }
    return { steps, refused, pods };
}

/**
 * The most validators of one ledger the update has down at once. Steps of one level run in parallel,
 * and a StatefulSet whose await is skipped lets the next level start before its pod is back: so the
 * restarts of the whole update are counted as simultaneous (the worst case).
 */
export function maxValidatorsDownAtOnce(sim: UpdateSimulation, ledger: string): number {
    return sim.pods.filter((p) => p.effect === "restart" && p.role === "validator" && (p.ledger === ledger || p.ledger === "*")).length;
}
