// Google Cloud policies: what a security reviewer checks in the GKE regions the GCP adapter builds
// (components/clouds/gcp.ts): Secrets under a Cloud KMS key, a private or allow-listed API endpoint,
// API server logs, CMEK boot disks and volumes, rotating keys, private nodes, and firewall rules that
// open nothing but P2P to the internet. Type tokens are compared as strings: no @pulumi/gcp here.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isSet, isWorldCidr, MAX_ROTATION_SCHEMA, type Obj, objectsOf, P2P_PORT_SCHEMA, storageClassPolicy, stringsOf } from "./cloud";
import type { LedgerfleetPolicy } from "./harness";
import { asObject } from "./kube";

const GKE_CLUSTER = "gcp:container/cluster:Cluster";
const NODE_POOL = "gcp:container/nodePool:NodePool";
const CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey";
const FIREWALL = "gcp:compute/firewall:Firewall";

export const gcpGkeSecretsEncryption: ResourceValidationPolicy = {
    name: "gcp-gke-secrets-encryption",
    description: "GKE clusters encrypt Kubernetes Secrets in etcd with a Cloud KMS key (databaseEncryption state ENCRYPTED, keyName set).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== GKE_CLUSTER) return;
        const encryption = asObject(args.props["databaseEncryption"]);
        const state = encryption?.["state"];
        if (state !== "ENCRYPTED" || !isSet(encryption?.["keyName"])) {
            report(`GKE cluster ${args.name}: databaseEncryption is ${encryption === undefined ? "unset" : `state ${JSON.stringify(state)}, keyName ${isSet(encryption["keyName"]) ? "set" : "unset"}`}, so Secrets (the ledger's node keys among them) are under Google's key only; set databaseEncryption { state: "ENCRYPTED", keyName: <Cloud KMS key> }.`);
        }
    },
};

export const gcpGkeEndpointAccess: ResourceValidationPolicy = {
    name: "gcp-gke-endpoint-access",
    description: "GKE control planes are private, or their public IP endpoint admits only authorized networks (none of them 0.0.0.0/0 or ::/0, Google Cloud's public ranges off), and the DNS endpoint refuses external traffic.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== GKE_CLUSTER) return;
        const where = `GKE cluster ${args.name}`;
        const endpoints = asObject(args.props["controlPlaneEndpointsConfig"]);
        // The DNS endpoint answers from anywhere when external traffic is allowed: IAM guards it, no allow-list does.
        if (asObject(endpoints?.["dnsEndpointConfig"])?.["allowExternalTraffic"] === true) {
            report(`${where}: controlPlaneEndpointsConfig.dnsEndpointConfig.allowExternalTraffic is true, a second way in from the internet that the authorized networks do not cover; set it to false.`);
        }
        const ipEndpointOff = asObject(endpoints?.["ipEndpointsConfig"])?.["enabled"] === false;
        const privateEndpoint = asObject(args.props["privateClusterConfig"])?.["enablePrivateEndpoint"] === true;
        if (ipEndpointOff || privateEndpoint) return;
        const authorized = asObject(args.props["masterAuthorizedNetworksConfig"]);
        if (authorized === undefined) {
            report(`${where}: the control plane's public endpoint is on (privateClusterConfig.enablePrivateEndpoint not true) with no masterAuthorizedNetworksConfig, so it answers the whole internet; set enablePrivateEndpoint: true, or list the operators' CIDRs in masterAuthorizedNetworksConfig.cidrBlocks.`);
            return;
        }
        const world = objectsOf(authorized["cidrBlocks"]).map((b) => b["cidrBlock"]).filter(isWorldCidr);
        if (world.length > 0) {
            report(`${where}: masterAuthorizedNetworksConfig.cidrBlocks includes ${world.join(", ")}, the whole internet; list the operators' CIDRs only.`);
        }
        // GKE lets every Google Cloud public address in unless told not to: anyone's VM is not an operator.
        if (authorized["gcpPublicCidrsAccessEnabled"] !== false) {
            report(`${where}: masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled is ${authorized["gcpPublicCidrsAccessEnabled"] === undefined ? "unset" : "true"}, which admits every Google Cloud public IP to the public endpoint; set it to false.`);
        }
    },
};

export const gcpGkeControlPlaneLogs: ResourceValidationPolicy = {
    name: "gcp-gke-control-plane-logs",
    description: "GKE clusters send API server logs to Cloud Logging (loggingConfig.enableComponents includes APISERVER); Admin Activity audit logs are always on in GKE and cannot be turned off, so they need no check.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== GKE_CLUSTER) return;
        if (args.props["loggingService"] === "none") {
            report(`GKE cluster ${args.name}: loggingService is "none", so no control-plane log reaches Cloud Logging; remove it (or use logging.googleapis.com/kubernetes).`);
            return;
        }
        const components = stringsOf(asObject(args.props["loggingConfig"])?.["enableComponents"]);
        if (!components.includes("APISERVER")) {
            report(`GKE cluster ${args.name}: loggingConfig.enableComponents lacks APISERVER (has ${components.length === 0 ? "GKE's default: SYSTEM_COMPONENTS, WORKLOADS" : components.join(", ")}); add it so the API server's own logs sit beside the Admin Activity audit logs.`);
        }
    },
};

/** Where a GKE resource defines node machines, and their node config (cluster: its default and inline pools). */
function nodeConfigsOf(type: string, props: Obj): { where: string; nodeConfig: Obj | undefined; networkConfig: Obj | undefined }[] {
    if (type === NODE_POOL) return [{ where: "", nodeConfig: asObject(props["nodeConfig"]), networkConfig: asObject(props["networkConfig"]) }];
    if (type !== GKE_CLUSTER) return [];
    const inline = objectsOf(props["nodePools"]).map((p, i) => ({ where: ` nodePools[${i}] (${String(p["name"] ?? p["namePrefix"] ?? "?")})`, nodeConfig: asObject(p["nodeConfig"]), networkConfig: asObject(p["networkConfig"]) }));
    // The default pool is the cluster's own nodeConfig, unless removeDefaultNodePool drops it (or Autopilot has none).
    const defaultPool = props["removeDefaultNodePool"] === true || props["enableAutopilot"] === true ? [] : [{ where: " default node pool (nodeConfig)", nodeConfig: asObject(props["nodeConfig"]), networkConfig: undefined }];
    return [...defaultPool, ...inline];
}

export const gcpNodeBootDiskCmek: ResourceValidationPolicy = {
    name: "gcp-node-boot-disk-cmek",
    description: "GKE node pools (separate, inline, default and auto-provisioned) encrypt their boot disks with a Cloud KMS key (nodeConfig.bootDiskKmsKey).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const what = args.type === NODE_POOL ? "GKE node pool" : "GKE cluster";
        for (const { where, nodeConfig } of nodeConfigsOf(args.type, args.props)) {
            if (!isSet(nodeConfig?.["bootDiskKmsKey"])) {
                report(`${what} ${args.name}${where}: nodeConfig.bootDiskKmsKey is unset, so boot disks (container images, logs, emptyDir volumes) are under Google's key only; set it to the region's Cloud KMS key.`);
            }
        }
        if (args.type !== GKE_CLUSTER) return;
        // Autopilot and node auto-provisioning make pools of their own from these defaults.
        const autoscaling = asObject(args.props["clusterAutoscaling"]);
        if (args.props["enableAutopilot"] === true || autoscaling?.["enabled"] === true) {
            if (!isSet(asObject(autoscaling?.["autoProvisioningDefaults"])?.["bootDiskKmsKey"])) {
                report(`GKE cluster ${args.name}: clusterAutoscaling.autoProvisioningDefaults.bootDiskKmsKey is unset, so auto-provisioned nodes' boot disks are under Google's key only; set it.`);
            }
        }
    },
};

export const gcpStorageClassEncryption = storageClassPolicy({
    name: "gcp-storage-class-encryption",
    description: "StorageClasses of the Compute Engine PD CSI driver (pd.csi.storage.gke.io) encrypt volumes with a Cloud KMS key (parameters disk-encryption-kms-key).",
    provisioners: ["pd.csi.storage.gke.io"],
    problem: (parameters) =>
        isSet(parameters["disk-encryption-kms-key"])
            ? undefined
            : `parameters["disk-encryption-kms-key"] is unset, so the ledger's chain data is under Google's key only; set it to the region's Cloud KMS key.`,
});

/** Seconds of a Cloud KMS duration ("7776000s", up to 9 fractional digits); undefined if not one. */
function durationSeconds(value: unknown): number | undefined {
    const m = typeof value === "string" ? /^(\d+(?:\.\d{1,9})?)s$/.exec(value.trim()) : null;
    return m === null ? undefined : Number(m[1]);
}

export const gcpKmsKeyRotation: ResourceValidationPolicy = {
    name: "gcp-kms-key-rotation",
    description: "Cloud KMS symmetric keys (purpose ENCRYPT_DECRYPT) rotate automatically, with a rotationPeriod of at most maxRotationDays (365) days.",
    enforcementLevel: "mandatory",
    configSchema: MAX_ROTATION_SCHEMA,
    validateResource: (args, report) => {
        if (args.type !== CRYPTO_KEY) return;
        // Cloud KMS rotates only symmetric encryption keys automatically.
        if ((args.props["purpose"] ?? "ENCRYPT_DECRYPT") !== "ENCRYPT_DECRYPT") args.notApplicable("Cloud KMS rotates only ENCRYPT_DECRYPT keys automatically");
        const { maxRotationDays } = args.getConfig<{ maxRotationDays: number }>();
        const period = args.props["rotationPeriod"];
        const seconds = durationSeconds(period);
        if (seconds === undefined) {
            report(`Cloud KMS key ${args.name}: rotationPeriod is ${period === undefined ? "unset, so the key never rotates" : `${JSON.stringify(period)}, not a duration like "7776000s"`}; set it to at most ${maxRotationDays * 86400}s (${maxRotationDays} days).`);
        } else if (seconds > maxRotationDays * 86400) {
            report(`Cloud KMS key ${args.name}: rotationPeriod ${String(period)} is ${Math.round(seconds / 86400)} days, longer than ${maxRotationDays}; shorten it.`);
        }
    },
};

export const gcpGkePrivateNodes: ResourceValidationPolicy = {
    name: "gcp-gke-private-nodes",
    description: "GKE nodes have internal IP addresses only: the cluster sets privateClusterConfig.enablePrivateNodes and no node pool turns it off (networkConfig.enablePrivateNodes false).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type === GKE_CLUSTER && asObject(args.props["privateClusterConfig"])?.["enablePrivateNodes"] !== true) {
            report(`GKE cluster ${args.name}: privateClusterConfig.enablePrivateNodes is not true, so nodes get public IP addresses; set it to true (Cloud NAT gives them egress).`);
        }
        for (const { where, networkConfig } of nodeConfigsOf(args.type, args.props)) {
            if (networkConfig?.["enablePrivateNodes"] === false) {
                report(`${args.type === NODE_POOL ? "GKE node pool" : "GKE cluster"} ${args.name}${where}: networkConfig.enablePrivateNodes is false, giving its nodes public IP addresses; remove it or set it to true.`);
            }
        }
    },
};

/** An allow entry opens TCP on `port` alone (ports as GCP writes them: "30303" or "30303-30303"). */
function opensOnlyPort(allow: Obj, port: number): boolean {
    const protocol = String(allow["protocol"] ?? "").toLowerCase();
    const ports = stringsOf(allow["ports"]);
    return (protocol === "tcp" || protocol === "6") && ports.length > 0 && ports.every((p) => p.trim() === String(port) || p.trim() === `${port}-${port}`);
}

export const gcpFirewallWorldIngress: ResourceValidationPolicy = {
    name: "gcp-firewall-world-ingress",
    description: "Ingress firewall rules open to 0.0.0.0/0 or ::/0 (explicitly, or by naming no source at all, which GCP reads as 0.0.0.0/0) allow only TCP on the P2P port (30303).",
    enforcementLevel: "mandatory",
    configSchema: P2P_PORT_SCHEMA,
    validateResource: (args, report) => {
        if (args.type !== FIREWALL) return;
        if ((args.props["direction"] ?? "INGRESS") !== "INGRESS" || args.props["disabled"] === true) return;
        const allows = objectsOf(args.props["allows"]);
        if (allows.length === 0) return;
        const ranges = stringsOf(args.props["sourceRanges"]);
        const noSource = ranges.length === 0 && stringsOf(args.props["sourceTags"]).length === 0 && stringsOf(args.props["sourceServiceAccounts"]).length === 0;
        const world = noSource ? ["0.0.0.0/0 (no sourceRanges, sourceTags or sourceServiceAccounts)"] : ranges.filter(isWorldCidr);
        if (world.length === 0) return;
        const { p2pPort } = args.getConfig<{ p2pPort: number }>();
        const wider = allows.filter((a) => !opensOnlyPort(a, p2pPort));
        if (wider.length > 0) {
            const shown = wider.map((a) => `${String(a["protocol"] ?? "?")}${stringsOf(a["ports"]).length === 0 ? " (all ports)" : `:${stringsOf(a["ports"]).join(",")}`}`).join(", ");
            report(`firewall ${args.name} allows ${shown} from ${world.join(", ")}; only tcp:${p2pPort} (P2P) may be open to the internet: narrow sourceRanges or the allowed ports.`);
        }
    },
};

export const GCP_POLICIES: LedgerfleetPolicy[] = [
    gcpGkeSecretsEncryption,
    gcpGkeEndpointAccess,
    gcpGkeControlPlaneLogs,
    gcpNodeBootDiskCmek,
    gcpStorageClassEncryption,
    gcpKmsKeyRotation,
    gcpGkePrivateNodes,
    gcpFirewallWorldIngress,
];
