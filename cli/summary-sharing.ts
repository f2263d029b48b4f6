// The plan's account of resource sharing: the tenants, where the placement engine put each dedicated
// ledger's nodes and how many machines every pool needs for it, and what the network costs per month,
// per region, cloud, ledger and tenant, beside what each tenant would pay for the same fault tolerance alone.
import type { NetworkConfig } from "../config/schema";
import type { CostReport } from "../scheduler/cost";
import { schedulerConfig, tenantRps, tenantsWithoutKeys } from "../charts/scheduler-config";

export function table(rows: string[][], indent = "  "): string[] {
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
    return rows.map((r) => indent + r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ").trimEnd());
}

const usd = (n: number): string => `$${Math.round(n).toLocaleString("en-US")}`;
const pct = (n: number): string => `${Math.round(n * 100)}%`;

/**
 * The tenant table, and which of them the schedulers will let in: `hashes` is the stack's
 * `ledgerfleet:tenantKeyHashes` (its keys only matter; undefined when the stack sets none).
 */
export function tenantsSummary(network: NetworkConfig, hashes: Readonly<Record<string, unknown>> | undefined): string[] {
    if (network.tenants.length === 0) return [];
    const shared = network.tenants.filter((t) => t.dedicated === undefined);
    const dedicated = network.tenants.filter((t) => t.dedicated !== undefined);
    const lines = ["", `Tenants: ${network.tenants.length} (${shared.length} on shared ledgers, ${dedicated.length} with a ledger of their own)`];
    const rows = [["tenant", "ledger", "tps", "rps", "weight", "extra methods"]];
    for (const t of network.tenants) {
        rows.push([t.id, t.dedicated === undefined ? (t.ledger ?? "") : `${t.ledger ?? t.id} (dedicated)`, String(t.tps), String(tenantRps(t)), String(t.weight), t.methods?.allow.join(", ") ?? ""]);
    }
    lines.push(...table(rows));
    const keyed = new Set(network.tenants.map((t) => t.id).filter((id) => hashes?.[id] !== undefined));
    const serving = Object.keys(network.regions).flatMap((r) => {
        const config = schedulerConfig(network, r, keyed);
        return config === undefined ? [] : [`${r} (${Object.keys(config.ledgers).join(", ")})`];
    });
    if (serving.length > 0) {
        lines.push(`  schedulers (${network.scheduler?.replicas ?? 2} replicas each, every quota split among them) in: ${serving.join("; ")}`);
    }
    const keyless = tenantsWithoutKeys(network, hashes);
    if (keyless.length > 0) {
        lines.push(
            `  no key hash yet for ${keyless.length === network.tenants.length ? "any tenant" : keyless.join(", ")}: the schedulers leave ${keyless.length === 1 ? "it" : "them"} out until ` +
                "`ledgerfleet tenant-key <tenant>` makes a key and `pulumi config set --secret --path 'ledgerfleet:tenantKeyHashes.<tenant>' <hash>` stores its hash",
        );
    }
    return lines;
}

/** "1500m CPU, 3Gi, 1202 GiB": a dedicated ledger's node size, as the loader sized it from tps and storage. */
function sized(r: { cpu?: string; memory?: string; storageGiB?: number } | undefined): string {
    return `${r?.cpu ?? "?"} CPU, ${r?.memory ?? "?"}, ${r?.storageGiB ?? "?"} GiB`;
}

export function placementSummary(network: NetworkConfig): string[] {
    const placement = network.placement;
    if (placement === undefined) return [];
    const lines = ["", "Placement of dedicated ledgers (scheduler/placement): every ledger pod of a cloud region packed onto its ledger pool"];
    for (const t of network.tenants.filter((x) => x.dedicated !== undefined)) {
        const ledger = network.ledgers[t.ledger ?? t.id];
        if (ledger === undefined) continue;
        const derived = placement.derivedChainIds[t.id];
        lines.push(
            `  ${t.id}: ${ledger.nodes.filter((n) => n.role === "validator").length} validators, ${ledger.nodes.filter((n) => n.role === "rpc").length} rpc, chain ${ledger.chainId}` +
                (derived === undefined ? "" : " (derived: pin it as dedicated.chainId, it is part of the genesis)") +
                `; ${(["validator", "rpc"] as const).map((role) => `${role} ${sized(ledger.resources?.[role])}`).join(", ")}`,
        );
        const rows = ledger.nodes.map((n) => {
            const placed = placement.nodes[`${t.ledger ?? t.id}/${n.name}`];
            return [n.name, n.region, n.zone ?? "", placed === undefined ? "pinned in the network file" : `${placed.kept ? "kept where deployed; " : ""}${placed.reason}`];
        });
        lines.push(...table(rows, "    "));
    }
    lines.push("  ledger pools, as packed:");
    const rows = [["region", "machines", "per zone", "lower bound", "cpu", "memory", "volumes", "ledger pods"]];
    for (const [id, r] of Object.entries(placement.regions)) {
        rows.push([id, `${r.machines} x ${r.machine}`, r.perZone.join("+"), String(r.lowerBound), pct(r.utilisation.cpuMillis), pct(r.utilisation.memoryMiB), pct(r.utilisation.volumes), String(r.nodes)]);
    }
    lines.push(...table(rows, "    "));
    lines.push(`  machines: ${placement.machines} (First Fit Decreasing on the same input: ${placement.ffdMachines}; lower bound: ${placement.lowerBound})`);
    return lines;
}

export function costSummary(cost: CostReport): string[] {
    const lines = ["", `Cost per month (USD, list prices checked ${cost.checked}; estimates, see config/catalog/prices.ts): ${usd(cost.total)}`];
    const regionRows = [["region", "cloud", "monthly", "of which"]];
    for (const [id, r] of Object.entries(cost.regions)) {
        const items = Object.entries(r.items).filter(([, v]) => v > 0).sort(([, a], [, b]) => b - a).map(([k, v]) => `${k} ${usd(v)}`).join(", ");
        regionRows.push([id, r.cloud, usd(r.monthly), items]);
    }
    lines.push(...table(regionRows));
    lines.push(`  per cloud: ${Object.entries(cost.clouds).map(([c, v]) => `${c} ${usd(v)}`).join(", ")}`);
    lines.push(`  per ledger: ${Object.entries(cost.ledgers).map(([l, v]) => `${l} ${usd(v)}`).join(", ")}`);
    if (cost.unpriced.length > 0) lines.push(`  unpriced (no prices.monthly in the file): ${cost.unpriced.join(", ")}`);
    const rows = [["tenant", "ledger", "pays", "alone", "shared/alone"]];
    for (const t of cost.tenants) rows.push([t.id, t.dedicated ? `${t.ledger} (dedicated)` : t.ledger, usd(t.monthly), usd(t.alone), t.ratio.toFixed(2)]);
    lines.push("  per tenant, against the same fault tolerance deployed alone (own clusters in as many regions and clouds):");
    lines.push(...table(rows, "    "));
    if (cost.unallocated > 0) lines.push(`  not paid by any tenant (ledgers no tenant uses): ${usd(cost.unallocated)}`);
    return lines;
}
