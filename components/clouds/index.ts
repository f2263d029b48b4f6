// The cloud adapters, loaded only for the clouds a network uses: each SDK (@pulumi/aws, gcp,
// alicloud) costs time and memory to load, and an on-premises network pays nothing for them.
import type { CloudName, NetworkConfig } from "../../config/schema";
import type { CloudAdapter, DnsAdapter } from "./types";

export interface CloudModules {
    readonly adapters: Partial<Record<CloudName, CloudAdapter>>;
    readonly dns: Partial<Record<CloudName, DnsAdapter>>;
}

/** The clouds a network needs an SDK for: its regions' clouds and its DNS provider. */
export function cloudsOf(config: NetworkConfig): Set<CloudName> {
    const clouds = new Set<CloudName>();
    for (const region of Object.values(config.regions)) if (region.cloud !== "existing") clouds.add(region.cloud);
    if (config.dns !== undefined) clouds.add(config.dns.provider);
    return clouds;
}

async function loadOne(cloud: CloudName): Promise<{ adapter: CloudAdapter; dns: DnsAdapter }> {
    // The adapters are typed for their own region config; the Region hands each only its own cloud's.
    switch (cloud) {
        case "aws": {
            const m = await import("./aws");
            return { adapter: m.awsAdapter as CloudAdapter, dns: m.awsDns };
        }
        case "gcp": {
            const m = await import("./gcp");
            return { adapter: m.gcpAdapter as CloudAdapter, dns: m.gcpDns };
        }
        case "alicloud": {
            const m = await import("./alicloud");
            return { adapter: m.alicloudAdapter as CloudAdapter, dns: m.alicloudDns };
        }
    }
}

/** Loads the adapters (and DNS) of `clouds`, and no others. */
export async function loadClouds(clouds: Iterable<CloudName>): Promise<CloudModules> {
    const adapters: Partial<Record<CloudName, CloudAdapter>> = {};
    const dns: Partial<Record<CloudName, DnsAdapter>> = {};
    for (const cloud of clouds) {
        const loaded = await loadOne(cloud);
        adapters[cloud] = loaded.adapter;
        dns[cloud] = loaded.dns;
    }
    return { adapters, dns };
}
