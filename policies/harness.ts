// Runs the pack's policies on plain resource records, building their arguments the way the Pulumi
// policy server does (@pulumi/policy server.ts): one `validateResource` call per resource and policy
// with type, props, urn, name, opts (protect, parent, aliases...) and the provider; one
// `validateStack` call per stack policy over every resource; `notApplicable()` ends a check quietly;
// enforcement levels and parameters come from the policy config. The offline plan, `ledgerfleet
// policy check` and the tests all go through here; `policies/index.ts` hands the same objects to the
// real PolicyPack. Pure: no Pulumi runtime, no gRPC.
import type {
    EnforcementLevel,
    Policy,
    PolicyPackConfig,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";

export type LedgerfleetPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** A resource as the harness takes it: what the engine knows about a registration. */
export interface HarnessResource {
    type: string;
    name: string;
    urn: string;
    /** Inputs (the plan) or the manifest (policy check), secrets unwrapped, as the policy server gives them. */
    props: Record<string, unknown>;
    protect?: boolean;
    /** URN of the parent resource. */
    parent?: string;
    /** URN of the provider resource. */
    provider?: string;
    /** URNs this resource depends on. */
    dependencies?: readonly string[];
    aliases?: readonly string[];
}

export interface PolicyFinding {
    policy: string;
    enforcementLevel: Exclude<EnforcementLevel, "remediate" | "disabled">;
    urn: string;
    message: string;
}

/** Thrown by `notApplicable()`, as the policy server's own NotApplicableError. */
class NotApplicable extends Error {}

/** The resource class a policy may pass to isType/asType: only its Pulumi type token matters. */
function typeToken(resourceClass: unknown): string | undefined {
    const token = (resourceClass as { __pulumiType?: unknown } | null)?.__pulumiType;
    return typeof token === "string" ? token : undefined;
}

function optionsOf(r: HarnessResource): PolicyResourceOptions {
    return {
        protect: r.protect === true,
        ignoreChanges: [],
        aliases: [...(r.aliases ?? [])],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(r.parent === undefined || r.parent === "" ? {} : { parent: r.parent }),
    };
}

/** The level a policy runs at: its config entry, else the config's `all`, else its own, else advisory. */
export function enforcementOf(policy: Policy, config: PolicyPackConfig): EnforcementLevel {
    const entry = config[policy.name] ?? config["all"];
    if (typeof entry === "string") return entry;
    return entry?.enforcementLevel ?? policy.enforcementLevel ?? "advisory";
}

/** A policy's parameters: its schema's defaults, overridden by its config entry. */
function configOf(policy: Policy, config: PolicyPackConfig): Record<string, unknown> {
    const defaults = Object.fromEntries(
        Object.entries(policy.configSchema?.properties ?? {}).flatMap(([k, s]) => ("default" in s ? [[k, (s as { default: unknown }).default]] : [])),
    );
    const entry = config[policy.name];
    const given = typeof entry === "object" && entry !== null ? Object.fromEntries(Object.entries(entry).filter(([k]) => k !== "enforcementLevel")) : {};
    return { ...defaults, ...given };
}

export function isStackPolicy(p: LedgerfleetPolicy): p is StackValidationPolicy {
    return "validateStack" in p;
}

/**
 * Runs `policies` over `resources`. A policy that throws is reported as a failed policy naming the
 * resource (mandatory: a check that cannot run has not passed), never as a crash.
 */
export async function runPolicies(
    policies: readonly LedgerfleetPolicy[],
    resources: readonly HarnessResource[],
    config: PolicyPackConfig = {},
): Promise<PolicyFinding[]> {
    const findings: PolicyFinding[] = [];
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const stackTags: ReadonlyMap<string, string> = new Map();
    const providerOf = (r: HarnessResource) => {
        const p = r.provider === undefined ? undefined : byUrn.get(r.provider);
        return p === undefined ? undefined : { type: p.type, props: p.props, urn: p.urn, name: p.name };
    };
    /** What a resource's validation arguments and its stack-policy view share. */
    const described = (r: HarnessResource) => ({
        type: r.type,
        props: r.props,
        urn: r.urn,
        name: r.name,
        opts: optionsOf(r),
        provider: providerOf(r),
        isType: (cls: unknown) => typeToken(cls) === r.type,
        asType: (cls: unknown) => (typeToken(cls) === r.type ? (r.props as never) : undefined),
    });
    /** The stack policies' view: every resource with its parent and dependencies linked (built once, when needed). */
    let stackResources: PolicyResource[] | undefined;
    const stackView = (): PolicyResource[] => {
        if (stackResources !== undefined) return stackResources;
        const made = new Map<string, PolicyResource>(resources.map((r) => [r.urn, { ...described(r), dependencies: [], propertyDependencies: {} }]));
        for (const r of resources) {
            const m = made.get(r.urn) as PolicyResource;
            const parent = r.parent === undefined ? undefined : made.get(r.parent);
            if (parent !== undefined) m.parent = parent;
            m.dependencies = (r.dependencies ?? []).flatMap((u) => made.get(u) ?? []);
        }
        return (stackResources = [...made.values()]);
    };

    // The policy running now: every argument object reads its parameters from here, so one argument
    // object per resource serves every policy (a large plan has thousands of resources).
    let params: Record<string, unknown> = {};
    const getConfig = <T extends object>(): T => params as T;
    const notApplicable = (reason?: string): never => {
        throw new NotApplicable(reason);
    };
    const resourceArgs: ResourceValidationArgs[] = resources.map((r) => ({ ...described(r), stackTags, getConfig, notApplicable }));
    for (const policy of policies) {
        const level = enforcementOf(policy, config);
        if (level === "disabled") continue;
        const enforcementLevel = level === "mandatory" ? "mandatory" : "advisory";
        params = configOf(policy, config);
        const report = (fallbackUrn: string) => (message: string, urn?: string) => {
            findings.push({ policy: policy.name, enforcementLevel, urn: urn ?? fallbackUrn, message });
        };
        const failed = (urn: string, err: unknown) => {
            if (err instanceof NotApplicable) return;
            const why = err instanceof Error ? err.message : String(err);
            findings.push({ policy: policy.name, enforcementLevel: "mandatory", urn, message: `the policy failed on this resource: ${why}` });
        };
        if (isStackPolicy(policy)) {
            const args: StackValidationArgs = { resources: stackView(), stackTags, getConfig, notApplicable };
            try {
                await policy.validateStack(args, report(""));
            } catch (err) {
                failed("", err);
            }
            continue;
        }
        const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
        for (const args of resourceArgs) {
            const reportHere = report(args.urn);
            for (const validate of validations) {
                try {
                    // Awaited only when the policy is async: most are not, and an await per call adds up.
                    const done = validate(args, reportHere);
                    if (done !== undefined) await done;
                } catch (err) {
                    failed(args.urn, err);
                }
            }
        }
    }
    return findings;
}
