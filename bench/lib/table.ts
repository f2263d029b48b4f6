// A markdown table with padded columns, readable as plain text and pasteable as markdown.

export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
    const escape = (cell: string) => cell.replace(/\|/g, "\\|");
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => escape(r[i] ?? "").length)));
    const line = (cells: readonly string[]) => `| ${widths.map((w, i) => escape(cells[i] ?? "").padEnd(w)).join(" | ")} |`;
    return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)];
}

/** A number for the table: NaN as "n/a", integers from 100 up without decimals. */
export function figure(value: number, decimals = 1): string {
    if (!Number.isFinite(value)) return "n/a";
    return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(decimals);
}

export function ratio(value: number, base: number): string {
    return base > 0 && Number.isFinite(value) && Number.isFinite(base) ? `${(value / base).toFixed(2)}x` : "n/a";
}
