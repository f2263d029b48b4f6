// A network file, from text to a validated NetworkConfig: parse with positions, check against the
// schema, check across entries, and report every problem at once as one ConfigError.
import * as path from "node:path";
import { ConfigError } from "./errors";
import { issuesToProblems } from "./issues";
import { readConfigFile } from "./read";
import { networkSchema, type NetworkConfig } from "./schema";
import { parseYaml } from "./source";
import { checkNetwork, type CheckOptions } from "./validate";
import { checkClouds } from "./validate-clouds";
import { withDedicatedLedgers } from "./dedicated";

export type { CheckOptions } from "./validate";

export interface LoadOptions extends CheckOptions {
    /**
     * Where dedicated tenants' nodes were placed by the last deploy ("<ledger>/<node>" -> region and
     * zone, see dedicated.ts previousPlacement): they stay there.
     */
    previous?: Readonly<Record<string, { region: string; zone: string }>>;
}

/** Parses and validates a network file's text; `file` is used for the positions in problems. */
export function parseNetworkText(text: string, file: string, options: LoadOptions = {}): NetworkConfig {
    file = path.resolve(file);
    const source = parseYaml(text, file);
    if (source.unreadable) throw new ConfigError(source.problems);

    const problems = [...source.problems];
    const parsed = networkSchema.safeParse(source.value);
    const schemaProblems = parsed.success ? [] : issuesToProblems(parsed.error.issues, networkSchema, source.value, source);
    problems.push(...schemaProblems);

    // A value the schema already rejects is not reported a second time by the semantic checks.
    const reported = new Set(schemaProblems.map((p) => p.path));
    for (const finding of checkNetwork(source.value, source.lineOf, options)) {
        const problem = source.problemAt(finding.path, finding.message, finding.target);
        if (!reported.has(problem.path)) problems.push(problem);
    }

    let network = parsed.success ? parsed.data : undefined;
    if (network !== undefined && problems.length === 0) {
        // Dedicated tenants' ledgers are placed once the file is sound, and the cloud rules (pool
        // sizes among them) then check the network with them in it.
        const placed = withDedicatedLedgers(network, options.previous);
        for (const finding of placed.problems) problems.push(source.problemAt(finding.path, finding.message));
        network = placed.network;
        if (problems.length === 0) {
            for (const finding of checkClouds(network)) problems.push(source.problemAt(finding.path, finding.message));
        }
    }
    if (problems.length > 0 || network === undefined) throw new ConfigError(problems);
    return withPathsResolved(network, path.dirname(file));
}

/**
 * A kubeconfig path in a network file is relative to that file, as a reader of the file would take
 * it (the Kubernetes provider would resolve it from the project folder). Contents given inline, as
 * the provider also accepts them, are left alone.
 */
function withPathsResolved(network: NetworkConfig, dir: string): NetworkConfig {
    const regions = Object.fromEntries(
        Object.entries(network.regions).map(([id, r]) => {
            if (r.cloud !== "existing" || r.kubeconfig === undefined || isInlineKubeconfig(r.kubeconfig) || path.isAbsolute(r.kubeconfig)) return [id, r];
            return [id, { ...r, kubeconfig: path.resolve(dir, r.kubeconfig) }];
        }),
    );
    return { ...network, regions };
}

/** Kubeconfig contents rather than a path: YAML over several lines, or JSON. */
export function isInlineKubeconfig(value: string): boolean {
    return value.includes("\n") || value.trimStart().startsWith("{");
}

/** Reads and validates a network file. */
export function loadNetworkFile(file: string, options: LoadOptions = {}): NetworkConfig {
    file = path.resolve(file);
    return parseNetworkText(readConfigFile(file, "network file"), file, options);
}
