// Node-level Besu settings: ports, file locations, probes, JVM sizing and the TOML config file.
// Every option name and value is checked against Besu 26.8.0's own option definitions
// (test/fixtures/besu/options.json, extracted from besu-eth/besu; see test/besu-config.test.ts).
import { assertValidP2pHost } from "./host";

export const PORTS = { p2p: 30303, rpcHttp: 8545, metrics: 9545 } as const;

/** The peer chart mounts files at exactly these paths. Folders, not subPath files, so updates reach running pods. */
export const PATHS = {
    data: "/data",
    /** The node's own config.toml (its ConfigMap, mounted as a folder). */
    config: "/etc/besu/node/config.toml",
    /** The ledger's peer files in this region (shared ConfigMap, mounted as a folder: updates arrive live). */
    peers: "/etc/besu/peers",
    staticNodes: "/etc/besu/peers/static-nodes.json",
    genesis: "/etc/besu/genesis/genesis.json",
    /** Written by the pod itself (allowlist plus same-cluster peers' pod addresses); an emptyDir. */
    permissions: "/permissions/permissions_config.toml",
    nodeKey: "/secrets/key",
    tmp: "/tmp",
} as const;

/**
 * Besu's health endpoints (JSON-RPC HTTP port; defaults minPeers=1, maxBlocksBehind=2). Readiness
 * means "peered and caught up": the rollout waits for it before restarting the next node, and RPC
 * Services send tenants only to ready nodes. 2 blocks behind is Besu's own default.
 * Liveness uses the metrics server's /-/healthy (Prometheus HTTPServer): a separate server, so a
 * JSON-RPC port saturated by tenants' queries never gets a busy node killed.
 */
export const HEALTH = {
    readiness: "/readiness?minPeers=1&maxBlocksBehind=2",
    liveness: "/-/healthy",
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
    /** The node's static P2P address (an IP): its p2p-host and the host of its enode everywhere. */
    readonly p2pHost: string;
    /** CIDRs peers must be in (Besu's net-restrict); none given, none set. */
    readonly netRestrict?: readonly string[];
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

/**
 * JSON-RPC by role. Validators serve no one: HTTP on localhost only (the readiness probe, the pod's
 * allowlist reload through PERM, operators' QBFT votes through `kubectl port-forward`); never ADMIN,
 * DEBUG or TXPOOL. RPC nodes serve tenants, through the scheduler, exactly ETH, NET and WEB3.
 */
export const RPC_APIS = {
    validator: ["ETH", "NET", "PERM", "QBFT", "WEB3"],
    rpc: ["ETH", "NET", "WEB3"],
} as const satisfies Record<BesuNodeConfig["role"], readonly string[]>;

const RPC_HOST = { validator: "127.0.0.1", rpc: "0.0.0.0" } as const;

/**
 * Storage by role. Validators keep Bonsai's current state (with FULL sync Besu forces trie-log
 * limiting off, so nothing is pruned). RPC nodes answer historical eth_call/eth_getBalance at any
 * block, which Bonsai refuses past bonsai-historical-block-limit (512 by default): Forest with FULL
 * sync is Besu's archive node.
 */
const STORAGE = { validator: "BONSAI", rpc: "FOREST" } as const;

/** Besu's config.toml for one node; same input, same bytes. Nothing in it depends on the other nodes. */
export function besuConfigToml(c: BesuNodeConfig): string {
    if (c.role !== "validator" && c.role !== "rpc") {
        throw new Error(`Besu node role "${String(c.role)}": expected "validator" or "rpc".`);
    }
    assertValidP2pHost(c.p2pHost, "Besu p2p-host");
    const ipv6 = c.p2pHost.includes(":");
    const sections: [string, [string, TomlValue][]][] = [
        ["Node", [
            ["data-path", PATHS.data],
            ["genesis-file", PATHS.genesis],
            ["node-private-key-file", PATHS.nodeKey],
            ["sync-mode", "FULL"],
            ["data-storage-format", STORAGE[c.role]],
            ...(STORAGE[c.role] === "BONSAI" ? [["bonsai-limit-trie-logs-enabled", false] as [string, TomlValue]] : []),
            // Free gas: a node with a higher minimum silently drops zero-price transactions.
            ["min-gas-price", 0],
            ["logging", "INFO"],
        ]],
        ["P2P: static peers at static IP addresses; only the ledger's members are admitted", [
            ["static-nodes-file", PATHS.staticNodes],
            ["discovery-enabled", false],
            // NONE: advertise p2p-host as given; AUTO/DOCKER would advertise a pod or NAT address.
            ["nat-method", "NONE"],
            ["p2p-host", c.p2pHost],
            ["p2p-interface", ipv6 ? "::" : "0.0.0.0"],
            ["p2p-port", PORTS.p2p],
            ["permissions-nodes-config-file-enabled", true],
            ["permissions-nodes-config-file", PATHS.permissions],
            ...(c.netRestrict && c.netRestrict.length > 0 ? [["net-restrict", c.netRestrict] as [string, TomlValue]] : []),
        ]],
        [c.role === "validator" ? "JSON-RPC on localhost only: probes, allowlist reload, operators' votes" : "JSON-RPC for tenants, through the scheduler", [
            ["rpc-http-enabled", true],
            ["rpc-http-host", RPC_HOST[c.role]],
            ["rpc-http-port", PORTS.rpcHttp],
            ["rpc-http-api", RPC_APIS[c.role]],
            // Probes and Prometheus send the pod address as Host; NetworkPolicy is the access control.
            ["host-allowlist", ["*"]],
            ["rpc-ws-enabled", false],
            ["graphql-http-enabled", false],
        ]],
        ["Metrics: scraped by the monitoring namespace only (NetworkPolicy)", [
            ["metrics-enabled", true],
            ["metrics-host", ipv6 ? "::" : "0.0.0.0"],
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
