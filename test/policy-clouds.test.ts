// The AWS, Google Cloud and Alibaba Cloud policies, run through the harness the way the policy server
// runs them: each cloud's resources of the multi-cloud example are its compliant baseline, and each
// negative case changes one field of one resource and must trip exactly one policy, naming the resource.
import { beforeAll, describe, expect, it } from "vitest";
import { plan } from "../cli/plan";
import { harnessResources } from "../cli/policy";
import { ALICLOUD_POLICIES } from "../policies/alicloud";
import { AWS_POLICIES } from "../policies/aws";
import { STORAGE_CLASS_TYPE } from "../policies/cloud";
import { GCP_POLICIES } from "../policies/gcp";
import { type HarnessResource, type LedgerfleetPolicy, runPolicies } from "../policies/harness";

type Cloud = "aws" | "gcp" | "alicloud";
/** Fixtures reach into nested inputs freely. */
type Obj = Record<string, any>;

const THEMES: Record<Cloud, LedgerfleetPolicy[]> = { aws: AWS_POLICIES, gcp: GCP_POLICIES, alicloud: ALICLOUD_POLICIES };
const ALL_CLOUD_POLICIES = [...AWS_POLICIES, ...GCP_POLICIES, ...ALICLOUD_POLICIES];
const PROVISIONER: Record<Cloud, string> = { aws: "ebs.csi.aws.com", gcp: "pd.csi.storage.gke.io", alicloud: "diskplugin.csi.alibabacloud.com" };

let dev: HarnessResource[];
let atlas: HarnessResource[];

beforeAll(async () => {
    // Registrations as the policy server sees them (inputs, secrets unwrapped), as the offline plan checks them.
    dev = harnessResources((await plan({ stack: "dev" })).mocks.registrations);
    atlas = harnessResources((await plan({ stack: "atlas" })).mocks.registrations);
}, 60_000);

/** A cloud's resources in the multi-cloud example, and the StorageClass of its CSI driver. */
const baseline = (cloud: Cloud): HarnessResource[] =>
    dev.filter((r) => r.type.startsWith(`${cloud}:`) || (r.type === STORAGE_CLASS_TYPE && r.props["provisioner"] === PROVISIONER[cloud]));

const find = (resources: HarnessResource[], type: string, name: string): HarnessResource => {
    const found = resources.find((r) => r.type === type && r.name === name);
    if (found === undefined) throw new Error(`the example has no ${type} ${name}`);
    return found;
};

// Names in the multi-cloud example (stacks/Pulumi.dev.yaml, network meridian).
const AWS = "meridian-aws-fra";
const GCP = "meridian-gcp-fra";
const ALI = "meridian-ali-fra";
const T = {
    eks: "aws:eks/cluster:Cluster",
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    awsKey: "aws:kms/key:Key",
    subnet: "aws:ec2/subnet:Subnet",
    routeTable: "aws:ec2/routeTable:RouteTable",
    igw: "aws:ec2/internetGateway:InternetGateway",
    defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    gke: "gcp:container/cluster:Cluster",
    gkePool: "gcp:container/nodePool:NodePool",
    gcpKey: "gcp:kms/cryptoKey:CryptoKey",
    firewall: "gcp:compute/firewall:Firewall",
    ack: "alicloud:cs/managedKubernetes:ManagedKubernetes",
    ackPool: "alicloud:cs/nodePool:NodePool",
    aliKey: "alicloud:kms/key:Key",
    aliRule: "alicloud:ecs/securityGroupRule:SecurityGroupRule",
    storageClass: STORAGE_CLASS_TYPE,
} as const;

interface Case {
    cloud: Cloud;
    policy: string;
    why: string;
    /** The resource changed. */
    target: [type: string, name: string];
    change: (props: Obj, all: HarnessResource[], self: HarnessResource) => void;
    /** The resource the finding names, when not the one changed (stack policies report the node group). */
    named?: [type: string, name: string];
    says: RegExp;
}

/** One change to one resource of the cloud's baseline, on a deep copy. */
function variant(c: Pick<Case, "cloud" | "target" | "change">): HarnessResource[] {
    const resources = structuredClone(baseline(c.cloud));
    const self = find(resources, ...c.target);
    c.change(self.props as Obj, resources, self);
    return resources;
}

const VIOLATIONS: Case[] = [
    // --- AWS
    { cloud: "aws", policy: "aws-eks-secrets-encryption", why: "no encryptionConfig", target: [T.eks, `${AWS}-cluster`], change: (p) => delete p.encryptionConfig, says: /encryptionConfig does not cover "secrets"/ },
    { cloud: "aws", policy: "aws-eks-secrets-encryption", why: "no key ARN", target: [T.eks, `${AWS}-cluster`], change: (p) => (p.encryptionConfig.provider = {}), says: /provider\.keyArn is not set/ },
    { cloud: "aws", policy: "aws-eks-endpoint-access", why: "public endpoint open to 0.0.0.0/0", target: [T.eks, `${AWS}-cluster`], change: (p) => p.vpcConfig.publicAccessCidrs.push("0.0.0.0/0"), says: /publicAccessCidrs includes 0\.0\.0\.0\/0/ },
    { cloud: "aws", policy: "aws-eks-endpoint-access", why: "EKS's defaults (public, no allow-list)", target: [T.eks, `${AWS}-cluster`], change: (p) => (p.vpcConfig = { subnetIds: p.vpcConfig.subnetIds }), says: /defaults to true.*0\.0\.0\.0\/0/ },
    { cloud: "aws", policy: "aws-eks-control-plane-logs", why: "no audit log", target: [T.eks, `${AWS}-cluster`], change: (p) => (p.enabledClusterLogTypes = ["api", "authenticator"]), says: /lacks audit/ },
    { cloud: "aws", policy: "aws-node-volume-encryption", why: "an unencrypted root volume", target: [T.launchTemplate, `${AWS}-ledger-nodes`], change: (p) => (p.blockDeviceMappings[0].ebs.encrypted = "false"), says: /\/dev\/xvda has ebs\.encrypted "false"/ },
    { cloud: "aws", policy: "aws-node-volume-encryption", why: "a node group on EKS's default launch template", target: [T.nodeGroup, `${AWS}-system`], change: (p) => delete p.launchTemplate, says: /has no launchTemplate/ },
    { cloud: "aws", policy: "aws-storage-class-encryption", why: "an unencrypted EBS class", target: [T.storageClass, `${AWS}-ledger-data`], change: (p) => delete p.parameters.encrypted, says: /StorageClass ledger-data \(ebs\.csi\.aws\.com\): parameters\.encrypted is unset/ },
    { cloud: "aws", policy: "aws-kms-key-rotation", why: "rotation off", target: [T.awsKey, `${AWS}-volumes-key`], change: (p) => (p.enableKeyRotation = false), says: /enableKeyRotation is false/ },
    { cloud: "aws", policy: "aws-kms-key-rotation", why: "rotation every two years", target: [T.awsKey, `${AWS}-secrets-key`], change: (p) => (p.rotationPeriodInDays = 730), says: /rotationPeriodInDays is 730/ },
    {
        cloud: "aws",
        policy: "aws-eks-nodes-private-subnets",
        why: "a node subnet that maps public IPs",
        target: [T.subnet, `${AWS}-private-eu-central-1a`],
        change: (p) => (p.mapPublicIpOnLaunch = true),
        named: [T.nodeGroup, `${AWS}-ledger-eu-central-1a`],
        says: /subnet meridian-aws-fra-private-eu-central-1a has mapPublicIpOnLaunch true/,
    },
    {
        cloud: "aws",
        policy: "aws-eks-nodes-private-subnets",
        why: "a node subnet whose route table gets a route to the internet gateway",
        target: [T.routeTable, `${AWS}-private-eu-central-1a`],
        change: (p, all, self) => {
            // The public table's route: its gateway id, and the dependency on the gateway it brings.
            const publicRoute = (find(all, T.routeTable, `${AWS}-public`).props as Obj).routes[0];
            p.routes = [{ cidrBlock: "0.0.0.0/0", gatewayId: publicRoute.gatewayId }];
            self.dependencies = [...(self.dependencies ?? []), find(all, T.igw, `${AWS}-igw`).urn];
        },
        named: [T.nodeGroup, `${AWS}-ledger-eu-central-1a`],
        says: /routes to an internet gateway \(route table meridian-aws-fra-private-eu-central-1a\)/,
    },
    {
        cloud: "aws",
        policy: "aws-eks-nodes-private-subnets",
        why: "a node group moved to a public subnet",
        target: [T.nodeGroup, `${AWS}-ledger-eu-central-1b`],
        change: (p, all, self) => {
            const [privateSubnet, publicSubnet] = [find(all, T.subnet, `${AWS}-private-eu-central-1b`), find(all, T.subnet, `${AWS}-public-eu-central-1b`)];
            p.subnetIds = [`mocked::${T.subnet}::${publicSubnet.name}`];
            self.dependencies = (self.dependencies ?? []).map((u) => (u === privateSubnet.urn ? publicSubnet.urn : u));
        },
        says: /subnet meridian-aws-fra-public-eu-central-1b routes to an internet gateway \(route table meridian-aws-fra-public\)/,
    },
    {
        cloud: "aws",
        policy: "aws-eks-nodes-private-subnets",
        why: "a subnet the stack does not manage",
        target: [T.nodeGroup, `${AWS}-system`],
        change: (p) => p.subnetIds.push("subnet-0123456789abcdef0"),
        says: /1 of its 4 subnetIds are not subnets of this stack/,
    },
    {
        cloud: "aws",
        policy: "aws-eks-nodes-private-subnets",
        why: "a launch template that gives nodes public IPs",
        target: [T.launchTemplate, `${AWS}-system-nodes`],
        change: (p) => (p.networkInterfaces = [{ deviceIndex: 0, associatePublicIpAddress: "true" }]),
        named: [T.nodeGroup, `${AWS}-system`],
        says: /launch template meridian-aws-fra-system-nodes sets networkInterfaces associatePublicIpAddress "true"/,
    },
    {
        cloud: "aws",
        policy: "aws-security-group-world-ingress",
        why: "SSH open to the world",
        target: [T.defaultSg, `${AWS}-default-sg`],
        change: (p) => (p.ingress = [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }]),
        says: /security group meridian-aws-fra-default-sg ingress\[0\] opens tcp 22-22 to 0\.0\.0\.0\/0/,
    },
    {
        cloud: "aws",
        policy: "aws-security-group-world-ingress",
        why: "a VPC ingress rule letting all IPv6 traffic in",
        target: [T.defaultSg, `${AWS}-default-sg`],
        change: (_p, all, self) => {
            all.push({ ...self, type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name: `${AWS}-any`, urn: `${self.urn}-any`, props: { ipProtocol: "-1", cidrIpv6: "::/0", securityGroupId: "sg-1" } });
        },
        named: ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", `${AWS}-any`],
        says: /opens all traffic to ::\/0/,
    },
    // --- Google Cloud
    { cloud: "gcp", policy: "gcp-gke-secrets-encryption", why: "Secrets under Google's key", target: [T.gke, `${GCP}-gke`], change: (p) => (p.databaseEncryption.state = "DECRYPTED"), says: /databaseEncryption is state "DECRYPTED"/ },
    { cloud: "gcp", policy: "gcp-gke-endpoint-access", why: "0.0.0.0/0 authorized", target: [T.gke, `${GCP}-gke`], change: (p) => p.masterAuthorizedNetworksConfig.cidrBlocks.push({ cidrBlock: "0.0.0.0/0" }), says: /cidrBlocks includes 0\.0\.0\.0\/0/ },
    { cloud: "gcp", policy: "gcp-gke-endpoint-access", why: "a public endpoint without authorized networks", target: [T.gke, `${GCP}-gke`], change: (p) => delete p.masterAuthorizedNetworksConfig, says: /no masterAuthorizedNetworksConfig/ },
    { cloud: "gcp", policy: "gcp-gke-endpoint-access", why: "every Google Cloud address authorized", target: [T.gke, `${GCP}-gke`], change: (p) => delete p.masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled, says: /gcpPublicCidrsAccessEnabled is unset/ },
    { cloud: "gcp", policy: "gcp-gke-endpoint-access", why: "the DNS endpoint open to the internet", target: [T.gke, `${GCP}-gke`], change: (p) => (p.controlPlaneEndpointsConfig.dnsEndpointConfig.allowExternalTraffic = true), says: /allowExternalTraffic is true/ },
    { cloud: "gcp", policy: "gcp-gke-control-plane-logs", why: "no API server logs", target: [T.gke, `${GCP}-gke`], change: (p) => (p.loggingConfig.enableComponents = ["SYSTEM_COMPONENTS", "WORKLOADS"]), says: /enableComponents lacks APISERVER/ },
    { cloud: "gcp", policy: "gcp-node-boot-disk-cmek", why: "a pool's boot disks under Google's key", target: [T.gkePool, `${GCP}-ledger`], change: (p) => delete p.nodeConfig.bootDiskKmsKey, says: /GKE node pool meridian-gcp-fra-ledger: nodeConfig\.bootDiskKmsKey is unset/ },
    { cloud: "gcp", policy: "gcp-node-boot-disk-cmek", why: "a kept default pool without a key", target: [T.gke, `${GCP}-gke`], change: (p) => (p.removeDefaultNodePool = false), says: /default node pool \(nodeConfig\): nodeConfig\.bootDiskKmsKey is unset/ },
    { cloud: "gcp", policy: "gcp-storage-class-encryption", why: "a PD class without CMEK", target: [T.storageClass, `${GCP}-ledger-data`], change: (p) => delete p.parameters["disk-encryption-kms-key"], says: /disk-encryption-kms-key"\] is unset/ },
    { cloud: "gcp", policy: "gcp-kms-key-rotation", why: "no rotation", target: [T.gcpKey, `${GCP}-key`], change: (p) => delete p.rotationPeriod, says: /rotationPeriod is unset/ },
    { cloud: "gcp", policy: "gcp-kms-key-rotation", why: "rotation every two years", target: [T.gcpKey, `${GCP}-key`], change: (p) => (p.rotationPeriod = "63072000s"), says: /730 days, longer than 365/ },
    { cloud: "gcp", policy: "gcp-gke-private-nodes", why: "public nodes", target: [T.gke, `${GCP}-gke`], change: (p) => (p.privateClusterConfig.enablePrivateNodes = false), says: /privateClusterConfig\.enablePrivateNodes is not true/ },
    { cloud: "gcp", policy: "gcp-gke-private-nodes", why: "a pool opting out of private nodes", target: [T.gkePool, `${GCP}-system`], change: (p) => (p.networkConfig.enablePrivateNodes = false), says: /networkConfig\.enablePrivateNodes is false/ },
    { cloud: "gcp", policy: "gcp-firewall-world-ingress", why: "SSH from 0.0.0.0/0", target: [T.firewall, `${GCP}-p2p`], change: (p) => ((p.sourceRanges = ["0.0.0.0/0"]), (p.allows = [{ protocol: "tcp", ports: ["22"] }])), says: /allows tcp:22 from 0\.0\.0\.0\/0/ },
    {
        cloud: "gcp",
        policy: "gcp-firewall-world-ingress",
        why: "every protocol from no named source (GCP reads it as 0.0.0.0/0)",
        target: [T.firewall, `${GCP}-p2p`],
        change: (p) => (delete p.sourceRanges, (p.allows = [{ protocol: "all" }])),
        says: /allows all \(all ports\) from 0\.0\.0\.0\/0 \(no sourceRanges/,
    },
    // --- Alibaba Cloud
    { cloud: "alicloud", policy: "alicloud-ack-secrets-encryption", why: "no KMS key for Secrets", target: [T.ack, `${ALI}-cluster`], change: (p) => delete p.encryptionProviderKey, says: /encryptionProviderKey is unset/ },
    { cloud: "alicloud", policy: "alicloud-ack-secrets-encryption", why: "encryption turned off", target: [T.ack, `${ALI}-cluster`], change: (p) => (p.disableEncryption = true), says: /disableEncryption is true/ },
    { cloud: "alicloud", policy: "alicloud-ack-endpoint-access", why: "an Internet-facing API server", target: [T.ack, `${ALI}-cluster`], change: (p) => (p.slbInternetEnabled = true), says: /slbInternetEnabled is true/ },
    { cloud: "alicloud", policy: "alicloud-ack-endpoint-access", why: "ACK's default (Internet-facing)", target: [T.ack, `${ALI}-cluster`], change: (p) => delete p.slbInternetEnabled, says: /unset \(ACK defaults to true\)/ },
    { cloud: "alicloud", policy: "alicloud-ack-control-plane-logs", why: "audit log off", target: [T.ack, `${ALI}-cluster`], change: (p) => (p.auditLogConfig.enabled = false), says: /auditLogConfig\.enabled is false/ },
    { cloud: "alicloud", policy: "alicloud-ack-control-plane-logs", why: "no apiserver logs", target: [T.ack, `${ALI}-cluster`], change: (p) => (p.controlPlaneLogComponents = ["kcm", "scheduler"]), says: /lacks apiserver \(has kcm, scheduler\)/ },
    { cloud: "alicloud", policy: "alicloud-node-disk-encryption", why: "an unencrypted system disk", target: [T.ackPool, `${ALI}-ledger`], change: (p) => (p.systemDiskEncrypted = false), says: /systemDiskEncrypted is false/ },
    { cloud: "alicloud", policy: "alicloud-node-disk-encryption", why: "an unencrypted data disk", target: [T.ackPool, `${ALI}-ledger`], change: (p) => (p.dataDisks[0].encrypted = "false"), says: /dataDisks\[0\]\.encrypted is "false"/ },
    { cloud: "alicloud", policy: "alicloud-storage-class-encryption", why: "an unencrypted disk class", target: [T.storageClass, `${ALI}-ledger-data`], change: (p) => (p.parameters.encrypted = "false"), says: /diskplugin\.csi\.alibabacloud\.com\): parameters\.encrypted is "false"/ },
    { cloud: "alicloud", policy: "alicloud-kms-key-rotation", why: "rotation off", target: [T.aliKey, `${ALI}-key`], change: (p) => (p.automaticRotation = "Disabled"), says: /automaticRotation is "Disabled"/ },
    { cloud: "alicloud", policy: "alicloud-kms-key-rotation", why: "rotation every 800 days", target: [T.aliKey, `${ALI}-key`], change: (p) => (p.rotationInterval = "800d"), says: /rotationInterval 800d is longer than 365 days/ },
    { cloud: "alicloud", policy: "alicloud-ack-nodes-no-public-ip", why: "nodes with public IPs", target: [T.ackPool, `${ALI}-system`], change: (p) => ((p.internetChargeType = "PayByTraffic"), (p.internetMaxBandwidthOut = 10)), says: /internetMaxBandwidthOut is 10/ },
    { cloud: "alicloud", policy: "alicloud-ack-nodes-no-public-ip", why: "an EIP per node", target: [T.ackPool, `${ALI}-system`], change: (p) => (p.scalingConfig = { isBondEip: true }), says: /scalingConfig\.isBondEip is true/ },
    { cloud: "alicloud", policy: "alicloud-security-group-world-ingress", why: "everything from 0.0.0.0/0", target: [T.aliRule, `${ALI}-from-vpc`], change: (p) => (p.cidrIp = "0.0.0.0/0"), says: /accepts all traffic from 0\.0\.0\.0\/0/ },
    { cloud: "alicloud", policy: "alicloud-security-group-world-ingress", why: "SSH from ::/0", target: [T.aliRule, `${ALI}-p2p-0`], change: (p) => (delete p.cidrIp, (p.ipv6CidrIp = "::/0"), (p.portRange = "22/22")), says: /accepts tcp 22\/22 from ::\/0/ },
];

/** Changes the policies must let through: each is compliant, however close to a violation it looks. */
const ALLOWED: Omit<Case, "policy" | "says" | "named">[] = [
    { cloud: "aws", why: "P2P (TCP 30303) open to the world", target: [T.defaultSg, `${AWS}-default-sg`], change: (p) => (p.ingress = [{ protocol: "tcp", fromPort: 30303, toPort: 30303, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }]) },
    { cloud: "aws", why: "a private-only API endpoint", target: [T.eks, `${AWS}-cluster`], change: (p) => (p.vpcConfig = { subnetIds: p.vpcConfig.subnetIds, endpointPrivateAccess: true, endpointPublicAccess: false }) },
    { cloud: "aws", why: "an asymmetric signing key without rotation (KMS cannot rotate it)", target: [T.awsKey, `${AWS}-secrets-key`], change: (p) => ((p.customerMasterKeySpec = "ECC_NIST_P256"), (p.keyUsage = "SIGN_VERIFY"), delete p.enableKeyRotation) },
    { cloud: "gcp", why: "P2P from no named source", target: [T.firewall, `${GCP}-p2p`], change: (p) => delete p.sourceRanges },
    { cloud: "gcp", why: "a private endpoint without authorized networks", target: [T.gke, `${GCP}-gke`], change: (p) => ((p.privateClusterConfig.enablePrivateEndpoint = true), delete p.masterAuthorizedNetworksConfig) },
    { cloud: "gcp", why: "a signing key without rotation", target: [T.gcpKey, `${GCP}-key`], change: (p) => ((p.purpose = "ASYMMETRIC_SIGN"), delete p.rotationPeriod) },
    { cloud: "alicloud", why: "P2P from 0.0.0.0/0", target: [T.aliRule, `${ALI}-p2p-0`], change: (p) => (p.cidrIp = "0.0.0.0/0") },
    { cloud: "alicloud", why: "a drop rule from 0.0.0.0/0", target: [T.aliRule, `${ALI}-from-vpc`], change: (p) => ((p.cidrIp = "0.0.0.0/0"), (p.policy = "drop")) },
];

describe("cloud policies", () => {
    it("the multi-cloud example (dev) and the on-premises one (atlas) break no cloud policy", async () => {
        // No advisory exception either: every cloud policy is mandatory and the example meets all of them.
        expect(await runPolicies(ALL_CLOUD_POLICIES, dev)).toEqual([]);
        expect(await runPolicies(ALL_CLOUD_POLICIES, atlas)).toEqual([]);
    });

    it.each(["aws", "gcp", "alicloud"] as const)("the example's %s resources are a compliant baseline for every policy of the three clouds", async (cloud) => {
        const resources = baseline(cloud);
        expect(resources.some((r) => r.type === T.storageClass)).toBe(true);
        expect(await runPolicies(ALL_CLOUD_POLICIES, resources)).toEqual([]);
    });

    it("every policy has a negative case, every policy is mandatory, names are unique and carry their cloud's prefix", () => {
        const names = ALL_CLOUD_POLICIES.map((p) => p.name);
        expect(new Set(names).size).toBe(names.length);
        expect(new Set(VIOLATIONS.map((c) => c.policy))).toEqual(new Set(names));
        for (const [cloud, policies] of Object.entries(THEMES)) {
            for (const p of policies) {
                expect(p.name).toMatch(new RegExp(`^${cloud}-[a-z0-9-]+$`));
                expect(p.enforcementLevel).toBe("mandatory");
                expect(p.description).toMatch(/\.$/);
            }
        }
    });

    it.each(VIOLATIONS)("$policy flags $why, and no other policy does", async (c) => {
        const resources = variant(c);
        const findings = await runPolicies(THEMES[c.cloud], resources);
        expect(findings.length).toBeGreaterThan(0);
        expect(new Set(findings.map((f) => f.policy))).toEqual(new Set([c.policy]));
        expect(findings.every((f) => f.enforcementLevel === "mandatory")).toBe(true);
        const named = find(resources, ...(c.named ?? c.target));
        const own = findings.filter((f) => f.urn === named.urn);
        expect(own.length, JSON.stringify(findings, null, 1)).toBeGreaterThan(0);
        expect(own.map((f) => f.message).join("\n")).toMatch(c.says);
    });

    it.each(ALLOWED)("$cloud: $why passes", async (c) => {
        expect(await runPolicies(THEMES[c.cloud], variant(c))).toEqual([]);
    });

    it("partial inputs never make a policy fail: each resource kind with no inputs at all is judged, not crashed on", async () => {
        const types = [...Object.values(T), "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/securityGroupRule:SecurityGroupRule", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:ec2/route:Route", "aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:ec2/defaultRouteTable:DefaultRouteTable", "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation", "alicloud:cs/kubernetes:Kubernetes"];
        const bare = types.map((type, i) => ({ type, name: `bare-${i}`, urn: `urn:pulumi:dev::ledgerfleet::${type}::bare-${i}`, props: {} }));
        const findings = await runPolicies(ALL_CLOUD_POLICIES, bare);
        expect(findings.filter((f) => f.message.startsWith("the policy failed"))).toEqual([]);
        // Bare clusters miss every control that needs a field set; a bare node group has no launch template.
        expect(findings.length).toBeGreaterThan(0);
    });

    it("parameters come from the policy config: a tighter rotation limit, another P2P port", async () => {
        const findings = await runPolicies(ALL_CLOUD_POLICIES, dev, {
            "gcp-kms-key-rotation": { maxRotationDays: 30 },
            "alicloud-security-group-world-ingress": { p2pPort: 30304 },
        });
        // One finding per Google Cloud region's key (the example has two).
        expect(findings.map((f) => f.policy)).toEqual(["gcp-kms-key-rotation", "gcp-kms-key-rotation"]);
        for (const f of findings) expect(f.message).toMatch(/rotationPeriod 7776000s is 90 days, longer than 30/);
        // The example opens P2P to its peers only, never to the world: another port changes nothing there.
        const worldP2p = variant({ cloud: "alicloud", target: [T.aliRule, `${ALI}-p2p-0`], change: (p) => (p.cidrIp = "0.0.0.0/0") });
        const moved = await runPolicies(ALICLOUD_POLICIES, worldP2p, { "alicloud-security-group-world-ingress": { p2pPort: 30304 } });
        expect(moved.map((f) => f.message)).toEqual([expect.stringMatching(/accepts tcp 30303\/30303 from 0\.0\.0\.0\/0; only tcp 30304\/30304/)]);
    });
});
