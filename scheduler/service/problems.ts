// Configuration problems as an operator reads them: `file:line:col: key.path: message`, the
// format the rest of ledgerfleet prints (config/errors.ts). The service keeps its own small copy
// of the locating part because its bundle (scheduler/Dockerfile) may import nothing outside
// scheduler/service/ and npm packages.
import * as path from "node:path";
import { isMap, isSeq, LineCounter, parseDocument, type Node } from "yaml";

export interface Problem {
    /** Absolute path of the file the problem is in. */
    readonly file: string;
    /** 1-based; absent when the problem is about the file as a whole. */
    readonly line?: number;
    readonly column?: number;
    /** Key path such as `tenants[1].weight`; "" for the file itself. */
    readonly path: string;
    readonly message: string;
}

export type KeyPath = readonly (string | number)[];

/** A configuration the service refuses: at start it exits 2, on reload it keeps the last good one. */
export class SchedulerConfigError extends Error {
    readonly problems: readonly Problem[];

    constructor(problems: readonly Problem[]) {
        const sorted = [...problems].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
        super(sorted.map(formatProblem).join("\n"));
        this.name = "SchedulerConfigError";
        this.problems = sorted;
        // The problems are the whole story: a trace into the loader tells an operator nothing.
        this.stack = `${this.name}: ${this.message}`;
    }
}

export function formatProblem(p: Problem): string {
    const where = p.line === undefined ? "" : p.column === undefined ? `:${p.line}` : `:${p.line}:${p.column}`;
    const keyPath = p.path === "" ? "" : `${p.path}: `;
    // Control characters from a file would reach the operator's terminal: shown escaped.
    const message = p.message.replace(/\s*\r?\n\s*/g, " ").replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    return `${displayFile(p.file)}${where}: ${keyPath}${message}`;
}

/** Relative to the working directory when the file is under it (as the operator typed it), else absolute. */
function displayFile(file: string): string {
    const relative = path.relative(process.cwd(), file);
    return relative === "" || relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

/** `tenants[1].methods.allow[0]`; keys that are not plain words are quoted. */
export function formatKeyPath(keyPath: KeyPath): string {
    let out = "";
    for (const segment of keyPath) {
        if (typeof segment === "number") out += `[${segment}]`;
        else if (/^[A-Za-z0-9_-]+$/.test(segment)) out += out === "" ? segment : `.${segment}`;
        else out += `[${JSON.stringify(segment)}]`;
    }
    return out;
}

/** How a value from the file reads in a message: `"abc"`, `-1`, `a mapping`. */
export function describe(value: unknown): string {
    if (value === undefined) return "nothing";
    if (value === null) return "an empty value";
    if (typeof value === "string") return value === "" ? "an empty string" : JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    if (Array.isArray(value)) return value.length === 0 ? "an empty list" : `a list of ${value.length}`;
    return typeof value === "object" ? "a mapping" : typeof value;
}

export interface YamlFile {
    readonly file: string;
    /** The document as plain JS; undefined when it could not be read. */
    readonly value: unknown;
    /** Syntax errors and duplicate keys, located. When not empty, `value` is not to be trusted. */
    readonly problems: Problem[];
    /** A problem at the line of `keyPath`, or of the deepest part of it that is in the file. */
    at(keyPath: KeyPath, message: string): Problem;
}

export function parseYamlFile(text: string, file: string): YamlFile {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: true });
    const position = (offset: number) => {
        const { line, col } = lineCounter.linePos(offset);
        return { line, column: col };
    };
    const problems: Problem[] = doc.errors.map((error) => ({
        file,
        ...position(error.pos[0]),
        path: "",
        message: `invalid YAML: ${error.message.replace(/ at line \d+, column \d+:[\s\S]*$/, "").trim()}`,
    }));
    let value: unknown;
    if (problems.length === 0) {
        try {
            value = doc.toJS();
        } catch (error) {
            problems.push({ file, path: "", message: `invalid YAML: ${error instanceof Error ? error.message : String(error)}` });
        }
    }
    const locate = (keyPath: KeyPath): { line: number; column: number } => {
        let node: unknown = doc.contents;
        let found: Node | undefined = doc.contents ?? undefined;
        for (const segment of keyPath) {
            if (isMap(node)) {
                const pair = node.items.find((item) => String((item.key as { value?: unknown } | null)?.value ?? item.key) === String(segment));
                if (!pair) break;
                found = (pair.key as Node | null) ?? found;
                node = pair.value;
                // Point at the value when it is there, at its key when it is not (`weight:`).
                if (node && (node as Node).range) found = node as Node;
            } else if (isSeq(node) && typeof segment === "number" && segment < node.items.length) {
                node = node.items[segment];
                if (node && (node as Node).range) found = node as Node;
            } else {
                break;
            }
        }
        return found?.range ? position(found.range[0]) : { line: 1, column: 1 };
    };
    return { file, value, problems, at: (keyPath, message) => ({ file, ...locate(keyPath), path: formatKeyPath(keyPath), message }) };
}
