// Config reload. Kubernetes updates a mounted ConfigMap or Secret by swapping a symlink (`..data`)
// in its folder, which a watch on the file itself never sees; so every `reload.intervalMs` the
// service reads the files the running config came from (the config file, the keys file) and
// hashes their bytes. A change is loaded and checked as at start: a good config is applied, a bad
// one is logged and the last good one stays (and the bad one is not retried until a file changes again).
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { type LoadedConfig, loadConfig, RefusedConfig, type Source } from "./config";

export interface ConfigWatcher {
    stop(): void;
}

export interface WatchOptions {
    readonly file: string;
    /** The files (and their hashes) the running config was read from. */
    readonly sources: readonly Source[];
    readonly intervalMs: number;
    onApplied(loaded: LoadedConfig): void;
    onRefused(error: RefusedConfig): void;
    /** Anything else that went wrong while reloading (a bug, not a bad file): logged, the last config stays. */
    onError(error: unknown): void;
}

export function watchConfig(options: WatchOptions): ConfigWatcher {
    let sources = options.sources;
    let intervalMs = options.intervalMs;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;

    const changed = (): boolean => sources.some((source) => hashOf(source.file) !== source.sha256);
    const tick = () => {
        timer = undefined;
        if (stopped) return;
        try {
            if (changed()) {
                try {
                    const loaded = loadConfig(options.file);
                    sources = loaded.sources;
                    intervalMs = loaded.config.reload.intervalMs;
                    options.onApplied(loaded);
                } catch (err) {
                    if (!(err instanceof RefusedConfig)) throw err;
                    sources = err.sources;
                    options.onRefused(err);
                }
            }
        } catch (err) {
            options.onError(err);
        }
        if (!stopped) schedule();
    };
    const schedule = () => {
        timer = setTimeout(tick, intervalMs);
        timer.unref();
    };
    schedule();
    return {
        stop() {
            stopped = true;
            if (timer) clearTimeout(timer);
        },
    };
}

/** SHA-256 hex of the file's bytes, "" when it cannot be read (so that its return counts as a change). */
function hashOf(file: string): string {
    try {
        return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
    } catch {
        return "";
    }
}
