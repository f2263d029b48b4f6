// The tenants' scheduler in one region (charts/scheduler.ts), built by the Region that serves any
// tenant, on the region's Kubernetes provider. The tenants' key hashes arrive as a secret Output and
// stay one: only the Secret holds them, which the plan and Pulumi's state keep encrypted or redacted.
import * as pulumi from "@pulumi/pulumi";
import { schedulerNamespace } from "../charts/kube";
import { SCHEDULER_NAME, schedulerChart } from "../charts/scheduler";
import { keysYaml, SCHEDULER_PORT, schedulerConfig, schedulerConfigYaml, type ServiceConfig, tenantKeyHashProblems } from "../charts/scheduler-config";
import { SECRET_PLACEHOLDER } from "../config/load";
import { monitoringNamespace } from "../config/names";
import type { NetworkConfig } from "../config/schema";
import { MISSING_SCHEDULER } from "../config/validate-scheduler";
import { kubeResource } from "./kube-resource";

/** What Network hands a Region whose scheduler serves tenants. */
export interface RegionSchedulerArgs {
    readonly config: NetworkConfig;
    /** Tenant id -> SHA-256 hex of its key, checked (see checkedKeyHashes); secret. */
    readonly keyHashes: pulumi.Output<Record<string, string>>;
}

export interface SchedulerArgs extends RegionSchedulerArgs {
    readonly regionId: string;
    readonly provider: pulumi.ProviderResource;
    /** What the region's objects wait for (its cluster and node pools). */
    readonly dependsOn?: readonly pulumi.Input<pulumi.Resource>[];
}


/**
 * `ledgerfleet:tenantKeyHashes` checked once for the whole network: a bad entry stops the program with
 * a message naming the tenant (never the value). Always a secret, `{}` when the stack sets none.
 */
export function checkedKeyHashes(config: NetworkConfig, hashes: pulumi.Output<Record<string, string> | undefined> | undefined): pulumi.Output<Record<string, string>> {
    if (hashes === undefined) return pulumi.secret(pulumi.output<Record<string, string>>({}));
    return pulumi.secret(
        hashes.apply((h) => {
            const problems = tenantKeyHashProblems(config, h, SECRET_PLACEHOLDER);
            if (problems.length > 0) throw new pulumi.RunError(problems.join("\n"));
            return { ...(h ?? {}) };
        }),
    );
}

/** A region's scheduler arguments, when it serves any tenant (charts/scheduler-config.ts decides which). */
export function regionScheduler(config: NetworkConfig, regionId: string, keyHashes: pulumi.Output<Record<string, string>>): RegionSchedulerArgs | undefined {
    if (schedulerConfig(config, regionId) === undefined) return undefined;
    // The loader refuses tenants without a scheduler block (config/validate-scheduler.ts); a program
    // handed an unchecked config stops here.
    if (config.scheduler === undefined) throw new pulumi.RunError(`network ${config.name}: ${MISSING_SCHEDULER}`);
    return { config, keyHashes };
}

export class Scheduler extends pulumi.ComponentResource {
    /** The in-cluster address clients and the operator's ingress send JSON-RPC to. */
    readonly endpoint: string;
    /** Tenants this region's scheduler lets in: those it reaches that have a key hash. */
    readonly tenants: pulumi.Output<string[]>;

    constructor(name: string, args: SchedulerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ledgerfleet:index:Scheduler", name, {}, opts);
        const { config, regionId } = args;
        const settings = config.scheduler;
        if (settings === undefined) throw new pulumi.RunError(`network ${config.name}: ${MISSING_SCHEDULER}`);
        const namespace = schedulerNamespace(config.name);
        const region = config.regions[regionId];
        if (region === undefined) throw new Error(`internal: no region ${regionId}`);

        // Which tenants have a key is not a secret, and the tenant table must not become one: only
        // the ids leave the secret, so the ConfigMap stays readable in the plan and in `pulumi preview`.
        const keyed = pulumi.unsecret(args.keyHashes.apply((h) => Object.keys(h).sort()));
        const service = keyed.apply((ids): ServiceConfig => {
            const served = schedulerConfig(config, regionId, new Set(ids));
            if (served === undefined) throw new Error(`internal: region ${regionId} builds a scheduler that serves no tenant`);
            return served;
        });
        const keys = pulumi.secret(pulumi.all([service, args.keyHashes]).apply(([s, h]) => keysYaml(s, h)));

        const objects = schedulerChart<pulumi.Output<string>>({
            network: config.name,
            region: regionId,
            namespace,
            monitoringNamespace: monitoringNamespace(region),
            image: settings.image,
            replicas: settings.replicas,
            maxReplicas: settings.maxReplicas,
            resources: settings.resources,
            configYaml: service.apply(schedulerConfigYaml),
            keysYaml: keys,
        });
        const childOpts = (dependsOn: pulumi.Input<pulumi.Resource>[]) => ({ parent: this, provider: args.provider, dependsOn });
        const namespaceObject = objects.find((o) => o.kind === "Namespace");
        if (namespaceObject === undefined) throw new Error("internal: the scheduler chart rendered no Namespace");
        const ns = kubeResource(name, namespaceObject, childOpts([...(args.dependsOn ?? [])]));
        // Everything else waits for the Namespace only. Not the Deployment for the ConfigMap and Secret
        // it mounts: the kubelet starts its pods once they exist, and a refused key hash (which fails
        // them) must stop the program, not leave the Deployment waiting on them for ever.
        for (const obj of objects.filter((o) => o.kind !== "Namespace")) kubeResource(name, obj, childOpts([ns]));

        this.endpoint = `http://${SCHEDULER_NAME}.${namespace}.svc:${SCHEDULER_PORT}`;
        this.tenants = service.apply((s) => s.tenants.map((t) => t.id));
        this.registerOutputs({ endpoint: this.endpoint, tenants: this.tenants });
    }
}
