// Validates Kubernetes objects against the upstream OpenAPI schema shipped by kubernetes-models:
// an independent check of what charts render and the plan writes.
import { Namespace } from "kubernetes-models/v1/Namespace";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";

type Validating = new (data: never) => { validate(): void };
const MODELS: Record<string, Validating> = {
    "v1/Namespace": Namespace as unknown as Validating,
    "v1/ConfigMap": ConfigMap as unknown as Validating,
    "v1/Secret": Secret as unknown as Validating,
    "v1/Service": Service as unknown as Validating,
    "apps/v1/StatefulSet": StatefulSet as unknown as Validating,
    "policy/v1/PodDisruptionBudget": PodDisruptionBudget as unknown as Validating,
    "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy as unknown as Validating,
};

/** Throws with the object's kind/name and the schema's complaint when it is not a valid object. */
export function validateKubeObject(obj: { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } }): void {
    const key = `${String(obj.apiVersion)}/${String(obj.kind)}`;
    const Model = MODELS[key];
    if (Model === undefined) throw new Error(`no schema model for ${key}; add it to test/helpers/kube-schema.ts`);
    try {
        new Model(obj as never).validate();
    } catch (err) {
        throw new Error(`${key} ${String(obj.metadata?.name)} violates the Kubernetes schema: ${err instanceof Error ? err.message : String(err)}`);
    }
}
