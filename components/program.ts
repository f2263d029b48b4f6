// The Pulumi program behind index.ts: reads the stack config, loads the network file, builds the
// Network. `pulumi up` runs it against real clusters; `ledgerfleet plan` runs it under mocks.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadNetworkFile, resolveDeployTarget } from "../config/load";
import { PROJECT } from "../config/schema";
import { Network } from "./network";
import { cloudsOf, loadClouds } from "./clouds";

/** Where stack files live (Pulumi.yaml's stackConfigDir); network paths are relative to it. */
export const STACKS_DIR = path.join(__dirname, "..", "stacks");

export async function ledgerfleet(): Promise<Record<string, unknown>> {
    const config = new pulumi.Config(PROJECT);
    const stack = pulumi.getStack();
    const stackFile = path.join(STACKS_DIR, `Pulumi.${stack}.yaml`);
    let network;
    let deploy;
    try {
        network = loadNetworkFile(path.resolve(STACKS_DIR, config.require("network")), { lab: config.getBoolean("lab") === true });
        deploy = resolveDeployTarget(network, config.get("deploy") ?? "all", { file: stackFile, path: "config.ledgerfleet:deploy" });
    } catch (err) {
        // RunError: Pulumi prints the message without a stack trace.
        if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
        throw err;
    }
    // Only the SDKs of the clouds this network uses: an on-premises network loads none.
    const clouds = await loadClouds(cloudsOf(network));
    const net = new Network(network.name, {
        config: network,
        deploy,
        nodeKeys: config.getSecretObject<Record<string, string>>("nodeKeys"),
        globalStack: config.get("globalStack"),
        clouds,
    });
    await net.buildRegions();
    return {
        network: network.name,
        deploy: config.get("deploy") ?? "all",
        ledgers: net.ledgers,
        regions: Object.keys(net.regions),
        // Where `ledgerfleet rollout` finds each cloud region: a kubeconfig context named after the
        // region, made from these (README, "Updates never stop a chain").
        clusters: Object.fromEntries(
            Object.entries(net.regions).flatMap(([id, r]) => {
                const region = network.regions[id];
                return r.clusterName === undefined || region === undefined || region.cloud === "existing" ? [] : [[id, { cloud: region.cloud, region: region.region, cluster: r.clusterName }]];
            }),
        ),
        ...(net.nodePrivateKeys ? { nodePrivateKeys: net.nodePrivateKeys } : {}),
        ...(net.addresses ? { addresses: net.addresses } : {}),
        ...(net.nameServers ? { nameServers: net.nameServers } : {}),
    };
}
