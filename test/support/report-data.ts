// A deterministic organisation history for `countersign report`: merged PRs over some weeks in the
// shared GitHub model, with Countersign's check runs (verdict records) on their merged heads, the
// approvals behind sign-offs, reverts, overrides and bypasses. The HTML report test and the README
// screenshot (scripts/report-screenshot.ts) both read it, so the picture is the tested page.
import { recordText, type RecordFields } from "./check-record.js";
import type { RiskTier } from "../../src/core/types.js";
import type { GitHubModel, SimPull, SimRepo } from "./github/index.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ReportHistoryOptions {
  owner: string;
  repos: string[];
  /** Merged PRs in the range, spread over `days` before `now`. */
  prs: number;
  days: number;
  now: number;
  seed?: number;
  /** Reviewers, busiest first (the load is skewed towards the first). */
  seniors?: string[];
}

export interface ReportHistory {
  merged: number;
  aiAssisted: number;
  reverted: number;
  overrides: number;
  bypasses: number;
  /** The numbers of the PRs created, per repository, to add hostile text or forged runs to. */
  pulls: Array<{ repo: SimRepo; pull: SimPull; ai: boolean }>;
}

const TITLES = [
  "Add retry to checkout",
  "Cache product images at the edge",
  "Move billing webhooks to the queue",
  "Tighten CSP on the account pages",
  "Upgrade the Postgres driver",
  "Split search indexing into batches",
  "Fix rounding in invoice totals",
  "Rotate the payment provider keys",
  "Add feature flag for new cart",
  "Log slow queries over 500 ms",
];

/** Typical waits for sign-off (p50-ish, in hours) by tier: seniors take longer over riskier changes. */
const WAIT_HOURS: Record<RiskTier, number> = { critical: 5, high: 2.5, medium: 1, low: 0.4 };

/** The PR whose head a check run is on (the record names it). */
const prWithHead = (repo: SimRepo, sha: string) => [...repo.pulls.values()].find((p) => p.headSha === sha)?.number ?? 0;

export function addReportHistory(model: GitHubModel, o: ReportHistoryOptions): ReportHistory {
  const random = rng(o.seed ?? 7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const seniors = o.seniors ?? ["maria", "kenji", "abebe", "sofia", "liam", "priya", "tomasz", "chen", "olu"];
  // Zipf-like load: the first senior signs off most.
  const weights = seniors.map((_, i) => 1 / (i + 1.3));
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const pickSenior = () => {
    let x = random() * weightSum;
    for (let i = 0; i < seniors.length; i++) {
      x -= weights[i]!;
      if (x <= 0) return seniors[i]!;
    }
    return seniors[seniors.length - 1]!;
  };
  const repos = o.repos.map((name) => {
    const repo = model.repo(o.owner, name) ?? model.addRepo(o.owner, name);
    repo.pushedAt = iso(o.now - HOUR);
    return { repo, next: 1, merged: [] as Array<{ repo: SimRepo; pull: SimPull; ai: boolean; tier: RiskTier }> };
  });
  const history: ReportHistory = { merged: 0, aiAssisted: 0, reverted: 0, overrides: 0, bypasses: 0, pulls: [] };
  const start = o.now - o.days * DAY;
  const times = Array.from({ length: o.prs }, () => start + Math.floor(random() * (o.days * DAY - 2 * HOUR)) + HOUR).sort((a, b) => a - b);
  const revertedSet = new Set<SimPull>();

  const addRun = (repo: SimRepo, sha: string, record: RecordFields, status: "in_progress" | "completed", started: number, done?: number) =>
    repo.checkRuns.push({
      id: model.nextId(),
      name: "Countersign",
      head_sha: sha,
      status,
      conclusion: status === "completed" ? "success" : null,
      output: { title: record.outcome, summary: "…", text: recordText(prWithHead(repo, sha), record), annotations_count: 0 },
      app_id: model.appId,
      started_at: iso(started),
      completed_at: done === undefined ? null : iso(done),
    });

  for (const mergedAt of times) {
    const slot = pick(repos);
    const { repo } = slot;
    const number = slot.next++;
    // AI adoption grows over the range: from about 30% to about 50%.
    const progress = (mergedAt - start) / (o.days * DAY);
    const ai = random() < 0.3 + 0.2 * progress;
    const tier = pick<RiskTier>(["low", "low", "low", "medium", "medium", "high", "high", "critical"]);
    // A revert of an earlier PR of this repository: AI-assisted high/critical PRs more often.
    const candidates = slot.merged.filter((m) => !revertedSet.has(m.pull));
    const victim =
      candidates.length > 4 && random() < 0.09
        ? candidates.find((m) => random() < (m.ai ? (m.tier === "high" || m.tier === "critical" ? 0.5 : 0.25) : 0.12))
        : undefined;
    const headSha = model.newSha(`${repo.name}-${number}`);
    const title = victim
      ? `Revert "${victim.pull.title}"`
      : `${pick(TITLES)}${random() < 0.5 ? "" : ` (${pick(["api", "web", "jobs", "infra"])})`}`;
    const pull: SimPull = {
      number,
      title,
      body: victim ? `Reverts ${o.owner}/${repo.name}#${victim.pull.number}\n\nBroke production.` : "",
      user: model.user(`dev-${number % 23}`),
      state: "closed",
      draft: false,
      merged: true,
      headRef: `b${number}`,
      headSha,
      baseRef: "main",
      files: [],
      commits: [],
      reviews: [],
      labels: [...(ai && !victim ? ["ai-assisted"] : []), `risk:${victim ? "low" : tier}`],
      requestedReviewers: [],
      requestedTeams: [],
      events: [],
      createdAt: iso(mergedAt - 2 * DAY),
      updatedAt: iso(mergedAt + 60_000),
      mergedAt: iso(mergedAt),
      mergeCommitSha: model.newSha(`merge-${repo.name}-${number}`),
    };
    repo.pulls.set(number, pull);
    history.merged++;
    if (victim) {
      revertedSet.add(victim.pull);
      history.reverted++;
    }
    history.pulls.push({ repo, pull, ai: ai && !victim });
    const first = mergedAt - Math.floor(random() * 3 * HOUR) - 40 * HOUR;
    if (!ai || victim) {
      addRun(
        repo,
        headSha,
        { outcome: "not-gated", mode: "enforce", gated: false, ai: false, tier: victim ? "low" : tier, approvedBy: [] },
        "completed",
        first,
        first + 3000,
      );
      if (!victim) slot.merged.push({ repo, pull, ai: false, tier });
      continue;
    }
    history.aiAssisted++;
    slot.merged.push({ repo, pull, ai: true, tier });
    const base = {
      mode: "enforce" as const,
      gated: true,
      ai: true,
      tier,
      signal: pick(["co-author-trailer", "author-app", "description-marker", "branch-prefix"]),
    };
    const roll = random();
    if (roll < 0.025) {
      history.overrides++;
      addRun(
        repo,
        headSha,
        {
          ...base,
          outcome: "overridden",
          approvedBy: [],
          overriddenBy: "ops-lead",
          overrideReason: pick(["INC-2291 checkout down", "hotfix for the payment outage", "release freeze exception"]),
        },
        "completed",
        first,
        first + 20 * 60_000,
      );
    } else if (roll < 0.045) {
      history.bypasses++;
      addRun(repo, headSha, { ...base, outcome: "waiting", approvedBy: [] }, "in_progress", first);
      pull.labels.push("countersign:bypassed");
    } else {
      // Lognormal-ish waits around the tier's typical wait, with a long tail.
      const hours = WAIT_HOURS[tier] * Math.exp((random() + random() + random() - 1.5) * 1.6);
      const signedAt = first + Math.max(90_000, Math.floor(hours * HOUR));
      const signer = pickSenior();
      addRun(repo, headSha, { ...base, outcome: "waiting", approvedBy: [] }, "completed", first, first + 2000);
      addRun(repo, headSha, { ...base, outcome: "approved", approvedBy: [signer] }, "completed", first + 2000, signedAt);
      pull.reviews.push({
        id: model.nextId(),
        user: model.user(signer),
        state: "APPROVED",
        commit_id: headSha,
        submitted_at: iso(signedAt - 1500),
        body: "",
      });
    }
  }
  return history;
}
