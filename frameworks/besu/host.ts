// Addresses Besu puts on the wire: its `p2p-host` and the host of every enode URL. Both must be IP
// literals. Besu refuses a host name as `--p2p-host` ("The provided --p2p-host is invalid", its
// P2PDiscoveryOptions.validateHost accepts only InetAddresses.isInetAddress), and an enode host name
// that does not resolve when Besu starts is pinned to 127.0.0.1 for good (EnodeURLImpl with
// --Xdns-update-enabled). See test/fixtures/besu/options.json, "rules".
import * as ipaddr from "ipaddr.js";

/** Dotted IPv4 without leading zeros ("10.0.0.1", not "010.0.0.1", which some parsers read as octal). */
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** True for an IPv4 or IPv6 literal, as Besu's `p2p-host` and the allowlist take it (no brackets, no zone). */
export function isIpAddress(value: string): boolean {
    if (IPV4.test(value)) return true;
    return value.includes(":") && !value.includes("%") && ipaddr.IPv6.isValid(value);
}

/** The one spelling of an address: dotted IPv4, or RFC 5952 compressed lower-case IPv6. */
export function canonicalIp(value: string): string {
    if (!isIpAddress(value)) throw new Error(`"${value}" is not an IPv4 or IPv6 address.`);
    return IPV4.test(value) ? value : ipaddr.IPv6.parse(value).toString();
}

/** The host part of an enode URL for an address: IPv6 in brackets, as Besu's URI parser needs. */
export function enodeHost(ip: string): string {
    const canonical = canonicalIp(ip);
    return canonical.includes(":") ? `[${canonical}]` : canonical;
}

export function assertValidP2pHost(host: string, what: string): void {
    if (!isIpAddress(host)) {
        throw new Error(
            `${what}: "${host}" is not an IP address. Besu accepts only an IPv4 or IPv6 literal as p2p-host and ` +
                "in enode URLs; give the node the static address its P2P Service gets (address: in the network file).",
        );
    }
}
