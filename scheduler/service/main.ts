// The service's life: load the config (refused: exit 2), listen, reload on change, and on SIGTERM
// stop accepting, answer what is in flight (at most limits.shutdownMs), exit 0.
import pino, { type Logger } from "pino";
import type { FastifyInstance } from "fastify";
import { type LoadedConfig, loadConfig, type SchedulerConfig } from "./config";
import { SchedulerConfigError } from "./problems";
import { type ConfigWatcher, watchConfig } from "./reload";
import { buildAdminServer, buildServer } from "./server";
import { SchedulerState } from "./state";

/** Exit codes of `ledgerfleet scheduler` and of the container's entry. */
export const SCHEDULER_EXIT = {
    /** Stopped by SIGTERM/SIGINT after answering every request in flight. */
    ok: 0,
    /** Could not listen, or the shutdown grace ran out with requests still in flight. */
    failed: 1,
    /** Invalid configuration or usage: nothing started. */
    usage: 2,
} as const;

export interface RunningScheduler {
    /** `http://host:port` the tenants' JSON-RPC is served on. */
    readonly url: string;
    /** Where /metrics, /healthz and /readyz are, when `admin` is set; else on `url`. */
    readonly adminUrl?: string;
    readonly state: SchedulerState;
    /** Graceful stop; resolves with the exit code. A second call forces it. */
    stop(): Promise<number>;
}

/**
 * The log: JSON lines on stdout, written asynchronously so that a slow reader never holds a
 * request, and in batches of up to 8 KiB (flushed at least every 200 ms, and at exit): one write
 * per access line would cost the service more than the rest of the request.
 */
export function defaultLogger(): Logger {
    return pino(
        { base: { service: "ledgerfleet-scheduler" }, redact: { paths: ["authorization", "headers.authorization", "req.headers.authorization"], censor: "[redacted]" } },
        pino.destination({ dest: 1, sync: false, minLength: 8192, periodicFlush: 200 }),
    );
}

/** Loads `configFile` and listens. Throws RefusedConfig when the config is invalid, an Error when it cannot listen. */
export async function startScheduler(configFile: string, logger: Logger = defaultLogger()): Promise<RunningScheduler> {
    const loaded = loadConfig(configFile);
    for (const warning of loaded.warnings) logger.warn(warning);
    const state = new SchedulerState(loaded.config);
    const app = buildServer(state, logger);
    const admin = loaded.config.admin ? buildAdminServer(state) : undefined;
    let url: string;
    let adminUrl: string | undefined;
    try {
        url = await listen(app, loaded.config.listen);
        if (admin && loaded.config.admin) adminUrl = await listen(admin, loaded.config.admin);
    } catch (err) {
        await Promise.allSettled([app.close(), admin?.close()]);
        await state.destroy();
        throw err;
    }
    logger.info({ url, ...(adminUrl ? { admin: adminUrl } : {}), ledgers: loaded.config.ledgers.length, tenants: loaded.config.tenants.length, replicas: loaded.config.replicas }, "listening");

    const watcher: ConfigWatcher = watchConfig({
        file: loaded.config.file,
        sources: loaded.sources,
        intervalMs: loaded.config.reload.intervalMs,
        onApplied: (next) => apply(state, next, logger),
        onRefused: (error) => {
            state.metrics.reload("refused");
            logger.error({ file: loaded.config.file }, `config reload refused, keeping the last good config: ${error.problems.length === 0 ? error.message : error.message.split("\n").join("; ")}`);
        },
        onError: (error) => logger.error({ file: loaded.config.file }, `config reload failed, keeping the last good config: ${error instanceof Error ? error.message : String(error)}`),
    });

    let stopping: Promise<number> | undefined;
    const stop = (): Promise<number> => {
        if (stopping) {
            // Asked twice (a second Ctrl-C): stop now.
            void state.destroy();
            app.server.closeAllConnections();
            return Promise.resolve(SCHEDULER_EXIT.failed);
        }
        stopping = (async () => {
            state.closing = true;
            watcher.stop();
            logger.info({ graceMs: state.config.limits.shutdownMs }, "shutting down: no new connections, answering the requests in flight");
            let forced = false;
            const grace = setTimeout(() => {
                forced = true;
                logger.warn({ graceMs: state.config.limits.shutdownMs }, "shutdown grace ran out: closing the connections still open");
                app.server.closeAllConnections();
                admin?.server.closeAllConnections();
                void state.destroy();
            }, state.config.limits.shutdownMs);
            await Promise.all([app.close(), admin?.close()]);
            await state.close();
            clearTimeout(grace);
            logger.info("stopped");
            await new Promise<void>((resolve) => logger.flush(() => resolve()));
            return forced ? SCHEDULER_EXIT.failed : SCHEDULER_EXIT.ok;
        })();
        return stopping;
    };
    return { url, ...(adminUrl ? { adminUrl } : {}), state, stop };
}

/**
 * Runs the service until SIGTERM or SIGINT; resolves with the exit code. Problems are written to
 * `err` (an invalid config: every problem with file, line and key path).
 */
export async function runScheduler(configFile: string, err: (text: string) => void, logger?: Logger): Promise<number> {
    let running: RunningScheduler;
    try {
        running = await startScheduler(configFile, logger);
    } catch (error) {
        if (error instanceof SchedulerConfigError) {
            err(`ledgerfleet scheduler: invalid configuration, not started:\n${error.message}\n`);
            return SCHEDULER_EXIT.usage;
        }
        err(`ledgerfleet scheduler: ${error instanceof Error ? error.message : String(error)}\n`);
        return SCHEDULER_EXIT.failed;
    }
    return new Promise<number>((resolve) => {
        const onSignal = () => void running.stop().then(resolve);
        process.on("SIGTERM", onSignal);
        process.on("SIGINT", onSignal);
    });
}

function apply(state: SchedulerState, loaded: LoadedConfig, logger: Logger): void {
    const before = state.config;
    const next = loaded.config;
    for (const warning of loaded.warnings) logger.warn(warning);
    state.apply(next);
    state.metrics.reload("applied");
    const restart = needsRestart(before, next);
    logger.info(
        { file: next.file, ledgers: next.ledgers.length, tenants: next.tenants.length, ...(restart.length > 0 ? { needsRestart: restart } : {}) },
        restart.length > 0 ? `config reloaded; ${restart.join(", ")} changed and take effect at the next restart` : "config reloaded",
    );
}

/** Fields a running service cannot change: the sockets it listens on and Fastify's body limit. */
function needsRestart(before: SchedulerConfig, after: SchedulerConfig): string[] {
    const changed: string[] = [];
    if (JSON.stringify(before.listen) !== JSON.stringify(after.listen)) changed.push("listen");
    if (JSON.stringify(before.admin) !== JSON.stringify(after.admin)) changed.push("admin");
    if (before.limits.bodyBytes !== after.limits.bodyBytes) changed.push("limits.bodyBytes");
    return changed;
}

async function listen(app: FastifyInstance, at: { host: string; port: number }): Promise<string> {
    try {
        await app.listen({ host: at.host, port: at.port });
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        throw new Error(`cannot listen on ${at.host}:${at.port} (${code}): choose another listen address or stop what uses it`);
    }
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : at.port;
    const host = at.host.includes(":") ? `[${at.host}]` : at.host;
    return `http://${host}:${port}`;
}
