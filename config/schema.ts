// The network file and stack-config schema. Everything a stack deploys is described here;
// every other layer receives the parsed, defaulted `NetworkConfig` and never re-validates it.
import { z } from "zod";
import { isValidPublicKey } from "../frameworks/besu/keys";
import { isCidr, isIpAddress } from "./addresses";
import type { NetworkPlacement } from "./dedicated";

/** A DNS label: lower-case letters, digits and '-', starting with a letter, at most `max` chars. */
const dnsLabel = (max: number) =>
    z
        .string()
        .regex(/^[a-z]([a-z0-9-]*[a-z0-9])?$/, {
            error: "expected a DNS label: lower-case letters, digits and '-', starting with a letter",
        })
        .max(max);

const dnsName = z
    .string()
    .regex(/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}$/, {
        error: "expected a DNS domain such as ledger.example.com",
    })
    .max(200);

/** An IPv4 or IPv6 address, as Besu takes it for p2p-host and enode hosts (no host names). */
const ipAddress = z.string().refine(isIpAddress, {
    error: "expected an IPv4 or IPv6 address such as 192.0.2.10 or 2001:db8::10 (Besu accepts no host name here)",
});

/** A CIDR range: address/prefix. */
const cidr = z.string().refine(isCidr, { error: "expected a CIDR range such as 10.20.0.0/16 or 2001:db8::/48" });

/** ISO 3166-1 alpha-2 country code, upper case (DE, US, SG). */
const countryCode = z.string().regex(/^[A-Z]{2}$/, { error: "expected an ISO 3166-1 alpha-2 country code such as DE, US or SG" });

/** A CIDR allowed to reach a cluster's API: never the whole internet. */
const allowListCidr = cidr.refine((v) => !/^(0\.0\.0\.0|::)\/0$/.test(v.trim()), {
    error: "the whole internet may not reach a cluster's API: list the ranges your operators and CI run from, or none for a private endpoint",
});

/** Kubernetes memory quantity; restricted to Mi/Gi so the JVM heap can be derived from it. */
export const memoryQuantity = z.string().regex(/^[1-9][0-9]*(Mi|Gi)$/, {
    error: "expected a memory size in Mi or Gi, such as 4Gi or 3584Mi",
});
/** Kubernetes CPU quantity: whole cores ("2") or millicores ("500m"). */
export const cpuQuantity = z.string().regex(/^([1-9][0-9]*m|[1-9][0-9]*(\.[0-9]+)?|0\.[0-9]*[1-9][0-9]*)$/, {
    error: "expected a CPU quantity such as 2, 1.5 or 500m",
});

export const resourcesSchema = z.strictObject({
    /** CPU request and limit. */
    cpu: cpuQuantity.optional(),
    /** Memory request and limit; the JVM heap is sized from it. */
    memory: memoryQuantity.optional(),
    /** Size of the node's data volume. */
    storageGiB: z.int().min(10).max(64000).optional(),
});

/** Kubernetes label map (keys and values as the API server accepts them). */
const labelMap = z.record(
    z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, {
        error: "expected a Kubernetes label key such as ledgerfleet.io/pool",
    }),
    z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, { error: "expected a Kubernetes label value (at most 63 characters)" }),
);

/** Monthly price overrides for a cloud region, USD (see config/catalog/prices.ts for the defaults). */
export const cloudPricesSchema = z.strictObject({
    /** Machine type -> on-demand price per hour. */
    machines: z.record(z.string().min(1), z.number().min(0)).optional(),
    /** Managed control plane, per hour. */
    controlPlaneHour: z.number().min(0).optional(),
    /** One network load balancer, per hour. */
    loadBalancerHour: z.number().min(0).optional(),
    /** One static public address, per hour. */
    addressHour: z.number().min(0).optional(),
    /** NAT gateway, per hour. */
    natHour: z.number().min(0).optional(),
    /** Block storage per GiB-month. */
    storageGiBMonth: z.number().min(0).optional(),
    /** Internet egress per GiB. */
    egressGiB: z.number().min(0).optional(),
});
/** An existing cluster's cost: what its operators charge the network per month. */
export const existingPricesSchema = z.strictObject({
    monthly: z.number().min(0),
});

/** Implementations that honour a requested LoadBalancer address, each its own way (see charts/load-balancer.ts). */
export const LOAD_BALANCERS = ["generic", "metallb", "cilium", "kube-vip"] as const;

export const existingRegionSchema = z.strictObject({
    cloud: z.literal("existing"),
    /** kubeconfig context of the cluster (as in `kubectl config get-contexts`). */
    kubeconfigContext: z.string().min(1),
    /** Path to a kubeconfig file; the user's default kubeconfig when left out. */
    kubeconfig: z.string().min(1).optional(),
    /** StorageClass for node volumes; it should have reclaimPolicy Retain and allow volume expansion. */
    storageClass: dnsLabel(63).default("standard"),
    /** Failure domain this region counts as, e.g. the data centre of an on-premises cluster. */
    failureDomain: z.string().min(1).optional(),
    /** Range every node address of this region must fall in (e.g. its MetalLB pool); unchecked when left out. */
    addressPool: cidr.optional(),
    /**
     * The addresses this cluster's pods reach other sites from (NAT gateway or node addresses). Besu
     * identifies an inbound peer by the connection's source address, so every other node admits this
     * region's nodes at these addresses, and P2P/RPC firewalls admit them.
     */
    egressAddresses: z.array(ipAddress).min(1),
    /**
     * The cluster's pod ranges. Pods of one cluster reach each other's P2P LoadBalancer from their pod
     * address, and kube-proxy (1.25+) drops in-cluster traffic to a LoadBalancer whose source ranges
     * leave the pod range out. Given, the P2P Services' source ranges include it (and net-restrict must);
     * left out, the P2P Services set no source ranges and NetworkPolicies alone filter by address.
     */
    podCidrs: z.array(cidr).min(1).optional(),
    /** What gives LoadBalancer Services their address; decides how a Service asks for a fixed one. @default generic (spec.loadBalancerIP) */
    loadBalancer: z.enum(LOAD_BALANCERS).default("generic"),
    /** Labels of the nodes ledger pods must run on. @default { "ledgerfleet.io/pool": "ledger" } */
    ledgerNodeSelector: labelMap.default({ "ledgerfleet.io/pool": "ledger" }),
    /** Namespace whose pods may scrape node metrics. @default monitoring */
    monitoringNamespace: dnsLabel(63).default("monitoring"),
    /** The id this region had before a rename: its resources are adopted instead of rebuilt. */
    renamedFrom: dnsLabel(30).optional(),
    /** Country the cluster runs in, for tenants' residency (ISO 3166-1 alpha-2). */
    country: countryCode.optional(),
    /** What the cluster costs the network per month (unpriced when left out). */
    prices: existingPricesSchema.optional(),
});

/** Clouds with a managed-Kubernetes adapter (components/clouds/). */
export const CLOUDS = ["aws", "gcp", "alicloud"] as const;
export type CloudName = (typeof CLOUDS)[number];

/** A node pool: machine type (the cloud's own name), and how many machines it may scale between. */
const cloudPoolSchema = z.strictObject({
    /** Machine type, e.g. m7i.2xlarge (AWS), n2-standard-8 (GCP), ecs.g7.2xlarge (Alibaba Cloud). @default per cloud, see config/catalog */
    machine: z.string().min(1).optional(),
    min: z.int().min(0).optional(),
    max: z.int().min(1).max(1000).optional(),
});

const cloudRegionFields = {
    /** The cloud's region code, e.g. eu-central-1 (AWS), europe-west3 (GCP), cn-hangzhou (Alibaba Cloud). */
    region: z.string().min(1),
    /** Zones the cluster and its nodes spread over. @default the region's first three zones in the catalog */
    zones: z.array(z.string().min(1)).min(2).max(3).optional(),
    /** The VPC's address range; pods and machines take their addresses from it. @default 10.0.0.0/16 */
    vpcCidr: cidr.default("10.0.0.0/16"),
    /** Kubernetes minor version of the managed control plane, e.g. "1.33". @default per cloud, see config/catalog */
    kubernetesVersion: z.string().regex(/^1\.[0-9]{2}$/, { error: "expected a Kubernetes minor version such as 1.33" }).optional(),
    /** Node pools: `system` for cluster add-ons, `ledger` (tainted) for ledger pods only. */
    pools: z.strictObject({ system: cloudPoolSchema.optional(), ledger: cloudPoolSchema.optional() }).optional(),
    /** Failure domain this region counts as in the fault-tolerance table. @default the cloud (aws, gcp, alicloud) */
    failureDomain: z.string().min(1).optional(),
    /** CIDRs that may reach this cluster's API endpoint; overrides the network's `apiAllowList`. */
    apiAllowList: z.array(allowListCidr).optional(),
    /** Price overrides for this region (the catalog's dated estimates otherwise). */
    prices: cloudPricesSchema.optional(),
};
export const awsRegionSchema = z.strictObject({ cloud: z.literal("aws"), ...cloudRegionFields });
export const gcpRegionSchema = z.strictObject({ cloud: z.literal("gcp"), ...cloudRegionFields });
export const alicloudRegionSchema = z.strictObject({ cloud: z.literal("alicloud"), ...cloudRegionFields });

export const regionSchema = z.discriminatedUnion("cloud", [
    existingRegionSchema,
    awsRegionSchema,
    gcpRegionSchema,
    alicloudRegionSchema,
]);


const publicKeySchema = z
    .string()
    .regex(/^0x([0-9a-fA-F]{128}|04[0-9a-fA-F]{128})$/, {
        error: "expected a 64-byte secp256k1 public key as 0x-prefixed hex (128 hex digits, as `besu public-key export` prints)",
        // Only a well-formed key is checked for being on the curve: one message per mistake.
        abort: true,
    })
    .refine(isValidPublicKey, {
        error: "expected a public key on the secp256k1 curve, but this value is not a curve point (re-export it with `besu public-key export`)",
    });

export const nodeSchema = z
    .strictObject({
        name: dnsLabel(30),
        role: z.enum(["validator", "rpc"]),
        /** Region id (a key of `regions`). */
        region: dnsLabel(30),
        /**
         * Bring your own key: the node's public key. Its private key comes from the secret stack
         * config `ledgerfleet:nodeKeys` (entry "<ledger>/<node>") or from `keySecret`.
         * When left out, the program generates the key and protects it from replacement.
         */
        publicKey: publicKeySchema.optional(),
        /**
         * Static P2P address: Besu's p2p-host and the host of this node's enode in every peer list and
         * allowlist; its P2P LoadBalancer Service requests exactly this address. Required in existing regions.
         */
        address: ipAddress.optional(),
        /**
         * RPC nodes: the (private) address of the node's JSON-RPC LoadBalancer, where schedulers in other
         * regions reach it. Left out, only schedulers in its own cluster can.
         */
        rpcAddress: ipAddress.optional(),
        /**
         * Cloud regions: the zone the node's pod and volume live in. @default round robin over the region's
         * zones in file order (recorded once deployed: a node never moves away from its volume)
         */
        zone: z.string().min(1).optional(),
        /** An existing Kubernetes Secret in the ledger's namespace holding the private key (hex). */
        keySecret: z.strictObject({ name: dnsLabel(253), key: z.string().min(1).default("key") }).optional(),
        resources: resourcesSchema.optional(),
    })
    .refine((n) => n.keySecret === undefined || n.publicKey !== undefined, {
        error: "keySecret needs publicKey: the peer list and genesis are built from the public key",
        path: ["keySecret"],
    })
    .refine((n) => n.rpcAddress === undefined || n.role === "rpc", {
        error: "rpcAddress is for rpc nodes: validators serve no JSON-RPC to the network",
        path: ["rpcAddress"],
    });

export const ledgerSchema = z.strictObject({
    framework: z.literal("besu"),
    consensus: z.literal("qbft"),
    chainId: z.int().min(1).max(2 ** 53 - 1),
    /** Container image; pin it by digest (`name:tag@sha256:...`). */
    image: z.string().min(1),
    blockPeriodSeconds: z.int().min(1).max(60).default(2),
    epochLength: z.int().min(1).default(30000),
    requestTimeoutSeconds: z.int().min(1).default(4),
    /** Block gas limit. */
    gasLimit: z.int().min(5000).max(2 ** 53 - 1).default(0x1fffffffffffff),
    /** Largest deployable contract, in bytes. @default 24576 (EIP-170) */
    contractSizeLimit: z.int().min(1).max(2 ** 31 - 1).default(24576),
    /**
     * What the chain was created with, kept apart from the current validator set: once a ledger is
     * deployed its genesis never changes, and later validators join by QBFT vote.
     */
    genesis: z
        .strictObject({
            /**
             * The genesis validators: node names, or the 0x address of a validator since removed from the
             * file. @default every validator in `nodes` (pin it before adding a validator to a running chain)
             */
            validators: z.array(z.string().min(1)).min(1).optional(),
        })
        .optional(),
    /** Default resources per role; a node's own `resources` override them. */
    resources: z
        .strictObject({ validator: resourcesSchema.optional(), rpc: resourcesSchema.optional() })
        .optional(),
    nodes: z.array(nodeSchema).min(1),
});

/** Where a dedicated ledger's nodes may (or may not) run: every given list must admit a region. */
const residencyFilter = {
    clouds: z.array(z.enum(CLOUDS)).min(1).optional(),
    countries: z.array(countryCode).min(1).optional(),
    /** Region ids (keys of `regions`). */
    regions: z.array(dnsLabel(30)).min(1).optional(),
};
export const residencySchema = z.strictObject({
    ...residencyFilter,
    /** Excluded even when the lists above admit them. */
    deny: z.strictObject(residencyFilter).optional(),
});

/** A JSON-RPC method name or a namespace wildcard (`eth_*`). */
const rpcMethod = z.string().regex(/^[a-z][a-zA-Z0-9]*_([a-zA-Z0-9]+|\*)$/, { error: "expected a JSON-RPC method such as eth_call, or a namespace wildcard such as debug_*" });

export const dedicatedSchema = z.strictObject({
    /** Validators of the tenant's own chain: at least 4 (QBFT tolerates f = 1 from 4). */
    validators: z.int().min(4).max(100),
    /** RPC nodes, where the schedulers send the tenant's requests. @default 2 */
    rpc: z.int().min(1).max(100).default(2),
    /** Where the ledger's nodes may run; the placement engine chooses among the regions it admits. */
    residency: residencySchema.optional(),
    /** Chain id of the tenant's chain. @default derived from the network and tenant names (shown in the plan) */
    chainId: z.int().min(1).max(2 ** 53 - 1).optional(),
    /** Besu image. @default the image of the network's first shared ledger */
    image: z.string().min(1).optional(),
    blockPeriodSeconds: z.int().min(1).max(60).default(2),
    /** Nodes pinned by hand: these skip placement (the engine places the rest). */
    nodes: z.array(z.strictObject({ name: dnsLabel(30), region: dnsLabel(30), zone: z.string().min(1).optional() })).optional(),
});

export const tenantSchema = z.strictObject({
    /** The tenant's id: its scheduler key, metrics label and, when dedicated, its ledger's id. */
    id: dnsLabel(30),
    /** The shared ledger this tenant transacts on. */
    ledger: dnsLabel(30).optional(),
    /** A ledger of its own (own genesis, keys, namespace) whose nodes share the regions' node pools. */
    dedicated: dedicatedSchema.optional(),
    /** Transactions per second (eth_sendRawTransaction) the tenant may send: its quota, and what its nodes are sized for. */
    tps: z.number().positive(),
    /** JSON-RPC requests per second. @default 10 x tps, at least 50 */
    rps: z.number().positive().optional(),
    /** Fair-share weight when the peers are saturated. */
    weight: z.number().positive().default(1),
    /** Chain data the tenant's dedicated nodes keep, GiB. @default from tps (see scheduler/placement/sizing.ts) */
    storageGiB: z.int().min(1).max(64000).optional(),
    /** JSON-RPC methods this tenant may call beyond the scheduler's default allow-list (e.g. debug_traceTransaction). */
    methods: z.strictObject({ allow: z.array(rpcMethod).min(1) }).optional(),
});

/** The scheduler service every region runs for the tenants (scheduler/, charts/scheduler.ts). */
export const schedulerSchema = z.strictObject({
    /** Image built from scheduler/Dockerfile; pin it by digest (`name:tag@sha256:...`). */
    image: z.string().min(1),
    /** Replicas per region (each enforces 1/replicas of every quota). @default 2 */
    replicas: z.int().min(2).max(50).default(2),
    /** Most replicas the HorizontalPodAutoscaler may add. @default 2 x replicas */
    maxReplicas: z.int().min(2).max(100).optional(),
    resources: z.strictObject({ cpu: cpuQuantity.optional(), memory: memoryQuantity.optional() }).optional(),
});


export const networkSchema = z.strictObject({
    name: dnsLabel(20),
    /** Node endpoints are `<ledger>-<node>.<region>.<domain>`. */
    domain: dnsName,
    regions: z.record(dnsLabel(30), regionSchema),
    ledgers: z.record(dnsLabel(20), ledgerSchema),
    tenants: z.array(tenantSchema).default([]),
    /**
     * CIDRs every peer of every ledger must come from (Besu's net-restrict): the node addresses, every
     * region's egress addresses and the clusters' pod ranges (peers in one cluster connect from their
     * pod addresses). Left out, Besu restricts peers by the allowlist alone.
     */
    netRestrict: z.array(cidr).min(1).optional(),
    /**
     * CIDRs that may reach the cloud clusters' Kubernetes API endpoints (your office, your CI runners'
     * egress). Never the whole internet. Empty: the endpoints are private, reachable from the VPC only.
     */
    apiAllowList: z.array(allowListCidr).default([]),
    /**
     * The DNS zone (named `domain`) and the cloud hosting it: the global stack owns the zone and a record
     * `<ledger>-<node>.<region>.<domain>` for every node's P2P address, for people and tools.
     */
    dns: z.strictObject({ provider: z.enum(CLOUDS) }).optional(),
    /** The tenants' scheduler; required when `tenants` is not empty. */
    scheduler: schedulerSchema.optional(),
});

/** A loaded network: the file's, with dedicated tenants' ledgers added and the placement engine's answer (config/dedicated.ts). */
export type NetworkConfig = z.output<typeof networkSchema> & { readonly placement?: NetworkPlacement };
export type RegionConfig = z.output<typeof regionSchema>;
export type ExistingRegionConfig = z.output<typeof existingRegionSchema>;
export type AwsRegionConfig = z.output<typeof awsRegionSchema>;
export type GcpRegionConfig = z.output<typeof gcpRegionSchema>;
export type AlicloudRegionConfig = z.output<typeof alicloudRegionSchema>;
export type CloudRegionConfig = AwsRegionConfig | GcpRegionConfig | AlicloudRegionConfig;
export type LedgerConfig = z.output<typeof ledgerSchema>;
export type NodeConfig = z.output<typeof nodeSchema>;
export type TenantConfig = z.output<typeof tenantSchema>;
export type DedicatedConfig = z.output<typeof dedicatedSchema>;
export type ResidencyConfig = z.output<typeof residencySchema>;
export type SchedulerConfig = z.output<typeof schedulerSchema>;
export type CloudPrices = z.output<typeof cloudPricesSchema>;
export type Resources = z.output<typeof resourcesSchema>;

/** The project's config namespace, and the secret config key holding brought node keys. */
export const PROJECT = "ledgerfleet";
export const NODE_KEYS_KEY = `${PROJECT}:nodeKeys`;
/** Stack config marking a throwaway test network: development chain ids are allowed, and the plan says so. */
export const LAB_KEY = `${PROJECT}:lab`;

/** Entry of `ledgerfleet:nodeKeys` (and of the global stack's private keys) for one node. */
export function nodeKeyConfigPath(ledger: string, node: string): string {
    return `${ledger}/${node}`;
}

/** What a stack deploys: `all` regions, the `global` identities, or one `region:<id>`. */
export type DeployTarget = { kind: "all" } | { kind: "global" } | { kind: "region"; region: string };

export const deploySchema = z
    .string()
    .regex(/^(all|global|region:[a-z][a-z0-9-]*)$/, { error: "expected all, global or region:<region-id>" })
    .default("all");

/** The `config:` block of `stacks/Pulumi.<stack>.yaml`; other namespaces pass through. */
export const stackConfigSchema = z.looseObject({
    "ledgerfleet:network": z.string().min(1),
    "ledgerfleet:deploy": deploySchema,
    /** Name of the global stack a `region:<id>` stack reads identities from (`org/project/stack`). */
    "ledgerfleet:globalStack": z.string().min(1).optional(),
    /** `true` for a throwaway test network (see LAB_KEY); Pulumi hands it over as the string "true". */
    "ledgerfleet:lab": z.enum(["true", "false"], { error: "expected true or false" }).optional(),
});

/** Whether a stack with this target builds the nodes of `region` (and so needs their private keys). */
export function deploysRegion(target: DeployTarget, region: string): boolean {
    return target.kind === "all" || (target.kind === "region" && target.region === region);
}

export function parseDeployTarget(value: string): DeployTarget {
    if (value === "all" || value === "global") return { kind: value };
    return { kind: "region", region: value.slice("region:".length) };
}
