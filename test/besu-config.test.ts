import { describe, it, expect } from "vitest";
import { besuConfigToml, besuOpts, HEALTH, PATHS } from "../frameworks/besu";

/**
 * Reads the flat `key=value` TOML subset the config uses (no tables, no multi-line values).
 * Basic strings, arrays of strings, integers and booleans are all valid JSON there, so JSON.parse
 * does the value parsing; anything outside the subset fails the test.
 */
function parseFlatToml(text: string): Map<string, unknown> {
    const entries = new Map<string, unknown>();
    for (const line of text.split("\n")) {
        if (line === "" || line.startsWith("#")) continue;
        const m = /^([A-Za-z][A-Za-z0-9-]*)=(.+)$/.exec(line);
        if (!m) throw new Error(`not a flat TOML key=value line: ${line}`);
        const [, key = "", raw = ""] = m;
        if (entries.has(key)) throw new Error(`duplicate key ${key}`);
        entries.set(key, JSON.parse(raw) as unknown);
    }
    return entries;
}

// Option names as documented in Besu's CLI reference (besu-docs
// docs/public-networks/reference/cli/options.md) plus the hidden Xdns options (DnsOptions.java).
const DOCUMENTED_OPTIONS = new Set([
    "data-path", "genesis-file", "node-private-key-file", "static-nodes-file", "sync-mode",
    "data-storage-format", "bonsai-limit-trie-logs-enabled", "min-gas-price", "logging",
    "discovery-enabled", "nat-method", "p2p-host", "p2p-interface", "p2p-port",
    "Xdns-enabled", "Xdns-update-enabled", "rpc-http-enabled", "rpc-http-host", "rpc-http-port",
    "rpc-http-api", "host-allowlist", "rpc-ws-enabled", "rpc-ws-host", "rpc-ws-port", "rpc-ws-api",
    "metrics-enabled", "metrics-host", "metrics-port",
]);

describe("BESU_OPTS", () => {
    it("gives the JVM half the memory limit as heap", () => {
        expect(besuOpts("4Gi")).toContain("-Xmx2048m");
        expect(besuOpts("3584Mi")).toContain("-Xmx1792m");
        expect(besuOpts("2Gi")).toContain("-Xmx1024m");
        expect(besuOpts("8Gi")).toContain("-Xmx4096m");
        expect(besuOpts("4Gi")).toContain("-Djava.io.tmpdir=/tmp");
        expect(besuOpts("4Gi").split(" ").filter((o) => o.startsWith("-Xmx"))).toHaveLength(1);
    });

    it("refuses other formats and limits below 2Gi", () => {
        for (const bad of ["4G", "4096", "4gi", "4.5Gi", "0Gi", "", " 4Gi", "4Gi ", "4Ti", "04Gi"]) {
            expect(() => besuOpts(bad), bad).toThrow(/whole number of Mi or Gi/);
        }
        for (const small of ["1Gi", "2047Mi", "512Mi"]) {
            expect(() => besuOpts(small), small).toThrow(/at least 2Gi/);
        }
    });
});

describe("Besu config.toml", () => {
    const host = "validator-0.eu-west-1.example.net";

    it("advertises the node's external name with NAT off and DNS enodes on", () => {
        const toml = parseFlatToml(besuConfigToml({ role: "validator", p2pHost: host }));
        expect(toml.get("nat-method")).toBe("NONE");
        expect(toml.get("p2p-host")).toBe(host);
        expect(toml.get("p2p-port")).toBe(30303);
        expect(toml.get("Xdns-enabled")).toBe(true);
        expect(toml.get("Xdns-update-enabled")).toBe(true);
        expect(toml.get("discovery-enabled")).toBe(false);
        expect(toml.get("min-gas-price")).toBe(0);
        expect(toml.get("sync-mode")).toBe("FULL");
    });

    it("points at the files the peer chart mounts", () => {
        const toml = parseFlatToml(besuConfigToml({ role: "rpc", p2pHost: host }));
        expect(toml.get("data-path")).toBe("/data");
        expect(toml.get("genesis-file")).toBe("/etc/besu/genesis/genesis.json");
        expect(toml.get("node-private-key-file")).toBe("/secrets/key");
        expect(toml.get("static-nodes-file")).toBe("/etc/besu/static-nodes.json");
        expect(PATHS.config).toBe("/etc/besu/config.toml");
    });

    it("exposes QBFT on validators and adds TXPOOL on rpc nodes, never ADMIN", () => {
        const validator = parseFlatToml(besuConfigToml({ role: "validator", p2pHost: host }));
        const rpc = parseFlatToml(besuConfigToml({ role: "rpc", p2pHost: host }));
        expect(validator.get("rpc-http-api")).toEqual(["ETH", "NET", "QBFT", "WEB3"]);
        expect(rpc.get("rpc-http-api")).toEqual(["ETH", "NET", "QBFT", "TXPOOL", "WEB3"]);
        expect(rpc.get("rpc-ws-api")).toEqual(rpc.get("rpc-http-api"));
        expect(JSON.stringify([...validator.values()])).not.toContain("ADMIN");
        for (const toml of [validator, rpc]) {
            expect(toml.get("rpc-http-port")).toBe(8545);
            expect(toml.get("rpc-ws-port")).toBe(8546);
            expect(toml.get("metrics-port")).toBe(9545);
            expect(toml.get("rpc-http-host")).toBe("0.0.0.0");
        }
    });

    it("uses only option names from Besu's CLI reference", () => {
        for (const role of ["validator", "rpc"] as const) {
            for (const key of parseFlatToml(besuConfigToml({ role, p2pHost: host })).keys()) {
                expect(DOCUMENTED_OPTIONS.has(key), key).toBe(true);
            }
        }
    });

    it("is deterministic and refuses hosts that would corrupt the file or the enode", () => {
        expect(besuConfigToml({ role: "rpc", p2pHost: host })).toBe(besuConfigToml({ role: "rpc", p2pHost: host }));
        expect(besuConfigToml({ role: "rpc", p2pHost: host }).endsWith("\n")).toBe(true);
        for (const bad of ["", "bad host", 'x"\nrpc-http-api=["ADMIN"]', "a..b", "300.1.1.1", "::1"]) {
            expect(() => besuConfigToml({ role: "validator", p2pHost: bad }), bad).toThrow(/p2p-host/);
        }
    });

    it("probes Besu's documented health endpoints", () => {
        expect(HEALTH.liveness).toBe("/liveness");
        const readiness = new URL(HEALTH.readiness, "http://node:8545");
        expect(readiness.pathname).toBe("/readiness");
        expect([...readiness.searchParams.keys()].sort()).toEqual(["maxBlocksBehind", "minPeers"]);
    });
});
