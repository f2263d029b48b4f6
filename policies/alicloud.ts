// Alibaba Cloud policies: what a security reviewer checks in the ACK regions the Alibaba Cloud adapter
// builds (components/clouds/alicloud.ts): Secrets under a KMS key, an API server reachable from the
// VPC only, audit and API server logs, encrypted node disks and volumes, rotating keys, nodes without
// public addresses, and security group rules that open nothing but P2P to the internet. Type tokens
// are compared as strings: no @pulumi/alicloud here.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isSet, isTrue, isWorldCidr, MAX_ROTATION_SCHEMA, objectsOf, P2P_PORT_SCHEMA, storageClassPolicy, stringsOf } from "./cloud";
import type { LedgerfleetPolicy } from "./harness";
import { asObject } from "./kube";

/** ACK Pro/managed and dedicated clusters: the same fields for what these policies check. */
const ACK_CLUSTERS = ["alicloud:cs/managedKubernetes:ManagedKubernetes", "alicloud:cs/kubernetes:Kubernetes"];
const NODE_POOL = "alicloud:cs/nodePool:NodePool";
const KMS_KEY = "alicloud:kms/key:Key";
const SECURITY_GROUP_RULE = "alicloud:ecs/securityGroupRule:SecurityGroupRule";

export const alicloudAckSecretsEncryption: ResourceValidationPolicy = {
    name: "alicloud-ack-secrets-encryption",
    description: "ACK clusters encrypt Kubernetes Secrets with a KMS key (encryptionProviderKey set, disableEncryption not true).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!ACK_CLUSTERS.includes(args.type)) return;
        if (args.props["disableEncryption"] === true) {
            report(`ACK cluster ${args.name}: disableEncryption is true, so Secrets (the ledger's node keys among them) are stored unencrypted in etcd; set it to false with encryptionProviderKey.`);
        } else if (!isSet(args.props["encryptionProviderKey"])) {
            report(`ACK cluster ${args.name}: encryptionProviderKey is unset, so Secrets (the ledger's node keys among them) are not encrypted with a KMS key; set it to the region's KMS key (and disableEncryption: false).`);
        }
    },
};

export const alicloudAckEndpointAccess: ResourceValidationPolicy = {
    name: "alicloud-ack-endpoint-access",
    description: "ACK API servers are reachable from the VPC only (slbInternetEnabled false; ACK's default creates an Internet-facing load balancer with no allow-list).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!ACK_CLUSTERS.includes(args.type)) return;
        const internet = args.props["slbInternetEnabled"];
        if (internet !== false) {
            report(`ACK cluster ${args.name}: slbInternetEnabled is ${internet === undefined ? "unset (ACK defaults to true)" : JSON.stringify(internet)}, which puts the API server on an Internet-facing load balancer the cluster resource gives no allow-list for; set it to false and reach the API from the VPC (VPN, bastion).`);
        }
    },
};

export const alicloudAckControlPlaneLogs: ResourceValidationPolicy = {
    name: "alicloud-ack-control-plane-logs",
    description: "ACK clusters keep API server audit logs (auditLogConfig.enabled) and collect the apiserver control-plane logs (controlPlaneLogComponents).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!ACK_CLUSTERS.includes(args.type)) return;
        const audit = asObject(args.props["auditLogConfig"])?.["enabled"];
        if (audit !== true) {
            report(`ACK cluster ${args.name}: auditLogConfig.enabled is ${audit === undefined ? "unset" : JSON.stringify(audit)}, so no audit log records who did what to the cluster; set auditLogConfig { enabled: true }.`);
        }
        const components = stringsOf(args.props["controlPlaneLogComponents"]);
        if (!components.includes("apiserver")) {
            report(`ACK cluster ${args.name}: controlPlaneLogComponents lacks apiserver (has ${components.length === 0 ? "none" : components.join(", ")}); add it.`);
        }
    },
};

export const alicloudNodeDiskEncryption: ResourceValidationPolicy = {
    name: "alicloud-node-disk-encryption",
    description: "ACK node pools encrypt their system disk (systemDiskEncrypted) and every data disk (dataDisks[].encrypted \"true\").",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== NODE_POOL) return;
        if (args.props["systemDiskEncrypted"] !== true) {
            report(`ACK node pool ${args.name}: systemDiskEncrypted is ${args.props["systemDiskEncrypted"] === undefined ? "unset (off)" : JSON.stringify(args.props["systemDiskEncrypted"])}; set it to true (with systemDiskKmsKey).`);
        }
        objectsOf(args.props["dataDisks"]).forEach((disk, i) => {
            if (!isTrue(disk["encrypted"])) {
                report(`ACK node pool ${args.name}: dataDisks[${i}].encrypted is ${disk["encrypted"] === undefined ? "unset (off)" : JSON.stringify(disk["encrypted"])}; set it to "true" (with kmsKeyId).`);
            }
        });
    },
};

export const alicloudStorageClassEncryption = storageClassPolicy({
    name: "alicloud-storage-class-encryption",
    description: "StorageClasses of the Alibaba Cloud disk CSI driver (diskplugin.csi.alibabacloud.com) create encrypted disks (parameters.encrypted \"true\").",
    provisioners: ["diskplugin.csi.alibabacloud.com"],
    problem: (parameters) =>
        parameters["encrypted"] === "true"
            ? undefined
            : `parameters.encrypted is ${parameters["encrypted"] === undefined ? "unset" : JSON.stringify(parameters["encrypted"])}, so the driver creates unencrypted disks for the ledger's chain data; set it to "true" (and kmsKeyId to the region's key).`,
});

/** Days of a KMS rotation interval ("365d", "8760h", "31536000s"); undefined if not one. */
function intervalDays(value: unknown): number | undefined {
    const m = typeof value === "string" ? /^(\d+)([dhms])$/.exec(value.trim()) : null;
    if (m === null) return undefined;
    const perDay = { d: 1, h: 24, m: 1440, s: 86400 }[m[2] as "d" | "h" | "m" | "s"];
    return Number(m[1]) / perDay;
}

export const alicloudKmsKeyRotation: ResourceValidationPolicy = {
    name: "alicloud-kms-key-rotation",
    description: "Symmetric KMS keys have automatic rotation on (automaticRotation Enabled), with a rotationInterval of at most maxRotationDays (365) days.",
    enforcementLevel: "mandatory",
    configSchema: MAX_ROTATION_SCHEMA,
    validateResource: (args, report) => {
        if (args.type !== KMS_KEY) return;
        // KMS rotates only symmetric keys automatically.
        const spec = args.props["keySpec"] ?? "Aliyun_AES_256";
        if (typeof spec !== "string" || !spec.startsWith("Aliyun_")) args.notApplicable("KMS rotates only symmetric (Aliyun_AES_256, Aliyun_SM4) keys automatically");
        if (args.props["automaticRotation"] !== "Enabled") {
            report(`KMS key ${args.name}: automaticRotation is ${args.props["automaticRotation"] === undefined ? "unset (Disabled)" : JSON.stringify(args.props["automaticRotation"])}; set it to "Enabled" with a rotationInterval.`);
            return;
        }
        const { maxRotationDays } = args.getConfig<{ maxRotationDays: number }>();
        const interval = args.props["rotationInterval"];
        const days = intervalDays(interval);
        if (days === undefined) {
            report(`KMS key ${args.name}: rotationInterval is ${interval === undefined ? "unset" : JSON.stringify(interval)}; set it to at most "${maxRotationDays}d".`);
        } else if (days > maxRotationDays) {
            report(`KMS key ${args.name}: rotationInterval ${String(interval)} is longer than ${maxRotationDays} days; shorten it.`);
        }
    },
};

export const alicloudAckNodesNoPublicIp: ResourceValidationPolicy = {
    name: "alicloud-ack-nodes-no-public-ip",
    description: "ACK node pools give their nodes no public address (no internetMaxBandwidthOut above 0, no EIP bound through scalingConfig.isBondEip).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== NODE_POOL) return;
        const bandwidth = Number(args.props["internetMaxBandwidthOut"] ?? 0);
        if (bandwidth > 0) {
            report(`ACK node pool ${args.name}: internetMaxBandwidthOut is ${bandwidth}, which gives every node a public IP; remove it (and internetChargeType): nodes leave through the NAT gateway.`);
        }
        if (asObject(args.props["scalingConfig"])?.["isBondEip"] === true) {
            report(`ACK node pool ${args.name}: scalingConfig.isBondEip is true, which binds an EIP to every node; remove it: nodes leave through the NAT gateway.`);
        }
    },
};

export const alicloudSecurityGroupWorldIngress: ResourceValidationPolicy = {
    name: "alicloud-security-group-world-ingress",
    description: "Accepting ingress security group rules from 0.0.0.0/0 or ::/0 open only TCP on the P2P port (portRange 30303/30303).",
    enforcementLevel: "mandatory",
    configSchema: P2P_PORT_SCHEMA,
    validateResource: (args, report) => {
        if (args.type !== SECURITY_GROUP_RULE) return;
        if (args.props["type"] !== "ingress" || (args.props["policy"] ?? "accept") !== "accept") return;
        const world = [args.props["cidrIp"], args.props["ipv6CidrIp"]].filter(isWorldCidr).map(String);
        if (world.length === 0) return;
        const { p2pPort } = args.getConfig<{ p2pPort: number }>();
        const protocol = String(args.props["ipProtocol"] ?? "");
        const portRange = String(args.props["portRange"] ?? "-1/-1");
        if (protocol !== "tcp" || portRange.replace(/\s/g, "") !== `${p2pPort}/${p2pPort}`) {
            report(`security group rule ${args.name} accepts ${protocol === "all" ? "all traffic" : `${protocol} ${portRange}`} from ${world.join(", ")}; only tcp ${p2pPort}/${p2pPort} (P2P) may be open to the internet: narrow cidrIp or the ports.`);
        }
    },
};

export const ALICLOUD_POLICIES: LedgerfleetPolicy[] = [
    alicloudAckSecretsEncryption,
    alicloudAckEndpointAccess,
    alicloudAckControlPlaneLogs,
    alicloudNodeDiskEncryption,
    alicloudStorageClassEncryption,
    alicloudKmsKeyRotation,
    alicloudAckNodesNoPublicIp,
    alicloudSecurityGroupWorldIngress,
];
