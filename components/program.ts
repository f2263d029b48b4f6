// The Pulumi program behind index.ts: reads the stack config, loads the network file, builds the
// Network. `pulumi up` runs it against real clusters; `ledgerfleet plan` runs it under mocks.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { previousPlacement } from "../config/dedicated";
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
        const file = path.resolve(STACKS_DIR, config.require("network"));
        const lab = config.getBoolean("lab") === true;
        network = loadNetworkFile(file, { lab });
        deploy = resolveDeployTarget(network, config.get("deploy") ?? "all", { file: stackFile, path: "config.ledgerfleet:deploy" });
        if (network.placement !== undefined) {
            // Dedicated tenants' nodes stay where they were placed: read where that was (this stack's
            // last update, or the global stack's for a region stack) and place again around it.
            const previous = await previousLedgers(deploy.kind === "region" ? config.get("globalStack") : undefined);
            network = loadNetworkFile(file, { lab, previous: previousPlacement(previous) });
        }
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
        tenantKeyHashes: config.getSecretObject<Record<string, string>>("tenantKeyHashes"),
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

/**
 * The `ledgers` output of the stack that placed the dedicated ledgers last time: this stack's own
 * (`all`, `global`), or the global stack's. A StackReference to the running stack reads its last
 * checkpoint (nothing on a first deploy); previews resolve it too. Awaited before anything is built,
 * since where a node goes decides which resources exist.
 */
async function previousLedgers(globalStack: string | undefined): Promise<unknown> {
    const stack = globalStack ?? `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
    const ref = new pulumi.StackReference("ledgerfleet-placement-previous", { name: stack });
    const details = await ref.getOutputDetails("ledgers");
    return details.value ?? details.secretValue;
}
