// AWS list prices, us-east-1 (N. Virginia), on demand, Linux, USD. See prices.ts for what is counted.
import type { CloudPriceRules } from "./prices";

/**
 * The family's `large` size (2 vCPUs) per hour in us-east-1. EC2 prices every size of a family in
 * proportion to its vCPUs (xlarge twice large, and so on), so one figure per family prices all of them.
 */
const LARGE_HOUR: Readonly<Record<string, number>> = {
    m6i: 0.096,
    m7i: 0.1008,
    m7a: 0.11592,
    m7g: 0.0816,
    m8g: 0.08976,
    r6i: 0.126,
    r7i: 0.1323,
    r7a: 0.1521,
    r7g: 0.1071,
    r8g: 0.11782,
};
const MACHINE_SOURCE =
    "https://aws.amazon.com/ec2/pricing/on-demand/ (us-east-1, Linux list prices of each family's large size, other sizes in proportion to vCPUs; m7i.large $0.1008 and m7g.large $0.0816 confirmed by 2026 reports, the rest well-known list prices not re-read)";

export const AWS_PRICES: CloudPriceRules = {
    checked: "2026-11-25",
    referenceRegion: "us-east-1",
    machinePrice(type, size) {
        const large = LARGE_HOUR[type.split(".")[0] as string];
        return large === undefined ? undefined : { usd: (large * size.vcpu) / 2, source: MACHINE_SOURCE };
    },
    controlPlaneHour: { usd: 0.1, source: "https://aws.amazon.com/eks/pricing/ ($0.10 per cluster-hour in standard support; $0.60 in extended support, which the catalog's versions avoid)" },
    loadBalancerHour: { usd: 0.0225, source: "https://aws.amazon.com/elasticloadbalancing/pricing/ (Network Load Balancer $0.0225 per hour, us-east-1; NLCU charges not counted)" },
    addressHour: { usd: 0.005, source: "https://aws.amazon.com/vpc/pricing/ (public IPv4 address $0.005 per hour, in use or idle, since 2024-02-01)" },
    natHour: { usd: 0.045, per: "gateway", source: "https://aws.amazon.com/vpc/pricing/ (NAT gateway $0.045 per hour, us-east-1; $0.045 per GB processed not counted)" },
    storageGiBMonth: { usd: 0.08, source: "https://aws.amazon.com/ebs/pricing/ (gp3 $0.08 per GB-month, us-east-1, baseline 3,000 IOPS and 125 MB/s included)" },
    egressGiB: { usd: 0.09, source: "https://aws.amazon.com/ec2/pricing/on-demand/ (data transfer out to the internet, up to 10 TB a month, $0.09 per GB)" },
    // Each region's m6i.large price over us-east-1's ($0.096), as the on-demand page listed them
    // (recalled, not re-read); regions opened since (ca-west-1, mx-central-1, eu-south-2, ap-east-2,
    // ap-south-2, ap-southeast-4 to -7, il-central-1, me-central-1) take their nearest neighbour's.
    regionMultipliers: {
        "us-east-1": 1,
        "us-east-2": 1,
        "us-west-2": 1,
        "ca-central-1": 1.115,
        "ca-west-1": 1.115,
        "mx-central-1": 1.1,
        "sa-east-1": 1.6,
        "eu-central-1": 1.2,
        "eu-central-2": 1.32,
        "eu-west-1": 1.115,
        "eu-west-2": 1.16,
        "eu-west-3": 1.17,
        "eu-north-1": 1.06,
        "eu-south-1": 1.17,
        "eu-south-2": 1.115,
        "af-south-1": 1.33,
        "il-central-1": 1.16,
        "me-central-1": 1.23,
        "me-south-1": 1.23,
        "ap-east-1": 1.375,
        "ap-east-2": 1.3,
        "ap-south-1": 1.05,
        "ap-south-2": 1.05,
        "ap-northeast-1": 1.29,
        "ap-northeast-2": 1.23,
        "ap-northeast-3": 1.29,
        "ap-southeast-1": 1.25,
        "ap-southeast-2": 1.25,
        "ap-southeast-3": 1.25,
        "ap-southeast-4": 1.25,
        "ap-southeast-5": 1.2,
        "ap-southeast-6": 1.25,
        "ap-southeast-7": 1.2,
    },
    multiplierSource: "estimate: AWS regional factor = the region's m6i.large on-demand price over us-east-1's (https://aws.amazon.com/ec2/pricing/on-demand/), applied to machines, disks, NAT, load balancers and egress",
};
