// The Alibaba Cloud adapter under Pulumi mocks: what a security reviewer checks in an ACK region
// (keys, endpoint, logs, disks, node exposure, taints, providers, tags, protected addresses, the P2P
// binding, firewall rules), read from the inputs the program would send to the cloud.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { alicloudCallMock, alicloudResourceMock } from "../cli/mocks-alicloud";
import { ackRelease, addressPlan, alicloudAdapter, alicloudDns } from "../components/clouds/alicloud";
import { TAG_KEYS } from "../components/clouds/tags";
import type { ClusterAccess, P2pServiceRequest, ReservedAddress } from "../components/clouds/types";
import type { AlicloudRegionConfig } from "../config/schema";

interface Registration {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    provider?: string;
    custom?: boolean;
    protect?: boolean;
}

const registrations: Registration[] = [];
const protectedNames = new Map<string, boolean>();
let ips = 0;

pulumi.runtime.setMocks(
    {
        newResource(args: pulumi.runtime.MockResourceArgs) {
            const inputs = args.inputs as Record<string, unknown>;
            registrations.push({ type: args.type, name: args.name, inputs, provider: args.provider, custom: args.custom });
            const ctx = { nextPublicIp: () => `198.18.0.${++ips}` };
            const outputs = alicloudResourceMock(args.type, args.name, inputs, ctx) ?? {};
            return { id: (outputs.id as string | undefined) ?? `${args.name}-id`, state: { ...inputs, ...outputs } };
        },
        call(args: pulumi.runtime.MockCallArgs) {
            const answer = alicloudCallMock(args.token, args.inputs as Record<string, unknown>);
            if (answer === undefined) throw new Error(`unmocked invoke ${args.token}`);
            return answer;
        },
    },
    "ledgerfleet",
    "dev",
    false,
);

/** Records each child's resource options (protect) as it is constructed; inherited by all children. */
const recordOptions: pulumi.ResourceTransformation = ({ type, name, opts }) => {
    protectedNames.set(`${type}::${name}`, opts.protect === true);
    return undefined;
};

class TestParent extends pulumi.ComponentResource {
    constructor(name: string) {
        super("ledgerfleet:test:Parent", name, {}, { transformations: [recordOptions] });
    }
}

function resolve<T>(value: pulumi.Input<T>): Promise<T> {
    return new Promise((r) => pulumi.output(value).apply((v) => r(v as T)));
}

async function settle(): Promise<void> {
    let last = -1;
    while (last !== registrations.length) {
        last = registrations.length;
        for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
    }
}

const of = (type: string) => registrations.filter((r) => r.type === type);
const region: AlicloudRegionConfig = { cloud: "alicloud", region: "eu-central-1", vpcCidr: "10.0.0.0/16", kubernetesVersion: "1.36" };
const zones = ["eu-central-1a", "eu-central-1b", "eu-central-1c"];
const p2pSources = ["203.0.113.10/32", "203.0.113.11/32"];
let access: ClusterAccess;
let p2pAddress: ReservedAddress;
let egressAddress: ReservedAddress;
let p2pRequest: P2pServiceRequest;

beforeAll(async () => {
    const parent = new TestParent("region");
    const common = { network: "meridian", regionId: "ali-fra", region, parent };
    const provider = alicloudAdapter.provider("ali-fra", common);
    p2pAddress = alicloudAdapter.reserveAddress("ali-fra-main-val-1", { ...common, provider, purpose: "p2p", node: "main/val-1" });
    egressAddress = alicloudAdapter.reserveAddress("ali-fra-egress-0", { ...common, provider, purpose: "egress" });
    const egress = [egressAddress];
    access = alicloudAdapter.cluster("ali-fra", {
        ...common,
        provider,
        egress,
        apiAllowList: [],
        p2pSources,
        zones,
        pools: {
            system: { machine: "ecs.g7.large", min: 2, max: 4, desired: 2, perZone: { min: 1, max: 2, desired: 1 } },
            ledger: { machine: "ecs.g7.2xlarge", min: 3, max: 6, desired: 3, perZone: { min: 1, max: 2, desired: 1 } },
        },
    });
    alicloudDns.zone("meridian-dns", { network: "meridian", domain: "meridian.ledger.example", provider, regionId: "ali-fra", parent, records: [{ key: "main-val-1", relativeName: "main-val-1.ali-fra", ip: p2pAddress.ip }] });
    p2pRequest = access.p2pService(p2pAddress, "eu-central-1b");
    await settle();
});

describe("alicloud adapter", () => {
    it("encrypts Kubernetes Secrets with a protected customer-managed KMS key that rotates", () => {
        const [key] = of("alicloud:kms/key:Key");
        expect(key?.inputs).toMatchObject({ automaticRotation: "Enabled", rotationInterval: "365d", deletionProtection: "Enabled" });
        expect(protectedNames.get(`${key?.type}::${key?.name}`)).toBe(true);
        const [cluster] = of("alicloud:cs/managedKubernetes:ManagedKubernetes");
        expect(cluster?.inputs.encryptionProviderKey).toMatch(/^key-/);
        expect(cluster?.inputs.disableEncryption).toBe(false);
    });

    it("builds an ACK Pro cluster with no Internet-facing API endpoint and control-plane and audit logs on", () => {
        const [cluster] = of("alicloud:cs/managedKubernetes:ManagedKubernetes");
        expect(cluster?.inputs).toMatchObject({ clusterSpec: "ack.pro.small", slbInternetEnabled: false, newNatGateway: false, deletionProtection: true, version: "1.36.1-aliyun.1" });
        expect(cluster?.inputs.controlPlaneLogComponents).toEqual(expect.arrayContaining(["apiserver", "kcm", "scheduler"]));
        expect(cluster?.inputs.auditLogConfig).toEqual({ enabled: true });
        // No ingress controller with a public CLB sneaks in.
        expect(cluster?.inputs.addons).toContainEqual({ name: "nginx-ingress-controller", disabled: true });
        expect(JSON.parse(((cluster?.inputs.addons as { name: string; config?: string }[]).find((a) => a.name === "terway-eniip")?.config ?? "{}")).NetworkPolicy).toBe("true");
    });

    it("keeps machines private: no public address on any node, encrypted system and data disks", () => {
        const pools = of("alicloud:cs/nodePool:NodePool");
        expect(pools).toHaveLength(2);
        for (const pool of pools) {
            expect(pool.inputs.internetMaxBandwidthOut ?? 0).toBe(0);
            expect(pool.inputs.internetChargeType).toBeUndefined();
            expect((pool.inputs.scalingConfig as { isBondEip?: boolean } | undefined)?.isBondEip ?? false).toBe(false);
            expect(pool.inputs.systemDiskEncrypted).toBe(true);
            expect(pool.inputs.systemDiskKmsKey).toMatch(/^key-/);
            for (const disk of pool.inputs.dataDisks as { encrypted: string; kmsKeyId: string }[]) expect(disk).toMatchObject({ encrypted: "true", kmsKeyId: expect.stringMatching(/^key-/) });
            // Node vSwitches only (nodes never sit in the pod vSwitches or anywhere public).
            expect((pool.inputs.vswitchIds as string[]).length).toBe(3);
        }
    });

    it("labels and taints the ledger pool and sizes pools from the shared sizing", () => {
        const ledger = of("alicloud:cs/nodePool:NodePool").find((p) => p.inputs.nodePoolName === "ledger");
        const system = of("alicloud:cs/nodePool:NodePool").find((p) => p.inputs.nodePoolName === "system");
        expect(ledger?.inputs.labels).toContainEqual({ key: "ledgerfleet.io/pool", value: "ledger" });
        expect(ledger?.inputs.taints).toEqual([{ key: "ledgerfleet.io/pool", value: "ledger", effect: "NoSchedule" }]);
        expect(ledger?.inputs).toMatchObject({ instanceTypes: ["ecs.g7.2xlarge"], desiredSize: "3" });
        expect(system?.inputs.taints ?? []).toEqual([]);
        expect(access.ledgerNodeSelector).toEqual({ "ledgerfleet.io/pool": "ledger" });
    });

    it("provisions ledger volumes as encrypted, retained ESSD", () => {
        const [sc] = of("kubernetes:storage.k8s.io/v1:StorageClass");
        expect(sc?.inputs).toMatchObject({
            metadata: { name: "ledger-data" },
            provisioner: "diskplugin.csi.alibabacloud.com",
            reclaimPolicy: "Retain",
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
            parameters: { type: "cloud_essd", encrypted: "true", kmsKeyId: expect.stringMatching(/^key-/) },
        });
        expect(access.storageClass).toBe("ledger-data");
        expect(access.dependsOn).toHaveLength(1);
    });

    it("gives every resource an explicit provider", () => {
        for (const r of registrations.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))) {
            const expected = r.type.startsWith("kubernetes:") ? "pulumi:providers:kubernetes" : "pulumi:providers:alicloud";
            expect(r.provider, `${r.type} ${r.name}`).toContain(expected);
        }
    });

    it("tags every taggable cloud resource with network, region and role", () => {
        const taggable = ["EipAddress", "Key", "Network", "Switch", "NatGateway", "SecurityGroup", "ManagedKubernetes", "NodePool", "AlidnsDomain"];
        const found = registrations.filter((r) => taggable.some((t) => r.type.endsWith(`:${t}`)));
        expect(new Set(found.map((r) => r.type.split(":")[2]))).toEqual(new Set(taggable));
        for (const r of found) expect(r.inputs.tags, `${r.type} ${r.name}`).toMatchObject({ [TAG_KEYS.network]: "meridian", [TAG_KEYS.region]: "ali-fra", [TAG_KEYS.role]: expect.any(String) });
    });

    it("protects reserved addresses and the DNS zone", () => {
        const eips = of("alicloud:ecs/eipAddress:EipAddress");
        expect(eips).toHaveLength(2);
        for (const eip of eips) {
            expect(protectedNames.get(`${eip.type}::${eip.name}`)).toBe(true);
            expect(eip.inputs.deletionProtection).toBe(true);
        }
        expect(of("alicloud:ecs/eipAddress:EipAddress").find((e) => e.name === "ali-fra-main-val-1")?.inputs.tags).toMatchObject({ [TAG_KEYS.node]: "main_val-1" });
        expect(protectedNames.get("alicloud:dns/alidnsDomain:AlidnsDomain::meridian-dns-zone")).toBe(true);
    });

    it("sends all egress through the reserved egress EIP on the NAT gateway", async () => {
        const [nat] = of("alicloud:vpc/natGateway:NatGateway");
        expect(nat?.inputs).toMatchObject({ natType: "Enhanced", networkType: "internet", eipBindMode: "NAT", deletionProtection: true, vswitchId: expect.stringMatching(/^vsw-/) });
        const [assoc] = of("alicloud:ecs/eipAssociation:EipAssociation");
        expect(assoc?.inputs).toMatchObject({ instanceType: "Nat", allocationId: expect.stringMatching(/^eip-/), instanceId: expect.stringMatching(/^ngw-/) });
        const snat = of("alicloud:vpc/snatEntry:SnatEntry");
        // Node and pod vSwitches of three zones.
        expect(snat).toHaveLength(6);
        const egressIp = await resolve(egressAddress.ip);
        for (const s of snat) expect(s.inputs.snatIp).toBe(egressIp);
        expect(access.podCidrs).toEqual(["10.0.64.0/18", "10.0.128.0/18", "10.0.192.0/18"]);
    });

    it("binds the node's own EIP to its NLB in the node's zone", async () => {
        expect(p2pRequest.spec.loadBalancerClass).toBe("alibabacloud.com/nlb");
        const zoneMaps = await resolve(p2pRequest.annotations["service.beta.kubernetes.io/alibaba-cloud-loadbalancer-zone-maps"] as pulumi.Input<string>);
        const ref = await resolve(p2pAddress.ref);
        expect(zoneMaps).toMatch(new RegExp(`^eu-central-1b:vsw-[0-9a-f]+::${ref},eu-central-1c:vsw-[0-9a-f]+$`));
        expect(p2pRequest.annotations["service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type"]).toBe("internet");
        expect(() => access.p2pService(p2pAddress, "eu-central-1z")).toThrow(/not one of the cluster's zones/);
    });

    it("opens nothing to the world: only TCP 30303, and only to the P2P sources, from outside the VPC", () => {
        const rules = of("alicloud:ecs/securityGroupRule:SecurityGroupRule");
        expect(rules.every((r) => r.inputs.type === "ingress")).toBe(true);
        const outside = rules.filter((r) => r.inputs.cidrIp !== region.vpcCidr && r.inputs.cidrIp !== "100.64.0.0/10");
        expect(outside.map((r) => r.inputs.cidrIp).sort()).toEqual([...p2pSources].sort());
        for (const r of outside) expect(r.inputs).toMatchObject({ ipProtocol: "tcp", portRange: "30303/30303", policy: "accept" });
        const lb = rules.find((r) => r.inputs.cidrIp === "100.64.0.0/10");
        expect(lb?.inputs).toMatchObject({ ipProtocol: "tcp", portRange: "30303/30303" });
        expect(rules.some((r) => r.inputs.cidrIp === "0.0.0.0/0")).toBe(false);
    });
});

describe("alicloud address plan and versions", () => {
    it("splits the VPC into node and pod vSwitches and keeps services outside it", () => {
        expect(addressPlan("10.0.0.0/16", 2)).toEqual({ nodes: ["10.0.0.0/20", "10.0.16.0/20"], pods: ["10.0.64.0/18", "10.0.128.0/18"], services: "172.21.0.0/20" });
        expect(addressPlan("172.16.0.0/12", 3).services).toBe("192.168.0.0/20");
    });
    it("refuses a VPC too small for Terway pods and a version ACK has no release of", () => {
        expect(() => addressPlan("10.0.0.0/24", 3)).toThrow(/too small/);
        expect(() => ackRelease("1.29")).toThrow(/no release of Kubernetes 1.29/);
    });
});
