// The ledgerfleet CrossGuard policy pack, for the Pulumi CLI:
//   pulumi preview --policy-pack policies [--policy-pack-config policy-config.json]
// Never imported by the program, the offline plan or the tests: the PolicyPack constructor starts
// the policy server. They run the same policies through policies/harness.ts.
import { PolicyPack } from "@pulumi/policy";
import { ALL_POLICIES } from "./all";

new PolicyPack("ledgerfleet", { policies: [...ALL_POLICIES] });
