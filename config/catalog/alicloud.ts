// Alibaba Cloud: the regions (with their zone ids) where an ACK managed cluster can span at least two
// zones, the ECS instance families a ledger would run on, and the ACK releases we pin. Checked by hand
// against the pages in `sources` on the date in `checked`; re-check when a network names something
// the table refuses.
import type { CloudCatalog, MachineType } from "./types";

/**
 * ESSD data disks a machine can attach for pods: 16 data disks per instance, ECS's limit for most
 * families (ECS "Limits", block storage; not re-checked family by family, some newer sizes take more),
 * less the data disk every ACK node pool machine gets (components/clouds/alicloud.ts `dataDisks`): 15,
 * which is also the csi-plugin's MAX_VOLUMES_PERNODE in its deploy manifests
 * (kubernetes-sigs/alibaba-cloud-csi-driver, checked 2026-11-25).
 */
const MAX_DATA_DISKS = 16 - 1;

/** An ECS family whose sizes keep a fixed memory-to-vCPU ratio (as every g/r family does). */
function family(name: string, memoryPerVcpu: number): Record<string, MachineType> {
    // Sizes 2 to 32 vCPUs; Alibaba Cloud names them large, xlarge, 2xlarge, ... by vCPU/4.
    const sizes: Record<string, number> = { large: 2, xlarge: 4, "2xlarge": 8, "3xlarge": 12, "4xlarge": 16, "6xlarge": 24, "8xlarge": 32 };
    const out: Record<string, MachineType> = {};
    for (const [size, vcpu] of Object.entries(sizes)) out[`ecs.${name}.${size}`] = { vcpu, memoryGiB: vcpu * memoryPerVcpu, maxVolumes: MAX_DATA_DISKS };
    return out;
}

export const ALICLOUD_CATALOG: CloudCatalog = {
    checked: "2026-11-25",
    sources: [
        "https://www.alibabacloud.com/help/en/ecs/product-overview/regions-and-zones/",
        "https://www.alibabacloud.com/help/doc-detail/140601.htm (region ids per service)",
        "https://help.aliyun.com/en/eci/product-overview/regions-and-zones (zone ids per region)",
        "https://www.alibabacloud.com/help/en/ecs/user-guide/general-purpose-instance-families (g7, g8i, g8a)",
        "https://www.alibabacloud.com/help/en/ecs/user-guide/memory-optimized-instance-families (r7, r8i)",
        "https://www.alibabacloud.com/help/en/ack/product-overview/release-notes-for-kubernetes-versions",
        "https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/kubernetes-1-35-release-notes",
        "https://help.aliyun.com/en/ack/ack-managed-and-ack-dedicated/user-guide/kubernetes-1-36",
    ],
    // Only regions with two zones or more: a region's cluster spans at least two (config/schema.ts).
    regions: {
        "cn-hangzhou": ["cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j", "cn-hangzhou-k"],
        "cn-shanghai": ["cn-shanghai-e", "cn-shanghai-f", "cn-shanghai-g", "cn-shanghai-l", "cn-shanghai-m", "cn-shanghai-n"],
        "cn-qingdao": ["cn-qingdao-b", "cn-qingdao-c"],
        "cn-beijing": ["cn-beijing-c", "cn-beijing-d", "cn-beijing-e", "cn-beijing-f", "cn-beijing-g", "cn-beijing-h", "cn-beijing-i", "cn-beijing-j", "cn-beijing-k", "cn-beijing-l"],
        "cn-zhangjiakou": ["cn-zhangjiakou-a", "cn-zhangjiakou-b", "cn-zhangjiakou-c"],
        "cn-huhehaote": ["cn-huhehaote-a", "cn-huhehaote-b"],
        "cn-shenzhen": ["cn-shenzhen-c", "cn-shenzhen-d", "cn-shenzhen-e", "cn-shenzhen-f"],
        "cn-chengdu": ["cn-chengdu-a", "cn-chengdu-b"],
        "cn-hongkong": ["cn-hongkong-b", "cn-hongkong-c", "cn-hongkong-d"],
        "ap-southeast-1": ["ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"],
        "ap-southeast-3": ["ap-southeast-3a", "ap-southeast-3b"],
        "ap-southeast-5": ["ap-southeast-5a", "ap-southeast-5b", "ap-southeast-5c"],
        "ap-northeast-1": ["ap-northeast-1a", "ap-northeast-1b", "ap-northeast-1c"],
        "us-west-1": ["us-west-1a", "us-west-1b"],
        "us-east-1": ["us-east-1a", "us-east-1b"],
        "eu-central-1": ["eu-central-1a", "eu-central-1b", "eu-central-1c"],
        "eu-west-1": ["eu-west-1a", "eu-west-1b"],
        "me-central-1": ["me-central-1a", "me-central-1b"],
    },
    machines: {
        // General purpose, 1 vCPU : 4 GiB.
        ...family("g7", 4),
        ...family("g8i", 4),
        ...family("g8a", 4),
        // Memory optimised, 1 vCPU : 8 GiB (large state tries, big caches).
        ...family("r7", 8),
        ...family("r8i", 8),
    },
    defaults: {
        // g7 rather than g8i: offered in every zone above, where g8i is not yet.
        systemMachine: "ecs.g7.large",
        ledgerMachine: "ecs.g7.2xlarge",
        // Supported until 30 May 2027; 1.34 left support on 30 September 2026.
        kubernetesVersion: "1.36",
    },
};

/**
 * ACK takes a full release ("1.36.1-aliyun.1"), not a minor version: the release each supported
 * minor is created with (the newest one the release notes list on the `checked` date).
 */
export const ACK_RELEASES: Readonly<Record<string, string>> = {
    "1.35": "1.35.7-aliyun.1",
    "1.36": "1.36.1-aliyun.1",
};
