// Who a node peers with and whom it admits: the static peer list and the node allowlist. Both are
// shared by every node of a ledger in one region (Besu skips its own id in static-nodes.json, and
// its own enode is always permitted), so a region stores them once per ledger, not once per node.
//
// How Besu identifies a peer (test/fixtures/besu/options.json, "rules"): an outbound connection is
// checked against the enode it dialled; an inbound one, with discovery off, against an enode built
// from the connection's source address and the port in the peer's HELLO. The allowlist compares
// node id, IP and port. So a peer must be listed at every address its connections can come from:
// its own static address, the egress (NAT) addresses of its region, and, for peers in the same
// cluster, whose connections arrive from their pod address, that pod address (filled in by the pod
// itself, see charts/peers-script.ts).
import { isValidPublicKey } from "./keys";
import { assertValidP2pHost, enodeHost } from "./host";

export interface ParsedEnode {
    /** 128 lower-case hex digits. */
    readonly id: string;
    /** The IP, without brackets. */
    readonly ip: string;
    readonly port: number;
}

const ENODE = /^enode:\/\/([0-9a-f]{128})@(\[[0-9a-f:.]+\]|[0-9.]+):(\d{1,5})$/;

/** Parses an enode URL as ledgerfleet writes them (IP host, no discovery port), refusing anything else. */
export function parseEnode(enode: string): ParsedEnode {
    const m = ENODE.exec(enode);
    const port = Number(m?.[3]);
    if (!m || port < 1 || port > 65535) {
        throw new Error(`"${enode}" is not an enode URL (enode://<128 lower-case hex>@<IPv4 or [IPv6]>:<port>).`);
    }
    const id = m[1] ?? "";
    if (!isValidPublicKey(id)) throw new Error(`the node id in ${enode} is not on the secp256k1 curve.`);
    const ip = (m[2] ?? "").replace(/^\[|\]$/g, "");
    assertValidP2pHost(ip, `host of ${enode}`);
    if (enodeHost(ip) !== m[2]) throw new Error(`${enode}: write the address as ${enodeHost(ip)}.`);
    return { id, ip, port };
}

function uniqueSorted(enodes: readonly string[], what: string): string[] {
    const seen = new Set<string>();
    for (const enode of enodes) {
        try {
            parseEnode(enode);
        } catch (err) {
            throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`);
        }
        if (seen.has(enode)) throw new Error(`${what}: ${enode} is listed twice.`);
        seen.add(enode);
    }
    return [...seen].sort();
}

/** static-nodes.json text: the enode URLs sorted, one per line in a JSON array, trailing newline. */
export function staticNodesJson(enodes: readonly string[]): string {
    return JSON.stringify(uniqueSorted(enodes, "static nodes"), null, 2) + "\n";
}

/** A ledger node as the peer files see it. */
export interface PeerEntry {
    /** 0x + 128 hex, or 128 hex. */
    readonly publicKey: string;
    /** Static P2P address (IP). */
    readonly address: string;
    /** Addresses its connections to other sites come from (its region's egress). */
    readonly egress: readonly string[];
}

/** Every enode a peer may connect from: its static address first, then its region's egress addresses. */
export function peerEnodes(peer: PeerEntry, port: number): string[] {
    const id = peer.publicKey.replace(/^0x/, "").toLowerCase();
    return [...new Set([peer.address, ...peer.egress])].map((ip) => `enode://${id}@${enodeHost(ip)}:${port}`);
}

/**
 * The allowlist's fixed part, one enode per line. The pod turns it into Besu's permissions file
 * (TOML, key nodes-allowlist) after adding its same-cluster peers' pod addresses
 * (charts/pod-scripts.ts). Holds every static-nodes entry, as Besu requires at start-up.
 */
export function allowlistLines(peers: readonly PeerEntry[], port: number): string {
    const lines = uniqueSorted(peers.flatMap((p) => peerEnodes(p, port)), "nodes allowlist");
    return lines.length === 0 ? "" : lines.join("\n") + "\n";
}

/** `<node id> <DNS name of its pod>` per same-cluster peer, for the pod to resolve to a pod address. */
export function localPeerLines(peers: readonly { publicKey: string; podDnsName: string }[]): string {
    const lines = peers
        .map((p) => {
            if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(p.podDnsName)) throw new Error(`local peers: "${p.podDnsName}" is not a DNS name.`);
            return `${p.publicKey.replace(/^0x/, "").toLowerCase()} ${p.podDnsName}`;
        })
        .sort();
    return lines.length === 0 ? "" : lines.join("\n") + "\n";
}
