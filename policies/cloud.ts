// What the AWS, Google Cloud and Alibaba Cloud policies share: reading list inputs, what counts as
// the whole internet, the P2P port and rotation parameters, and the StorageClass policy shape. It
// imports no cloud SDK (the offline plan of an on-premises network never loads one).
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asObject } from "./kube";

export type Obj = Record<string, unknown>;

/** The objects of a list input (anything else in it, or a missing list, gives nothing). */
export function objectsOf(value: unknown): Obj[] {
    return Array.isArray(value)
        ? value.flatMap((v) => {
              const o = asObject(v);
              return o === undefined ? [] : [o];
          })
        : [];
}

/** The strings of a list input. */
export function stringsOf(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** A set string (not missing, not blank): a key id, a key ARN. */
export function isSet(value: unknown): value is string {
    return typeof value === "string" && value.trim() !== "";
}

/** True as the clouds' APIs read it: the boolean or the string (launch templates, disks take "true"). */
export function isTrue(value: unknown): boolean {
    return value === true || value === "true";
}

/** A CIDR with prefix length 0 covers every address of its family: 0.0.0.0/0, ::/0 (however spelled). */
export function isWorldCidr(cidr: unknown): boolean {
    return typeof cidr === "string" && /\/0+$/.test(cidr.trim());
}

/** The ledger's P2P port: the one port a firewall may open to the whole internet (Besu's RLPx, TCP). */
export const P2P_PORT = 30303;

/** The `p2pPort` parameter of the world-ingress policies. */
export const P2P_PORT_SCHEMA = {
    properties: { p2pPort: { type: "integer" as const, default: P2P_PORT, description: "The TCP port Besu's P2P listens on: the only one a rule may open to 0.0.0.0/0 or ::/0." } },
};

/** The `maxRotationDays` parameter of the key rotation policies (a year: what all three clouds default to). */
export const MAX_ROTATION_SCHEMA = {
    properties: { maxRotationDays: { type: "integer" as const, default: 365, description: "The longest rotation period allowed, in days." } },
};

export const STORAGE_CLASS_TYPE = "kubernetes:storage.k8s.io/v1:StorageClass";

/**
 * A policy over the StorageClasses of one cloud's CSI driver (by provisioner): `problem` says what is
 * wrong with a class's `parameters`, or nothing. Ledger volumes are made from these classes, so an
 * unencrypted class is an unencrypted chain.
 */
export function storageClassPolicy(spec: {
    name: string;
    description: string;
    provisioners: readonly string[];
    problem: (parameters: Obj) => string | undefined;
}): ResourceValidationPolicy {
    return {
        name: spec.name,
        description: spec.description,
        enforcementLevel: "mandatory",
        validateResource: (args, report) => {
            if (args.type !== STORAGE_CLASS_TYPE) return;
            const provisioner = args.props["provisioner"];
            if (typeof provisioner !== "string" || !spec.provisioners.includes(provisioner)) return;
            const name = String(asObject(args.props["metadata"])?.["name"] ?? args.name);
            const problem = spec.problem(asObject(args.props["parameters"]) ?? {});
            if (problem !== undefined) report(`StorageClass ${name} (${provisioner}): ${problem}`);
        },
    };
}
