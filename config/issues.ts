// zod issues turned into problems an operator can act on: located in the YAML file, worded as
// "expected X, found Y", with a suggestion for a mistyped key.
import type { z } from "zod";
import { describeFound, didYouMean, orList, quotedName, type KeyPath, type Problem } from "./errors";
import type { Target, YamlSource } from "./source";
import { qbftValidatorsMessage } from "./validate";

type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

/** Problems for every issue; `prefix` is where the validated value sits in the file. */
export function issuesToProblems(
    issues: readonly Issue[],
    schema: Schema,
    data: unknown,
    source: YamlSource,
    prefix: KeyPath = [],
): Problem[] {
    const problems: Problem[] = [];
    const seen = new Set<string>();
    for (const issue of issues) {
        for (const found of describeIssue(issue, schema, data)) {
            const problem = source.problemAt([...prefix, ...found.path], found.message, found.target);
            const id = `${problem.path}\u0000${problem.message}`;
            if (seen.has(id)) continue;
            seen.add(id);
            problems.push(problem);
        }
    }
    return problems;
}

interface Described {
    path: KeyPath;
    message: string;
    target: Target;
}

function describeIssue(issue: Issue, schema: Schema, data: unknown): Described[] {
    const issuePath = toKeyPath(issue.path);
    const at = lookup(data, issuePath);
    const found = describeFound(at.value);
    const last = issuePath[issuePath.length - 1];
    const missing = !at.present && issuePath.length > 0;
    const one = (message: string, target: Target = "value"): Described[] => [{ path: issuePath, message, target }];

    switch (issue.code) {
        case "invalid_type": {
            const expected = expectedText(issue.expected, schemaAt(schema, issuePath, data));
            return one(missing ? `missing required key '${String(last)}': expected ${expected}` : `expected ${expected}, found ${found}`);
        }
        case "invalid_value": {
            const expected = orList(issue.values.map((v) => JSON.stringify(v) ?? String(v)));
            return one(`expected ${issue.values.length > 2 ? "one of " : ""}${expected}, found ${found}`);
        }
        case "invalid_union": {
            const options = "options" in issue ? issue.options : undefined;
            if (issue.discriminator !== undefined && options) {
                const expected = `${options.length > 2 ? "one of " : ""}${orList(options.map((v) => JSON.stringify(v) ?? String(v)))}`;
                return one(missing ? `missing required key '${String(last)}': expected ${expected}` : `expected ${expected}, found ${found}`);
            }
            return one(`${issue.message}, found ${found}`);
        }
        case "unrecognized_keys": {
            const allowed = objectKeys(schemaAt(schema, issuePath, data));
            return issue.keys.map((key) => ({
                path: [...issuePath, key],
                message: `unknown key ${quotedName(key)}${unknownKeyHint(key, allowed)}`,
                target: "key" as const,
            }));
        }
        case "invalid_key": {
            const key = String(last);
            const inner = issue.issues.map((i) => describeIssue(i, schema, key)[0]?.message).filter(Boolean);
            const noun = issuePath.length === 2 && issuePath[0] === "regions" ? "region id" : issuePath.length === 2 && issuePath[0] === "ledgers" ? "ledger name" : "key";
            return one(`invalid ${noun} ${quotedName(key)}: ${inner.join("; ") || issue.message}`, "key");
        }
        case "too_small":
            // An empty `nodes:` of a QBFT ledger is said as the QBFT rule (validate.ts) rather than "at
            // least 1 item"; network.ts then drops the semantic check's finding on the same path.
            if (isLedgerNodes(issuePath) && lookup(data, [...issuePath.slice(0, -1), "consensus"]).value === "qbft") {
                return one(qbftValidatorsMessage(0), "key");
            }
            return one(describeSize(issue, at.value, found));
        case "too_big":
            return one(describeSize(issue, at.value, found));
        case "invalid_format":
            return one(`${issue.message.startsWith("Invalid") ? `expected a valid ${issue.format}` : issue.message}, found ${found}`);
        case "not_multiple_of":
            return one(`expected a multiple of ${String(issue.divisor)}, found ${found}`);
        case "custom": {
            const scalar = at.value === null || typeof at.value !== "object";
            return one(scalar && at.present ? `${issue.message}, found ${found}` : issue.message);
        }
        default:
            return one(`${issue.message}, found ${found}`);
    }
}

/** `ledgers.<name>.nodes` of a network file. */
function isLedgerNodes(keyPath: KeyPath): boolean {
    return keyPath.length === 3 && keyPath[0] === "ledgers" && keyPath[2] === "nodes";
}

function describeSize(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, value: unknown, found: string): string {
    const small = issue.code === "too_small";
    const limit = small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum;
    const n = Number(limit);
    const plural = (word: string) => (n === 1 ? word : `${word}s`);
    switch (issue.origin) {
        case "string": {
            const length = typeof value === "string" ? value.length : 0;
            return `expected ${small ? "at least" : "at most"} ${n} ${plural("character")}, found ${length} (${found})`;
        }
        case "array":
        case "set": {
            const length = Array.isArray(value) ? value.length : 0;
            return `expected ${small ? "at least" : "at most"} ${n} ${plural("item")}, found ${length}`;
        }
        case "number":
        case "int":
        case "bigint": {
            const op = small ? (issue.inclusive ? ">=" : ">") : issue.inclusive ? "<=" : "<";
            return `expected a number ${op} ${String(limit)}, found ${found}`;
        }
        default:
            return `${issue.message}, found ${found}`;
    }
}

function unknownKeyHint(key: string, allowed: readonly string[]): string {
    if (allowed.length === 0) return "";
    const guess = didYouMean(key, allowed);
    return guess !== "" ? guess : `; expected one of: ${allowed.join(", ")}`;
}

function expectedText(expected: string, schema: Schema | undefined): string {
    if (expected === "number" && schema && isInteger(schema)) return "an integer";
    const words: Record<string, string> = {
        string: "a string",
        number: "a number",
        int: "an integer",
        boolean: "true or false",
        object: "a mapping",
        record: "a mapping",
        map: "a mapping",
        array: "a list",
        tuple: "a list",
    };
    return words[expected] ?? `a ${expected}`;
}

function toKeyPath(issuePath: readonly PropertyKey[]): (string | number)[] {
    return issuePath.map((segment) => (typeof segment === "symbol" ? String(segment) : segment));
}

/** The value at a key path of plain data, and whether the last key is there at all. */
export function lookup(data: unknown, keyPath: KeyPath): { present: boolean; value: unknown } {
    let value = data;
    for (const segment of keyPath) {
        if (value === null || typeof value !== "object" || !Object.hasOwn(value, segment)) {
            return { present: false, value: undefined };
        }
        value = (value as Record<string | number, unknown>)[segment];
    }
    return { present: true, value };
}

/** The schema that validates the value at `keyPath` (options chosen by the data's discriminator). */
function schemaAt(schema: Schema, keyPath: KeyPath, data: unknown): Schema | undefined {
    let current: Schema | undefined = unwrap(schema, data);
    for (let i = 0; i < keyPath.length && current; i++) {
        const def: z.core.$ZodTypes["_zod"]["def"] = (current as z.core.$ZodTypes)._zod.def;
        const segment = keyPath[i];
        let next: Schema | undefined;
        switch (def.type) {
            case "object":
                next = typeof segment === "string" && Object.hasOwn(def.shape, segment) ? def.shape[segment] : def.catchall;
                break;
            case "record":
                next = def.valueType;
                break;
            case "array":
                next = def.element;
                break;
            default:
                next = undefined;
        }
        current = next && unwrap(next, lookup(data, keyPath.slice(0, i + 1)).value);
    }
    return current;
}

/** Looks through optional/default/pipe wrappers and picks the union option the value names. */
function unwrap(schema: Schema, value: unknown): Schema {
    for (let depth = 0; depth < 16; depth++) {
        const def = (schema as z.core.$ZodTypes)._zod.def;
        switch (def.type) {
            case "optional":
            case "default":
            case "prefault":
            case "nullable":
            case "readonly":
            case "nonoptional":
            case "catch":
                schema = def.innerType;
                continue;
            case "pipe":
                schema = def.in;
                continue;
            case "union": {
                const discriminator = "discriminator" in def && typeof def.discriminator === "string" ? def.discriminator : undefined;
                const tag = discriminator !== undefined ? lookup(value, [discriminator]).value : undefined;
                const option = def.options.find((o) => {
                    const values = o._zod.propValues?.[discriminator ?? ""];
                    return values !== undefined && values.has(tag as never);
                });
                if (!option) return schema;
                schema = option;
                continue;
            }
            default:
                return schema;
        }
    }
    return schema;
}

function objectKeys(schema: Schema | undefined): string[] {
    if (!schema) return [];
    const def = (schema as z.core.$ZodTypes)._zod.def;
    return def.type === "object" ? Object.keys(def.shape) : [];
}

function isInteger(schema: Schema): boolean {
    const def = (schema as z.core.$ZodTypes)._zod.def;
    const format = def.type === "number" && "format" in def ? def.format : undefined;
    return format === "safeint" || format === "int32" || format === "uint32";
}
