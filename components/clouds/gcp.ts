// The Google Cloud adapter: a VPC-native, private, regional GKE cluster per region, with Cloud NAT on
// the global stack's egress addresses, Cloud KMS (CMEK) for secrets, boot disks and volumes, and one
// reserved regional address per node bound to its P2P Service. DNS: Cloud DNS.
import { createHash } from "node:crypto";
import * as ipaddr from "ipaddr.js";
import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import type { GcpRegionConfig } from "../../config/schema";
import { GCP_CATALOG } from "../../config/catalog/gcp";
import { clusterProvider, execKubeconfig } from "./kube-provider";
import { cloudTags, TAG_KEYS } from "./tags";
import type { CloudAdapter, ClusterArgs, DnsAdapter, P2pServiceRequest, PoolSize, ReservedAddress } from "./types";

/** Ledger pool label and taint key (ledger pods select the label and tolerate the taint). */
const POOL_LABEL = "ledgerfleet.io/pool";
const P2P_PORT = "30303";
const STORAGE_CLASS = "ledger-data";
/** At most this many pods per node: a /25 of the pod range per node (GKE sizes it at twice the pods). */
const MAX_PODS_PER_NODE = 64;
/** Names of the subnet's secondary ranges, as the cluster's ipAllocationPolicy refers to them. */
const PODS_RANGE = "pods";
const SERVICES_RANGE = "services";

/** Where the cluster's addresses come from, all carved out of the region's `vpcCidr`. */
export interface GkeAddressPlan {
    /** Secondary range for pods: the first half of the VPC range. */
    readonly pods: string;
    /** The subnet's primary range (machines, internal load balancers): a sixteenth after the pods. */
    readonly nodes: string;
    /** Secondary range for ClusterIP Services: the sixteenth after the nodes. */
    readonly services: string;
    /** The control plane's /28 (private cluster peering): the last /28 of the range, in no subnet. */
    readonly master: string;
}

/**
 * Splits `vpcCidr` into the cluster's ranges. Pure, so it is tested without mocks; throws when the
 * range cannot hold a useful cluster (nodes need at least a /24) or is not IPv4 (GKE's primary and
 * pod ranges are IPv4).
 */
export function gkeAddressPlan(vpcCidr: string): GkeAddressPlan {
    const [base, prefix] = ipaddr.parseCIDR(vpcCidr);
    if (base.kind() !== "ipv4") throw new Error(`vpcCidr ${vpcCidr}: GKE needs an IPv4 range for nodes and pods`);
    if (prefix < 8 || prefix > 20) {
        throw new Error(`vpcCidr ${vpcCidr}: use a range between /8 and /20 (half for pods, a /24 at least for nodes)`);
    }
    const start = ipaddr.IPv4.networkAddressFromCIDR(vpcCidr).toByteArray().reduce((n, b) => n * 256 + b, 0);
    const size = 2 ** (32 - prefix);
    const at = (offset: number, bits: number): string => {
        const n = start + offset;
        return `${[24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".")}/${bits}`;
    };
    return {
        pods: at(0, prefix + 1),
        nodes: at(size / 2, prefix + 4),
        services: at(size / 2 + size / 16, prefix + 4),
        master: at(size - 16, 28),
    };
}

/**
 * A GCP resource name (lower-case letters, digits, '-', starting with a letter) of at most `max`
 * characters: `<name>-<role>` when it fits, else cut short with a hash of the whole for uniqueness.
 * Explicit because GKE cluster names stop at 40 and service account ids at 30, fewer than a long
 * region name plus Pulumi's random suffix would take.
 */
export function gcpName(name: string, role: string, max: number): string {
    const slug = [name, role].filter((s) => s !== "").join("-").toLowerCase().replace(/[^a-z0-9-]+/g, "-");
    const plain = /^[a-z]/.test(slug) ? slug : `lf-${slug}`;
    if (plain.length <= max) return plain;
    const hash = createHash("sha256").update(plain).digest("hex").slice(0, 6);
    return `${plain.slice(0, max - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}

/** The address's name from its self link: GKE's static-address annotation takes names. */
export function addressName(selfLink: string): string {
    const name = selfLink.split("/").pop() ?? "";
    if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name)) throw new Error(`not a Compute Engine address self link: ${selfLink}`);
    return name;
}

/**
 * Binds a node's P2P Service to exactly its reserved address. GKE's passthrough NLB is regional, so
 * the zone does not matter. Checked 2026-11-25 against the controllers GKE runs by default (nothing
 * to install): with `l4-rbs` GKE's L4 NetLB controller (kubernetes/ingress-gce) builds a
 * backend-service-based external passthrough NLB, which GKE's "LoadBalancer Service parameters" page
 * (cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer-parameters) recommends over
 * target pools; it takes the IPv4 from `networking.gke.io/load-balancer-ip-addresses` (reserved
 * address names; ingress-gce pkg/address `IPv4ToUse`), else from spec.loadBalancerIP. The target-pool
 * controller (kubernetes/cloud-provider-gcp gce_loadbalancer_external.go) reads only
 * spec.loadBalancerIP: setting both keeps the address whichever controller serves the Service.
 */
export function gkeP2pService(address: ReservedAddress): P2pServiceRequest {
    return {
        annotations: {
            "cloud.google.com/l4-rbs": "enabled",
            "networking.gke.io/load-balancer-ip-addresses": pulumi.output(address.ref).apply(addressName),
        },
        spec: { loadBalancerIP: address.ip },
    };
}

/** Checks the cluster's arguments before any resource exists; pure, tested without mocks. */
export function checkGkeArgs(args: Pick<ClusterArgs<GcpRegionConfig>, "regionId" | "egress" | "zones" | "region">): GkeAddressPlan {
    if (args.egress.length === 0) {
        throw new Error(`region ${args.regionId}: Cloud NAT needs the egress addresses the global stack reserves (gcpAdapter.egressCount); none were passed`);
    }
    const foreign = args.zones.filter((z) => !z.startsWith(`${args.region.region}-`));
    if (args.zones.length === 0 || foreign.length > 0) {
        throw new Error(`region ${args.regionId}: zones must be zones of ${args.region.region}; got ${JSON.stringify(args.zones)}`);
    }
    return gkeAddressPlan(args.region.vpcCidr);
}

/**
 * The only project roles the nodes' service account gets: write logs and metrics, read metric
 * descriptors and pull images (GKE's documented minimum for a node service account, instead of the
 * Compute Engine default account's Editor).
 */
export const NODE_ROLES = [
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
    "roles/artifactregistry.reader",
] as const;

/**
 * Cloud NAT addresses per region. Cloud NAT is a distributed, software-defined service, not a
 * per-zone gateway, so one address would already survive a zone's loss; the second doubles the
 * source ports (64,512 per address: 126 machines at MIN_NAT_PORTS each instead of 63), and lets one
 * address be drained and replaced without cutting egress. Each more is one more CIDR in every
 * peer's P2P allow-list, so no more than that.
 */
const EGRESS_ADDRESSES = 2;
const MIN_NAT_PORTS = 1024;

export const gcpAdapter: CloudAdapter<GcpRegionConfig> = {
    cloud: "gcp",

    // The project is left to the provider's own configuration (gcp:project or GOOGLE_PROJECT), so a
    // network file never carries a project id; credentials likewise.
    provider(name, args) {
        return new gcp.Provider(
            name,
            {
                region: args.region.region,
                // Besides the explicit labels below: anything the provider labels gets network and region.
                defaultLabels: { [TAG_KEYS.network]: args.network, [TAG_KEYS.region]: args.regionId },
            },
            { parent: args.parent },
        );
    },

    // Premium tier: the reserved regional address of a regional external passthrough NLB.
    reserveAddress(name, args) {
        const address = new gcp.compute.Address(
            name,
            {
                // Explicit: a long network, ledger and node name plus Pulumi's suffix could pass GCP's 63.
                name: gcpName(name, "", 63),
                region: args.region.region,
                addressType: "EXTERNAL",
                networkTier: "PREMIUM",
                description: `ledgerfleet ${args.network}/${args.regionId} ${args.purpose}${args.node === undefined ? "" : ` ${args.node}`}`,
                labels: cloudTags(args.network, args.regionId, args.purpose === "p2p" ? "p2p-address" : "egress-address", args.node),
            },
            { provider: args.provider, parent: args.parent, protect: true },
        );
        return { ip: address.address, ref: address.selfLink };
    },

    egressCount: () => EGRESS_ADDRESSES,

    cluster(name, args) {
        const plan = checkGkeArgs(args);
        const opts = { provider: args.provider, parent: args.parent };
        const tags = (role: Parameters<typeof cloudTags>[2]) => cloudTags(args.network, args.regionId, role);
        const region = args.region.region;
        const what = `ledgerfleet ${args.network}/${args.regionId}`;

        // The one invoke: the project's number names the Google-managed service agents that must use the
        // KMS key (GKE for secrets, Compute Engine for disks); no resource reports it. Mocked in cli/mocks-gcp.ts.
        const project = gcp.organizations.getProjectOutput({}, opts);
        const projectId = project.apply((p) => p.projectId ?? p.name);

        // Network: custom-mode VPC, one subnet whose secondary ranges GKE uses for pods and Services.
        const network = new gcp.compute.Network(`${name}-vpc`, { autoCreateSubnetworks: false, routingMode: "REGIONAL", description: what }, opts);
        const subnet = new gcp.compute.Subnetwork(
            `${name}-nodes`,
            {
                region,
                network: network.selfLink,
                ipCidrRange: plan.nodes,
                secondaryIpRanges: [
                    { rangeName: PODS_RANGE, ipCidrRange: plan.pods },
                    { rangeName: SERVICES_RANGE, ipCidrRange: plan.services },
                ],
                // Machines without public addresses still reach Google APIs (registry, logging, KMS).
                privateIpGoogleAccess: true,
                logConfig: { aggregationInterval: "INTERVAL_5_SEC", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" },
                description: what,
            },
            opts,
        );
        const router = new gcp.compute.Router(`${name}-router`, { region, network: network.selfLink, description: what }, opts);
        new gcp.compute.RouterNat(
            `${name}-nat`,
            {
                region,
                router: router.name,
                // Only the global stack's reserved addresses: peers allow-list them, so NAT must never pick its own.
                natIpAllocateOption: "MANUAL_ONLY",
                natIps: args.egress.map((e) => e.ref),
                sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
                subnetworks: [{ name: subnet.id, sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
                enableDynamicPortAllocation: true,
                enableEndpointIndependentMapping: false,
                minPortsPerVm: MIN_NAT_PORTS,
                logConfig: { enable: true, filter: "ERRORS_ONLY" },
            },
            opts,
        );

        // P2P from the ledgers' own addresses only. GCP reads a rule without sources as 0.0.0.0/0,
        // so no sources means no rule (the VPC's implied deny stays).
        const ledgerTag = gcpName(name, "ledger", 63);
        if (args.p2pSources.length > 0) {
            new gcp.compute.Firewall(
                `${name}-p2p`,
                {
                    network: network.selfLink,
                    direction: "INGRESS",
                    priority: 1000,
                    allows: [{ protocol: "tcp", ports: [P2P_PORT] }],
                    sourceRanges: pulumi.all([...args.p2pSources]).apply(p2pSourceRanges),
                    targetTags: [ledgerTag],
                    logConfig: { metadata: "INCLUDE_ALL_METADATA" },
                    description: `${what}: ledger P2P from the network's node and egress addresses`,
                },
                opts,
            );
        }

        // CMEK: one key for etcd secrets, boot disks and volumes; rotated every 90 days.
        const keyRing = new gcp.kms.KeyRing(`${name}-keys`, { location: region }, { ...opts, protect: true });
        const key = new gcp.kms.CryptoKey(
            `${name}-key`,
            { keyRing: keyRing.id, purpose: "ENCRYPT_DECRYPT", rotationPeriod: "7776000s", labels: tags("encryption") },
            { ...opts, protect: true },
        );
        const agents = {
            gke: "container-engine-robot.iam.gserviceaccount.com",
            compute: "compute-system.iam.gserviceaccount.com",
        };
        const keyUsers = Object.entries(agents).map(
            ([agent, domain]) =>
                new gcp.kms.CryptoKeyIAMMember(
                    `${name}-key-${agent}`,
                    { cryptoKeyId: key.id, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: pulumi.interpolate`serviceAccount:service-${project.number}@${domain}` },
                    opts,
                ),
        );

        // The nodes' own identity, with NODE_ROLES only.
        const nodeAccount = new gcp.serviceaccount.Account(`${name}-nodes-sa`, { accountId: gcpName(name, "nodes", 30), displayName: `${what} GKE nodes` }, opts);
        const nodeRoles = NODE_ROLES.map(
            (role) => new gcp.projects.IAMMember(`${name}-nodes-${role.split("/")[1].replace(/\./g, "-")}`, { project: projectId, role, member: nodeAccount.member }, opts),
        );

        const publicApi = args.apiAllowList.length > 0;
        const clusterName = gcpName(name, "gke", 40);
        const cluster = new gcp.container.Cluster(
            `${name}-gke`,
            {
                name: clusterName,
                location: region,
                nodeLocations: [...args.zones],
                minMasterVersion: args.region.kubernetesVersion ?? GCP_CATALOG.defaults.kubernetesVersion,
                releaseChannel: { channel: "REGULAR" },
                removeDefaultNodePool: true,
                initialNodeCount: 1,
                deletionProtection: true,
                network: network.selfLink,
                subnetwork: subnet.selfLink,
                networkingMode: "VPC_NATIVE",
                ipAllocationPolicy: { clusterSecondaryRangeName: PODS_RANGE, servicesSecondaryRangeName: SERVICES_RANGE, stackType: "IPV4" },
                defaultMaxPodsPerNode: MAX_PODS_PER_NODE,
                privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: !publicApi, masterIpv4CidrBlock: plan.master },
                masterAuthorizedNetworksConfig: {
                    cidrBlocks: args.apiAllowList.map((cidrBlock) => ({ cidrBlock, displayName: "apiAllowList" })),
                    gcpPublicCidrsAccessEnabled: false,
                },
                // The DNS-based endpoint would be a second way in from the internet: closed.
                controlPlaneEndpointsConfig: { dnsEndpointConfig: { allowExternalTraffic: false } },
                masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
                enableLegacyAbac: false,
                enableShieldedNodes: true,
                workloadIdentityConfig: { workloadPool: pulumi.interpolate`${projectId}.svc.id.goog` },
                // Dataplane V2 (Cilium) enforces NetworkPolicy itself; the Calico add-on must stay off with it.
                datapathProvider: "ADVANCED_DATAPATH",
                addonsConfig: { networkPolicyConfig: { disabled: true }, gcePersistentDiskCsiDriverConfig: { enabled: true } },
                databaseEncryption: { state: "ENCRYPTED", keyName: key.id },
                // Audit: Admin Activity audit logs (every Kubernetes API write) are always on in GKE and
                // cannot be turned off; APISERVER adds the API server's own logs to Cloud Logging.
                loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS"] },
                monitoringConfig: {
                    enableComponents: ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "STORAGE", "POD", "DEPLOYMENT", "STATEFULSET"],
                    managedPrometheus: { enabled: true },
                },
                securityPostureConfig: { mode: "BASIC", vulnerabilityMode: "VULNERABILITY_BASIC" },
                resourceLabels: tags("cluster"),
            },
            { ...opts, dependsOn: keyUsers },
        );

        const pool = (role: "system" | "ledger", size: PoolSize): gcp.container.NodePool => {
            const ledger = role === "ledger";
            return new gcp.container.NodePool(
                `${name}-${role}`,
                {
                    cluster: cluster.id,
                    location: region,
                    // A fresh name per replacement: a new pool comes up before the old one drains.
                    namePrefix: `${role}-`,
                    nodeLocations: [...args.zones],
                    // Per zone at creation only (GKE's unit); the autoscaler owns the count afterwards.
                    initialNodeCount: size.perZone.desired,
                    // Totals, not per-zone limits: ledger pods are pinned to zones unevenly.
                    autoscaling: { totalMinNodeCount: size.min, totalMaxNodeCount: size.max, locationPolicy: "BALANCED" },
                    management: { autoRepair: true, autoUpgrade: true },
                    upgradeSettings: { strategy: "SURGE", maxSurge: 1, maxUnavailable: 0 },
                    networkConfig: { enablePrivateNodes: true },
                    nodeConfig: {
                        machineType: size.machine,
                        serviceAccount: nodeAccount.email,
                        // Access is what the account's roles allow; scopes no longer narrow it.
                        oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
                        diskType: "pd-balanced",
                        diskSizeGb: 100,
                        bootDiskKmsKey: key.id,
                        imageType: "COS_CONTAINERD",
                        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
                        workloadMetadataConfig: { mode: "GKE_METADATA" },
                        metadata: { "disable-legacy-endpoints": "true" },
                        labels: { [POOL_LABEL]: role },
                        taints: ledger ? [{ key: POOL_LABEL, value: "ledger", effect: "NO_SCHEDULE" }] : [],
                        tags: ledger ? [ledgerTag] : [gcpName(name, "system", 63)],
                        resourceLabels: tags("pool"),
                    },
                },
                { ...opts, dependsOn: [...nodeRoles, ...keyUsers], ignoreChanges: ["initialNodeCount"] },
            );
        };
        const pools = [pool("system", args.pools.system), pool("ledger", args.pools.ledger)];

        const kubeconfig = execKubeconfig({
            cluster: clusterName,
            server: pulumi.interpolate`https://${cluster.endpoint}`,
            caData: cluster.masterAuth.clusterCaCertificate,
            command: "gke-gcloud-auth-plugin",
            commandArgs: [],
        });
        const provider = clusterProvider(`${name}-k8s`, kubeconfig, args.parent, pools);

        const storageClass = new k8s.storage.v1.StorageClass(
            `${name}-${STORAGE_CLASS}`,
            {
                metadata: { name: STORAGE_CLASS },
                provisioner: "pd.csi.storage.gke.io",
                parameters: { type: "pd-balanced", "disk-encryption-kms-key": key.id },
                reclaimPolicy: "Retain",
                volumeBindingMode: "WaitForFirstConsumer",
                allowVolumeExpansion: true,
            },
            { provider, parent: args.parent },
        );

        return {
            provider,
            storageClass: STORAGE_CLASS,
            ledgerNodeSelector: { [POOL_LABEL]: "ledger" },
            podCidrs: [plan.pods],
            zones: [...args.zones],
            p2pService: (address) => gkeP2pService(address),
            dependsOn: [storageClass],
            clusterName: cluster.name,
        };
    },
};

/** The P2P rule's sources, refusing a world-open one: the firewall would open 30303 to everyone. */
export function p2pSourceRanges(sources: string[]): string[] {
    const world = sources.filter((s) => /^0\.0\.0\.0\/0$|^::\/0$/.test(s.trim()));
    if (world.length > 0) throw new Error(`P2P sources must be the ledgers' own addresses, not ${world.join(", ")}`);
    return sources;
}

/** Cloud DNS: a public, DNSSEC-signed zone (protected) with one A record per node. */
export const gcpDns: DnsAdapter = {
    zone(name, args) {
        const opts = { provider: args.provider, parent: args.parent };
        const zone = new gcp.dns.ManagedZone(
            `${name}-zone`,
            {
                dnsName: `${args.domain}.`,
                visibility: "public",
                dnssecConfig: { state: "on" },
                description: `ledgerfleet ${args.network} node addresses`,
                labels: cloudTags(args.network, args.regionId, "dns"),
            },
            { ...opts, protect: true },
        );
        for (const record of args.records) {
            new gcp.dns.RecordSet(
                `${name}-${record.key}`,
                { managedZone: zone.name, name: `${record.relativeName}.${args.domain}.`, type: "A", ttl: 300, rrdatas: [record.ip] },
                opts,
            );
        }
        return { nameServers: zone.nameServers };
    },
};
