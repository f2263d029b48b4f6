// The network shapes the plan benchmark measures, generated for any size. Both are valid network
// files as the loader wants them today: existing regions with egress addresses, a static address for
// every node, an rpcAddress for every rpc node, a chain id of nobody else's and Besu >= 26.2.
//
// Node and egress addresses come from the benchmarking range 198.18.0.0/15 (RFC 2544): node
// addresses from 198.18.0.0/16, one equal block per region (its addressPool), egress addresses
// from 198.19.0.0/16. rpcAddresses are private (10.<region>.x.y), as schedulers reach them.
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";

export const SHAPES = ["one-ledger", "service", "three-cloud"] as const;
export type Shape = (typeof SHAPES)[number];

export const SHAPE_TITLES: Readonly<Record<Shape, string>> = {
    "one-ledger":
        "one ledger: every node in a single ledger (the worst case for peer lists), 2/3 validators, " +
        "over enough regions that none holds more than f validators",
    service:
        "service network: ledgers of 25 nodes (7 validators, 18 rpc), one region per 20 nodes (at least 4), " +
        "each ledger over 4 regions with at most 2 of its validators (f = 2) in any",
    "three-cloud":
        "three clouds: the service network's ledgers over 12 cloud regions (4 on AWS, 4 on Google Cloud, 4 on Alibaba Cloud), " +
        "each building its cluster, with a static address reserved per node and a Route 53 zone",
};

/** The three-cloud shape's regions, interleaved so a ledger's 4 adjacent regions span all three clouds. */
const CLOUD_REGIONS: readonly { cloud: "aws" | "gcp" | "alicloud"; region: string }[] = [
    { cloud: "aws", region: "eu-central-1" },
    { cloud: "gcp", region: "europe-west3" },
    { cloud: "alicloud", region: "eu-central-1" },
    { cloud: "aws", region: "eu-west-1" },
    { cloud: "gcp", region: "europe-west4" },
    { cloud: "alicloud", region: "ap-southeast-1" },
    { cloud: "aws", region: "us-east-1" },
    { cloud: "gcp", region: "us-east1" },
    { cloud: "alicloud", region: "cn-hangzhou" },
    { cloud: "aws", region: "ap-southeast-1" },
    { cloud: "gcp", region: "asia-southeast1" },
    { cloud: "alicloud", region: "us-west-1" },
];

/** The stack name every generated stack file gets (`Pulumi.bench.yaml`). */
export const BENCH_STACK = "bench";

const IMAGE = `hyperledger/besu:26.8.0@sha256:${"ab".repeat(32)}`;
const FIRST_CHAIN_ID = 424200;
const NODE_RANGE = { base: ipv4("198.18.0.0"), size: 2 ** 16 };
const EGRESS_BASE = ipv4("198.19.0.0");
const EGRESS_PER_REGION = 2;
const RPC_BASE = ipv4("10.0.0.0");

/** A ledger in the service network holds this many nodes, of which SERVICE_VALIDATORS validate. */
const SERVICE_LEDGER_NODES = 25;
const SERVICE_VALIDATORS = 7;
/** The service network has one region per this many nodes. */
const NODES_PER_REGION = 20;
const MIN_REGIONS = 4;
const MIN_VALIDATORS = 4;

interface NodeSpec {
    name: string;
    role: "validator" | "rpc";
    region: number;
}

interface LedgerSpec {
    name: string;
    nodes: NodeSpec[];
}

export interface NetworkSpec {
    regions: number;
    ledgers: LedgerSpec[];
}

/** BFT tolerates f faulty validators out of v when v >= 3f + 1. */
function faultTolerance(validators: number): number {
    return Math.floor((validators - 1) / 3);
}

/** How many regions `validators` need so that none holds more than f of them (and at least MIN_REGIONS). */
function regionsFor(validators: number): number {
    return Math.max(MIN_REGIONS, Math.ceil(validators / Math.max(1, faultTolerance(validators))));
}

/**
 * A single ledger of `nodes` Besu nodes (2/3 validators, then rpc) dealt round-robin over enough
 * regions that no region holds more than f validators.
 */
export function oneLedger(nodes: number): NetworkSpec {
    requireNodes(nodes);
    const validators = Math.max(MIN_VALIDATORS, Math.round((nodes * 2) / 3));
    const regions = regionsFor(validators);
    const list = Array.from({ length: nodes }, (_, i): NodeSpec => ({
        name: `${i < validators ? "val" : "rpc"}-${i}`,
        role: i < validators ? "validator" : "rpc",
        region: i % regions,
    }));
    return { regions, ledgers: [{ name: "main", nodes: list }] };
}

/**
 * Ledgers of 25 nodes (7 validators, 18 rpc) over one region per 20 nodes. Each ledger spans a
 * window of adjacent regions (4 for 7 validators: 2+2+2+1 validators, its rpc nodes dealt over the
 * same window); windows are staggered evenly so every region carries about the same load. A
 * smaller last ledger keeps as many validators as it can up to 7 (at least 4); fewer than 4 nodes
 * left over join the previous ledger as rpc nodes.
 */
export function serviceNetwork(nodes: number, fixedRegions?: number): NetworkSpec {
    requireNodes(nodes);
    const regions = fixedRegions ?? Math.max(MIN_REGIONS, Math.ceil(nodes / NODES_PER_REGION));
    const sizes: number[] = [];
    for (let left = nodes; left > 0; left -= SERVICE_LEDGER_NODES) sizes.push(Math.min(SERVICE_LEDGER_NODES, left));
    const last = sizes[sizes.length - 1] ?? 0;
    if (last < MIN_VALIDATORS && sizes.length > 1) {
        sizes.pop();
        sizes[sizes.length - 1] = SERVICE_LEDGER_NODES + last;
    }
    const ledgers = sizes.map((size, k): LedgerSpec => {
        const validators = serviceValidators(size, regions);
        const window = regionsFor(validators);
        const start = Math.floor((k * regions) / sizes.length);
        const regionOf = (i: number) => (start + (i % window)) % regions;
        const list = Array.from({ length: size }, (_, i): NodeSpec =>
            i < validators
                ? { name: `val-${i + 1}`, role: "validator", region: regionOf(i) }
                : { name: `rpc-${i - validators + 1}`, role: "rpc", region: regionOf(i - validators) },
        );
        return { name: `svc-${k + 1}`, nodes: list };
    });
    return { regions, ledgers };
}

/** Up to 7 validators, at least 4, as many as `regions` can hold with no more than f in one. */
function serviceValidators(size: number, regions: number): number {
    for (let v = Math.min(SERVICE_VALIDATORS, size); v > MIN_VALIDATORS; v--) {
        if (regionsFor(v) <= regions) return v;
    }
    return MIN_VALIDATORS;
}

function requireNodes(nodes: number): void {
    if (!Number.isInteger(nodes) || nodes < MIN_VALIDATORS) {
        throw new Error(`a benchmark network needs a whole number of nodes, at least ${MIN_VALIDATORS} (QBFT's minimum of validators), found ${nodes}`);
    }
}

/**
 * What the shapes promise and the loader does not check: every ledger has at least 4 validators and
 * no region holds more than f of a ledger's validators. Throws naming the first ledger that breaks it.
 */
export function checkSpread(spec: NetworkSpec): void {
    for (const ledger of spec.ledgers) {
        const validators = ledger.nodes.filter((n) => n.role === "validator");
        const f = faultTolerance(validators.length);
        const perRegion = new Map<number, number>();
        for (const v of validators) perRegion.set(v.region, (perRegion.get(v.region) ?? 0) + 1);
        const most = Math.max(...perRegion.values());
        if (validators.length < MIN_VALIDATORS || most > f) {
            throw new Error(`ledger ${ledger.name}: ${validators.length} validators with up to ${most} in one region (f = ${f})`);
        }
    }
}

export function networkSpec(shape: Shape, nodes: number): NetworkSpec {
    if (shape === "one-ledger") return oneLedger(nodes);
    if (shape === "three-cloud") return serviceNetwork(nodes, CLOUD_REGIONS.length);
    return serviceNetwork(nodes);
}

/** The three-cloud network file: cloud regions reserve every address themselves. */
export function cloudNetworkFile(spec: NetworkSpec): Record<string, unknown> {
    const regions = Object.fromEntries(
        Array.from({ length: spec.regions }, (_, r) => {
            const where = CLOUD_REGIONS[r % CLOUD_REGIONS.length] as (typeof CLOUD_REGIONS)[number];
            return [regionId(r), { cloud: where.cloud, region: where.region, vpcCidr: `10.${r}.0.0/16`, pools: { ledger: { max: 30 } } }];
        }),
    );
    const ledgers = ledgerEntries(spec, (n) => ({ name: n.name, role: n.role, region: regionId(n.region) }));
    return { name: "bench", domain: "bench.ledger.example", dns: { provider: "aws" }, apiAllowList: ["203.0.113.0/28"], regions, ledgers };
}

/** The `ledgers` of a network file: each ledger's chain id, image and nodes as `node` writes them. */
function ledgerEntries(spec: NetworkSpec, node: (n: NodeSpec) => Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(
        spec.ledgers.map((ledger, k) => [
            ledger.name,
            { framework: "besu", consensus: "qbft", chainId: FIRST_CHAIN_ID + k, image: IMAGE, nodes: ledger.nodes.map(node) },
        ]),
    );
}

/** The network file of `spec`, with addresses, egress, chain ids and image filled in. */
export function networkFile(spec: NetworkSpec): Record<string, unknown> {
    const perRegion = new Array<number>(spec.regions).fill(0);
    for (const ledger of spec.ledgers) for (const n of ledger.nodes) perRegion[n.region] = (perRegion[n.region] ?? 0) + 1;
    // Each region's pool is a power-of-two block with room for its nodes (host numbers from 1).
    const poolBits = Math.ceil(Math.log2(Math.max(...perRegion) + 2));
    const poolSize = 2 ** poolBits;
    if (spec.regions * poolSize > NODE_RANGE.size || spec.regions > 256) {
        throw new Error(`${spec.regions} regions of up to ${Math.max(...perRegion)} nodes do not fit in 198.18.0.0/16`);
    }
    const regions = Object.fromEntries(
        Array.from({ length: spec.regions }, (_, r) => [
            regionId(r),
            {
                cloud: "existing",
                kubeconfigContext: `ctx-${r}`,
                failureDomain: `dc-${r}`,
                loadBalancer: "metallb",
                addressPool: `${ipv4String(NODE_RANGE.base + r * poolSize)}/${32 - poolBits}`,
                egressAddresses: Array.from({ length: EGRESS_PER_REGION }, (_, e) => ipv4String(EGRESS_BASE + r * EGRESS_PER_REGION + e + 1)),
            },
        ]),
    );
    const used = new Array<number>(spec.regions).fill(0);
    const ledgers = ledgerEntries(spec, (n) => {
        const host = (used[n.region] = (used[n.region] ?? 0) + 1);
        return {
            name: n.name,
            role: n.role,
            region: regionId(n.region),
            address: ipv4String(NODE_RANGE.base + n.region * poolSize + host),
            ...(n.role === "rpc" ? { rpcAddress: ipv4String(RPC_BASE + n.region * 2 ** 16 + host) } : {}),
        };
    });
    return {
        name: "bench",
        domain: "bench.ledger.example",
        // Node and egress addresses, and the clusters' pod ranges.
        netRestrict: ["198.18.0.0/15", "10.0.0.0/8"],
        regions,
        ledgers,
    };
}

/** Writes `<dir>/networks/<shape>-<nodes>.yaml` and `<dir>/Pulumi.bench.yaml` naming it; returns the stack name. */
export function writeStack(dir: string, shape: Shape, nodes: number): string {
    const networkPath = path.join("networks", `${shape}-${nodes}.yaml`);
    fs.mkdirSync(path.join(dir, "networks"), { recursive: true });
    const spec = networkSpec(shape, nodes);
    fs.writeFileSync(path.join(dir, networkPath), stringify(shape === "three-cloud" ? cloudNetworkFile(spec) : networkFile(spec)));
    fs.writeFileSync(
        path.join(dir, `Pulumi.${BENCH_STACK}.yaml`),
        stringify({ config: { "ledgerfleet:network": networkPath, "ledgerfleet:deploy": "all" } }),
    );
    return BENCH_STACK;
}

export function isShape(value: string): value is Shape {
    return (SHAPES as readonly string[]).includes(value);
}

function regionId(r: number): string {
    return `r${r}`;
}

function ipv4(text: string): number {
    return text.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function ipv4String(value: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}
