// The AWS adapter under Pulumi mocks: what a security reviewer checks in its resources' inputs.
import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, LedgerfleetMocks, type Registration } from "../cli/mocks";
import { awsEipAddress, awsResourceMock } from "../cli/mocks-aws";
import { amiTypeFor, awsAdapter, awsDns, awsPartition, checkEgress, subnetPlan } from "../components/clouds/aws";
import { TAG_KEYS } from "../components/clouds/tags";
import type { ClusterAccess, ReservedAddress } from "../components/clouds/types";
import { AWS_CATALOG } from "../config/catalog/aws";
import type { AwsRegionConfig } from "../config/schema";

// The shared mocks module: it answers AWS types from cli/mocks-aws.ts.
const mocks = new LedgerfleetMocks();
const ZONES = ["eu-central-1a", "eu-central-1b", "eu-central-1c"];
const REGION: AwsRegionConfig = { cloud: "aws", region: "eu-central-1", vpcCidr: "10.0.0.0/16" };
const ALLOW = ["203.0.113.0/24"];
const POOLS = {
    system: { machine: "m7i.large", min: 2, max: 4, desired: 2, perZone: { min: 1, max: 2, desired: 1 } },
    ledger: { machine: "m7g.2xlarge", min: 3, max: 6, desired: 3, perZone: { min: 1, max: 2, desired: 1 } },
};
const mockCtx = { nextPublicIp: () => "198.18.255.255" };

function unwrap<T>(value: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
    return new Promise((resolve) => pulumi.output(value).apply((v) => resolve(v)));
}

/** Waits until the program stops registering resources (all Outputs it waits on have resolved). */
async function settle(): Promise<void> {
    let last = -1;
    for (let stable = 0; stable < 5; ) {
        await new Promise((r) => setTimeout(r, 5));
        stable = mocks.monitorCalls === last ? stable + 1 : 0;
        last = mocks.monitorCalls;
    }
}

const of = (type: string, region = "aws-fra"): Registration[] => mocks.ofType(type).filter((r) => r.name.startsWith(region));
const one = (type: string, name: string): Registration => {
    const found = mocks.registrations.find((r) => r.type === type && r.name === name);
    if (found === undefined) throw new Error(`no ${type} ${name}`);
    return found;
};
/** A registration's input at a dotted path ("vpcConfig.subnetIds", "routes.0.natGatewayId"). */
const at = (r: Registration, path: string): unknown =>
    path.split(".").reduce<unknown>((v, k) => (typeof v === "object" && v !== null ? (v as Record<string, unknown>)[k] : undefined), r.inputs);
const mockArn = (type: string, name: string): unknown => awsResourceMock(type, name, { region: "eu-central-1" }, mockCtx)?.["arn"];

let access: ClusterAccess;
let p2pAddress: ReservedAddress;

beforeAll(async () => {
    await installMocks(mocks, "ledgerfleet", "dev");
    const parent = new pulumi.ComponentResource("ledgerfleet:index:Region", "aws-fra", {});
    const common = { network: "meridian", region: REGION, parent };
    const provider = awsAdapter.provider("aws-fra-aws", { ...common, regionId: "aws-fra" });
    const reserve = (name: string, purpose: "p2p" | "egress", node?: string): ReservedAddress =>
        awsAdapter.reserveAddress(name, { ...common, regionId: "aws-fra", provider, purpose, node });
    const egress = ZONES.map((_, i) => reserve(`aws-fra-egress-${i}`, "egress"));
    p2pAddress = reserve("aws-fra-main-val-2", "p2p", "main/val-2");
    const args = { ...common, provider, egress, p2pSources: ["198.51.100.7/32"], pools: POOLS, zones: ZONES };
    access = awsAdapter.cluster("aws-fra", { ...args, regionId: "aws-fra", apiAllowList: ALLOW });
    // A second region with no allow-list: its endpoint must be private only.
    awsAdapter.cluster("aws-private", { ...args, egress: ZONES.map((_, i) => reserve(`aws-private-egress-${i}`, "egress")), regionId: "aws-private", apiAllowList: [] });
    awsDns.zone("meridian-dns", { network: "meridian", domain: "meridian.ledger.example", provider, regionId: "aws-fra", parent, records: [{ key: "main-val-2", relativeName: "main-val-2.aws-fra", ip: p2pAddress.ip }] });
    await settle();
});

describe("AWS adapter: pure checks", () => {
    it("splits the VPC into large private subnets and small public ones, all inside it", () => {
        expect(subnetPlan("10.0.0.0/16", 3)).toEqual({ private: ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"], public: ["10.0.192.0/22", "10.0.196.0/22", "10.0.200.0/22"] });
        expect(() => subnetPlan("10.0.0.0/24", 3)).toThrow(/at least a \/20/);
        expect(() => subnetPlan("fd00::/48", 3)).toThrow(/IPv4/);
    });
    it("refuses egress addresses that do not match the zones one to one", () => expect(() => checkEgress(2, ZONES)).toThrow(/needs 3 egress addresses/));
    it("runs Graviton machines on the ARM64 AMI", () => {
        expect(amiTypeFor("m7g.2xlarge")).toBe("AL2023_ARM_64_STANDARD");
        expect(amiTypeFor("m7i.2xlarge")).toBe("AL2023_x86_64_STANDARD");
    });
    it("names managed policies in the region's partition", () => expect([awsPartition("cn-north-1"), awsPartition("us-gov-west-1"), awsPartition("eu-west-1")]).toEqual(["aws-cn", "aws-us-gov", "aws"]));
    it("uses one egress address per zone", () => {
        expect(awsAdapter.egressCount(REGION)).toBe(3);
        expect(awsAdapter.egressCount({ ...REGION, zones: ["eu-central-1a", "eu-central-1b"] })).toBe(2);
    });
    it("has a dated catalog of at least 12 regions with 3 zones, 2-32 vCPU machines and valid defaults", () => {
        expect(AWS_CATALOG.checked).toBe("2026-11-25");
        const regions = Object.entries(AWS_CATALOG.regions);
        expect(regions.length).toBeGreaterThanOrEqual(12);
        for (const [region, zones] of regions) for (const zone of zones) expect(zone.startsWith(region)).toBe(true);
        expect(regions.every(([, zones]) => zones.length >= 3)).toBe(true);
        expect(AWS_CATALOG.machines[AWS_CATALOG.defaults.systemMachine]).toMatchObject({ vcpu: 2, memoryGiB: 8 });
        expect(AWS_CATALOG.machines[AWS_CATALOG.defaults.ledgerMachine]).toMatchObject({ vcpu: 8, memoryGiB: 32 });
        expect(AWS_CATALOG.machines["r7i.8xlarge"]).toMatchObject({ vcpu: 32, memoryGiB: 256 });
    });
});

describe("AWS adapter: the cluster", () => {
    it("encrypts Kubernetes secrets with a rotating, protected customer key", () => {
        const key = one("aws:kms/key:Key", "aws-fra-secrets-key");
        expect(at(key, "enableKeyRotation")).toBe(true);
        expect(key.protect).toBe(true);
        const eks = one("aws:eks/cluster:Cluster", "aws-fra-cluster");
        expect(at(eks, "encryptionConfig")).toEqual({ resources: ["secrets"], provider: { keyArn: mockArn("aws:kms/key:Key", "aws-fra-secrets-key") } });
    });
    it("keeps the API endpoint private, public only to the allow-list", () => {
        const open = at(one("aws:eks/cluster:Cluster", "aws-fra-cluster"), "vpcConfig");
        expect(open).toMatchObject({ endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ALLOW });
        const closed = one("aws:eks/cluster:Cluster", "aws-private-cluster");
        expect(at(closed, "vpcConfig.endpointPrivateAccess")).toBe(true);
        expect(at(closed, "vpcConfig.endpointPublicAccess")).toBe(false);
        expect(at(closed, "vpcConfig.publicAccessCidrs")).toBeUndefined();
    });
    it("logs api, audit and authenticator to a group with a retention", () => {
        const eks = one("aws:eks/cluster:Cluster", "aws-fra-cluster");
        expect(at(eks, "enabledClusterLogTypes")).toEqual(expect.arrayContaining(["api", "audit", "authenticator"]));
        const logs = one("aws:cloudwatch/logGroup:LogGroup", "aws-fra-control-plane-logs");
        expect(at(logs, "name")).toBe(`/aws/eks/${String(at(eks, "name"))}/cluster`);
        expect(at(logs, "retentionInDays")).toBe(365);
        expect(at(eks, "accessConfig.authenticationMode")).toBe("API");
    });
    it("puts machines in private subnets without public addresses, IMDSv2 only, root volumes encrypted", () => {
        const subnets = of("aws:ec2/subnet:Subnet");
        expect(subnets.every((s) => at(s, "mapPublicIpOnLaunch") === false)).toBe(true);
        const privateIds = ZONES.map((z) => `mocked::aws:ec2/subnet:Subnet::aws-fra-private-${z}`);
        expect(at(one("aws:eks/cluster:Cluster", "aws-fra-cluster"), "vpcConfig.subnetIds")).toEqual(privateIds);
        expect(at(one("aws:eks/nodeGroup:NodeGroup", "aws-fra-system"), "subnetIds")).toEqual(privateIds);
        ZONES.forEach((zone, i) => expect(at(one("aws:eks/nodeGroup:NodeGroup", `aws-fra-ledger-${zone}`), "subnetIds")).toEqual([privateIds[i]]));
        const templates = of("aws:ec2/launchTemplate:LaunchTemplate");
        expect(templates).toHaveLength(2);
        for (const t of templates) {
            expect(at(t, "metadataOptions")).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 1 });
            expect(at(t, "blockDeviceMappings.0.ebs.encrypted")).toBe("true");
            expect(at(t, "networkInterfaces")).toBeUndefined();
        }
        for (const route of of("aws:ec2/routeTable:RouteTable").filter((r) => r.name.includes("private"))) expect(at(route, "routes.0.natGatewayId")).toMatch(/natGateway/);
    });
    it("taints and labels the ledger pool, sizes pools from args, and selects it for ledger pods", () => {
        const ledger = one("aws:eks/nodeGroup:NodeGroup", "aws-fra-ledger-eu-central-1b");
        expect(at(ledger, "labels")).toEqual({ "ledgerfleet.io/pool": "ledger" });
        expect(at(ledger, "taints")).toEqual([{ key: "ledgerfleet.io/pool", value: "ledger", effect: "NO_SCHEDULE" }]);
        expect(at(ledger, "scalingConfig")).toEqual({ minSize: 1, maxSize: 2, desiredSize: 1 });
        expect(at(one("aws:eks/nodeGroup:NodeGroup", "aws-fra-system"), "scalingConfig")).toEqual({ minSize: 2, maxSize: 4, desiredSize: 2 });
        // Zonal ledger groups update one after another, never two validators' machines at once.
        expect(ledger.dependencies).toContain(one("aws:eks/nodeGroup:NodeGroup", "aws-fra-ledger-eu-central-1a").urn);
        expect(at(ledger, "instanceTypes")).toEqual(["m7g.2xlarge"]);
        expect(at(one("aws:eks/nodeGroup:NodeGroup", "aws-fra-system"), "taints")).toEqual([]);
        expect(access.ledgerNodeSelector).toEqual({ "ledgerfleet.io/pool": "ledger" });
    });
    it("gives node and cluster roles only the managed policies EKS documents, the CSI role only its service account", () => {
        const policies = (prefix: string): string[] => of("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((r) => r.name.startsWith(prefix)).map((r) => String(at(r, "policyArn"))).sort();
        expect(policies("aws-fra-node-")).toEqual(["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly", "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy", "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"]);
        expect(policies("aws-fra-cluster-")).toEqual(["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]);
        const trust: unknown = JSON.parse(String(at(one("aws:iam/role:Role", "aws-fra-ebs-csi-role"), "assumeRolePolicy")));
        expect(trust).toMatchObject({ Statement: [{ Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: expect.objectContaining({}) } }] });
        expect(JSON.stringify(trust)).toMatch(/:sub":"system:serviceaccount:kube-system:ebs-csi-controller-sa"/);
        const addon = one("aws:eks/addon:Addon", "aws-fra-ebs-csi");
        expect(at(addon, "serviceAccountRoleArn")).toBe(mockArn("aws:iam/role:Role", "aws-fra-ebs-csi-role"));
    });
    it("makes an encrypted gp3 StorageClass on the volumes key that retains volumes", () => {
        const sc = one("kubernetes:storage.k8s.io/v1:StorageClass", "aws-fra-ledger-data");
        expect(sc.inputs).toMatchObject({ metadata: { name: "ledger-data" }, provisioner: "ebs.csi.aws.com", reclaimPolicy: "Retain", volumeBindingMode: "WaitForFirstConsumer", allowVolumeExpansion: true });
        expect(at(sc, "parameters")).toMatchObject({ type: "gp3", encrypted: "true", kmsKeyId: mockArn("aws:kms/key:Key", "aws-fra-volumes-key") });
        expect(sc.provider).toContain("pulumi:providers:kubernetes::aws-fra-k8s");
        expect(access.storageClass).toBe("ledger-data");
        expect(access.dependsOn).toHaveLength(1);
        expect(access.podCidrs).toEqual(["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"]);
    });
    it("gives every cloud resource an explicit provider and a parent", () => {
        const cloud = mocks.registrations.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
        expect(cloud.length).toBeGreaterThan(50);
        for (const r of cloud) {
            expect(r.parent, r.name).not.toBe("");
            expect(r.provider, r.name).toMatch(r.type.startsWith("aws:") ? /pulumi:providers:aws::aws-fra-aws::/ : /pulumi:providers:kubernetes::/);
        }
    });
    it("tags every taggable AWS resource with network, region and role", () => {
        const untaggable = new Set(["aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/rolePolicy:RolePolicy", "aws:route53/record:Record"]);
        const taggable = mocks.registrations.filter((r) => r.type.startsWith("aws:") && !untaggable.has(r.type));
        for (const r of taggable) expect(Object.keys((at(r, "tags") ?? {}) as Record<string, string>), `${r.type} ${r.name}`).toEqual(expect.arrayContaining([TAG_KEYS.network, TAG_KEYS.region, TAG_KEYS.role]));
    });
});

describe("AWS adapter: addresses and what is open to the world", () => {
    it("reserves protected, tagged Elastic IPs and never makes one in the cluster", () => {
        const eips = mocks.ofType("aws:ec2/eip:Eip");
        expect(eips).toHaveLength(7);
        for (const eip of eips) expect([eip.protect, at(eip, "domain")]).toEqual([true, "vpc"]);
        expect(at(one("aws:ec2/eip:Eip", "aws-fra-main-val-2"), `tags.${TAG_KEYS.node}`)).toBe("main_val-2");
    });
    it("puts each zone's NAT gateway on that zone's reserved egress address", () => {
        const nats = of("aws:ec2/natGateway:NatGateway");
        expect(nats.map((n) => at(n, "allocationId"))).toEqual(ZONES.map((_, i) => awsResourceMock("aws:ec2/eip:Eip", `aws-fra-egress-${i}`, {}, mockCtx)?.["allocationId"]));
    });
    it("binds the P2P Service's NLB to exactly the node's Elastic IP in the node's zone's public subnet", async () => {
        const request = access.p2pService(p2pAddress, "eu-central-1b");
        const annotations = Object.fromEntries(await Promise.all(Object.entries(request.annotations).map(async ([k, v]) => [k, await unwrap(v)])));
        expect(annotations["service.beta.kubernetes.io/aws-load-balancer-type"]).toBe("nlb");
        expect(annotations["service.beta.kubernetes.io/aws-load-balancer-eip-allocations"]).toBe(await unwrap(p2pAddress.ref));
        expect(annotations["service.beta.kubernetes.io/aws-load-balancer-subnets"]).toBe("mocked::aws:ec2/subnet:Subnet::aws-fra-public-eu-central-1b");
        // The controller refuses loadBalancerIP and skips Services with a class.
        expect(request.spec).toEqual({});
        expect(() => access.p2pService(p2pAddress, "eu-west-1a")).toThrow(/not one of the cluster's zones/);
    });
    it("opens nothing to the world: no security group rules, 0.0.0.0/0 only as a route", () => {
        const rules = mocks.registrations.filter((r) => /securityGroupRule|SecurityGroupIngressRule|aws:ec2\/securityGroup:/.test(r.type));
        expect(rules).toEqual([]);
        for (const sg of mocks.ofType("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")) expect([at(sg, "ingress"), at(sg, "egress")]).toEqual([[], []]);
        const anywhere = (value: unknown, path: string): string[] =>
            value === "0.0.0.0/0" ? [path] : typeof value === "object" && value !== null ? Object.entries(value).flatMap(([k, v]) => anywhere(v, `${path}.${k}`)) : [];
        const opened = mocks.registrations.flatMap((r) => anywhere(r.inputs, r.type));
        expect(new Set(opened)).toEqual(new Set(["aws:ec2/routeTable:RouteTable.routes.0.cidrBlock"]));
    });
    it("protects the DNS zone and points A records at node addresses", async () => {
        expect(one("aws:route53/zone:Zone", "meridian-dns").protect).toBe(true);
        expect(one("aws:route53/record:Record", "meridian-dns-main-val-2").inputs).toMatchObject({ type: "A", name: "main-val-2.aws-fra.meridian.ledger.example", records: [await unwrap(p2pAddress.ip)] });
    });
});

describe("AWS mocks", () => {
    it("map an NLB's allocation id back to its Elastic IP, as the plan's Service status needs", async () => {
        expect(awsEipAddress(String(await unwrap(p2pAddress.ref)))).toBe(await unwrap(p2pAddress.ip));
        expect(awsEipAddress("eipalloc-unknown")).toBeUndefined();
    });
});
