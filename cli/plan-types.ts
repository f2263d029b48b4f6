// What a plan writes, shared by the plan and its summary (so neither imports the other).
import type { Registration } from "./mocks";
import type { LedgerTolerance } from "../policies/fault-tolerance";

/** A resource as plan.json lists it: the registration, secrets redacted. */
export type PlanResource = Pick<Registration, "urn" | "type" | "name" | "parent" | "provider" | "custom"> & { inputs: unknown };

export interface PlanJson {
    project: string;
    stack: string;
    resources: PlanResource[];
    outputs: unknown;
    /** Per ledger: validators lost with each region and failure domain, and whether a quorum is left (the summary's table). */
    faultTolerance: LedgerTolerance[];
}

export interface PolicyResult {
    policy: string;
    enforcementLevel: "advisory" | "mandatory" | "disabled";
    urn: string;
    message: string;
}
