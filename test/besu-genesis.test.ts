import { describe, it, expect } from "vitest";
import { SigningKey, computeAddress, decodeRlp, getAddress } from "ethers";
import { qbftExtraData, qbftGenesis, type QbftGenesisOptions } from "../frameworks/besu";
import GENESIS_RULES from "./fixtures/besu/genesis-rules.json";

// Published vectors from Besu's "Configure QBFT consensus" page
// (https://besu.hyperledger.org/private-networks/how-to/configure/consensus/qbft,
// besu-docs docs/private-networks/how-to/configure/consensus/qbft.md).
const DOCS_HEADER_EXTRA_DATA = [
    "0xf87aa00000000000000000000000000000000000000000000000000000000000000000f854",
    "9464a702e6263b7297a96638cac6ae65e6541f4169",
    "943923390ad55e90c237593b3b0e401f3b08a03185",
    "94aefdb9a738c9f433e5b6b212a6d62f6370c2f692",
    "94c7eeb9a4e00ce683cf93039b212648e01c6c6b78",
    "c080c0",
].join("");
const DOCS_CONTRACT_EXTRA_DATA = "0xe5a00000000000000000000000000000000000000000000000000000000000000000c0c080c0";
const QBFT_MIX_HASH = "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365";

// Four addresses from keys derived with ethers, so the fixture does not come from the module.
const addresses = ["11", "22", "33", "44"].map((b) => computeAddress(new SigningKey("0x" + b.repeat(32)).publicKey));

const options: QbftGenesisOptions = {
    chainId: 4242,
    blockPeriodSeconds: 2,
    epochLength: 30000,
    requestTimeoutSeconds: 4,
    gasLimit: 0x1fffffffffffff,
    contractSizeLimit: 24576,
    validators: addresses,
};

describe("QBFT extraData", () => {
    it("is RLP [32 zero bytes, sorted validators, [], empty round, []] per an independent decoder", () => {
        const sorted = addresses.map((a) => a.toLowerCase()).sort();
        expect(decodeRlp(qbftExtraData(addresses))).toEqual(["0x" + "00".repeat(32), sorted, [], "0x", []]);
    });

    it("reproduces Besu's published contract-mode extraData byte for byte", () => {
        expect(qbftExtraData([])).toBe(DOCS_CONTRACT_EXTRA_DATA);
    });

    it("reproduces Besu's published 4-validator extraData, with the validators in ascending order", () => {
        const decoded = decodeRlp(DOCS_HEADER_EXTRA_DATA) as unknown[];
        const docsValidators = decoded[1] as string[];
        expect(docsValidators).toHaveLength(4);
        // The published vector lists validators unsorted; every item is 0x94 + 20 bytes, so the
        // sorted encoding is the same bytes with the four items in ascending order.
        const items = docsValidators.map((a) => "94" + a.slice(2));
        const prefix = "0xf87aa0" + "00".repeat(32) + "f854";
        const suffix = "c080c0";
        expect(prefix + items.join("") + suffix).toBe(DOCS_HEADER_EXTRA_DATA);
        expect(qbftExtraData(docsValidators)).toBe(prefix + [...items].sort().join("") + suffix);
        expect(qbftExtraData([...docsValidators].sort())).toBe(qbftExtraData(docsValidators));
    });

    it("accepts checksummed addresses and rejects bad checksums, duplicates and malformed input", () => {
        const checksummed = addresses.map((a) => getAddress(a));
        expect(qbftExtraData(checksummed)).toBe(qbftExtraData(addresses.map((a) => a.toLowerCase())));
        const first = checksummed[0] ?? "";
        // Hardhat account #0's published checksummed address with one letter's case flipped.
        const badChecksum = "0xf39fd6e51aad88F6F4ce6aB8827279cffFb92266";
        expect(() => getAddress(badChecksum)).toThrow();
        expect(() => qbftExtraData([badChecksum])).toThrow(/EIP-55/);
        expect(qbftExtraData(["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"])).toContain(
            "94f39fd6e51aad88f6f4ce6ab8827279cfffb92266",
        );
        expect(() => qbftExtraData([first, first.toLowerCase()])).toThrow(/listed twice/);
        expect(() => qbftExtraData(["0x1234"])).toThrow(/not an address/);
        expect(() => qbftExtraData([first.slice(2)])).toThrow(/not an address/);
    });
});

describe("QBFT genesis", () => {
    it("is byte-identical whatever order the validators come in", () => {
        const reference = qbftGenesis(options);
        const orders = [[3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]];
        for (const order of orders) {
            const validators = order.map((i) => addresses[i] ?? "");
            expect(qbftGenesis({ ...options, validators })).toBe(reference);
        }
        expect(qbftGenesis({ ...options, validators: addresses.map((a) => getAddress(a)) })).toBe(reference);
    });

    it("is Besu's documented QBFT genesis with free gas, every fork through Osaka from block 0, and a contract size limit", () => {
        const text = qbftGenesis(options);
        expect(text.endsWith("}\n")).toBe(true);
        expect(text).toContain('\n  "config": {\n    "chainId": 4242,');
        const g = JSON.parse(text) as Record<string, unknown> & {
            config: Record<string, unknown> & { chainId: number; qbft: Record<string, number>; zeroBaseFee: boolean };
        };
        expect(g.config.chainId).toBe(4242);
        for (const fork of ["berlinBlock", "londonBlock", "shanghaiTime", "cancunTime", "pragueTime", "osakaTime"]) expect(g.config[fork], fork).toBe(0);
        expect(g.config["contractSizeLimit"]).toBe(24576);
        expect(qbftGenesis({ ...options, contractSizeLimit: 49152 })).toContain('"contractSizeLimit": 49152');
        expect(g.config.zeroBaseFee).toBe(true);
        expect(g.config.qbft).toEqual({ blockperiodseconds: 2, epochlength: 30000, requesttimeoutseconds: 4 });
        expect(g["mixHash"]).toBe(QBFT_MIX_HASH);
        expect(g["difficulty"]).toBe("0x1");
        expect(g["gasLimit"]).toBe("0x1fffffffffffff");
        expect(g["coinbase"]).toBe("0x" + "00".repeat(20));
        expect(g["alloc"]).toEqual({});
        expect(decodeRlp(g["extraData"] as string)).toEqual([
            "0x" + "00".repeat(32), addresses.map((a) => a.toLowerCase()).sort(), [], "0x", [],
        ]);
    });

    it("refuses an empty validator set and nonsensical parameters", () => {
        expect(() => qbftGenesis({ ...options, validators: [] })).toThrow(/at least one validator/);
        expect(() => qbftGenesis({ ...options, chainId: 0 })).toThrow(/chainId/);
        expect(() => qbftGenesis({ ...options, blockPeriodSeconds: 1.5 })).toThrow(/blockPeriodSeconds/);
        expect(() => qbftGenesis({ ...options, gasLimit: -1 })).toThrow(/gasLimit/);
        expect(() => qbftGenesis({ ...options, contractSizeLimit: 0 })).toThrow(/contractSizeLimit/);
    });

    it("uses only genesis keys Besu reads, forks in the order Besu requires, and no PoS-only field (checked against Besu 26.8.0)", () => {
        const g = JSON.parse(qbftGenesis(options)) as { config: Record<string, unknown> & { qbft: Record<string, unknown> } } & Record<string, unknown>;
        // Besu lower-cases every key before it looks one up (GenesisReader).
        const configKeys = new Set(GENESIS_RULES.configKeys.map((k) => k.lookup));
        for (const key of Object.keys(g.config)) expect(configKeys.has(key.toLowerCase()), `config.${key}`).toBe(true);
        const qbftKeys = new Set(GENESIS_RULES.qbftKeys.map((k) => k.key.toLowerCase()));
        for (const key of Object.keys(g.config.qbft)) expect(qbftKeys.has(key.toLowerCase()), `config.qbft.${key}`).toBe(true);
        const topLevel = new Set(GENESIS_RULES.topLevelKeys.map((k) => k.key.toLowerCase()));
        for (const key of Object.keys(g)) expect(topLevel.has(key.toLowerCase()), key).toBe(true);
        // No terminal total difficulty: that would make it a proof-of-stake chain to Besu.
        expect(Object.keys(g.config).map((k) => k.toLowerCase())).not.toContain("terminaltotaldifficulty");
        // Every fork set is one Besu schedules, at non-decreasing values in Besu's milestone order
        // (else "Genesis Config Error: ... must be on or after milestone").
        const order = GENESIS_RULES.forkRules.milestoneOrder.map((k) => k.toLowerCase());
        const forks = Object.keys(g.config).filter((k) => /(Block|Time)$/.test(k));
        expect(forks.length).toBe(13);
        for (const fork of forks) expect(order, fork).toContain(fork.toLowerCase());
        const values = [...forks].sort((a, b) => order.indexOf(a.toLowerCase()) - order.indexOf(b.toLowerCase())).map((k) => g.config[k] as number);
        expect(values).toEqual([...values].sort((a, b) => a - b));
        expect(typeof g.config["zeroBaseFee"]).toBe("boolean");
    });
});
