// Alibaba Cloud list prices, ap-southeast-1 (Singapore), pay-as-you-go, USD (international site).
// See prices.ts for what is counted. ECS prices are shown only by Alibaba Cloud's price calculator,
// which could not be read for this table: the machine figures are estimates, marked so.
import type { CloudPriceRules } from "./prices";

/**
 * Per vCPU-hour, Singapore, pay-as-you-go, for each family (a family's sizes are priced in proportion
 * to their vCPUs at a fixed memory ratio). Estimates, in line with AWS's Singapore prices for the
 * same shape (m7i.large $0.1260 there): re-check them in the calculator before quoting a tenant.
 */
const VCPU_HOUR: Readonly<Record<string, number>> = {
    g7: 0.059,
    g8i: 0.062,
    g8a: 0.054,
    r7: 0.0775,
    r8i: 0.0815,
};
const MACHINE_SOURCE =
    "estimate: per-vCPU pay-as-you-go rate per ECS family in ap-southeast-1, sizes in proportion (https://www.alibabacloud.com/help/en/ecs/instance-types: the unit prices are on the ECS pricing page's calculator, not read for this table)";

/** Chinese mainland regions: NAT gateways cost 0.034 there against 0.043 elsewhere (the NAT page); the same factor, rounded, for the rest. */
const MAINLAND = 0.8;

export const ALICLOUD_PRICES: CloudPriceRules = {
    checked: "2026-11-25",
    referenceRegion: "ap-southeast-1",
    machinePrice(type, size) {
        const rate = VCPU_HOUR[type.split(".")[1] as string];
        return rate === undefined ? undefined : { usd: rate * size.vcpu, source: MACHINE_SOURCE };
    },
    controlPlaneHour: {
        usd: 0.09,
        source: "https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/product-overview/ack-pro-cluster-billing (ACK Pro cluster management USD 0.09 per cluster-hour)",
    },
    loadBalancerHour: {
        usd: 0.02,
        source: "https://www.alibabacloud.com/help/en/slb/network-load-balancer/product-overview/nlb-billable-items (NLB instance fee USD 0.02 per hour; LCU fees not counted)",
    },
    addressHour: {
        usd: 0.004,
        source: "estimate: configuration fee of a pay-by-data-transfer EIP bound to a NAT gateway or load balancer, about USD 0.004 per hour (https://www.alibabacloud.com/help/en/eip/product-overview/pay-as-you-go)",
    },
    natHour: {
        usd: 0.043,
        per: "gateway",
        source: "https://www.alibabacloud.com/help/en/nat-gateway/latest/billing-of-internet-nat-gateways (Internet NAT gateway instance fee USD 0.043 per hour outside the Chinese mainland; CU fees not counted)",
    },
    storageGiBMonth: {
        usd: 0.15,
        source: "estimate: ESSD PL1 (the adapter's StorageClass and system disks) about USD 0.15 per GiB-month pay-as-you-go in ap-southeast-1 (https://www.alibabacloud.com/help/en/ecs/user-guide/essds)",
    },
    egressGiB: { usd: 0.117, source: "https://www.alibabacloud.com/help/doc-detail/51250.htm (EIP data transfer, Singapore, USD 0.117 per GB)" },
    regionMultipliers: {
        "cn-hangzhou": MAINLAND,
        "cn-shanghai": MAINLAND,
        "cn-qingdao": MAINLAND,
        "cn-beijing": MAINLAND,
        "cn-zhangjiakou": MAINLAND,
        "cn-huhehaote": MAINLAND,
        "cn-shenzhen": MAINLAND,
        "cn-chengdu": MAINLAND,
        "cn-hongkong": 1.1,
        "ap-southeast-1": 1,
        "ap-southeast-3": 0.95,
        "ap-southeast-5": 1,
        "ap-northeast-1": 1.1,
        "us-west-1": 0.95,
        "us-east-1": 0.95,
        "eu-central-1": 1,
        "eu-west-1": 1.05,
        "me-central-1": 1.15,
    },
    multiplierSource:
        "estimate: Alibaba Cloud regional factor from the NAT gateway's mainland/international prices and the EIP data-transfer prices per area (https://www.alibabacloud.com/help/doc-detail/51250.htm), applied to machines, disks, NAT, load balancers and egress",
};
