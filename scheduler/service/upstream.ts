// One JSON-RPC peer of a ledger: a keep-alive undici Pool, its health (active checks on a timer,
// passive marks from failed requests) and how many of the service's requests it is serving.
import { type Dispatcher, Pool } from "undici";

export type HealthCheck = "besu" | "eth_blockNumber";

/**
 * How a request to a peer failed:
 * - `refused`: the connection could not be made (refused, unreachable, connect timeout): the peer
 *   never saw a byte of the request, so even a transaction may be sent to another peer;
 * - `connection`: the connection broke after the request was (perhaps) written: the peer may have
 *   received it;
 * - `timeout`: no answer (headers, or the next piece of the body) within the upstream timeout;
 * - `bad_response`: an answer that is not JSON-RPC (HTML, truncated text, an HTTP 5xx).
 */
export type FailureKind = "refused" | "connection" | "timeout" | "bad_response";

export type UpstreamReply =
    | { readonly ok: true; readonly status: number; readonly body: Buffer }
    | { readonly ok: false; readonly failure: FailureKind; readonly detail: string };

/** Errors raised before the request is written to a socket. */
const CONNECT_ERRORS = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"]);
const TIMEOUT_ERRORS = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);
const JSON_HEADERS = { "content-type": "application/json" };
const BLOCK_NUMBER = Buffer.from('{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}');

export class Upstream {
    readonly url: string;
    /** Requests of this service on the peer now (the fair-share slots it holds). */
    inFlight = 0;
    /** Routed to. Starts true so that the first requests need not wait for the first check. */
    healthy = true;
    /** Whether the last active check succeeded (what /readyz reports). */
    checkedHealthy = false;
    /** Consecutive failed active checks. */
    private failures = 0;
    private readonly pool: Pool;
    private readonly path: string;
    private timer: NodeJS.Timeout | undefined;
    private checks: { kind: HealthCheck; failuresToDown: number; timeoutMs: number; onChange: () => void } | undefined;
    private checking = false;
    private closed = false;

    /** `connections`: the slots this replica may use on the peer; `connectTimeoutMs`: how long a new connection may take. */
    constructor(url: string, connections: number, connectTimeoutMs: number) {
        this.url = url;
        const parsed = new URL(url);
        this.path = parsed.pathname || "/";
        // One connection more than the slots: the health check must not wait behind a full peer.
        this.pool = new Pool(parsed.origin, { connections: connections + 1, pipelining: 1, connectTimeout: connectTimeoutMs });
    }

    /**
     * POSTs `body` and collects the whole answer. Through `dispatch` with a handler that gathers
     * the chunks, rather than `request()`: no stream object per answer, which the service would
     * only read to its end anyway.
     */
    send(body: Buffer, timeoutMs: number): Promise<UpstreamReply> {
        return new Promise((resolve) => {
            this.pool.dispatch({ path: this.path, method: "POST", headers: JSON_HEADERS, body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }, new Collector(resolve, timeoutMs));
        });
    }

    /**
     * A failed request that says the peer is gone (not merely a bad answer): stop routing to it
     * until a check passes, and check it now, so that a one-off (a keep-alive connection the peer
     * closed as it was used) costs a moment rather than a whole interval.
     */
    markDown(): void {
        this.healthy = false;
        this.checkedHealthy = false;
        this.failures = Math.max(this.failures, this.checks?.failuresToDown ?? 1);
        void this.runCheck();
    }

    /** Starts the active checks: one now, then every `intervalMs`. `onChange` hears every change of `healthy`. */
    startChecks(kind: HealthCheck, intervalMs: number, failuresToDown: number, timeoutMs: number, onChange: () => void): void {
        this.stopChecks();
        this.checks = { kind, failuresToDown, timeoutMs, onChange };
        // A check still running under the old settings is ignored when it ends (runCheck compares).
        this.checking = false;
        void this.runCheck();
        this.timer = setInterval(() => void this.runCheck(), intervalMs);
        this.timer.unref();
    }

    private async runCheck(): Promise<void> {
        const checks = this.checks;
        // One check at a time: a peer that hangs must not collect a pile of them.
        if (!checks || this.checking || this.closed) return;
        this.checking = true;
        const ok = await this.check(checks.kind, checks.timeoutMs);
        this.checking = false;
        if (this.closed || this.checks !== checks) return;
        const was = this.healthy;
        if (ok) {
            this.failures = 0;
            this.healthy = true;
            this.checkedHealthy = true;
        } else {
            this.failures++;
            this.checkedHealthy = false;
            if (this.failures >= checks.failuresToDown) this.healthy = false;
        }
        if (was !== this.healthy) checks.onChange();
    }

    stopChecks(): void {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
    }

    /** Besu: GET /readiness answers 200 when the node is synced and has peers. Otherwise: eth_blockNumber answers a block number. */
    async check(kind: HealthCheck, timeoutMs: number): Promise<boolean> {
        try {
            if (kind === "besu") {
                const response = await this.pool.request({ path: "/readiness", method: "GET", headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
                await response.body.dump();
                return response.statusCode === 200;
            }
            const response = await this.pool.request({ path: this.path, method: "POST", headers: JSON_HEADERS, body: BLOCK_NUMBER, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
            const text = await response.body.text();
            return response.statusCode === 200 && typeof (JSON.parse(text) as { result?: unknown }).result === "string";
        } catch {
            return false;
        }
    }

    /** Stops the checks and closes the pool once the requests on it are answered. */
    async close(): Promise<void> {
        this.closed = true;
        this.stopChecks();
        await this.pool.close();
    }

    /** Closes the pool now, failing what is still on it (the shutdown's grace has run out). */
    async destroy(): Promise<void> {
        this.closed = true;
        this.stopChecks();
        await this.pool.destroy();
    }
}

/**
 * Gathers one answer from the peer and settles it as an UpstreamReply (never a rejection). It
 * implements the callbacks undici's own request() implements (onConnect, onHeaders, onData,
 * onComplete, onError): the controller-style ones would put an adapter, a controller and a parse
 * of the headers into an object on every request. Undici 8 may drop them: then onRequestStart & co.
 */
class Collector implements Dispatcher.DispatchHandler {
    private status = 0;
    private readonly chunks: Buffer[] = [];

    constructor(
        private readonly settle: (reply: UpstreamReply) => void,
        private readonly timeoutMs: number,
    ) {}

    onConnect(): void {}

    onHeaders(statusCode: number): boolean {
        this.status = statusCode;
        return true;
    }

    onData(chunk: Buffer): boolean {
        this.chunks.push(chunk);
        return true;
    }

    onComplete(): void {
        const status = this.status;
        const data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
        if (status >= 500) this.settle({ ok: false, failure: "bad_response", detail: `HTTP ${status}` });
        else if (!looksLikeJson(data)) this.settle({ ok: false, failure: "bad_response", detail: `HTTP ${status} with a body that is not JSON-RPC (${data.length} bytes)` });
        else this.settle({ ok: true, status, body: data });
    }

    onError(err: Error): void {
        const code = (err as { code?: string }).code ?? "";
        const detail = `${code || "error"}: ${err.message}`;
        if (CONNECT_ERRORS.has(code)) this.settle({ ok: false, failure: "refused", detail });
        else if (TIMEOUT_ERRORS.has(code)) this.settle({ ok: false, failure: "timeout", detail: `no answer within ${this.timeoutMs} ms` });
        else this.settle({ ok: false, failure: "connection", detail });
    }
}

/**
 * Whether a body can be a JSON-RPC answer: an object or an array, whole. A cheap look at its ends
 * rather than a parse: a single answer is passed on to the tenant as it came, and an eth_getLogs
 * answer can be megabytes (a batch is parsed anyway, to put the calls the service answered itself
 * back in place).
 */
export function looksLikeJson(body: Buffer): boolean {
    let start = 0;
    let end = body.length - 1;
    while (start <= end && isSpace(body[start])) start++;
    while (end >= start && isSpace(body[end])) end--;
    if (end <= start) return false;
    const first = body[start];
    const last = body[end];
    return (first === 0x7b && last === 0x7d) || (first === 0x5b && last === 0x5d);
}

function isSpace(byte: number): boolean {
    return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}
