// A YAML file parsed with its positions, so that a problem found in the plain JS value (by zod or
// a semantic check) can be reported at the line and column where the operator wrote it.
import { isAlias, isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Alias, type Document, type Node, type Pair, type YAMLError } from "yaml";
import { formatKeyPath, quotedName, type KeyPath, type Problem } from "./errors";

/**
 * The most values aliases may add to a file. A `<<: *defaults` of ten keys in each of 1,000 nodes
 * adds about 21,000; a "billion laughs" file, a few lines of aliases of aliases, would add 10^9 and
 * take every later step (the schema, the checks) with it.
 */
export const MAX_ALIAS_VALUES = 100_000;
const TOO_MANY_ALIASES =
    `too many aliases: up to here they expand to more than ${MAX_ALIAS_VALUES} values, the limit for a config file; ` +
    "write the values out, or use fewer aliases";

/** Where to point for a key path: at the value written there, or at its key. */
export type Target = "value" | "key";

export interface YamlSource {
    readonly file: string;
    /** The document as plain JS (mappings are objects); undefined when it has syntax errors. */
    readonly value: unknown;
    /** Syntax errors and duplicate keys, already located. */
    readonly problems: Problem[];
    /** True when the document could not be read at all (syntax errors): do not validate `value`. */
    readonly unreadable: boolean;
    /**
     * A problem at `keyPath`. When the path does not exist in the file (a missing key), the
     * problem points at the deepest part that does, i.e. the mapping the key belongs in.
     */
    problemAt(keyPath: KeyPath, message: string, target?: Target): Problem;
    /** The line `keyPath` is written on, if it is in the file. */
    lineOf(keyPath: KeyPath): number | undefined;
}

interface Step {
    /** The key node that led here (for a mapping entry). */
    key?: Node;
    node: Node | null;
    /** Whether the whole path was found. */
    complete: boolean;
}

export function parseYaml(text: string, file: string): YamlSource {
    const lineCounter = new LineCounter();
    // Duplicate keys are found below with their key path, so they read "duplicate region id"
    // rather than the parser's generic message, and do not stop validation of the rest.
    const doc = parseDocument(text, { lineCounter, uniqueKeys: false, merge: true, prettyErrors: true });

    const position = (offset: number): { line: number; column: number } => {
        const { line, col } = lineCounter.linePos(offset);
        return { line, column: col };
    };
    const nodePosition = (node: Node | null | undefined): { line: number; column: number } =>
        node?.range ? position(node.range[0]) : { line: 1, column: 1 };

    const syntaxProblem = (error: YAMLError, message: string): Problem => {
        const at = error.linePos?.[0];
        return { file, ...(at ? { line: at.line, column: at.col } : position(error.pos[0])), path: "", message };
    };
    // A tab in indentation confuses the parser about everything after it: the tab is the one problem
    // to fix, and the errors that follow from it would only hide it.
    const firstTab = doc.errors.filter((error) => error.code === "TAB_AS_INDENT").sort((a, b) => a.pos[0] - b.pos[0])[0];
    const problems: Problem[] = firstTab
        ? [syntaxProblem(firstTab, "tabs are not allowed for indentation in YAML; use spaces")]
        : doc.errors.map((error) => syntaxProblem(error, `invalid YAML: ${plainWords(stripContext(error.message))}`));
    let unreadable = problems.length > 0;

    const walk = (keyPath: KeyPath): Step => {
        let step: Step = { node: doc.contents, complete: true };
        for (const segment of keyPath) {
            const node = resolveAlias(doc, step.node);
            if (isMap(node)) {
                const pair = findPair(doc, node.items, String(segment));
                if (!pair) return { ...step, node, complete: false };
                step = { key: pair.key as Node, node: (pair.value as Node | null) ?? null, complete: true };
            } else if (isSeq(node) && typeof segment === "number" && segment < node.items.length) {
                step = { node: node.items[segment] as Node | null, complete: true };
            } else {
                return { ...step, complete: false };
            }
        }
        return step;
    };

    const locate = (keyPath: KeyPath, target: Target): { line: number; column: number } => {
        const step = walk(keyPath);
        // A missing key, or a key with no value (`key:`): point at the key that is there.
        if (!step.complete || target === "key" || step.node === null || !step.node.range) {
            return nodePosition(step.key ?? step.node);
        }
        return nodePosition(step.node);
    };

    let value: unknown;
    const badAlias = unreadable ? undefined : aliasProblem(doc);
    if (badAlias) {
        problems.push({ file, ...nodePosition(badAlias.alias), path: "", message: badAlias.message });
        unreadable = true;
    } else if (!unreadable) {
        problems.push(...duplicateKeys(doc, file, nodePosition));
        try {
            // aliasProblem bounds what aliases add; the parser's own count (maxAliasCount), which
            // refuses a 1,001st `<<: *defaults`, is off.
            value = doc.toJS({ maxAliasCount: -1 });
        } catch (error) {
            problems.push({ file, path: "", message: `invalid YAML: ${plainWords(error instanceof Error ? error.message : String(error))}` });
            unreadable = true;
        }
    }

    return {
        file,
        value,
        problems,
        unreadable,
        problemAt: (keyPath, message, target = "value") => ({
            file,
            ...locate(keyPath, target),
            path: formatKeyPath(keyPath),
            message,
        }),
        lineOf: (keyPath) => {
            const step = walk(keyPath);
            return step.complete ? locate(keyPath, "key").line : undefined;
        },
    };
}

/** The parser appends " at line 3, column 5:" and a code frame; the position is reported apart. */
function stripContext(message: string): string {
    return message.replace(/ at line \d+, column \d+:[\s\S]*$/, "").trim();
}

function resolveAlias(doc: Document, node: Node | null): Node | null {
    return isAlias(node) ? ((node.resolve(doc) as Node | undefined) ?? null) : node;
}

function keyText(key: unknown): string {
    return isScalar(key) ? String(key.value) : String(key);
}

/** The entry that provides `key` as toJS sees it: the last one written, else one merged in by `<<`. */
function findPair(doc: Document, items: readonly Pair[], key: string): Pair | undefined {
    for (let i = items.length - 1; i >= 0; i--) {
        if (keyText(items[i].key) === key) return items[i];
    }
    for (const item of items) {
        if (keyText(item.key) !== "<<") continue;
        const sources = isSeq(item.value) ? item.value.items : [item.value];
        for (const source of sources) {
            const merged = resolveAlias(doc, source as Node | null);
            if (isMap(merged)) {
                const pair = findPair(doc, merged.items as Pair[], key);
                if (pair) return pair;
            }
        }
    }
    return undefined;
}

/** What a repeated key under a mapping means to an operator. */
function duplicateNoun(parent: KeyPath): string {
    if (parent.length === 1 && parent[0] === "regions") return "region id";
    if (parent.length === 1 && parent[0] === "ledgers") return "ledger";
    return "key";
}

function duplicateKeys(
    doc: Document,
    file: string,
    nodePosition: (node: Node | null | undefined) => { line: number; column: number },
): Problem[] {
    const problems: Problem[] = [];
    const visit = (node: unknown, keyPath: (string | number)[]): void => {
        if (isMap(node)) {
            const seen = new Map<string, Node>();
            for (const pair of node.items) {
                const key = keyText(pair.key);
                const first = seen.get(key);
                if (first) {
                    problems.push({
                        file,
                        ...nodePosition(pair.key as Node),
                        path: formatKeyPath([...keyPath, key]),
                        message: `duplicate ${duplicateNoun(keyPath)} ${quotedName(key)}: first defined at line ${nodePosition(first).line}`,
                    });
                } else {
                    seen.set(key, pair.key as Node);
                }
                visit(pair.value, [...keyPath, key]);
            }
        } else if (isSeq(node)) {
            node.items.forEach((item, index) => visit(item, [...keyPath, index]));
        }
    };
    visit(doc.contents, []);
    return problems;
}

/**
 * The first alias that names no anchor before it, or at which the values that aliases add to the
 * file pass MAX_ALIAS_VALUES. An alias adds as many values as its anchor's node holds once expanded;
 * each node is measured once, so a file of aliases of aliases is measured without expanding it.
 */
function aliasProblem(doc: Document): { alias: Alias; message: string } | undefined {
    // Resolved in one pass in file order (Alias.resolve walks the whole document for every alias).
    const anchors = new Map<string, Node>();
    const targets = new Map<Alias, Node>();
    const sizes = new Map<unknown, number>();
    const open = new Set<unknown>();
    const size = (node: unknown): number => {
        if (isAlias(node)) {
            const target = targets.get(node);
            return target === undefined ? 1 : size(target);
        }
        if (!isMap(node) && !isSeq(node) && !isPair(node)) return 1;
        const known = sizes.get(node);
        if (known !== undefined) return known;
        // An anchor inside its own node (`&a [*a]`) makes a circular value, not an endless one.
        if (open.has(node)) return 1;
        open.add(node);
        const total = isPair(node) ? size(node.key) + size(node.value) : (node.items as unknown[]).reduce<number>((sum, item) => sum + size(item), 1);
        open.delete(node);
        sizes.set(node, total);
        return total;
    };
    let added = 0;
    let problem: { alias: Alias; message: string } | undefined;
    visit(doc, (_, node) => {
        if (isAlias(node)) {
            const target = anchors.get(node.source);
            if (target === undefined) {
                problem = { alias: node, message: `invalid YAML: alias *${node.source} names no anchor: expected &${node.source} on a value before it` };
                return visit.BREAK;
            }
            targets.set(node, target);
            added += size(node);
            if (added <= MAX_ALIAS_VALUES) return undefined;
            problem = { alias: node, message: TOO_MANY_ALIASES };
            return visit.BREAK;
        }
        if (isNode(node) && node.anchor !== undefined) anchors.set(node.anchor, node);
        return undefined;
    });
    return problem;
}

/** What the runtime says when a file nests too deeply for it, in words an operator can act on. */
function plainWords(message: string): string {
    return /Maximum call stack size exceeded/i.test(message) ? "nested too deeply (collections within collections beyond what can be read)" : message;
}
