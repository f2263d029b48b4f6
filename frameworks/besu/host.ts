// Host names that end up in enode URLs and in Besu's `p2p-host`. Both are parsed by Besu as
// `host:port`, so only DNS names and dotted IPv4 are accepted: an IPv6 literal would need brackets
// in the enode, and an empty or odd host would only surface as a peer that never connects.

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

function isIpv4(host: string): boolean {
    const parts = host.split(".");
    return parts.length === 4 && parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** True for a DNS name (RFC 1123 labels, at most 253 characters) or a dotted IPv4 address. */
export function isValidP2pHost(host: string): boolean {
    if (host.length === 0 || host.length > 253) return false;
    // All-numeric dotted strings are meant as IPv4; "300.1.1.1" must not slip through as a DNS name.
    if (/^[\d.]+$/.test(host)) return isIpv4(host);
    return host.split(".").every((label) => DNS_LABEL.test(label));
}

export function assertValidP2pHost(host: string, what: string): void {
    if (!isValidP2pHost(host)) {
        throw new Error(
            `${what}: "${host}" is not a DNS name or IPv4 address. ` +
                "Use the node's stable external name (for example validator-0.eu-west-1.example.net).",
        );
    }
}
