// Requests waiting for a ledger's peers, one bounded queue per tenant, dispatched by weighted
// deficit round robin (Shreedhar and Varghese): each turn a tenant's deficit grows by its quantum
// (its weight over the smallest weight, in calls) and it sends what its deficit covers. A tenant
// that floods only lengthens its own queue; the others keep their share of the slots.

interface Flow<T> {
    readonly tenant: string;
    weight: number;
    quantum: number;
    deficit: number;
    /** Whether this turn's quantum has been added (a turn can span several shift() calls). */
    credited: boolean;
    active: boolean;
    readonly items: T[];
    readonly costs: number[];
}

export class FairQueue<T> {
    private readonly flows = new Map<string, Flow<T>>();
    /** Flows with waiting items, in round-robin order; `cursor` is the one whose turn it is. */
    private readonly active: Flow<T>[] = [];
    private cursor = 0;
    private count = 0;
    private capacity: number;

    /** `capacity`: most items one tenant may have waiting. */
    constructor(capacity: number) {
        this.capacity = capacity;
    }

    setCapacity(capacity: number): void {
        this.capacity = capacity;
    }

    /** A tenant's weight; a tenant never given one weighs 1. */
    setWeight(tenant: string, weight: number): void {
        this.flow(tenant).weight = weight;
        this.requantize();
    }

    get size(): number {
        return this.count;
    }

    depth(tenant: string): number {
        return this.flows.get(tenant)?.items.length ?? 0;
    }

    /** False when the tenant's queue is full. `cost`: the calls the item sends upstream (at least 1). */
    push(tenant: string, item: T, cost: number): boolean {
        const flow = this.flow(tenant);
        if (flow.items.length >= this.capacity) return false;
        flow.items.push(item);
        flow.costs.push(Math.max(1, cost));
        this.count++;
        if (!flow.active) {
            flow.active = true;
            flow.deficit = 0;
            flow.credited = false;
            this.active.push(flow);
        }
        return true;
    }

    /** The next item by weighted deficit round robin, or undefined when nothing waits. */
    shift(): T | undefined {
        // Terminates: every full pass credits each active flow at least one call (quantum >= 1),
        // so the head of some flow fits within max(cost) passes.
        while (this.active.length > 0) {
            if (this.cursor >= this.active.length) this.cursor = 0;
            const flow = this.active[this.cursor];
            if (!flow.credited) {
                flow.deficit += flow.quantum;
                flow.credited = true;
            }
            const cost = flow.costs[0];
            if (cost <= flow.deficit) {
                flow.deficit -= cost;
                flow.costs.shift();
                const item = flow.items.shift() as T;
                this.count--;
                if (flow.items.length === 0) {
                    // An idle flow keeps no credit (else it could burst later); the next flow
                    // slides into the cursor's place.
                    flow.active = false;
                    flow.deficit = 0;
                    flow.credited = false;
                    this.active.splice(this.cursor, 1);
                }
                return item;
            }
            flow.credited = false;
            this.cursor++;
        }
        return undefined;
    }

    /** Removes and returns every waiting item (to refuse them all, when no peer is left). */
    drain(): T[] {
        const all: T[] = [];
        for (const flow of this.active) {
            all.push(...flow.items);
            flow.items.length = 0;
            flow.costs.length = 0;
            flow.active = false;
            flow.deficit = 0;
            flow.credited = false;
        }
        this.active.length = 0;
        this.cursor = 0;
        this.count = 0;
        return all;
    }

    private flow(tenant: string): Flow<T> {
        let flow = this.flows.get(tenant);
        if (!flow) {
            flow = { tenant, weight: 1, quantum: 1, deficit: 0, credited: false, active: false, items: [], costs: [] };
            this.flows.set(tenant, flow);
            this.requantize();
        }
        return flow;
    }

    private requantize(): void {
        let min = Infinity;
        for (const flow of this.flows.values()) min = Math.min(min, flow.weight);
        for (const flow of this.flows.values()) flow.quantum = flow.weight / min;
    }
}
