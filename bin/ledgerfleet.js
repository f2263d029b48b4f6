#!/usr/bin/env node
// Installed entry point: runs the TypeScript CLI through tsx (no build step to forget).
const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
    process.stderr.write(
        `ledgerfleet: needs Node.js 22 or later, found ${process.version}; ` +
            "the project brings its own: put node_modules/.bin first on PATH, or run `npm run ledgerfleet -- ...`\n",
    );
    process.exit(2);
}
require("tsx/cjs");
// And for `import()`: the program loads each cloud's adapter only when the network uses that cloud.
require("tsx/esm/api").register();
require("../cli/main.ts")
    .main(process.argv.slice(2))
    .then((code) => process.exit(code), (err) => {
        process.stderr.write(`ledgerfleet: internal error: ${err && err.stack ? err.stack : String(err)}\n`);
        process.exit(70);
    });
