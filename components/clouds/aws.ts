// The AWS adapter: a VPC over the region's zones (private subnets for machines, public ones for NAT
// and load balancers), an EKS cluster with KMS secrets encryption, control-plane logs and a private
// endpoint, managed node groups `system` and `ledger`, the EBS CSI driver and an encrypted gp3
// StorageClass; Elastic IPs for node P2P endpoints and NAT egress; Route 53 for DNS.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as ipaddr from "ipaddr.js";
import type { AwsRegionConfig } from "../../config/schema";
import { AWS_CATALOG } from "../../config/catalog/aws";
import { cloudTags, type CloudRole } from "./tags";
import { clusterProvider, execKubeconfig } from "./kube-provider";
import type { CloudAdapter, ClusterAccess, ClusterArgs, DnsAdapter, P2pServiceRequest, PoolSize, ReservedAddress } from "./types";

/** The label of the ledger pool's machines (ledger pods select it and tolerate the taint of the same key). */
export const POOL_LABEL = "ledgerfleet.io/pool";
export const STORAGE_CLASS = "ledger-data";
/** Every control-plane log type EKS has: audit and authenticator are what a reviewer of access needs. */
export const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;
/** How long control-plane logs are kept (EKS would create the group with no expiry and no tags). */
const LOG_RETENTION_DAYS = 365;

/** The partition of a region's ARNs (managed policy ARNs differ in China and GovCloud); no invoke needed. */
export function awsPartition(region: string): "aws" | "aws-cn" | "aws-us-gov" {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
}

/**
 * The VPC's subnets: a private one per zone from the first quarters of the range (nodes, and pods,
 * which the VPC CNI gives VPC addresses: they need the room), a public one per zone from the last
 * quarter, 1/64 of the range each (NAT gateways and load balancers only).
 */
export function subnetPlan(vpcCidr: string, zoneCount: number): { private: string[]; public: string[] } {
    const [base, prefix] = ipaddr.parseCIDR(vpcCidr);
    if (base.kind() !== "ipv4") throw new Error(`vpcCidr ${vpcCidr}: the AWS adapter builds IPv4 VPCs`);
    if (prefix < 16 || prefix > 20) throw new Error(`vpcCidr ${vpcCidr}: AWS VPCs are /16 to /28 and a cluster needs at least a /20 here (each zone's private subnet is a quarter of it)`);
    if (zoneCount < 1 || zoneCount > 3) throw new Error(`the AWS adapter spreads a cluster over 1 to 3 zones, not ${zoneCount}`);
    const start = ipaddr.IPv4.networkAddressFromCIDR(vpcCidr).toByteArray().reduce((n, byte) => n * 256 + byte, 0);
    const size = 2 ** (32 - prefix);
    const cidr = (offset: number, bits: number): string => {
        const n = start + offset;
        return `${[24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".")}/${bits}`;
    };
    const zones = [...Array(zoneCount).keys()];
    return {
        private: zones.map((i) => cidr((i * size) / 4, prefix + 2)),
        public: zones.map((i) => cidr((3 * size) / 4 + (i * size) / 64, prefix + 6)),
    };
}

/** One NAT gateway per zone, each on its own reserved address: the global stack must have reserved one per zone. */
export function checkEgress(egressCount: number, zones: readonly string[]): void {
    if (egressCount !== zones.length) {
        throw new Error(`AWS region over zones ${zones.join(", ")} needs ${zones.length} egress addresses (one NAT gateway per zone), got ${egressCount}`);
    }
}

/** The EKS AMI for a machine type: Graviton families (a `g` after the generation, e.g. m7g, r8gd) run ARM64. */
export function amiTypeFor(machine: string): string {
    return /^[a-z]+\d+g[a-z]*\./.test(machine) ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

/** The EKS cluster's name: fixed (not auto-named) so its log group can exist before it, unique per network and region. */
export function eksClusterName(network: string, regionId: string): string {
    return `${network}-${regionId}`.slice(0, 100);
}

/**
 * How a node's P2P Service gets exactly its Elastic IP. EKS runs the AWS cloud provider's service
 * controller by default (kubernetes/cloud-provider-aws, "legacy" in the EKS docs), which makes an
 * internet-facing NLB for `aws-load-balancer-type: nlb` and creates it with one subnet mapping per
 * subnet of `aws-load-balancer-subnets`, each with the matching allocation id of
 * `aws-load-balancer-eip-allocations` (the counts must agree): one subnet, one EIP. It refuses
 * spec.loadBalancerIP and ignores Services with a loadBalancerClass, so neither is set. It opens the
 * NodePort on the nodes' security group to spec.loadBalancerSourceRanges only (the chart sets them to
 * the P2P sources). Targets: the ledger pool's nodes. Sources, checked 2026-11-25:
 * cloud-provider-aws 63ec440c (2026-07-07) pkg/providers/v1/aws.go (annotation constants,
 * EnsureLoadBalancer, getLoadBalancerSubnets, updateInstanceSecurityGroupsForNLB) and
 * aws_loadbalancer.go ensureLoadBalancerv2; https://docs.aws.amazon.com/eks/latest/userguide/network-load-balancing.html.
 */
export function p2pServiceRequest(
    address: ReservedAddress,
    zone: string | undefined,
    publicSubnets: ReadonlyMap<string, pulumi.Input<string>>,
    lbTags: Record<string, string>,
): P2pServiceRequest {
    const subnet = zone === undefined ? undefined : publicSubnets.get(zone);
    if (subnet === undefined) {
        // An NLB with one EIP sits in exactly one subnet, the node's zone's: without a zone there is no right one.
        throw new Error(`AWS P2P load balancer: zone ${zone ?? "(none)"} is not one of the cluster's zones ${[...publicSubnets.keys()].join(", ")}`);
    }
    return {
        annotations: {
            "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
            "service.beta.kubernetes.io/aws-load-balancer-subnets": subnet,
            "service.beta.kubernetes.io/aws-load-balancer-eip-allocations": address.ref,
            "service.beta.kubernetes.io/aws-load-balancer-target-node-labels": `${POOL_LABEL}=ledger`,
            "service.beta.kubernetes.io/aws-load-balancer-additional-resource-tags": Object.entries(lbTags).map(([k, v]) => `${k}=${v}`).join(","),
        },
        spec: {},
    };
}

/** An IAM trust policy for an AWS service principal. */
function trustService(service: string): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });
}

function requireDefined<T>(value: T | undefined, what: string): T {
    if (value === undefined) throw new Error(`EKS cluster reported no ${what}`);
    return value;
}

function cluster(name: string, args: ClusterArgs<AwsRegionConfig>): ClusterAccess {
    const { network, regionId, provider, parent, zones } = args;
    const awsRegion = args.region.region;
    const opts = { provider, parent };
    const tags = (role: CloudRole, extra: Record<string, string> = {}): Record<string, string> => ({ ...cloudTags(network, regionId, role), ...extra });
    checkEgress(args.egress.length, zones);
    const plan = subnetPlan(args.region.vpcCidr, zones.length);
    const partition = awsPartition(awsRegion);
    const managedPolicy = (path: string): string => `arn:${partition}:iam::aws:policy/${path}`;
    const clusterName = eksClusterName(network, regionId);

    // --- Network: public subnets hold only NAT gateways and NLBs; machines live in private subnets.
    const vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock: args.region.vpcCidr, enableDnsSupport: true, enableDnsHostnames: true, tags: tags("network", { Name: clusterName }) }, opts);
    // Adopting the default security group with no rules closes it: nothing can use it by accident.
    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, ingress: [], egress: [], tags: tags("firewall") }, opts);
    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tags("network", { Name: clusterName }) }, opts);
    const publicRoutes = new aws.ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: tags("network", { Name: `${clusterName}-public` }) }, opts);
    const publicSubnets = new Map<string, pulumi.Output<string>>();
    const privateSubnetIds: pulumi.Output<string>[] = [];
    const egressRoutes: pulumi.Resource[] = [];
    zones.forEach((zone, i) => {
        const publicSubnet = new aws.ec2.Subnet(
            `${name}-public-${zone}`,
            // kubernetes.io/role/elb: where load balancers go when a Service names no subnet.
            { vpcId: vpc.id, cidrBlock: plan.public[i]!, availabilityZone: zone, mapPublicIpOnLaunch: false, tags: tags("network", { Name: `${clusterName}-public-${zone}`, "kubernetes.io/role/elb": "1" }) },
            opts,
        );
        new aws.ec2.RouteTableAssociation(`${name}-public-${zone}`, { subnetId: publicSubnet.id, routeTableId: publicRoutes.id }, opts);
        publicSubnets.set(zone, publicSubnet.id);
        // One NAT gateway per zone, so a zone's outage leaves the others' egress up; its address comes
        // from the global stack (peers' allowlists name it), never from here.
        const nat = new aws.ec2.NatGateway(
            `${name}-nat-${zone}`,
            { subnetId: publicSubnet.id, allocationId: args.egress[i]!.ref, connectivityType: "public", tags: tags("nat", { Name: `${clusterName}-${zone}` }) },
            { ...opts, dependsOn: [igw] },
        );
        const privateSubnet = new aws.ec2.Subnet(
            `${name}-private-${zone}`,
            { vpcId: vpc.id, cidrBlock: plan.private[i]!, availabilityZone: zone, mapPublicIpOnLaunch: false, tags: tags("network", { Name: `${clusterName}-private-${zone}`, "kubernetes.io/role/internal-elb": "1" }) },
            opts,
        );
        const privateRoutes = new aws.ec2.RouteTable(`${name}-private-${zone}`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }], tags: tags("network", { Name: `${clusterName}-private-${zone}` }) }, opts);
        egressRoutes.push(new aws.ec2.RouteTableAssociation(`${name}-private-${zone}`, { subnetId: privateSubnet.id, routeTableId: privateRoutes.id }, opts));
        privateSubnetIds.push(privateSubnet.id);
    });

    // --- Keys: one for Kubernetes secrets, one for volumes, so either can be revoked or audited alone.
    // `region` is the provider's own; stated so ARNs and endpoints carry it in the offline plan too.
    const key = (role: string, description: string): aws.kms.Key =>
        new aws.kms.Key(`${name}-${role}-key`, { description, enableKeyRotation: true, deletionWindowInDays: 30, region: awsRegion, tags: tags("encryption") }, { ...opts, protect: true });
    const secretsKey = key("secrets", `${clusterName}: EKS secrets encryption`);
    const volumesKey = key("volumes", `${clusterName}: EBS volumes of ledger nodes`);

    // --- IAM: AWS managed policies only, the ones EKS documents for each role.
    const clusterRole = new aws.iam.Role(`${name}-cluster-role`, { assumeRolePolicy: trustService("eks.amazonaws.com"), tags: tags("identity") }, opts);
    const clusterPolicy = new aws.iam.RolePolicyAttachment(`${name}-cluster-policy`, { role: clusterRole.name, policyArn: managedPolicy("AmazonEKSClusterPolicy") }, opts);
    const nodeRole = new aws.iam.Role(`${name}-node-role`, { assumeRolePolicy: trustService("ec2.amazonaws.com"), tags: tags("identity") }, opts);
    // The CNI policy stays on the node role (AWS suggests an IRSA role for aws-node): aws-node runs
    // on the host network, and IMDSv2 with hop limit 1 (launch template below) keeps every other pod
    // away from the node's credentials, so moving it buys little for one more role and trust policy.
    const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"].map(
        (policy) => new aws.iam.RolePolicyAttachment(`${name}-node-${policy}`, { role: nodeRole.name, policyArn: managedPolicy(policy) }, opts),
    );

    // EKS would create this group itself, untagged and kept forever; made first, it is ours.
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-control-plane-logs`, { name: `/aws/eks/${clusterName}/cluster`, retentionInDays: LOG_RETENTION_DAYS, tags: tags("logging") }, opts);

    const allowList = [...args.apiAllowList];
    const eks = new aws.eks.Cluster(
        `${name}-cluster`,
        {
            name: clusterName,
            region: awsRegion,
            version: args.region.kubernetesVersion ?? AWS_CATALOG.defaults.kubernetesVersion,
            roleArn: clusterRole.arn,
            vpcConfig: {
                subnetIds: privateSubnetIds,
                endpointPrivateAccess: true,
                // Public endpoint only for the allow-list; EKS would default the list to 0.0.0.0/0.
                endpointPublicAccess: allowList.length > 0,
                publicAccessCidrs: allowList.length > 0 ? allowList : undefined,
            },
            encryptionConfig: { resources: ["secrets"], provider: { keyArn: secretsKey.arn } },
            enabledClusterLogTypes: [...CONTROL_PLANE_LOGS],
            // Access entries only (no aws-auth ConfigMap). The identity that runs `pulumi up` becomes
            // cluster admin at creation: the region's Kubernetes provider authenticates as that same
            // identity (`aws eks get-token` with the same credentials) to apply the ledger's objects.
            // An explicit access entry would need the caller's ARN, an invoke. Nodes of managed node
            // groups get their access entries from EKS.
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
            tags: tags("cluster"),
        },
        { ...opts, dependsOn: [clusterPolicy, logGroup] },
    );
    const issuer = eks.identities.apply((ids) => requireDefined(ids[0]?.oidcs?.[0]?.issuer, "OIDC issuer"));
    const caData = eks.certificateAuthority.apply((ca) => requireDefined(ca.data, "certificate authority"));

    // --- IRSA for the EBS CSI controller: its service account alone may assume the role.
    // No thumbprint: IAM verifies EKS issuers against its own trusted CAs (thumbprintLists is optional).
    const oidc = new aws.iam.OpenIdConnectProvider(`${name}-oidc`, { url: issuer, clientIdLists: ["sts.amazonaws.com"], tags: tags("identity") }, opts);
    const issuerHost = issuer.apply((url) => url.replace(/^https:\/\//, ""));
    const ebsCsiRole = new aws.iam.Role(
        `${name}-ebs-csi-role`,
        {
            assumeRolePolicy: pulumi.all([oidc.arn, issuerHost]).apply(([arn, host]) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { Federated: arn },
                            Action: "sts:AssumeRoleWithWebIdentity",
                            Condition: { StringEquals: { [`${host}:sub`]: "system:serviceaccount:kube-system:ebs-csi-controller-sa", [`${host}:aud`]: "sts.amazonaws.com" } },
                        },
                    ],
                }),
            ),
            tags: tags("identity"),
        },
        opts,
    );
    const ebsCsiPolicy = new aws.iam.RolePolicyAttachment(`${name}-ebs-csi-policy`, { role: ebsCsiRole.name, policyArn: managedPolicy("service-role/AmazonEBSCSIDriverPolicy") }, opts);
    // The managed policy covers AWS-managed keys only; the volumes' customer key needs these (EBS CSI driver docs).
    const ebsCsiKeyPolicy = new aws.iam.RolePolicy(
        `${name}-ebs-csi-kms`,
        {
            role: ebsCsiRole.name,
            policy: volumesKey.arn.apply((arn) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Effect: "Allow", Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], Resource: [arn], Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } } },
                        { Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: [arn] },
                    ],
                }),
            ),
        },
        opts,
    );

    // The VPC CNI as a managed add-on, to switch on its NetworkPolicy agent: without it EKS ignores
    // the ledger's NetworkPolicies.
    const vpcCni = new aws.eks.Addon(
        `${name}-vpc-cni`,
        { clusterName: eks.name, addonName: "vpc-cni", resolveConflictsOnCreate: "OVERWRITE", resolveConflictsOnUpdate: "OVERWRITE", configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }), tags: tags("cluster") },
        opts,
    );

    const launchTemplate = (poolName: "system" | "ledger"): aws.ec2.LaunchTemplate =>
        // Launch template: IMDSv2 only, hop limit 1 (pods cannot reach the node's role), encrypted root
        // volume. The AWS-managed EBS key, not ours: a customer key would need a grant for the Auto
        // Scaling service-linked role in its key policy. No security groups or interfaces: EKS gives
        // the nodes the cluster security group, and the private subnets no public addresses.
        new aws.ec2.LaunchTemplate(
            `${name}-${poolName}-nodes`,
            {
                description: `${clusterName} ${poolName} nodes`,
                updateDefaultVersion: true,
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
                blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 50, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }],
                tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({ resourceType, tags: tags("pool", { Name: `${clusterName}-${poolName}` }) })),
                tags: tags("pool"),
            },
            opts,
        );
    const nodeGroup = (groupName: string, poolName: "system" | "ledger", template: aws.ec2.LaunchTemplate, machine: string, size: Omit<PoolSize, "machine" | "perZone">, subnetIds: pulumi.Input<string>[], after: pulumi.Resource[] = []): aws.eks.NodeGroup =>
        new aws.eks.NodeGroup(
            groupName,
            {
                clusterName: eks.name,
                nodeRoleArn: nodeRole.arn,
                subnetIds,
                instanceTypes: [machine],
                amiType: amiTypeFor(machine),
                capacityType: "ON_DEMAND",
                scalingConfig: { minSize: size.min, maxSize: size.max, desiredSize: size.desired },
                // One machine at a time in a group, and one group at a time (`after`): a rolling update
                // never takes out two validators at once.
                updateConfig: { maxUnavailable: 1 },
                labels: { [POOL_LABEL]: poolName },
                taints: poolName === "ledger" ? [{ key: POOL_LABEL, value: "ledger", effect: "NO_SCHEDULE" }] : [],
                launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
                tags: tags("pool"),
            },
            // Nodes need their policies, the CNI add-on and a route out (image pulls) before they join.
            { ...opts, dependsOn: [...nodePolicies, vpcCni, ...egressRoutes, ...after] },
        );
    const { system, ledger } = args.pools;
    const systemPool = nodeGroup(`${name}-system`, "system", launchTemplate("system"), system.machine, system, privateSubnetIds);
    // The ledger pool: one group per zone, sized per zone. A ledger pod and its EBS volume are pinned
    // to a zone; a zonal group replaces a lost machine in that zone, where a group over all zones may
    // start it elsewhere or stop it to rebalance.
    const ledgerTemplate = launchTemplate("ledger");
    const ledgerPools: aws.eks.NodeGroup[] = [];
    zones.forEach((zone, i) => {
        ledgerPools.push(nodeGroup(`${name}-ledger-${zone}`, "ledger", ledgerTemplate, ledger.machine, ledger.perZone, [privateSubnetIds[i]!], ledgerPools.slice(-1)));
    });

    // The EBS CSI node plugin must run on the tainted ledger nodes too; its controller stays on `system`.
    const ebsCsi = new aws.eks.Addon(
        `${name}-ebs-csi`,
        {
            clusterName: eks.name,
            addonName: "aws-ebs-csi-driver",
            serviceAccountRoleArn: ebsCsiRole.arn,
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "OVERWRITE",
            configurationValues: JSON.stringify({ node: { tolerateAllTaints: true } }),
            tags: tags("storage"),
        },
        // With no machine to run on, the add-on would wait out its creation timeout as DEGRADED.
        { ...opts, dependsOn: [systemPool, ebsCsiPolicy, ebsCsiKeyPolicy] },
    );

    const kubeconfig = execKubeconfig({
        cluster: clusterName,
        server: eks.endpoint,
        caData,
        command: "aws",
        commandArgs: ["eks", "get-token", "--cluster-name", eks.name, "--region", awsRegion, "--output", "json"],
    });
    const k8sProvider = clusterProvider(`${name}-k8s`, kubeconfig, parent, [eks]);

    const volumeTags = cloudTags(network, regionId, "storage");
    const storageClass = new k8s.storage.v1.StorageClass(
        `${name}-${STORAGE_CLASS}`,
        {
            metadata: { name: STORAGE_CLASS },
            provisioner: "ebs.csi.aws.com",
            parameters: {
                type: "gp3",
                encrypted: "true",
                kmsKeyId: volumesKey.arn,
                "csi.storage.k8s.io/fstype": "ext4",
                // The driver tags each volume it creates with these (tagSpecification_<n>: "key=value").
                ...Object.fromEntries(Object.entries(volumeTags).map(([k, v], i) => [`tagSpecification_${i + 1}`, `${k}=${v}`])),
            },
            // A ledger's chain data outlives its PersistentVolumeClaim.
            reclaimPolicy: "Retain",
            // The volume is made in the zone the pod lands in (EBS volumes are zonal).
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
        },
        // Waiting on the ledger pool too: the chart's pods then find machines to run on.
        { provider: k8sProvider, parent, dependsOn: [ebsCsi, ...ledgerPools] },
    );

    const lbTags = cloudTags(network, regionId, "network");
    return {
        provider: k8sProvider,
        storageClass: STORAGE_CLASS,
        ledgerNodeSelector: { [POOL_LABEL]: "ledger" },
        // The VPC CNI gives pods addresses from the nodes' (private) subnets.
        podCidrs: plan.private,
        zones: [...zones],
        p2pService: (address, zone) => p2pServiceRequest(address, zone, publicSubnets, lbTags),
        dependsOn: [storageClass],
        clusterName: eks.name,
    };
}

export const awsAdapter: CloudAdapter<AwsRegionConfig> = {
    cloud: "aws",
    /** An explicit provider per region; default tags as a backstop, every resource also tags itself. */
    provider(name, { network, regionId, region, parent }) {
        return new aws.Provider(name, { region: region.region, defaultTags: { tags: cloudTags(network, regionId, "cluster") } }, { parent });
    },
    /** An Elastic IP: allocation id to bind it (NLB subnet mapping, NAT gateway), protected from deletion. */
    reserveAddress(name, args) {
        const role = args.purpose === "p2p" ? "p2p-address" : "egress-address";
        const eip = new aws.ec2.Eip(name, { domain: "vpc", tags: { ...cloudTags(args.network, args.regionId, role, args.node), Name: name } }, { provider: args.provider, parent: args.parent, protect: true });
        return { ip: eip.publicIp, ref: eip.allocationId };
    },
    /** One NAT gateway, hence one egress address, per zone: the zones given, else the catalog's first three. */
    egressCount(region) {
        return region.zones?.length ?? Math.min(3, AWS_CATALOG.regions[region.region]?.length ?? 3);
    },
    cluster,
};

export const awsDns: DnsAdapter = {
    /** A Route 53 public hosted zone (protected: its name servers are delegated to) and its A records. */
    zone(name, args) {
        const opts = { provider: args.provider, parent: args.parent };
        const zone = new aws.route53.Zone(
            name,
            { name: args.domain, comment: `ledgerfleet network ${args.network}`, forceDestroy: false, tags: cloudTags(args.network, args.regionId, "dns") },
            { ...opts, protect: true },
        );
        for (const record of args.records) {
            // Route 53 records take no tags.
            new aws.route53.Record(`${name}-${record.key}`, { zoneId: zone.zoneId, name: `${record.relativeName}.${args.domain}`, type: "A", ttl: 300, records: [record.ip] }, opts);
        }
        return { nameServers: zone.nameServers };
    },
};
