// One cloud region's effective prices: the cloud's table (config/catalog/prices.ts) scaled by the
// region's multiplier, then the network file's overrides for that region, which win outright (an
// override is the operator's own price: no multiplier on it).
import { CATALOG } from "../../config/catalog";
import { type CloudPriceTable, PRICES } from "../../config/catalog/prices";
import type { CloudName, CloudPrices } from "../../config/schema";

export interface RegionRates {
    machineHour(machine: string): number;
    readonly controlPlaneHour: number;
    /** Per load balancer past `bundle`; `bundle` prices the region's first `count` together. */
    readonly loadBalancerHour: number;
    readonly loadBalancerBundle?: { readonly count: number; readonly usd: number };
    readonly addressHour: number;
    readonly natHour: number;
    readonly natPer: "gateway" | "machine";
    readonly natMaxMachines?: number;
    readonly storageGiBMonth: number;
    readonly egressGiB: number;
}

function multiplier(cloud: CloudName, table: CloudPriceTable, regionCode: string): number {
    const factor = table.regionMultipliers[regionCode];
    if (factor === undefined) {
        throw new Error(`no price multiplier for ${cloud} region ${regionCode} in config/catalog/prices-${cloud}.ts (checked ${table.checked}): add the region there, or give the region's prices in the network file`);
    }
    return factor;
}

export function regionRates(cloud: CloudName, regionCode: string, override: CloudPrices = {}): RegionRates {
    const table = PRICES[cloud];
    const factor = multiplier(cloud, table, regionCode);
    const scaled = (usd: number): number => usd * factor;
    // A flat per-balancer override replaces the cloud's bundle too: it is the price the operator pays.
    const bundle = override.loadBalancerHour === undefined && table.loadBalancerHour.bundle !== undefined
        ? { count: table.loadBalancerHour.bundle.count, usd: scaled(table.loadBalancerHour.bundle.usd) }
        : undefined;
    return {
        machineHour: (machine) => machineHourPrice(cloud, regionCode, machine, override),
        controlPlaneHour: override.controlPlaneHour ?? table.controlPlaneHour.usd,
        loadBalancerHour: override.loadBalancerHour ?? scaled(table.loadBalancerHour.usd),
        ...(bundle === undefined ? {} : { loadBalancerBundle: bundle }),
        addressHour: override.addressHour ?? table.addressHour.usd,
        natHour: override.natHour ?? scaled(table.natHour.usd),
        natPer: table.natHour.per,
        ...(table.natHour.maxMachines === undefined ? {} : { natMaxMachines: table.natHour.maxMachines }),
        storageGiBMonth: override.storageGiBMonth ?? scaled(table.storageGiBMonth.usd),
        egressGiB: override.egressGiB ?? scaled(table.egressGiB.usd),
    };
}

/** On-demand price of one machine per hour in a cloud region: the region's override, else the table's times the region's factor. */
export function machineHourPrice(cloud: CloudName, regionCode: string, machine: string, override?: CloudPrices): number {
    const given = override?.machines?.[machine];
    if (given !== undefined) return given;
    const table = PRICES[cloud];
    const figure = table.machines[machine];
    if (figure === undefined) {
        const known = CATALOG[cloud].machines[machine] !== undefined;
        throw new Error(
            known
                ? `config/catalog/prices-${cloud}.ts has no price for ${cloud} machine type ${machine}: add it there, or give it in the region's prices.machines`
                : `'${machine}' is not a ${cloud} machine type ledgerfleet knows (config/catalog/${cloud}.ts), so it has no price`,
        );
    }
    return figure.usd * multiplier(cloud, table, regionCode);
}
