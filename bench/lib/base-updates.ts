// The base-branch-update scenario of `npm run bench:app` (issue #11): one AI-assisted PR per policy,
// approved by a senior, then "Update branch" several times (a merge of the base branch: the PR's
// own changes stay the same) with a real change every few updates. The same steps run against
// `fresh_approval: same-diff` and `fresh_approval: true` in the same run; the report counts the
// senior re-approvals each needed, and the GitHub reads per evaluation.
import { performance } from "node:perf_hooks";
import type { GitHubSimulator } from "../../test/support/github/index.js";
import type { AppProcess } from "./app-process.js";
import { CHECK_NAME, type GitHubModel } from "../../test/support/github/index.js";
import { fmt, table } from "./report.js";
import { AI_TRAILER, AUTHOR, checkMatches, describeCheck, ORG, SENIOR, SENIOR_TEAM, smallFiles, type ExpectedOutcome } from "./scenario.js";

const EVALUATED = "evaluated pull request";
const NUMBER = 1;
const VARIANTS = [
  { name: "same-diff", repo: "bu-same-diff", fresh: "same-diff" },
  { name: "true (baseline)", repo: "bu-fresh", fresh: "true" },
] as const;

export interface BaseUpdatesVariant {
  name: string;
  baseUpdates: number;
  realChanges: number;
  /** Times a senior had to approve again after the first approval. */
  reapprovals: number;
  evaluations: number;
  reads: number;
  /** Reads of the compare API among them. */
  compareReads: number;
  problems: string[];
}

const identity = (login: string) => ({ name: login, email: `${login}@acme.example`, login });
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function setupBaseUpdates(model: GitHubModel): void {
  for (const v of VARIANTS) {
    const policy = `signoff:\n  reviewers: ["@${ORG}/${SENIOR_TEAM}"]\n  fresh_approval: ${v.fresh}\n`;
    model.addRepo(ORG, v.repo, { files: { ".github/countersign.yml": policy }, labels: ["ai-assisted", "risk:low"] });
    model.addPull(ORG, v.repo, {
      number: NUMBER,
      title: "Retry failed checkout calls",
      author: AUTHOR,
      headRef: "claude/checkout-retry",
      files: smallFiles("src/checkout", 5),
      labels: ["ai-assisted", "risk:low"],
      requestedTeams: [SENIOR_TEAM],
      commits: [{ message: `Retry checkout\n\n${AI_TRAILER}`, author: identity(AUTHOR), committer: identity(AUTHOR) }],
    });
  }
}

/** One event, then wait until its evaluation is logged and the simulator has been quiet a moment. */
async function step(sim: GitHubSimulator, app: AppProcess, event: string, payload: object): Promise<void> {
  // Probot spaces writes a second apart (review requests three): leave room so steps do not queue.
  await sleep(1_100);
  const logMark = performance.now();
  const delivery = await sim.send(event, payload);
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline && app.linesSince(logMark, EVALUATED).length === 0 && performance.now() - delivery.answeredAt < 3_000)
    await sleep(20);
  await sim.waitForQuiet(300, 10_000);
}

export async function runBaseUpdates(sim: GitHubSimulator, app: AppProcess, quick: boolean): Promise<BaseUpdatesVariant[]> {
  const updates = quick ? 4 : 8;
  const results: BaseUpdatesVariant[] = [];
  for (const v of VARIANTS) {
    const result: BaseUpdatesVariant = {
      name: v.name,
      baseUpdates: 0,
      realChanges: 0,
      reapprovals: 0,
      evaluations: 0,
      reads: 0,
      compareReads: 0,
      problems: [],
    };
    const mark = sim.mark();
    const logMark = performance.now();
    const expect = (what: string, expected: ExpectedOutcome) => {
      const head = sim.model.mustPull(ORG, v.repo, NUMBER).pull.headSha;
      const run = sim.model.latestCheckRun(ORG, v.repo, head, CHECK_NAME);
      if (!checkMatches(run, expected)) result.problems.push(`${what}: expected ${expected}, found ${describeCheck(run)}`);
      return checkMatches(run, "success");
    };
    const approve = async () => {
      const review = sim.model.addReview(ORG, v.repo, NUMBER, { user: SENIOR, state: "APPROVED" });
      await step(sim, app, "pull_request_review", sim.payloads.review("submitted", ORG, v.repo, NUMBER, review));
    };
    await step(sim, app, "pull_request", sim.payloads.pullRequest("opened", ORG, v.repo, NUMBER));
    expect("opened", "waiting");
    await approve();
    expect("first approval", "success");
    for (let i = 1; i <= updates; i++) {
      const real = i % 4 === 0;
      const before = sim.model.mustPull(ORG, v.repo, NUMBER).pull.headSha;
      if (real) {
        result.realChanges++;
        sim.model.pushHead(ORG, v.repo, NUMBER, { message: "Tune backoff", files: smallFiles(`src/checkout-${i}`, 5) });
      } else {
        result.baseUpdates++;
        sim.model.pushHead(ORG, v.repo, NUMBER, { message: "Merge branch 'main' into claude/checkout-retry" });
      }
      await step(sim, app, "pull_request", sim.payloads.pullRequest("synchronize", ORG, v.repo, NUMBER, { before }));
      const passing = expect(real ? `change ${i}` : `base update ${i}`, real || v.fresh === "true" ? "waiting" : "success");
      if (!passing) {
        result.reapprovals++;
        await approve();
        expect(`re-approval ${i}`, "success");
      }
    }
    const entries = sim.entriesSince(mark);
    result.reads = entries.filter((e) => e.kind === "read").length;
    result.compareReads = entries.filter((e) => e.route === "repos.compareCommitsWithBasehead").length;
    result.evaluations = app.linesSince(logMark, EVALUATED).length;
    results.push(result);
  }
  return results;
}

export function renderBaseUpdates(results: BaseUpdatesVariant[], command: string): string {
  const [sameDiff, fresh] = results;
  const saved = sameDiff && fresh ? fresh.reapprovals - sameDiff.reapprovals : NaN;
  const rows = results.map((r) => [
    r.name,
    r.baseUpdates,
    r.realChanges,
    r.reapprovals,
    r.evaluations,
    fmt(r.reads / Math.max(1, r.evaluations), 2),
    r.compareReads,
    r.problems.length === 0 ? "yes" : `**no**: ${r.problems.join("; ")}`,
  ]);
  return [
    "## Base-branch updates (`bench/lib/base-updates.ts`, part of `npm run bench:app`)",
    "",
    `\`${command}\` — one AI-assisted PR per policy, approved by a senior, then "Update branch" (a merge of the base branch) repeatedly, with a real change every fourth push; after each push that left the check waiting, the senior approves again.`,
    "",
    table(
      [
        "fresh_approval",
        "base updates",
        "real changes",
        "senior re-approvals",
        "evaluations",
        "reads / evaluation",
        "compare reads",
        "checks as expected",
      ],
      rows,
    ),
    "",
    `Senior re-approvals saved by \`same-diff\`: **${Number.isFinite(saved) ? saved : "n/a"}** (every base update; the real changes still needed one each). Its extra cost is the compare reads: the head and the approved commit once each, then cached by SHA.`,
  ].join("\n");
}
