// QBFT genesis. Every region must produce identical bytes from the same
// inputs: a genesis that differs by one byte is a different chain, and its nodes never peer.
import { RLP } from "@ethereumjs/rlp";
import { keccak_256 } from "@noble/hashes/sha3";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils";
import { toHex } from "./keys";

// The value QBFT/IBFT 2.0 require in every block header ("Istanbul byzantine fault tolerance").
const QBFT_MIX_HASH = "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365";
const ZERO_ADDRESS = "0x" + "00".repeat(20);

/** Lower-cases an address, checking the EIP-55 checksum when the input is mixed-case. */
function normalizeAddress(address: string, where: string): string {
    if (!/^0x[0-9a-fA-F]{40}$/.test(address)) {
        throw new Error(`${where}: "${address}" is not an address (0x followed by 40 hex digits).`);
    }
    const lower = "0x" + address.slice(2).toLowerCase();
    const body = address.slice(2);
    if (body !== body.toLowerCase() && body !== body.toUpperCase()) {
        const hash = bytesToHex(keccak_256(utf8ToBytes(lower.slice(2))));
        const expected = [...lower.slice(2)]
            .map((c, i) => (parseInt(hash[i] ?? "0", 16) >= 8 ? c.toUpperCase() : c))
            .join("");
        if (expected !== body) {
            throw new Error(`${where}: "${address}" has a wrong EIP-55 checksum; check it for typos.`);
        }
    }
    return lower;
}

/** Normalized, duplicate-free, ascending: the order is fixed so the genesis hash is too. */
function sortedValidators(addresses: readonly string[]): string[] {
    const seen = new Set<string>();
    addresses.forEach((a, i) => {
        const n = normalizeAddress(a, `validator #${i + 1}`);
        if (seen.has(n)) throw new Error(`Validator ${n} is listed twice; each validator must appear once.`);
        seen.add(n);
    });
    return [...seen].sort();
}

/**
 * Besu's QbftExtraDataCodec layout: RLP([32-byte vanity, [validators], votes = [], round = 0, seals = []]).
 * An empty list is accepted (it is what contract-based validator selection uses).
 */
export function qbftExtraData(validatorAddresses: readonly string[]): string {
    const validators = sortedValidators(validatorAddresses).map((a) => hexToBytes(a.slice(2)));
    // Round 0 as an RLP scalar is the empty string (0x80), exactly as Besu writes it.
    return toHex(RLP.encode([new Uint8Array(32), validators, [], new Uint8Array(0), []]));
}

export interface QbftGenesisOptions {
    readonly chainId: number;
    readonly blockPeriodSeconds: number;
    readonly epochLength: number;
    readonly requestTimeoutSeconds: number;
    readonly gasLimit: number;
    /** Largest deployable contract in bytes (EIP-170's 24576 unless raised). */
    readonly contractSizeLimit: number;
    /** Validator addresses (0x + 40 hex); input order does not matter. */
    readonly validators: readonly string[];
}

/** The EIP-170 limit, Besu's default for contractSizeLimit. */
export const DEFAULT_CONTRACT_SIZE_LIMIT = 24576;

/**
 * Every fork up to the current one (Osaka), active from the first block: block-numbered forks for
 * the pre-merge ones, timestamps for Shanghai and later, as Besu's genesis docs prescribe. Besu
 * builds a QBFT chain's schedule with its mainnet builder and skips the PoS system contracts for
 * PoA chains that name none, so no deposit contract, beacon-root contract or blobSchedule is needed
 * (see test/fixtures/besu/genesis-rules.json). Shanghai on QBFT needs Besu 26.2 or later.
 * Osaka caps one transaction at 2^24 gas (EIP-7825); a forked chain cannot drop a fork later.
 */
export const GENESIS_FORKS: readonly (readonly [string, number])[] = [
    ["homesteadBlock", 0],
    ["eip150Block", 0],
    ["eip158Block", 0],
    ["byzantiumBlock", 0],
    ["constantinopleBlock", 0],
    ["petersburgBlock", 0],
    ["istanbulBlock", 0],
    ["berlinBlock", 0],
    ["londonBlock", 0],
    ["shanghaiTime", 0],
    ["cancunTime", 0],
    ["pragueTime", 0],
    ["osakaTime", 0],
];

function positiveInteger(value: number, name: string): number {
    if (!Number.isSafeInteger(value) || value < 1) {
        throw new Error(`QBFT genesis: ${name} must be a positive integer, got ${value}.`);
    }
    return value;
}

/**
 * genesis.json text in a fixed key order, 2-space indent, trailing newline.
 *
 * Decisions (after Besu's QBFT and free-gas documentation):
 * - GENESIS_FORKS from block 0: the current EVM (PUSH0 from solc >= 0.8.20 works).
 * - zeroBaseFee: the network is permissioned and `alloc` is empty, so nobody holds ether; with a
 *   non-zero EIP-1559 base fee no transaction could ever pay. Nodes run with min-gas-price=0.
 * - contractSizeLimit written out even at its default, so the genesis says what the chain allows.
 * - timestamp 0x0, like Besu's built-in dev genesis: any fixed value works, a clock value would
 *   make every region's genesis differ.
 */
export function qbftGenesis(o: QbftGenesisOptions): string {
    if (o.validators.length === 0) {
        throw new Error("QBFT genesis: at least one validator is required (BFT needs 4 to tolerate a fault).");
    }
    const genesis = {
        config: {
            chainId: positiveInteger(o.chainId, "chainId"),
            ...Object.fromEntries(GENESIS_FORKS),
            zeroBaseFee: true,
            contractSizeLimit: positiveInteger(o.contractSizeLimit, "contractSizeLimit"),
            qbft: {
                blockperiodseconds: positiveInteger(o.blockPeriodSeconds, "blockPeriodSeconds"),
                epochlength: positiveInteger(o.epochLength, "epochLength"),
                requesttimeoutseconds: positiveInteger(o.requestTimeoutSeconds, "requestTimeoutSeconds"),
            },
        },
        nonce: "0x0",
        timestamp: "0x0",
        gasLimit: "0x" + positiveInteger(o.gasLimit, "gasLimit").toString(16),
        difficulty: "0x1",
        mixHash: QBFT_MIX_HASH,
        coinbase: ZERO_ADDRESS,
        alloc: {},
        extraData: qbftExtraData(o.validators),
    };
    return JSON.stringify(genesis, null, 2) + "\n";
}

/** The validator addresses in a genesis' extraData, as Besu reads them (for checks and reports). */
export function genesisValidators(genesisJson: string): string[] {
    const extraData = (JSON.parse(genesisJson) as { extraData?: unknown }).extraData;
    if (typeof extraData !== "string") throw new Error("genesis has no extraData");
    const decoded = RLP.decode(hexToBytes(extraData.replace(/^0x/, "")));
    const list = Array.isArray(decoded) ? decoded[1] : undefined;
    if (!Array.isArray(list)) throw new Error("genesis extraData is not a QBFT validator list");
    return list.map((a) => toHex(a as Uint8Array));
}
