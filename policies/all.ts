// Every policy of the pack, in the order the summary, policy.json and the README list them. Only
// policies/index.ts builds the PolicyPack from these; everything else (the offline plan, `ledgerfleet
// policy check`, the tests) runs them through policies/harness.ts.
import { ALICLOUD_POLICIES } from "./alicloud";
import { AWS_POLICIES } from "./aws";
import { GCP_POLICIES } from "./gcp";
import type { LedgerfleetPolicy } from "./harness";
import { KUBERNETES_POLICIES } from "./kubernetes";
import { LEDGER_POLICIES } from "./ledger";

export { KUBERNETES_POLICIES };

export const ALL_POLICIES: readonly LedgerfleetPolicy[] = [...LEDGER_POLICIES, ...KUBERNETES_POLICIES, ...AWS_POLICIES, ...GCP_POLICIES, ...ALICLOUD_POLICIES];
