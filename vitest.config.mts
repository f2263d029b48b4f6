import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // Pulumi's runtime keeps global state per process; one fork per file keeps runs apart.
        pool: "forks",
        // Both cores: the default leaves one free, which on a 2-core machine runs one file at a time.
        maxWorkers: 2,
        testTimeout: 60_000,
        hookTimeout: 60_000,
    },
});
