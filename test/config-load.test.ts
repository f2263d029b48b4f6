// Loading a stack: the stack file, the network file it names, and the deploy target, as the
// CLI and the Pulumi program see them.
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadStack, parseNetworkText, resolveDeployTarget } from "../config/load";
import { configError, networkWith, removeTempDirs, shown, writeFiles } from "./fixtures/config/network";

afterAll(removeTempDirs);

const STACKS = path.resolve(__dirname, "../stacks");

/** A stacks dir with one network file and the given stack files. */
function stacksDir(stackFiles: Record<string, string>, network = networkWith({})): string {
    return writeFiles({ "networks/net.yaml": network, ...stackFiles });
}

describe("the example network", () => {
    const loaded = loadStack(STACKS, "atlas");
    const nodes = loaded.network.ledgers.main.nodes;
    const validators = nodes.filter((n) => n.role === "validator");

    it("the atlas stack deploys the whole atlas network from one stack", () => {
        expect(loaded.stackFile).toBe(path.join(STACKS, "Pulumi.atlas.yaml"));
        expect(loaded.networkFile).toBe(path.join(STACKS, "networks/atlas.yaml"));
        expect(loaded.deploy).toEqual({ kind: "all" });
        expect(loaded.config).toEqual({ "ledgerfleet:network": "networks/atlas.yaml", "ledgerfleet:deploy": "all" });
        expect(loaded.secretKeys).toEqual([]);
    });

    it("has 7 validators and 2 RPC nodes over at least 4 existing-cluster regions", () => {
        expect(loaded.network.name).toBe("atlas");
        expect(validators).toHaveLength(7);
        expect(nodes.filter((n) => n.role === "rpc")).toHaveLength(2);
        const regions = Object.values(loaded.network.regions);
        expect(regions.length).toBeGreaterThanOrEqual(4);
        expect(regions.every((r) => r.cloud === "existing")).toBe(true);
    });

    it("survives the loss of any one region: no region holds more than f = 2 validators", () => {
        const perRegion = new Map<string, number>();
        for (const v of validators) perRegion.set(v.region, (perRegion.get(v.region) ?? 0) + 1);
        const f = Math.floor((validators.length - 1) / 3);
        expect(f).toBe(2);
        expect(Math.max(...perRegion.values())).toBeLessThanOrEqual(f);
    });

    it("puts its RPC nodes in different regions and pins the image by digest", () => {
        const rpcRegions = nodes.filter((n) => n.role === "rpc").map((n) => n.region);
        expect(new Set(rpcRegions).size).toBe(rpcRegions.length);
        expect(loaded.network.ledgers.main.image).toMatch(/^hyperledger\/besu:\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
    });

    it("has tenants that share the main ledger", () => {
        expect(loaded.network.tenants.length).toBeGreaterThanOrEqual(1);
        expect(loaded.network.tenants.every((t) => t.ledger === "main")).toBe(true);
    });
});

describe("stack files", () => {
    it("an unknown stack names the missing file and lists the stacks there are", () => {
        const dir = stacksDir({
            "Pulumi.dev.yaml": "config:\n  ledgerfleet:network: networks/net.yaml\n",
            "Pulumi.prod-fra.yaml": "config:\n  ledgerfleet:network: networks/net.yaml\n",
        });
        const error = configError(() => loadStack(dir, "prod"));
        expect(error.message).toBe(
            `${shown(path.join(dir, "Pulumi.prod.yaml"))}: unknown stack 'prod': expected a stack file Pulumi.prod.yaml, found none; ` +
                `available stacks in ${shown(dir)}: dev, prod-fra`,
        );
    });

    it("a missing network file is reported at the ledgerfleet:network line of the stack file", () => {
        const dir = stacksDir({ "Pulumi.dev.yaml": "config:\n  ledgerfleet:network: networks/nett.yaml\n" });
        const error = configError(() => loadStack(dir, "dev"));
        expect(error.message).toBe(
            `${shown(path.join(dir, "Pulumi.dev.yaml"))}:2:24: config.ledgerfleet:network: network file not found: ` +
                `expected ${shown(path.join(dir, "networks/nett.yaml"))} (the path is relative to ${shown(dir)}), found no such file`,
        );
    });

    it("a deploy target naming no region says which regions exist", () => {
        const dir = stacksDir({
            "Pulumi.fra.yaml": "config:\n  ledgerfleet:network: networks/net.yaml\n  ledgerfleet:deploy: region:frankfurt\n",
        });
        const error = configError(() => loadStack(dir, "fra"));
        expect(error.message).toBe(
            `${shown(path.join(dir, "Pulumi.fra.yaml"))}:3:23: config.ledgerfleet:deploy: ` +
                `region 'frankfurt' is not defined in network 'atlas'; its regions are: fra, ams`,
        );
    });

    it("a region stack deploys that region, reading identities from the global stack it names", () => {
        const dir = stacksDir({
            "Pulumi.ams.yaml": "config:\n  ledgerfleet:network: networks/net.yaml\n  ledgerfleet:deploy: region:ams\n  ledgerfleet:globalStack: acme/ledgerfleet/global\n",
        });
        expect(loadStack(dir, "ams").deploy).toEqual({ kind: "region", region: "ams" });
    });

    it("a region stack without a global stack to read identities from is rejected at its deploy key", () => {
        const dir = stacksDir({ "Pulumi.ams.yaml": "config:\n  ledgerfleet:network: networks/net.yaml\n  ledgerfleet:deploy: region:ams\n" });
        const error = configError(() => loadStack(dir, "ams"));
        expect(error.message).toMatch(/Pulumi\.ams\.yaml:3:\d+: config\.ledgerfleet:deploy: a region stack reads node identities .*expected ledgerfleet:globalStack/);
    });

    it("a node bringing its own key through config needs its nodeKeys entry; an encrypted one is enough", () => {
        // Public key of the well-known Hardhat/Anvil development account #0.
        const pub = "0x8318535b54105d4a7aae60c08fc45f9687181b4fdfc625bd1a753fa7397fed753547f11ca8696646f2f3acb08e31016afac23e630c5d11f59f61fef57b0d2aa5";
        const network = networkWith({ 13: `      - { name: val-1, role: validator, region: fra, publicKey: "${pub}", address: 198.51.100.13 }` });
        const missing = stacksDir({ "Pulumi.x.yaml": "config:\n  ledgerfleet:network: networks/net.yaml\n" }, network);
        expect(configError(() => loadStack(missing, "x")).message).toMatch(
            /Pulumi\.x\.yaml:1:1: config: node main\/val-1 brings its own key \(publicKey\) but ledgerfleet:nodeKeys has no entry "main\/val-1": set it with pulumi config set --secret/,
        );
        const other = stacksDir({ "Pulumi.x.yaml": "config:\n  ledgerfleet:network: networks/net.yaml\n  ledgerfleet:nodeKeys:\n    main/val-2: 0x01\n" }, network);
        expect(configError(() => loadStack(other, "x")).message).toMatch(/Pulumi\.x\.yaml:4:5: config\.ledgerfleet:nodeKeys: node main\/val-1/);
        const encrypted = stacksDir({ "Pulumi.x.yaml": "config:\n  ledgerfleet:network: networks/net.yaml\n  ledgerfleet:nodeKeys:\n    main/val-1:\n      secure: v1:abc\n" }, network);
        expect(loadStack(encrypted, "x").secretKeys).toEqual(["ledgerfleet:nodeKeys"]);
    });

    it("a malformed deploy value says what the allowed forms are", () => {
        const dir = stacksDir({ "Pulumi.x.yaml": "config:\n  ledgerfleet:network: networks/net.yaml\n  ledgerfleet:deploy: everything\n" });
        const error = configError(() => loadStack(dir, "x"));
        expect(error.message).toBe(
            `${shown(path.join(dir, "Pulumi.x.yaml"))}:3:23: config.ledgerfleet:deploy: expected all, global or region:<region-id>, found string "everything"`,
        );
    });

    it("a mistyped ledgerfleet key is reported instead of silently ignored", () => {
        const dir = stacksDir({ "Pulumi.x.yaml": "config:\n  ledgerfleet:network: networks/net.yaml\n  ledgerfleet:deploi: region:ams\n" });
        const error = configError(() => loadStack(dir, "x"));
        expect(error.message).toBe(
            `${shown(path.join(dir, "Pulumi.x.yaml"))}:3:3: config.ledgerfleet:deploi: unknown key 'ledgerfleet:deploi' (did you mean 'ledgerfleet:deploy'?)`,
        );
    });

    it("problems in the network file come out with the network file's name, with the stack's own problems", () => {
        const dir = stacksDir(
            { "Pulumi.x.yaml": "config:\n  ledgerfleet:network: networks/net.yaml\n  ledgerfleet:deploi: all\n" },
            networkWith({ 10: "    chainId: 1.5" }),
        );
        const error = configError(() => loadStack(dir, "x"));
        expect(error.message.split("\n")).toEqual([
            `${shown(path.join(dir, "Pulumi.x.yaml"))}:3:3: config.ledgerfleet:deploi: unknown key 'ledgerfleet:deploi' (did you mean 'ledgerfleet:deploy'?)`,
            `${shown(path.join(dir, "networks/net.yaml"))}:10:14: ledgers.main.chainId: expected an integer, found number 1.5`,
        ]);
    });

    it("config values read as Pulumi would: strings as written, others JSON, secrets not decrypted", () => {
        const dir = stacksDir({
            "Pulumi.x.yaml": [
                "encryptionsalt: v1:abc",
                "config:",
                "  ledgerfleet:network: networks/net.yaml",
                "  ledgerfleet:nodeKeys:",
                "    secure: v1:c2VjcmV0",
                "  ledgerfleet:replicas: 3",
                "  kubernetes:enableServerSideApply: true",
                "  ledgerfleet:labels: { team: ledger }",
                "  ledgerfleet:tokens:",
                "    main/val-1:",
                "      secure: v1:c2VjcmV0",
                "    public: not-secret",
                "",
            ].join("\n"),
        });
        const loaded = loadStack(dir, "x");
        expect(loaded.config).toEqual({
            "ledgerfleet:network": "networks/net.yaml",
            "ledgerfleet:nodeKeys": "[secret: cannot decrypt offline]",
            "ledgerfleet:replicas": "3",
            "kubernetes:enableServerSideApply": "true",
            "ledgerfleet:labels": '{"team":"ledger"}',
            // Structure kept, so the program can still read it as an object; only secret leaves go.
            "ledgerfleet:tokens": '{"main/val-1":"[secret: cannot decrypt offline]","public":"not-secret"}',
        });
        expect(loaded.secretKeys).toEqual(["ledgerfleet:nodeKeys", "ledgerfleet:tokens"]);
        expect(loaded.deploy).toEqual({ kind: "all" });
    });

    it("a stack file without the network key says which key is missing", () => {
        const dir = stacksDir({ "Pulumi.x.yaml": "config:\n  ledgerfleet:deploy: all\n" });
        const error = configError(() => loadStack(dir, "x"));
        expect(error.message).toBe(
            `${shown(path.join(dir, "Pulumi.x.yaml"))}:1:1: config.ledgerfleet:network: missing required key 'ledgerfleet:network': expected a string`,
        );
    });
});

describe("resolveDeployTarget", () => {
    const network = parseNetworkText(networkWith({}), "net.yaml");
    const where = { file: path.resolve("cli-args"), path: "--deploy" };

    it("accepts all, global and a defined region", () => {
        expect(resolveDeployTarget(network, "all", where)).toEqual({ kind: "all" });
        expect(resolveDeployTarget(network, "global", where)).toEqual({ kind: "global" });
        expect(resolveDeployTarget(network, "region:fra", where)).toEqual({ kind: "region", region: "fra" });
    });

    it("an undefined region suggests the close one and lists all", () => {
        const error = configError(() => resolveDeployTarget(network, "region:frx", where));
        expect(error.message).toBe("cli-args: --deploy: region 'frx' is not defined in network 'atlas' (did you mean 'fra'?); its regions are: fra, ams");
    });
});

describe("paths in a network file", () => {
    it("a relative kubeconfig is relative to the network file, not to where the program runs", () => {
        const network = networkWith({ 4: "  fra: { cloud: existing, kubeconfigContext: fra, egressAddresses: [203.0.113.1], kubeconfig: ../kube/fra.yaml }" });
        const dir = stacksDir({ "Pulumi.x.yaml": "config:\n  ledgerfleet:network: networks/net.yaml\n" }, network);
        const loaded = loadStack(dir, "x");
        const fra = loaded.network.regions["fra"];
        expect(fra?.cloud === "existing" && fra.kubeconfig).toBe(path.join(dir, "kube", "fra.yaml"));
        // Contents given inline, as the Kubernetes provider also takes them, stay as they are.
        const inline = networkWith({ 4: '  fra: { cloud: existing, kubeconfigContext: fra, egressAddresses: [203.0.113.1], kubeconfig: "{\\"apiVersion\\": \\"v1\\"}" }' });
        const inlineFra = parseNetworkText(inline, path.join(dir, "networks", "inline.yaml")).regions["fra"];
        expect(inlineFra?.cloud === "existing" && inlineFra.kubeconfig).toBe('{"apiVersion": "v1"}');
    });
});

describe("an unknown stack among many", () => {
    it("lists the few nearest names, not every stack", () => {
        const names = ["prod-fra", "prod-ams", "prod-lon", "prod-par", "prod-nyc", "stage-fra", "stage-ams", "dev", "lab-1", "lab-2", "global"];
        const dir = writeFiles(Object.fromEntries(names.map((n) => [`Pulumi.${n}.yaml`, "config: {}\n"])));
        const { message } = configError(() => loadStack(dir, "prod-frx"));
        expect(message).toMatch(/\(did you mean 'prod-fra'\?\); the nearest stacks in .*: prod-fra, prod-ams, prod-lon, prod-nyc, prod-par \(and 6 more\)$/);
    });
});
