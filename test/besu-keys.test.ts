import { createHash } from "node:crypto";
import { describe, it, expect } from "vitest";
import { SigningKey, computeAddress, getAddress } from "ethers";
import {
    addressFromPublicKey,
    enodeUrl,
    isValidPublicKey,
    normalizePublicKey,
    privateKeyFromHex,
    privateKeyFromSeed,
    publicKeyFromPrivate,
    toHex,
} from "../frameworks/besu";

// secp256k1 group order, from SEC 2 (independent of the module under test).
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function bytesOf(n: bigint): Uint8Array {
    return Uint8Array.from(Buffer.from(n.toString(16).padStart(64, "0"), "hex"));
}

/** 50 reproducible keys from SHA-256 of a counter (node:crypto, not the module's hashing). */
const sampleKeys = Array.from({ length: 50 }, (_, i) =>
    "0x" + createHash("sha256").update(`ledgerfleet-besu-key-${i}`).digest("hex"),
).filter((k) => BigInt(k) > 0n && BigInt(k) < N);

describe("Besu node keys", () => {
    it("derives the published address of Hardhat/Anvil account #0", () => {
        const priv = privateKeyFromHex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
        const address = addressFromPublicKey(publicKeyFromPrivate(priv));
        expect(address).toBe("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
        expect(getAddress(address)).toBe("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    });

    it("agrees with ethers on public keys and addresses for 50 keys", () => {
        expect(sampleKeys.length).toBe(50);
        for (const hex of sampleKeys) {
            const pub = publicKeyFromPrivate(privateKeyFromHex(hex));
            const ethersPub = new SigningKey(hex).publicKey; // 0x04 + x + y
            expect(pub).toBe("0x" + ethersPub.slice(4));
            expect(pub).toMatch(/^0x[0-9a-f]{128}$/);
            expect(addressFromPublicKey(pub)).toBe(computeAddress(ethersPub).toLowerCase());
        }
    });

    it("accepts a public key with or without the 04 prefix and prints it the way besu does", () => {
        const ethersPub = new SigningKey(sampleKeys[0] ?? "").publicKey;
        const bare = "0x" + ethersPub.slice(4);
        expect(normalizePublicKey(ethersPub)).toBe(bare);
        expect(normalizePublicKey(bare.toUpperCase().replace("0X", "0x"))).toBe(bare);
        expect(isValidPublicKey(ethersPub)).toBe(true);
    });

    it("rejects points that are not on the curve", () => {
        const fake = "0x" + "00".repeat(63) + "07";
        const valid = new SigningKey(sampleKeys[1] ?? "").publicKey.slice(4);
        const lastByte = parseInt(valid.slice(-2), 16);
        const wrongY = "0x" + valid.slice(0, -2) + ((lastByte + 1) % 256).toString(16).padStart(2, "0");
        for (const bad of [fake, wrongY]) {
            // ethers, independently, refuses the same points.
            expect(() => SigningKey.computePublicKey("0x04" + bad.slice(2))).toThrow();
            expect(isValidPublicKey(bad)).toBe(false);
            expect(() => normalizePublicKey(bad)).toThrow(/not a point on the secp256k1 curve/);
            expect(() => addressFromPublicKey(bad)).toThrow();
        }
        expect(isValidPublicKey("0x1234")).toBe(false);
        expect(isValidPublicKey("0x" + "zz".repeat(64))).toBe(false);
        expect(() => normalizePublicKey("0x05" + valid)).toThrow(/128 hex digits/);
    });

    it("maps any 32-byte seed to a key in [1, n-1], including the extremes", () => {
        const seeds = [
            new Uint8Array(32),
            new Uint8Array(32).fill(0xff),
            bytesOf(N - 1n),
            bytesOf(N - 2n),
            bytesOf(N),
            ...sampleKeys.slice(0, 10).map((k) => Uint8Array.from(Buffer.from(k.slice(2), "hex"))),
        ];
        for (const seed of seeds) {
            const key = privateKeyFromSeed(seed);
            const value = BigInt(toHex(key));
            expect(key.length).toBe(32);
            expect(value >= 1n && value <= N - 1n).toBe(true);
            expect(new SigningKey(toHex(key)).publicKey.slice(4)).toBe(publicKeyFromPrivate(key).slice(2));
        }
        // The documented mapping (seed mod (n-1)) + 1 at its boundaries.
        expect(BigInt(toHex(privateKeyFromSeed(new Uint8Array(32))))).toBe(1n);
        expect(BigInt(toHex(privateKeyFromSeed(bytesOf(N - 2n))))).toBe(N - 1n);
        expect(BigInt(toHex(privateKeyFromSeed(bytesOf(N - 1n))))).toBe(1n);
    });

    it("is deterministic and refuses seeds that are not 32 bytes", () => {
        const seed = new Uint8Array(32).fill(7);
        expect(toHex(privateKeyFromSeed(seed))).toBe(toHex(privateKeyFromSeed(Uint8Array.from(seed))));
        expect(() => privateKeyFromSeed(new Uint8Array(31))).toThrow(/exactly 32 bytes/);
        expect(() => privateKeyFromSeed(new Uint8Array(33))).toThrow(/exactly 32 bytes/);
    });

    it("parses private keys with or without 0x and explains bad ones", () => {
        const bare = (sampleKeys[2] ?? "").slice(2);
        expect(toHex(privateKeyFromHex(bare))).toBe("0x" + bare);
        expect(toHex(privateKeyFromHex("0x" + bare.toUpperCase()))).toBe("0x" + bare);
        expect(toHex(privateKeyFromHex((N - 1n).toString(16)))).toBe("0x" + (N - 1n).toString(16));
        expect(() => privateKeyFromHex("0x" + bare.slice(2))).toThrow(/64 hex digits/);
        expect(() => privateKeyFromHex("0x" + "g".repeat(64))).toThrow(/not hexadecimal/);
        expect(() => privateKeyFromHex("00".repeat(32))).toThrow(/zero/);
        expect(() => privateKeyFromHex(N.toString(16))).toThrow(/group order/);
        expect(() => privateKeyFromHex((N + 1n).toString(16))).toThrow(/group order/);
    });

    it("builds enode URLs as enode://<id without 0x>@<ip>:<port>, IPv6 in brackets as Besu's URI parser needs", () => {
        const ethersPub = new SigningKey(sampleKeys[3] ?? "").publicKey;
        const id = ethersPub.slice(4);
        expect(enodeUrl(ethersPub, "10.3.58.6")).toBe(`enode://${id}@10.3.58.6:30303`);
        expect(enodeUrl("0x" + id, "10.3.58.6", 30304)).toBe(`enode://${id}@10.3.58.6:30304`);
        expect(enodeUrl(ethersPub, "2001:0db8::0001")).toBe(`enode://${id}@[2001:db8::1]:30303`);
        // Besu refuses host names as p2p-host, and pins an enode host name that fails to resolve at start to 127.0.0.1.
        expect(() => enodeUrl(ethersPub, "validator-0.eu.example.net")).toThrow(/not an IP address/);
        expect(() => enodeUrl(ethersPub, "")).toThrow(/not an IP address/);
        expect(() => enodeUrl(ethersPub, "300.1.1.1")).toThrow(/not an IP address/);
        expect(() => enodeUrl(ethersPub, "010.1.1.1")).toThrow(/not an IP address/);
        expect(() => enodeUrl(ethersPub, "[::1]")).toThrow(/not an IP address/);
        expect(() => enodeUrl(ethersPub, "10.0.0.1", 0)).toThrow(/1\.\.65535/);
        expect(() => enodeUrl(ethersPub, "10.0.0.1", 70000)).toThrow(/1\.\.65535/);
    });
});
