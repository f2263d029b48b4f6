// The Alibaba Cloud adapter: a VPC with node and pod vSwitches per zone, an Enhanced NAT gateway that
// sends all egress from the region's reserved EIPs, an ACK Pro managed cluster (Terway, KMS-encrypted
// Secrets, private API endpoint, control-plane and audit logs), a system and a tainted ledger node
// pool, an encrypted ESSD StorageClass, and NLBs that carry each node's own EIP.
import * as alicloud from "@pulumi/alicloud";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as ipaddr from "ipaddr.js";
import { ACK_RELEASES, ALICLOUD_CATALOG } from "../../config/catalog/alicloud";
import type { AlicloudRegionConfig } from "../../config/schema";
import { clusterProvider } from "./kube-provider";
import { cloudTags } from "./tags";
import type { CloudAdapter, ClusterAccess, ClusterArgs, DnsAdapter, P2pServiceRequest, PoolSize, ReservedAddress } from "./types";

const POOL_LABEL = "ledgerfleet.io/pool";
const P2P_PORT = "30303/30303";
/**
 * Alibaba Cloud's reserved range from which load balancers (CLB and NLB) send health checks and
 * forwarded traffic to backends; not reachable from the Internet.
 */
const LB_SOURCE_RANGE = "100.64.0.0/10";

/** ACK's release string for a minor version; a clear error for one we have no release of. */
export function ackRelease(minor: string): string {
    const release = ACK_RELEASES[minor];
    if (release === undefined) {
        throw new Error(`ACK has no release of Kubernetes ${minor} in config/catalog/alicloud.ts; use one of ${Object.keys(ACK_RELEASES).join(", ")}`);
    }
    return release;
}

/** The `index`-th subnet of prefix length `prefix` inside `cidr` (IPv4). */
function subnet(cidr: string, prefix: number, index: number): string {
    const [base, bits] = ipaddr.IPv4.parseCIDR(cidr);
    const start = base.toByteArray().reduce((n, b) => n * 256 + b, 0) & (bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0);
    const value = (start >>> 0) + index * 2 ** (32 - prefix);
    const bytes = [24, 16, 8, 0].map((s) => Math.floor(value / 2 ** s) % 256);
    return `${bytes.join(".")}/${prefix}`;
}

/** The address plan of a region's VPC: one node and one (larger) Terway pod vSwitch per zone. */
export interface AddressPlan {
    readonly nodes: readonly string[];
    readonly pods: readonly string[];
    /** Service ClusterIPs; outside the VPC, as ACK requires. */
    readonly services: string;
}

/**
 * Splits the VPC range in quarters: the first holds the node vSwitches (a sixteenth of the VPC each),
 * the other three are the zones' pod vSwitches (Terway gives every pod a VPC address, so pods need
 * far more addresses than machines). Throws when the range is too small or not IPv4.
 */
export function addressPlan(vpcCidr: string, zoneCount: number): AddressPlan {
    if (!ipaddr.IPv4.isValidCIDR(vpcCidr)) throw new Error(`vpcCidr ${vpcCidr}: Alibaba Cloud VPCs take an IPv4 range such as 10.0.0.0/16`);
    const bits = ipaddr.IPv4.parseCIDR(vpcCidr)[1];
    if (bits > 20) throw new Error(`vpcCidr ${vpcCidr} is too small: use a /20 or larger (pods take VPC addresses under Terway)`);
    if (zoneCount > 3) throw new Error(`${zoneCount} zones: the Alibaba Cloud adapter spreads over at most 3`);
    const zones = [...Array(zoneCount).keys()];
    // The usual ACK service range, unless the VPC itself uses it.
    const services = ["172.21.0.0/20", "192.168.0.0/20"].find((c) => !overlaps(c, vpcCidr)) as string;
    return { nodes: zones.map((i) => subnet(vpcCidr, bits + 4, i)), pods: zones.map((i) => subnet(vpcCidr, bits + 2, i + 1)), services };
}

function overlaps(a: string, b: string): boolean {
    const [pa, ba] = ipaddr.IPv4.parseCIDR(a);
    const [pb, bb] = ipaddr.IPv4.parseCIDR(b);
    return pa.match(pb, bb) || pb.match(pa, ba);
}

/** "k=v,k=v", as the CCM's additional-resource-tags annotation takes tags. */
function tagList(tags: Record<string, string>): string {
    return Object.entries(tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
}

/**
 * How a node's P2P Service gets exactly its EIP. The cloud-controller-manager ACK runs by default
 * (CCM >= 2.5.0) creates an NLB for `loadBalancerClass: alibabacloud.com/nlb` and, in each entry of
 * the `zone-maps` annotation "zone:vswitch:privateIp:allocationId", binds the given EIP to that zone's
 * NLB address: parseZoneMappings in pkg/controller/service/nlbv2/loadbalancer.go and ZoneMappings
 * AllocationId in pkg/provider/alibaba/nlb/loadbalancer.go of kubernetes/cloud-provider-alibaba-cloud
 * (commit eeb0ddc, checked 2026-11-25); annotation documented in "Configure an NLB instance by using
 * annotations" (alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/configure-nlb-
 * instances-by-using-annotations, checked 2026-11-25). An NLB needs two zones: the node's zone carries
 * its EIP, the next zone is the NLB's second leg (NLB-allocated address, same source filter).
 * The same CCM turns `loadBalancerSourceRanges` into a security group on the NLB (BuildLocalModel,
 * buildSecurityGroupPermissionsFromSourceRanges in nlbv2/loadbalancer.go): no ACL annotation needed.
 * backend-type "eni" puts the pod's Terway ENI (port 30303) behind the NLB, so the nodes' security
 * group opens only 30303, not a NodePort range.
 */
export function nlbServiceRequest(
    address: ReservedAddress,
    zone: string | undefined,
    zones: readonly string[],
    vswitchIds: Readonly<Record<string, pulumi.Input<string>>>,
    tags: Record<string, string>,
): P2pServiceRequest {
    const home = zone ?? zones[0];
    const homeIndex = zones.indexOf(home as string);
    if (home === undefined || homeIndex < 0) throw new Error(`zone ${String(zone)} is not one of the cluster's zones (${zones.join(", ")})`);
    const other = zones[(homeIndex + 1) % zones.length] as string;
    return {
        annotations: {
            "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type": "internet",
            "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-zone-maps": pulumi.interpolate`${home}:${vswitchIds[home]}::${address.ref},${other}:${vswitchIds[other]}`,
            "service.beta.kubernetes.io/backend-type": "eni",
            "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-additional-resource-tags": tagList(tags),
        },
        spec: { loadBalancerClass: "alibabacloud.com/nlb" },
    };
}

function nodePool(name: string, pool: "system" | "ledger", size: PoolSize, ctx: { clusterId: pulumi.Input<string>; vswitchIds: pulumi.Input<string>[]; securityGroupId: pulumi.Input<string>; keyId: pulumi.Input<string>; tags: Record<string, string>; opts: pulumi.CustomResourceOptions }): alicloud.cs.NodePool {
    return new alicloud.cs.NodePool(
        `${name}-${pool}`,
        {
            clusterId: ctx.clusterId,
            nodePoolName: pool,
            vswitchIds: ctx.vswitchIds,
            // Spread evenly: ledger pods are pinned round-robin to the zones.
            multiAzPolicy: "BALANCE",
            instanceTypes: [size.machine],
            // A fixed size from the shared sizing code: ACK's own autoscaling would need its node
            // autoscaler add-on, and `desiredSize` conflicts with `scalingConfig.enable`.
            desiredSize: String(size.desired),
            securityGroupIds: [ctx.securityGroupId],
            // No internetChargeType / internetMaxBandwidthOut / EIP: machines have private addresses only.
            runtimeName: "containerd",
            systemDiskCategory: "cloud_essd",
            systemDiskSize: 120,
            systemDiskEncrypted: true,
            systemDiskKmsKey: ctx.keyId,
            dataDisks: [{ category: "cloud_essd", size: 200, performanceLevel: "PL1", encrypted: "true", kmsKeyId: ctx.keyId }],
            instanceMetadataOptions: { httpTokens: "required" },
            management: { enable: true, autoRepair: true, maxUnavailable: 1 },
            labels: [{ key: POOL_LABEL, value: pool }],
            // Only ledger pods (which tolerate it) land on ledger machines.
            taints: pool === "ledger" ? [{ key: POOL_LABEL, value: "ledger", effect: "NoSchedule" }] : [],
            tags: ctx.tags,
        },
        ctx.opts,
    );
}

function cluster(name: string, args: ClusterArgs<AlicloudRegionConfig>): ClusterAccess {
    const { provider, parent, network, regionId, zones } = args;
    const opts = { provider, parent };
    const tags = (role: Parameters<typeof cloudTags>[2]) => cloudTags(network, regionId, role);
    const plan = addressPlan(args.region.vpcCidr, zones.length);
    if (args.egress.length === 0) throw new Error(`region ${regionId}: no egress addresses; the global stack reserves ${alicloudAdapter.egressCount(args.region)}`);

    // One customer-managed key for Secrets, disks and volumes; rotation on (default keys rotate yearly).
    const key = new alicloud.kms.Key(
        `${name}-key`,
        {
            description: `ledgerfleet ${network}/${regionId}: Kubernetes Secrets and disks`,
            keySpec: "Aliyun_AES_256",
            keyUsage: "ENCRYPT/DECRYPT",
            automaticRotation: "Enabled",
            rotationInterval: "365d",
            deletionProtection: "Enabled",
            pendingWindowInDays: 30,
            tags: tags("encryption"),
        },
        { ...opts, protect: true },
    );

    const vpc = new alicloud.vpc.Network(`${name}-vpc`, { vpcName: `${name}-vpc`, cidrBlock: args.region.vpcCidr, tags: tags("network") }, opts);
    const vswitch = (role: "nodes" | "pods", i: number, cidr: string) =>
        new alicloud.vpc.Switch(`${name}-${role}-${zones[i]}`, { vswitchName: `${name}-${role}-${zones[i]}`, vpcId: vpc.id, zoneId: zones[i], cidrBlock: cidr, tags: tags("network") }, opts);
    const nodeSwitches = plan.nodes.map((cidr, i) => vswitch("nodes", i, cidr));
    const podSwitches = plan.pods.map((cidr, i) => vswitch("pods", i, cidr));

    // Egress: one Enhanced NAT gateway; the system route table gets 0.0.0.0/0 to it when it is created.
    const nat = new alicloud.vpc.NatGateway(
        `${name}-nat`,
        {
            natGatewayName: `${name}-nat`,
            vpcId: vpc.id,
            vswitchId: nodeSwitches[0]?.id,
            natType: "Enhanced",
            networkType: "internet",
            paymentType: "PayAsYouGo",
            internetChargeType: "PayByLcu",
            eipBindMode: "NAT",
            deletionProtection: true,
            tags: tags("nat"),
        },
        opts,
    );
    const associations = args.egress.map((address, i) => new alicloud.ecs.EipAssociation(`${name}-nat-eip-${i}`, { allocationId: address.ref, instanceId: nat.id, instanceType: "Nat" }, opts));
    const snatIps = pulumi.all(args.egress.map((a) => a.ip)).apply((ips) => ips.join(","));
    // Nodes and pods (Terway: pods have their own vSwitch addresses) leave through the egress EIPs only.
    const snat = [...nodeSwitches.map((s, i) => ({ s, role: `nodes-${zones[i]}` })), ...podSwitches.map((s, i) => ({ s, role: `pods-${zones[i]}` }))].map(
        ({ s, role }) =>
            new alicloud.vpc.SnatEntry(`${name}-snat-${role}`, { snatEntryName: `${name}-snat-${role}`, snatTableId: nat.snatTableIds, sourceVswitchId: s.id, snatIp: snatIps }, { ...opts, dependsOn: associations }),
    );

    // Our own security group (ACK would otherwise make one): the VPC inside, P2P from peers outside.
    const sg = new alicloud.ecs.SecurityGroup(
        `${name}-nodes`,
        { securityGroupName: `${name}-nodes`, vpcId: vpc.id, securityGroupType: "normal", innerAccessPolicy: "Accept", description: "ledgerfleet nodes and pods", tags: tags("firewall") },
        opts,
    );
    const rule = (suffix: string, cidrIp: pulumi.Input<string>, ipProtocol: string, portRange: string, description: string) =>
        new alicloud.ecs.SecurityGroupRule(`${name}-${suffix}`, { securityGroupId: sg.id, type: "ingress", policy: "accept", priority: 1, nicType: "intranet", cidrIp, ipProtocol, portRange, description }, opts);
    rule("from-vpc", args.region.vpcCidr, "all", "-1/-1", "control plane, nodes, pods and load balancer legs in the VPC");
    rule("p2p-lb", LB_SOURCE_RANGE, "tcp", P2P_PORT, "NLB health checks of the P2P port");
    args.p2pSources.forEach((source, i) => rule(`p2p-${i}`, source, "tcp", P2P_PORT, "Besu P2P from a peer or egress address"));

    const cluster = new alicloud.cs.ManagedKubernetes(
        `${name}-cluster`,
        {
            name: `${name}`,
            clusterSpec: "ack.pro.small",
            version: ackRelease(args.region.kubernetesVersion ?? ALICLOUD_CATALOG.defaults.kubernetesVersion),
            vswitchIds: nodeSwitches.map((s) => s.id),
            podVswitchIds: podSwitches.map((s) => s.id),
            serviceCidr: plan.services,
            securityGroupId: sg.id,
            // We built the NAT ourselves (with the reserved egress EIPs).
            newNatGateway: false,
            // No Internet-facing API server: the endpoint is the VPC-internal load balancer only.
            slbInternetEnabled: false,
            encryptionProviderKey: key.id,
            disableEncryption: false,
            controlPlaneLogComponents: ["apiserver", "kcm", "scheduler", "ccm", "controlplane-events"],
            controlPlaneLogTtl: "90",
            auditLogConfig: { enabled: true },
            deletionProtection: true,
            enableRrsa: true,
            // Keep client certificates out of the state; the kubeconfig comes from getClusterCredential.
            skipSetCertificateAuthority: true,
            addons: [
                { name: "terway-controlplane" },
                // Terway with NetworkPolicy: the ledger chart's NetworkPolicies are enforced.
                { name: "terway-eniip", config: JSON.stringify({ NetworkPolicy: "true", IPVlan: "false", ENITrunking: "false" }) },
                { name: "csi-plugin" },
                { name: "managed-csiprovisioner" },
                { name: "metrics-server" },
                // ACK would otherwise put an Internet-facing CLB in front of an nginx ingress.
                { name: "nginx-ingress-controller", disabled: true },
            ],
            tags: tags("cluster"),
        },
        { ...opts, dependsOn: snat },
    );

    const poolCtx = { clusterId: cluster.id, vswitchIds: nodeSwitches.map((s) => s.id), securityGroupId: sg.id, keyId: key.id, tags: tags("pool"), opts: { ...opts, dependsOn: snat } };
    const systemPool = nodePool(name, "system", args.pools.system, poolCtx);
    const ledgerPool = nodePool(name, "ledger", args.pools.ledger, poolCtx);

    // Client certificate of the cluster's admin: a secret. The server is the VPC-internal endpoint,
    // so `pulumi up` runs from inside the VPC (or through a bastion/VPN into it).
    const credential = alicloud.cs.getClusterCredentialOutput({ clusterId: cluster.id }, { provider, parent });
    const kubeconfig = pulumi.secret(
        pulumi.all([cluster.connections, credential.certificateAuthority]).apply(([connections, ca]) => ({
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name, cluster: { server: connections.apiServerIntranet, "certificate-authority-data": ca.clusterCert } }],
            contexts: [{ name, context: { cluster: name, user: name } }],
            "current-context": name,
            users: [{ name, user: { "client-certificate-data": ca.clientCert, "client-key-data": ca.clientKey } }],
        })),
    );
    const k8sProvider = clusterProvider(`${name}-k8s`, kubeconfig, parent, [systemPool]);

    const storageClass = new k8s.storage.v1.StorageClass(
        `${name}-ledger-data`,
        {
            metadata: { name: "ledger-data" },
            provisioner: "diskplugin.csi.alibabacloud.com",
            parameters: { type: "cloud_essd", performanceLevel: "PL1", encrypted: "true", kmsKeyId: key.id, fstype: "ext4" },
            reclaimPolicy: "Retain",
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
        },
        { provider: k8sProvider, parent, dependsOn: [ledgerPool] },
    );

    const vswitchIds = Object.fromEntries(zones.map((z, i) => [z, (nodeSwitches[i] as alicloud.vpc.Switch).id]));
    const lbTags = cloudTags(network, regionId, "p2p-address");
    return {
        provider: k8sProvider,
        storageClass: "ledger-data",
        ledgerNodeSelector: { [POOL_LABEL]: "ledger" },
        podCidrs: plan.pods,
        zones,
        // ACK's kubeconfig is fetched by cluster id (`aliyun cs GET /k8s/<id>/user_config`).
        clusterName: cluster.id,
        p2pService: (address, zone) => nlbServiceRequest(address, zone, zones, vswitchIds, lbTags),
        dependsOn: [storageClass],
    };
}

export const alicloudAdapter: CloudAdapter<AlicloudRegionConfig> = {
    cloud: "alicloud",
    /** One provider per region; credentials come from the environment (ALICLOUD_ACCESS_KEY, profiles). */
    provider: (name, args) => new alicloud.Provider(name, { region: args.region.region }, { parent: args.parent }),
    /** A pay-by-traffic BGP EIP, protected twice (Pulumi and the EIP's own deletion protection). */
    reserveAddress(name, args) {
        const eip = new alicloud.ecs.EipAddress(
            name,
            {
                addressName: name,
                description: `ledgerfleet ${args.purpose} address of ${args.network}/${args.regionId}${args.node === undefined ? "" : ` ${args.node}`}`,
                isp: "BGP",
                netmode: "public",
                paymentType: "PayAsYouGo",
                // International accounts can only create pay-as-you-go EIPs billed by traffic.
                internetChargeType: "PayByTraffic",
                bandwidth: "200",
                deletionProtection: true,
                tags: cloudTags(args.network, args.regionId, args.purpose === "p2p" ? "p2p-address" : "egress-address", args.node),
            },
            { provider: args.provider, parent: args.parent, protect: true },
        );
        return { ip: eip.ipAddress, ref: eip.id };
    },
    /**
     * One: the region has one NAT gateway, and a second EIP on it adds no availability (both fail
     * with the gateway), only SNAT ports (~55,000 per destination each) a ledger's few dozen peer
     * connections never need. Every egress address is one more entry in every peer's allowlist.
     */
    egressCount: () => 1,
    cluster,
};

export const alicloudDns: DnsAdapter = {
    /** An Alibaba Cloud DNS zone (protected) with one A record per node. */
    zone(name, args) {
        const opts = { provider: args.provider, parent: args.parent };
        const domain = new alicloud.dns.AlidnsDomain(
            `${name}-zone`,
            { domainName: args.domain, remark: `ledgerfleet ${args.network}`, tags: cloudTags(args.network, args.regionId, "dns") },
            { ...opts, protect: true },
        );
        for (const record of args.records) {
            new alicloud.dns.AlidnsRecord(`${name}-${record.key}`, { domainName: domain.domainName, rr: record.relativeName, type: "A", value: record.ip, ttl: 600 }, opts);
        }
        return { nameServers: domain.dnsServers };
    },
};
