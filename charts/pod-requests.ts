// What a ledger pod asks the scheduler for besides Besu itself: its helper containers. One place, so
// the pod (charts/ledger-pod.ts) and the pool sizing (config/pool-sizing.ts) never disagree.

/** The peers init container and the validators' peers-reload sidecar. */
export const HELPER_REQUESTS = { cpu: "50m", memory: "64Mi" } as const;
/** The verify-key init container: a short-lived JVM that exports the key's public half. */
export const VERIFY_KEY_REQUESTS = { cpu: "500m", memory: "1Gi" } as const;
