// The human half of `ledgerfleet plan`: what would be built where, the policy verdicts, and how
// much of the network each failure domain can take down.
import { genesisValidatorEntries } from "../components/genesis-lock";
import { nodeDnsName } from "../config/names";
import { cloudSettings, type PoolSize } from "../config/cloud-settings";
import { ALL_POLICIES } from "../policies/all";
import { renderFindings } from "./policy";
import type { LoadedStack } from "../config/load";
import { faultTolerance } from "../config/fault-tolerance";
import type { Manifest } from "./manifests";
import type { Registration } from "./mocks";
import type { PolicyResult } from "./plan-types";
import { PROJECT } from "../config/schema";
import { costSummary, placementSummary, table, tenantsSummary } from "./summary-sharing";
import type { CostReport } from "../scheduler/cost";

export interface SummaryInput {
    loaded: LoadedStack;
    /** The network's monthly cost (scheduler/cost). */
    cost: CostReport;
    registrations: readonly Registration[];
    manifests: readonly Manifest[];
    policy: readonly PolicyResult[];
}


export function renderSummary(input: SummaryInput): string {
    const { loaded, registrations, manifests, policy } = input;
    const network = loaded.network;
    const deploy = loaded.deploy.kind === "region" ? `region:${loaded.deploy.region}` : loaded.deploy.kind;
    const lines: string[] = [];
    lines.push(`ledgerfleet plan: stack ${loaded.stack}, network ${network.name} (${network.domain}), deploy ${deploy}`);
    lines.push("offline: nothing was deployed; outputs are mocked.");
    if (loaded.lab) lines.push("LAB network (ledgerfleet:lab: true): a throwaway test network; development chain ids are allowed.");

    const generated = registrations.filter((r) => r.type === "random:index/randomBytes:RandomBytes").length;
    if (generated > 0 || loaded.deploy.kind === "region") {
        lines.push(
            `node keys: PLACEHOLDERS derived from resource names (offline plan only); \`pulumi up\` generates ` +
                `real random keys, stored as protected secrets${generated > 0 ? ` (${generated} generated here)` : ""}.`,
        );
    }

    lines.push("", `Resources: ${registrations.length}`);
    const byRegion = new Map<string, Map<string, number>>();
    for (const m of manifests) {
        const kinds = byRegion.get(m.region) ?? new Map<string, number>();
        const kind = String(m.object["kind"]);
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        byRegion.set(m.region, kinds);
    }
    for (const [regionId, region] of Object.entries(network.regions)) {
        const kinds = byRegion.get(regionId);
        if (kinds === undefined) continue;
        const where = region.cloud === "existing" ? `existing cluster, context ${region.kubeconfigContext}` : `${region.cloud} ${region.region}`;
        lines.push(`  region ${regionId} (${where}): ${[...kinds.values()].reduce((a, b) => a + b, 0)} Kubernetes objects`);
        const hosted = Object.entries(network.ledgers).flatMap(([id, l]) =>
            l.nodes.filter((n) => n.region === regionId).map((n) => `${id}/${n.name} (${n.role})`),
        );
        if (hosted.length > 0) lines.push(`    nodes: ${hosted.join(", ")}`);
        const settings = cloudSettings(network, regionId).settings;
        if (settings !== undefined && region.cloud !== "existing") {
            const { system, ledger } = settings.pools;
            const zones = settings.zones.length;
            // As each adapter builds them: GKE's regional pools and AWS's per-zone ledger node groups count per zone.
            const perZone = (which: "system" | "ledger") => region.cloud === "gcp" || (region.cloud === "aws" && which === "ledger");
            const machines = (p: PoolSize, which: "system" | "ledger") =>
                perZone(which) ? `${p.perZone.desired * zones} x ${p.machine} (${p.perZone.desired} per zone)` : `${p.desired} x ${p.machine}`;
            // ACK has no allow-list for a public API endpoint: its API is private whatever the file says.
            const api = region.cloud === "alicloud" || settings.apiAllowList.length === 0 ? "private only" : `private + ${settings.apiAllowList.join(", ")}`;
            lines.push(
                `    cluster over ${settings.zones.join(", ")}, Kubernetes ${settings.kubernetesVersion}, API ${api}; ` +
                    `pools: ledger ${machines(ledger, "ledger")} (max ${ledger.max}, ${network.placement?.regions[regionId] === undefined ? "sized from the nodes' requests" : "as the placement packed it"}), system ${machines(system, "system")}`,
            );
        }
        lines.push(...table([...kinds].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => [k, String(n)]), "    "));
    }
    const other = new Map<string, number>();
    for (const r of registrations.filter((r) => !r.type.startsWith("kubernetes:"))) other.set(r.type, (other.get(r.type) ?? 0) + 1);
    lines.push("  cloud resources, components, providers and keys:");
    lines.push(...table([...other].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => [k, String(n)]), "    "));

    for (const ledger of faultTolerance(network)) {
        const config = network.ledgers[ledger.ledger];
        const rpc = config?.nodes.filter((n) => n.role === "rpc").length ?? 0;
        lines.push(
            "",
            `Ledger ${ledger.ledger} (${config?.framework}/${config?.consensus}, chain ${config?.chainId}): ` +
                `${ledger.validators} validators tolerate f = ${ledger.f} faulty (a block needs ${ledger.quorum}); ${rpc} rpc nodes`,
        );
        const rows = [["level", "domain", "validators", "chain survives its loss"]];
        for (const row of ledger.rows) {
            rows.push([row.level, row.domain, String(row.validators), row.survivesLoss ? "yes" : `NO (${row.remaining} left < quorum ${ledger.quorum})`]);
        }
        lines.push(...table(rows));
        if (config !== undefined) {
            const genesis = genesisValidatorEntries(config);
            const joining = config.nodes.filter((n) => n.role === "validator" && !genesis.includes(n.name)).map((n) => n.name);
            lines.push(`  genesis validators: ${genesis.join(", ")}${config.genesis?.validators ? "" : " (all validators in the file: pin genesis.validators before adding one)"}`);
            if (joining.length > 0) {
                lines.push(
                    `  not in genesis: ${joining.join(", ")}; each becomes a validator once more than half of the current ones vote it in ` +
                        "(qbft_proposeValidatorVote through `kubectl port-forward` to their localhost JSON-RPC)",
                );
            }
        }
        // Every peer list and allowlist names these addresses; each must be reachable on TCP 30303
        // from every other region (\`ledgerfleet preflight\` checks it from inside each cluster).
        lines.push("  P2P endpoints (TCP 30303) every peer list names, and their DNS names (for people):");
        // A cloud node's address exists once the global stack reserves it (the plan's stand-in is not it).
        lines.push(
            ...table(
                (config?.nodes ?? []).map((n) => [
                    n.address ?? `(${network.regions[n.region]?.cloud ?? "cloud"} static IP, reserved by the global stack)`,
                    nodeDnsName(ledger.ledger, n.name, n.region, network.domain),
                ]),
                "    ",
            ),
        );
    }

    lines.push(...tenantsSummary(network, tenantKeyHashes(loaded)), ...placementSummary(network), ...costSummary(input.cost));

    lines.push(
        "",
        "Updates: `pulumi up` restarts no ledger pod (StatefulSets use OnDelete). Pods whose spec changed are",
        `restarted by \`ledgerfleet rollout --stack ${loaded.stack}\`, at most f validators of a ledger at a time and only while the rest are ready.`,
    );

    const names = new Map(registrations.map((r) => [r.urn, `${r.type.split(":").pop() ?? r.type} ${r.name}`]));
    const mandatory = policy.filter((p) => p.enforcementLevel === "mandatory").length;
    lines.push("", `Policies (${ALL_POLICIES.length} in the pack): ${mandatory} mandatory and ${policy.length - mandatory} advisory violations`);
    lines.push(...renderFindings(policy, (urn) => names.get(urn) ?? urn));
    if (policy.length > 0 && mandatory === 0) lines.push("  advisory findings only: the plan exits 0");
    return `${lines.join("\n")}\n`;
}

/** The stack's tenant key hashes, as far as the plan can read them: which tenants have one. */
function tenantKeyHashes(loaded: LoadedStack): Record<string, unknown> | undefined {
    const raw = loaded.config[`${PROJECT}:tenantKeyHashes`];
    if (raw === undefined) return undefined;
    try {
        const parsed: unknown = JSON.parse(raw);
        if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
        // Encrypted as a whole: its entries cannot be read offline.
    }
    return Object.fromEntries(loaded.network.tenants.map((t) => [t.id, raw]));
}
