// The Google Cloud adapter under the shared mocks (cli/mocks.ts, with cli/mocks-gcp.ts wired in): what a security reviewer of a GKE region checks,
// read from the inputs the program registers. Two regions: `priv` (no API allow-list, P2P peers) and
// `pub` (an allow-list, no P2P sources yet).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, LedgerfleetMocks, type Registration, unwrapSecrets } from "../cli/mocks";
import { PLAN_GCP_PROJECT, PLAN_GCP_PROJECT_NUMBER } from "../cli/mocks-gcp";
import { addressName, checkGkeArgs, gcpAdapter, gcpDns, gcpName, gkeAddressPlan, p2pSourceRanges } from "../components/clouds/gcp";
import { TAG_KEYS } from "../components/clouds/tags";
import type { P2pServiceRequest, ReservedAddress } from "../components/clouds/types";
import { GCP_CATALOG } from "../config/catalog/gcp";
import type { GcpRegionConfig } from "../config/schema";

function unwrap<T>(value: pulumi.Input<T>): Promise<T> {
    return new Promise((resolve) => pulumi.output(value).apply((v) => (resolve(v as T), v)));
}

const P2P_SOURCES = ["198.51.100.7/32", "203.0.113.9/32"];
const region = (name: string, apiAllowList: string[]): GcpRegionConfig => ({ cloud: "gcp", region: "europe-west3", vpcCidr: name === "priv" ? "10.0.0.0/16" : "10.8.0.0/16", apiAllowList });
const pools = {
    system: { machine: "e2-standard-2", min: 2, max: 4, desired: 3, perZone: { min: 1, max: 2, desired: 1 } },
    ledger: { machine: "n2-standard-8", min: 3, max: 9, desired: 4, perZone: { min: 1, max: 3, desired: 2 } },
};

interface Built {
    p2p: { ip: string; ref: string };
    egress: string[];
    request: P2pServiceRequest;
    resolved: { annotations: Record<string, string>; loadBalancerIP: string };
    access: { storageClass: string; ledgerNodeSelector: Record<string, string>; podCidrs?: readonly string[]; zones?: readonly string[]; dependsOnTypes: string[] };
}

let mocks: LedgerfleetMocks;
const built: Record<string, Built> = {};
let nameServers: string[] = [];

beforeAll(async () => {
    mocks = new LedgerfleetMocks();
    await installMocks(mocks, "ledgerfleet", "dev");
    await pulumi.runtime.runInPulumiStack(async () => {
        const parent = new pulumi.ComponentResource("ledgerfleet:test:Region", "test-parent", {});
        for (const [id, allow] of [["priv", []], ["pub", ["203.0.113.0/24"]]] as const) {
            const r = region(id, [...allow]);
            const provider = gcpAdapter.provider(`${id}-gcp`, { network: "meridian", regionId: id, region: r, parent });
            const base = { network: "meridian", regionId: id, region: r, provider, parent };
            const p2p = gcpAdapter.reserveAddress(`${id}-main-val-1`, { ...base, purpose: "p2p", node: "main/val-1" });
            const egress: ReservedAddress[] = Array.from({ length: gcpAdapter.egressCount(r) }, (_, i) => gcpAdapter.reserveAddress(`${id}-egress-${i}`, { ...base, purpose: "egress" }));
            const access = gcpAdapter.cluster(id, {
                ...base,
                egress,
                apiAllowList: [...allow],
                p2pSources: id === "priv" ? P2P_SOURCES : [],
                pools,
                zones: ["europe-west3-a", "europe-west3-b", "europe-west3-c"],
            });
            const request = access.p2pService(p2p, "europe-west3-a");
            const annotations: Record<string, string> = {};
            for (const [k, v] of Object.entries(request.annotations)) annotations[k] = await unwrap(v);
            built[id] = {
                p2p: { ip: await unwrap(p2p.ip), ref: await unwrap(p2p.ref) },
                egress: await Promise.all(egress.map((e) => unwrap(e.ref))),
                request,
                resolved: { annotations, loadBalancerIP: await unwrap(request.spec.loadBalancerIP ?? "") },
                access: { ...access, dependsOnTypes: (access.dependsOn ?? []).map((d) => (d as pulumi.CustomResource & { __pulumiType: string }).__pulumiType) },
            };
            if (id === "priv") {
                const dns = gcpDns.zone("meridian-dns", { network: "meridian", domain: "meridian.ledger.example", provider, regionId: id, parent, records: [{ key: "main-val-1", relativeName: "main-val-1.priv", ip: p2p.ip }] });
                nameServers = await unwrap(dns.nameServers);
            }
        }
        return {};
    });
    await pulumi.runtime.disconnect();
});

type Inputs = Record<string, unknown>;
const inputs = (r: Registration) => unwrapSecrets(r.inputs) as Inputs;
/** A nested input by path (`at(cluster, "loggingConfig", "enableComponents")`); undefined when absent. */
const at = (value: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (typeof v === "object" && v !== null ? (v as Inputs)[k] : undefined), value);
const ofRegion = (type: string, id: string) => mocks.ofType(type).filter((r) => r.name.startsWith(`${id}-`));
const one = (type: string, id: string) => {
    const found = ofRegion(type, id);
    expect(found, `${type} in ${id}`).toHaveLength(1);
    return found[0];
};
const providerUrn = (reg: string) => reg.split("::").slice(0, -1).join("::");
const keyId = (id: string) => `mocked::gcp:kms/cryptoKey:CryptoKey::${id}-key`;

describe("GKE cluster security (gcpAdapter.cluster)", () => {
    it("encrypts Kubernetes secrets with a protected, rotating Cloud KMS key the GKE service agent may use", () => {
        const key = one("gcp:kms/cryptoKey:CryptoKey", "priv");
        expect(key.protect).toBe(true);
        expect(inputs(key)["rotationPeriod"]).toBe("7776000s");
        expect(inputs(one("gcp:container/cluster:Cluster", "priv"))["databaseEncryption"]).toEqual({ state: "ENCRYPTED", keyName: keyId("priv") });
        const members = ofRegion("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "priv").map((r) => inputs(r));
        expect(members.map((m) => m["member"]).sort()).toEqual([
            `serviceAccount:service-${PLAN_GCP_PROJECT_NUMBER}@compute-system.iam.gserviceaccount.com`,
            `serviceAccount:service-${PLAN_GCP_PROJECT_NUMBER}@container-engine-robot.iam.gserviceaccount.com`,
        ]);
        for (const m of members) expect(m).toMatchObject({ cryptoKeyId: keyId("priv"), role: "roles/cloudkms.cryptoKeyEncrypterDecrypter" });
    });

    it("keeps the API endpoint private without an allow-list, and opens it only to the allow-list otherwise", () => {
        const priv = inputs(one("gcp:container/cluster:Cluster", "priv"));
        expect(priv["privateClusterConfig"]).toMatchObject({ enablePrivateNodes: true, enablePrivateEndpoint: true, masterIpv4CidrBlock: "10.0.255.240/28" });
        expect(priv["masterAuthorizedNetworksConfig"]).toEqual({ cidrBlocks: [], gcpPublicCidrsAccessEnabled: false });
        expect(priv["controlPlaneEndpointsConfig"]).toEqual({ dnsEndpointConfig: { allowExternalTraffic: false } });
        const pub = inputs(one("gcp:container/cluster:Cluster", "pub"));
        expect(pub["privateClusterConfig"]).toMatchObject({ enablePrivateNodes: true, enablePrivateEndpoint: false });
        expect(pub["masterAuthorizedNetworksConfig"]).toEqual({ cidrBlocks: [{ cidrBlock: "203.0.113.0/24", displayName: "apiAllowList" }], gcpPublicCidrsAccessEnabled: false });
        expect(pub["controlPlaneEndpointsConfig"]).toEqual({ dnsEndpointConfig: { allowExternalTraffic: false } });
    });

    it("sends the API server's logs to Cloud Logging (Admin Activity audit logs are always on in GKE)", () => {
        const cluster = inputs(one("gcp:container/cluster:Cluster", "priv"));
        expect(at(cluster, "loggingConfig", "enableComponents")).toEqual(expect.arrayContaining(["APISERVER", "SYSTEM_COMPONENTS"]));
        expect(at(cluster, "monitoringConfig", "enableComponents")).toContain("APISERVER");
    });

    it("builds a regional, VPC-native cluster with Workload Identity, Dataplane V2, shielded nodes and deletion protection", () => {
        const cluster = inputs(one("gcp:container/cluster:Cluster", "priv"));
        expect(cluster).toMatchObject({
            location: "europe-west3",
            nodeLocations: ["europe-west3-a", "europe-west3-b", "europe-west3-c"],
            removeDefaultNodePool: true,
            deletionProtection: true,
            enableShieldedNodes: true,
            datapathProvider: "ADVANCED_DATAPATH",
            workloadIdentityConfig: { workloadPool: `${PLAN_GCP_PROJECT}.svc.id.goog` },
            ipAllocationPolicy: { clusterSecondaryRangeName: "pods", servicesSecondaryRangeName: "services" },
            masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
            minMasterVersion: GCP_CATALOG.defaults.kubernetesVersion,
        });
        expect(String(cluster["name"]).length).toBeLessThanOrEqual(40);
        const subnet = inputs(one("gcp:compute/subnetwork:Subnetwork", "priv"));
        expect(subnet).toMatchObject({ ipCidrRange: "10.0.128.0/20", privateIpGoogleAccess: true });
        expect(subnet["secondaryIpRanges"]).toEqual([
            { rangeName: "pods", ipCidrRange: "10.0.0.0/17" },
            { rangeName: "services", ipCidrRange: "10.0.144.0/20" },
        ]);
        expect(built["priv"].access.podCidrs).toEqual(["10.0.0.0/17"]);
        expect(built["priv"].access.zones).toEqual(["europe-west3-a", "europe-west3-b", "europe-west3-c"]);
    });
});

describe("nodes (gcpAdapter.cluster node pools)", () => {
    const poolsOf = (id: string) => Object.fromEntries(ofRegion("gcp:container/nodePool:NodePool", id).map((r) => [r.name.slice(id.length + 1), inputs(r)]));

    it("taints and labels the ledger pool, and leaves the system pool untainted", () => {
        const { ledger, system } = poolsOf("priv");
        expect(at(ledger, "nodeConfig", "labels")).toEqual({ "ledgerfleet.io/pool": "ledger" });
        expect(at(ledger, "nodeConfig", "taints")).toEqual([{ key: "ledgerfleet.io/pool", value: "ledger", effect: "NO_SCHEDULE" }]);
        expect(at(system, "nodeConfig", "taints")).toEqual([]);
        expect(built["priv"].access.ledgerNodeSelector).toEqual({ "ledgerfleet.io/pool": "ledger" });
    });

    it("sizes each pool from the Region's pool sizes (GKE counts machines per zone at creation)", () => {
        const { ledger, system } = poolsOf("priv");
        expect(at(ledger, "nodeConfig", "machineType")).toBe("n2-standard-8");
        expect(ledger["autoscaling"]).toMatchObject({ totalMinNodeCount: 3, totalMaxNodeCount: 9 });
        expect(ledger["initialNodeCount"]).toBe(2);
        expect(at(system, "nodeConfig", "machineType")).toBe("e2-standard-2");
        expect(system["autoscaling"]).toMatchObject({ totalMinNodeCount: 2, totalMaxNodeCount: 4 });
    });

    it("runs private, shielded machines with CMEK boot disks, GKE metadata server and a least-privilege service account", () => {
        const account = inputs(one("gcp:serviceaccount/account:Account", "priv"));
        const email = `${String(account["accountId"])}@${PLAN_GCP_PROJECT}.iam.gserviceaccount.com`;
        for (const pool of Object.values(poolsOf("priv"))) {
            expect(pool["networkConfig"]).toEqual({ enablePrivateNodes: true });
            expect(pool["nodeConfig"]).toMatchObject({
                serviceAccount: email,
                bootDiskKmsKey: keyId("priv"),
                shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
                workloadMetadataConfig: { mode: "GKE_METADATA" },
            });
        }
        const grants = ofRegion("gcp:projects/iAMMember:IAMMember", "priv").map((r) => inputs(r));
        // GKE's documented minimum for a node service account, plus pulling images: nothing else.
        expect(grants.map((g) => g["role"]).sort()).toEqual([
            "roles/artifactregistry.reader",
            "roles/logging.logWriter",
            "roles/monitoring.metricWriter",
            "roles/monitoring.viewer",
            "roles/stackdriver.resourceMetadata.writer",
        ]);
        for (const g of grants) expect(g).toMatchObject({ member: `serviceAccount:${email}`, project: PLAN_GCP_PROJECT });
    });

    it("sends the machines' traffic out through Cloud NAT on the reserved egress addresses only", () => {
        const nat = inputs(one("gcp:compute/routerNat:RouterNat", "priv"));
        expect(nat).toMatchObject({ natIpAllocateOption: "MANUAL_ONLY", sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS" });
        expect(nat["natIps"]).toEqual(built["priv"].egress);
        expect(built["priv"].egress).toHaveLength(2);
    });
});

describe("storage", () => {
    it("gives ledger volumes a CMEK-encrypted pd-balanced StorageClass that retains them", () => {
        const sc = ofRegion("kubernetes:storage.k8s.io/v1:StorageClass", "priv").map(inputs);
        expect(sc).toHaveLength(1);
        expect(sc[0]).toMatchObject({
            metadata: { name: "ledger-data" },
            provisioner: "pd.csi.storage.gke.io",
            parameters: { type: "pd-balanced", "disk-encryption-kms-key": keyId("priv") },
            reclaimPolicy: "Retain",
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
        });
        expect(built["priv"].access.storageClass).toBe("ledger-data");
        expect(built["priv"].access.dependsOnTypes).toEqual(["kubernetes:storage.k8s.io/v1:StorageClass"]);
    });
});

describe("P2P exposure", () => {
    it("opens TCP 30303 to the P2P sources only, on the ledger machines only", () => {
        const rules = ofRegion("gcp:compute/firewall:Firewall", "priv").map(inputs);
        expect(rules).toHaveLength(1);
        const ledgerPool = mocks.ofType("gcp:container/nodePool:NodePool").find((r) => r.name === "priv-ledger");
        const ledgerTags = at(inputs(ledgerPool!), "nodeConfig", "tags");
        expect(ledgerTags).toHaveLength(1);
        expect(rules[0]).toMatchObject({ direction: "INGRESS", allows: [{ protocol: "tcp", ports: ["30303"] }], sourceRanges: P2P_SOURCES, targetTags: ledgerTags });
        expect(rules[0]["denies"]).toBeUndefined();
        expect(rules[0]["sourceTags"]).toBeUndefined();
    });

    it("creates no firewall rule without P2P sources (GCP would read a rule without sources as 0.0.0.0/0)", () => {
        expect(ofRegion("gcp:compute/firewall:Firewall", "pub")).toEqual([]);
        for (const rule of mocks.ofType("gcp:compute/firewall:Firewall").map(inputs)) {
            expect(rule["sourceRanges"]).not.toContain("0.0.0.0/0");
        }
    });

    it("refuses a world-open P2P source", () => {
        expect(() => p2pSourceRanges(["198.51.100.7/32", "0.0.0.0/0"])).toThrow(/not 0\.0\.0\.0\/0/);
        expect(p2pSourceRanges(P2P_SOURCES)).toEqual(P2P_SOURCES);
    });

    it("binds a node's P2P Service to exactly its reserved address, by name and by value", () => {
        const { p2p, resolved, request } = built["priv"];
        const reserved = String(inputs(one("gcp:compute/address:Address", "priv-main"))["name"]);
        expect(reserved).toBe("priv-main-val-1");
        expect(p2p.ref).toBe(`https://www.googleapis.com/compute/v1/projects/${PLAN_GCP_PROJECT}/regions/europe-west3/addresses/${reserved}`);
        expect(resolved.annotations).toEqual({ "cloud.google.com/l4-rbs": "enabled", "networking.gke.io/load-balancer-ip-addresses": reserved });
        expect(resolved.loadBalancerIP).toBe(p2p.ip);
        expect(request.spec.loadBalancerClass).toBeUndefined();
    });

    it("reserves premium regional external addresses, protected, labelled with their node", () => {
        const p2p = one("gcp:compute/address:Address", "priv-main");
        expect(p2p.protect).toBe(true);
        expect(inputs(p2p)).toMatchObject({ addressType: "EXTERNAL", networkTier: "PREMIUM", region: "europe-west3", labels: { [TAG_KEYS.role]: "p2p-address", [TAG_KEYS.node]: "main_val-1" } });
        const egress = ofRegion("gcp:compute/address:Address", "priv-egress");
        expect(egress).toHaveLength(2);
        for (const e of egress) {
            expect(e.protect).toBe(true);
            expect(at(inputs(e), "labels", TAG_KEYS.role)).toBe("egress-address");
        }
    });
});

describe("every resource", () => {
    it("has an explicit provider of its cloud region (never a default provider) and a parent", () => {
        const providers = new Map(mocks.registrations.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.name, r.urn]));
        for (const r of mocks.registrations.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))) {
            expect(r.provider, `${r.type} ${r.name}`).not.toBe("");
            const id = r.name.split("-")[0] === "meridian" ? "priv" : r.name.split("-")[0];
            const expected = r.type.startsWith("kubernetes:") ? providers.get(`${id}-k8s`) : providers.get(`${id}-gcp`);
            expect(providerUrn(r.provider), `${r.type} ${r.name}`).toBe(expected);
            expect(r.parent, `${r.type} ${r.name}`).not.toBe("");
        }
    });

    // Which GCP resources take labels, read from the provider's own typings; each labelled one names
    // the network, region and role.
    it("labels every resource whose type takes labels", () => {
        const labelField: Record<string, string[]> = {
            "gcp:compute/address:Address": ["labels"],
            "gcp:kms/cryptoKey:CryptoKey": ["labels"],
            "gcp:dns/managedZone:ManagedZone": ["labels"],
            "gcp:container/cluster:Cluster": ["resourceLabels"],
            "gcp:container/nodePool:NodePool": ["nodeConfig", "resourceLabels"],
        };
        const gcpTypes = [...new Set(mocks.registrations.filter((r) => r.type.startsWith("gcp:")).map((r) => r.type))];
        for (const type of gcpTypes) {
            const [, mod, res] = /^gcp:([a-z]+)\/([A-Za-z]+):/.exec(type)!;
            const file = join(__dirname, "../node_modules/@pulumi/gcp", mod, `${res.charAt(0).toLowerCase()}${res.slice(1)}.d.ts`.replace(/^iAMMember/, "iammember"));
            const args = /export interface \w+Args \{([\s\S]*?)\n\}/.exec(readFileSync(file, "utf8"))?.[1] ?? "";
            const takesLabels = /\n\s+(labels|resourceLabels)\?:/.test(args) || type === "gcp:container/nodePool:NodePool";
            expect(takesLabels, type).toBe(type in labelField);
        }
        for (const [type, field] of Object.entries(labelField)) {
            for (const r of mocks.ofType(type)) {
                expect(at(inputs(r), ...field), `${type} ${r.name}`).toMatchObject({ [TAG_KEYS.network]: "meridian", [TAG_KEYS.region]: expect.any(String), [TAG_KEYS.role]: expect.any(String) });
            }
        }
    });
});

describe("Cloud DNS (gcpDns)", () => {
    it("creates a protected, DNSSEC-signed public zone with one A record per node", () => {
        const zone = mocks.ofType("gcp:dns/managedZone:ManagedZone");
        expect(zone).toHaveLength(1);
        expect(zone[0].protect).toBe(true);
        expect(inputs(zone[0])).toMatchObject({ dnsName: "meridian.ledger.example.", visibility: "public", dnssecConfig: { state: "on" } });
        const records = mocks.ofType("gcp:dns/recordSet:RecordSet").map(inputs);
        expect(records).toEqual([expect.objectContaining({ name: "main-val-1.priv.meridian.ledger.example.", type: "A", rrdatas: [built["priv"].p2p.ip] })]);
        expect(nameServers).toHaveLength(4);
    });
});

describe("argument checks (pure)", () => {
    it("carves pods, nodes, Services and the control plane out of the VPC range without overlap", () => {
        expect(gkeAddressPlan("10.20.0.0/16")).toEqual({ pods: "10.20.0.0/17", nodes: "10.20.128.0/20", services: "10.20.144.0/20", master: "10.20.255.240/28" });
        expect(gkeAddressPlan("172.16.0.0/20")).toEqual({ pods: "172.16.0.0/21", nodes: "172.16.8.0/24", services: "172.16.9.0/24", master: "172.16.15.240/28" });
        expect(() => gkeAddressPlan("10.0.0.0/24")).toThrow(/between \/8 and \/20/);
        expect(() => gkeAddressPlan("fd00::/48")).toThrow(/IPv4/);
    });

    it("refuses a cluster without egress addresses or with another region's zones", () => {
        const r = region("priv", []);
        expect(() => checkGkeArgs({ regionId: "x", region: r, egress: [], zones: ["europe-west3-a"] })).toThrow(/egress addresses/);
        expect(() => checkGkeArgs({ regionId: "x", region: r, egress: [{ ip: "198.18.0.1", ref: "l" }], zones: ["us-east1-b"] })).toThrow(/zones of europe-west3/);
    });

    it("makes GCP names within Google's limits and reads an address's name from its self link", () => {
        const long = "a-region-id-that-is-much-longer-than-gke-allows";
        expect(gcpName("meridian-gcp-fra", "gke", 40)).toBe("meridian-gcp-fra-gke");
        expect(gcpName("1st-region", "nodes", 30)).toBe("lf-1st-region-nodes");
        expect(gcpName(long, "gke", 40)).toMatch(/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/);
        expect(gcpName(long, "nodes", 30).length).toBeLessThanOrEqual(30);
        expect(gcpName(long, "nodes", 30)).not.toBe(gcpName(`${long}-2`, "nodes", 30));
        expect(addressName("https://www.googleapis.com/compute/v1/projects/p/regions/r/addresses/node-1")).toBe("node-1");
        expect(() => addressName("203.0.113.1")).toThrow(/self link/);
    });
});

describe("GCP_CATALOG", () => {
    it("is dated, sourced, and its defaults are in it", () => {
        expect(GCP_CATALOG.checked).toBe("2026-11-25");
        expect(GCP_CATALOG.sources.every((s) => s.startsWith("https://cloud.google.com/"))).toBe(true);
        expect(Object.keys(GCP_CATALOG.regions).length).toBeGreaterThanOrEqual(12);
        for (const [name, zones] of Object.entries(GCP_CATALOG.regions)) {
            expect(zones.length, name).toBeGreaterThanOrEqual(3);
            for (const z of zones) expect(z).toMatch(new RegExp(`^${name}-[a-z]$`));
        }
        expect(GCP_CATALOG.machines[GCP_CATALOG.defaults.systemMachine]).toMatchObject({ vcpu: 2, memoryGiB: 8 });
        expect(GCP_CATALOG.machines[GCP_CATALOG.defaults.ledgerMachine]).toMatchObject({ vcpu: 8, memoryGiB: 32 });
        expect(GCP_CATALOG.machines["n2-highmem-32"]).toMatchObject({ vcpu: 32, memoryGiB: 256 });
    });
});
