// What a config file must be before it is parsed at all (small, text), and what its YAML may not
// do to the loader (expand aliases without end): refused quickly, in plain words, at a position.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadNetworkFile } from "../config/load";
import { MAX_CONFIG_FILE_BYTES } from "../config/read";
import { MAX_ALIAS_VALUES, parseYaml } from "../config/source";
import { configError, networkWith, removeTempDirs, shown, tempDir } from "./fixtures/config/network";

afterAll(removeTempDirs);

function networkFile(content: string | Buffer): string {
    const file = path.join(tempDir(), "network.yaml");
    fs.writeFileSync(file, content);
    return file;
}

/** The valid base network, padded with a comment to exactly `bytes` bytes. */
function paddedNetwork(bytes: number): string {
    const text = networkWith({});
    return `${text}# ${"x".repeat(bytes - Buffer.byteLength(text) - 3)}\n`;
}

describe("a config file is read only when it is small, and text", () => {
    it("a network file of exactly 1 MiB is read", () => {
        const file = networkFile(paddedNetwork(MAX_CONFIG_FILE_BYTES));
        expect(fs.statSync(file).size).toBe(MAX_CONFIG_FILE_BYTES);
        expect(loadNetworkFile(file).name).toBe("atlas");
    });

    it("a network file over 1 MiB is refused before it is parsed, saying the limit and its size", () => {
        const file = networkFile(paddedNetwork(MAX_CONFIG_FILE_BYTES + 1));
        expect(configError(() => loadNetworkFile(file)).message).toBe(
            `${shown(file)}: cannot read network file: the file is too large: 1048577 bytes, over the limit of 1048576 bytes (1 MiB) for a config file`,
        );
    });

    it("a file with a NUL byte is refused as not a text file, saying at which byte", () => {
        const file = networkFile(Buffer.concat([Buffer.from("name: atlas\n"), Buffer.from([0x00, 0x01, 0x9b, 0x1b]), Buffer.from("[2J\n")]));
        expect(configError(() => loadNetworkFile(file)).message).toBe(
            `${shown(file)}: cannot read network file: not a text file: a NUL byte at byte offset 12 (a binary file, or text not in UTF-8)`,
        );
    });

    it("a file that is not UTF-8 is refused at its first undecodable byte, past a U+FFFD written in the file", () => {
        // "name: " (6 bytes), U+FFFD as UTF-8 (3 bytes, valid), "\n", then Latin-1 "é" (0xe9): not UTF-8.
        const file = networkFile(Buffer.concat([Buffer.from("name: \uFFFD\n"), Buffer.from([0x64, 0x6f, 0x6d, 0xe9, 0x0a])]));
        expect(configError(() => loadNetworkFile(file)).message).toBe(
            `${shown(file)}: cannot read network file: not a text file: byte 0xe9 at byte offset 13 is not UTF-8 (a binary file, or text in another encoding)`,
        );
    });
});

// The classic "billion laughs": nine levels of nine aliases, 10^9 values from 9 lines.
const LAUGHS = [
    'lol1: &lol1 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    ...Array.from({ length: 8 }, (_, i) => `lol${i + 2}: &lol${i + 2} [${Array(9).fill(`*lol${i + 1}`).join(", ")}]`),
].join("\n");

describe("YAML aliases", () => {
    it("a billion-laughs file is refused as too many aliases, at the alias that goes over, in plain words", () => {
        const file = networkFile(`${LAUGHS}\n`);
        const started = Date.now();
        const { message } = configError(() => loadNetworkFile(file));
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(message).toBe(
            `${shown(file)}:6:14: too many aliases: up to here they expand to more than ${MAX_ALIAS_VALUES} values, the limit for a config file; ` +
                "write the values out, or use fewer aliases",
        );
        expect(LAUGHS.split("\n")[5].slice(13)).toMatch(/^\*lol5\b/);
        expect(message).not.toMatch(/Error\b/);
    });

    it("an alias to an anchor that is not there is reported at the alias, with no JavaScript error name", () => {
        const file = networkFile(networkWith({ 10: "    chainId: *chain" }));
        expect(configError(() => loadNetworkFile(file)).message).toBe(
            `${shown(file)}:10:14: invalid YAML: alias *chain names no anchor: expected &chain on a value before it`,
        );
    });

    it("a thousand nodes that each merge one mapping of defaults are not mistaken for an alias bomb", () => {
        const nodes = Array.from({ length: 1_200 }, (_, i) => `  - { <<: *defaults, name: v-${i} }`);
        const source = parseYaml(["defaults: &defaults { role: validator, region: fra, storageGiB: 100 }", "nodes:", ...nodes].join("\n"), "net.yaml");
        expect(source.problems).toEqual([]);
        expect((source.value as { nodes: { role: string }[] }).nodes[1_199]).toEqual({ role: "validator", region: "fra", storageGiB: 100, name: "v-1199" });
    });
});

describe("YAML nested past what can be read", () => {
    it("is refused in plain words, not with the runtime's stack-size error", () => {
        const file = path.join(tempDir(), "deep.yaml");
        fs.writeFileSync(file, `name: ${"[".repeat(5000)}${"]".repeat(5000)}\n`);
        const { message } = configError(() => loadNetworkFile(file));
        expect(message).toContain("invalid YAML: nested too deeply");
        expect(message).not.toMatch(/call stack|RangeError/);
    });
});
