// What the Network component registers as its inputs (components/network.ts `networkShape`), which
// the ledger policies read: the whole network as the file describes it, in every stack.
import type { LedgerTolerance } from "./fault-tolerance";

export const NETWORK_TYPE = "ledgerfleet:index:Network";

export interface NetworkShape {
    /** Per ledger: what losing each region and each cloud-level failure domain costs. */
    faultTolerance: LedgerTolerance[];
    /** Per ledger: its image and every node, whichever stack builds it. */
    ledgers: Record<string, { image: string; nodes: { name: string; role: "validator" | "rpc"; region: string }[] }>;
}

/** The network's shape from the stack's Network component, or undefined when it recorded none. */
export function networkShapeOf(resources: readonly { type: string; props: Record<string, unknown> }[]): NetworkShape | undefined {
    const network = resources.find((r) => r.type === NETWORK_TYPE);
    const props = network?.props as Partial<NetworkShape> | undefined;
    return Array.isArray(props?.faultTolerance) && props?.ledgers !== undefined && typeof props.ledgers === "object" ? (props as NetworkShape) : undefined;
}
