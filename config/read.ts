// Step one of loading any config file: read it, as text, refusing what is not one before any
// parsing is spent on it.
import { isUtf8 } from "node:buffer";
import * as fs from "node:fs";
import { ConfigError } from "./errors";

/**
 * The largest config file read: 1 MiB. The example network is 4 KiB and a 1,000-node network about
 * 100 KiB; a 10 MB file costs seconds and over half a gigabyte to parse before it could be refused.
 */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/**
 * The file's text, or a ConfigError saying why there is none: it cannot be read, it is larger than
 * MAX_CONFIG_FILE_BYTES, or it is not text (a NUL byte, or bytes that are not UTF-8).
 */
export function readConfigFile(file: string, what: string): string {
    const refuse = (reason: string): ConfigError => new ConfigError([{ file, path: "", message: `cannot read ${what}: ${reason}` }]);
    let bytes: Buffer;
    try {
        const stat = fs.statSync(file);
        if (stat.isDirectory()) throw refuse("it is a directory");
        if (stat.size > MAX_CONFIG_FILE_BYTES) throw refuse(tooLarge(`${stat.size} bytes`));
        bytes = readAtMost(file, MAX_CONFIG_FILE_BYTES + 1);
    } catch (error) {
        if (error instanceof ConfigError) throw error;
        throw refuse(readFailure(error));
    }
    // The size on disk can be wrong (a file growing while it is read, a device, a pipe).
    if (bytes.length > MAX_CONFIG_FILE_BYTES) throw refuse(tooLarge(`more than ${MAX_CONFIG_FILE_BYTES} bytes`));
    const notText = notTextAt(bytes);
    if (notText !== undefined) throw refuse(`not a text file: ${notText}`);
    return bytes.toString("utf8");
}

function tooLarge(size: string): string {
    return `the file is too large: ${size}, over the limit of ${MAX_CONFIG_FILE_BYTES} bytes (1 MiB) for a config file`;
}

function readFailure(error: unknown): string {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "no such file";
    if (code === "EISDIR") return "it is a directory";
    if (code === "EACCES" || code === "EPERM") return "permission denied";
    return code ?? String(error);
}

/** Up to `limit` bytes of the file: never more is held in memory, whatever the file claims its size is. */
function readAtMost(file: string, limit: number): Buffer {
    const buffer = Buffer.alloc(limit);
    const fd = fs.openSync(file, "r");
    try {
        let length = 0;
        while (length < limit) {
            const read = fs.readSync(fd, buffer, length, limit - length, null);
            if (read === 0) break;
            length += read;
        }
        return buffer.subarray(0, length);
    } finally {
        fs.closeSync(fd);
    }
}

/** Where the bytes stop being UTF-8 text, said for a message; undefined when they are text. */
function notTextAt(bytes: Buffer): string | undefined {
    const nul = bytes.indexOf(0);
    if (nul >= 0) return `a NUL byte at byte offset ${nul} (a binary file, or text not in UTF-8)`;
    const invalid = invalidUtf8Offset(bytes);
    if (invalid !== undefined) {
        return `byte 0x${bytes[invalid].toString(16).padStart(2, "0")} at byte offset ${invalid} is not UTF-8 (a binary file, or text in another encoding)`;
    }
    return undefined;
}

/**
 * The offset of the first byte that is not part of valid UTF-8, if any. Decoding replaces each
 * invalid sequence by U+FFFD and leaves what is before it as it was, so the first U+FFFD that is
 * not itself written in the file (EF BF BD) marks the spot.
 */
function invalidUtf8Offset(bytes: Buffer): number | undefined {
    if (isUtf8(bytes)) return undefined;
    const text = bytes.toString("utf8");
    let offset = 0;
    let from = 0;
    for (let at = text.indexOf("\uFFFD"); at >= 0; at = text.indexOf("\uFFFD", at + 1)) {
        offset += Buffer.byteLength(text.slice(from, at), "utf8");
        from = at;
        if (!(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) return offset;
    }
    return undefined;
}
