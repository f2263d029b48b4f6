// What the service runs on, built from a config and rebuilt by a reload without dropping anything
// in flight: the key table, each ledger's route (peers, queues), each tenant's quota and meters.
import { KeyTable } from "./auth";
import type { SchedulerConfig } from "./config";
import { MethodPolicy } from "./methods";
import { SchedulerMetrics, type TenantMeter } from "./metrics";
import { TenantQuota } from "./quota";
import { LedgerRoute } from "./route";
import type { Upstream } from "./upstream";

export interface Tenant {
    readonly id: string;
    readonly ledger: string;
    readonly route: LedgerRoute;
    readonly policy: MethodPolicy;
    readonly quota: TenantQuota;
    readonly meter: TenantMeter;
}

export class SchedulerState {
    config: SchedulerConfig;
    readonly metrics: SchedulerMetrics;
    /** The meter of requests that name no tenant (no key, or an unknown one). */
    readonly anonymous: TenantMeter;
    /**
     * Set on SIGTERM: /readyz fails, and answers carry `Connection: close`, so that a request that
     * still arrives on an open keep-alive connection is answered and its connection then ends.
     */
    closing = false;
    private keys = new KeyTable<Tenant>([]);
    private readonly routes = new Map<string, LedgerRoute>();
    private readonly quotas = new Map<string, TenantQuota>();
    /** Peers removed by reloads whose last requests may still be running. */
    private readonly retired = new Set<Promise<void>>();

    constructor(config: SchedulerConfig) {
        this.config = config;
        this.metrics = new SchedulerMetrics({
            upstreams: () => this.upstreamStatus(),
            queues: () => this.currentTenants().map((t) => ({ tenant: t.id, ledger: t.ledger, depth: t.route.queueDepth(t.id) })),
        });
        this.anonymous = this.metrics.meter("-", "-");
        this.apply(config);
    }

    /** Makes `config` the one requests see from now on; requests already admitted finish as they started. */
    apply(config: SchedulerConfig): void {
        const now = performance.now();
        const removed: Upstream[] = [];
        for (const ledger of config.ledgers) {
            const route = this.routes.get(ledger.id);
            if (route) removed.push(...route.update(ledger, config));
            else this.routes.set(ledger.id, new LedgerRoute(ledger, config));
        }
        for (const [id, route] of this.routes) {
            if (config.ledgers.some((l) => l.id === id)) continue;
            this.routes.delete(id);
            this.retire(route.close());
        }
        for (const upstream of removed) this.retire(upstream.close());

        const keys: [string, Tenant][] = [];
        for (const settings of config.tenants) {
            let quota = this.quotas.get(settings.id);
            if (quota) quota.update(settings.rps, settings.tps, config.replicas, now);
            else this.quotas.set(settings.id, (quota = new TenantQuota(settings.rps, settings.tps, config.replicas, now)));
            const tenant: Tenant = {
                id: settings.id,
                ledger: settings.ledger,
                route: this.routes.get(settings.ledger) as LedgerRoute,
                policy: new MethodPolicy(settings.allow),
                quota,
                meter: this.metrics.meter(settings.id, settings.ledger),
            };
            for (const hash of settings.keyHashes) keys.push([hash, tenant]);
        }
        for (const id of [...this.quotas.keys()]) if (!config.tenants.some((t) => t.id === id)) this.quotas.delete(id);
        this.keys = new KeyTable(keys);
        this.config = config;
    }

    /** The tenant whose key is in `authorization` (`Bearer <key>`), or undefined (see KeyTable). */
    authenticate(authorization: string | undefined): Tenant | undefined {
        return this.keys.lookup(authorization);
    }

    upstreamStatus(): { ledger: string; url: string; healthy: boolean; inFlight: number }[] {
        return [...this.routes.values()].flatMap((route) => route.upstreams.map((u) => ({ ledger: route.id, url: u.url, healthy: u.healthy, inFlight: u.inFlight })));
    }

    /** Ready: a config is loaded and some ledger has a peer whose last check passed. */
    ready(): boolean {
        if (this.closing) return false;
        for (const route of this.routes.values()) for (const upstream of route.upstreams) if (upstream.checkedHealthy && upstream.healthy) return true;
        return false;
    }

    /** Closes every peer once its requests are answered. */
    async close(): Promise<void> {
        await Promise.all([...this.routes.values()].map((route) => route.close()));
        await Promise.all(this.retired);
    }

    /** Closes every peer now. */
    async destroy(): Promise<void> {
        await Promise.all([...this.routes.values()].map((route) => route.destroy()));
    }

    private currentTenants(): Tenant[] {
        return this.keys.owners();
    }

    private retire(closing: Promise<void>): void {
        this.retired.add(closing);
        void closing.finally(() => this.retired.delete(closing));
    }
}
