// The real `Cluster` of the rollout: one region's Kubernetes API through its kubeconfig context,
// with @kubernetes/client-node. Only reads StatefulSets and pods and deletes pods; every
// decision is made in rollout-plan.ts.
import * as path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { isInlineKubeconfig } from "../config/network";
import type { RegionConfig } from "../config/schema";
import type { Cluster, PodInfo, StatefulSetInfo } from "./rollout";

/** An unreachable API server can hold a connection for minutes; the rollout would rather stop. */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * How an operator makes the kubeconfig context a cloud region's rollout uses: named after the region,
 * from the cluster the stack's `clusters` output names.
 */
export function cloudContextHint(regionId: string, region: RegionConfig): string {
    const cluster = `$(pulumi stack output clusters --json | jq -r '."${regionId}".cluster')`;
    switch (region.cloud) {
        case "aws":
            return `aws eks update-kubeconfig --region ${region.region} --name ${cluster} --alias ${regionId}`;
        case "gcp":
            return `gcloud container clusters get-credentials ${cluster} --region ${region.region} && kubectl config rename-context "$(kubectl config current-context)" ${regionId}`;
        case "alicloud":
            return `aliyun cs GET /k8s/${cluster}/user_config | jq -r .config > ${regionId}.kubeconfig, then merge it into your kubeconfig with its context renamed ${regionId} (from inside the VPC: ACK's API is private)`;
        default:
            return `kubectl config get-contexts ${region.kubeconfigContext}`;
    }
}

export function kubeCluster(regionId: string, region: RegionConfig): Cluster {
    // A cloud region is reached through a context named after it (cloudContextHint makes it).
    const contextName = region.cloud === "existing" ? region.kubeconfigContext : regionId;
    const kubeconfig = region.cloud === "existing" ? region.kubeconfig : undefined;
    const config = new k8s.KubeConfig();
    let source: string;
    if (kubeconfig === undefined) {
        // Like kubectl: $KUBECONFIG, else ~/.kube/config.
        config.loadFromDefault();
        source = "the default kubeconfig";
    } else if (isInlineKubeconfig(kubeconfig)) {
        // The Kubernetes provider takes a kubeconfig's contents as well as its path; so does this.
        config.loadFromString(kubeconfig);
        source = "the kubeconfig given inline";
    } else {
        const file = path.resolve(kubeconfig);
        config.loadFromFile(file);
        source = file;
    }
    if (config.getContextObject(contextName) === null) {
        const known = config.getContexts().map((c) => c.name);
        throw new Error(
            `context ${contextName} not found in ${source}` +
                (known.length > 0 ? `; its contexts are: ${known.join(", ")}` : "; it has no contexts") +
                (region.cloud === "existing" ? "" : `. The rollout reaches ${region.cloud} region ${regionId} through a context named ${regionId}: ${cloudContextHint(regionId, region)}`),
        );
    }
    config.setCurrentContext(contextName);
    const apps = config.makeApiClient(k8s.AppsV1Api);
    const core = config.makeApiClient(k8s.CoreV1Api);

    return {
        async listStatefulSets(namespace, labelSelector) {
            const list = await request(apps.listNamespacedStatefulSet({ namespace, labelSelector }));
            return list.items.map(statefulSetInfo);
        },
        async listPods(namespace, labelSelector) {
            const list = await request(core.listNamespacedPod({ namespace, labelSelector }));
            return list.items.map(podInfo);
        },
        async deletePod(namespace, name, uid) {
            try {
                // The uid precondition: if the pod was replaced since it was read, the new one stays.
                await request(core.deleteNamespacedPod({ namespace, name, body: { preconditions: { uid } } }));
            } catch (error) {
                // 404: already gone; 409: the uid no longer matches. Either way the pod read is gone,
                // and the rollout goes on to wait for its successor.
                if (error instanceof k8s.ApiException && (error.code === 404 || error.code === 409)) return;
                throw error;
            }
        },
    };
}

/** The fields of a StatefulSet the rollout reads. */
export function statefulSetInfo(s: k8s.V1StatefulSet): StatefulSetInfo {
    return {
        name: s.metadata?.name ?? "",
        generation: s.metadata?.generation,
        observedGeneration: s.status?.observedGeneration,
        updateRevision: s.status?.updateRevision,
    };
}

/** The fields of a pod the rollout reads; Ready means its Ready condition is True. */
export function podInfo(p: k8s.V1Pod): PodInfo {
    return {
        name: p.metadata?.name ?? "",
        uid: p.metadata?.uid ?? "",
        labels: p.metadata?.labels ?? {},
        ready: (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
        terminating: p.metadata?.deletionTimestamp !== undefined && p.metadata.deletionTimestamp !== null,
    };
}

/** The request, failing after REQUEST_TIMEOUT_MS, with the API server's own message when it answered. */
async function request<T>(call: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from the API server within ${REQUEST_TIMEOUT_MS / 1000}s`)), REQUEST_TIMEOUT_MS);
    });
    try {
        return await Promise.race([call, timeout]);
    } catch (error) {
        if (error instanceof k8s.ApiException) throw apiError(error);
        throw error instanceof Error ? new Error(withCauses(error)) : error;
    } finally {
        clearTimeout(timer);
    }
}

/** fetch says only "fetch failed"; what failed (ECONNREFUSED, a certificate) is in its causes. */
function withCauses(error: Error): string {
    const parts = [error.message];
    for (let cause: unknown = error.cause; cause instanceof Error && parts.length < 4; cause = cause.cause) parts.push(cause.message);
    return parts.join(": ");
}

/** An ApiException's body is the whole Status object; its `message` is what a person needs. */
function apiError(error: k8s.ApiException<unknown>): k8s.ApiException<unknown> {
    const body: unknown = error.body;
    let detail = "";
    if (typeof body === "string") {
        try {
            const parsed: unknown = JSON.parse(body);
            if (parsed !== null && typeof parsed === "object" && "message" in parsed && typeof parsed.message === "string") detail = parsed.message;
        } catch {
            detail = body.slice(0, 200);
        }
    } else if (body !== null && typeof body === "object" && "message" in body && typeof body.message === "string") {
        detail = body.message;
    }
    // Still an ApiException, so deletePod can tell 404 and 409 apart.
    return new k8s.ApiException(error.code, `HTTP ${error.code}${detail === "" ? "" : `: ${detail}`}`, error.body, error.headers);
}
