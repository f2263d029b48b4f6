// Kubernetes objects as `kubectl apply` would take them, rebuilt from what the program registered:
// manifests/<region-id>/<namespace>/<Kind>-<name>.yaml. Secret data is never written.
import { stringify } from "yaml";
import { type Registration, redactSecrets, unwrapSecrets } from "./mocks";

/** Cluster-scoped objects (Namespace) go here; "_" cannot start a namespace name, so no clash. */
export const CLUSTER_SCOPE_DIR = "_cluster";
const SECRET_DATA_REDACTED = "[redacted]";

export interface Manifest {
    /** Path under manifests/. */
    path: string;
    region: string;
    object: Record<string, unknown>;
    yaml: string;
}

function isKubeObject(r: Registration): boolean {
    return r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers:");
}

/** Region id of a registration: the Region component among its ancestors (named `<network>-<region>`). */
function regionOf(r: Registration, byUrn: Map<string, Registration>, network: string): string {
    for (let cur: Registration | undefined = r; cur !== undefined; cur = byUrn.get(cur.parent)) {
        if (cur.type === "ledgerfleet:index:Region") return cur.name.slice(network.length + 1);
    }
    throw new Error(`internal: ${r.urn} is not inside a Region`);
}

/** A Secret keeps its keys (so the manifest still says what it holds) but loses every value. */
function withSecretDataRedacted(inputs: Record<string, unknown>): Record<string, unknown> {
    if (inputs["kind"] !== "Secret") return inputs;
    const object = { ...inputs };
    for (const field of ["data", "stringData"]) {
        const data = unwrapSecrets(object[field]);
        if (typeof data === "object" && data !== null) {
            object[field] = Object.fromEntries(Object.keys(data).map((k) => [k, SECRET_DATA_REDACTED]));
        } else if (data !== undefined) {
            object[field] = SECRET_DATA_REDACTED;
        }
    }
    return object;
}

/** apiVersion, kind and metadata first, as people write manifests; the engine hands keys over sorted. */
function kubectlOrder(object: Record<string, unknown>): Record<string, unknown> {
    const { apiVersion, kind, metadata, ...rest } = object;
    return { apiVersion, kind, metadata, ...rest };
}

export function renderManifests(registrations: readonly Registration[], network: string): Manifest[] {
    const byUrn = new Map(registrations.map((r) => [r.urn, r]));
    const manifests = registrations.filter(isKubeObject).map((r) => {
        const object = kubectlOrder(redactSecrets(withSecretDataRedacted(r.inputs)) as Record<string, unknown>);
        const metadata = (object["metadata"] ?? {}) as { name?: string; namespace?: string };
        const region = regionOf(r, byUrn, network);
        const path = `${region}/${metadata.namespace ?? CLUSTER_SCOPE_DIR}/${String(object["kind"])}-${metadata.name}.yaml`;
        return { path, region, object, yaml: stringify(object, { lineWidth: 0 }) };
    });
    const seen = new Set<string>();
    for (const m of manifests) {
        if (seen.has(m.path)) throw new Error(`internal: two objects render to manifests/${m.path}`);
        seen.add(m.path);
    }
    return manifests.sort((a, b) => a.path.localeCompare(b.path));
}
