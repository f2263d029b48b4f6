import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // Pulumi's runtime keeps global state per process; one fork per file keeps runs apart.
        pool: "forks",
        testTimeout: 60_000,
        hookTimeout: 60_000,
    },
});
