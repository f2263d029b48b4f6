// AWS policies: what a security reviewer checks in the EKS regions the AWS adapter builds
// (components/clouds/aws.ts): secrets under a customer key, a private or allow-listed API endpoint,
// control-plane audit logs, encrypted node and ledger volumes, rotating KMS keys, nodes in private
// subnets only, and nothing but P2P open to the internet. Type tokens are compared as strings: this
// file must not load @pulumi/aws (the offline plan of an on-premises network never does).
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { LedgerfleetPolicy } from "./harness";
import { asObject } from "./kube";
import { isSet, isTrue, isWorldCidr, MAX_ROTATION_SCHEMA, type Obj, objectsOf, P2P_PORT_SCHEMA, storageClassPolicy, stringsOf } from "./cloud";

const EKS_CLUSTER = "aws:eks/cluster:Cluster";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const KMS_KEY = "aws:kms/key:Key";
const SUBNET = "aws:ec2/subnet:Subnet";
const ROUTE_TABLE = "aws:ec2/routeTable:RouteTable";
const DEFAULT_ROUTE_TABLE = "aws:ec2/defaultRouteTable:DefaultRouteTable";
const ROUTE = "aws:ec2/route:Route";
const ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation";
const MAIN_ROUTE_TABLE_ASSOCIATION = "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation";
const INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway";
const VPC = "aws:ec2/vpc:Vpc";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";
const SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

export const awsEksSecretsEncryption: ResourceValidationPolicy = {
    name: "aws-eks-secrets-encryption",
    description: "EKS clusters encrypt Kubernetes Secrets with a customer-managed KMS key (encryptionConfig.resources includes \"secrets\", provider.keyArn set).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== EKS_CLUSTER) return;
        // A single block in provider v7, a list before it.
        const raw = args.props["encryptionConfig"];
        const config = Array.isArray(raw) ? objectsOf(raw).find((c) => stringsOf(c["resources"]).includes("secrets")) : asObject(raw);
        if (config === undefined || !stringsOf(config["resources"]).includes("secrets")) {
            report(`EKS cluster ${args.name}: encryptionConfig does not cover "secrets", so Secrets (the ledger's node keys among them) sit in etcd under AWS's key only; set encryptionConfig { resources: ["secrets"], provider: { keyArn: <customer-managed KMS key> } }.`);
            return;
        }
        const keyArn = asObject(config["provider"])?.["keyArn"];
        if (!isSet(keyArn)) {
            report(`EKS cluster ${args.name}: encryptionConfig.provider.keyArn is not set; name a customer-managed KMS key.`);
        } else if (/:alias\/aws\/|^alias\/aws\//.test(keyArn)) {
            report(`EKS cluster ${args.name}: encryptionConfig.provider.keyArn ${keyArn} is an AWS-managed key; name a customer-managed KMS key you can rotate, audit and revoke.`);
        }
    },
};

export const awsEksEndpointAccess: ResourceValidationPolicy = {
    name: "aws-eks-endpoint-access",
    description: "EKS API endpoints are private, or public only to an allow-list (vpcConfig.publicAccessCidrs) that does not include 0.0.0.0/0 or ::/0.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== EKS_CLUSTER) return;
        const vpcConfig = asObject(args.props["vpcConfig"]) ?? {};
        // EKS defaults: public endpoint on, open to 0.0.0.0/0.
        if (vpcConfig["endpointPublicAccess"] === false) return;
        const cidrs = stringsOf(vpcConfig["publicAccessCidrs"]);
        if (cidrs.length === 0) {
            report(`EKS cluster ${args.name}: the public API endpoint is on (vpcConfig.endpointPublicAccess ${vpcConfig["endpointPublicAccess"] === undefined ? "defaults to true" : "is true"}) with no vpcConfig.publicAccessCidrs, which EKS reads as 0.0.0.0/0; set endpointPublicAccess: false, or list the operators' CIDRs.`);
            return;
        }
        const world = cidrs.filter(isWorldCidr);
        if (world.length > 0) {
            report(`EKS cluster ${args.name}: vpcConfig.publicAccessCidrs includes ${world.join(", ")}, the whole internet; list the operators' CIDRs only, or make the endpoint private.`);
        }
    },
};

export const awsEksControlPlaneLogs: ResourceValidationPolicy = {
    name: "aws-eks-control-plane-logs",
    description: "EKS clusters send the api, audit and authenticator control-plane logs to CloudWatch (enabledClusterLogTypes).",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: { requiredLogTypes: { type: "array", items: { type: "string" }, default: ["api", "audit", "authenticator"], description: "Control-plane log types every EKS cluster must enable." } },
    },
    validateResource: (args, report) => {
        if (args.type !== EKS_CLUSTER) return;
        const { requiredLogTypes } = args.getConfig<{ requiredLogTypes: string[] }>();
        const enabled = stringsOf(args.props["enabledClusterLogTypes"]);
        const missing = requiredLogTypes.filter((t) => !enabled.includes(t));
        if (missing.length > 0) {
            report(`EKS cluster ${args.name}: enabledClusterLogTypes lacks ${missing.join(", ")} (has ${enabled.length === 0 ? "none" : enabled.join(", ")}); without them nobody can tell who did what to the cluster. Add them.`);
        }
    },
};

export const awsNodeVolumeEncryption: ResourceValidationPolicy = {
    name: "aws-node-volume-encryption",
    description: "Launch templates declare their EBS block devices encrypted, and EKS node groups use a launch template (EKS's default one leaves root volumes unencrypted unless the account encrypts EBS by default).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type === NODE_GROUP) {
            if (asObject(args.props["launchTemplate"]) === undefined) {
                report(`EKS node group ${args.name} has no launchTemplate: EKS's default template leaves the nodes' root volumes unencrypted unless the account encrypts EBS by default; give it a launch template whose block devices set ebs.encrypted "true".`);
            }
            return;
        }
        if (args.type !== LAUNCH_TEMPLATE) return;
        const mappings = objectsOf(args.props["blockDeviceMappings"]);
        const ebsMappings = mappings.filter((m) => asObject(m["ebs"]) !== undefined);
        if (ebsMappings.length === 0) {
            report(`launch template ${args.name} declares no EBS block device, so the root volume takes the AMI's unencrypted mapping; declare the root device (e.g. /dev/xvda) with ebs.encrypted "true".`);
            return;
        }
        for (const m of ebsMappings) {
            const encrypted = asObject(m["ebs"])?.["encrypted"];
            if (!isTrue(encrypted)) {
                report(`launch template ${args.name}: blockDeviceMappings ${String(m["deviceName"] ?? "?")} has ebs.encrypted ${encrypted === undefined ? "unset" : JSON.stringify(encrypted)}; set it to "true".`);
            }
        }
    },
};

export const awsStorageClassEncryption = storageClassPolicy({
    name: "aws-storage-class-encryption",
    description: "StorageClasses of the EBS CSI driver (ebs.csi.aws.com) create encrypted volumes (parameters.encrypted \"true\").",
    provisioners: ["ebs.csi.aws.com"],
    problem: (parameters) =>
        parameters["encrypted"] === "true"
            ? undefined
            : `parameters.encrypted is ${parameters["encrypted"] === undefined ? "unset" : JSON.stringify(parameters["encrypted"])}, so the driver creates unencrypted EBS volumes for the ledger's chain data; set it to "true" (and kmsKeyId to the volumes' key).`,
});

export const awsKmsKeyRotation: ResourceValidationPolicy = {
    name: "aws-kms-key-rotation",
    description: "Symmetric KMS keys have automatic rotation on (enableKeyRotation), at most every maxRotationDays (365) days.",
    enforcementLevel: "mandatory",
    configSchema: MAX_ROTATION_SCHEMA,
    validateResource: (args, report) => {
        if (args.type !== KMS_KEY) return;
        const spec = args.props["customerMasterKeySpec"] ?? args.props["keySpec"] ?? "SYMMETRIC_DEFAULT";
        const usage = args.props["keyUsage"] ?? "ENCRYPT_DECRYPT";
        // AWS rotates only symmetric encryption keys in its own key store; the others cannot be rotated automatically.
        if (spec !== "SYMMETRIC_DEFAULT" || usage !== "ENCRYPT_DECRYPT" || isSet(args.props["customKeyStoreId"])) {
            args.notApplicable("KMS rotates only symmetric encryption keys held in its own key store");
        }
        if (args.props["enableKeyRotation"] !== true) {
            report(`KMS key ${args.name}: enableKeyRotation is ${args.props["enableKeyRotation"] === undefined ? "unset (off)" : String(args.props["enableKeyRotation"])}; set it to true.`);
            return;
        }
        const { maxRotationDays } = args.getConfig<{ maxRotationDays: number }>();
        const period = args.props["rotationPeriodInDays"];
        if (typeof period === "number" && period > maxRotationDays) {
            report(`KMS key ${args.name}: rotationPeriodInDays is ${period}, longer than ${maxRotationDays}; shorten it.`);
        }
    },
};

/** The resources a property of `r` refers to: the engine's per-property dependencies, else all of them. */
function referencedBy(r: PolicyResource, property: string): PolicyResource[] {
    const exact = r.propertyDependencies?.[property];
    return exact !== undefined && exact.length > 0 ? exact : r.dependencies;
}

/** A route's gatewayId points at an internet gateway: a literal igw- id, or an InternetGateway of the stack. */
function isInternetRoute(gatewayId: unknown, referenced: readonly PolicyResource[]): boolean {
    if (!isSet(gatewayId) || gatewayId === "local" || gatewayId.startsWith("vgw-")) return false;
    return gatewayId.startsWith("igw-") || referenced.some((d) => d.type === INTERNET_GATEWAY);
}

export const awsEksNodesPrivateSubnets: StackValidationPolicy = {
    name: "aws-eks-nodes-private-subnets",
    description: "EKS node groups run in subnets of this stack that neither map public IPs on launch nor route to an internet gateway, from launch templates that give no public IP.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const of = (type: string) => args.resources.filter((r) => r.type === type);
        const only = (rs: readonly PolicyResource[], ...types: string[]) => rs.filter((r) => types.includes(r.type));

        // Route tables with a route to an internet gateway, inline or as separate Route resources.
        const internetTables = new Set<string>();
        for (const table of [...of(ROUTE_TABLE), ...of(DEFAULT_ROUTE_TABLE)]) {
            if (objectsOf(table.props["routes"]).some((route) => isInternetRoute(route["gatewayId"], referencedBy(table, "routes")))) internetTables.add(table.urn);
        }
        for (const route of of(ROUTE)) {
            if (!isInternetRoute(route.props["gatewayId"], referencedBy(route, "gatewayId"))) continue;
            for (const table of only(referencedBy(route, "routeTableId"), ROUTE_TABLE, DEFAULT_ROUTE_TABLE)) internetTables.add(table.urn);
        }
        // A subnet's table: its explicit association, else its VPC's main table.
        const tableOfSubnet = new Map<string, PolicyResource>();
        for (const assoc of of(ROUTE_TABLE_ASSOCIATION)) {
            const table = only(referencedBy(assoc, "routeTableId"), ROUTE_TABLE, DEFAULT_ROUTE_TABLE)[0];
            for (const subnet of only(referencedBy(assoc, "subnetId"), SUBNET)) if (table !== undefined) tableOfSubnet.set(subnet.urn, table);
        }
        const mainTableOfVpc = new Map<string, PolicyResource>();
        for (const table of of(DEFAULT_ROUTE_TABLE)) for (const vpc of only(referencedBy(table, "defaultRouteTableId"), VPC)) mainTableOfVpc.set(vpc.urn, table);
        for (const assoc of of(MAIN_ROUTE_TABLE_ASSOCIATION)) {
            const table = only(referencedBy(assoc, "routeTableId"), ROUTE_TABLE)[0];
            for (const vpc of only(referencedBy(assoc, "vpcId"), VPC)) if (table !== undefined) mainTableOfVpc.set(vpc.urn, table);
        }
        const routeTableOf = (subnet: PolicyResource): PolicyResource | undefined =>
            tableOfSubnet.get(subnet.urn) ?? only(referencedBy(subnet, "vpcId"), VPC).map((vpc) => mainTableOfVpc.get(vpc.urn)).find((t) => t !== undefined);

        for (const group of of(NODE_GROUP)) {
            const where = `EKS node group ${group.name}`;
            const subnets = only(referencedBy(group, "subnetIds"), SUBNET);
            const declared = stringsOf(group.props["subnetIds"]).length;
            if (subnets.length < declared) {
                report(`${where}: ${declared - subnets.length} of its ${declared} subnetIds are not subnets of this stack, so nothing shows they are private; use the stack's private subnets.`, group.urn);
            }
            for (const subnet of subnets) {
                if (isTrue(subnet.props["mapPublicIpOnLaunch"])) {
                    report(`${where}: subnet ${subnet.name} has mapPublicIpOnLaunch true, so every node in it gets a public IP; use private subnets (mapPublicIpOnLaunch false) for nodes.`, group.urn);
                }
                const table = routeTableOf(subnet);
                if (table !== undefined && internetTables.has(table.urn)) {
                    report(`${where}: subnet ${subnet.name} routes to an internet gateway (route table ${table.name}), a public subnet; put nodes in private subnets whose default route is a NAT gateway.`, group.urn);
                }
            }
            for (const template of only(referencedBy(group, "launchTemplate"), LAUNCH_TEMPLATE)) {
                const publicNic = objectsOf(template.props["networkInterfaces"]).find((ni) => isTrue(ni["associatePublicIpAddress"]));
                if (publicNic !== undefined) {
                    report(`${where}: launch template ${template.name} sets networkInterfaces associatePublicIpAddress "true"; nodes must have private addresses only: remove it.`, group.urn);
                }
            }
        }
    },
};

interface IngressRule {
    where: string;
    protocol: string;
    fromPort: number;
    toPort: number;
    world: string[];
}

/** The world-open ingress rules of an AWS firewall resource, in one shape. */
function awsIngressRules(type: string, name: string, props: Obj): IngressRule[] {
    const rule = (where: string, r: Obj, protocolKey: string, cidrs: unknown[]): IngressRule => ({
        where,
        protocol: String(r[protocolKey] ?? "").toLowerCase(),
        fromPort: Number(r["fromPort"]),
        toPort: Number(r["toPort"]),
        world: cidrs.filter(isWorldCidr).map(String),
    });
    switch (type) {
        case SECURITY_GROUP:
        case DEFAULT_SECURITY_GROUP:
            return objectsOf(props["ingress"]).map((r, i) => rule(`security group ${name} ingress[${i}]`, r, "protocol", [...stringsOf(r["cidrBlocks"]), ...stringsOf(r["ipv6CidrBlocks"])]));
        case SECURITY_GROUP_RULE:
            return props["type"] === "ingress" ? [rule(`security group rule ${name}`, props, "protocol", [...stringsOf(props["cidrBlocks"]), ...stringsOf(props["ipv6CidrBlocks"])])] : [];
        case INGRESS_RULE:
            return [rule(`security group ingress rule ${name}`, props, "ipProtocol", [props["cidrIpv4"], props["cidrIpv6"]])];
        default:
            return [];
    }
}

export const awsSecurityGroupWorldIngress: ResourceValidationPolicy = {
    name: "aws-security-group-world-ingress",
    description: "Security groups and their rules open nothing to 0.0.0.0/0 or ::/0 except TCP on the P2P port (30303).",
    enforcementLevel: "mandatory",
    configSchema: P2P_PORT_SCHEMA,
    validateResource: (args, report) => {
        const { p2pPort } = args.getConfig<{ p2pPort: number }>();
        for (const r of awsIngressRules(args.type, args.name, args.props)) {
            if (r.world.length === 0) continue;
            const p2pOnly = (r.protocol === "tcp" || r.protocol === "6") && r.fromPort === p2pPort && r.toPort === p2pPort;
            if (!p2pOnly) {
                const ports = r.protocol === "-1" || r.protocol === "all" ? "all traffic" : `${r.protocol || "?"} ${r.fromPort}-${r.toPort}`;
                report(`${r.where} opens ${ports} to ${r.world.join(", ")}; only TCP ${p2pPort} (P2P) may be open to the internet: narrow the sources or the ports.`);
            }
        }
    },
};

export const AWS_POLICIES: LedgerfleetPolicy[] = [
    awsEksSecretsEncryption,
    awsEksEndpointAccess,
    awsEksControlPlaneLogs,
    awsNodeVolumeEncryption,
    awsStorageClassEncryption,
    awsKmsKeyRotation,
    awsEksNodesPrivateSubnets,
    awsSecurityGroupWorldIngress,
];
