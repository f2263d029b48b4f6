// What AWS offers a network file: commercial regions with their Availability Zones, the EC2 families
// a ledger runs on, and the defaults. Dated; the loader refuses anything not listed here.
import type { CloudCatalog, MachineType } from "./types";

/** EC2 size suffix -> vCPUs, for the sizes a pool uses (2 to 32 vCPUs). */
const SIZES: Readonly<Record<string, number>> = { large: 2, xlarge: 4, "2xlarge": 8, "4xlarge": 16, "8xlarge": 32 };

/**
 * EBS volumes a machine can attach for pods. Nitro families count attachments one of two ways
 * (EC2 user guide, "Amazon EBS volume limits for Amazon EC2 instances"; aws-ebs-csi-driver
 * pkg/cloud/limits/volume_limits.go and volume_limits_table.go, checked 2026-11-25):
 * - dedicated (7th-generation Intel and AMD, 8th-generation Graviton): 32 EBS attachments of their own
 *   at every size listed here; the root volume takes one, 31 are left;
 * - shared (6th-generation Intel, 7th-generation Graviton): 28 attachments shared with network
 *   interfaces; the CSI driver counts 27 (less the root volume) less the interfaces attached. The VPC
 *   CNI attaches interfaces as pods need addresses, up to the type's maximum (EC2 "Maximum IP addresses
 *   per network interface": 3 on large, 4 on xlarge and 2xlarge, 8 on 4xlarge and 8xlarge), so that
 *   maximum is taken off: what is left holds whatever the CNI does.
 */
const EBS_ATTACHMENTS: Readonly<Record<string, "dedicated" | "shared">> = {
    m6i: "shared", m7i: "dedicated", m7a: "dedicated", m7g: "shared", m8g: "dedicated",
    r6i: "shared", r7i: "dedicated", r7a: "dedicated", r7g: "shared", r8g: "dedicated",
};
const MAX_NETWORK_INTERFACES: Readonly<Record<string, number>> = { large: 3, xlarge: 4, "2xlarge": 4, "4xlarge": 8, "8xlarge": 8 };

function maxVolumes(name: string, size: string): number {
    const kind = EBS_ATTACHMENTS[name];
    if (kind === undefined) throw new Error(`config/catalog/aws.ts: EC2 family ${name} has no EBS attachment kind; add it to EBS_ATTACHMENTS`);
    return kind === "dedicated" ? 32 - 1 : 27 - (MAX_NETWORK_INTERFACES[size] ?? 0);
}

/**
 * One EC2 family at a fixed memory-per-vCPU ratio: every current-generation M family has 4 GiB per
 * vCPU and every R family 8 GiB (EC2 instance type specifications, general purpose and memory optimized).
 */
function family(name: string, memoryPerVcpuGiB: number): Record<string, MachineType> {
    return Object.fromEntries(
        Object.entries(SIZES).map(([size, vcpu]) => [`${name}.${size}`, { vcpu, memoryGiB: vcpu * memoryPerVcpuGiB, maxVolumes: maxVolumes(name, size) }]),
    );
}

/** Zones `<region>a`, `<region>b`, ... for the given letters. */
function zones(region: string, letters: string): string[] {
    return [...letters].map((letter) => `${region}${letter}`);
}

export const AWS_CATALOG: CloudCatalog = {
    checked: "2026-11-25",
    sources: [
        "https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html",
        "https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html",
        "https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html",
        "https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html",
        "https://docs.aws.amazon.com/ec2/latest/instancetypes/mo.html",
        "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html",
        "@pulumi/aws 7.48.0 types/enums: Region and ec2.InstanceType",
    ],
    // Commercial regions (the SDK's `aws.Region` enum, less China, GovCloud, ISO and the European
    // Sovereign Cloud, which need separate accounts). Letters are zone codes. In the oldest regions
    // accounts created before November 2025 map codes to physical zones each their own way (az-ids
    // page), so only codes every account has are listed: us-east-1e (constrained in many accounts),
    // ap-northeast-1b and ca-central-1c (not offered to newer accounts) are left out, and so is
    // us-west-1, where an account sees two of three codes and a region here needs three zones.
    // `aws ec2 describe-availability-zones` shows an account's own codes.
    regions: {
        "us-east-1": zones("us-east-1", "abcdf"),
        "us-east-2": zones("us-east-2", "abc"),
        "us-west-2": zones("us-west-2", "abcd"),
        "ca-central-1": zones("ca-central-1", "abd"),
        "ca-west-1": zones("ca-west-1", "abc"),
        "mx-central-1": zones("mx-central-1", "abc"),
        "sa-east-1": zones("sa-east-1", "abc"),
        "eu-central-1": zones("eu-central-1", "abc"),
        "eu-central-2": zones("eu-central-2", "abc"),
        "eu-west-1": zones("eu-west-1", "abc"),
        "eu-west-2": zones("eu-west-2", "abc"),
        "eu-west-3": zones("eu-west-3", "abc"),
        "eu-north-1": zones("eu-north-1", "abc"),
        "eu-south-1": zones("eu-south-1", "abc"),
        "eu-south-2": zones("eu-south-2", "abc"),
        "af-south-1": zones("af-south-1", "abc"),
        "il-central-1": zones("il-central-1", "abc"),
        "me-central-1": zones("me-central-1", "abc"),
        "me-south-1": zones("me-south-1", "abc"),
        "ap-east-1": zones("ap-east-1", "abc"),
        "ap-east-2": zones("ap-east-2", "abc"),
        "ap-south-1": zones("ap-south-1", "abc"),
        "ap-south-2": zones("ap-south-2", "abc"),
        "ap-northeast-1": zones("ap-northeast-1", "acd"),
        "ap-northeast-2": zones("ap-northeast-2", "abcd"),
        "ap-northeast-3": zones("ap-northeast-3", "abc"),
        "ap-southeast-1": zones("ap-southeast-1", "abc"),
        "ap-southeast-2": zones("ap-southeast-2", "abc"),
        "ap-southeast-3": zones("ap-southeast-3", "abc"),
        "ap-southeast-4": zones("ap-southeast-4", "abc"),
        "ap-southeast-5": zones("ap-southeast-5", "abc"),
        "ap-southeast-6": zones("ap-southeast-6", "abc"),
        "ap-southeast-7": zones("ap-southeast-7", "abc"),
    },
    // General purpose (M) and memory optimized (R): Intel (i), AMD (a) and Graviton (g) generations
    // that EKS managed node groups run (Graviton on the ARM64 AMI, see components/clouds/aws.ts).
    machines: {
        ...family("m6i", 4),
        ...family("m7i", 4),
        ...family("m7a", 4),
        ...family("m7g", 4),
        ...family("m8g", 4),
        ...family("r6i", 8),
        ...family("r7i", 8),
        ...family("r7a", 8),
        ...family("r7g", 8),
        ...family("r8g", 8),
    },
    defaults: {
        systemMachine: "m7i.large",
        ledgerMachine: "m7i.2xlarge",
        // EKS 1.35: released 2026-01-28, standard support until 2027-03-27 (kubernetes-versions page).
        kubernetesVersion: "1.35",
    },
};
