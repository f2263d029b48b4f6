// What a plan writes, shared by the plan and its summary (so neither imports the other).
import type { Registration } from "./mocks";
import type { LedgerTolerance } from "../policies/fault-tolerance";
import type { NetworkPlacement } from "../config/dedicated";
import type { CostReport } from "../scheduler/cost";

/** A resource as plan.json lists it: the registration, secrets redacted. */
export type PlanResource = Pick<Registration, "urn" | "type" | "name" | "parent" | "provider" | "custom"> & { inputs: unknown };

export interface PlanJson {
    project: string;
    stack: string;
    resources: PlanResource[];
    outputs: unknown;
    /** Per ledger: validators lost with each region and failure domain, and whether a quorum is left (the summary's table). */
    faultTolerance: LedgerTolerance[];
    /** Where the placement engine put dedicated ledgers' nodes, and the pools it packed (with dedicated tenants only). */
    placement?: NetworkPlacement;
    /** Monthly cost per region, cloud, ledger and tenant, and each tenant's cost alone. */
    cost: CostReport;
}

export interface PolicyResult {
    policy: string;
    enforcementLevel: "advisory" | "mandatory" | "disabled";
    urn: string;
    message: string;
}
