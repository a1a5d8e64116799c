// The layers of src/ (ARCHITECTURE.md): which folder may import which. Checked twice — over the import
// graph here, and by Biome's noRestrictedImports (biome.jsonc), which `npm run lint` runs in CI and
// which must refuse a file that crosses a boundary.
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const src = join(root, "src");

/** The folders each folder of src/ may import from ("index" is src/index.ts, the Probot app function). */
const ALLOWED: Record<string, readonly string[]> = {
  policy: [],
  core: ["policy"],
  github: ["core", "policy"],
  metrics: ["github", "core", "policy"],
  scale: ["github", "core", "policy"],
  cli: ["github", "core", "policy"],
  handlers: ["scale", "metrics", "github", "core", "policy"],
  index: ["handlers", "scale", "metrics", "github", "core", "policy"],
  server: ["index", "handlers", "scale", "metrics", "github", "core", "policy"],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith(".ts") ? [path] : [];
  });
}

/** "core" for src/core/risk.ts, "index" for src/index.ts. */
function folderOf(path: string): string {
  const [first = "", ...rest] = relative(src, path).split(sep);
  return rest.length === 0 ? first.replace(/\.ts$/, "") : first;
}

/** Relative import specifiers of a file: static imports and re-exports, and dynamic imports. */
function relativeImports(path: string): string[] {
  const text = readFileSync(path, "utf8");
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^"'`;]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map(
    (m) => m[1] ?? m[2] ?? "",
  );
  return specs.filter((s) => s.startsWith("."));
}

describe("import layers over src/", () => {
  const edges = files(src).flatMap((file) =>
    relativeImports(file).map((spec) => ({
      file: relative(root, file),
      spec,
      from: folderOf(file),
      to: folderOf(resolve(dirname(file), spec.replace(/\.js$/, ".ts"))),
    })),
  );

  it("reads the graph (a regex that found nothing would pass everything)", () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(edges).toContainEqual(expect.objectContaining({ file: join("src", "core", "risk.ts"), to: "policy" }));
  });

  it("every folder of src/ has a row in the table", () => {
    const folders = new Set(files(src).map(folderOf));
    expect([...folders].filter((f) => !(f in ALLOWED))).toEqual([]);
  });

  it("no file imports a folder above its own", () => {
    const crossing = edges.filter((e) => e.from !== e.to && !(ALLOWED[e.from] ?? []).includes(e.to));
    expect(crossing.map((e) => `${e.file} imports ${e.spec}`)).toEqual([]);
  });
});

describe("Biome enforces the boundaries (npm run lint)", () => {
  const biome = join(root, "node_modules", ".bin", process.platform === "win32" ? "biome.cmd" : "biome");

  /** Lint a probe file placed in a folder of src/, then remove it. */
  function lintProbe(folder: string, source: string): { status: number | null; output: string } {
    const probe = join(src, folder, `zz-boundary-probe-${process.pid}.ts`);
    writeFileSync(probe, source);
    try {
      const run = spawnSync(biome, ["lint", "--colors=off", relative(root, probe)], { cwd: root, encoding: "utf8" });
      return { status: run.status, output: `${run.stdout}${run.stderr}` };
    } finally {
      rmSync(probe, { force: true });
    }
  }

  it.each([
    ["core", 'import type { Octokit } from "../github/octokit.js";\nexport type Probe = Octokit;\n', "src/core/ imports only src/policy/"],
    ["core", 'import type { Logger } from "pino";\nexport type Probe = Logger;\n', "src/core/ is pure"],
    [
      "policy",
      'import type { PullSnapshot } from "../core/types.js";\nexport type Probe = PullSnapshot;\n',
      "src/policy/ is the bottom layer",
    ],
    ["github", 'import type { PullGate } from "../scale/pull-gate.js";\nexport type Probe = PullGate;\n', "src/github/ imports only"],
    ["github", 'import type { Services } from "../handlers/services.js";\nexport type Probe = Services;\n', "src/github/ imports only"],
    ["scale", 'import type { Services } from "../handlers/services.js";\nexport type Probe = Services;\n', "src/scale/ imports only"],
  ])("refuses a file in src/%s that crosses a boundary (%#)", (folder, source, message) => {
    const { status, output } = lintProbe(folder, source);
    expect(status).not.toBe(0);
    expect(output).toContain("noRestrictedImports");
    expect(output).toContain(message);
  });

  it("accepts an import the layers allow (core → policy)", () => {
    const { status, output } = lintProbe("core", 'import type { Policy } from "../policy/schema.js";\nexport type Probe = Policy;\n');
    expect(output).not.toContain("noRestrictedImports");
    expect(status).toBe(0);
  });
});

// Every write to GitHub goes through github/publisher.ts, whose code shows queueing, superseding and
// batching (ARCHITECTURE.md, "Where is the only check-run write?"). A write made anywhere else would
// skip the installation's write queue and the evaluation's guard: this scan refuses it.
const WRITE_VERBS =
  "create|update|add|remove|request|delete|set|merge|replace|dismiss|submit|rerequest|lock|unlock|enable|disable|upload|mark|cancel|rerun";

/** The GitHub writes a source text makes: REST methods that write, non-GET routes, and GraphQL mutations. */
function writesIn(text: string): string[] {
  const rest = new RegExp(`\\.rest\\.\\w+\\.(?:${WRITE_VERBS})\\w*\\b`, "g");
  const route = /\brequest\(\s*["'`](?:POST|PATCH|PUT|DELETE)\s+[^"'`]*["'`]/g;
  const method = /\bmethod:\s*["'`](?:POST|PATCH|PUT|DELETE)["'`]/g;
  const mutation = /["'`]\s*mutation\b/g;
  return [rest, route, method, mutation].flatMap((re) => [...text.matchAll(re)].map((m) => m[0]));
}

/** Where a write may be: the publisher; the GraphQL translation of its batch; the setup page's manifest conversion (before any installation exists). */
const WRITERS: Record<string, (write: string) => boolean> = {
  [join("src", "github", "publisher.ts")]: () => true,
  [join("src", "github", "check-batch.ts")]: (w) => /mutation/.test(w),
  [join("src", "server", "setup.ts")]: (w) => w.includes("POST /app-manifests/{code}/conversions"),
};

describe("the only writes to GitHub are the publisher's", () => {
  const found = files(src).flatMap((file) => writesIn(readFileSync(file, "utf8")).map((write) => ({ file: relative(root, file), write })));

  it("finds writes where they are (a pattern that found nothing would pass everything)", () => {
    const publisher = found.filter((f) => f.file === join("src", "github", "publisher.ts")).map((f) => f.write);
    expect(publisher).toEqual(
      expect.arrayContaining([
        ".rest.checks.update",
        ".rest.checks.create",
        ".rest.issues.createLabel",
        ".rest.issues.addLabels",
        ".rest.issues.removeLabel",
        ".rest.pulls.requestReviewers",
        ".rest.issues.createComment",
        ".rest.reactions.createForIssueComment",
        'request("POST /graphql"',
      ]),
    );
  });

  it("tells a write from a read or a GraphQL query", () => {
    const probe = [
      'await octokit.rest.issues.createComment({ owner, repo, issue_number: 1, body: "x" });',
      'await octokit.request("DELETE /repos/{owner}/{repo}/issues/{n}/labels/{name}", {});',
      'await octokit.request({ method: "PATCH", url: "/repos/a/b/check-runs/1" });',
      "await octokit.graphql(`mutation { addComment(input: {}) { clientMutationId } }`);",
      "await octokit.rest.pulls.get({ owner, repo, pull_number: 1 });",
      "await octokit.paginate(octokit.rest.issues.listComments, {});",
      'await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", {});',
      "await octokit.graphql(`query { viewer { login } }`);",
    ].join("\n");
    expect(writesIn(probe)).toEqual([
      ".rest.issues.createComment",
      'request("DELETE /repos/{owner}/{repo}/issues/{n}/labels/{name}"',
      'method: "PATCH"',
      "`mutation",
    ]);
  });

  it("no file of src/ writes to GitHub outside github/publisher.ts", () => {
    const outside = found.filter((f) => !WRITERS[f.file]?.(f.write));
    expect(outside.map((f) => `${f.file}: ${f.write}`)).toEqual([]);
  });
});
