// The multi-cloud example (stacks/Pulumi.dev.yaml: meridian, on AWS, Google Cloud, Alibaba Cloud and
// an on-premises cluster), planned offline: what a security reviewer and an operator check before
// the first `pulumi up`, read from what the program registers.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { plan, type Plan } from "../cli/plan";
import { type Registration, unwrapSecrets } from "../cli/mocks";
import { nodeAddressResourceName } from "../config/names";

let all: Plan;
let regionStack: Plan;
/** The example planned again as a stack whose last update put tradefin's val-1 and val-2 each where the other is now. */
let redeployed: Plan;
let swapped: { val1: { region: string; zone: string }; val2: { region: string; zone: string } };

beforeAll(async () => {
    all = await plan({ stack: "dev" });
    regionStack = await plan({ stack: "aws-fra" });
    const outputs = structuredClone(unwrapSecrets(all.mocks.stackOutputs)) as { ledgers: Record<string, { nodes: Record<string, { region: string; zone: string }> }> };
    const nodes = outputs.ledgers["tradefin"]?.nodes ?? {};
    const [v1, v2] = [nodes["val-1"], nodes["val-2"]];
    if (v1 === undefined || v2 === undefined) throw new Error("the example's tradefin has no val-1 and val-2");
    swapped = { val1: { region: v2.region, zone: v2.zone }, val2: { region: v1.region, zone: v1.zone } };
    Object.assign(v1, swapped.val1);
    Object.assign(v2, swapped.val2);
    redeployed = await plan({ stack: "dev", deployed: outputs });
}, 90_000);

const regs = (p: Plan) => p.mocks.registrations;
const ofType = (p: Plan, type: string) => regs(p).filter((r) => r.type === type);
const one = (p: Plan, type: string): Registration => {
    const found = ofType(p, type);
    expect(found, type).toHaveLength(1);
    return found[0] as Registration;
};
const byUrn = (p: Plan) => new Map(regs(p).map((r) => [r.urn, r]));
/** The provider's URN in a registration's provider reference (`<urn>::<id>`). */
const providerUrn = (r: Registration) => r.provider.slice(0, r.provider.lastIndexOf("::"));

/** The Region component a resource belongs to (by parent chain), or undefined. */
function regionOf(p: Plan, r: Registration): string | undefined {
    const index = byUrn(p);
    for (let at: Registration | undefined = r; at !== undefined; at = index.get(at.parent)) {
        if (at.type === "ledgerfleet:index:Region") return at.name.replace(/^meridian-/, "");
    }
    return undefined;
}

/** Every resource `r` waits for, transitively (dependencies and parents' dependencies are what the engine orders by). */
function dependsTransitively(p: Plan, r: Registration): Set<string> {
    const index = byUrn(p);
    const seen = new Set<string>();
    const queue = [...r.dependencies];
    while (queue.length > 0) {
        const urn = queue.pop() as string;
        if (seen.has(urn)) continue;
        seen.add(urn);
        queue.push(...(index.get(urn)?.dependencies ?? []));
    }
    return seen;
}

const CLUSTER_TYPES: Readonly<Record<string, string>> = {
    "aws-fra": "aws:eks/cluster:Cluster",
    "gcp-fra": "gcp:container/cluster:Cluster",
    "ali-fra": "alicloud:cs/managedKubernetes:ManagedKubernetes",
    "aws-dub": "aws:eks/cluster:Cluster",
    "gcp-ams": "gcp:container/cluster:Cluster",
};
const CLOUD_REGIONS = Object.keys(CLUSTER_TYPES);

/** The one resource of a type in a region (the example has two AWS and two Google Cloud regions). */
const oneIn = (p: Plan, type: string, region: string): Registration => {
    const found = ofType(p, type).filter((r) => regionOf(p, r) === region);
    expect(found, `${type} in ${region}`).toHaveLength(1);
    return found[0] as Registration;
};

describe("the multi-cloud example", () => {
    it("plans clean: six regions over three clouds and a data centre, four failure domains, none holding more than f = 2 of main's validators", () => {
        expect(all.exitCode).toBe(0);
        // The whole policy pack on the example: no mandatory finding. The one advisory says what is
        // true of every dedicated ledger placed on three clouds: it survives losing a region, not a cloud.
        for (const p of [all, regionStack]) {
            expect(p.policy.filter((f) => f.enforcementLevel === "mandatory")).toEqual([]);
            expect(new Set(p.policy.map((f) => f.policy))).toEqual(new Set(["ledger-cloud-spread"]));
            for (const f of p.policy) expect(f.message).toMatch(/ledger (tradefin|healthrec|carbonreg) runs on/);
        }
        expect(Object.keys(all.loaded.network.regions)).toEqual(["aws-fra", "gcp-fra", "ali-fra", "aws-dub", "gcp-ams", "dc-ams"]);
        expect(all.summary).toMatch(/cloud\s+aws\s+2\s+yes/);
        expect(all.summary).toMatch(/cloud\s+gcp\s+2\s+yes/);
        expect(all.summary).toMatch(/cloud\s+alicloud\s+2\s+yes/);
        expect(all.summary).toMatch(/cloud\s+existing:dc-ams\s+1\s+yes/);
    });

    it("names an explicit provider on every resource: no default provider anywhere", () => {
        const custom = regs(all).filter((r) => r.custom && !r.type.startsWith("pulumi:providers:") && r.type !== "pulumi:pulumi:StackReference");
        expect(custom.length).toBeGreaterThan(200);
        for (const r of custom) {
            expect(r.provider, r.urn).not.toBe("");
            expect(r.provider, r.urn).not.toMatch(/::default(_[0-9_]+)?::/);
        }
    });

    it("builds every Kubernetes object of a region with that region's provider, made from that region's own cluster", () => {
        const index = byUrn(all);
        const kube = regs(all).filter((r) => r.type.startsWith("kubernetes:"));
        expect(kube.length).toBeGreaterThan(90);
        for (const r of kube) {
            const region = regionOf(all, r);
            expect(region, r.urn).toBeDefined();
            const provider = index.get(providerUrn(r));
            expect(provider?.type, r.urn).toBe("pulumi:providers:kubernetes");
            expect(regionOf(all, provider as Registration), r.urn).toBe(region);
            const clusterType = CLUSTER_TYPES[region as string];
            if (clusterType === undefined) {
                expect(provider?.inputs["context"]).toBe("dc-ams");
                continue;
            }
            // The provider's kubeconfig comes from this region's cluster, and from no other region's.
            const clusters = [...dependsTransitively(all, provider as Registration)].map((u) => index.get(u)).filter((d) => d !== undefined && Object.values(CLUSTER_TYPES).includes(d.type));
            expect(clusters.map((c) => c?.type), r.urn).toEqual([clusterType]);
            expect(regionOf(all, clusters[0] as Registration)).toBe(region);
        }
    });

    it("joins each node's enode to the static address reserved for it, bound to its P2P Service, and to its DNS record", () => {
        const outputs = all.plan.outputs as {
            ledgers: { main: { nodes: Record<string, { enode: string; region: string; dnsName: string }> } };
            addresses: { nodes: Record<string, { ip: string; ref: string }> };
        };
        const nodes = Object.entries(outputs.ledgers.main.nodes);
        expect(nodes).toHaveLength(11);
        const ips = new Set<string>();
        for (const [name, node] of nodes) {
            const address = outputs.addresses.nodes[`main/${name}`];
            expect(address, name).toBeDefined();
            const host = new URL(node.enode.replace("enode://", "http://")).hostname;
            expect(host, name).toBe(address?.ip);
            ips.add(host);

            const cloud = all.loaded.network.regions[node.region]?.cloud;
            if (cloud !== "existing") {
                // Reserved for this node, in its own region's cloud, and protected.
                const reserved = regs(all).find((r) => r.name === nodeAddressResourceName("meridian", node.region, "main", name));
                expect(reserved?.protect, name).toBe(true);
                expect(reserved?.type.startsWith(`${cloud}:`), name).toBe(true);
                expect(address?.ip, name).toMatch(/^198\.1[89]\./);
            }
            // The P2P Service asks for exactly this address (by the cloud's handle for it, or the IP).
            const service = all.manifests.find((m) => m.path === `${node.region}/meridian-main/Service-${name}-p2p.yaml`);
            expect(service, name).toBeDefined();
            const asked = JSON.stringify({ a: (service?.object["metadata"] as { annotations?: unknown }).annotations, s: service?.object["spec"] });
            expect(asked.includes(address?.ref as string) || asked.includes(address?.ip as string), name).toBe(true);
            // The DNS record of its name points at the same address.
            const record = ofType(all, "aws:route53/record:Record").find((r) => `${String(r.inputs["name"])}` === node.dnsName || `${String(r.inputs["name"])}.meridian.ledger.example` === node.dnsName);
            expect(record?.inputs["records"], name).toEqual([address?.ip]);
            expect(record?.inputs["type"]).toBe("A");
        }
        expect(ips.size).toBe(11);
    });

    it("reserves every address in the global stack, protected; a region stack reserves none and builds only its region", () => {
        const reserved = regs(all).filter((r) => /:(ec2\/eip:Eip|compute\/address:Address|ecs\/eipAddress:EipAddress)$/.test(r.type));
        // One per cloud node (the data centre's two are in the file), plus NAT egress: 3 per AWS region (one
        // per zone), 2 per Google Cloud region, 1 in Alibaba Cloud.
        const network = all.loaded.network;
        const cloudNodes = Object.values(network.ledgers).flatMap((l) => l.nodes).filter((n) => network.regions[n.region]?.cloud !== "existing");
        expect(cloudNodes.length).toBe(9 + 21);
        expect(reserved).toHaveLength(cloudNodes.length + 2 * 3 + 2 * 2 + 1);
        for (const r of reserved) expect(r.protect, r.urn).toBe(true);

        const region = regs(regionStack).filter((r) => r.custom && !r.type.startsWith("pulumi:"));
        expect(region.length).toBeGreaterThan(40);
        for (const r of region) expect(regionOf(regionStack, r), r.urn).toBe("aws-fra");
        expect(regs(regionStack).filter((r) => reserved.some((x) => x.type === r.type))).toEqual([]);
        expect(ofType(regionStack, "aws:route53/zone:Zone")).toEqual([]);
        // The region stack's NAT gateways use the addresses the global stack reserved.
        const nat = ofType(regionStack, "aws:ec2/natGateway:NatGateway").map((r) => r.inputs["allocationId"]);
        expect(nat).toHaveLength(3);
        for (const id of nat) expect(id).toMatch(/^eipalloc-/);
    });

    it("outputs each cloud region's managed cluster, which the rollout's kubeconfig context is made from", () => {
        const clusters = (all.plan.outputs as { clusters: Record<string, { cloud: string; region: string; cluster: string }> }).clusters;
        expect(Object.keys(clusters).sort()).toEqual([...CLOUD_REGIONS].sort());
        expect(clusters["aws-fra"]).toEqual({ cloud: "aws", region: "eu-central-1", cluster: oneIn(all, "aws:eks/cluster:Cluster", "aws-fra").inputs["name"] });
        expect(clusters["gcp-fra"]).toEqual({ cloud: "gcp", region: "europe-west3", cluster: oneIn(all, "gcp:container/cluster:Cluster", "gcp-fra").inputs["name"] });
        expect((regionStack.plan.outputs as { clusters: Record<string, unknown> }).clusters).toEqual({ "aws-fra": clusters["aws-fra"] });
    });

    it("gives a region stack the same genesis ConfigMap, byte for byte, as the whole-network stack", () => {
        const genesis = (p: Plan) => p.manifests.find((m) => m.path === "aws-fra/meridian-main/ConfigMap-genesis.yaml")?.yaml;
        expect(genesis(regionStack)).toBeDefined();
        expect(genesis(regionStack)).toBe(genesis(all));
    });
});

describe("security-relevant inputs per cloud, on the example's plan", () => {
    const allowList = ["203.0.113.0/28"];

    it("AWS: EKS secrets under a rotating customer key, private endpoint public only to the allow-list, audit logs, nodes in private subnets", () => {
        const eks = oneIn(all, "aws:eks/cluster:Cluster", "aws-fra").inputs as {
            encryptionConfig: { resources: string[]; provider: { keyArn: string } };
            vpcConfig: { endpointPrivateAccess: boolean; publicAccessCidrs: string[]; subnetIds: string[] };
            enabledClusterLogTypes: string[];
        };
        expect(eks.encryptionConfig.resources).toEqual(["secrets"]);
        expect(eks.encryptionConfig.provider.keyArn).toMatch(/^arn:aws:kms:/);
        for (const key of ofType(all, "aws:kms/key:Key")) expect(key.inputs["enableKeyRotation"]).toBe(true);
        expect(eks.vpcConfig.endpointPrivateAccess).toBe(true);
        expect(eks.vpcConfig.publicAccessCidrs).toEqual(allowList);
        expect(eks.enabledClusterLogTypes).toEqual(expect.arrayContaining(["api", "audit", "authenticator"]));
        const subnets = new Map(ofType(all, "aws:ec2/subnet:Subnet").map((s) => [`mocked::${s.type}::${s.name}`, s]));
        for (const group of ofType(all, "aws:eks/nodeGroup:NodeGroup")) {
            const ids = group.inputs["subnetIds"] as string[];
            expect(ids.length, group.name).toBeGreaterThan(0);
            for (const id of ids) {
                // Each of the stack's own subnets, named private, and giving no machine a public IP.
                expect(subnets.has(id), `${group.name}: ${id}`).toBe(true);
                expect(id, group.name).toContain("-private-");
                expect(subnets.get(id)?.inputs["mapPublicIpOnLaunch"] ?? false, group.name).toBe(false);
            }
        }
    });

    it("GCP: GKE with private nodes, authorized networks from the allow-list, CMEK secrets, shielded nodes, API server logs", () => {
        const gke = oneIn(all, "gcp:container/cluster:Cluster", "gcp-fra").inputs as {
            databaseEncryption: { state: string; keyName: string };
            privateClusterConfig: { enablePrivateNodes: boolean };
            masterAuthorizedNetworksConfig: { cidrBlocks: { cidrBlock: string }[] };
            enableShieldedNodes: boolean;
            loggingConfig: { enableComponents: string[] };
            workloadIdentityConfig?: { workloadPool: string };
        };
        expect(gke.databaseEncryption.state).toBe("ENCRYPTED");
        expect(gke.databaseEncryption.keyName).toContain("cryptoKey");
        expect(oneIn(all, "gcp:kms/cryptoKey:CryptoKey", "gcp-fra").inputs["rotationPeriod"]).toMatch(/^\d+s$/);
        expect(gke.privateClusterConfig.enablePrivateNodes).toBe(true);
        expect(gke.masterAuthorizedNetworksConfig.cidrBlocks.map((b) => b.cidrBlock)).toEqual(allowList);
        expect(gke.enableShieldedNodes).toBe(true);
        expect(gke.loggingConfig.enableComponents).toContain("APISERVER");
        expect(gke.workloadIdentityConfig?.workloadPool).toMatch(/\.svc\.id\.goog$/);
    });

    it("Alibaba Cloud: ACK Pro with KMS secrets encryption, no public API endpoint, audit and control-plane logs, no public IPs on nodes", () => {
        const ack = one(all, "alicloud:cs/managedKubernetes:ManagedKubernetes").inputs as Record<string, unknown>;
        expect(ack["clusterSpec"]).toBe("ack.pro.small");
        expect(ack["encryptionProviderKey"]).toContain("kms/key");
        expect(one(all, "alicloud:kms/key:Key").inputs["automaticRotation"]).toBe("Enabled");
        expect(ack["slbInternetEnabled"]).toBe(false);
        expect(ack["auditLogConfig"]).toEqual({ enabled: true });
        expect(ack["controlPlaneLogComponents"]).toEqual(expect.arrayContaining(["apiserver"]));
        for (const pool of ofType(all, "alicloud:cs/nodePool:NodePool")) {
            expect(pool.inputs["internetMaxBandwidthOut"] ?? 0, pool.name).toBe(0);
            expect(pool.inputs["systemDiskEncrypted"], pool.name).toBe(true);
        }
    });

    it("every cloud: ledger volumes on an encrypted StorageClass that retains them, and every cloud resource tagged with network, region and role", () => {
        const classes = ofType(all, "kubernetes:storage.k8s.io/v1:StorageClass");
        expect(classes).toHaveLength(CLOUD_REGIONS.length);
        for (const sc of classes) {
            const inputs = sc.inputs as { reclaimPolicy: string; volumeBindingMode: string; parameters: Record<string, string> };
            expect(inputs.reclaimPolicy).toBe("Retain");
            expect(inputs.volumeBindingMode).toBe("WaitForFirstConsumer");
            expect(inputs.parameters["encrypted"] === "true" || inputs.parameters["disk-encryption-kms-key"] !== undefined, sc.urn).toBe(true);
        }
        for (const pvc of all.manifests.filter((m) => m.object["kind"] === "PersistentVolumeClaim" && m.region !== "dc-ams")) {
            expect((pvc.object["spec"] as { storageClassName: string }).storageClassName).toBe("ledger-data");
        }
        const tagged = regs(all).filter((r) => /^(aws|gcp|alicloud):/.test(r.type) && (r.inputs["tags"] !== undefined || r.inputs["labels"] !== undefined));
        expect(tagged.length).toBeGreaterThan(40);
        for (const r of tagged) {
            const tags = (r.inputs["tags"] ?? r.inputs["labels"]) as Record<string, string>;
            expect(tags["ledgerfleet-network"], r.urn).toBe("meridian");
            expect(CLOUD_REGIONS, r.urn).toContain(tags["ledgerfleet-region"]);
            expect(tags["ledgerfleet-role"], r.urn).toBeTruthy();
        }
    });

    it("pins each cloud node's pod to its zone, and spreads a region's validators over different zones", () => {
        for (const region of ["aws-fra", "gcp-fra", "ali-fra"]) {
            const zones = all.manifests
                .filter((m) => m.region === region && m.object["kind"] === "StatefulSet" && m.path.startsWith(`${region}/meridian-main/`) && m.path.includes("val-"))
                .map((m) => (m.object as { spec: { template: { spec: { nodeSelector: Record<string, string> } } } }).spec.template.spec.nodeSelector["topology.kubernetes.io/zone"]);
            expect(zones).toHaveLength(2);
            expect(new Set(zones).size, region).toBe(2);
        }
    });
});

describe("sharing the example's regions among tenants", () => {
    const dedicated = ["tradefin", "healthrec", "carbonreg"];

    it("builds each dedicated ledger's nodes in the region and zone the placement chose, in a namespace of its own", () => {
        const placement = all.plan.placement;
        expect(placement).toBeDefined();
        for (const ledger of dedicated) {
            const nodes = all.loaded.network.ledgers[ledger]?.nodes ?? [];
            expect(nodes.length).toBeGreaterThanOrEqual(6);
            for (const n of nodes) {
                expect(placement?.nodes[`${ledger}/${n.name}`]).toMatchObject({ region: n.region, zone: n.zone });
                const set = all.manifests.find((m) => m.path === `${n.region}/meridian-${ledger}/StatefulSet-${n.name}.yaml`);
                expect(set, `${ledger}/${n.name}`).toBeDefined();
                expect((set?.object as { spec: { template: { spec: { nodeSelector: Record<string, string> } } } }).spec.template.spec.nodeSelector["topology.kubernetes.io/zone"]).toBe(n.zone);
            }
        }
    });

    it("sizes every AWS region's ledger node groups from the packed demand", () => {
        for (const region of ["aws-fra", "aws-dub"]) {
            const groups = ofType(all, "aws:eks/nodeGroup:NodeGroup").filter((g) => regionOf(all, g) === region && g.name.includes("-ledger-"));
            const desired = groups.reduce((sum, g) => sum + ((g.inputs["scalingConfig"] as { desiredSize: number }).desiredSize), 0);
            expect(desired, region).toBe(all.plan.placement?.regions[region]?.machines);
        }
    });

    it("writes the cost per region, cloud, ledger and tenant, whose shares add up to the network's cost", () => {
        const cost = all.plan.cost;
        expect(cost.tenants).toHaveLength(21);
        const cents = (n: number) => Math.round(n * 100);
        expect(cost.tenants.reduce((sum, t) => sum + cents(t.monthly), 0) + cents(cost.unallocated)).toBe(cents(cost.total));
        expect(Object.values(cost.regions).reduce((sum, r) => sum + cents(r.monthly), 0)).toBe(cents(cost.total));
        expect(Object.keys(cost.ledgers).sort()).toEqual(["carbonreg", "healthrec", "main", "tradefin"]);
        for (const t of cost.tenants) {
            expect(t.alone, t.id).toBeGreaterThan(t.monthly);
            expect(t.ratio, t.id).toBeCloseTo(t.monthly / t.alone, 2);
        }
        expect(all.summary).toContain("Placement of dedicated ledgers");
        expect(all.summary).toMatch(/tradefin\s+tradefin \(dedicated\)\s+\$[\d,]+\s+\$[\d,]+\s+0\.\d\d/);
    });

    it("keeps every node a previous deploy placed where it is, read from the stack's last outputs (pulumi up does the same)", () => {
        const nodes = redeployed.loaded.network.ledgers["tradefin"]?.nodes ?? [];
        expect(nodes.find((n) => n.name === "val-1")).toMatchObject(swapped.val1);
        expect(nodes.find((n) => n.name === "val-2")).toMatchObject(swapped.val2);
        // The program itself read the same placement, through its StackReference to its own last update.
        const v1 = swapped.val1;
        expect(redeployed.manifests.some((m) => m.path === `${v1.region}/meridian-tradefin/StatefulSet-val-1.yaml`)).toBe(true);
        expect((redeployed.plan.outputs as { ledgers: Record<string, { nodes: Record<string, { region: string }> }> }).ledgers["tradefin"]?.nodes["val-1"]?.region).toBe(v1.region);
        expect(redeployed.plan.placement?.nodes["tradefin/val-1"]?.kept).toBe(true);
    });
});

describe("cloud SDKs", () => {
    /** Cloud SDKs this process has loaded so far (Node's module cache, shared by every require). */
    const loadedSdks = () => ["aws", "gcp", "alicloud"].filter((m) => Object.keys(createRequire(__filename).cache).some((k) => k.includes(`/node_modules/@pulumi/${m}/`)));

    it("are loaded only for the clouds a network uses: the on-premises network loads none", () => {
        // The multi-cloud example (planned above) loaded all three.
        expect(loadedSdks()).toEqual(["aws", "gcp", "alicloud"]);
        // A fresh process planning the on-premises network loads none.
        const root = path.join(__dirname, "..");
        const script =
            `const { plan } = require(${JSON.stringify(path.join(root, "cli", "plan.ts"))});` +
            "plan({ stack: 'atlas' }).then(() => {" +
            "const loaded = ['aws', 'gcp', 'alicloud'].filter((m) => Object.keys(require.cache).some((k) => k.includes(`/node_modules/@pulumi/${m}/`)));" +
            "console.log(JSON.stringify(loaded)); });";
        const r = spawnSync(process.execPath, [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), "-e", script], { cwd: root, encoding: "utf8" });
        expect(r.stderr).toBe("");
        expect(JSON.parse(r.stdout.trim().split("\n").pop() ?? "null")).toEqual([]);
    }, 60_000);
});
