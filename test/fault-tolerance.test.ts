// The plan's fault-tolerance table: which failure domain a ledger survives losing.
import { describe, expect, it } from "vitest";
import { faultTolerance, maxFaulty } from "../config/fault-tolerance";
import { parseNetworkText } from "../config/load";

function network(placement: string[], regions: string): ReturnType<typeof parseNetworkText> {
    const nodes = placement.map((region, i) => `      - { name: v${i}, role: validator, region: ${region}, address: 198.51.100.${i + 1} }`).join("\n");
    return parseNetworkText(
        `name: t\ndomain: t.example\nregions:\n${regions}\nledgers:\n  main:\n    framework: besu\n    consensus: qbft\n    chainId: 4242\n    image: i\n    nodes:\n${nodes}\n`,
        "t.yaml",
    );
}

describe("fault tolerance", () => {
    it("follows n >= 3f + 1", () => {
        expect([4, 6, 7, 10, 100].map(maxFaulty)).toEqual([1, 1, 2, 3, 33]);
    });

    it("says NO for a region holding more than f validators, and how many it holds", () => {
        const regions = ["a", "b", "c"].map((r) => `  ${r}: { cloud: existing, kubeconfigContext: ${r}, egressAddresses: [203.0.113.1] }`).join("\n");
        const [main] = faultTolerance(network(["a", "a", "a", "b", "b", "c", "c"], regions));
        expect(main?.f).toBe(2);
        expect(main?.rows.filter((r) => r.level === "region")).toEqual([
            { level: "region", domain: "a", validators: 3, remaining: 4, survivesLoss: false, within: "existing:a" },
            { level: "region", domain: "b", validators: 2, remaining: 5, survivesLoss: true, within: "existing:b" },
            { level: "region", domain: "c", validators: 2, remaining: 5, survivesLoss: true, within: "existing:c" },
        ]);
    });

    it("uses Besu's quorum, ceil(2n/3): six validators survive losing two, which f = 1 alone would not say", () => {
        const regions = ["a", "b", "c"].map((r) => `  ${r}: { cloud: existing, kubeconfigContext: ${r}, egressAddresses: [203.0.113.1] }`).join("\n");
        const [main] = faultTolerance(network(["a", "a", "b", "b", "c", "c"], regions));
        expect(main?.f).toBe(1);
        expect(main?.quorum).toBe(4);
        expect(main?.rows.filter((r) => r.level === "region").map((r) => r.survivesLoss)).toEqual([true, true, true]);
        // Five: quorum 4, so losing two stops the chain.
        const [five] = faultTolerance(network(["a", "a", "b", "b", "c"], regions));
        expect(five?.rows.find((r) => r.domain === "a")).toEqual({ level: "region", domain: "a", validators: 2, remaining: 3, survivesLoss: false, within: "existing:a" });
    });

    it("counts clusters sharing a failure domain as one at the cloud level", () => {
        const regions = [
            "  a: { cloud: existing, kubeconfigContext: a, failureDomain: dc1, egressAddresses: [203.0.113.1] }",
            "  b: { cloud: existing, kubeconfigContext: b, failureDomain: dc1, egressAddresses: [203.0.113.1] }",
            "  c: { cloud: existing, kubeconfigContext: c, failureDomain: dc2, egressAddresses: [203.0.113.1] }",
            "  d: { cloud: existing, kubeconfigContext: d, failureDomain: dc3, egressAddresses: [203.0.113.1] }",
        ].join("\n");
        const [main] = faultTolerance(network(["a", "b", "c", "d"], regions));
        // Each cluster alone is survivable (1 <= f = 1), but losing data centre dc1 takes two.
        expect(main?.rows.filter((r) => r.level === "region").every((r) => r.survivesLoss)).toBe(true);
        expect(main?.rows.find((r) => r.domain === "existing:dc1")).toEqual({ level: "cloud", domain: "existing:dc1", validators: 2, remaining: 2, survivesLoss: false });
    });
});
