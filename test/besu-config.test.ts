// config.toml checked against Besu itself: every key is an option Besu 26.8.0 defines, every enum
// value one it accepts, p2p-host an IP (test/fixtures/besu/options.json, extracted from its source).
import { describe, it, expect } from "vitest";
import { parse as parseToml } from "smol-toml";
import { besuConfigToml, besuOpts, HEALTH, PATHS, RPC_APIS } from "../frameworks/besu";
import { isIpAddress } from "../frameworks/besu/host";
import BESU from "./fixtures/besu/options.json";

type Options = Record<string, { arity?: string; hidden: boolean; file: string }>;
const OPTIONS = BESU.options as Options;

/** Parsed by smol-toml, a TOML 1.0 parser independent of the code that writes the file. */
function toml(text: string): Record<string, unknown> {
    return parseToml(text) as Record<string, unknown>;
}

const validator = (over: Partial<Parameters<typeof besuConfigToml>[0]> = {}) => besuConfigToml({ role: "validator", p2pHost: "198.51.100.11", ...over });
const rpc = (over: Partial<Parameters<typeof besuConfigToml>[0]> = {}) => besuConfigToml({ role: "rpc", p2pHost: "198.51.100.21", ...over });
const every = [validator(), rpc(), validator({ netRestrict: ["198.51.100.0/24", "fd00::/64"] }), rpc({ p2pHost: "2001:db8::21" })];

describe("BESU_OPTS", () => {
    it("gives the JVM half the memory limit as heap", () => {
        expect(besuOpts("4Gi")).toContain("-Xmx2048m");
        expect(besuOpts("3584Mi")).toContain("-Xmx1792m");
        expect(besuOpts("8Gi")).toContain("-Xmx4096m");
        expect(besuOpts("4Gi")).toContain("-Djava.io.tmpdir=/tmp");
        expect(besuOpts("4Gi").split(" ").filter((o) => o.startsWith("-Xmx"))).toHaveLength(1);
    });

    it("refuses other formats and limits below 2Gi", () => {
        for (const bad of ["4G", "4096", "4gi", "4.5Gi", "0Gi", "", " 4Gi", "4Gi ", "4Ti", "04Gi"]) {
            expect(() => besuOpts(bad), bad).toThrow(/whole number of Mi or Gi/);
        }
        for (const small of ["1Gi", "2047Mi", "512Mi"]) expect(() => besuOpts(small), small).toThrow(/at least 2Gi/);
    });
});

describe("Besu config.toml, checked against Besu 26.8.0's option definitions", () => {
    it("the fixture is Besu's own option list (not a copy of ours)", () => {
        expect(BESU.tag).toBe("26.8.0");
        expect(Object.keys(OPTIONS).length).toBeGreaterThan(250);
        // Options we do not use are there too, and a misspelling is not.
        for (const name of ["tx-pool-max-size", "engine-rpc-port", "p2p-host"]) expect(OPTIONS[name], name).toBeDefined();
        expect(OPTIONS["p2p-hostname"]).toBeUndefined();
    });

    it("uses only options Besu defines, none of them hidden (experimental), and valid enum values", () => {
        for (const text of every) {
            for (const [key, value] of Object.entries(toml(text))) {
                const option = OPTIONS[key];
                expect(option, `${key} is not a Besu option`).toBeDefined();
                expect(option?.hidden, `${key} is a hidden, experimental option`).toBe(false);
                const enumValues = (BESU.enums as Record<string, { values: string[] }>)[key]?.values;
                if (enumValues !== undefined) {
                    for (const v of Array.isArray(value) ? value : [value]) expect(enumValues, `${key}=${String(v)}`).toContain(String(v));
                }
            }
        }
    });

    it("advertises the node's static IP with NAT and discovery off, and admits only the allowlist's peers", () => {
        for (const text of every) {
            const c = toml(text);
            expect(isIpAddress(String(c["p2p-host"])), String(c["p2p-host"])).toBe(true);
            expect(c["nat-method"]).toBe("NONE");
            expect(c["discovery-enabled"]).toBe(false);
            expect(c["p2p-port"]).toBe(30303);
            expect(c["permissions-nodes-config-file-enabled"]).toBe(true);
            expect(c["permissions-nodes-config-file"]).toBe(PATHS.permissions);
            expect(c["static-nodes-file"]).toBe(PATHS.staticNodes);
            expect(c["min-gas-price"]).toBe(0);
            expect(c["sync-mode"]).toBe("FULL");
            // No host names anywhere in P2P: the DNS options are gone.
            expect(Object.keys(c).some((k) => k.startsWith("Xdns"))).toBe(false);
        }
        expect(toml(rpc({ p2pHost: "2001:db8::21" }))["p2p-interface"]).toBe("::");
    });

    it("sets net-restrict only when the network names its ranges, as CIDRs Besu parses", () => {
        expect(toml(validator())["net-restrict"]).toBeUndefined();
        const restrict = toml(validator({ netRestrict: ["198.51.100.0/24", "fd00::/64"] }))["net-restrict"];
        expect(restrict).toEqual(["198.51.100.0/24", "fd00::/64"]);
        expect(OPTIONS["net-restrict"]?.arity).toBe("1..*");
    });

    it("keeps a validator's JSON-RPC on localhost and gives RPC nodes exactly ETH, NET and WEB3", () => {
        const v = toml(validator());
        const r = toml(rpc());
        expect(v["rpc-http-host"]).toBe("127.0.0.1");
        expect(v["rpc-http-api"]).toEqual(RPC_APIS.validator);
        expect(r["rpc-http-host"]).toBe("0.0.0.0");
        expect(r["rpc-http-api"]).toEqual(["ETH", "NET", "WEB3"]);
        for (const c of [v, r]) {
            expect(c["rpc-ws-enabled"]).toBe(false);
            expect(c["graphql-http-enabled"]).toBe(false);
            expect(c["metrics-port"]).toBe(9545);
        }
        // Nothing a tenant or a network peer reaches exposes voting, admin, debug or the tx pool.
        for (const api of ["QBFT", "ADMIN", "DEBUG", "TXPOOL", "PERM", "MINER", "TRACE"]) expect(r["rpc-http-api"]).not.toContain(api);
        for (const api of ["ADMIN", "DEBUG", "TXPOOL"]) expect(v["rpc-http-api"]).not.toContain(api);
    });

    it("keeps historical state on RPC nodes (Forest archive) and current state on validators (Bonsai)", () => {
        expect(toml(rpc())["data-storage-format"]).toBe("FOREST");
        expect(toml(validator())["data-storage-format"]).toBe("BONSAI");
        expect(toml(rpc())["bonsai-limit-trie-logs-enabled"]).toBeUndefined();
    });

    it("nothing in it depends on the other nodes, so a peer joining changes no node's config", () => {
        expect(validator()).toBe(validator());
        expect(validator()).not.toContain("enode://");
        expect(validator().endsWith("\n")).toBe(true);
    });

    it("refuses a p2p-host Besu would refuse, and anything that would corrupt the file", () => {
        for (const bad of ["", "main-val-1.fra.example", 'x"\nrpc-http-api=["ADMIN"]', "300.1.1.1", "[::1]", "10.0.0.1:30303"]) {
            expect(() => validator({ p2pHost: bad }), bad).toThrow(/p2p-host/);
        }
    });

    it("probes Besu's documented health endpoints", () => {
        const readiness = new URL(HEALTH.readiness, "http://node:8545");
        expect(readiness.pathname).toBe("/readiness");
        expect(Object.fromEntries(readiness.searchParams)).toEqual({ minPeers: "1", maxBlocksBehind: "2" });
        expect(HEALTH.liveness).toBe("/-/healthy");
    });
});
