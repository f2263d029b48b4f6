// Realistic, deterministic outputs for the AWS resources components/clouds/aws.ts creates, as the AWS
// APIs report them (id formats from the EC2, EKS, IAM, KMS and Route 53 API references). Ids are
// derived from the resource name, so every plan of the same program shows the same values.
import { createHash } from "node:crypto";
import type { CloudCallMock, CloudResourceMock } from "./cloud-mocks";

/** The AWS documentation's example account id: never a real account. */
const ACCOUNT = "123456789012";
/** Where a resource states no region (its provider's region is not visible to a mock). */
const FALLBACK_REGION = "us-east-1";

function hex(name: string, length: number): string {
    return createHash("sha256").update(`ledgerfleet plan aws: ${name}`).digest("hex").slice(0, length);
}

function uuid(name: string): string {
    const h = hex(name, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function regionOf(inputs: Record<string, unknown>): string {
    if (typeof inputs["region"] === "string") return inputs["region"];
    // A subnet's zone names its region (eu-central-1a -> eu-central-1).
    const zone = inputs["availabilityZone"];
    return typeof zone === "string" ? zone.replace(/[a-z]$/, "") : FALLBACK_REGION;
}

function partitionOf(region: string): string {
    return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

/** A role or resource name as Pulumi auto-names it: the logical name and a 7-character suffix. */
function autoName(inputs: Record<string, unknown>, name: string): string {
    return typeof inputs["name"] === "string" ? inputs["name"] : `${name}-${hex(name, 7)}`;
}

/** Base64 of a PEM-shaped placeholder, as EKS reports certificateAuthority.data (not a usable certificate). */
function placeholderCa(name: string): string {
    const body = Buffer.from(createHash("sha512").update(`ledgerfleet plan aws ca: ${name}`).digest()).toString("base64");
    return Buffer.from(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`).toString("base64");
}

/** allocation id -> public IP of every Elastic IP mocked so far (same name, same pair, on every run). */
const eipAddresses = new Map<string, string>();

/**
 * The address an NLB shows when bound to these allocation ids (`aws-load-balancer-eip-allocations`),
 * for cli/mocks.ts to put in a P2P Service's status as AWS would; undefined for an unknown id.
 */
export function awsEipAddress(allocationIds: string): string | undefined {
    return eipAddresses.get(allocationIds.split(",")[0]!.trim());
}

export const awsResourceMock: CloudResourceMock = (type, name, inputs, ctx) => {
    const region = regionOf(inputs);
    const arn = (service: string, resource: string, scope = region): string => `arn:${partitionOf(region)}:${service}:${scope}:${ACCOUNT}:${resource}`;
    switch (type) {
        case "aws:ec2/eip:Eip": {
            const allocationId = `eipalloc-${hex(name, 17)}`;
            const publicIp = ctx.nextPublicIp();
            eipAddresses.set(allocationId, publicIp);
            return { allocationId, publicIp, domain: "vpc", arn: arn("ec2", `elastic-ip/${allocationId}`) };
        }
        case "aws:ec2/vpc:Vpc":
            return { arn: arn("ec2", `vpc/vpc-${hex(name, 17)}`), defaultSecurityGroupId: `sg-${hex(`${name}/default`, 17)}`, mainRouteTableId: `rtb-${hex(`${name}/main`, 17)}`, ownerId: ACCOUNT };
        case "aws:ec2/subnet:Subnet":
            return { arn: arn("ec2", `subnet/subnet-${hex(name, 17)}`), ownerId: ACCOUNT };
        case "aws:ec2/internetGateway:InternetGateway":
            return { arn: arn("ec2", `internet-gateway/igw-${hex(name, 17)}`), ownerId: ACCOUNT };
        case "aws:ec2/natGateway:NatGateway":
            return { networkInterfaceId: `eni-${hex(name, 17)}`, privateIp: "10.0.192.10" };
        case "aws:ec2/routeTable:RouteTable":
            return { arn: arn("ec2", `route-table/rtb-${hex(name, 17)}`), ownerId: ACCOUNT };
        case "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
            return { arn: arn("ec2", `security-group/sg-${hex(name, 17)}`), name: "default", ownerId: ACCOUNT };
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { arn: arn("ec2", `launch-template/lt-${hex(name, 17)}`), latestVersion: 1, defaultVersion: 1, name: autoName(inputs, name) };
        case "aws:kms/key:Key": {
            const keyId = uuid(name);
            return { keyId, arn: arn("kms", `key/${keyId}`), keyUsage: "ENCRYPT_DECRYPT", customerMasterKeySpec: "SYMMETRIC_DEFAULT", rotationPeriodInDays: 365 };
        }
        case "aws:cloudwatch/logGroup:LogGroup":
            return { arn: arn("logs", `log-group:${autoName(inputs, name)}`) };
        case "aws:iam/role:Role": {
            const roleName = autoName(inputs, name);
            return { name: roleName, arn: `arn:${partitionOf(region)}:iam::${ACCOUNT}:role/${roleName}`, uniqueId: `AROA${hex(name, 17).toUpperCase()}` };
        }
        case "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
            const url = String(inputs["url"] ?? "").replace(/^https:\/\//, "");
            return { arn: `arn:${partitionOf(region)}:iam::${ACCOUNT}:oidc-provider/${url}` };
        }
        case "aws:eks/cluster:Cluster": {
            const clusterName = autoName(inputs, name);
            const id = hex(name, 32).toUpperCase();
            const vpcConfig = (inputs["vpcConfig"] ?? {}) as Record<string, unknown>;
            return {
                name: clusterName,
                arn: arn("eks", `cluster/${clusterName}`),
                endpoint: `https://${id}.gr7.${region}.eks.amazonaws.com`,
                certificateAuthority: { data: placeholderCa(name) },
                identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${id}` }] }],
                vpcConfig: { ...vpcConfig, clusterSecurityGroupId: `sg-${hex(`${name}/cluster`, 17)}`, vpcId: `vpc-${hex(`${name}/vpc`, 17)}` },
                platformVersion: "eks.1",
                status: "ACTIVE",
            };
        }
        case "aws:eks/nodeGroup:NodeGroup":
            return { arn: arn("eks", `nodegroup/${name}/${uuid(name)}`), nodeGroupName: autoName({}, name), status: "ACTIVE" };
        case "aws:eks/addon:Addon":
            return { arn: arn("eks", `addon/${name}/${uuid(name)}`), addonVersion: String(inputs["addonName"]) === "vpc-cni" ? "v1.20.4-eksbuild.1" : "v1.51.0-eksbuild.1" };
        case "aws:route53/zone:Zone": {
            const zoneId = `Z${hex(name, 20).toUpperCase()}`;
            const n = parseInt(hex(name, 4), 16);
            return {
                zoneId,
                arn: `arn:aws:route53:::hostedzone/${zoneId}`,
                nameServers: [`ns-${n % 512}.awsdns-${n % 64}.com`, `ns-${512 + (n % 512)}.awsdns-${n % 64}.net`, `ns-${1024 + (n % 512)}.awsdns-${n % 64}.org`, `ns-${1536 + (n % 512)}.awsdns-${n % 64}.co.uk`],
            };
        }
        case "aws:route53/record:Record":
            return { fqdn: inputs["name"] };
        default:
            return undefined;
    }
};

/** The AWS adapter makes no invokes (partition and account are not looked up): nothing to answer. */
export const awsCallMock: CloudCallMock = () => undefined;
