// Tenant keys. The service holds only their SHA-256 digests (the config's keySha256 and the keys
// file), never a key: a leaked config or heap dump gives nobody a key to send.
import { createHash, timingSafeEqual } from "node:crypto";

interface Entry<T> {
    readonly digest: Buffer;
    readonly owner: T;
}

/** Compared against when the presented key's digest is unknown, so both paths do the same work. */
const NO_DIGEST = Buffer.alloc(32);

export class KeyTable<T> {
    private readonly byHex = new Map<string, Entry<T>>();

    /** `keys`: lower-case hex SHA-256 of a key, and whom it belongs to. */
    constructor(keys: Iterable<readonly [string, T]>) {
        for (const [hex, owner] of keys) this.byHex.set(hex, { digest: Buffer.from(hex, "hex"), owner });
    }

    /**
     * Whose key is in `authorization` (`Bearer <key>`), or undefined. The Map lookup by the
     * presented key's digest may take more or less time depending on that digest, but a caller
     * cannot choose a digest without a preimage of it, so that time tells nothing about a valid
     * key; the decision itself is a constant-time comparison of the two digests, made (against
     * zeroes) even when the lookup found nothing.
     */
    lookup(authorization: string | undefined): T | undefined {
        if (authorization === undefined || authorization.length < 8 || authorization.slice(0, 7).toLowerCase() !== "bearer ") return undefined;
        const digest = createHash("sha256").update(authorization.slice(7).trim()).digest();
        const entry = this.byHex.get(digest.toString("hex"));
        const same = timingSafeEqual(digest, entry?.digest ?? NO_DIGEST);
        return same && entry ? entry.owner : undefined;
    }

    owners(): T[] {
        return [...new Set([...this.byHex.values()].map((e) => e.owner))];
    }
}
