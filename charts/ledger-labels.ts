// The labels and selectors of a ledger's objects, defined once so selectors never drift apart.
import { standardLabels } from "./kube";

/** Label keys ledgerfleet puts on every object of a ledger, so selectors never drift apart. */
export const LEDGER_LABEL = "ledgerfleet.io/ledger";
export const REGION_LABEL = "ledgerfleet.io/region";
export const ROLE_LABEL = "ledgerfleet.io/role";

export type LedgerRole = "validator" | "rpc";

/** Every ledger pod carries app.kubernetes.io/name=besu; selectors start from it. */
export const APP_NAME = "besu";

/** Labels of objects that belong to the ledger as a whole rather than to one node. */
export function ledgerLabels(v: { network: string; ledger: string; region: string }, component: string): Record<string, string> {
    return {
        ...standardLabels({ name: APP_NAME, instance: v.ledger, component, partOf: v.network }),
        [LEDGER_LABEL]: v.ledger,
        [REGION_LABEL]: v.region,
    };
}

/** Selects the pods of one role of one ledger in one region. */
export function roleSelector(v: { ledger: string; region: string }, role: LedgerRole): Record<string, string> {
    return {
        "app.kubernetes.io/name": APP_NAME,
        [LEDGER_LABEL]: v.ledger,
        [REGION_LABEL]: v.region,
        [ROLE_LABEL]: role,
    };
}
