// A deployed ledger's genesis never changes. The lock is what a stack publishes about the genesis it
// deployed (its parameters, its validators as the network file named them, and the exact bytes);
// the next run compares the network file with it before creating or changing anything. Pure: no Pulumi.
import { createHash } from "node:crypto";
import { DEFAULT_CONTRACT_SIZE_LIMIT } from "../frameworks/besu/genesis";
import type { LedgerConfig } from "../config/schema";

export interface GenesisLock {
    chainId: number;
    blockPeriodSeconds: number;
    epochLength: number;
    requestTimeoutSeconds: number;
    gasLimit: number;
    contractSizeLimit: number;
    /** The genesis validators as the network file names them: node names, or 0x addresses of removed ones. */
    validators: string[];
    /** sha256 of genesis.json. */
    sha256: string;
    /** genesis.json, byte for byte. */
    json: string;
}

/** The parameters a genesis is made from, in lock order. */
const PARAMETERS = ["chainId", "blockPeriodSeconds", "epochLength", "requestTimeoutSeconds", "gasLimit", "contractSizeLimit"] as const;

/** The genesis validators of a ledger: `genesis.validators`, or every validator in `nodes`. */
export function genesisValidatorEntries(ledger: LedgerConfig): string[] {
    return ledger.genesis?.validators ?? ledger.nodes.filter((n) => n.role === "validator").map((n) => n.name);
}

export function sha256Hex(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

/** The parameters of a ledger's genesis, as the network file gives them. */
export function genesisParameters(ledger: LedgerConfig): Pick<GenesisLock, (typeof PARAMETERS)[number]> {
    return Object.fromEntries(PARAMETERS.map((p) => [p, ledger[p]])) as Pick<GenesisLock, (typeof PARAMETERS)[number]>;
}

export function genesisLock(ledger: LedgerConfig, json: string): GenesisLock {
    return {
        ...genesisParameters(ledger),
        validators: genesisValidatorEntries(ledger),
        sha256: sha256Hex(json),
        json,
    };
}

/** Reads a lock from a stack's outputs; undefined when absent (never deployed), an error when malformed. */
export function readLock(value: unknown, where: string): GenesisLock | undefined {
    if (value === undefined || value === null) return undefined;
    const lock = value as Partial<GenesisLock>;
    const numbers = PARAMETERS.every((p) => p === "contractSizeLimit" ? lock[p] === undefined || typeof lock[p] === "number" : typeof lock[p] === "number");
    if (!numbers || !Array.isArray(lock.validators) || typeof lock.json !== "string") {
        throw new Error(`${where}: the recorded genesis lock is not one ledgerfleet wrote; refusing to guess what was deployed`);
    }
    return { ...(lock as GenesisLock), contractSizeLimit: lock.contractSizeLimit ?? DEFAULT_CONTRACT_SIZE_LIMIT };
}

/**
 * What differs between the deployed genesis and the one the network file describes now, one
 * sentence each; empty when they agree. Keys are not compared here: a generated key is a protected
 * resource, and every pod's verify-key container refuses a key that is not the one expected.
 */
export function lockDifferences(deployed: GenesisLock, planned: Omit<GenesisLock, "sha256" | "json">): string[] {
    const differences: string[] = [];
    for (const p of PARAMETERS) {
        if (deployed[p] !== planned[p]) differences.push(`${p} was ${deployed[p]} when the ledger was deployed, the network file now says ${planned[p]}`);
    }
    const was = [...deployed.validators].sort();
    const now = [...planned.validators].sort();
    if (was.join(",") !== now.join(",")) {
        const added = now.filter((v) => !was.includes(v));
        const removed = was.filter((v) => !now.includes(v));
        differences.push(
            `the genesis validators were [${deployed.validators.join(", ")}]` +
                `${added.length > 0 ? `; ${added.join(", ")} added` : ""}${removed.length > 0 ? `; ${removed.join(", ")} removed` : ""}` +
                `: set genesis.validators back to [${deployed.validators.join(", ")}] and add or remove validators by QBFT vote (qbft_proposeValidatorVote)`,
        );
    }
    return differences;
}
