// Ledger policies: what no generic pack knows. A QBFT ledger needs enough validators, spread so that
// losing a region or a cloud leaves a quorum; its identities and addresses must never be replaced;
// its chain data must outlive its pods; tenants must reach only the APIs meant for them; and every
// node must know every other, on one genesis, at a fixed address, on the same pinned image.
//
// The whole-network facts (validators per ledger, per region, per failure domain) come from the
// Network component's inputs (policies/ledger-shape.ts), so a region stack is checked against the
// whole ledger, not only its own part of it.
import { createHash } from "node:crypto";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { parse as parseToml } from "smol-toml";
import type { LedgerfleetPolicy } from "./harness";
import { asObject, containersOf, podOf } from "./kube";
import type { DomainRow, LedgerTolerance } from "./fault-tolerance";
import { NETWORK_TYPE, networkShapeOf } from "./ledger-shape";

type Obj = Record<string, unknown>;

/** Whole-network findings name the Network component: the resource the file's ledgers describe. */
const networkUrn = (resources: readonly { type: string; urn: string }[]): string => resources.find((r) => r.type === NETWORK_TYPE)?.urn ?? "";

const LEDGER_LABEL = "ledgerfleet.io/ledger";
const ROLE_LABEL = "ledgerfleet.io/role";
const APP_NAME = "besu";
const labels = (props: Obj): Obj => asObject(asObject(props["metadata"])?.["labels"]) ?? {};
const annotations = (props: Obj): Obj => asObject(asObject(props["metadata"])?.["annotations"]) ?? {};
const metaName = (props: Obj): string => String(asObject(props["metadata"])?.["name"] ?? "");
const namespaceOf = (props: Obj): string => String(asObject(props["metadata"])?.["namespace"] ?? "");
const isLedgerObject = (props: Obj) => labels(props)["app.kubernetes.io/name"] === APP_NAME && typeof labels(props)[LEDGER_LABEL] === "string";

const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const SERVICE = "kubernetes:core/v1:Service";

export const minValidators: StackValidationPolicy = {
    name: "ledger-min-validators",
    description: "Every QBFT ledger has at least `minValidators` validators (default 4: with fewer, BFT tolerates no faulty validator).",
    enforcementLevel: "mandatory",
    configSchema: { properties: { minValidators: { type: "integer", minimum: 4, default: 4 } } },
    validateStack: (args, reportViolation) => {
        const shape = networkShapeOf(args.resources) ?? args.notApplicable("the stack records no Network component inputs");
        const report = (message: string) => reportViolation(message, networkUrn(args.resources));
        const { minValidators: min } = args.getConfig<{ minValidators: number }>();
        for (const ledger of shape.faultTolerance) {
            if (ledger.validators < min) {
                report(`ledger ${ledger.ledger} has ${ledger.validators} validator(s); QBFT needs at least ${min} (n >= 3f + 1 with f >= 1): add validators`);
            }
        }
    },
};

export const regionFaultTolerance: StackValidationPolicy = {
    name: "ledger-region-fault-tolerance",
    description: "No region holds so many validators of a ledger that losing it leaves fewer than the quorum, ceil(2n/3) (at most f of n = 3f + 1).",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const shape = networkShapeOf(args.resources) ?? args.notApplicable("the stack records no Network component inputs");
        const report = (message: string) => reportViolation(message, networkUrn(args.resources));
        for (const ledger of shape.faultTolerance) {
            for (const row of ledger.rows.filter((r) => r.level === "region" && !r.survivesLoss && r.validators > 0)) {
                report(
                    `ledger ${ledger.ledger}: region ${row.domain} holds ${row.validators} of its ${ledger.validators} validators; losing it leaves ${row.remaining}, ` +
                        `below the quorum of ${ledger.quorum}, and the chain stops: move validators to other regions (at most ${ledger.validators - ledger.quorum} in any one)`,
                );
            }
        }
    },
};

/** From this many cloud-level failure domains, a ledger can and must survive losing any one. */
const DOMAINS_FOR_CLOUD_TOLERANCE = 4;

/**
 * A failure domain's loss not already reported as one region's: a domain whose validators all sit in
 * one failing region is that region's problem (ledger-region-fault-tolerance), said once.
 */
function newDomainLosses(ledger: LedgerTolerance): DomainRow[] {
    const regions = ledger.rows.filter((r) => r.level === "region");
    return ledger.rows.filter(
        (r) => r.level === "cloud" && !r.survivesLoss && r.validators > 0 && !regions.some((g) => g.within === r.domain && g.validators === r.validators && !g.survivesLoss),
    );
}

export const cloudFaultTolerance: StackValidationPolicy = {
    name: "ledger-cloud-fault-tolerance",
    description:
        "A ledger spread over 4 or more failure domains (clouds, on-premises sites) survives losing any one of them: no domain holds more validators than n - ceil(2n/3).",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const shape = networkShapeOf(args.resources) ?? args.notApplicable("the stack records no Network component inputs");
        const report = (message: string) => reportViolation(message, networkUrn(args.resources));
        for (const ledger of shape.faultTolerance.filter((l) => l.domains >= DOMAINS_FOR_CLOUD_TOLERANCE)) {
            for (const row of newDomainLosses(ledger)) {
                report(
                    `ledger ${ledger.ledger}: failure domain ${row.domain} holds ${row.validators} of its ${ledger.validators} validators; losing it leaves ${row.remaining}, below the quorum of ${ledger.quorum}: rebalance across its ${ledger.domains} domains`,
                );
            }
        }
    },
};

// Advisory: with fewer than four failure domains, some domain must hold more than f validators of
// n = 3f + 1 (three domains can hold at most 3f), so surviving a domain's loss is not always possible.
export const cloudSpread: StackValidationPolicy = {
    name: "ledger-cloud-spread",
    description: "A ledger on fewer than 4 failure domains is told which domain's loss would stop it (advisory: three domains cannot always hold a quorum each way).",
    enforcementLevel: "advisory",
    validateStack: (args, reportViolation) => {
        const shape = networkShapeOf(args.resources) ?? args.notApplicable("the stack records no Network component inputs");
        const report = (message: string) => reportViolation(message, networkUrn(args.resources));
        for (const ledger of shape.faultTolerance.filter((l) => l.domains < DOMAINS_FOR_CLOUD_TOLERANCE)) {
            for (const row of newDomainLosses(ledger)) {
                report(
                    `ledger ${ledger.ledger} runs on ${ledger.domains} failure domain(s); losing ${row.domain} (${row.validators} validators) would leave ${row.remaining}, below the quorum of ${ledger.quorum}: a fourth domain lets it survive any one`,
                );
            }
        }
    },
};

export const keysProtected: ResourceValidationPolicy = {
    name: "ledger-keys-protected",
    description: "Every generated node key (random.RandomBytes `<ledger>-<node>-node-key`) is protected: a regenerated validator key no longer matches genesis.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "random:index/randomBytes:RandomBytes" || !args.name.endsWith("-node-key")) return;
        if (!args.opts.protect) report(`node key ${args.name} is not protected: \`pulumi up\` could replace it, and a node with a new key is a stranger to every peer list and to genesis`);
    },
};

const ADDRESS_TYPES = ["aws:ec2/eip:Eip", "gcp:compute/address:Address", "alicloud:ecs/eipAddress:EipAddress"];

export const addressesProtected: ResourceValidationPolicy = {
    name: "ledger-addresses-protected",
    description: "Every static public address reserved for a node's P2P endpoint or a region's NAT egress is protected: peer lists and allowlists name it.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!ADDRESS_TYPES.includes(args.type)) return;
        const tags = asObject(args.props["tags"]) ?? asObject(args.props["labels"]) ?? {};
        const role = tags["ledgerfleet-role"];
        if (role !== "p2p-address" && role !== "egress-address") return;
        if (!args.opts.protect) report(`${role} ${args.name} is not protected: a replaced address makes its node unreachable to every peer list (or its region's peers refused by every allowlist)`);
    },
};

export const volumesRetained: StackValidationPolicy = {
    name: "ledger-volumes-retained",
    description: "Every validator's data volume claim is protected and, where the stack creates its StorageClass, that class has reclaimPolicy Retain.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const classes = new Map(
            args.resources.filter((r) => r.type === "kubernetes:storage.k8s.io/v1:StorageClass").map((r) => [`${r.provider?.urn ?? ""}|${metaName(r.props)}`, r]),
        );
        for (const claim of args.resources.filter((r) => r.type === "kubernetes:core/v1:PersistentVolumeClaim" && isLedgerObject(r.props) && labels(r.props)[ROLE_LABEL] === "validator")) {
            if (!claim.opts.protect) report(`volume claim ${namespaceOf(claim.props)}/${metaName(claim.props)} holds a validator's chain and is not protected`, claim.urn);
            const className = String(asObject(claim.props["spec"])?.["storageClassName"] ?? "");
            const sc = classes.get(`${claim.provider?.urn ?? ""}|${className}`);
            // A class the stack does not create (an existing cluster's) is checked by `ledgerfleet preflight`.
            if (sc !== undefined && sc.props["reclaimPolicy"] !== "Retain") {
                report(`volume claim ${namespaceOf(claim.props)}/${metaName(claim.props)} uses StorageClass ${className}, whose reclaimPolicy is ${String(sc.props["reclaimPolicy"] ?? "Delete (the default)")}: a deleted claim would delete the chain; set Retain`, claim.urn);
            }
        }
    },
};

/** Besu's JSON-RPC over HTTP, WebSocket and GraphQL (frameworks/besu/config.ts PORTS, Besu's defaults). */
const RPC_PORTS = [8545, 8546, 8547];
const WHOLE_INTERNET = ["0.0.0.0/0", "::/0"];

export const rpcNotPublic: ResourceValidationPolicy = {
    name: "ledger-rpc-not-public",
    description: "No LoadBalancer Service exposes a ledger node's JSON-RPC, WebSocket or GraphQL port (8545-8547) without source ranges, or to the whole internet.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== SERVICE || !isLedgerObject(args.props)) return;
        const spec = asObject(args.props["spec"]) ?? {};
        if (spec["type"] !== "LoadBalancer") return;
        const ports = (Array.isArray(spec["ports"]) ? spec["ports"] : []).map((p) => Number(asObject(p)?.["port"]));
        const exposed = ports.filter((p) => RPC_PORTS.includes(p));
        if (exposed.length === 0) return;
        const ranges = Array.isArray(spec["loadBalancerSourceRanges"]) ? spec["loadBalancerSourceRanges"].map(String) : [];
        if (ranges.length === 0 || ranges.some((r) => WHOLE_INTERNET.includes(r.trim()))) {
            report(`Service ${metaName(args.props)} puts port ${exposed.join(", ")} on a load balancer open to ${ranges.length === 0 ? "everyone (no loadBalancerSourceRanges)" : "the whole internet"}: tenants reach RPC nodes through the scheduler; restrict it to the schedulers' addresses`);
        }
    },
};

/** APIs that must never serve tenants: node administration, debugging, the pool, mining, permissioning, consensus votes. */
const PRIVILEGED_APIS = ["ADMIN", "DEBUG", "TXPOOL", "MINER", "PERM", "QBFT", "IBFT", "CLIQUE", "PLUGINS", "TRACE"];

export const noAdminApis: ResourceValidationPolicy = {
    name: "ledger-no-admin-apis",
    description: "RPC nodes (the nodes tenants reach) enable none of the admin, debug, txpool, miner, perm, consensus, plugins or trace JSON-RPC APIs over HTTP or WebSocket.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== CONFIG_MAP || !isLedgerObject(args.props) || labels(args.props)[ROLE_LABEL] !== "rpc") return;
        const text = asObject(args.props["data"])?.["config.toml"];
        if (typeof text !== "string") return;
        const config = parseToml(text) as Obj;
        for (const key of ["rpc-http-api", "rpc-ws-api"]) {
            const apis = Array.isArray(config[key]) ? config[key].map((a) => String(a).toUpperCase()) : [];
            const bad = apis.filter((a) => PRIVILEGED_APIS.includes(a));
            if (bad.length > 0) report(`${metaName(args.props)}: ${key} enables ${bad.join(", ")} on an RPC node tenants reach: serve only ETH, NET and WEB3 there`);
        }
    },
};

function enodeKeys(json: string): string[] {
    const list = JSON.parse(json) as unknown;
    return Array.isArray(list) ? list.map((e) => String(e).replace(/^enode:\/\/([0-9a-fA-F]+)@.*$/, "$1").toLowerCase()) : [];
}

export const peerListComplete: StackValidationPolicy = {
    name: "ledger-peer-list-complete",
    description: "Every region's peer list (static-nodes.json) of a ledger names every node of that ledger, each exactly once, and its allowlist admits each of them.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const shape = networkShapeOf(args.resources) ?? args.notApplicable("the stack records no Network component inputs");
        // The public keys of the nodes this stack builds: each node's key check expects it.
        const keysByLedger = new Map<string, Set<string>>();
        for (const ss of args.resources.filter((r) => r.type === STATEFUL_SET && isLedgerObject(r.props))) {
            const ledger = String(labels(ss.props)[LEDGER_LABEL]);
            const pod = podOf(ss.type, ss.props);
            for (const { container } of pod === undefined ? [] : containersOf(pod.spec)) {
                const env = Array.isArray(container["env"]) ? container["env"] : [];
                const key = env.map(asObject).find((e) => e?.["name"] === "EXPECTED_PUBLIC_KEY")?.["value"];
                if (typeof key === "string") keysByLedger.set(ledger, (keysByLedger.get(ledger) ?? new Set()).add(key.replace(/^0x/, "").toLowerCase()));
            }
        }
        for (const cm of args.resources.filter((r) => r.type === CONFIG_MAP && metaName(r.props) === "peers")) {
            const ledger = String(labels(cm.props)[LEDGER_LABEL] ?? "");
            const expected = shape.ledgers[ledger]?.nodes.length;
            const data = asObject(cm.props["data"]) ?? {};
            if (expected === undefined || typeof data["static-nodes.json"] !== "string") continue;
            const listed = enodeKeys(data["static-nodes.json"]);
            const where = `${namespaceOf(cm.props)} (${String(labels(cm.props)["ledgerfleet.io/region"] ?? "?")})`;
            if (new Set(listed).size !== listed.length) report(`the peer list of ledger ${ledger} in ${where} names a node twice`, cm.urn);
            if (new Set(listed).size !== expected) report(`the peer list of ledger ${ledger} in ${where} names ${new Set(listed).size} nodes; the ledger has ${expected}`, cm.urn);
            const named = new Set(listed);
            for (const key of keysByLedger.get(ledger) ?? []) {
                if (!named.has(key)) report(`the peer list of ledger ${ledger} in ${where} leaves out the node with key 0x${key.slice(0, 12)}...`, cm.urn);
            }
            const admitted = new Set(String(data["allowlist"] ?? "").split("\n").map((line) => /^enode:\/\/([0-9a-fA-F]+)@/.exec(line.trim())?.[1]?.toLowerCase()));
            for (const key of named) if (!admitted.has(key)) report(`the allowlist of ledger ${ledger} in ${where} does not admit node 0x${key.slice(0, 12)}...`, cm.urn);
        }
    },
};

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export const genesisIdentical: StackValidationPolicy = {
    name: "ledger-genesis-identical",
    description: "Every region's genesis.json of a ledger is byte-identical, and matches the genesis hash its Namespace records.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const byLedger = new Map<string, { urn: string; hash: string; where: string }[]>();
        const namespaces = new Map(
            args.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace").map((r) => [`${r.provider?.urn ?? ""}|${metaName(r.props)}`, r]),
        );
        for (const cm of args.resources.filter((r) => r.type === CONFIG_MAP && metaName(r.props) === "genesis" && isLedgerObject(r.props))) {
            const json = asObject(cm.props["data"])?.["genesis.json"];
            if (typeof json !== "string") continue;
            const ledger = String(labels(cm.props)[LEDGER_LABEL]);
            const hash = sha256(json);
            const where = `${namespaceOf(cm.props)} (cluster ${cm.provider?.name ?? "?"})`;
            byLedger.set(ledger, [...(byLedger.get(ledger) ?? []), { urn: cm.urn, hash, where }]);
            const ns = namespaces.get(`${cm.provider?.urn ?? ""}|${namespaceOf(cm.props)}`);
            const recorded = ns === undefined ? undefined : annotations(ns.props)["ledgerfleet.io/genesis-sha256"];
            if (typeof recorded === "string" && recorded !== hash) report(`genesis.json of ledger ${ledger} in ${where} hashes to ${hash}, but its Namespace records ${recorded}`, cm.urn);
        }
        for (const [ledger, copies] of byLedger) {
            const first = copies[0];
            for (const c of copies.slice(1)) {
                if (first !== undefined && c.hash !== first.hash) report(`genesis.json of ledger ${ledger} in ${c.where} differs from ${first.where}: nodes on two geneses never agree on a block`, c.urn);
            }
        }
    },
};

/** Annotations (and the spec field) by which a LoadBalancer Service asks for a fixed address (charts/load-balancer.ts, components/clouds/). */
const ADDRESS_REQUESTS = [
    "metallb.io/loadBalancerIPs",
    "lbipam.cilium.io/ips",
    "kube-vip.io/loadbalancerIPs",
    "service.beta.kubernetes.io/aws-load-balancer-eip-allocations",
    "networking.gke.io/load-balancer-ip-addresses",
];
const ALIBABA_ZONE_MAPS = "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-zone-maps";

export const p2pStaticAddress: ResourceValidationPolicy = {
    name: "ledger-p2p-static-address",
    description: "Every node's P2P LoadBalancer Service asks for one fixed address (loadBalancerIP, or its load balancer's annotation for a reserved address): enodes name it.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== SERVICE || !isLedgerObject(args.props) || !metaName(args.props).endsWith("-p2p")) return;
        const spec = asObject(args.props["spec"]) ?? {};
        if (spec["type"] !== "LoadBalancer") return;
        const a = annotations(args.props);
        const asks =
            (typeof spec["loadBalancerIP"] === "string" && spec["loadBalancerIP"] !== "") ||
            ADDRESS_REQUESTS.some((k) => typeof a[k] === "string" && a[k] !== "") ||
            (typeof a[ALIBABA_ZONE_MAPS] === "string" && /:eip-|::/.test(String(a[ALIBABA_ZONE_MAPS])));
        if (!asks) report(`P2P Service ${metaName(args.props)} asks for no fixed address: its load balancer would pick one, and every peer list names another`);
    },
};

const DIGEST = /@sha256:[0-9a-f]{64}$/;

export const imagePinned: StackValidationPolicy = {
    name: "ledger-image-pinned",
    description: "Every Besu container of a ledger runs the image the network file names, pinned by digest, so every region runs the same bytes.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const shape = networkShapeOf(args.resources);
        for (const ss of args.resources.filter((r) => r.type === STATEFUL_SET && isLedgerObject(r.props))) {
            const ledger = String(labels(ss.props)[LEDGER_LABEL]);
            const pod = podOf(ss.type, ss.props);
            const besu = pod === undefined ? undefined : containersOf(pod.spec).find((c) => c.list === "containers" && c.name === "besu");
            const image = String(besu?.container["image"] ?? "");
            if (!DIGEST.test(image)) report(`node ${metaName(ss.props)} of ledger ${ledger} runs ${image || "no image"}, not pinned by digest (name:tag@sha256:...)`, ss.urn);
            const named = shape?.ledgers[ledger]?.image;
            if (named !== undefined && image !== named) report(`node ${metaName(ss.props)} of ledger ${ledger} runs ${image}, not the ledger's image ${named}`, ss.urn);
        }
    },
};

export const LEDGER_POLICIES: LedgerfleetPolicy[] = [
    minValidators,
    regionFaultTolerance,
    cloudFaultTolerance,
    cloudSpread,
    keysProtected,
    addressesProtected,
    volumesRetained,
    rpcNotPublic,
    noAdminApis,
    peerListComplete,
    genesisIdentical,
    p2pStaticAddress,
    imagePinned,
];
