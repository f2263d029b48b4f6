// A stack: its Pulumi stack file (stacks/Pulumi.<stack>.yaml), the network file it names and its
// deploy target. Everything wrong with them comes out at once as one ConfigError, each problem with
// file, line:column, key path and what was expected against what was found. The steps each live in
// their own file: read.ts (the file), source.ts (YAML with positions), schema.ts and issues.ts (shape),
// validate*.ts (across entries), network.ts (a network file), errors.ts (problems, shared by all).
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, describeFound, didYouMean, displayFile, editDistance, isSecureValue, type Problem } from "./errors";
import { issuesToProblems, lookup } from "./issues";
import {
    deploySchema,
    parseDeployTarget,
    stackConfigSchema,
    LAB_KEY,
    NODE_KEYS_KEY,
    PROJECT,
    type DeployTarget,
    type NetworkConfig,
} from "./schema";
import { loadNetworkFile } from "./network";
import { nodeKeyProblems } from "./node-keys";
import { readConfigFile } from "./read";
import { parseYaml, type YamlSource } from "./source";

export { ConfigError, formatProblems, type Problem } from "./errors";
export { loadNetworkFile, parseNetworkText } from "./network";

/** Placeholder for a stack secret: the loader has no secrets provider and does not decrypt. */
export const SECRET_PLACEHOLDER = "[secret: cannot decrypt offline]";

const NETWORK_KEY = `${PROJECT}:network`;
const DEPLOY_KEY = `${PROJECT}:deploy`;
const GLOBAL_STACK_KEY = `${PROJECT}:globalStack`;
/** Keys of the project's namespace the program reads; a near miss of one is a typo. */
const PROJECT_KEYS = [...Object.keys(stackConfigSchema.shape), NODE_KEYS_KEY, `${PROJECT}:tenantKeyHashes`];

/** `all`, `global` or `region:<id>` for this network; `where` locates the value in the problem. */
export function resolveDeployTarget(network: NetworkConfig, value: string, where: Omit<Problem, "message">): DeployTarget {
    const parsed = deploySchema.safeParse(value);
    if (!parsed.success) {
        throw new ConfigError([{ ...where, message: `expected all, global or region:<region-id>, found ${describeFound(value)}` }]);
    }
    const target = parseDeployTarget(parsed.data);
    if (target.kind === "region" && !Object.hasOwn(network.regions, target.region)) {
        const ids = Object.keys(network.regions);
        throw new ConfigError([
            {
                ...where,
                message:
                    `region '${target.region}' is not defined in network '${network.name}'` +
                    `${didYouMean(target.region, ids)}; its regions are: ${ids.join(", ")}`,
            },
        ]);
    }
    return target;
}

export interface LoadedStack {
    stack: string;
    /** Absolute path of `Pulumi.<stack>.yaml`. */
    stackFile: string;
    /** Absolute path of the network file the stack names. */
    networkFile: string;
    network: NetworkConfig;
    deploy: DeployTarget;
    /** Every `config:` key as Pulumi sees it: strings as written, other values JSON-encoded. */
    config: Record<string, string>;
    /** Keys whose value is a Pulumi secret; their `config` value is SECRET_PLACEHOLDER. */
    secretKeys: string[];
    /** `ledgerfleet:lab: true`: a throwaway test network. */
    lab: boolean;
}

/**
 * Reads `<stacksDir>/Pulumi.<stack>.yaml`, the network file it names, and its deploy target.
 * `previous`: where the last deploy placed dedicated tenants' nodes (they stay there).
 */
export function loadStack(stacksDir: string, stack: string, options: { previous?: Readonly<Record<string, { region: string; zone: string }>> } = {}): LoadedStack {
    stacksDir = path.resolve(stacksDir);
    // A fully qualified name (org/project/stack) keeps its settings in Pulumi.<stack>.yaml.
    const stackName = stack.split("/").pop() ?? stack;
    const stackFile = path.join(stacksDir, `Pulumi.${stackName}.yaml`);
    if (!fs.existsSync(stackFile)) {
        const available = availableStacks(stacksDir);
        const listing = !fs.existsSync(stacksDir)
            ? `the stacks directory ${displayPath(stacksDir)} does not exist`
            : available.length > 0
              ? `${available.length > NEAREST_STACKS ? "the nearest" : "available"} stacks in ${displayPath(stacksDir)}: ${nearest(stackName, available)}`
              : `${displayPath(stacksDir)} has no Pulumi.<stack>.yaml files`;
        throw new ConfigError([
            {
                file: stackFile,
                path: "",
                message: `unknown stack '${stack}': expected a stack file ${path.basename(stackFile)}, found none${didYouMean(stackName, available)}; ${listing}`,
            },
        ]);
    }

    const source = parseYaml(readConfigFile(stackFile, "stack file"), stackFile);
    if (source.unreadable) throw new ConfigError(source.problems);
    const problems = [...source.problems];

    const written = writtenConfig(source, problems);
    if (!written) throw new ConfigError(problems);
    const { config, secretKeys, keyOf } = pulumiConfig(written);
    const at = (key: string) => ["config", keyOf.get(key) ?? key];
    problems.push(...configKeyProblems(written, keyOf, source));

    const stackConfig = stackConfigSchema.safeParse(config);
    if (!stackConfig.success) {
        // Validated on the namespaced view; positions are those of the keys as written.
        const asWritten = stackConfig.error.issues.map((issue) => ({
            ...issue,
            path: issue.path.map((segment, i) => (i === 0 && typeof segment === "string" ? (keyOf.get(segment) ?? segment) : segment)),
        }));
        problems.push(...issuesToProblems(asWritten, stackConfigSchema, written, source, ["config"]));
    }
    const secretSettings = secretKeys.filter((key) => key === NETWORK_KEY || key === DEPLOY_KEY);
    for (const key of secretSettings) {
        problems.push(source.problemAt(at(key), `expected a plain string, found a secret (secure:) value: ${key} is not a secret`));
    }

    let network: NetworkConfig | undefined;
    let networkFile = "";
    if (stackConfig.success && secretSettings.length === 0) {
        networkFile = path.resolve(stacksDir, stackConfig.data[NETWORK_KEY]);
        if (!fs.existsSync(networkFile)) {
            problems.push(
                source.problemAt(
                    at(NETWORK_KEY),
                    `network file not found: expected ${displayPath(networkFile)} (the path is relative to ${displayPath(stacksDir)}), found no such file`,
                ),
            );
        } else {
            try {
                network = loadNetworkFile(networkFile, { lab: stackConfig.data[LAB_KEY] === "true", previous: options.previous });
            } catch (error) {
                if (!(error instanceof ConfigError)) throw error;
                problems.push(...error.problems);
            }
        }
    }

    let deploy: DeployTarget | undefined;
    if (stackConfig.success && network) {
        const located = source.problemAt(at(DEPLOY_KEY), "");
        const where = { file: located.file, line: located.line, column: located.column, path: located.path };
        try {
            deploy = resolveDeployTarget(network, stackConfig.data[DEPLOY_KEY], where);
            if (deploy.kind === "region" && stackConfig.data[GLOBAL_STACK_KEY] === undefined) {
                problems.push({
                    ...where,
                    message:
                        `a region stack reads node identities and genesis from the global stack: expected ${GLOBAL_STACK_KEY} ` +
                        "(its name, org/project/stack) beside this key, found none",
                });
            }
        } catch (error) {
            if (!(error instanceof ConfigError)) throw error;
            problems.push(...error.problems);
        }
    }

    if (network && deploy) {
        problems.push(
            ...nodeKeyProblems({
                network,
                deploy,
                raw: config[NODE_KEYS_KEY],
                secretPlaceholder: SECRET_PLACEHOLDER,
                writtenKey: keyOf.get(NODE_KEYS_KEY) ?? NODE_KEYS_KEY,
                lab: config[LAB_KEY] === "true",
                source,
            }),
        );
    }
    if (problems.length > 0 || !network || !deploy) throw new ConfigError(problems);
    return { stack, stackFile, networkFile, network, deploy, config, secretKeys, lab: config[LAB_KEY] === "true" };
}

/** The `config:` mapping of a stack file ({} when there is none), or undefined after reporting why it is not one. */
function writtenConfig(source: YamlSource, problems: Problem[]): Record<string, unknown> | undefined {
    const root = source.value;
    if (root === undefined || root === null) return {};
    if (typeof root !== "object" || Array.isArray(root)) {
        problems.push(source.problemAt([], `expected stack settings (a mapping with a 'config:' key), found ${describeFound(root)}`));
        return undefined;
    }
    const { present, value } = lookup(root, ["config"]);
    if (!present) return {};
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        problems.push(source.problemAt(["config"], `expected a mapping of config keys, found ${describeFound(value)}`));
        return undefined;
    }
    return value as Record<string, unknown>;
}

/** How many stack names an unknown-stack message lists. */
const NEAREST_STACKS = 5;

/** The stack names closest to `name`, at most NEAREST_STACKS, and how many more there are. */
function nearest(name: string, available: readonly string[]): string {
    if (available.length <= NEAREST_STACKS) return available.join(", ");
    const ranked = [...available].sort((a, b) => editDistance(name, a) - editDistance(name, b) || a.localeCompare(b)).slice(0, NEAREST_STACKS);
    return `${ranked.join(", ")} (and ${available.length - NEAREST_STACKS} more)`;
}

function availableStacks(stacksDir: string): string[] {
    let names: string[];
    try {
        names = fs.readdirSync(stacksDir);
    } catch {
        return [];
    }
    return names
        .map((name) => /^Pulumi\.(.+)\.ya?ml$/.exec(name)?.[1])
        .filter((name): name is string => name !== undefined)
        .sort();
}

/** A path inside a message, named as the problem's own file is (errors.ts displayFile). */
function displayPath(file: string): string {
    return path.resolve(file) === process.cwd() ? "." : displayFile(file);
}

/**
 * The config as the Pulumi program sees it. A key written without a namespace belongs to the
 * project (`network` is `ledgerfleet:network`); `keyOf` maps a namespaced key back to how it is
 * written, for positions.
 */
function pulumiConfig(written: Record<string, unknown>): {
    config: Record<string, string>;
    secretKeys: string[];
    keyOf: Map<string, string>;
} {
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const keyOf = new Map<string, string>();
    for (const [asWritten, value] of Object.entries(written)) {
        const key = asWritten.includes(":") ? asWritten : `${PROJECT}:${asWritten}`;
        if (keyOf.has(key)) continue; // reported by configKeyProblems
        keyOf.set(key, asWritten);
        if (isSecureValue(value)) {
            config[key] = SECRET_PLACEHOLDER;
            secretKeys.push(key);
        } else if (containsSecret(value)) {
            // Keep the structure (the program reads it as an object); only the secret leaves go.
            config[key] = JSON.stringify(withSecretsReplaced(value));
            secretKeys.push(key);
        } else {
            config[key] = typeof value === "string" ? value : JSON.stringify(value ?? null);
        }
    }
    return { config, secretKeys, keyOf };
}

function withSecretsReplaced(value: unknown): unknown {
    if (isSecureValue(value)) return SECRET_PLACEHOLDER;
    if (Array.isArray(value)) return value.map(withSecretsReplaced);
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withSecretsReplaced(v)]));
}

function containsSecret(value: unknown): boolean {
    if (isSecureValue(value)) return true;
    if (value === null || typeof value !== "object") return false;
    return Object.values(value).some(containsSecret);
}

/** Two spellings of one key, and near misses of the project's keys (a typo would be ignored). */
function configKeyProblems(written: Record<string, unknown>, keyOf: Map<string, string>, source: YamlSource): Problem[] {
    const problems: Problem[] = [];
    for (const asWritten of Object.keys(written)) {
        const key = asWritten.includes(":") ? asWritten : `${PROJECT}:${asWritten}`;
        const first = keyOf.get(key);
        if (first !== undefined && first !== asWritten) {
            problems.push(source.problemAt(["config", asWritten], `duplicate key: '${asWritten}' and '${first}' both set ${key}`, "key"));
            continue;
        }
        if (!key.startsWith(`${PROJECT}:`) || PROJECT_KEYS.includes(key)) continue;
        const name = key.slice(PROJECT.length + 1);
        const near = PROJECT_KEYS.find((known) => editDistance(name, known.slice(PROJECT.length + 1)) <= 2);
        if (near !== undefined) {
            problems.push(source.problemAt(["config", asWritten], `unknown key '${asWritten}' (did you mean '${near}'?)`, "key"));
        }
    }
    return problems;
}
