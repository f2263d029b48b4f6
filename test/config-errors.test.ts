// What an operator sees when a network file is wrong: file, line:column, key path, and what was
// expected against what was found, for every problem at once.
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatProblems, loadNetworkFile, parseNetworkText } from "../config/load";
import { configError, networkWith, removeTempDirs, shown, writeFiles } from "./fixtures/config/network";

afterAll(removeTempDirs);

/** Writes the network text to a temp file and returns the loader's formatted message for it. */
function problemsIn(text: string): { file: string; message: string; lines: string[] } {
    const file = path.join(writeFiles({ "network.yaml": text }), "network.yaml");
    const { message } = configError(() => loadNetworkFile(file));
    return { file: shown(file), message, lines: message.split("\n") };
}

// A valid secp256k1 public key (the generator point G) and a 64-byte value that is no curve point.
const G = "0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8";
const OFF_CURVE = `0x${"00".repeat(63)}01`;

describe("network file problems", () => {
    it("the base fixture is valid, so each test below shows exactly its own mistake", () => {
        const network = parseNetworkText(networkWith({}), "network.yaml");
        expect(network.ledgers.main.nodes).toHaveLength(5);
    });

    it("a YAML syntax error is reported with the parser's line and column", () => {
        const { file, lines } = problemsIn(networkWith({ 4: "  fra: { cloud: existing, kubeconfigContext: fra" }));
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(new RegExp(`^${escape(file)}:\\d+:\\d+: invalid YAML: `));
        expect(lines[0]).not.toContain("\n");
    });

    it("an unknown key names the key and suggests the one that was meant", () => {
        const { file, lines } = problemsIn(networkWith({ 13: "      - { name: val-1, role: validator, regoin: fra }" }));
        expect(lines).toContain(`${file}:13:41: ledgers.main.nodes[0].regoin: unknown key 'regoin' (did you mean 'region'?)`);
        // the key it replaced is now missing: reported at the node's mapping
        expect(lines).toContain(`${file}:13:9: ledgers.main.nodes[0].region: missing required key 'region': expected a string`);
    });

    it("an unknown key with no close match lists the keys that are allowed", () => {
        const { file, lines } = problemsIn(networkWith({ 2: "domain: atlas.ledger.example\nowner: ops" }));
        expect(lines).toContain(`${file}:3:1: owner: unknown key 'owner'; expected one of: name, domain, regions, ledgers, tenants, netRestrict, apiAllowList, dns, scheduler`);
    });

    it("a value of the wrong type says what was expected and what was found", () => {
        const { file, lines } = problemsIn(networkWith({ 10: '    chainId: "1337"' }));
        expect(lines).toEqual([`${file}:10:14: ledgers.main.chainId: expected an integer, found string "1337"`]);
    });

    it("a value outside an enum lists the allowed values", () => {
        const { file, lines } = problemsIn(networkWith({ 15: "      - { name: val-3, role: validatr, region: ams, address: 198.51.100.15 }" }));
        expect(lines).toContain(`${file}:15:30: ledgers.main.nodes[2].role: expected "validator" or "rpc", found string "validatr"`);
    });

    it("a duplicate node name within a ledger says where the first one is", () => {
        const { file, lines } = problemsIn(networkWith({ 14: "      - { name: val-1, role: validator, region: fra, address: 198.51.100.14 }" }));
        expect(lines).toEqual([
            `${file}:14:17: ledgers.main.nodes[1].name: duplicate node name 'val-1' in ledger 'main': first used by nodes[0], line 13`,
        ]);
    });

    it("a duplicate region id is reported as such, and other problems still are", () => {
        const { file, lines } = problemsIn(
            networkWith({ 5: "  ams: { cloud: existing, kubeconfigContext: ams, egressAddresses: [203.0.113.2] }\n  fra: { cloud: existing, kubeconfigContext: fra2, egressAddresses: [203.0.113.3] }", 10: "    chainId: -1" }),
        );
        expect(lines).toEqual([
            `${file}:6:3: regions.fra: duplicate region id 'fra': first defined at line 4`,
            `${file}:11:14: ledgers.main.chainId: expected a number >= 1, found number -1`,
        ]);
    });

    it("any other duplicate key is reported with its path", () => {
        const { file, lines } = problemsIn(networkWith({ 10: "    chainId: 1337\n    chainId: 1338" }));
        expect(lines).toEqual([`${file}:11:5: ledgers.main.chainId: duplicate key 'chainId': first defined at line 10`]);
    });

    it("a QBFT ledger with fewer than 4 validators is rejected with its count", () => {
        const { file, lines } = problemsIn(networkWith({ 16: "      - { name: rpc-2, role: rpc, region: ams, address: 198.51.100.16 }" }));
        expect(lines).toEqual([
            `${file}:12:5: ledgers.main.nodes: QBFT needs at least 4 validators (n >= 3f+1 with f >= 1), found 3`,
        ]);
    });

    it("a public key that is not a point on secp256k1 is reported at the key", () => {
        const { file, lines } = problemsIn(networkWith({ 13: `      - { name: val-1, role: validator, region: fra, publicKey: "${OFF_CURVE}", address: 198.51.100.13 }` }));
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(
            new RegExp(`^${escape(file)}:13:65: ledgers\\.main\\.nodes\\[0\\]\\.publicKey: expected a public key on the secp256k1 curve, .*found string "0x0000`),
        );
    });

    it("a malformed public key is reported once, as malformed", () => {
        const { file, lines } = problemsIn(networkWith({ 13: '      - { name: val-1, role: validator, region: fra, publicKey: "0x1234", address: 198.51.100.13 }' }));
        expect(lines).toEqual([
            `${file}:13:65: ledgers.main.nodes[0].publicKey: expected a 64-byte secp256k1 public key as 0x-prefixed hex (128 hex digits, as \`besu public-key export\` prints), found string "0x1234"`,
        ]);
    });

    it("two nodes of a ledger with the same public key are rejected", () => {
        const { file, lines } = problemsIn(
            networkWith({
                13: `      - { name: val-1, role: validator, region: fra, publicKey: "${G}", address: 198.51.100.13 }`,
                14: `      - { name: val-2, role: validator, region: fra, publicKey: "0x04${G.slice(2).toUpperCase()}", address: 198.51.100.14 }`,
            }),
        );
        expect(lines).toEqual([
            `${file}:14:65: ledgers.main.nodes[1].publicKey: public key already used by node 'val-1' (nodes[0], line 13): every node needs its own key`,
        ]);
    });

    it("a node in a region that is not defined lists the regions", () => {
        const { file, lines } = problemsIn(networkWith({ 15: "      - { name: val-3, role: validator, region: amx, address: 198.51.100.15 }" }));
        expect(lines).toEqual([
            `${file}:15:49: ledgers.main.nodes[2].region: expected a region id defined under 'regions' (fra, ams), found 'amx' (did you mean 'ams'?)`,
        ]);
    });

    it("tenant problems: unknown ledger, both ledger and dedicated, neither, duplicate id", () => {
        const { file, lines } = problemsIn(
            networkWith({
                19: [
                    "  - { id: loyalty, ledger: mian, tps: 10 }",
                    "  - { id: loyalty, ledger: main, dedicated: { validators: 4 }, tps: 5 }",
                    "  - { id: payroll, tps: 5 }",
                ].join("\n"),
            }),
        );
        expect(lines).toEqual([
            `${file}:19:28: tenants[0].ledger: expected a ledger defined under 'ledgers' (main), found 'mian' (did you mean 'main'?)`,
            `${file}:20:11: tenants[1].id: duplicate tenant id 'loyalty': first used by tenants[0], line 19`,
            `${file}:20:34: tenants[1].dedicated: expected either 'ledger' (share a ledger) or 'dedicated' (a ledger of its own), found both`,
            `${file}:21:5: tenants[2]: expected either 'ledger: <name>' (share a ledger) or 'dedicated: { validators: <n> }' (a ledger of its own), found neither`,
        ]);
    });

    it("a file with three different problems reports all three at once, in file order", () => {
        const { file, lines } = problemsIn(
            networkWith({
                4: "  fra: { cloud: existing, kubeconfigContext: fra, storageClas: fast, egressAddresses: [203.0.113.1] }",
                10: "    chainId: twelve",
                14: "      - { name: val-1, role: validator, region: fra, address: 198.51.100.14 }",
            }),
        );
        expect(lines).toEqual([
            `${file}:4:51: regions.fra.storageClas: unknown key 'storageClas' (did you mean 'storageClass'?)`,
            `${file}:10:14: ledgers.main.chainId: expected an integer, found string "twelve"`,
            `${file}:14:17: ledgers.main.nodes[1].name: duplicate node name 'val-1' in ledger 'main': first used by nodes[0], line 13`,
        ]);
    });

    it("problems carry structured positions, and the formatted text has no stack trace", () => {
        const error = configError(() => parseNetworkText(networkWith({ 10: "    chainId: 0" }), "stacks/networks/x.yaml"));
        expect(error.problems).toEqual([
            {
                file: path.resolve("stacks/networks/x.yaml"),
                line: 10,
                column: 14,
                path: "ledgers.main.chainId",
                message: "expected a number >= 1, found number 0",
            },
        ]);
        expect(error.message).toBe("stacks/networks/x.yaml:10:14: ledgers.main.chainId: expected a number >= 1, found number 0");
        for (const text of [error.message, formatProblems(error.problems), String(error.stack)]) {
            expect(text).not.toMatch(/^\s+at /m);
        }
    });

    it("an empty file says what a network file must contain", () => {
        const { file, lines } = problemsIn("");
        expect(lines).toEqual([`${file}:1:1: expected a mapping, found an empty value`]);
    });
});

describe("what a message shows of a file", () => {
    it("a file outside the working directory is named by its absolute path, one inside it relative to it", () => {
        const outside = path.resolve(process.cwd(), "..", "elsewhere", "net.yaml");
        const inside = path.resolve("stacks", "networks", "atlas.yaml");
        const at = { line: 1, column: 1, path: "", message: "expected x" };
        expect(formatProblems([{ file: outside, ...at }])).toBe(`${outside}:1:1: expected x`);
        expect(formatProblems([{ file: inside, ...at }])).toBe(`${path.join("stacks", "networks", "atlas.yaml")}:1:1: expected x`);

        const { file, message } = problemsIn(networkWith({ 10: "    chainId: 0" }));
        expect(path.isAbsolute(file)).toBe(true);
        expect(message).toMatch(new RegExp(`^${escape(file)}:10:14: `));
        expect(message).not.toContain("..");
    });

    it("control characters and junk in a value are shown escaped, in an excerpt of at most 40 characters", () => {
        const junk = `\u001b[31mred\u0007\u202e${"x".repeat(5000)}\u009b`;
        const { file, message, lines } = problemsIn(networkWith({ 2: `domain: ${junk}` }));
        // Not a DNS domain, and too long: both say what they found the same way.
        expect(lines).toHaveLength(2);
        for (const line of lines) {
            expect(line.startsWith(`${file}:2:9: domain: `)).toBe(true);
            const found = /found .*string "(.*)"\)?$/.exec(line)?.[1];
            expect(found).toBe("\\u001b[31mred\\u0007\\u202exx…xxxxxx\\u009b");
            expect(found!.length).toBeLessThanOrEqual(40);
        }
        expect(message).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    });

    it("a key of control characters is shown escaped, in its path and in its message", () => {
        const { file, lines } = problemsIn(networkWith({ 2: 'domain: atlas.ledger.example\n"\\e]0;pwned\\a": 1' }));
        expect(lines).toEqual([
            `${file}:3:1: ["\\u001b]0;pwned\\u0007"]: unknown key "\\u001b]0;pwned\\u0007"; expected one of: name, domain, regions, ledgers, tenants, netRestrict, apiAllowList, dns, scheduler`,
        ]);
    });

    it("a tab in indentation is reported once, at the tab, in plain words, and nothing else", () => {
        const { file, lines } = problemsIn(networkWith({ 13: "\t- { name: val-1, role: validator, region: fra, address: 198.51.100.13 }" }));
        expect(lines).toEqual([`${file}:13:1: tabs are not allowed for indentation in YAML; use spaces`]);
    });

    it("a QBFT ledger with no nodes at all says it needs 4 validators, once", () => {
        const { file, lines } = problemsIn(networkWith({ 12: "    nodes: []", 13: "", 14: "", 15: "", 16: "", 17: "" }));
        expect(lines.filter((line) => /validator|item/.test(line))).toEqual([
            `${file}:12:5: ledgers.main.nodes: QBFT needs at least 4 validators (n >= 3f+1 with f >= 1), found 0`,
        ]);
    });
});

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
