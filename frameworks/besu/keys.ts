// Besu node keys: secp256k1. The public key (64 bytes, no 04 prefix) is the enode id; the last 20
// bytes of its keccak256 are the node address, which QBFT uses as the validator address.
import { secp256k1 } from "@noble/curves/secp256k1";
import { bytesToNumberBE, numberToBytesBE } from "@noble/curves/utils";
import { keccak_256 } from "@noble/hashes/sha3";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils";
import { assertValidP2pHost, enodeHost } from "./host";

const CURVE_ORDER = secp256k1.Point.CURVE().n;
const DEFAULT_P2P_PORT = 30303;

export function toHex(bytes: Uint8Array): string {
    return "0x" + bytesToHex(bytes);
}

function stripHexPrefix(value: string): string {
    return value.startsWith("0x") || value.startsWith("0X") ? value.slice(2) : value;
}

/**
 * Maps 32 random bytes (e.g. Pulumi RandomBytes) to a valid private key, deterministically:
 * key = (seed mod (n - 1)) + 1, which always lands in [1, n - 1]. The bias this introduces is
 * about 2^-128 (n is within 2^129 of 2^256), far below anything observable.
 */
export function privateKeyFromSeed(seed: Uint8Array): Uint8Array {
    if (!(seed instanceof Uint8Array) || seed.length !== 32) {
        const got = seed instanceof Uint8Array ? `${seed.length} bytes` : typeof seed;
        throw new Error(`privateKeyFromSeed: the seed must be exactly 32 bytes, got ${got}.`);
    }
    const key = (bytesToNumberBE(seed) % (CURVE_ORDER - 1n)) + 1n;
    return numberToBytesBE(key, 32);
}

/** Parses a 32-byte private key given as 64 hex digits, with or without 0x (Besu's key file format). */
export function privateKeyFromHex(hex: string): Uint8Array {
    const body = stripHexPrefix(hex.trim());
    if (!/^[0-9a-fA-F]*$/.test(body)) {
        throw new Error("Private key: not hexadecimal. Expected 64 hex digits, optionally prefixed with 0x.");
    }
    if (body.length !== 64) {
        throw new Error(`Private key: expected 64 hex digits (32 bytes), got ${body.length}.`);
    }
    const value = BigInt("0x" + body);
    if (value === 0n) throw new Error("Private key: zero is not a valid secp256k1 key.");
    if (value >= CURVE_ORDER) {
        throw new Error("Private key: must be below the secp256k1 group order n; this is not a usable key.");
    }
    return hexToBytes(body.toLowerCase());
}

/** "0x" + 128 lower-case hex: the uncompressed point without its 04 prefix, as `besu public-key export` prints. */
export function publicKeyFromPrivate(priv: Uint8Array): string {
    if (!(priv instanceof Uint8Array) || priv.length !== 32 || !secp256k1.utils.isValidPrivateKey(priv)) {
        throw new Error("publicKeyFromPrivate: expected a 32-byte private key in [1, n - 1].");
    }
    return toHex(secp256k1.getPublicKey(priv, false).slice(1));
}

/**
 * Accepts 128 hex digits or 04 + 128 hex digits (0x optional) and returns 0x + 128 lower-case hex.
 * Rejects points off the curve: a typo in a bring-your-own key would otherwise yield an enode and
 * validator address that no node can ever own.
 */
// Points already checked: a 400-node plan builds 400 peer lists of 399 enodes each, and the curve
// check is by far the most expensive step of validating one. Bounded so it cannot grow without end.
const knownOnCurve = new Set<string>();
const KNOWN_ON_CURVE_MAX = 100_000;

export function normalizePublicKey(pub: string): string {
    let body = stripHexPrefix(pub.trim()).toLowerCase();
    if (!/^[0-9a-f]*$/.test(body)) throw new Error("Public key: not hexadecimal.");
    if (body.length === 130 && body.startsWith("04")) body = body.slice(2);
    if (body.length !== 128) {
        const hint = "64 bytes, as printed by `besu public-key export`";
        throw new Error(`Public key: expected 128 hex digits (${hint}), got ${body.length}.`);
    }
    if (!knownOnCurve.has(body)) {
        try {
            secp256k1.Point.fromHex("04" + body).assertValidity();
        } catch {
            throw new Error("Public key: not a point on the secp256k1 curve. Re-export it with `besu public-key export`.");
        }
        if (knownOnCurve.size >= KNOWN_ON_CURVE_MAX) knownOnCurve.clear();
        knownOnCurve.add(body);
    }
    return "0x" + body;
}

export function isValidPublicKey(pub: string): boolean {
    try {
        normalizePublicKey(pub);
        return true;
    } catch {
        return false;
    }
}

/** "0x" + 40 lower-case hex: the last 20 bytes of keccak256 over the 64-byte public key. */
export function addressFromPublicKey(pub: string): string {
    const raw = hexToBytes(normalizePublicKey(pub).slice(2));
    return toHex(keccak_256(raw).slice(-20));
}

/** `enode://<id>@<ip>:<port>`; an IPv6 address is written in brackets, as Besu's URI parser needs. */
export function enodeUrl(pub: string, ip: string, port: number = DEFAULT_P2P_PORT): string {
    assertValidP2pHost(ip, "enode host");
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new Error(`enode port: expected an integer in 1..65535, got ${port}.`);
    }
    return `enode://${normalizePublicKey(pub).slice(2)}@${enodeHost(ip)}:${port}`;
}
