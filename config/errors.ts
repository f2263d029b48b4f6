// Configuration problems as a human reads them: file, line:column, key path, and what was
// expected against what was found. Every loader in `stacks/` reports through these types, so
// the CLI and the Pulumi program print the same lines and never a stack trace.
import * as path from "node:path";

export interface Problem {
    /** Absolute path of the file the problem is in. */
    file: string;
    /** 1-based line; absent when the problem is about the file as a whole. */
    line?: number;
    /** 1-based column. */
    column?: number;
    /** Key path inside the file, such as `ledgers.main.nodes[2].name`; "" for the file itself. */
    path: string;
    /** What was expected and what was found. One line. */
    message: string;
}

/** A key path as zod and the YAML walker see it. */
export type KeyPath = readonly (string | number)[];

export class ConfigError extends Error {
    readonly problems: readonly Problem[];

    constructor(problems: readonly Problem[]) {
        const sorted = sortProblems(problems);
        super(formatProblems(sorted));
        this.name = "ConfigError";
        this.problems = Object.freeze(sorted);
        // Whoever prints `err.stack` (Node on an uncaught error, the Pulumi engine) shows the
        // problems only: a trace into the loader tells an operator nothing about their file.
        this.stack = `${this.name}: ${this.message}`;
    }
}

function sortProblems(problems: readonly Problem[]): Problem[] {
    // Array.prototype.sort is stable, so problems on one position keep the order they were found in.
    return [...problems].sort(
        (a, b) =>
            (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
            (a.line ?? 0) - (b.line ?? 0) ||
            (a.column ?? 0) - (b.column ?? 0),
    );
}

/** `<file>:<line>:<col>: <key.path>: <message>`, one line per problem, sorted by position. */
export function formatProblems(problems: readonly Problem[]): string {
    return sortProblems(problems)
        .map((p) => {
            const where = p.line === undefined ? "" : p.column === undefined ? `:${p.line}` : `:${p.line}:${p.column}`;
            const keyPath = p.path === "" ? "" : `${p.path}: `;
            return printable(`${displayFile(p.file)}${where}: ${keyPath}${oneLine(p.message)}`);
        })
        .join("\n");
}

/**
 * How a file is named in a message. Inside the working directory: relative to it
 * (`stacks/networks/atlas.yaml`), which is how the operator wrote it. Anywhere else: the absolute
 * path, as given, because a chain of `../../..` is longer, and harder to read and to paste, than
 * the path itself.
 */
export function displayFile(file: string): string {
    const relative = path.relative(process.cwd(), file);
    if (relative === "") return file;
    const outside = relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
    return outside ? file : relative;
}

function oneLine(message: string): string {
    return message.replace(/\s*\r?\n\s*/g, " ").trim();
}

/**
 * A character that is not seen as what it is: a control (a terminal obeys ESC sequences), a format
 * character (bidi overrides reorder the line, zero-width ones hide), a separator other than the
 * space, a private-use, unassigned or lone surrogate code point, or U+FFFD (what undecodable bytes
 * become).
 */
const UNSEEN = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}\uFFFD]|(?! )\p{Zs}/u;
const EVERY_UNSEEN = new RegExp(UNSEEN.source, "gu");

/** `\uXXXX` for each UTF-16 unit of `char`, as JSON writes it. */
function unicodeEscape(char: string): string {
    return Array.from({ length: char.length }, (_, i) => `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`).join("");
}

/** The line as it may reach a terminal: what a message did not quote, escaped all the same. */
function printable(line: string): string {
    return line.replace(EVERY_UNSEEN, unicodeEscape);
}

/** `ledgers.main.nodes[2].name`; keys that are not plain words are quoted: `a["x.y"]`. */
export function formatKeyPath(keyPath: KeyPath): string {
    let out = "";
    for (const segment of keyPath) {
        if (typeof segment === "number") out += `[${segment}]`;
        else if (/^[A-Za-z0-9_:-]+$/.test(segment)) out += out === "" ? segment : `.${segment}`;
        else out += `[${excerpt(segment)}]`;
    }
    return out;
}

/** How a found value reads in a message: `string "abc"`, `number 3`, `a mapping`. */
export function describeFound(value: unknown): string {
    if (value === undefined) return "nothing";
    if (value === null) return "an empty value";
    if (typeof value === "string") return value === "" ? "an empty string" : `string ${excerpt(value)}`;
    if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
        return `${typeof value} ${String(value)}`;
    }
    if (Array.isArray(value)) return value.length === 0 ? "an empty list" : `a list of ${value.length}`;
    if (isSecureValue(value)) return "a secret (secure:) value";
    if (typeof value === "object") return "a mapping";
    return typeof value;
}

/** The most characters of a value a message shows, between its quotes. */
export const EXCERPT_LENGTH = 40;

/**
 * A value from a file as a message shows it: in double quotes, JSON-escaped, with every character
 * that would not be seen as itself escaped too (`"\u001b[31m"`), and cut to EXCERPT_LENGTH
 * characters: its start and its end around "…", so that two long keys can still be told apart.
 */
export function excerpt(value: string): string {
    // A long value is escaped only at its ends: a megabyte of junk is not copied to show 40 characters of it.
    const long = value.length > 4 * EXCERPT_LENGTH;
    const chars = escapedChars(long ? value.slice(0, 2 * EXCERPT_LENGTH) : value);
    if (!long && chars.join("").length <= EXCERPT_LENGTH) return `"${chars.join("")}"`;
    const start = fit(chars, EXCERPT_LENGTH - 13);
    const rest = long ? escapedChars(value.slice(-2 * EXCERPT_LENGTH)) : chars.slice(start.length);
    const end = fit(rest.reverse(), 12).reverse();
    return `"${start.join("")}…${end.join("")}"`;
}

/** A name from a file in a message: `'val-1'` when it is plain, else as an excerpt. */
export function quotedName(name: string): string {
    return /^[\x20-\x26\x28-\x7e]{1,40}$/.test(name) ? `'${name}'` : excerpt(name);
}

/** The characters of `text`, each as it is written between double quotes in a message. */
function escapedChars(text: string): string[] {
    return Array.from(text, (char) => {
        if (char === '"' || char === "\\") return `\\${char}`;
        if (char === "\n") return "\\n";
        if (char === "\t") return "\\t";
        if (char === "\r") return "\\r";
        return UNSEEN.test(char) ? unicodeEscape(char) : char;
    });
}

/** The leading pieces whose total length is at most `length`. */
function fit(pieces: readonly string[], length: number): string[] {
    const out: string[] = [];
    let used = 0;
    for (const piece of pieces) {
        if (used + piece.length > length) break;
        out.push(piece);
        used += piece.length;
    }
    return out;
}

/** A Pulumi secret in a stack file: `{ secure: "v1:..." }`. */
export function isSecureValue(value: unknown): boolean {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
    const keys = Object.keys(value);
    return keys.length === 1 && keys[0] === "secure";
}

/** "a", "a or b", "a, b or c". */
export function orList(items: readonly string[]): string {
    if (items.length <= 1) return items.join("");
    return `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** The candidate a mistyped word most likely meant, if one is close enough to be a typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
    const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of candidates) {
        if (candidate === word) continue;
        const d = candidate.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word, candidate);
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    return bestDistance <= limit ? best : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
    const rows: number[][] = [];
    for (let i = 0; i <= a.length; i++) {
        rows.push([i]);
        for (let j = 1; j <= b.length; j++) rows[i].push(i === 0 ? j : 0);
    }
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
            rows[i][j] = d;
        }
    }
    return rows[a.length][b.length];
}

/** ` (did you mean 'x'?)` when a candidate is close, else "". */
export function didYouMean(word: string, candidates: Iterable<string>): string {
    const guess = closest(word, candidates);
    return guess === undefined ? "" : ` (did you mean '${guess}'?)`;
}
