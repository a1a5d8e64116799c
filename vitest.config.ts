import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    // Integration tests share nock's global interceptors: run files one at a time.
    fileParallelism: false,
    testTimeout: 20_000,
    // @actions/workflow-parser imports its JSON schemas without `with { type: "json" }`, which
    // node's own loader refuses; inlined, vite loads them (test/unit/action.test.ts).
    server: { deps: { inline: ["@actions/workflow-parser"] } },
  },
});
