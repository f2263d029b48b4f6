// The scheduler's configuration file (one per region, generated from the network file; see
// scheduler/README.md for every field) and the keys file beside it. Everything is checked before
// the service starts or a reload is applied; problems name the file, line and key path.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { describe, type KeyPath, type Problem, parseYamlFile, SchedulerConfigError } from "./problems";

const id = z.string().regex(/^[a-z]([a-z0-9-]*[a-z0-9])?$/, { error: "expected an id: lower-case letters, digits and '-', starting with a letter" }).max(30);
const sha256Hex = z.string().regex(/^[0-9a-fA-F]{64}$/, { error: "expected the SHA-256 of the tenant's key, 64 hex digits, as `ledgerfleet tenant-key` prints it" });
/** A JSON-RPC method name or a namespace wildcard (`debug_*`), as the network file's tenant schema takes. */
const rpcMethod = z.string().regex(/^[a-z][a-zA-Z0-9]*_([a-zA-Z0-9]+|\*)$/, { error: "expected a JSON-RPC method such as debug_traceTransaction, or a namespace wildcard such as debug_*" });
const port = z.int().min(0).max(65535);
const int = (min: number, max: number, fallback: number) => z.int().min(min).max(max).default(fallback);
const upstreamUrl = z.string().refine(
    (text) => {
        try {
            const url = new URL(text);
            return (url.protocol === "http:" || url.protocol === "https:") && url.search === "" && url.hash === "" && url.username === "";
        } catch {
            return false;
        }
    },
    { error: "expected an http:// or https:// URL of a JSON-RPC node, without query, fragment or credentials" },
);

export const HEALTH_CHECKS = ["besu", "eth_blockNumber"] as const;

const tenantSchema = z.strictObject({
    id,
    ledger: id,
    keySha256: sha256Hex.optional(),
    /** Defaults as the network file's tenant schema: 10 x tps, at least 50. */
    rps: z.number().positive({ error: "expected requests per second above 0" }).optional(),
    tps: z.number().positive({ error: "expected transactions per second above 0" }),
    weight: z.number().positive({ error: "expected a weight above 0: the tenant's share of the peers when they are busy" }).default(1),
    methods: z.strictObject({ allow: z.array(rpcMethod).min(1) }).optional(),
});

const listenSchema = z.strictObject({ host: z.string().min(1).default("127.0.0.1"), port: port.default(8080) });

const configSchema = z.strictObject({
    listen: listenSchema.prefault({}),
    /** Where /metrics, /healthz and /readyz are served when tenants must not reach them. */
    admin: z.strictObject({ host: z.string().min(1).default("127.0.0.1"), port }).optional(),
    ledgers: z
        .record(
            id,
            z.strictObject({
                upstreams: z.array(upstreamUrl).min(1),
                health: z.enum(HEALTH_CHECKS).default("eth_blockNumber"),
                // This ledger's peers' own bound, where they differ from limits.inFlightPerUpstream.
                inFlightPerUpstream: z.int().min(1).max(10_000).optional(),
            }),
        )
        .refine((ledgers) => Object.keys(ledgers).length > 0, { error: "expected at least one ledger" }),
    tenants: z.array(tenantSchema).default([]),
    keys: z.strictObject({ file: z.string().min(1) }).optional(),
    replicas: int(1, 1000, 1),
    limits: z
        .strictObject({
            bodyBytes: int(1024, 64 * 1024 * 1024, 1024 * 1024),
            batchSize: int(1, 10_000, 100),
            upstreamTimeoutMs: int(100, 600_000, 10_000),
            queueLength: int(0, 100_000, 256),
            inFlightPerUpstream: int(1, 10_000, 64),
            shutdownMs: int(0, 600_000, 20_000),
        })
        .prefault({}),
    health: z.strictObject({ intervalMs: int(100, 600_000, 2000), failures: int(1, 100, 2) }).prefault({}),
    reload: z.strictObject({ intervalMs: int(100, 600_000, 1000) }).prefault({}),
});

type ParsedConfig = z.output<typeof configSchema>;

export interface LedgerSettings {
    readonly id: string;
    readonly upstreams: readonly string[];
    readonly health: (typeof HEALTH_CHECKS)[number];
    /** Requests in flight on each of this ledger's peers: its own setting, else limits.inFlightPerUpstream. */
    readonly inFlightPerUpstream?: number;
}

export interface TenantSettings {
    readonly id: string;
    readonly ledger: string;
    /** Lower-case hex SHA-256 of each key the tenant may use: inline and from the keys file (two during a rotation). */
    readonly keyHashes: readonly string[];
    /** Whole-service quotas; each replica enforces 1/replicas of them. */
    readonly rps: number;
    readonly tps: number;
    readonly weight: number;
    /** Methods beyond the default allow-list: exact names or `ns_*`. */
    readonly allow: readonly string[];
}

export interface SchedulerConfig {
    readonly file: string;
    readonly listen: { readonly host: string; readonly port: number };
    readonly admin?: { readonly host: string; readonly port: number };
    readonly ledgers: readonly LedgerSettings[];
    readonly tenants: readonly TenantSettings[];
    /** Absolute path of the keys file, when there is one. */
    readonly keysFile?: string;
    readonly replicas: number;
    readonly limits: ParsedConfig["limits"];
    readonly health: ParsedConfig["health"];
    readonly reload: ParsedConfig["reload"];
}

/** A file the configuration was read from and the SHA-256 of its bytes then, so a reload can tell a change. */
export interface Source {
    readonly file: string;
    readonly sha256: string;
}

export interface LoadedConfig {
    readonly config: SchedulerConfig;
    /** Worth a log line, not worth refusing the file (a key for a tenant the config does not know yet). */
    readonly warnings: readonly string[];
    readonly sources: readonly Source[];
}

/** A configuration refused, with the files it was read from (a reload retries only when one changes). */
export class RefusedConfig extends SchedulerConfigError {
    readonly sources: readonly Source[];

    constructor(problems: readonly Problem[], sources: readonly Source[]) {
        super(problems);
        this.sources = sources;
    }
}

export type ReadFile = (file: string) => Buffer;

/** Reads and checks the config file (and its keys file). Throws RefusedConfig naming every problem found. */
export function loadConfig(configFile: string, read: ReadFile = (file) => fs.readFileSync(file)): LoadedConfig {
    const file = path.resolve(configFile);
    const sources: Source[] = [];
    const readSource = (name: string, what: string): string | Problem => {
        try {
            const bytes = read(name);
            sources.push({ file: name, sha256: createHash("sha256").update(bytes).digest("hex") });
            return bytes.toString("utf8");
        } catch (err) {
            sources.push({ file: name, sha256: "" });
            const code = (err as NodeJS.ErrnoException).code ?? String(err);
            return { file: name, path: "", message: `cannot read the ${what} (${code})` };
        }
    };
    const refuse = (problems: Problem[]) => new RefusedConfig(problems, sources);

    const text = readSource(file, "scheduler config file");
    if (typeof text !== "string") throw refuse([text]);
    const source = parseYamlFile(text, file);
    if (source.problems.length > 0) throw refuse(source.problems);
    const parsed = configSchema.safeParse(source.value ?? {}, { reportInput: true });
    if (!parsed.success) {
        throw refuse(parsed.error.issues.map((issue) => source.at(issuePath(issue), issueMessage(issue))));
    }
    const config = parsed.data;
    const problems: Problem[] = [];
    const warnings: string[] = [];
    const at = (keyPath: KeyPath, message: string) => problems.push(source.at(keyPath, message));

    const ledgerIds = Object.keys(config.ledgers);
    for (const [ledger, settings] of Object.entries(config.ledgers)) {
        const seen = new Map<string, number>();
        settings.upstreams.forEach((url, i) => {
            const key = new URL(url).href;
            const first = seen.get(key);
            if (first !== undefined) at(["ledgers", ledger, "upstreams", i], `upstream ${url} is listed twice (first at upstreams[${first}])`);
            else seen.set(key, i);
        });
    }

    const tenantIndex = new Map<string, number>();
    config.tenants.forEach((tenant, i) => {
        const first = tenantIndex.get(tenant.id);
        if (first !== undefined) at(["tenants", i, "id"], `duplicate tenant id '${tenant.id}': already used by tenants[${first}]`);
        else tenantIndex.set(tenant.id, i);
        if (!config.ledgers[tenant.ledger]) {
            at(["tenants", i, "ledger"], `tenant '${tenant.id}' names ledger '${tenant.ledger}', which is not under ledgers: (${ledgerIds.join(", ")}); add the ledger or correct the name`);
        }
    });

    // Every key hash, where it was written: a hash shared by two tenants would let one act as the other.
    const hashes = new Map<string, { tenant: string; where: string }>();
    const keyHashes = new Map<string, Set<string>>();
    const addHash = (tenant: string, hash: string, where: string, report: (message: string) => void) => {
        const lower = hash.toLowerCase();
        const owner = hashes.get(lower);
        const set = keyHashes.get(tenant) ?? new Set<string>();
        keyHashes.set(tenant, set);
        if (owner && owner.tenant !== tenant) {
            report(`duplicate key hash: tenant '${tenant}' has the same key as tenant '${owner.tenant}' (${owner.where}); give each tenant its own key (\`ledgerfleet tenant-key <tenant>\`)`);
            return;
        }
        if (!owner) hashes.set(lower, { tenant, where });
        set.add(lower);
    };
    config.tenants.forEach((tenant, i) => {
        if (tenant.keySha256 !== undefined && tenantIndex.get(tenant.id) === i) {
            addHash(tenant.id, tenant.keySha256, `tenants[${i}].keySha256 in ${path.basename(file)}`, (m) => at(["tenants", i, "keySha256"], m));
        }
    });

    let keysFile: string | undefined;
    if (config.keys) {
        keysFile = path.resolve(path.dirname(file), config.keys.file);
        const keysText = readSource(keysFile, "keys file");
        if (typeof keysText !== "string") {
            problems.push({ ...keysText, message: `${keysText.message}, named by keys.file in ${file}` });
        } else {
            readKeysFile(keysText, keysFile, tenantIndex, problems, warnings, addHash);
        }
    }

    config.tenants.forEach((tenant, i) => {
        if (tenantIndex.get(tenant.id) === i && !keyHashes.has(tenant.id)) {
            at(["tenants", i], `tenant '${tenant.id}' has no key: set keySha256${keysFile ? `, or add it to the keys file ${keysFile}` : " or name a keys file (keys.file)"}`);
        }
    });
    if (problems.length > 0) throw refuse(problems);

    return {
        config: {
            file,
            listen: config.listen,
            ...(config.admin ? { admin: config.admin } : {}),
            ledgers: Object.entries(config.ledgers).map(([ledgerId, l]) => ({ id: ledgerId, upstreams: l.upstreams, health: l.health, ...(l.inFlightPerUpstream === undefined ? {} : { inFlightPerUpstream: l.inFlightPerUpstream }) })),
            tenants: config.tenants.map((t) => ({
                id: t.id,
                ledger: t.ledger,
                keyHashes: [...(keyHashes.get(t.id) ?? [])],
                rps: t.rps ?? Math.max(50, 10 * t.tps),
                tps: t.tps,
                weight: t.weight,
                allow: t.methods?.allow ?? [],
            })),
            ...(keysFile ? { keysFile } : {}),
            replicas: config.replicas,
            limits: config.limits,
            health: config.health,
            reload: config.reload,
        },
        warnings,
        sources,
    };
}

/** The keys file: a mapping of tenant id to the SHA-256 hex of its key, or to a list of them (during a rotation). */
function readKeysFile(
    text: string,
    file: string,
    tenants: ReadonlyMap<string, number>,
    problems: Problem[],
    warnings: string[],
    addHash: (tenant: string, hash: string, where: string, report: (message: string) => void) => void,
): void {
    const source = parseYamlFile(text, file);
    if (source.problems.length > 0) {
        problems.push(...source.problems);
        return;
    }
    const value = source.value ?? {};
    if (typeof value !== "object" || Array.isArray(value)) {
        problems.push(source.at([], `expected a mapping of tenant id to the SHA-256 hex of its key; found ${describe(value)}`));
        return;
    }
    for (const [tenant, entry] of Object.entries(value as Record<string, unknown>)) {
        const list = Array.isArray(entry) ? entry : [entry];
        list.forEach((hash, i) => {
            const keyPath = Array.isArray(entry) ? [tenant, i] : [tenant];
            if (typeof hash !== "string" || !/^[0-9a-fA-F]{64}$/.test(hash)) {
                problems.push(source.at(keyPath, `expected the SHA-256 of the tenant's key, 64 hex digits (or a list of them); found ${describe(hash)}`));
                return;
            }
            // The Secret and the ConfigMap reach the pod at different moments: a key for a tenant
            // the config does not know yet is the normal first half of an onboarding.
            if (!tenants.has(tenant)) {
                warnings.push(`${file}: key for tenant '${tenant}', which ${path.basename(file)}'s config does not list (yet): ignored`);
                return;
            }
            addHash(tenant, hash, `${path.basename(file)}`, (message) => problems.push(source.at(keyPath, message)));
        });
    }
}

function issuePath(issue: z.core.$ZodIssue): KeyPath {
    const keyPath = issue.path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment));
    // Point at the first unknown field itself, not at the mapping it is in.
    return issue.code === "unrecognized_keys" && issue.keys.length > 0 ? [...keyPath, issue.keys[0]] : keyPath;
}

function issueMessage(issue: z.core.$ZodIssue): string {
    switch (issue.code) {
        case "unrecognized_keys":
            return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `'${k}'`).join(", ")}: remove ${issue.keys.length > 1 ? "them" : "it"} or correct the spelling (scheduler/README.md lists every field)`;
        case "invalid_key":
            return `${issue.issues[0]?.message ?? issue.message}; found ${describe(issue.input)}`;
        case "invalid_type": {
            const expected = ({ record: "a mapping", object: "a mapping", array: "a list", int: "a whole number", number: "a number", string: "a string" } as Record<string, string>)[issue.expected] ?? issue.expected;
            return issue.input === undefined ? `required: expected ${expected}` : `expected ${expected}; found ${describe(issue.input)}`;
        }
        case "too_small":
        case "too_big":
        case "invalid_format":
        case "invalid_value":
        case "custom":
            return issue.message.startsWith("expected") ? `${issue.message}; found ${describe(issue.input)}` : `${issue.message.replace(/^Too (small|big): /, "")}; found ${describe(issue.input)}`;
        default:
            return issue.message;
    }
}
