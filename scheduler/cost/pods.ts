// The ledger pods a region runs, as the bill sees them: requests, volume, load balancers. Read from
// the loaded network with the same helpers the pools are sized with, so the bill counts the machines
// the Region builds.
import { type CloudSettings, cloudSettings } from "../../config/cloud-settings";
import { nodeResources } from "../../config/node-resources";
import { ledgerPodRequests } from "../../config/pool-sizing";
import type { LedgerConfig, NetworkConfig, NodeConfig } from "../../config/schema";
import type { ClusterPod } from "./cluster";

/**
 * One node as a pod of the bill. An RPC node with an rpcAddress gets a second LoadBalancer when other
 * regions' schedulers can reach it, that is when there is another region (charts/ledger-peer.ts,
 * components/region.ts): one is enough for its egress addresses to be a source.
 */
export function clusterPod(ledgerId: string, ledger: LedgerConfig, node: NodeConfig, regions: number): ClusterPod {
    const r = nodeResources(ledger, node);
    return {
        ledger: ledgerId,
        requests: ledgerPodRequests(node.role, r.cpu, r.memory),
        storageGiB: r.storageGiB,
        rpcLoadBalancer: node.role === "rpc" && node.rpcAddress !== undefined && regions > 1,
    };
}

/** A cloud region's settings; a network the loader would refuse is refused here too, with its problems. */
export function settingsOf(network: NetworkConfig, regionId: string): CloudSettings {
    const { settings, problems } = cloudSettings(network, regionId);
    if (settings === undefined) {
        const listed = problems.map((p) => `${p.path.join(".")}: ${p.message}`).join("; ");
        throw new Error(`cannot price region '${regionId}': ${listed || "it is not a cloud region"} (load the network with config/load.ts first: it reports these with file and line)`);
    }
    return settings;
}
