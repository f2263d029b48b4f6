// Google Cloud: the regions and zones a network file may name, the machine types of the ledger's pools
// and the defaults, checked against Google's own pages on the date below.
import type { CloudCatalog, MachineType } from "./types";

/**
 * Persistent disks a machine can attach for pods: 128 per machine for every type here (2 vCPUs or
 * more; shared-core types stop at 16), less the boot disk: 127, as the PD CSI driver reports it
 * (compute/docs/disks "Persistent Disk limits"; kubernetes-sigs/gcp-compute-persistent-disk-csi-driver
 * pkg/gce-pd-csi-driver/node.go volumeLimitBig, checked 2026-11-25).
 */
const MAX_PD_VOLUMES = 127;

/** `<series>-<kind>-<n>` for each n: n vCPUs and `gibPerVcpu` × n GiB (Google's fixed ratio per kind). */
function series(prefix: string, vcpus: readonly number[], gibPerVcpu: number): Record<string, MachineType> {
    return Object.fromEntries(vcpus.map((n) => [`${prefix}-${n}`, { vcpu: n, memoryGiB: n * gibPerVcpu, maxVolumes: MAX_PD_VOLUMES }]));
}

/** Zones `a`, `b`, `c` (or the letters given) of a region, in Google's order. */
function zones(region: string, letters = "abc"): readonly string[] {
    return [...letters].map((l) => `${region}-${l}`);
}

const POWERS = [2, 4, 8, 16, 32] as const;

export const GCP_CATALOG: CloudCatalog = {
    checked: "2026-11-25",
    sources: [
        "https://cloud.google.com/compute/docs/regions-zones",
        "https://cloud.google.com/compute/docs/general-purpose-machines",
        "https://cloud.google.com/compute/docs/memory-optimized-machines",
        "https://cloud.google.com/kubernetes-engine/docs/release-schedule",
        "https://cloud.google.com/kubernetes-engine/versioning",
    ],
    // Public, generally available regions. Not listed: regions Google announced but had not opened to
    // every customer when checked (e.g. Bangkok), and sovereign-cloud locations outside the public list.
    regions: {
        "africa-south1": zones("africa-south1"),
        "asia-east1": zones("asia-east1"),
        "asia-east2": zones("asia-east2"),
        "asia-northeast1": zones("asia-northeast1"),
        "asia-northeast2": zones("asia-northeast2"),
        "asia-northeast3": zones("asia-northeast3"),
        "asia-south1": zones("asia-south1"),
        "asia-south2": zones("asia-south2"),
        "asia-southeast1": zones("asia-southeast1"),
        "asia-southeast2": zones("asia-southeast2"),
        "australia-southeast1": zones("australia-southeast1"),
        "australia-southeast2": zones("australia-southeast2"),
        "europe-central2": zones("europe-central2"),
        "europe-north1": zones("europe-north1"),
        "europe-north2": zones("europe-north2"),
        "europe-southwest1": zones("europe-southwest1"),
        // Belgium has no zone a.
        "europe-west1": zones("europe-west1", "bcd"),
        "europe-west2": zones("europe-west2"),
        "europe-west3": zones("europe-west3"),
        "europe-west4": zones("europe-west4"),
        "europe-west6": zones("europe-west6"),
        "europe-west8": zones("europe-west8"),
        "europe-west9": zones("europe-west9"),
        "europe-west10": zones("europe-west10"),
        "europe-west12": zones("europe-west12"),
        "me-central1": zones("me-central1"),
        "me-central2": zones("me-central2"),
        "me-west1": zones("me-west1"),
        "northamerica-northeast1": zones("northamerica-northeast1"),
        "northamerica-northeast2": zones("northamerica-northeast2"),
        "northamerica-south1": zones("northamerica-south1"),
        "southamerica-east1": zones("southamerica-east1"),
        "southamerica-west1": zones("southamerica-west1"),
        "us-central1": zones("us-central1", "abcf"),
        // South Carolina has no zone a.
        "us-east1": zones("us-east1", "bcd"),
        "us-east4": zones("us-east4"),
        "us-east5": zones("us-east5"),
        "us-south1": zones("us-south1"),
        "us-west1": zones("us-west1"),
        "us-west2": zones("us-west2"),
        "us-west3": zones("us-west3"),
        "us-west4": zones("us-west4"),
    },
    // Series whose machines take Persistent Disk (pd-balanced boot disks and volumes, as the adapter
    // and its StorageClass use). N4 and C4 take Hyperdisk only, so they are left out on purpose.
    machines: {
        ...series("e2-standard", POWERS, 4),
        // E2 high-memory stops at 16 vCPUs.
        ...series("e2-highmem", [2, 4, 8, 16], 8),
        ...series("n2-standard", POWERS, 4),
        ...series("n2-highmem", POWERS, 8),
        ...series("n2d-standard", POWERS, 4),
        ...series("n2d-highmem", POWERS, 8),
        // C3 starts at 4 vCPUs and steps 4, 8, 22 below 32.
        ...series("c3-standard", [4, 8, 22], 4),
        ...series("c3-highmem", [4, 8, 22], 8),
    },
    defaults: {
        systemMachine: "e2-standard-2",
        ledgerMachine: "n2-standard-8",
        // Upstream GA December 2025; in GKE's Regular channel through 2026 with standard support
        // into 2027 (GKE gives a minor about 14 months of standard support after Regular).
        kubernetesVersion: "1.35",
    },
};
