// What a plan writes, shared by the plan and its summary (so neither imports the other).
import type { Registration } from "./mocks";

/** A resource as plan.json lists it: the registration, secrets redacted. */
export type PlanResource = Pick<Registration, "urn" | "type" | "name" | "parent" | "provider" | "custom"> & { inputs: unknown };

export interface PlanJson {
    project: string;
    stack: string;
    resources: PlanResource[];
    outputs: unknown;
}

export interface PolicyResult {
    policy: string;
    enforcementLevel: "advisory" | "mandatory" | "disabled";
    urn: string;
    message: string;
}
