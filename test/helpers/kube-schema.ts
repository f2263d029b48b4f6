// Checks Kubernetes objects against the upstream OpenAPI schema, twice over, with two libraries
// generated from it independently of this project:
// - kubernetes-models validates types, enums and required fields (but lets unknown fields pass);
// - @kubernetes/client-node's model attribute maps catch fields Kubernetes does not have, such as a
//   misspelled one, which the API server would drop or, with strict field validation, reject.
import * as client from "@kubernetes/client-node";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";

type Validating = new (data: never) => { validate(): void };
const MODELS: Record<string, Validating> = {
    "v1/Namespace": Namespace,
    "v1/ConfigMap": ConfigMap,
    "v1/Secret": Secret,
    "v1/Service": Service,
    "v1/PersistentVolumeClaim": PersistentVolumeClaim,
    "apps/v1/StatefulSet": StatefulSet,
    "apps/v1/Deployment": Deployment,
    "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
    "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
    "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
};

interface Attribute {
    baseName: string;
    type: string;
}
type ModelClass = { getAttributeTypeMap(): Attribute[] };
const clientModels = client as unknown as Record<string, ModelClass | undefined>;

/** Paths of fields that the Kubernetes type at `type` does not define. */
function unknownFields(value: unknown, type: string, path: string): string[] {
    if (value === null || value === undefined) return [];
    const array = /^Array<(.+)>$/.exec(type);
    if (array) return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, array[1] ?? "", `${path}[${i}]`)) : [];
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map) return Object.entries(value as object).flatMap(([k, v]) => unknownFields(v, map[1] ?? "", `${path}.${k}`));
    const model = clientModels[type];
    if (model === undefined || typeof model.getAttributeTypeMap !== "function") return []; // a scalar
    const attributes = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
    return Object.entries(value as object).flatMap(([k, v]) => {
        const fieldType = attributes.get(k);
        return fieldType === undefined ? [`${path}.${k}`] : unknownFields(v, fieldType, `${path}.${k}`);
    });
}

/** Throws with the object's kind/name and what is wrong when it is not a valid Kubernetes object. */
export function validateKubeObject(obj: { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } }): void {
    const key = `${String(obj.apiVersion)}/${String(obj.kind)}`;
    const where = `${key} ${String(obj.metadata?.name)}`;
    const Model = MODELS[key];
    if (Model === undefined) throw new Error(`no schema model for ${key}; add it to test/helpers/kube-schema.ts`);
    try {
        new Model(structuredClone(obj) as never).validate();
    } catch (err) {
        throw new Error(`${where} violates the Kubernetes schema: ${err instanceof Error ? err.message : String(err)}`);
    }
    // client-node names a model after its API version: V1Deployment, V2HorizontalPodAutoscaler.
    const version = /v(\d+)$/.exec(String(obj.apiVersion))?.[1] ?? "1";
    const unknown = unknownFields(obj, `V${version}${String(obj.kind)}`, "");
    if (unknown.length > 0) throw new Error(`${where} has fields Kubernetes does not define: ${unknown.join(", ")}`);
}
