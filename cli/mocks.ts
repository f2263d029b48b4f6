// The one Pulumi mocks module: `ledgerfleet plan` and every test run the real program through it.
// It records each registration (type, name, parent, provider, protect, inputs with secrets still
// marked) and answers with realistic, deterministic outputs. Invokes it does not know throw, so a
// new data-source call cannot pass unnoticed.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/** Marker Pulumi's RPC layer uses for secret values (see @pulumi/pulumi runtime/rpc). */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export const REDACTED = "[secret]";

export interface Registration {
    urn: string;
    type: string;
    name: string;
    /** URN of the parent; "" for the stack itself. */
    parent: string;
    /** Provider reference (`<urn>::<id>`), "" when none. */
    provider: string;
    custom: boolean;
    protect: boolean;
    /** Left in the cluster if Pulumi deletes it. */
    retainOnDelete: boolean;
    /** URNs this resource waits for: dependsOn and the resources behind its input Outputs. */
    dependencies: string[];
    /** Names of the resource's own aliases (the engine carries a parent's alias down to its children). */
    aliases: string[];
    /** Inputs as the engine received them, secrets still wrapped (see `redactSecrets`). */
    inputs: Record<string, unknown>;
}

/**
 * Deterministic stand-in for `random.RandomBytes` in plan mode. Derived from the resource name so
 * every run (and every region stack) sees the same key; never used by a real deployment.
 */
export function placeholderBytes(resourceName: string, length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let block = 0; block * 32 < length; block++) {
        createHash("sha256")
            .update(`ledgerfleet plan placeholder, not a real key: ${resourceName}#${block}`)
            .digest()
            .copy(out, block * 32);
    }
    return out;
}

/** The address a LoadBalancer Service requests: spec.loadBalancerIP or an implementation's annotation. */
function requestedAddress(inputs: Record<string, unknown>): string | undefined {
    const spec = (inputs["spec"] ?? {}) as Record<string, unknown>;
    if (typeof spec["loadBalancerIP"] === "string") return spec["loadBalancerIP"];
    const annotations = ((inputs["metadata"] ?? {}) as { annotations?: Record<string, unknown> }).annotations ?? {};
    const requested = Object.entries(annotations).find(([k]) => /loadBalancerIPs$|lbipam\.cilium\.io\/ips$/i.test(k))?.[1];
    return typeof requested === "string" ? requested : undefined;
}

/** The organization `ledgerfleet plan` runs stacks under, as Pulumi's self-managed backends name it. */
export const PLAN_ORGANIZATION = "organization";

export interface MocksOptions {
    /** Outputs served to `pulumi.StackReference` by stack name (`org/project/stack`). */
    stackOutputs?: Record<string, Record<string, unknown>>;
}

export class LedgerfleetMocks implements pulumi.runtime.Mocks {
    readonly registrations: Registration[] = [];
    /** Calls the program has made to the monitor so far (registrations, reads, outputs). */
    monitorCalls = 0;
    /** Stack outputs as registered, secrets still wrapped. */
    stackOutputs: Record<string, unknown> = {};
    private readonly pending = new Map<string, Omit<Registration, "urn">>();
    private lbCounter = 0;

    constructor(private readonly options: MocksOptions = {}) {}

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        throw new Error(
            `ledgerfleet mocks: no mock for invoke '${args.token}'. Add a realistic answer to cli/mocks.ts ` +
                "so the offline plan stays faithful to what the program does.",
        );
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
        const id = `mocked::${args.type}::${args.name}`;
        const inputs = unwrapSecrets(args.inputs) as Record<string, unknown>;
        let state: Record<string, unknown> = { ...inputs };
        switch (args.type) {
            case "random:index/randomBytes:RandomBytes": {
                const length = Number(inputs["length"]);
                const bytes = placeholderBytes(args.name, length);
                state = { ...inputs, hex: bytes.toString("hex"), base64: bytes.toString("base64") };
                break;
            }
            case "pulumi:pulumi:StackReference": {
                const stackName = String(inputs["name"]);
                const outputs = this.options.stackOutputs?.[stackName];
                if (outputs === undefined) {
                    throw new Error(`ledgerfleet mocks: no outputs known for stack reference '${stackName}'`);
                }
                state = { name: stackName, outputs, secretOutputNames: [] };
                break;
            }
            case "kubernetes:core/v1:Service": {
                const spec = (inputs["spec"] ?? {}) as Record<string, unknown>;
                if (spec["type"] === "LoadBalancer") {
                    // The address the Service asks for, as the cluster's load balancer would grant it;
                    // else one from TEST-NET-3 (RFC 5737), obviously not a real address.
                    const ip = requestedAddress(inputs) ?? `203.0.113.${++this.lbCounter}`;
                    state = { ...inputs, status: { loadBalancer: { ingress: [{ ip }] } } };
                }
                break;
            }
        }
        return { id, state };
    }

    /** Called by `install` for every registration, before `newResource`. */
    notePending(key: string, reg: Omit<Registration, "urn">): void {
        this.pending.set(key, reg);
    }

    noteRegistered(key: string, urn: string): void {
        const reg = this.pending.get(key);
        if (reg === undefined) return;
        this.pending.delete(key);
        this.registrations.push({ ...reg, urn });
    }

    /** Registrations of one type token, in registration order. */
    ofType(type: string): Registration[] {
        return this.registrations.filter((r) => r.type === type);
    }
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getProvider(): string;
    getCustom(): boolean;
    getProtect?(): boolean;
    getRetainondelete?(): boolean | undefined;
    getDependenciesList(): string[];
    getAliasesList(): { getSpec(): { getName(): string } | undefined; getUrn(): string }[];
    getObject(): { toJavaScript(): Record<string, unknown> };
}
interface ReadRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getProvider(): string;
    getProperties(): { toJavaScript(): Record<string, unknown> };
}
interface RegisterResponse {
    getUrn(): string;
}
interface OutputsRequest {
    getUrn(): string;
    getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined;
}
type MonitorCall<Req> = (req: Req, cb: (err: unknown, res?: RegisterResponse) => void) => Promise<void>;
interface PatchableMonitor {
    registerResource: MonitorCall<RegisterRequest>;
    readResource: MonitorCall<ReadRequest>;
    registerResourceOutputs(req: OutputsRequest, cb: (err: unknown, res?: unknown) => void): void;
}

/**
 * Installs the mocks as Pulumi's engine for this process and wires the recorder into the mock
 * monitor, which alone sees each registration's parent and protect flag.
 */
export async function installMocks(
    mocks: LedgerfleetMocks,
    project: string,
    stack: string,
    config: Record<string, string> = {},
    secretKeys: readonly string[] = [],
): Promise<void> {
    await pulumi.runtime.setMocks(mocks, project, stack, false, PLAN_ORGANIZATION);
    pulumi.runtime.setAllConfig(config, [...secretKeys]);
    const monitor = pulumi.runtime.getMonitor() as unknown as PatchableMonitor;
    let seq = 0;
    /** Wraps one monitor call so the registration it makes is recorded with its URN. */
    const recording = <Req>(call: MonitorCall<Req>, describe: (req: Req) => Omit<Registration, "urn">): MonitorCall<Req> =>
        (req, cb) => {
            mocks.monitorCalls++;
            const key = `${++seq}`;
            mocks.notePending(key, describe(req));
            return call(req, (err, res) => {
                if (!err && res) mocks.noteRegistered(key, res.getUrn());
                cb(err, res);
            });
        };
    monitor.registerResource = recording(monitor.registerResource.bind(monitor), (req) => ({
        type: req.getType(),
        name: req.getName(),
        parent: req.getParent(),
        provider: req.getProvider(),
        custom: req.getCustom(),
        protect: req.getProtect?.() ?? false,
        retainOnDelete: req.getRetainondelete?.() ?? false,
        dependencies: [...new Set(req.getDependenciesList())].sort(),
        aliases: req.getAliasesList().map((a) => a.getSpec()?.getName() || a.getUrn()).filter((a) => a !== ""),
        inputs: req.getObject().toJavaScript(),
    }));
    // Reads (StackReference, `get` functions) are registrations too: the plan lists them.
    monitor.readResource = recording(monitor.readResource.bind(monitor), (req) => ({
        type: req.getType(),
        name: req.getName(),
        parent: req.getParent(),
        provider: req.getProvider(),
        custom: true,
        protect: false,
        retainOnDelete: false,
        dependencies: [],
        aliases: [],
        inputs: req.getProperties().toJavaScript(),
    }));
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, cb) => {
        mocks.monitorCalls++;
        if (req.getUrn().endsWith(`::${project}-${stack}`) && req.getUrn().includes("pulumi:pulumi:Stack")) {
            mocks.stackOutputs = req.getOutputs()?.toJavaScript() ?? {};
        }
        registerOutputs(req, cb);
    };
}

export function isSecretValue(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

/** Replaces every secret value with "[secret]" (what plan.json and manifests show). */
export function redactSecrets(value: unknown): unknown {
    if (isSecretValue(value)) return REDACTED;
    if (Array.isArray(value)) return value.map(redactSecrets);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v)]));
    }
    return value;
}

/** Removes secret wrappers, keeping the values (for mocks' own bookkeeping and for tests). */
export function unwrapSecrets(value: unknown): unknown {
    if (isSecretValue(value)) return unwrapSecrets(value.value);
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}
