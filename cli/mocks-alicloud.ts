// Alibaba Cloud's answers in an offline plan: the outputs the program reads (ids, EIP addresses, the
// NAT's SNAT table, the cluster's internal endpoint, DNS servers, the cluster credential), shaped and
// named as the real API returns them, derived only from the resource's name so every run agrees.
import { createHash } from "node:crypto";
import type { CloudCallMock, CloudResourceMock } from "./cloud-mocks";

/** A stable id suffix from a name, in the cloud's style (lower-case hex-ish, fixed length). */
function suffix(name: string, length = 20): string {
    return createHash("sha256").update(name).digest("hex").slice(0, length);
}

/** A placeholder base64 PEM: clearly not a key, the shape a kubeconfig expects. */
function placeholderPem(label: string): string {
    return Buffer.from(`-----BEGIN ${label}-----\nPLACEHOLDER-ledgerfleet-plan-mode\n-----END ${label}-----\n`).toString("base64");
}

export const alicloudResourceMock: CloudResourceMock = (type, name, inputs, ctx) => {
    switch (type) {
        case "alicloud:ecs/eipAddress:EipAddress":
            return { id: `eip-${suffix(name)}`, ipAddress: ctx.nextPublicIp(), allocationId: `eip-${suffix(name)}`, status: "Available" };
        case "alicloud:kms/key:Key": {
            const id = `key-${suffix(name, 8)}-${suffix(`${name}/2`, 4)}-${suffix(`${name}/3`, 12)}`;
            return { id, arn: `acs:kms:region:1234567890123456:key/${id}`, status: "Enabled" };
        }
        case "alicloud:vpc/network:Network":
            return { id: `vpc-${suffix(name)}`, routeTableId: `vtb-${suffix(name)}`, routerId: `vrt-${suffix(name)}` };
        case "alicloud:vpc/switch:Switch":
            return { id: `vsw-${suffix(name)}` };
        case "alicloud:vpc/natGateway:NatGateway":
            return { id: `ngw-${suffix(name)}`, snatTableIds: `stb-${suffix(name)}`, forwardTableIds: `ftb-${suffix(name)}` };
        case "alicloud:ecs/eipAssociation:EipAssociation":
            return { id: `${String(inputs.allocationId)}:${String(inputs.instanceId)}` };
        case "alicloud:vpc/snatEntry:SnatEntry":
            return { id: `${String(inputs.snatTableId)}:snat-${suffix(name)}`, snatEntryId: `snat-${suffix(name)}` };
        case "alicloud:ecs/securityGroup:SecurityGroup":
            return { id: `sg-${suffix(name)}` };
        case "alicloud:ecs/securityGroupRule:SecurityGroupRule":
            return { id: `sg-rule-${suffix(name)}` };
        case "alicloud:cs/managedKubernetes:ManagedKubernetes": {
            const id = `c${suffix(name, 32)}`;
            return {
                id,
                vpcId: `vpc-${suffix(name)}`,
                slbId: `lb-${suffix(name)}`,
                slbIntranet: "10.0.0.250",
                securityGroupId: String(inputs.securityGroupId ?? `sg-${suffix(name)}`),
                connections: { apiServerIntranet: "https://10.0.0.250:6443", serviceDomain: `*.${id}.cn-hangzhou.alicontainer.com` },
                workerRamRoleName: `KubernetesWorkerRole-${suffix(name, 8)}`,
            };
        }
        case "alicloud:cs/nodePool:NodePool":
            return { id: `c${suffix(name, 32)}:np${suffix(name, 30)}`, nodePoolId: `np${suffix(name, 30)}`, scalingGroupId: `asg-${suffix(name)}` };
        case "alicloud:dns/alidnsDomain:AlidnsDomain":
            return { id: String(inputs.domainName), domainId: suffix(name, 16), dnsServers: ["ns1.alidns.com", "ns2.alidns.com"] };
        case "alicloud:dns/alidnsRecord:AlidnsRecord":
            return { id: suffix(name, 18) };
        default:
            return undefined;
    }
};

export const alicloudCallMock: CloudCallMock = (token, args) => {
    if (token !== "alicloud:cs/getClusterCredential:getClusterCredential") return undefined;
    const clusterId = String(args.clusterId);
    return {
        id: clusterId,
        clusterId,
        clusterName: clusterId,
        expiration: "2029-11-25T00:00:00Z",
        kubeConfig: "placeholder kubeconfig (plan mode)",
        certificateAuthority: { clusterCert: placeholderPem("CERTIFICATE"), clientCert: placeholderPem("CERTIFICATE"), clientKey: placeholderPem("PLACEHOLDER KEY") },
    };
};
