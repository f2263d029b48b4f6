// The dated table of what each cloud offers that a network file may name: regions and their zones,
// machine types with their size, and the defaults a region gets when it names none. The loader
// refuses anything not in it (a typo found offline instead of halfway through `pulumi up`).

export interface MachineType {
    /** Virtual CPUs of the machine. */
    readonly vcpu: number;
    /** Memory, GiB. */
    readonly memoryGiB: number;
    /**
     * Block volumes the machine can attach for pods (its own boot and data disks already counted), as
     * the cloud's CSI node plugin reports it to the scheduler: ledger pods each need one. Sources in
     * each catalog.
     */
    readonly maxVolumes: number;
}

export interface CloudCatalog {
    /** When the table was last checked against its sources (YYYY-MM-DD). */
    readonly checked: string;
    /** Where the regions, zones and machine types come from (URLs or documents). */
    readonly sources: readonly string[];
    /** Region code -> its zones, in the cloud's own order. */
    readonly regions: Readonly<Record<string, readonly string[]>>;
    /** Machine type -> size. */
    readonly machines: Readonly<Record<string, MachineType>>;
    readonly defaults: {
        /** Machine type of the `system` pool (cluster add-ons). */
        readonly systemMachine: string;
        /** Machine type of the `ledger` pool. */
        readonly ledgerMachine: string;
        /** Kubernetes minor version of the managed control plane, e.g. "1.33". */
        readonly kubernetesVersion: string;
    };
}
