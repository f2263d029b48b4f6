// The cost model: what the network costs per month, per region, cloud, ledger and tenant, beside
// each tenant's cost of going alone (model.ts explains the allocation).
export { type CostLine, type CostReport, machineHourPrice, networkCost, priceProblems, type TenantCost } from "./model";
export { COST_KINDS, type CostKind } from "./cluster";
