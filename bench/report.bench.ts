// `countersign report --org` over a simulated organisation: 2,000 merged PRs in 20 repositories in the
// last 30 days (plus closed-unmerged and older PRs, and an inactive repository), against the GitHub
// simulator answering every call after 100 ms. Measures GitHub calls per merged PR and wall time at
// the CLI's real concurrency, and writes them to BENCHMARKS.md.
// Run: npm run bench:report   (npx tsx bench/report.bench.ts --prs 2000 --latency 100 --no-write)
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { parseArgs } from "node:util";
import { join } from "node:path";
import { GitHubSimulator, type SimPull, type SimRepo } from "../test/support/github/index.js";
import { rng } from "./lib/scenario.js";
import { machine, table, writeSection } from "./lib/report.js";
import { runReport } from "../src/cli/report.js";
import { recordText, type RecordFields } from "../test/support/check-record.js";
import type { RiskTier } from "../src/core/types.js";

const { values } = parseArgs({
  options: {
    prs: { type: "string", default: "2000" },
    repos: { type: "string", default: "20" },
    latency: { type: "string", default: "100" },
    concurrency: { type: "string", default: "8" },
    "no-write": { type: "boolean", default: false },
  },
});
const PRS = Number(values.prs);
const REPOS = Number(values.repos);
const LATENCY = Number(values.latency);
const CONCURRENCY = Number(values.concurrency);
const NOW = Date.parse("2026-12-01T00:00:00Z");
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const random = rng(12);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;

const sim = new GitHubSimulator({ latencyMs: LATENCY });
const model = sim.model;
const seniors = ["ana", "bo", "chen", "dee", "eli", "fay", "gus", "hal"];
const TIERS: RiskTier[] = ["low", "low", "low", "medium", "medium", "high", "critical"];

function addPull(
  repo: SimRepo,
  number: number,
  o: { mergedAt: number | undefined; title: string; body: string; labels: string[] },
): SimPull {
  const headSha = model.newSha(`${repo.name}-${number}`);
  const pull: SimPull = {
    number,
    title: o.title,
    body: o.body,
    user: model.user(`dev${number % 37}`),
    state: "closed",
    draft: false,
    merged: o.mergedAt !== undefined,
    headRef: `b${number}`,
    headSha,
    baseRef: "main",
    files: [],
    commits: [],
    reviews: [],
    labels: o.labels,
    requestedReviewers: [],
    requestedTeams: [],
    events: [],
    createdAt: iso((o.mergedAt ?? NOW - 5 * DAY) - 2 * DAY),
    updatedAt: iso((o.mergedAt ?? NOW - 5 * DAY) + 60_000),
    ...(o.mergedAt !== undefined ? { mergedAt: iso(o.mergedAt), mergeCommitSha: model.newSha(`merge-${repo.name}-${number}`) } : {}),
  };
  repo.pulls.set(number, pull);
  return pull;
}

function addRun(
  repo: SimRepo,
  sha: string,
  record: RecordFields,
  status: "in_progress" | "completed",
  conclusion: string | null,
  started: number,
  completed: number | undefined,
): void {
  repo.checkRuns.push({
    id: model.nextId(),
    name: "Countersign",
    head_sha: sha,
    status,
    conclusion,
    output: {
      title: record.outcome,
      summary: "…",
      text: recordText([...repo.pulls.values()].find((p) => p.headSha === sha)?.number ?? 0, record),
      annotations_count: 0,
    },
    app_id: model.appId,
    started_at: iso(started),
    completed_at: completed === undefined ? null : iso(completed),
  });
}

// The organisation: REPOS active repositories sharing PRS merged PRs, and one repository untouched for 90 days.
let merged = 0;
let revertsPlanned = 0;
const perRepo = Math.ceil(PRS / REPOS);
for (let r = 0; r < REPOS; r++) {
  const repo = model.addRepo("acme", `svc-${r}`);
  repo.pushedAt = iso(NOW - Math.floor(random() * DAY));
  const mergedHere: Array<{ number: number; pull: SimPull; ai: boolean }> = [];
  const revertedHere = new Set<number>();
  let number = 1;
  for (let i = 0; i < perRepo && merged < PRS; i++, number++) {
    const mergedAt = NOW - Math.floor(random() * 29 * DAY) - DAY;
    const ai = random() < 0.4;
    const tier = pick(TIERS);
    // A revert of an earlier merged PR in this repository (AI-assisted ones twice as often).
    let victim = mergedHere.length > 5 && random() < 0.04 ? pick(mergedHere) : undefined;
    if (victim && ((!victim.ai && random() < 0.5) || revertedHere.has(victim.number))) victim = undefined;
    if (victim) revertedHere.add(victim.number);
    const labels = [...(ai && !victim ? ["ai-assisted"] : []), `risk:${victim ? "low" : tier}`];
    const pull = victim
      ? addPull(repo, number, {
          mergedAt,
          title: `Revert "${victim.pull.title}"`,
          body: `Reverts acme/${repo.name}#${victim.number}`,
          labels,
        })
      : addPull(repo, number, { mergedAt, title: `Change ${number}`, body: "", labels });
    if (victim) revertsPlanned++;
    merged++;
    // A revert is not reverted in turn here: each planned revert names a different PR.
    if (!victim) mergedHere.push({ number, pull, ai });
    const first = mergedAt - Math.floor(random() * 2 * DAY) - 60_000;
    if (!ai || victim) {
      addRun(
        repo,
        pull.headSha,
        { outcome: "not-gated", mode: "enforce", gated: false, ai: false, tier: "low", approvedBy: [] },
        "completed",
        "success",
        first,
        first + 3000,
      );
      continue;
    }
    const roll = random();
    const signer = pick(seniors);
    const base = {
      mode: "enforce" as const,
      gated: true,
      ai: true,
      tier,
      signal: pick(["co-author-trailer", "author-app", "description-marker", "branch-prefix"]),
    };
    if (roll < 0.03) {
      addRun(
        repo,
        pull.headSha,
        { ...base, outcome: "overridden", approvedBy: [], overriddenBy: "ops-lead", overrideReason: "incident hotfix" },
        "completed",
        "success",
        first,
        first + 600_000,
      );
    } else if (roll < 0.05) {
      addRun(repo, pull.headSha, { ...base, outcome: "waiting", approvedBy: [] }, "in_progress", null, first, undefined);
      pull.labels.push("countersign:bypassed");
    } else {
      const signedAt = first + Math.floor(random() * 8 * 3600_000) + 20_000;
      if (random() < 0.5)
        addRun(repo, pull.headSha, { ...base, outcome: "waiting", approvedBy: [] }, "completed", "success", first, first + 1000);
      addRun(repo, pull.headSha, { ...base, outcome: "approved", approvedBy: [signer] }, "completed", "success", first + 1000, signedAt);
      pull.reviews.push({
        id: model.nextId(),
        user: model.user(signer),
        state: "APPROVED",
        commit_id: pull.headSha,
        submitted_at: iso(signedAt - 2000),
        body: "",
      });
    }
  }
  // Closed without merging, and merged before the range: listed, never read further.
  for (let i = 0; i < perRepo / 10; i++, number++)
    addPull(repo, number, { mergedAt: undefined, title: `Abandoned ${number}`, body: "", labels: [] });
  for (let i = 0; i < perRepo / 5; i++, number++)
    addPull(repo, number, { mergedAt: NOW - 60 * DAY - i * DAY, title: `Old ${number}`, body: "", labels: [] }).updatedAt = iso(
      NOW - 50 * DAY,
    );
}
model.addRepo("acme", "archive").pushedAt = iso(NOW - 90 * DAY);

const url = await sim.start();
let stdout = "";
let progressLines = 0;
const started = performance.now();
// The HTML page and the Markdown summary are written from what was read: no request of their own.
const pageDir = mkdtempSync(join(tmpdir(), "bench-report-"));
const page = join(pageDir, "report.html");
const summary = join(pageDir, "summary.md");
const code = await runReport(
  [
    "--org",
    "acme",
    "--since",
    iso(NOW - 30 * DAY),
    "--until",
    iso(NOW),
    "--json",
    "--concurrency",
    String(CONCURRENCY),
    "--html",
    page,
    "--summary",
    summary,
  ],
  {
    cwd: process.cwd(),
    out: (t) => void (stdout += t),
    err: (t) => {
      progressLines++;
      process.stderr.write(t);
    },
  },
  { env: { GITHUB_TOKEN: "bench", GITHUB_API_URL: url, COUNTERSIGN_APP_ID: String(model.appId) }, now: () => new Date(NOW) },
);
const wallMs = performance.now() - started;
await sim.stop();
if (code !== 0) throw new Error(`countersign report exited ${code}`);

const report = JSON.parse(stdout) as {
  apiCalls: number;
  totals: {
    merged: number;
    aiAssisted: number;
    reverts: Array<{ tier: string; aiReverted: number; otherReverted: number }>;
    bypasses: unknown[];
    overrides: unknown[];
    reviewers: unknown[];
  };
};
const byRoute = sim.counts.byRoute;
const route = (name: string) => byRoute[`GET ${name}`] ?? 0;
const calls = report.apiCalls;
const perPr = calls / report.totals.merged;
const all = report.totals.reverts.find((r) => r.tier === "all");
const m = machine();

const rows: Array<[string, string | number]> = [
  ["merged PRs in range (repositories read)", `${report.totals.merged} (${REPOS} of ${REPOS + 1})`],
  ["GitHub requests, total", calls],
  ["… list repositories", route("repos.listForOrg")],
  ["… list closed PRs (100 a page)", route("pulls.list")],
  ["… check runs on the merged head", route("checks.listForRef")],
  ["… reviews (signed-off high/critical only)", route("pulls.listReviews")],
  ["requests per merged PR", perPr.toFixed(2)],
  [`wall time at ${LATENCY} ms per call, concurrency ${CONCURRENCY}`, `${(wallMs / 1000).toFixed(1)} s`],
  ["the same requests one at a time (estimate)", `${((calls * LATENCY) / 1000).toFixed(0)} s`],
  ["progress lines on stderr", progressLines],
  ["--html page / --summary Markdown written (bytes)", `${statSync(page).size} / ${statSync(summary).size}`],
];
rmSync(pageDir, { recursive: true, force: true });
const found = `AI-assisted ${report.totals.aiAssisted}; reverted PRs found ${(all?.aiReverted ?? 0) + (all?.otherReverted ?? 0)} of ${revertsPlanned} planned (AI-assisted ${all?.aiReverted ?? 0}, others ${all?.otherReverted ?? 0}); ${report.totals.bypasses.length} bypasses, ${report.totals.overrides.length} overrides, ${report.totals.reviewers.length} reviewers.`;
const text = [
  "## `countersign report` over an organisation (`bench/report.bench.ts`)",
  "",
  `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench:report\` on Node ${m.node}, ${m.nproc} cores (${m.model}), ${m.platform}.`,
  `Simulated org: ${REPOS} active repositories with ${PRS} PRs merged in the last 30 days (each also has closed-unmerged PRs and PRs merged 60+ days ago), and one repository untouched for 90 days; ` +
    `the GitHub simulator (\`test/support/github/http-server.ts\`) answers every call after ${LATENCY} ms. The report runs in process with its real octokit (throttling and retry plugins) and concurrency.`,
  "",
  table(["measure", "value"], rows),
  "",
  `Found: ${found}`,
  "Paging stops at the first page of PRs updated before the range, and repositories not pushed to in the range are skipped, so older history costs nothing.",
  "Check runs are asked for with `app_id` (only the Countersign app's runs count), in the same one request per PR; the HTML page and the Markdown summary are written from what was read, at no request.",
].join("\n");
console.log(`\n${text}\n`);
if (!values["no-write"]) writeSection(join(import.meta.dirname, "..", "BENCHMARKS.md"), "bench:report", text);
