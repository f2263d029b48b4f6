// The placement engine's vocabulary: regions with their ledger pools, what each dedicated ledger asks
// for, what is already where, and the answer. Pure data; the loader builds the input from the network
// file and turns the answer into nodes with regions and zones.

/** Per machine or per pod: CPU millicores, memory MiB, attached volumes. */
export interface Vector {
    cpuMillis: number;
    memoryMiB: number;
    volumes: number;
}

/** Every given list must admit a region: its cloud, its country, its id. */
export interface ResidencyFilter {
    clouds?: string[];
    countries?: string[];
    regions?: string[];
}

/** Allow-lists, and a deny-list any of whose entries excludes a region the allow-lists admit. */
export interface Residency extends ResidencyFilter {
    deny?: ResidencyFilter;
}

export interface PlacementRegion {
    id: string;
    cloud: string;
    /** Cloud-level failure domain (config/failure-domain.ts): the cloud, or what the region declares. */
    failureDomain: string;
    /** ISO 3166-1 alpha-2; a region without one is admitted by no `countries` list. */
    country?: string;
    /** Ledger pool machine type (for messages). */
    machine: string;
    /** Allocatable per machine: what is left for ledger pods (config/pool-sizing.ts allocatable()). */
    capacity: Vector;
    /** The pool spreads its machines evenly over this many zones (1..3). */
    zones: number;
    /** Pool totals over all zones. */
    minMachines: number;
    maxMachines: number;
    /** On-demand price of one machine per hour: cheaper regions win ties. */
    machineHourPrice: number;
}

export interface PlacementNode {
    name: string;
    role: "validator" | "rpc";
    demand: Vector;
}

export interface LedgerDemand {
    ledger: string;
    tenant: string;
    /** The nodes to place; pinned nodes of the ledger come as `fixed` and are left out here. */
    nodes: PlacementNode[];
    residency?: Residency;
}

/** A node already in a region by hand (shared ledgers' nodes, or pinned dedicated nodes): load the engine must pack around. */
export interface FixedNode {
    ledger: string;
    node: string;
    role: "validator" | "rpc";
    region: string;
    /** Zone index; left out, the engine picks one (and keeps it once it is in `existing`). */
    zone?: number;
    demand: Vector;
}

export interface PlacementInput {
    regions: PlacementRegion[];
    fixed: FixedNode[];
    /** To place. */
    ledgers: LedgerDemand[];
    /** Where nodes were placed before ("ledger/node" -> region id and zone index): kept as they are. */
    existing?: Record<string, { region: string; zone: number }>;
}

export interface NodePlacement {
    ledger: string;
    node: string;
    role: "validator" | "rpc";
    region: string;
    zone: number;
    /**
     * The machine of its zone (0-based, below the zone's perZone count) in the packing the machine
     * count rests on. Kubernetes' scheduler chooses machines itself; this shows that the count suffices.
     */
    machine: number;
    /** Why here, for the plan's readers: fixed, kept, or what the engine weighed. */
    reason: string;
}

export interface RegionUsage {
    region: string;
    /** What the pool needs: zones x the fullest zone's machines, at least minMachines in whole rows. */
    machines: number;
    lowerBound: number;
    nodes: number;
    /** Machines each zone needs. */
    perZone: number[];
    /** Used / (machines x capacity), 0..1 per dimension; 0 when the pool needs no machine. */
    utilisation: Vector;
}

export interface PlacementResult {
    /** Every fixed and placed node: fixed nodes in input order, then each ledger's nodes in input order. */
    nodes: NodePlacement[];
    /** Every region, in input order. */
    regions: RegionUsage[];
    machines: number;
    /** The baseline's machines on the same input (placeFirstFitDecreasing); Infinity when it finds no placement. */
    ffdMachines: number;
    lowerBound: number;
}

export type PlacementConstraint = "fault-tolerance" | "failure-domains" | "residency" | "machine-size" | "pool-max";

/** Demand that cannot be placed: which tenant, which constraint, and (in the message) the nearest way out. */
export class PlacementError extends Error {
    readonly tenant: string;
    readonly constraint: PlacementConstraint;

    constructor(tenant: string, constraint: PlacementConstraint, message: string) {
        super(message);
        this.name = "PlacementError";
        this.tenant = tenant;
        this.constraint = constraint;
    }
}
