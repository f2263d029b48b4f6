// JSON-RPC 2.0 as the service checks and answers it (https://www.jsonrpc.org/specification), with
// the Ethereum error codes of EIP-1474 where the specification has none.

export type JsonRpcId = string | number | null;

export const CODE = {
    parseError: -32700,
    invalidRequest: -32600,
    /** Also what Besu answers for a method whose API is not enabled: clients already handle it. */
    methodNotFound: -32601,
    internalError: -32603,
    /** The key is missing or unknown (server-error range). */
    unauthorized: -32000,
    /** EIP-1474 "resource unavailable": no peer, or the tenant's queue is full. */
    unavailable: -32002,
    /** EIP-1474 "limit exceeded": quota, batch size, body size. */
    limitExceeded: -32005,
} as const;

/** An error answer, ready to send. */
export function errorBody(id: JsonRpcId, code: number, message: string): string {
    return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"error":{"code":${code},"message":${JSON.stringify(message)}}}`;
}

export interface Call {
    /** undefined for a notification (no `id` member): it gets no answer. */
    readonly id: JsonRpcId | undefined;
    readonly method: string;
    readonly value: object;
}

export interface InvalidCall {
    readonly invalid: string;
    readonly id: JsonRpcId;
}

/** A call as the specification defines it, or why it is not one. */
export function checkCall(value: unknown): Call | InvalidCall {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return { invalid: "expected a JSON-RPC request object", id: null };
    }
    const call = value as { jsonrpc?: unknown; method?: unknown; id?: unknown; params?: unknown };
    const id = call.id;
    const idValid = id === undefined || id === null || typeof id === "string" || typeof id === "number";
    const answerId = idValid && id !== undefined ? (id as JsonRpcId) : null;
    if (call.jsonrpc !== "2.0") return { invalid: `expected "jsonrpc": "2.0"; found ${describeJson(call.jsonrpc)}`, id: answerId };
    if (typeof call.method !== "string" || call.method === "") return { invalid: `expected "method" to be a method name; found ${describeJson(call.method)}`, id: answerId };
    if (!idValid) return { invalid: `expected "id" to be a string, a number or null; found ${describeJson(id)}`, id: null };
    if (call.params !== undefined && (call.params === null || typeof call.params !== "object")) {
        return { invalid: `expected "params" to be an array or an object; found ${describeJson(call.params)}`, id: answerId };
    }
    return { id: id as JsonRpcId | undefined, method: call.method, value };
}

export function isInvalid(checked: Call | InvalidCall): checked is InvalidCall {
    return (checked as InvalidCall).invalid !== undefined;
}

/** A method name from a request, as a message may quote it: short, and JSON-escaped by errorBody. */
export function quoteMethod(method: string): string {
    return method.length > 80 ? `${method.slice(0, 77)}...` : method;
}

function describeJson(value: unknown): string {
    if (value === undefined) return "nothing";
    if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
    if (value === null || typeof value === "number" || typeof value === "boolean") return String(value);
    return Array.isArray(value) ? "an array" : "an object";
}

/**
 * The answers to a batch, in the order of its calls: the service's own (`local`, already
 * serialised; null for a notification it refused, which gets no answer; undefined where the call
 * was forwarded) merged with the peer's answer to the
 * forwarded calls. The peer's answers are matched by id (JSON-RPC lets a server
 * answer a batch in any order), by position when ids repeat. Notifications get no answer.
 */
export function mergeBatch(calls: readonly (Call | InvalidCall)[], local: readonly (string | null | undefined)[], upstreamBody: Buffer): string {
    let upstream: unknown;
    try {
        upstream = JSON.parse(upstreamBody.toString("utf8"));
    } catch {
        upstream = undefined;
    }
    const byId = new Map<string, unknown>();
    const answers = Array.isArray(upstream) ? upstream : [];
    let idsUnique = true;
    for (const answer of answers) {
        const key = answer !== null && typeof answer === "object" ? JSON.stringify((answer as { id?: unknown }).id ?? null) : "";
        if (byId.has(key)) idsUnique = false;
        byId.set(key, answer);
    }
    let position = 0;
    const parts: string[] = [];
    for (let i = 0; i < calls.length; i++) {
        const own = local[i];
        if (own === null) continue;
        if (own !== undefined) {
            parts.push(own);
            continue;
        }
        const call = calls[i] as Call;
        if (call.id === undefined) continue;
        let answer: unknown;
        if (!Array.isArray(upstream)) {
            // A peer that refuses a batch as a whole answers one error object: it is every call's answer.
            const error = upstream !== null && typeof upstream === "object" ? (upstream as { error?: unknown }).error : undefined;
            answer = error === undefined ? undefined : { jsonrpc: "2.0", id: call.id, error };
        } else if (idsUnique) {
            answer = byId.get(JSON.stringify(call.id));
        } else {
            answer = answers[position];
        }
        position++;
        parts.push(answer === undefined ? errorBody(call.id, CODE.internalError, "the ledger's peer gave no answer to this call") : JSON.stringify(answer));
    }
    return parts.length === 0 ? "" : `[${parts.join(",")}]`;
}
