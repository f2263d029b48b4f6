// Which JSON-RPC methods a tenant may call. The default allow-list is what a dapp needs on a
// shared ledger: reading the chain and sending signed transactions. Everything that acts with
// the node's own identity or state is denied unless the tenant's `methods.allow` names it:
// - the node's accounts and signing (eth_accounts, eth_sign*, eth_sendTransaction, personal_*),
// - mining (miner_*, eth_getWork, eth_submitWork, eth_submitHashrate, eth_coinbase),
// - node-local filters (eth_newFilter and its kin): a filter lives on one peer while requests are
//   spread over all of them, and its id is guessable by other tenants; eth_getLogs does the job,
// - every other namespace (admin_, debug_, trace_, txpool_, qbft_, ibft_, clique_, perm_, priv_,
//   eea_, plugins_, engine_, rpc_...): node administration, permissioning, private transactions,
//   and calls costly enough to be billed apart.

/** eth_ methods a tenant does not get by default. */
export const DENIED_ETH_METHODS: ReadonlySet<string> = new Set([
    "eth_accounts",
    "eth_coinbase",
    "eth_sign",
    "eth_signTransaction",
    "eth_signTypedData",
    "eth_signTypedData_v1",
    "eth_signTypedData_v3",
    "eth_signTypedData_v4",
    "eth_sendTransaction",
    "eth_getWork",
    "eth_submitWork",
    "eth_submitHashrate",
    "eth_newFilter",
    "eth_newBlockFilter",
    "eth_newPendingTransactionFilter",
    "eth_getFilterChanges",
    "eth_getFilterLogs",
    "eth_uninstallFilter",
]);

/** Namespaces allowed by default (minus DENIED_ETH_METHODS). */
const DEFAULT_NAMESPACES = ["eth_", "net_", "web3_"];

export const SEND_RAW_TRANSACTION = "eth_sendRawTransaction";

/** How a method counts for metering. */
export type MethodClass = "read" | "transaction" | "extra";

/** A tenant's policy: the default allow-list plus its own allowances. `undefined` from classify means denied. */
export class MethodPolicy {
    private readonly exact: ReadonlySet<string>;
    private readonly namespaces: readonly string[];

    /** `allow`: exact method names or namespace wildcards (`debug_*`). */
    constructor(allow: readonly string[]) {
        this.exact = new Set(allow.filter((m) => !m.endsWith("_*")));
        this.namespaces = allow.filter((m) => m.endsWith("_*")).map((m) => m.slice(0, -1));
    }

    /** The method's class when the tenant may call it, else undefined. */
    classify(method: string): MethodClass | undefined {
        if (method === SEND_RAW_TRANSACTION) return "transaction";
        if (isDefaultAllowed(method)) return "read";
        if (this.exact.has(method)) return "extra";
        for (const ns of this.namespaces) if (method.startsWith(ns)) return "extra";
        return undefined;
    }
}

export function isDefaultAllowed(method: string): boolean {
    for (const ns of DEFAULT_NAMESPACES) {
        if (method.startsWith(ns)) return !DENIED_ETH_METHODS.has(method);
    }
    return false;
}
