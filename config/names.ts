// How the program names its Pulumi resources from the ids in a network file. Defined once: the
// components name resources with these, and the loader checks that no two entries give the same
// name (ids may contain '-', the separator, so `fra` + `dc1-main` and `fra-dc1` + `main` would).

/** The Region component: `<network>-<region>`. */
export function regionResourceName(network: string, region: string): string {
    return `${network}-${region}`;
}

/** What a region builds for one ledger is named from this prefix: `<network>-<region>-<ledger>`. */
export function ledgerResourcePrefix(network: string, region: string, ledger: string): string {
    return `${regionResourceName(network, region)}-${ledger}`;
}

/** The LedgerNode component: `<network>-<region>-<ledger>-<node>`. */
export function nodeResourceName(network: string, region: string, ledger: string, node: string): string {
    return `${ledgerResourcePrefix(network, region, ledger)}-${node}`;
}

/** A generated node key (random.RandomBytes): `<ledger>-<node>-node-key`. */
export function nodeKeyResourceName(ledger: string, node: string): string {
    return `${ledger}-${node}-node-key`;
}
