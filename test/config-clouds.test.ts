// Cloud regions in a network file: what the loader refuses before anything is planned or built, each
// with the file, line and key path, and the pool sizes it derives from the nodes' requests.
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadNetworkFile, parseNetworkText } from "../config/load";
import { cloudSettings } from "../config/cloud-settings";
import { allocatable, ledgerPodRequests, machinesFor } from "../config/pool-sizing";
import { CATALOG } from "../config/catalog";
import { configError, removeTempDirs, shown, writeFiles } from "./fixtures/config/network";

afterAll(removeTempDirs);

/** A valid two-cloud network; each test replaces some lines (1-based) with its own mistake. */
const BASE = [
    "name: orbit", //                                                     1
    "domain: orbit.ledger.example", //                                    2
    "dns: { provider: aws }", //                                          3
    "apiAllowList: [203.0.113.0/28]", //                                  4
    "regions:", //                                                        5
    "  aws-fra: { cloud: aws, region: eu-central-1 }", //                 6
    "  gcp-fra: { cloud: gcp, region: europe-west3 }", //                 7
    "  ali-fra: { cloud: alicloud, region: eu-central-1 }", //            8
    "  aws-irl: { cloud: aws, region: eu-west-1 }", //                    9
    "ledgers:", //                                                        10
    "  main:", //                                                         11
    "    framework: besu", //                                             12
    "    consensus: qbft", //                                             13
    "    chainId: 727271", //                                             14
    '    image: "hyperledger/besu:26.8.0@sha256:' + "ab".repeat(32) + '"', // 15
    "    nodes:", //                                                      16
    "      - { name: val-1, role: validator, region: aws-fra }", //       17
    "      - { name: val-2, role: validator, region: gcp-fra }", //       18
    "      - { name: val-3, role: validator, region: ali-fra }", //       19
    "      - { name: val-4, role: validator, region: aws-irl }", //       20
    "      - { name: rpc-1, role: rpc, region: aws-fra }", //             21
    "      - { name: rpc-2, role: rpc, region: gcp-fra }", //             22
    "      - { name: rpc-3, role: rpc, region: ali-fra }", //             23
    "      - { name: rpc-4, role: rpc, region: aws-irl }", //             24
];

function withLines(replacements: Record<number, string>): string {
    return BASE.map((line, i) => replacements[i + 1] ?? line).join("\n") + "\n";
}

function problemsIn(text: string): { file: string; lines: string[] } {
    const file = path.join(writeFiles({ "network.yaml": text }), "network.yaml");
    const { message } = configError(() => loadNetworkFile(file));
    return { file: shown(file), lines: message.split("\n") };
}

describe("cloud regions in a network file", () => {
    it("the base network loads: three clouds, zones and pools filled in from the catalog", () => {
        const network = parseNetworkText(withLines({}), "network.yaml");
        const aws = cloudSettings(network, "aws-fra").settings;
        expect(aws?.zones).toEqual(CATALOG.aws.regions["eu-central-1"]?.slice(0, 3));
        expect(aws?.pools.ledger.machine).toBe(CATALOG.aws.defaults.ledgerMachine);
        expect(aws?.apiAllowList).toEqual(["203.0.113.0/28"]);
        // Two pods, pinned to two zones, one machine in each of three zones.
        expect(aws?.pools.ledger.desired).toBe(3);
        expect(aws?.pools.ledger.perZone.desired).toBe(1);
        expect(aws?.nodeZones).toEqual({ "main/val-1": "eu-central-1a", "main/rpc-1": "eu-central-1b" });
    });

    it("a region the cloud does not have is refused, naming the catalog and its date", () => {
        const { file, lines } = problemsIn(withLines({ 6: "  aws-fra: { cloud: aws, region: eu-central-9 }" }));
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:6:\\d+: regions\\.aws-fra\\.region: 'eu-central-9' is not a aws region ledgerfleet knows \\(config/catalog/aws\\.ts, checked 2026-11-25\\); known: `));
    });

    it("a zone that is not the region's is refused with the region's zones", () => {
        const { file, lines } = problemsIn(withLines({ 7: "  gcp-fra: { cloud: gcp, region: europe-west3, zones: [europe-west3-a, europe-west4-b] }" }));
        expect(lines).toEqual([expect.stringMatching(new RegExp(`^.*${path.basename(file)}:7:\\d+: regions\\.gcp-fra\\.zones\\[1\\]: 'europe-west4-b' is not a zone of gcp region europe-west3; its zones: europe-west3-a`))]);
    });

    it("a machine type the cloud does not have is refused", () => {
        const { lines } = problemsIn(withLines({ 8: "  ali-fra: { cloud: alicloud, region: eu-central-1, pools: { ledger: { machine: m7i.2xlarge } } }" }));
        expect(lines).toEqual([expect.stringMatching(/:8:\d+: regions\.ali-fra\.pools\.ledger\.machine: 'm7i\.2xlarge' is not a alicloud machine type ledgerfleet knows/)]);
    });

    it("min greater than max in a pool is refused", () => {
        const { lines } = problemsIn(withLines({ 9: "  aws-irl: { cloud: aws, region: eu-west-1, pools: { system: { min: 5, max: 3 } } }" }));
        expect(lines).toEqual([expect.stringMatching(/:9:\d+: regions\.aws-irl\.pools\.system\.min: min \(5\) is greater than max \(3\) in the system pool/)]);
    });

    it("a ledger pool too small for its region's nodes says how many machines they need", () => {
        const text = withLines({
            6: "  aws-fra: { cloud: aws, region: eu-central-1, pools: { ledger: { machine: m7i.xlarge, max: 2 } } }",
            17: '      - { name: val-1, role: validator, region: aws-fra, resources: { cpu: "3", memory: 12Gi } }',
        });
        const { lines } = problemsIn(text);
        expect(lines).toEqual([
            expect.stringMatching(/:6:\d+: regions\.aws-fra\.pools\.ledger\.max: the ledger pool is too small: the region's ledger pods need 3 m7i\.xlarge machines \(1 in each of 3 zones\) at their resource requests, and max is 2; raise max to 3/),
        ]);
    });

    it("an allow-list entry that is not a CIDR, or that is the whole internet, is refused", () => {
        expect(problemsIn(withLines({ 4: "apiAllowList: [office]" })).lines).toEqual([expect.stringMatching(/:4:\d+: apiAllowList\[0\]: expected a CIDR range/)]);
        expect(problemsIn(withLines({ 4: "apiAllowList: [0.0.0.0/0]" })).lines).toEqual([expect.stringMatching(/:4:\d+: apiAllowList\[0\]: the whole internet may not reach a cluster's API/)]);
        expect(problemsIn(withLines({ 9: "  aws-irl: { cloud: aws, region: eu-west-1, apiAllowList: ['::/0'] }" })).lines).toEqual([
            expect.stringMatching(/:9:\d+: regions\.aws-irl\.apiAllowList\[0\]: the whole internet may not reach/),
        ]);
    });

    it("a DNS provider whose cloud has no region in the network is refused", () => {
        const text = withLines({ 3: "dns: { provider: gcp }", 7: "  gcp-fra: { cloud: aws, region: eu-west-3 }" });
        expect(problemsIn(text).lines).toEqual([expect.stringMatching(/:3:\d+: dns\.provider: the DNS zone is to be hosted on gcp, but no region of the network is on gcp/)]);
    });

    it("a Kubernetes version ACK has no release of is refused", () => {
        expect(problemsIn(withLines({ 8: "  ali-fra: { cloud: alicloud, region: eu-central-1, kubernetesVersion: '1.30' }" })).lines).toEqual([
            expect.stringMatching(/:8:\d+: regions\.ali-fra\.kubernetesVersion: ACK offers no release of Kubernetes 1\.30 .*known: 1\.35, 1\.36/),
        ]);
    });

    it("a VPC range the adapters cannot split is refused", () => {
        expect(problemsIn(withLines({ 6: "  aws-fra: { cloud: aws, region: eu-central-1, vpcCidr: 10.0.0.0/24 }" })).lines).toEqual([
            expect.stringMatching(/:6:\d+: regions\.aws-fra\.vpcCidr: expected an IPv4 range from \/16 to \/20 .*found 10\.0\.0\.0\/24/),
        ]);
        expect(problemsIn(withLines({ 7: "  gcp-fra: { cloud: gcp, region: europe-west3, vpcCidr: 'fd00::/48' }" })).lines).toEqual([expect.stringMatching(/:7:\d+: regions\.gcp-fra\.vpcCidr: expected an IPv4 range/)]);
    });

    it("a node in a cloud region may not name its own address: the cloud reserves it", () => {
        const { lines } = problemsIn(withLines({ 17: "      - { name: val-1, role: validator, region: aws-fra, address: 198.51.100.1 }" }));
        expect(lines).toEqual([expect.stringMatching(/:17:\d+: ledgers\.main\.nodes\[0\]\.address: node 'val-1' is in aws region 'aws-fra', whose P2P addresses ledgerfleet reserves/)]);
    });

    it("a cloud region hosting a ledger needs an rpc node of its own: its schedulers reach no other cluster's", () => {
        const { lines } = problemsIn(withLines({ 24: "      - { name: rpc-4, role: rpc, region: aws-fra }" }));
        expect(lines).toEqual([expect.stringMatching(/:16:\d+: ledgers\.main\.nodes: cloud region aws-irl hosts ledger 'main' but no rpc node of it, .*add an rpc node there/)]);
    });

    it("a node's zone must be one of its region's", () => {
        const { lines } = problemsIn(withLines({ 17: "      - { name: val-1, role: validator, region: aws-fra, zone: eu-west-1a }" }));
        expect(lines).toEqual([expect.stringMatching(/:17:\d+: ledgers\.main\.nodes\[0\]\.zone: zone 'eu-west-1a' is not one of region 'aws-fra''s zones/)]);
    });
});

describe("pool sizing", () => {
    it("reserves what Kubernetes reserves for a pod: the containers' sum or the largest init container", () => {
        // Besu 2 CPU / 4 GiB plus the validators' 50m / 64Mi sidecar.
        expect(ledgerPodRequests("validator", "2", "4Gi")).toEqual({ cpuMillis: 2050, memoryMiB: 4160 });
        expect(ledgerPodRequests("rpc", "2", "8Gi")).toEqual({ cpuMillis: 2000, memoryMiB: 8192 });
        // A tiny node still needs room for the verify-key init container (500m / 1 GiB).
        expect(ledgerPodRequests("rpc", "250m", "512Mi")).toEqual({ cpuMillis: 500, memoryMiB: 1024 });
    });

    it("packs pods onto machines by CPU and memory, never over a machine's allocatable share", () => {
        const capacity = allocatable({ vcpu: 8, memoryGiB: 32, maxVolumes: 31 });
        expect(capacity.cpuMillis).toBeLessThan(8000);
        expect(capacity.memoryMiB).toBeLessThan(32 * 1024);
        const validator = ledgerPodRequests("validator", "2", "4Gi");
        // 3 fit on one 8-vCPU machine (6.15 of ~7.4 allocatable CPUs), the 4th does not.
        expect(machinesFor([validator, validator, validator], capacity)).toBe(1);
        expect(machinesFor([validator, validator, validator, validator], capacity)).toBe(2);
        expect(machinesFor([ledgerPodRequests("rpc", "16", "8Gi")], capacity)).toBe(Infinity);
    });
});
