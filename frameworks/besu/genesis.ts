// QBFT genesis and the static peer list. Every region must produce identical bytes from the same
// inputs: a genesis that differs by one byte is a different chain, and its nodes never peer.
import { RLP } from "@ethereumjs/rlp";
import { keccak_256 } from "@noble/hashes/sha3";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils";
import { isValidPublicKey, toHex } from "./keys";
import { assertValidP2pHost } from "./host";

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
    /** Validator addresses (0x + 40 hex); input order does not matter. */
    readonly validators: readonly string[];
}

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
 * - berlinBlock and londonBlock at 0: the EVM of the London fork from the first block.
 * - zeroBaseFee: the network is permissioned and `alloc` is empty, so nobody holds ether; with a
 *   non-zero EIP-1559 base fee no transaction could ever pay. Nodes run with min-gas-price=0.
 * - timestamp 0x0, like Besu's built-in dev genesis: any fixed value works, a clock value would
 *   make every region's genesis differ.
 * - Later forks (shanghaiTime: PUSH0 from solc >= 0.8.20) are left out; compile with evmVersion
 *   "london" or "paris", or add the fork deliberately: it cannot be added later without a new chain.
 */
export function qbftGenesis(o: QbftGenesisOptions): string {
    if (o.validators.length === 0) {
        throw new Error("QBFT genesis: at least one validator is required (BFT needs 4 to tolerate a fault).");
    }
    const genesis = {
        config: {
            chainId: positiveInteger(o.chainId, "chainId"),
            berlinBlock: 0,
            londonBlock: 0,
            zeroBaseFee: true,
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

const ENODE = /^enode:\/\/([0-9a-f]{128})@([^:@/]+):(\d{1,5})$/;

/** static-nodes.json text: the enode URLs sorted, one per line in a JSON array, trailing newline. */
export function staticNodesJson(enodes: readonly string[]): string {
    const seen = new Set<string>();
    for (const enode of enodes) {
        const m = ENODE.exec(enode);
        if (!m || Number(m[3]) < 1 || Number(m[3]) > 65535) {
            throw new Error(
                `static nodes: "${enode}" is not an enode URL (enode://<128 lower-case hex>@<host>:<port>).`,
            );
        }
        if (!isValidPublicKey(m[1] ?? "")) {
            throw new Error(`static nodes: the node id in ${enode} is not on the secp256k1 curve.`);
        }
        assertValidP2pHost(m[2] ?? "", `static nodes: host of ${enode}`);
        if (seen.has(enode)) throw new Error(`static nodes: ${enode} is listed twice.`);
        seen.add(enode);
    }
    return JSON.stringify([...seen].sort(), null, 2) + "\n";
}
