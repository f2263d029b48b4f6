#!/usr/bin/env node
// Installed entry point: runs the TypeScript CLI through tsx (no build step to forget).
require("tsx/cjs");
require("../cli/main.ts")
    .main(process.argv.slice(2))
    .then((code) => process.exit(code), (err) => {
        process.stderr.write(`ledgerfleet: internal error: ${err && err.stack ? err.stack : String(err)}\n`);
        process.exit(70);
    });
