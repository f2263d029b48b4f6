// Offline plan throughput for generated networks of 10, 100 and 400 nodes, in one process.
// Prints wall time, resources per second and time per node; the per-node ratio against the
// smallest network shows whether the cost per node stays flat as networks grow.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { plan } from "../cli/plan";

const SIZES = [10, 100, 400];

/** A network of `nodes` Besu nodes (2/3 validators) over enough existing clusters that no region holds more than f validators. */
export function generatedNetwork(nodes: number): Record<string, unknown> {
    const validators = Math.max(4, Math.round((nodes * 2) / 3));
    const f = Math.floor((validators - 1) / 3);
    const regionCount = Math.max(4, Math.ceil(validators / Math.max(1, f)));
    const regions = Object.fromEntries(
        Array.from({ length: regionCount }, (_, i) => [`r${i}`, { cloud: "existing", kubeconfigContext: `ctx-${i}` }]),
    );
    const list = Array.from({ length: nodes }, (_, i) => ({
        name: `${i < validators ? "val" : "rpc"}-${i}`,
        role: i < validators ? "validator" : "rpc",
        region: `r${i % regionCount}`,
    }));
    return {
        name: "bench",
        domain: "bench.ledger.example",
        regions,
        ledgers: {
            main: {
                framework: "besu",
                consensus: "qbft",
                chainId: 4242,
                image: `hyperledger/besu:25.10.0@sha256:${"ab".repeat(32)}`,
                nodes: list,
            },
        },
    };
}

function writeStack(dir: string, nodes: number): string {
    fs.mkdirSync(path.join(dir, "networks"), { recursive: true });
    fs.writeFileSync(path.join(dir, "networks", `n${nodes}.yaml`), stringify(generatedNetwork(nodes)));
    fs.writeFileSync(
        path.join(dir, `Pulumi.n${nodes}.yaml`),
        stringify({ config: { "ledgerfleet:network": `networks/n${nodes}.yaml`, "ledgerfleet:deploy": "all" } }),
    );
    return `n${nodes}`;
}

async function main(): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerfleet-bench-"));
    try {
        // Warm-up: module loading and JIT are paid once, not by the first measured size.
        await plan({ stack: writeStack(dir, 10), stacksDir: dir });
        const rows: { nodes: number; ms: number; resources: number; objects: number }[] = [];
        for (const nodes of SIZES) {
            const stack = writeStack(dir, nodes);
            const start = process.hrtime.bigint();
            const result = await plan({ stack, stacksDir: dir });
            const ms = Number(process.hrtime.bigint() - start) / 1e6;
            rows.push({ nodes, ms, resources: result.plan.resources.length, objects: result.manifests.length });
        }
        const base = rows[0];
        if (base === undefined) return;
        const baseMsPerNode = base.ms / base.nodes;
        console.log(`ledgerfleet plan benchmark (node ${process.version}, ${os.cpus().length} cores)`);
        console.log("nodes  resources  k8s objects   time ms  resources/s  ms/node  ms/node vs 10");
        for (const r of rows) {
            const msPerNode = r.ms / r.nodes;
            console.log(
                `${String(r.nodes).padStart(5)}  ${String(r.resources).padStart(9)}  ${String(r.objects).padStart(11)}  ` +
                    `${r.ms.toFixed(0).padStart(8)}  ${(r.resources / (r.ms / 1000)).toFixed(0).padStart(11)}  ` +
                    `${msPerNode.toFixed(2).padStart(7)}  ${(msPerNode / baseMsPerNode).toFixed(2).padStart(13)}x`,
            );
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

if (require.main === module) {
    main().catch((err: unknown) => {
        console.error(err);
        process.exit(1);
    });
}
