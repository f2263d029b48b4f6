// Google Cloud's answers in an offline plan: what the GCP provider would report for the resources and
// the one invoke components/clouds/gcp.ts uses, in Google's own formats (self links, key paths,
// service account emails), deterministic from the resource's name and inputs.
import { createHash } from "node:crypto";
import type { CloudCallMock, CloudResourceMock } from "./cloud-mocks";

/** The project a plan pretends to run in (the provider takes the real one from gcp:project). */
export const PLAN_GCP_PROJECT = "ledgerfleet-plan";
/** Its project number: names the GKE and Compute Engine service agents that use the KMS key. */
export const PLAN_GCP_PROJECT_NUMBER = "100000000001";

const COMPUTE = "https://www.googleapis.com/compute/v1";

function str(value: unknown, fallback: string): string {
    return typeof value === "string" && value !== "" ? value : fallback;
}

/** Last segment of a self link or resource path (what a name-or-link field holds). */
function lastSegment(value: unknown, fallback: string): string {
    return str(value, fallback).split("/").pop() ?? fallback;
}

/** A resource's GCP name: the one given, else the Pulumi name (the provider would add a random suffix). */
function gcpName(inputs: Record<string, unknown>, name: string): string {
    return str(inputs["name"], name);
}

/** A base64 string that decodes to a PEM-shaped placeholder, as GKE reports a cluster's CA. */
function placeholderCa(name: string): string {
    const body = createHash("sha256").update(`ledgerfleet plan placeholder CA, not a real certificate: ${name}`).digest("base64");
    return Buffer.from(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`).toString("base64");
}

/** A private address in the control plane's /28 (the second one, as GKE gives it). */
function controlPlaneIp(masterCidr: unknown): string {
    const [base] = str(masterCidr, "172.16.0.0/28").split("/");
    const octets = base.split(".").map(Number);
    octets[3] += 2;
    return octets.join(".");
}

export const gcpResourceMock: CloudResourceMock = (type, name, inputs, ctx) => {
    const project = str(inputs["project"], PLAN_GCP_PROJECT);
    const region = str(inputs["region"], str(inputs["location"], "europe-west3"));
    const own = gcpName(inputs, name);
    switch (type) {
        case "gcp:compute/address:Address":
            return {
                name: own,
                project,
                region,
                address: ctx.nextPublicIp(),
                selfLink: `${COMPUTE}/projects/${project}/regions/${region}/addresses/${own}`,
                status: "RESERVED",
            };
        case "gcp:compute/network:Network":
            return { name: own, project, selfLink: `${COMPUTE}/projects/${project}/global/networks/${own}` };
        case "gcp:compute/subnetwork:Subnetwork":
            return {
                name: own,
                project,
                region,
                selfLink: `${COMPUTE}/projects/${project}/regions/${region}/subnetworks/${own}`,
                gatewayAddress: str(inputs["ipCidrRange"], "10.0.0.0/20").replace(/\.0\/\d+$/, ".1"),
            };
        case "gcp:compute/router:Router":
            return { name: own, project, region, selfLink: `${COMPUTE}/projects/${project}/regions/${region}/routers/${own}` };
        case "gcp:compute/routerNat:RouterNat":
            return { name: own, project, region };
        case "gcp:compute/firewall:Firewall":
            return { name: own, project, selfLink: `${COMPUTE}/projects/${project}/global/firewalls/${own}` };
        case "gcp:kms/keyRing:KeyRing":
            return { name: own, project, location: str(inputs["location"], region) };
        case "gcp:kms/cryptoKey:CryptoKey":
            return { name: own, primary: [{ name: `${str(inputs["keyRing"], "keyRing")}/cryptoKeys/${own}/cryptoKeyVersions/1`, state: "ENABLED" }] };
        case "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember":
        case "gcp:projects/iAMMember:IAMMember":
            return { etag: "BwYplanEtag=" };
        case "gcp:serviceaccount/account:Account": {
            const email = `${str(inputs["accountId"], name)}@${project}.iam.gserviceaccount.com`;
            return { project, email, member: `serviceAccount:${email}`, name: `projects/${project}/serviceAccounts/${email}`, uniqueId: "100000000000000000001" };
        }
        case "gcp:container/cluster:Cluster": {
            const location = str(inputs["location"], region);
            const privateCluster = (inputs["privateClusterConfig"] ?? {}) as Record<string, unknown>;
            const endpoint = controlPlaneIp(privateCluster["masterIpv4CidrBlock"]);
            return {
                name: own,
                project,
                location,
                endpoint,
                masterAuth: { ...(inputs["masterAuth"] as object | undefined), clusterCaCertificate: placeholderCa(own) },
                privateClusterConfig: { ...privateCluster, privateEndpoint: endpoint },
                selfLink: `https://container.googleapis.com/v1/projects/${project}/locations/${location}/clusters/${own}`,
                labelFingerprint: "planfingerprint",
            };
        }
        case "gcp:container/nodePool:NodePool": {
            const poolName = `${str(inputs["namePrefix"], `${name}-`)}plan`;
            return {
                name: str(inputs["name"], poolName),
                project,
                location: str(inputs["location"], region),
                instanceGroupUrls: [],
                managedInstanceGroupUrls: [],
            };
        }
        case "gcp:dns/managedZone:ManagedZone":
            return { name: own, project, nameServers: [1, 2, 3, 4].map((n) => `ns-cloud-a${n}.googledomains.com.`), managedZoneId: "1000000000000000001" };
        case "gcp:dns/recordSet:RecordSet":
            return { project, managedZone: lastSegment(inputs["managedZone"], "zone") };
        default:
            return undefined;
    }
};

export const gcpCallMock: CloudCallMock = (token, args) => {
    switch (token) {
        case "gcp:organizations/getProject:getProject": {
            const projectId = str(args["projectId"], PLAN_GCP_PROJECT);
            return { id: `projects/${projectId}`, projectId, name: projectId, number: PLAN_GCP_PROJECT_NUMBER, labels: {}, effectiveLabels: {}, pulumiLabels: {}, tags: {} };
        }
        default:
            return undefined;
    }
};
