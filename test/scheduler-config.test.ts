// The scheduler's config file and keys file as an operator writes them: what is accepted, with
// which defaults, and what is refused with file, line and key path. Plus the two commands.
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { keyHash, registerSchedulerCommands } from "../cli/scheduler";
import { loadConfig, RefusedConfig } from "../scheduler/service/config";
import { makeTempDir, removeTempDirs } from "./fixtures/temp-dirs";

afterAll(removeTempDirs);

const HASH_A = "a".repeat(64);
const HASH_B = "b".repeat(64);

/** Writes `files` (name -> text) to a fresh folder; returns the path of the first. */
function write(files: Record<string, string>): string {
    const dir = makeTempDir("scheduler-config");
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, Object.keys(files)[0]);
}

/** The problems a config is refused with, one `file:line:col: key.path: message` each. */
function refusal(files: Record<string, string>): string[] {
    const file = write(files);
    try {
        loadConfig(file);
    } catch (err) {
        if (err instanceof RefusedConfig) return err.message.split("\n");
        throw err;
    }
    throw new Error("the config was accepted");
}

const MINIMAL = `listen: { host: 127.0.0.1, port: 8080 }
ledgers:
  main: { upstreams: ["http://127.0.0.1:8545", "http://127.0.0.1:8546"], health: besu }
tenants:
  - { id: loyalty, ledger: main, keySha256: "${HASH_A}", rps: 200, tps: 10, weight: 1 }
  - { id: payments, ledger: main, keySha256: "${HASH_B}", rps: 400, tps: 25, weight: 2, methods: { allow: [debug_traceTransaction] } }
`;

describe("scheduler config", () => {
    it("the issue's file works as written, with the documented defaults for the rest", () => {
        const { config } = loadConfig(write({ "scheduler.yaml": MINIMAL }));
        expect(config.listen).toEqual({ host: "127.0.0.1", port: 8080 });
        expect(config.ledgers).toEqual([{ id: "main", upstreams: ["http://127.0.0.1:8545", "http://127.0.0.1:8546"], health: "besu" }]);
        expect(config.tenants[1]).toEqual({ id: "payments", ledger: "main", keyHashes: [HASH_B], rps: 400, tps: 25, weight: 2, allow: ["debug_traceTransaction"] });
        expect(config.replicas).toBe(1);
        expect(config.limits).toEqual({ bodyBytes: 1048576, batchSize: 100, upstreamTimeoutMs: 10000, queueLength: 256, inFlightPerUpstream: 64, shutdownMs: 20000 });
        expect(config.health).toEqual({ intervalMs: 2000, failures: 2 });
        expect(config.reload).toEqual({ intervalMs: 1000 });
    });

    it("a tenant without rps gets the network file's default (10 x tps, at least 50) and health defaults to eth_blockNumber", () => {
        const { config } = loadConfig(
            write({ "s.yaml": `ledgers: { main: { upstreams: ["http://n:8545"] } }\ntenants:\n  - { id: a, ledger: main, keySha256: "${HASH_A}", tps: 2 }\n  - { id: b, ledger: main, keySha256: "${HASH_B}", tps: 20 }\n` }),
        );
        expect(config.tenants.map((t) => t.rps)).toEqual([50, 200]);
        expect(config.ledgers[0].health).toBe("eth_blockNumber");
    });

    it("merges the keys file with the inline hashes; a key for a tenant not (yet) in the config is only a warning", () => {
        const loaded = loadConfig(
            write({
                "s.yaml": `ledgers: { main: { upstreams: ["http://n:8545"] } }\nkeys: { file: keys.yaml }\ntenants:\n  - { id: loyalty, ledger: main, keySha256: "${HASH_A}", tps: 1 }\n  - { id: payments, ledger: main, tps: 1 }\n`,
                "keys.yaml": `loyalty: "${"c".repeat(64)}"\npayments: ["${HASH_B.toUpperCase()}", "${"d".repeat(64)}"]\nnewcomer: "${"e".repeat(64)}"\n`,
            }),
        );
        expect(loaded.config.tenants.map((t) => [...t.keyHashes].sort())).toEqual([[HASH_A, "c".repeat(64)], [HASH_B, "d".repeat(64)]]);
        expect(loaded.warnings).toEqual([expect.stringContaining("tenant 'newcomer'")]);
        expect(loaded.sources.map((s) => path.basename(s.file))).toEqual(["s.yaml", "keys.yaml"]);
    });

    it("refuses an unknown field, naming file, line and key path", () => {
        const [problem] = refusal({ "s.yaml": MINIMAL.replace("weight: 1 }", "weight: 1, colour: blue }") });
        expect(problem).toMatch(/s\.yaml:5:\d+: tenants\[0\]\.colour: unknown field 'colour'/);
    });

    it("refuses a weight of zero or below", () => {
        expect(refusal({ "s.yaml": MINIMAL.replace("weight: 2", "weight: 0") })).toEqual([expect.stringMatching(/s\.yaml:6:\d+: tenants\[1\]\.weight: expected a weight above 0.*found 0/)]);
        expect(refusal({ "s.yaml": MINIMAL.replace("weight: 1", "weight: -1") })).toEqual([expect.stringMatching(/:5:\d+: tenants\[0\]\.weight: .*found -1/)]);
    });

    it("refuses a duplicate tenant id", () => {
        const problems = refusal({ "s.yaml": MINIMAL.replace("id: payments", "id: loyalty") });
        expect(problems).toEqual([expect.stringMatching(/:6:\d+: tenants\[1\]\.id: duplicate tenant id 'loyalty': already used by tenants\[0\]/)]);
    });

    it("refuses two tenants with the same key hash, inline or in the keys file", () => {
        expect(refusal({ "s.yaml": MINIMAL.replace(HASH_B, HASH_A) })).toEqual([expect.stringMatching(/:6:\d+: tenants\[1\]\.keySha256: duplicate key hash: tenant 'payments' has the same key as tenant 'loyalty'/)]);
        const problems = refusal({
            "s.yaml": `ledgers: { main: { upstreams: ["http://n:8545"] } }\nkeys: { file: keys.yaml }\ntenants:\n  - { id: loyalty, ledger: main, keySha256: "${HASH_A}", tps: 1 }\n  - { id: payments, ledger: main, tps: 1 }\n`,
            "keys.yaml": `payments: "${HASH_A}"\n`,
        });
        expect(problems).toEqual([expect.stringMatching(/keys\.yaml:1:\d+: payments: duplicate key hash: tenant 'payments' has the same key as tenant 'loyalty'/)]);
    });

    it("refuses a tenant naming a ledger the config does not have, or none at all", () => {
        expect(refusal({ "s.yaml": MINIMAL.replace("ledger: main, keySha256", "ledger: mian, keySha256") })).toEqual([
            expect.stringMatching(/:5:\d+: tenants\[0\]\.ledger: tenant 'loyalty' names ledger 'mian', which is not under ledgers: \(main\)/),
        ]);
        expect(refusal({ "s.yaml": MINIMAL.replace("ledger: main, keySha256", "keySha256") })).toEqual([expect.stringMatching(/:5:\d+: tenants\[0\]\.ledger: required/)]);
    });

    it("refuses a tenant with no key hash at all", () => {
        const problems = refusal({ "s.yaml": MINIMAL.replace(`keySha256: "${HASH_B}", `, "") });
        expect(problems).toEqual([expect.stringMatching(/:6:\d+: tenants\[1\]: tenant 'payments' has no key: set keySha256 or name a keys file/)]);
    });

    it("refuses what cannot be read: a missing file, a missing keys file, broken YAML", () => {
        const dir = makeTempDir("scheduler-config");
        expect(() => loadConfig(path.join(dir, "nope.yaml"))).toThrow(/nope\.yaml: cannot read the scheduler config file \(ENOENT\)/);
        expect(refusal({ "s.yaml": `${MINIMAL}keys: { file: missing.yaml }\n` })).toEqual([expect.stringMatching(/missing\.yaml: cannot read the keys file \(ENOENT\), named by keys\.file/)]);
        expect(refusal({ "s.yaml": "ledgers: {\n" })[0]).toMatch(/s\.yaml:\d+:\d+: invalid YAML/);
    });
});

describe("ledgerfleet scheduler and tenant-key", () => {
    const run = async (argv: string[]) => {
        let out = "";
        let err = "";
        let code = -1;
        const program = new Command("ledgerfleet").exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
        registerSchedulerCommands(program, { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } }, (c) => (code = c));
        try {
            await program.parseAsync(argv, { from: "user" });
        } catch {
            code = 2;
        }
        return { out, err, code };
    };

    it("scheduler --config with an invalid file exits 2 and says where and what, starting nothing", async () => {
        const file = write({ "bad.yaml": MINIMAL.replace("weight: 2", "weight: 0") });
        const result = await run(["scheduler", "--config", file]);
        expect(result.code).toBe(2);
        expect(result.err).toContain("invalid configuration, not started");
        expect(result.err).toMatch(/bad\.yaml:6:\d+: tenants\[1\]\.weight: /);
    });

    it("tenant-key prints a new key once, its SHA-256, and the pulumi command storing the hash", async () => {
        const first = await run(["tenant-key", "loyalty"]);
        const second = await run(["tenant-key", "loyalty"]);
        expect(first.code).toBe(0);
        const key = /^ {2}(lfk_\S+)$/m.exec(first.out)?.[1] ?? "";
        const hash = /^sha256: ([0-9a-f]{64})$/m.exec(first.out)?.[1];
        expect(key.length).toBeGreaterThan(40);
        expect(hash).toBe(keyHash(key));
        expect(first.out).toContain(`pulumi config set --secret --path 'ledgerfleet:tenantKeyHashes.loyalty' ${hash}`);
        expect(second.out).not.toContain(key);
        expect(first.err).toBe("");
    });

    it("tenant-key refuses what cannot be a tenant id", async () => {
        const result = await run(["tenant-key", "Loyalty'; rm -rf /"]);
        expect(result.code).toBe(2);
        expect(result.out).toBe("");
        expect(result.err).toContain("expected a tenant id");
    });
});
