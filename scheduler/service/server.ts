// The HTTP side: POST / takes a tenant's JSON-RPC (one call or a batch) and answers it exactly once;
// /healthz, /readyz and /metrics for Kubernetes and Prometheus. One straight handler rather than a
// chain of hooks: every step (key, parse, quota, policy, fair queue, peer) is a function call, and
// the access log line and the meters are written once, where the answer is sent.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { CODE, type Call, checkCall, errorBody, type InvalidCall, isInvalid, mergeBatch, quoteMethod } from "./jsonrpc";
import { type MethodClass, SEND_RAW_TRANSACTION } from "./methods";
import type { Outcome, TenantMeter } from "./metrics";
import type { ForwardResult } from "./route";
import type { SchedulerState, Tenant } from "./state";

type ForwardFailure = Extract<ForwardResult, { ok: false }>;

interface Answer {
    readonly tenant: Tenant | undefined;
    readonly started: number;
    readonly requestBytes: number;
    readonly calls: number;
}

export function buildServer(state: SchedulerState, logger: Logger): FastifyInstance {
    const app = Fastify({
        // The service writes its own one access line per request; Fastify's per-request child loggers would cost more than they tell.
        logger: false,
        bodyLimit: state.config.limits.bodyBytes,
        // During a shutdown a request still arriving on an open keep-alive connection is served
        // (with `Connection: close`), not refused: the tenant would only have to send it again.
        return503OnClosing: false,
    });
    const meterOf = (tenant: Tenant | undefined): TenantMeter => tenant?.meter ?? state.anonymous;

    const send = (reply: FastifyReply, answer: Answer, status: number, payload: string | Buffer, outcome: Outcome, error?: string): FastifyReply => {
        reply.code(status).header("content-type", "application/json");
        if (state.closing) reply.header("connection", "close");
        reply.send(payload);
        const responseBytes = typeof payload === "string" ? Buffer.byteLength(payload) : payload.length;
        const ms = performance.now() - answer.started;
        meterOf(answer.tenant).answered(outcome, answer.requestBytes, responseBytes, ms / 1000);
        state.metrics.response(status);
        // Never the key, nor any header: the tenant is named by its id.
        logger.info(
            {
                tenant: answer.tenant?.id ?? "-",
                ledger: answer.tenant?.ledger ?? "-",
                calls: answer.calls,
                status,
                outcome,
                ms: Math.round(ms * 100) / 100,
                requestBytes: answer.requestBytes,
                responseBytes,
                ...(error === undefined ? {} : { error }),
            },
            "rpc",
        );
        return reply;
    };
    const fail = (reply: FastifyReply, answer: Answer, status: number, code: number, message: string, outcome: Outcome, id: Call["id"] = null) =>
        send(reply, answer, status, errorBody(id ?? null, code, message), outcome);

    // Every body arrives as bytes: the handler parses it (a parse error is a JSON-RPC answer, not
    // Fastify's), and a single call is forwarded as those same bytes, never serialised again.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));

    app.post("/", async (request: FastifyRequest, reply: FastifyReply) => {
        const started = performance.now();
        const tenant = state.authenticate(request.headers.authorization);
        const body = Buffer.isBuffer(request.body) ? request.body : EMPTY;
        const answer: Answer = { tenant, started, requestBytes: body.length, calls: 0 };
        if (!tenant) {
            const message = request.headers.authorization === undefined ? "missing key: send it as `Authorization: Bearer <key>`" : "unknown key: check the key your operator gave you";
            return fail(reply, answer, 401, CODE.unauthorized, message, "unauthorized");
        }
        let value: unknown;
        try {
            value = JSON.parse(body.toString("utf8"));
        } catch {
            return fail(reply, answer, 400, CODE.parseError, body.length === 0 ? "parse error: the body is empty; send a JSON-RPC request" : "parse error: the body is not valid JSON", "invalid");
        }
        if (Array.isArray(value)) return batch(request, reply, tenant, body, value, started);

        const call = checkCall(value);
        const single: Answer = { tenant, started, requestBytes: body.length, calls: 1 };
        if (isInvalid(call)) return fail(reply, single, 400, CODE.invalidRequest, `invalid request: ${call.invalid}`, "invalid", call.id);
        const transaction = call.method === SEND_RAW_TRANSACTION ? 1 : 0;
        const throttle = tenant.quota.admit(1, transaction, performance.now());
        if (throttle) return throttled(reply, single, throttle, call.id);
        const cls = tenant.policy.classify(call.method);
        if (cls === undefined) {
            tenant.meter.denied(1);
            return fail(reply, single, 200, CODE.methodNotFound, deniedMessage(call.method, tenant), "denied", call.id);
        }
        const result = await tenant.route.forward(tenant.id, body, 1, transaction > 0, request.raw.socket);
        if (!result.ok) return failed(reply, single, result, call.id);
        tenant.meter.forwarded(cls, 1);
        return send(reply, single, result.status, result.body, "ok");
    });

    const batch = async (request: FastifyRequest, reply: FastifyReply, tenant: Tenant, body: Buffer, values: unknown[], started: number) => {
        const answer: Answer = { tenant, started, requestBytes: body.length, calls: values.length };
        const limit = state.config.limits.batchSize;
        if (values.length === 0) return fail(reply, answer, 400, CODE.invalidRequest, "invalid request: empty batch; send at least one call", "invalid");
        if (values.length > limit) return fail(reply, answer, 400, CODE.limitExceeded, `batch of ${values.length} calls is over this service's limit of ${limit}: split it`, "invalid");

        const calls: (Call | InvalidCall)[] = values.map(checkCall);
        let transactions = 0;
        for (const call of calls) if (!isInvalid(call) && call.method === SEND_RAW_TRANSACTION) transactions++;
        const throttle = tenant.quota.admit(calls.length, transactions, performance.now());
        if (throttle) return throttled(reply, answer, throttle, null);

        // The service's own answers by position (undefined: the call is forwarded).
        const local: (string | null | undefined)[] = new Array(calls.length);
        const forwarded: object[] = [];
        const classes: Record<MethodClass, number> = { read: 0, transaction: 0, extra: 0 };
        let denied = 0;
        calls.forEach((call, i) => {
            if (isInvalid(call)) {
                local[i] = errorBody(call.id, CODE.invalidRequest, `invalid request: ${call.invalid}`);
                return;
            }
            const cls = tenant.policy.classify(call.method);
            if (cls === undefined) {
                denied++;
                local[i] = call.id === undefined ? null : errorBody(call.id, CODE.methodNotFound, deniedMessage(call.method, tenant));
                return;
            }
            classes[cls]++;
            forwarded.push(call.value);
        });
        if (denied > 0) tenant.meter.denied(denied);
        if (forwarded.length === 0) {
            const merged = mergeBatch(calls, local, EMPTY);
            return send(reply, answer, 200, merged === "" ? "[]" : merged, denied > 0 ? "denied" : "invalid");
        }
        const whole = forwarded.length === calls.length;
        const result = await tenant.route.forward(tenant.id, whole ? body : Buffer.from(JSON.stringify(forwarded)), forwarded.length, transactions > 0, request.raw.socket);
        if (!result.ok) return failed(reply, answer, result, null);
        for (const cls of ["read", "transaction", "extra"] as const) tenant.meter.forwarded(cls, classes[cls]);
        // A batch the service did not touch is answered with the peer's bytes as they came.
        if (whole) return send(reply, answer, result.status, result.body, "ok");
        return send(reply, answer, 200, mergeBatch(calls, local, result.body), "ok");
    };

    /** The peers could not answer: 502, 503 (with a Retry-After of a second: a peer is usually back by then) or 504. */
    const failed = (reply: FastifyReply, answer: Answer, result: ForwardFailure, id: Call["id"]) => {
        answer.tenant?.meter.error(result.kind);
        if (result.status === 503) reply.header("retry-after", "1");
        const code = result.status === 503 ? CODE.unavailable : CODE.internalError;
        return send(reply, answer, result.status, errorBody(id ?? null, code, result.message), failureOutcome(result.kind), result.detail);
    };

    const throttled = (reply: FastifyReply, answer: Answer, throttle: { quota: "rps" | "tps"; limit: number; retryAfter: number }, id: Call["id"]) => {
        answer.tenant?.meter.throttled(throttle.quota);
        reply.header("retry-after", String(throttle.retryAfter));
        const what = throttle.quota === "rps" ? "JSON-RPC calls" : "transactions";
        const message = `tenant ${answer.tenant?.id} is over its quota of ${round(throttle.limit)} ${what} per second on this replica: retry after ${throttle.retryAfter} s`;
        return fail(reply, answer, 429, CODE.limitExceeded, message, "throttled", id);
    };

    // Body too large, a broken upload, a bug: still one JSON-RPC answer, metered and logged.
    app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, request, reply) => {
        const answer: Answer = { tenant: state.authenticate(request.headers.authorization), started: performance.now(), requestBytes: 0, calls: 0 };
        if (error.statusCode === 413) {
            return fail(reply, answer, 413, CODE.limitExceeded, `body over this service's limit of ${state.config.limits.bodyBytes} bytes: send smaller requests or batches`, "too_large");
        }
        if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
            return fail(reply, answer, error.statusCode, CODE.invalidRequest, `invalid request: ${error.message}`, "invalid");
        }
        logger.error({ err: { message: error.message, code: error.code } }, "internal error answering a request");
        return fail(reply, answer, 500, CODE.internalError, "internal error in the scheduler", "internal");
    });
    app.setNotFoundHandler((request, reply) => {
        const answer: Answer = { tenant: state.authenticate(request.headers.authorization), started: performance.now(), requestBytes: 0, calls: 0 };
        return fail(reply, answer, 404, CODE.invalidRequest, `nothing at ${request.method} ${request.url.slice(0, 100)}: send JSON-RPC with POST to /`, "not_found");
    });
    if (!state.config.admin) registerAdminRoutes(app, state);
    return app;
}

/** /healthz, /readyz and /metrics, on the tenants' port or on their own (config `admin`). */
export function buildAdminServer(state: SchedulerState): FastifyInstance {
    const app = Fastify({ logger: false });
    registerAdminRoutes(app, state);
    return app;
}

function registerAdminRoutes(app: FastifyInstance, state: SchedulerState): void {
    // Alive: the process answers. Nothing else is checked, so a peer outage never restarts the pods.
    app.get("/healthz", async (_request, reply) => reply.send({ status: "ok" }));
    // Ready: a config is loaded, the replica is not shutting down, and at least one peer of some
    // ledger passed its last health check (a ledger without peers is reported, not fatal).
    app.get("/readyz", async (_request, reply) => {
        const ready = state.ready();
        const ledgers: Record<string, { healthy: number; upstreams: number }> = {};
        for (const ledger of state.config.ledgers) ledgers[ledger.id] = { healthy: 0, upstreams: ledger.upstreams.length };
        for (const u of state.upstreamStatus()) if (u.healthy && ledgers[u.ledger]) ledgers[u.ledger].healthy++;
        return reply.code(ready ? 200 : 503).send({ ready, closing: state.closing, ledgers });
    });
    app.get("/metrics", async (_request, reply) => {
        const text = await state.metrics.registry.metrics();
        return reply.header("content-type", state.metrics.registry.contentType).send(text);
    });
}

const EMPTY = Buffer.alloc(0);

function deniedMessage(method: string, tenant: Tenant): string {
    return `method ${quoteMethod(method)} is not allowed for tenant ${tenant.id}; the operator can allow it in the tenant's methods.allow`;
}

function failureOutcome(kind: ForwardFailure["kind"]): Outcome {
    switch (kind) {
        case "timeout":
            return "timeout";
        case "queue_full":
        case "queue_timeout":
            return "queue_full";
        case "unavailable":
        case "refused":
            return "unavailable";
        case "abandoned":
            return "abandoned";
        default:
            return "upstream_error";
    }
}

function round(value: number): string {
    return Number.isInteger(value) ? String(value) : value.toFixed(2);
}
