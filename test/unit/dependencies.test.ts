// Every package the code imports — the app, the CLI, tests, benchmarks, scripts — is declared in
// package.json (what the app needs at run time under "dependencies"), so nothing works only
// because another package happened to install it.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name.startsWith(".")) return [];
    return statSync(path).isDirectory() ? files(path) : /\.(ts|mts)$/.test(name) ? [path] : [];
  });
}

/** Package names imported by a file: static imports and exports, and dynamic imports. */
function imported(path: string): string[] {
  const text = readFileSync(path, "utf8");
  const specs = [
    ...text.matchAll(
      /(?:^|\n)\s*(?:import|export)\b[^"'`;]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|(?:^|\n)import\s+["']([^"']+)["']/g,
    ),
  ].map((m) => m[1] ?? m[2] ?? m[3]!);
  return specs
    .filter((s) => !s.startsWith(".") && !s.startsWith("node:") && !builtinModules.includes(s))
    .map((s) => (s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : s.split("/")[0]!));
}

describe("declared dependencies", () => {
  it("the app and the CLI (src/) import only dependencies", () => {
    const missing = files(join(root, "src")).flatMap((f) =>
      imported(f)
        .filter((p) => !(p in pkg.dependencies))
        .map((p) => `${relative(root, f)}: ${p}`),
    );
    // smee-client is loaded only for WEBHOOK_PROXY_URL on a laptop, where devDependencies are installed.
    expect(missing.filter((m) => !m.endsWith(": smee-client"))).toEqual([]);
  });

  it("tests, benchmarks and scripts import only declared packages", () => {
    const declared = { ...pkg.dependencies, ...pkg.devDependencies };
    const missing = ["test", "bench", "scripts"].flatMap((dir) =>
      files(join(root, dir)).flatMap((f) =>
        imported(f)
          .filter((p) => !(p in declared))
          .map((p) => `${relative(root, f)}: ${p}`),
      ),
    );
    expect(missing).toEqual([]);
  });

  it("finds the imports it checks (the scan is not vacuous)", () => {
    expect(imported(join(root, "src", "server", "log.ts"))).toEqual(expect.arrayContaining(["@probot/pino", "pino"]));
  });
});
