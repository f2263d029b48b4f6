// Node-level Besu settings: ports, file locations, probes, JVM sizing and the TOML config file.
// Option names checked against Besu's CLI reference (besu-docs docs/public-networks/reference/cli/
// options.md, https://besu.hyperledger.org/public-networks/reference/cli/options); the hidden
// Xdns-* options against Besu's DnsOptions.java and the "Domain name support" section of
// https://besu.hyperledger.org/public-networks/concepts/node-keys.
import { assertValidP2pHost } from "./host";

export const PORTS = { p2p: 30303, rpcHttp: 8545, rpcWs: 8546, metrics: 9545 } as const;

/** The peer chart mounts files at exactly these paths. */
export const PATHS = {
    data: "/data",
    config: "/etc/besu/config.toml",
    staticNodes: "/etc/besu/static-nodes.json",
    genesis: "/etc/besu/genesis/genesis.json",
    nodeKey: "/secrets/key",
    tmp: "/tmp",
} as const;

/**
 * Served on the JSON-RPC HTTP port. Besu's readiness defaults are minPeers=1, maxBlocksBehind=2;
 * 10 blocks tolerates a short catch-up after a restart without flapping out of the Service.
 * A node alone has no peers, so whatever routes P2P traffic must not wait for readiness.
 */
export const HEALTH = {
    liveness: "/liveness",
    readiness: "/readiness?minPeers=1&maxBlocksBehind=10",
} as const;

export interface NodeResources {
    readonly cpu: string;
    readonly memory: string;
    readonly storageGiB: number;
}

/**
 * Validators run consensus and import blocks on a permissioned chain whose state stays small:
 * 4Gi gives a 2 GiB heap (see besuOpts) plus room for RocksDB. RPC nodes answer tenants'
 * queries (eth_getLogs, eth_call, receipts) and benefit from more page cache and heap, so 8Gi.
 * Storage: full sync keeps every block and Bonsai trie log forever; 100/200 GiB of SSD is cheap
 * next to a chain that halts on a full disk, and the StorageClasses allow expansion.
 */
export const DEFAULT_RESOURCES: { readonly validator: NodeResources; readonly rpc: NodeResources } = {
    validator: { cpu: "2", memory: "4Gi", storageGiB: 100 },
    rpc: { cpu: "2", memory: "8Gi", storageGiB: 200 },
};

const MIN_MEMORY_MIB = 2048;

/**
 * BESU_OPTS for a container memory limit ("4Gi", "3584Mi"). The heap (-Xmx) is half the limit:
 * the rest is for RocksDB's native caches and write buffers, metaspace, thread stacks and direct
 * buffers, none of which -Xmx bounds. Without -Xmx the JVM would take 25% of the limit.
 * On OutOfMemoryError the JVM exits so Kubernetes restarts it instead of leaving a wedged node.
 */
export function besuOpts(memoryLimit: string): string {
    const m = /^([1-9]\d*)(Mi|Gi)$/.exec(memoryLimit);
    if (!m) {
        throw new Error(
            `Besu memory limit "${memoryLimit}": use a whole number of Mi or Gi, such as "4Gi" or "3584Mi".`,
        );
    }
    const mib = Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
    if (mib < MIN_MEMORY_MIB) {
        throw new Error(`Besu memory limit "${memoryLimit}" is too small: Besu needs at least 2Gi.`);
    }
    const heapMiB = Math.floor(mib / 2);
    return `-Xmx${heapMiB}m -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=${PATHS.tmp}`;
}

export interface BesuNodeConfig {
    readonly role: "validator" | "rpc";
    /** The node's stable external DNS name; it is what other nodes' enode URLs point at. */
    readonly p2pHost: string;
}

/** A TOML basic string: escapes what TOML forbids raw (quote, backslash, control characters). */
function tomlString(value: string): string {
    let out = '"';
    for (const ch of value) {
        const code = ch.codePointAt(0) ?? 0;
        if (ch === '"' || ch === "\\") out += "\\" + ch;
        else if (code < 0x20 || code === 0x7f) out += "\\u" + code.toString(16).padStart(4, "0");
        else out += ch;
    }
    return out + '"';
}

type TomlValue = string | number | boolean | readonly string[];

function tomlValue(value: TomlValue): string {
    if (typeof value === "string") return tomlString(value);
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return "[" + value.map(tomlString).join(", ") + "]";
}

function rpcApis(role: BesuNodeConfig["role"]): readonly string[] {
    // Validators expose QBFT for validator votes; RPC nodes also serve TXPOOL to tenants.
    // No ADMIN/DEBUG: admin_addPeer and debug traces are not for tenants or probes.
    return role === "validator" ? ["ETH", "NET", "QBFT", "WEB3"] : ["ETH", "NET", "QBFT", "TXPOOL", "WEB3"];
}

/** Besu's config.toml for one node; same input, same bytes. */
export function besuConfigToml(c: BesuNodeConfig): string {
    if (c.role !== "validator" && c.role !== "rpc") {
        throw new Error(`Besu node role "${String(c.role)}": expected "validator" or "rpc".`);
    }
    assertValidP2pHost(c.p2pHost, "Besu p2p-host");
    const apis = rpcApis(c.role);
    const sections: [string, [string, TomlValue][]][] = [
        ["Node", [
            ["data-path", PATHS.data],
            ["genesis-file", PATHS.genesis],
            ["node-private-key-file", PATHS.nodeKey],
            // Private networks default to FULL; Bonsai trie-log pruning is refused with FULL sync.
            ["sync-mode", "FULL"],
            ["data-storage-format", "BONSAI"],
            ["bonsai-limit-trie-logs-enabled", false],
            // Free gas: a node with a higher minimum silently drops zero-price transactions.
            ["min-gas-price", 0],
            ["logging", "INFO"],
        ]],
        ["P2P: static peers only, each reached at its own stable external name", [
            ["static-nodes-file", PATHS.staticNodes],
            ["discovery-enabled", false],
            // NONE: advertise p2p-host as given; AUTO/DOCKER would advertise a pod or NAT address.
            ["nat-method", "NONE"],
            ["p2p-host", c.p2pHost],
            ["p2p-interface", "0.0.0.0"],
            ["p2p-port", PORTS.p2p],
            // Host names in enode URLs, re-resolved when a peer's address changes.
            ["Xdns-enabled", true],
            ["Xdns-update-enabled", true],
        ]],
        ["JSON-RPC and metrics: reached through Services; NetworkPolicy is the access control", [
            ["rpc-http-enabled", true],
            ["rpc-http-host", "0.0.0.0"],
            ["rpc-http-port", PORTS.rpcHttp],
            ["rpc-http-api", apis],
            // Probes and Prometheus use the pod IP as Host header, so no fixed name list can work.
            ["host-allowlist", ["*"]],
            ["rpc-ws-enabled", true],
            ["rpc-ws-host", "0.0.0.0"],
            ["rpc-ws-port", PORTS.rpcWs],
            ["rpc-ws-api", apis],
            ["metrics-enabled", true],
            ["metrics-host", "0.0.0.0"],
            ["metrics-port", PORTS.metrics],
        ]],
    ];
    const lines = [`# Besu ${c.role} node. Generated by ledgerfleet; edits are overwritten on the next update.`];
    for (const [title, entries] of sections) {
        lines.push("", `# ${title}`);
        for (const [key, value] of entries) lines.push(`${key}=${tomlValue(value)}`);
    }
    return lines.join("\n") + "\n";
}
