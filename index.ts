// Pulumi entry point (`pulumi up`): Pulumi calls the exported function and awaits the outputs.
// `ledgerfleet plan` runs this same module under mocks; see cli/plan.ts.
import { ledgerfleet } from "./components/program";

export = ledgerfleet;
