// What the clouds charge for what the adapters build, per cloud, dated, each figure with its source.
// Full per-region price lists are not kept: each cloud has a reference region with published list
// prices, and a per-region multiplier table (an estimate, marked so) scales the regional figures
// (machines, disks, NAT, load balancers, egress) to the other regions. The managed control plane and
// static addresses cost the same in every region and are not scaled. A network file's region may
// override any figure (`prices:` in config/schema.ts); the cost report lists every source, estimates marked.
//
// Only on-demand list prices: no savings plans, committed-use or reserved discounts, no free tiers.
// Per-traffic charges (NAT and load-balancer data processing, LCUs) are not counted: a ledger moves
// little data, and `egressGiB` carries the documented estimate of what it does move.
import type { CloudName } from "../schema";
import { CATALOG } from "./index";
import { ALICLOUD_PRICES } from "./prices-alicloud";
import { AWS_PRICES } from "./prices-aws";
import { GCP_PRICES } from "./prices-gcp";
import type { MachineType } from "./types";

/** Hours in a month, as AWS and Google Cloud bill a month (8760 / 12). */
export const HOURS_PER_MONTH = 730;

/** When every table below was last checked against its sources (YYYY-MM-DD). */
export const PRICES_CHECKED = "2026-11-25";

/** One price in USD and where it comes from: a pricing page, or "estimate: <how it was derived>". */
export interface PriceFigure {
    readonly usd: number;
    readonly source: string;
}

export interface CloudPriceTable {
    readonly checked: string;
    /** The region every figure is for; other regions scale the regional ones by `regionMultipliers`. */
    readonly referenceRegion: string;
    /** Machine type -> on-demand hourly price (Linux) in the reference region: every type in the catalog. */
    readonly machines: Readonly<Record<string, PriceFigure>>;
    /** The managed control plane (EKS, GKE cluster management, ACK Pro), per cluster-hour. */
    readonly controlPlaneHour: PriceFigure;
    /**
     * One network load balancer, per hour. `bundle`: a cloud that bills a region's first few together
     * (Google's first five forwarding rules), `usd` then being the price of each one past the bundle.
     */
    readonly loadBalancerHour: PriceFigure & { readonly bundle?: { readonly count: number; readonly usd: number } };
    /** One static public IPv4 address, per hour. */
    readonly addressHour: PriceFigure;
    /**
     * NAT, per hour: per gateway (AWS, one per zone; Alibaba Cloud, one), or per machine behind it up
     * to `maxMachines` (Cloud NAT bills the VMs that use it).
     */
    readonly natHour: PriceFigure & { readonly per: "gateway" | "machine"; readonly maxMachines?: number };
    /** The adapter's StorageClass disk (and the machines' boot disks), per GiB-month. */
    readonly storageGiBMonth: PriceFigure;
    /** Data transfer out to the internet, per GiB, first pricing tier. */
    readonly egressGiB: PriceFigure;
    /** Region code -> factor on the regional figures; every region of the catalog (estimate). */
    readonly regionMultipliers: Readonly<Record<string, number>>;
    /** How the multipliers were derived. */
    readonly multiplierSource: string;
}

/** A cloud's table as its file writes it: machine prices as a rule over the catalog's sizes. */
export interface CloudPriceRules extends Omit<CloudPriceTable, "machines"> {
    /** One machine type's hourly price in the reference region; undefined for a family the file has no rate for. */
    machinePrice(type: string, size: MachineType): PriceFigure | undefined;
}

/** The table with every machine type of the cloud's catalog priced by its rule (a type without one is a mistake in the file). */
function withMachines(cloud: CloudName, rules: CloudPriceRules): CloudPriceTable {
    const { machinePrice, ...table } = rules;
    const machines = Object.fromEntries(
        Object.entries(CATALOG[cloud].machines).map(([type, size]) => {
            const figure = machinePrice(type, size);
            if (figure === undefined) throw new Error(`config/catalog/prices-${cloud}.ts has no rate for ${cloud} machine type ${type}: add its family's rate there`);
            // Six decimals: products of quoted prices drift in the last bits of a float.
            return [type, { usd: Number(figure.usd.toFixed(6)), source: figure.source }];
        }),
    );
    return { ...table, machines };
}

export const PRICES: Readonly<Record<CloudName, CloudPriceTable>> = {
    aws: withMachines("aws", AWS_PRICES),
    gcp: withMachines("gcp", GCP_PRICES),
    alicloud: withMachines("alicloud", ALICLOUD_PRICES),
};

/** Every source a table names, once each, in table order. */
export function priceSources(table: CloudPriceTable): string[] {
    const figures = [
        ...Object.values(table.machines),
        table.controlPlaneHour,
        table.loadBalancerHour,
        table.addressHour,
        table.natHour,
        table.storageGiBMonth,
        table.egressGiB,
    ];
    return [...new Set([...figures.map((f) => f.source), table.multiplierSource])];
}
