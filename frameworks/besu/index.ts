// Besu/QBFT framework layer: pure functions and constants, no Pulumi and no I/O.
export * from "./keys";
export * from "./genesis";
export * from "./config";
export * from "./peers";
export { canonicalIp, enodeHost, isIpAddress } from "./host";
