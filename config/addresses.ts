// IP addresses and CIDR ranges in a network file: parsed once, by ipaddr.js, so that "is this node's
// address in its region's pool" and "does net-restrict admit this peer" mean what Besu and
// Kubernetes will make of them.
import * as ipaddr from "ipaddr.js";
import { canonicalIp, isIpAddress } from "../frameworks/besu/host";

export { canonicalIp, isIpAddress };

/** `<address>/<prefix>` with an IPv4 or IPv6 address and a prefix that fits it; host bits may be set. */
export function isCidr(value: string): boolean {
    const slash = value.indexOf("/");
    if (slash < 0) return false;
    const address = value.slice(0, slash);
    const prefix = value.slice(slash + 1);
    if (!isIpAddress(address) || !/^(0|[1-9]\d{0,2})$/.test(prefix)) return false;
    return Number(prefix) <= (address.includes(":") ? 128 : 32);
}

function parseCidr(cidr: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
    if (!isCidr(cidr)) throw new Error(`"${cidr}" is not a CIDR range`);
    return ipaddr.parseCIDR(cidr);
}

/** Whether `ip` lies in `cidr` (an IPv4 address never lies in an IPv6 range, and the reverse). */
export function cidrContains(cidr: string, ip: string): boolean {
    const [range, bits] = parseCidr(cidr);
    const address = ipaddr.parse(ip);
    return address.kind() === range.kind() && address.match(range, bits);
}

/** Whether every address of range `inner` lies in range `outer`. */
export function cidrWithin(outer: string, inner: string): boolean {
    const [o, ob] = parseCidr(outer);
    const [i, ib] = parseCidr(inner);
    return o.kind() === i.kind() && ib >= ob && i.match(o, ob);
}

/** The single-address range of an IP (`/32` or `/128`), as NetworkPolicy ipBlocks and source ranges take it. */
export function hostCidr(ip: string): string {
    const canonical = canonicalIp(ip);
    return `${canonical}/${canonical.includes(":") ? 128 : 32}`;
}
