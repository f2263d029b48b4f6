// Google Cloud list prices, us-central1 (Iowa), on demand, USD. See prices.ts for what is counted.
import type { CloudPriceRules } from "./prices";

/**
 * Compute Engine prices a predefined machine type as its vCPUs and memory at the series' rates, so
 * the two rates per series price every size. us-central1, per hour: the published list rates (the
 * page renders them with JavaScript, so they were not re-read on the checked date; n2-standard-8
 * comes to the well-known $0.388472).
 */
const SERIES_RATES: Readonly<Record<string, { vcpu: number; gib: number; source: string }>> = {
    e2: { vcpu: 0.021811, gib: 0.002923, source: "https://cloud.google.com/compute/vm-instance-pricing (E2, us-central1: $0.021811 per vCPU-hour, $0.002923 per GB-hour)" },
    n2: { vcpu: 0.031611, gib: 0.004237, source: "https://cloud.google.com/compute/vm-instance-pricing (N2, us-central1: $0.031611 per vCPU-hour, $0.004237 per GB-hour)" },
    n2d: { vcpu: 0.027502, gib: 0.003686, source: "https://cloud.google.com/compute/vm-instance-pricing (N2D, us-central1: $0.027502 per vCPU-hour, $0.003686 per GB-hour)" },
    c3: { vcpu: 0.03398, gib: 0.00455, source: "estimate: C3 rates of $0.03398 per vCPU-hour and $0.00455 per GB-hour, us-central1, recalled from https://cloud.google.com/compute/vm-instance-pricing and not re-read" },
};

export const GCP_PRICES: CloudPriceRules = {
    checked: "2026-11-25",
    referenceRegion: "us-central1",
    machinePrice(type, size) {
        const rates = SERIES_RATES[type.split("-")[0] as string];
        return rates === undefined ? undefined : { usd: size.vcpu * rates.vcpu + size.memoryGiB * rates.gib, source: rates.source };
    },
    controlPlaneHour: {
        usd: 0.1,
        source: "https://cloud.google.com/kubernetes-engine/pricing (cluster management fee $0.10 per cluster-hour; the billing account's monthly free-tier credit not counted)",
    },
    loadBalancerHour: {
        usd: 0.01,
        bundle: { count: 5, usd: 0.025 },
        source: "https://cloud.google.com/load-balancing/pricing (forwarding rules, us-central1: the first 5 together $0.025 per hour, each more $0.01 per hour; data processing not counted)",
    },
    addressHour: {
        usd: 0.005,
        source: "https://cloud.google.com/vpc/network-pricing (external IPv4 address in use $0.005 per hour; counted for every reserved address, an upper bound for those on forwarding rules)",
    },
    natHour: {
        usd: 0.0014,
        per: "machine",
        maxMachines: 32,
        source: "https://cloud.google.com/nat/pricing ($0.0014 per VM-hour up to 32 VMs, $0.044 per hour from 32; $0.045 per GiB processed not counted)",
    },
    storageGiBMonth: { usd: 0.1, source: "https://cloud.google.com/compute/disks-image-pricing (pd-balanced $0.10 per GB-month, us-central1)" },
    egressGiB: { usd: 0.12, source: "https://cloud.google.com/vpc/network-pricing (Premium Tier internet data transfer out, first TiB, $0.12 per GiB)" },
    // Each region's N2 price over us-central1's, rounded; regions opened since (europe-north2,
    // europe-west10/12, me-central1/2, northamerica-south1, africa-south1) take their nearest
    // neighbour's factor.
    regionMultipliers: {
        "africa-south1": 1.3,
        "asia-east1": 1.16,
        "asia-east2": 1.4,
        "asia-northeast1": 1.29,
        "asia-northeast2": 1.29,
        "asia-northeast3": 1.29,
        "asia-south1": 1.2,
        "asia-south2": 1.2,
        "asia-southeast1": 1.23,
        "asia-southeast2": 1.33,
        "australia-southeast1": 1.42,
        "australia-southeast2": 1.42,
        "europe-central2": 1.29,
        "europe-north1": 1.1,
        "europe-north2": 1.1,
        "europe-southwest1": 1.18,
        "europe-west1": 1.1,
        "europe-west2": 1.2,
        "europe-west3": 1.2,
        "europe-west4": 1.1,
        "europe-west6": 1.32,
        "europe-west8": 1.16,
        "europe-west9": 1.16,
        "europe-west10": 1.2,
        "europe-west12": 1.2,
        "me-central1": 1.2,
        "me-central2": 1.3,
        "me-west1": 1.2,
        "northamerica-northeast1": 1.1,
        "northamerica-northeast2": 1.1,
        "northamerica-south1": 1.2,
        "southamerica-east1": 1.59,
        "southamerica-west1": 1.42,
        "us-central1": 1,
        "us-east1": 1,
        "us-east4": 1.126,
        "us-east5": 1,
        "us-south1": 1.18,
        "us-west1": 1,
        "us-west2": 1.2,
        "us-west3": 1.2,
        "us-west4": 1.126,
    },
    multiplierSource: "estimate: Google Cloud regional factor = the region's N2 price over us-central1's (https://cloud.google.com/compute/vm-instance-pricing), applied to machines, disks, NAT, load balancers and egress",
};
