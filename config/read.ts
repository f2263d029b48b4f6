// Step one of loading any config file: read it, as text, refusing what is not one before any
// parsing is spent on it.
import * as fs from "node:fs";
import { ConfigError } from "./errors";

export function readConfigFile(file: string, what: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        const reason =
            code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : code === "EACCES" ? "permission denied" : String(error);
        throw new ConfigError([{ file, path: "", message: `cannot read ${what}: ${reason}` }]);
    }
}
