// The placement engine for dedicated tenant ledgers: pure TypeScript, no Pulumi.
export * from "./types";
export { place, placeFirstFitDecreasing } from "./engine";
export { admits, describeResidency } from "./residency";
export { dedicatedNodeResources, podDemand } from "./sizing";
