// The one Pulumi mocks module: `ledgerfleet plan` and every test run the real program through it.
// It records each registration (type, name, parent, provider, protect, inputs with secrets still
// marked) and answers with realistic, deterministic outputs. Invokes it does not know throw, so a
// new data-source call cannot pass unnoticed.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { CloudCallMock, CloudMockContext, CloudResourceMock } from "./cloud-mocks";
import { alicloudCallMock, alicloudResourceMock } from "./mocks-alicloud";
import { awsCallMock, awsEipAddress, awsResourceMock } from "./mocks-aws";
import { gcpCallMock, gcpResourceMock } from "./mocks-gcp";

/** The clouds' own tables of realistic outputs (cli/mocks-<cloud>.ts). */
const CLOUD_RESOURCE_MOCKS: readonly CloudResourceMock[] = [awsResourceMock, gcpResourceMock, alicloudResourceMock];
const CLOUD_CALL_MOCKS: readonly CloudCallMock[] = [awsCallMock, gcpCallMock, alicloudCallMock];

/** Marker Pulumi's RPC layer uses for secret values (see @pulumi/pulumi runtime/rpc). */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export const REDACTED = "[secret]";

export interface Registration {
    /** The engine's URN (see `engineUrn`): what `pulumi up --target` and `pulumi state` take. */
    urn: string;
    type: string;
    name: string;
    /** URN of the parent; "" for the stack itself. */
    parent: string;
    /** Provider reference (`<provider urn>::<id>`; the id has no `::`, see `providerId`), "" when none. */
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
    if (typeof requested === "string") return requested;
    // AWS: the Elastic IP the Service's load balancer is given, by allocation id.
    const allocation = annotations["service.beta.kubernetes.io/aws-load-balancer-eip-allocations"];
    return typeof allocation === "string" ? awsEipAddress(allocation) : undefined;
}

/** The stack resource's type; the engine leaves it out of its children's URNs. */
const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
const URN_PREFIX = "urn:pulumi:";

/**
 * A resource's URN as the Pulumi engine makes it: `urn:pulumi:<stack>::<project>::<qualified type>::<name>`,
 * where the qualified type is the parent's qualified type (every ancestor's type below the stack,
 * joined by `$`), a `$`, and the resource's type. Pulumi's MockMonitor keeps only the parent's own
 * type, which names no resource `pulumi up --target` or `pulumi state` can find.
 * Source: pulumi/pulumi 1b5949891b (2026-08-21), pkg/resource/deploy/deployment.go `generateURN`
 * and sdk/go/common/resource/urn/urn.go `New`; the Node SDK's `createUrn` (resource.js) agrees.
 */
export function engineUrn(stack: string, project: string, parent: string, type: string, name: string): string {
    const parentType = parent === "" ? "" : qualifiedType(parent);
    const qualified = parentType === "" || parentType === ROOT_STACK_TYPE ? type : `${parentType}$${type}`;
    return `${URN_PREFIX}${stack}::${project}::${qualified}::${name}`;
}

/** A URN's type with its ancestors' types (urn.go `QualifiedType`: the third `::` part after the prefix). */
function qualifiedType(urn: string): string {
    return urn.slice(URN_PREFIX.length).split("::")[2] ?? "";
}

/** The engine's answer to a second registration of a URN (sdk/go/common/diag/errors.go, error 2001). */
function duplicateUrnMessage(urn: string): string {
    return `Duplicate resource URN '${urn}'; try giving it a unique name`;
}

/**
 * A provider's id. The engine gives each provider a UUID, and a provider reference `<urn>::<id>` is
 * split at its last `::` (sdk/go/common/providers/reference.go `ParseReference`), so the id must not
 * hold one, unlike the other mock ids. Derived from type and name, so every run gives the same one.
 */
function providerId(type: string, name: string): string {
    const hex = createHash("sha256").update(`ledgerfleet plan provider: ${type}::${name}`).digest("hex");
    // RFC 9562 layout, version 8 (custom), variant 10.
    const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
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
    private publicIpCounter = 0;
    private readonly cloudContext: CloudMockContext = {
        // 198.18.0.0/15 (RFC 2544): never a real host, room for 131,070 addresses.
        nextPublicIp: () => {
            const n = ++this.publicIpCounter;
            return `198.${18 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
        },
    };

    constructor(private readonly options: MocksOptions = {}) {}

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const inputs = unwrapSecrets(args.inputs) as Record<string, unknown>;
        for (const mock of CLOUD_CALL_MOCKS) {
            const answer = mock(args.token, inputs);
            if (answer !== undefined) return answer;
        }
        throw new Error(
            `ledgerfleet mocks: no mock for invoke '${args.token}'. Add a realistic answer to cli/mocks.ts ` +
                "so the offline plan stays faithful to what the program does.",
        );
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
        const id = args.type.startsWith("pulumi:providers:") ? providerId(args.type, args.name) : `mocked::${args.type}::${args.name}`;
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
            default: {
                for (const mock of CLOUD_RESOURCE_MOCKS) {
                    const outputs = mock(args.type, args.name, inputs, this.cloudContext);
                    if (outputs !== undefined) {
                        state = { ...inputs, ...outputs };
                        break;
                    }
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
    /** How MockMonitor names a resource; it keys its own table (outputs, resource lookups) by these too. */
    newUrn?: (parent: string, type: string, name: string) => string;
    registerResource: MonitorCall<RegisterRequest>;
    readResource: MonitorCall<ReadRequest>;
    registerResourceOutputs(req: OutputsRequest, cb: (err: unknown, res?: unknown) => void): void;
}

/**
 * Installs the mocks as Pulumi's engine for this process and wires the recorder into the mock
 * monitor, which alone sees each registration's parent and protect flag. The monitor names
 * resources with the engine's URNs and refuses what the engine refuses before it creates anything:
 * a parent it has not registered and a URN registered twice.
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
    if (typeof monitor.newUrn !== "function") {
        throw new Error("internal: @pulumi/pulumi's MockMonitor no longer names resources with newUrn; make cli/mocks.ts give the SDK engine URNs another way");
    }
    // Through newUrn the SDK gets engine URNs back, so parents, dependencies and provider references
    // carry them too, and the monitor's own table (registerResourceOutputs, lookups) agrees.
    monitor.newUrn = (parent, type, name) => engineUrn(stack, project, parent, type, name);
    // URNs this run has taken, each from the moment its registration arrives, as the engine's step
    // generator does (pkg/resource/deploy/step_generator.go `checkParent`, then `generateURN`).
    const taken = new Set<string>();
    const refusal = (reg: Pick<Registration, "parent" | "type" | "name">): Error | undefined => {
        if (reg.parent !== "" && !taken.has(reg.parent)) return new Error(`could not find parent resource ${reg.parent}`);
        const urn = engineUrn(stack, project, reg.parent, reg.type, reg.name);
        if (taken.has(urn)) return new Error(duplicateUrnMessage(urn));
        taken.add(urn);
        return undefined;
    };
    let seq = 0;
    /** Wraps one monitor call so the registration it makes is checked, then recorded with its URN. */
    const recording = <Req>(call: MonitorCall<Req>, describe: (req: Req) => Omit<Registration, "urn">): MonitorCall<Req> =>
        async (req, cb) => {
            mocks.monitorCalls++;
            const reg = describe(req);
            const refused = refusal(reg);
            if (refused !== undefined) return cb(refused);
            const key = `${++seq}`;
            mocks.notePending(key, reg);
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
    // Copies only what holds a secret: the rest is shared, so unwrapping every input of a large plan
    // (for the policy pack) costs little time and memory.
    if (Array.isArray(value)) {
        const items = value.map(unwrapSecrets);
        return items.every((v, i) => v === value[i]) ? value : items;
    }
    if (typeof value === "object" && value !== null) {
        const entries = Object.entries(value);
        const unwrapped = entries.map(([k, v]) => [k, unwrapSecrets(v)] as const);
        return unwrapped.every(([, v], i) => v === entries[i]?.[1]) ? value : Object.fromEntries(unwrapped);
    }
    return value;
}
