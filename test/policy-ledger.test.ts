// The ledger policies, each with a resource set it passes and one that violates exactly it: the
// multi-cloud example's plan as planned, then with one thing changed.
import { beforeAll, describe, expect, it } from "vitest";
import { harnessResources } from "../cli/policy";
import { plan } from "../cli/plan";
import { networkShape } from "../components/network";
import { toleranceTable } from "../policies/fault-tolerance";
import { type HarnessResource, runPolicies } from "../policies/harness";
import { LEDGER_POLICIES } from "../policies/ledger";
import type { NetworkShape } from "../policies/ledger-shape";

let example: HarnessResource[];
let onPremises: HarnessResource[];
/**
 * The example's own findings: one advisory per dedicated ledger placed on three clouds, which
 * survives losing a region but not a cloud (the only finding the example has; see the first test).
 */
let baseline: Set<string>;
// By policy and message: a region stack's Network has another URN, and the same findings.
const key = (f: { policy: string; message: string }) => `${f.policy}\u0000${f.message}`;

beforeAll(async () => {
    // One after the other: a plan installs the Pulumi mocks for the whole process.
    example = harnessResources((await plan({ stack: "dev" })).mocks.registrations);
    onPremises = harnessResources((await plan({ stack: "atlas" })).mocks.registrations);
    baseline = new Set((await runPolicies(LEDGER_POLICIES, example)).map(key));
}, 60_000);

type Obj = Record<string, unknown>;
const clone = (rs: HarnessResource[]): HarnessResource[] => structuredClone(rs);
const meta = (r: HarnessResource) => r.props["metadata"] as { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
const find = (rs: HarnessResource[], type: string, name: (n: string) => boolean, region?: string): HarnessResource => {
    const found = rs.find((r) => r.type === type && name(meta(r)?.name ?? "") && (region === undefined || meta(r).labels?.["ledgerfleet.io/region"] === region));
    if (found === undefined) throw new Error(`no ${type} in the fixture`);
    return found;
};
const network = (rs: HarnessResource[]) => rs.find((r) => r.type === "ledgerfleet:index:Network") as HarnessResource;

/** A Network shape whose ledger `main` has these validator placements (region, failure domain). */
function withPlacements(rs: HarnessResource[], placements: [string, string][]): HarnessResource[] {
    const out = clone(rs);
    const shape = network(out).props as unknown as NetworkShape;
    shape.faultTolerance = toleranceTable(placements.map(([region, domain]) => ({ ledger: "main", region, domain })));
    return out;
}

/** Policies with a finding the example itself does not have. */
async function policiesFiring(rs: HarnessResource[]): Promise<string[]> {
    return [...new Set((await runPolicies(LEDGER_POLICIES, rs)).filter((f) => !baseline.has(key(f))).map((f) => f.policy))].sort();
}

describe("the ledger policies", () => {
    it("pass the multi-cloud and the on-premises examples: no finding but the advisory that a dedicated ledger on three clouds survives a region, not a cloud", async () => {
        const findings = await runPolicies(LEDGER_POLICIES, example);
        expect(new Set(findings.map((f) => `${f.policy} ${f.enforcementLevel}`))).toEqual(new Set(["ledger-cloud-spread advisory"]));
        expect(new Set(findings.map((f) => /ledger (\S+) runs on/.exec(f.message)?.[1]))).toEqual(new Set(["tradefin", "healthrec", "carbonreg"]));
        expect(await runPolicies(LEDGER_POLICIES, onPremises)).toEqual([]);
    });

    const cases: [string, () => HarnessResource[]][] = [
        [
            "ledger-min-validators",
            () => withPlacements(example, [["a", "d1"], ["b", "d2"], ["c", "d3"]]),
        ],
        [
            "ledger-region-fault-tolerance",
            // Seven validators over five domains; region a holds three (f = 2), its domain nothing more.
            () => withPlacements(example, [["a", "d1"], ["a", "d1"], ["a", "d1"], ["b", "d2"], ["c", "d3"], ["d", "d4"], ["e", "d5"]]),
        ],
        [
            "ledger-cloud-fault-tolerance",
            // Four domains; no region over f = 2, but domain d1 holds three.
            () => withPlacements(example, [["a", "d1"], ["a", "d1"], ["b", "d1"], ["c", "d2"], ["c", "d2"], ["e", "d3"], ["f", "d4"]]),
        ],
        [
            "ledger-cloud-spread",
            // Three domains: d1 holds three, which a three-domain ledger cannot avoid for every split.
            () => withPlacements(example, [["a", "d1"], ["a", "d1"], ["b", "d1"], ["c", "d2"], ["c", "d2"], ["e", "d3"], ["e", "d3"]]),
        ],
        [
            "ledger-keys-protected",
            () => {
                const rs = clone(example);
                const key = rs.find((r) => r.type === "random:index/randomBytes:RandomBytes") as HarnessResource;
                key.protect = false;
                return rs;
            },
        ],
        [
            "ledger-addresses-protected",
            () => {
                const rs = clone(example);
                (rs.find((r) => r.type === "gcp:compute/address:Address") as HarnessResource).protect = false;
                return rs;
            },
        ],
        [
            "ledger-volumes-retained",
            () => {
                const rs = clone(example);
                find(rs, "kubernetes:storage.k8s.io/v1:StorageClass", (n) => n === "ledger-data").props["reclaimPolicy"] = "Delete";
                return rs;
            },
        ],
        [
            "ledger-rpc-not-public",
            () => {
                const rs = clone(example);
                const svc = find(rs, "kubernetes:core/v1:Service", (n) => n === "rpc-4-rpc");
                (svc.props["spec"] as Obj)["type"] = "LoadBalancer";
                return rs;
            },
        ],
        [
            "ledger-no-admin-apis",
            () => {
                const rs = clone(example);
                const cm = find(rs, "kubernetes:core/v1:ConfigMap", (n) => n === "rpc-1-config");
                const data = cm.props["data"] as Record<string, string>;
                data["config.toml"] = (data["config.toml"] as string).replace('rpc-http-api=["ETH"', 'rpc-http-api=["ADMIN", "ETH"');
                return rs;
            },
        ],
        [
            "ledger-peer-list-complete",
            () => {
                const rs = clone(example);
                const cm = find(rs, "kubernetes:core/v1:ConfigMap", (n) => n === "peers", "gcp-fra");
                const data = cm.props["data"] as Record<string, string>;
                data["static-nodes.json"] = JSON.stringify((JSON.parse(data["static-nodes.json"] as string) as string[]).slice(1));
                return rs;
            },
        ],
        [
            "ledger-genesis-identical",
            () => {
                const rs = clone(example);
                const cm = rs.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && meta(r).name === "genesis" && r.provider?.includes("ali-fra")) as HarnessResource;
                const data = cm.props["data"] as Record<string, string>;
                data["genesis.json"] = (data["genesis.json"] as string).replace('"chainId":', '"chainId": 1, "x":');
                return rs;
            },
        ],
        [
            "ledger-p2p-static-address",
            () => {
                const rs = clone(example);
                const svc = find(rs, "kubernetes:core/v1:Service", (n) => n === "val-7-p2p", "dc-ams");
                delete (meta(svc).annotations as Record<string, string>)["metallb.io/loadBalancerIPs"];
                return rs;
            },
        ],
        [
            "ledger-image-pinned",
            () => {
                const rs = clone(example);
                const ss = find(rs, "kubernetes:apps/v1:StatefulSet", (n) => n === "val-3");
                const containers = ((ss.props["spec"] as Obj)["template"] as { spec: { containers: { name: string; image: string }[] } }).spec.containers;
                const besu = containers.find((c) => c.name === "besu") as { image: string };
                besu.image = "hyperledger/besu:latest";
                return rs;
            },
        ],
    ];

    it("every ledger policy has a case below", () => {
        expect(cases.map(([name]) => name).sort()).toEqual(LEDGER_POLICIES.map((p) => p.name).sort());
    });

    it.each(cases)("%s: a plan changed in exactly one way violates exactly this policy", async (name, fixture) => {
        expect(await policiesFiring(fixture())).toEqual([name]);
    });

    it("take a policy's parameter from the policy config", async () => {
        const findings = (await runPolicies(LEDGER_POLICIES, example, { "ledger-min-validators": { minValidators: 8 } })).filter((f) => !baseline.has(key(f)));
        // main has 7 validators, carbonreg 7, tradefin and healthrec 4.
        expect(findings.map((f) => f.policy)).toEqual(["ledger-min-validators", "ledger-min-validators", "ledger-min-validators", "ledger-min-validators"]);
        expect(findings.map((f) => f.message).join("\n")).toContain("has 7 validator(s); QBFT needs at least 8");
    });

    it("see the whole ledger from a region stack, through the Network component's inputs", async () => {
        const region = await plan({ stack: "aws-fra" });
        const resources = harnessResources(region.mocks.registrations);
        expect(network(resources).props).toEqual(JSON.parse(JSON.stringify(networkShape(region.loaded.network))));
        expect(await policiesFiring(resources)).toEqual([]);
        // The region stack builds 3 of main's 11 nodes; its peer list must still name all 11.
        const peers = find(resources, "kubernetes:core/v1:ConfigMap", (n) => n === "peers");
        const data = peers.props["data"] as Record<string, string>;
        data["static-nodes.json"] = JSON.stringify((JSON.parse(data["static-nodes.json"] as string) as string[]).slice(0, 3));
        expect(await policiesFiring(resources)).toEqual(["ledger-peer-list-complete"]);
    }, 30_000);
});
