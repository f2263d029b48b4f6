// Independent view of the plan's placeholder node keys: the seed comes from the mocks (that is
// the placeholder's definition), everything derived from it is computed with ethers.
import { SigningKey, computeAddress } from "ethers";
import { placeholderBytes } from "../../cli/mocks";
import { privateKeyFromSeed } from "../../frameworks/besu/keys";

export interface PlaceholderKey {
    seedHex: string;
    seedBase64: string;
    privateKeyHex: string;
    /** 128 hex, no 0x04 prefix (enode form). */
    publicKeyHex: string;
    address: string;
}

export function placeholderKey(ledger: string, node: string): PlaceholderKey {
    const seed = placeholderBytes(`${ledger}-${node}-node-key`, 32);
    const privateKeyHex = Buffer.from(privateKeyFromSeed(seed)).toString("hex");
    const signing = new SigningKey(`0x${privateKeyHex}`);
    return {
        seedHex: seed.toString("hex"),
        seedBase64: seed.toString("base64"),
        privateKeyHex,
        publicKeyHex: signing.publicKey.slice(4),
        address: computeAddress(signing).toLowerCase(),
    };
}
