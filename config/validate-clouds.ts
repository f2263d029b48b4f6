// Rules for cloud regions that need the parsed, defaulted network (the catalog, pool sizing, the DNS
// provider): run after the schema, reported with the same file, line and key path.
import { cloudSettings } from "./cloud-settings";
import { priceProblems } from "../scheduler/cost";
import type { KeyPath } from "./errors";
import type { NetworkConfig } from "./schema";

export interface CloudFinding {
    path: KeyPath;
    message: string;
}

export function checkClouds(network: NetworkConfig): CloudFinding[] {
    const findings: CloudFinding[] = [];
    for (const regionId of Object.keys(network.regions)) findings.push(...cloudSettings(network, regionId).problems);
    findings.push(...priceProblems(network));

    const cloudRegions = Object.entries(network.regions).filter(([, r]) => r.cloud !== "existing");
    for (const [ledgerId, ledger] of Object.entries(network.ledgers)) {
        ledger.nodes.forEach((node, i) => {
            const region = network.regions[node.region];
            if (region === undefined) return;
            const at = (key: string): KeyPath => ["ledgers", ledgerId, "nodes", i, key];
            if (region.cloud === "existing") {
                if (node.zone !== undefined) findings.push({ path: at("zone"), message: `zone is for nodes in cloud regions; '${node.region}' is an existing cluster, which places pods itself` });
                return;
            }
            if (node.address !== undefined) {
                findings.push({
                    path: at("address"),
                    message: `node '${node.name}' is in ${region.cloud} region '${node.region}', whose P2P addresses ledgerfleet reserves (a static public IP per node, protected): remove address`,
                });
            }
            if (node.rpcAddress !== undefined) {
                findings.push({
                    path: at("rpcAddress"),
                    message: `rpcAddress is for existing clusters joined by a private network; in ${region.cloud} region '${node.region}' schedulers reach RPC nodes in their own region: remove rpcAddress`,
                });
            }
        });
    }

    if (network.dns !== undefined && !cloudRegions.some(([, r]) => r.cloud === network.dns?.provider)) {
        findings.push({
            path: ["dns", "provider"],
            message: `the DNS zone is to be hosted on ${network.dns.provider}, but no region of the network is on ${network.dns.provider}: ` +
                `its credentials and provider come from one of its regions; choose ${[...new Set(cloudRegions.map(([, r]) => r.cloud))].join(" or ") || "a cloud the network uses"}`,
        });
    }
    if (network.netRestrict !== undefined && cloudRegions.length > 0) {
        findings.push({
            path: ["netRestrict"],
            message: `netRestrict lists the ranges peers come from, but cloud regions (${cloudRegions.map(([id]) => id).join(", ")}) get their addresses when the global stack reserves them: remove netRestrict (the allowlist admits exactly the network's addresses)`,
        });
    }
    return findings;
}
