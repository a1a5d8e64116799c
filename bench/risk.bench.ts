// Benchmark of risk assessment: a 3000-file PR (GitHub's limit) against a 200-rule policy.
// Run: npx tsx bench/risk.bench.ts   — prints the numbers and updates BENCHMARKS.md.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { rng } from "./lib/scenario.js";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { PolicySchema, type Policy, type PolicyInput } from "../src/policy/schema.js";
import { assessRisk, compileRisk } from "../src/core/risk.js";
import type { ChangedFile, PullSnapshot } from "../src/core/types.js";

const COMMAND = "npx tsx bench/risk.bench.ts";
const FILES = 3000;
const RULES = 200;
const WARMUP = 50;
const ITERATIONS = 500;
const COMPILES = 50;

const random = rng(42);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

const SERVICES = [
  "api",
  "billing",
  "checkout",
  "search",
  "notifications",
  "identity",
  "catalog",
  "orders",
  "payments",
  "shipping",
  "reviews",
  "gateway",
];
const PACKAGES = ["ui", "utils", "config", "logger", "http-client", "db", "metrics", "feature-flags", "i18n", "testing"];
const MODULES = ["handlers", "models", "routes", "lib", "jobs", "clients", "views", "hooks", "components", "workers"];
const ENVS = ["dev", "staging", "prod"];
const TF_MODULES = ["network", "rds", "eks", "iam", "s3", "cdn", "dns", "queues"];
const WORDS = ["order", "user", "cart", "price", "invoice", "session", "token", "item", "queue", "event", "cache", "retry"];

function codeLine(): string {
  const w = pick(WORDS);
  switch (int(0, 7)) {
    case 0:
      return `  const ${w}Id = await ${pick(WORDS)}Repository.find(${w}.id);`;
    case 1:
      return `  if (!${w} || ${w}.status === "${pick(["open", "closed", "pending"])}") return null;`;
    case 2:
      return `  logger.info({ ${w} }, "${w} updated");`;
    case 3:
      return `export function handle${w[0]!.toUpperCase()}${w.slice(1)}(input: ${pick(["Request", "Event", "Message"])}) {`;
    case 4:
      return `  return ${w}s.filter((x) => x.${pick(WORDS)} > ${int(0, 100)}).map(format${pick(["Row", "Item", "Line"])});`;
    case 5:
      return `  // TODO: ${pick(["handle retries", "remove after migration", "cache this", "paginate"])}`;
    case 6:
      return `  ${w}.updatedAt = new Date(); await save(${w});`;
    default:
      return `}`;
  }
}

function patchFor(lines: number): string {
  const out = [`@@ -${int(1, 400)},${lines + 3} +${int(1, 400)},${lines + 3} @@ ${codeLine().trim()}`, ` ${codeLine()}`];
  for (let i = 0; i < lines; i++) out.push(`${random() < 0.6 ? "+" : "-"}${codeLine()}`);
  out.push(` ${codeLine()}`, ` ${codeLine()}`);
  return out.join("\n");
}

function pathFor(i: number): string {
  const roll = random();
  if (roll < 0.45) return `services/${pick(SERVICES)}/src/${pick(MODULES)}/${pick(WORDS)}-${i}.${pick(["ts", "ts", "tsx", "go", "py"])}`;
  if (roll < 0.75) return `packages/${pick(PACKAGES)}/src/${pick(MODULES)}/${pick(WORDS)}${i}.${pick(["ts", "tsx", "test.ts"])}`;
  if (roll < 0.85) return `infra/${pick(ENVS)}/${pick(TF_MODULES)}/${pick(["main", "variables", "outputs"])}-${i}.tf`;
  if (roll < 0.95) return `docs/${pick(["guides", "adr", "runbooks", "api"])}/${pick(WORDS)}-${i}.${pick(["md", "md", "mdx", "png"])}`;
  return `${pick(["scripts", "tools", "config"])}/${pick(WORDS)}-${i}.${pick(["sh", "js", "json", "yaml"])}`;
}

function buildSnapshot(): PullSnapshot {
  const files: ChangedFile[] = [];
  for (let i = 0; i < FILES; i++) {
    const path = pathFor(i);
    const binary = path.endsWith(".png") || random() < 0.03; // no patch: binary or too large
    const changed = int(2, 10);
    const status = random() < 0.04 ? "removed" : random() < 0.05 ? "renamed" : random() < 0.15 ? "added" : "modified";
    const file: ChangedFile = { path, status, additions: binary ? 0 : changed, deletions: binary ? 0 : Math.floor(changed / 3) };
    if (!binary) file.patch = patchFor(changed);
    if (status === "renamed") file.previousPath = pathFor(i);
    files.push(file);
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)); // GitHub lists files in path order
  const additions = files.reduce((n, f) => n + f.additions, 0);
  const deletions = files.reduce((n, f) => n + f.deletions, 0);
  return {
    owner: "acme",
    repo: "monorepo",
    number: 1,
    title: "Bench",
    body: "",
    draft: false,
    state: "open",
    merged: false,
    author: { login: "dev", id: 1, type: "User" },
    headSha: "a".repeat(40),
    headRef: "feature",
    baseRef: "main",
    defaultBranch: "main",
    labels: [],
    files,
    changedFilesTotal: FILES,
    additions,
    deletions,
    commits: [],
    commitsTotal: 0,
    reviews: [],
    labelEvents: [],
    requestedReviewers: [],
    requestedTeams: [],
  };
}

const CONTENT = [
  "DROP TABLE",
  "force_destroy\\s*=\\s*true",
  "prevent_destroy\\s*=\\s*false",
  "dangerouslySetInnerHTML",
  "\\beval\\(",
  "child_process",
  "BEGIN (?:RSA|EC|OPENSSH) PRIVATE KEY",
  "(?:password|secret|api_key)\\s*[:=]\\s*[\"'][^\"']{8,}",
  "AKIA[0-9A-Z]{16}",
  "TRUNCATE\\s+TABLE",
  "disable_?ssl|verify\\s*=\\s*False",
  "\\.skip\\(|\\bit\\.only\\(",
  "process\\.env\\.[A-Z_]+",
  "setTimeout\\([^,]+,\\s*0\\)",
  "^\\s*//\\s*TODO: remove after migration",
];

function buildPolicy(): PolicyInput {
  const rules: NonNullable<NonNullable<PolicyInput["risk"]>["rules"]> = [];
  const tiers = ["low", "medium", "high", "critical"] as const;
  for (let i = 0; rules.length < RULES; i++) {
    const tier = pick(tiers);
    const kind = i % 20;
    if (kind < 12) {
      // Paths rules of the shapes policies use.
      const shapes = [
        () => `services/${pick(SERVICES)}/**`,
        () => `services/${pick(SERVICES)}/src/${pick(MODULES)}/**`,
        () => `packages/${pick(PACKAGES)}/**/*.{ts,tsx}`,
        () => `infra/${pick(ENVS)}/**`,
        () => `infra/*/${pick(TF_MODULES)}/**`,
        () => `**/${pick(MODULES)}/**/*.ts`,
        () => `**/*.${pick(["sql", "proto", "graphql", "tf", "sh", "yaml"])}`,
        () => `docs/${pick(["adr", "runbooks"])}/**`,
        () => `**/*${pick(WORDS)}*.go`,
        () => `**/${pick(["Dockerfile", "Makefile", "Procfile", "openapi.yaml"])}`,
        () => `{services,packages}/*/src/${pick(MODULES)}/${pick(WORDS)}*`,
        () => `**/*.{generated,gen}.ts`,
      ];
      rules.push({ tier, paths: Array.from({ length: int(1, 4) }, () => pick(shapes)()) });
    } else if (kind < 15) {
      const content = Array.from({ length: int(1, 3) }, () => pick(CONTENT));
      if (kind === 14) rules.push({ tier, paths: [`services/${pick(SERVICES)}/**`, "**/*.tf"], content });
      else rules.push({ tier, content });
    } else if (kind < 18) {
      rules.push(
        pick([
          { tier, changed_lines: int(100, 50_000) },
          { tier, changed_files: int(10, 5000) },
          { tier, deleted_files: int(1, 500) },
        ]),
      );
    } else {
      rules.push({ tier, components: int(2, 30) });
    }
  }
  return { risk: { components: ["services/*", "packages/*"], rules } };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const ms = (n: number) => n.toFixed(3);

function main(): void {
  const snapshot = buildSnapshot();
  const input = buildPolicy();
  const parse = (): Policy => PolicySchema.parse(structuredClone(input));

  const first = parse();
  let t = performance.now();
  compileRisk(first);
  const coldCompile = performance.now() - t;
  const compiles: number[] = [];
  for (let i = 0; i < COMPILES; i++) {
    const fresh = parse();
    t = performance.now();
    compileRisk(fresh);
    compiles.push(performance.now() - t);
  }
  compiles.sort((a, b) => a - b);

  const policy = parse();
  compileRisk(policy);
  let result = assessRisk(snapshot, policy);
  for (let i = 0; i < WARMUP; i++) result = assessRisk(snapshot, policy);
  // Wall-clock time, and the CPU time the process used (less sensitive to other processes on the machine).
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const cpu = process.cpuUsage();
    t = performance.now();
    result = assessRisk(snapshot, policy);
    times.push(performance.now() - t);
    const used = process.cpuUsage(cpu);
    cpuTimes.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;

  const rules = policy.risk.rules.length;
  const builtin = compileRisk(policy).rules.length - rules;
  const withPatch = snapshot.files.filter((f) => f.patch !== undefined).length;
  const rows: [string, string][] = [
    ["first compile (cold caches, includes JIT warm-up)", ms(coldCompile)],
    [`compile of a fresh policy object (p50 of ${COMPILES})`, ms(percentile(compiles, 50))],
    [`warm evaluation p50 (${ITERATIONS} runs)`, ms(percentile(times, 50))],
    ["warm evaluation p95", ms(percentile(times, 95))],
    ["warm evaluation mean", ms(mean)],
    ["warm evaluation min", ms(times[0]!)],
    ["warm evaluation, CPU time p50", ms(percentile(cpuTimes, 50))],
    ["warm evaluation, CPU time p95", ms(percentile(cpuTimes, 95))],
  ];
  // Other processes on the machine inflate every number: say how busy it was.
  const load = loadavg()[0]!.toFixed(2);
  const machine =
    `Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}), ` +
    `${process.platform}/${process.arch}, load average ${load} when it ran`;
  const input_ =
    `${FILES} changed files (${withPatch} with a patch, the rest binary or too large), ` +
    `${snapshot.additions + snapshot.deletions} changed lines; ${rules} policy rules + ${builtin} built-in ` +
    `(paths, content, size and components). Result: tier ${result.tier}, ${result.reasons.length} reasons, ${result.notes.length} note${result.notes.length === 1 ? "" : "s"}.`;

  console.log(`risk assessment — ${input_}`);
  console.log(machine);
  for (const [label, value] of rows) console.log(`  ${label.padEnd(58)} ${value.padStart(9)} ms`);
  const verdict = (n: number) => `${ms(n)} ms (${n < 10 ? "under" : "OVER"})`;
  const target =
    `warm evaluation under 10 ms: wall-clock p50 ${verdict(percentile(times, 50))}, p95 ${verdict(percentile(times, 95))}; ` +
    `CPU time p50 ${verdict(percentile(cpuTimes, 50))}, p95 ${verdict(percentile(cpuTimes, 95))}`;
  console.log(`  target: ${target}`);

  const section = [
    "<!-- bench:risk:start -->",
    "## Risk assessment (`src/core/risk.ts`)",
    "",
    `Measured ${new Date().toISOString().slice(0, 10)} with \`${COMMAND}\` on ${machine}.`,
    "",
    `Input: ${input_}`,
    "",
    "| measurement | ms |",
    "|---|---:|",
    ...rows.map(([label, value]) => `| ${label} | ${value} |`),
    "",
    `Target: a warm evaluation of a 3000-file PR against a 200-rule policy under 10 ms on a 2-core machine; ${target}.`,
    "Compilation is memoised per policy object, and compiled globs are shared between policies.",
    "<!-- bench:risk:end -->",
  ].join("\n");
  const file = fileURLToPath(new URL("../BENCHMARKS.md", import.meta.url));
  const before = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const pattern = /<!-- bench:risk:start -->[\s\S]*?<!-- bench:risk:end -->/;
  const after = pattern.test(before) ? before.replace(pattern, () => section) : `${before.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, after);
  console.log(`updated ${file}`);
}

main();
