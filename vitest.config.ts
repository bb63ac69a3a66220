import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // PGlite takes seconds to start and Postgres tests open real connections.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Share one PGlite instance and one server connection per worker across test files (see test/support).
    isolate: false,
    reporters: ["default"],
  },
});
