// The address model and the chain's identity, as an operator gets them wrong: every mistake is
// refused with file, line, column and key path, and says what to do.
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadNetworkFile, loadStack } from "../config/load";
import { configError, networkWith, removeTempDirs, shown, writeFiles } from "./fixtures/config/network";

afterAll(removeTempDirs);

function problemsIn(text: string): { file: string; lines: string[] } {
    const file = path.join(writeFiles({ "network.yaml": text }), "network.yaml");
    return { file: shown(file), lines: configError(() => loadNetworkFile(file)).message.split("\n") };
}

describe("static P2P addresses", () => {
    it("a node of an existing region without an address is refused at the node", () => {
        const { file, lines } = problemsIn(networkWith({ 14: "      - { name: val-2, role: validator, region: fra }" }));
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(new RegExp(`^${escape(file)}:14:9: ledgers\\.main\\.nodes\\[1\\]: node 'val-2' is in existing region 'fra' and needs its static P2P address: expected address: <IPv4 or IPv6>`));
        expect(lines[0]).toContain("Besu takes only an IP as p2p-host");
    });

    it("a host name as address is refused: Besu takes only an IP", () => {
        const { file, lines } = problemsIn(networkWith({ 14: "      - { name: val-2, role: validator, region: fra, address: val-2.example.com }" }));
        expect(lines).toEqual([
            `${file}:14:63: ledgers.main.nodes[1].address: expected an IPv4 or IPv6 address such as 192.0.2.10 or 2001:db8::10 (Besu accepts no host name here), found string "val-2.example.com"`,
        ]);
    });

    it("two nodes on one address are refused, naming the first", () => {
        const { file, lines } = problemsIn(networkWith({ 15: "      - { name: val-3, role: validator, region: ams, address: 198.51.100.13 }" }));
        expect(lines).toEqual([
            `${file}:15:63: ledgers.main.nodes[2].address: address 198.51.100.13 is already used by main/val-1 address (ledgers.main.nodes[0].address, line 13): every node needs its own`,
        ]);
        // The same address spelled differently is the same address.
        const v6 = problemsIn(
            networkWith({
                13: "      - { name: val-1, role: validator, region: fra, address: '2001:db8::1' }",
                15: "      - { name: val-3, role: validator, region: ams, address: '2001:0db8:0:0::1' }",
            }),
        );
        expect(v6.lines.join("\n")).toContain("address 2001:db8::1 is already used by main/val-1");
    });

    it("an address outside its region's addressPool is refused", () => {
        const { file, lines } = problemsIn(
            networkWith({ 4: "  fra: { cloud: existing, kubeconfigContext: fra, egressAddresses: [203.0.113.1], addressPool: 198.51.100.0/28 }" }),
        );
        expect(lines).toEqual([
            `${file}:17:57: ledgers.main.nodes[4].address: expected an address in region 'fra' addressPool 198.51.100.0/28 (regions.fra.addressPool, line 4), found 198.51.100.17`,
        ]);
    });

    it("net-restrict that leaves out a node's own address, or a region's egress, is refused", () => {
        const { file, lines } = problemsIn(networkWith({ 2: "domain: atlas.ledger.example\nnetRestrict: [198.51.100.0/28, 10.0.0.0/8]" }));
        const shownRestrict = `netRestrict (netRestrict, line 3: 198.51.100.0/28, 10.0.0.0/8)`;
        expect(lines).toEqual([
            `${file}:5:69: regions.fra.egressAddresses[0]: egress address 203.0.113.1 of region 'fra' is outside ${shownRestrict}: connections from this region's nodes would be refused; widen netRestrict or fix the address`,
            `${file}:6:69: regions.ams.egressAddresses[0]: egress address 203.0.113.2 of region 'ams' is outside ${shownRestrict}: connections from this region's nodes would be refused; widen netRestrict or fix the address`,
            `${file}:17:63: ledgers.main.nodes[3].address: address 198.51.100.16 of main/val-4 is outside ${shownRestrict}: every other node would refuse it as a peer; widen netRestrict or fix the address`,
            `${file}:18:57: ledgers.main.nodes[4].address: address 198.51.100.17 of main/rpc-1 is outside ${shownRestrict}: every other node would refuse it as a peer; widen netRestrict or fix the address`,
        ]);
    });

    it("net-restrict that leaves out a cluster's pod range is refused: same-cluster peers connect from it", () => {
        const { file, lines } = problemsIn(
            networkWith({
                2: "domain: atlas.ledger.example\nnetRestrict: [198.51.100.0/24, 203.0.113.0/24, 10.0.0.0/16]",
                4: "  fra: { cloud: existing, kubeconfigContext: fra, egressAddresses: [203.0.113.1], podCidrs: [10.0.0.0/17, 10.244.0.0/16] }",
            }),
        );
        expect(lines).toEqual([
            `${file}:5:107: regions.fra.podCidrs[1]: pod range 10.244.0.0/16 of region 'fra' is not inside netRestrict (netRestrict, line 3: 198.51.100.0/24, 203.0.113.0/24, 10.0.0.0/16): same-cluster peers connect from their pod addresses and would be refused; widen netRestrict or fix the range`,
        ]);
    });

    it("a region reaches an RPC node of each ledger it hosts, or the file says how to fix it", () => {
        const { file, lines } = problemsIn(networkWith({ 17: "      - { name: rpc-1, role: rpc, region: fra, address: 198.51.100.17 }" }));
        expect(lines).toEqual([
            `${file}:12:5: ledgers.main.nodes: region ams hosts ledger 'main' but no rpc node of it, and no rpc node has an rpcAddress other regions' schedulers can reach: give one rpcAddress: <private IP>, or an rpc node in each region`,
        ]);
        const validatorRpc = problemsIn(networkWith({ 13: "      - { name: val-1, role: validator, region: fra, address: 198.51.100.13, rpcAddress: 10.0.0.13 }" }));
        expect(validatorRpc.lines).toEqual([
            `${validatorRpc.file}:13:90: ledgers.main.nodes[0].rpcAddress: rpcAddress is for rpc nodes: validators serve no JSON-RPC to the network, found string "10.0.0.13"`,
        ]);
    });
});

describe("the chain's identity", () => {
    it("a development chain id is refused unless the stack is a lab", () => {
        const network = networkWith({ 10: "    chainId: 31337" });
        const { file, lines } = problemsIn(network);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(new RegExp(`^${escape(file)}:10:14: ledgers\\.main\\.chainId: chain id 31337 is a development default .*set ledgerfleet:lab: true in the stack file`));

        const dir = writeFiles({
            "networks/net.yaml": network,
            "Pulumi.prod.yaml": "config:\n  ledgerfleet:network: networks/net.yaml\n",
            "Pulumi.lab.yaml": "config:\n  ledgerfleet:network: networks/net.yaml\n  ledgerfleet:lab: true\n",
        });
        expect(configError(() => loadStack(dir, "prod")).message).toContain("chain id 31337 is a development default");
        expect(loadStack(dir, "lab").lab).toBe(true);
    });

    it("a public chain's id is refused even on a lab", () => {
        const { lines } = problemsIn(networkWith({ 10: "    chainId: 1" }));
        expect(lines.join("\n")).toContain("chain id 1 is Ethereum mainnet's: transactions signed for it would be valid on this ledger too (EIP-155 replay)");
    });

    it("a Besu release too old for the genesis' forks is refused", () => {
        const { file, lines } = problemsIn(networkWith({ 11: '    image: "hyperledger/besu:25.10.0@sha256:' + "ab".repeat(32) + '"' }));
        expect(lines).toEqual([
            `${file}:11:12: ledgers.main.image: expected Besu 26.2 or later, found 25.10.0: the genesis enables every fork through Osaka, and Besu runs Shanghai and later on QBFT only from 26.2 (besu#9830)`,
        ]);
    });

    it("genesis validators name validators of the ledger, or addresses of removed ones, once each", () => {
        const { file, lines } = problemsIn(
            networkWith({ 12: "    genesis: { validators: [val-1, val-2, rpc-1, val-9, val-1, '0x00000000000000000000000000000000000000aa'] }\n    nodes:" }),
        );
        expect(lines).toEqual([
            `${file}:12:43: ledgers.main.genesis.validators[2]: 'rpc-1' is an rpc node: only validators can be in genesis`,
            `${file}:12:50: ledgers.main.genesis.validators[3]: expected the name of a validator of ledger 'main' or the 0x address of one removed since, found 'val-9' (did you mean 'val-1'?); a removed validator stays in genesis by its address, as \`ledgerfleet plan\` printed it`,
            `${file}:12:57: ledgers.main.genesis.validators[4]: 'val-1' is listed twice: a validator appears once in genesis`,
        ]);
    });
});

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
