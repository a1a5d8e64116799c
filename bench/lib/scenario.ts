// The benchmark's world: one organisation, a policy, a senior team, the small PR for single-event
// measurements, and the burst's PRs with a seeded schedule of events and the outcome each must end in.
import type { GitHubModel, SimFile } from "../../test/support/github/index.js";
import type { PayloadFactory } from "../../test/support/github/index.js";

export const ORG = "acme";
export const SINGLE_REPO = "shop";
export const SINGLE_PR = 7;
export const SENIOR_TEAM = "senior-engineers";
export const AUTHOR = "alice";
/** Write access, not a senior: their approval does not count. */
export const PEER = "bob";
export const SENIOR = "carol";
export const SENIOR_2 = "dave";
export const AI_TRAILER = "Co-authored-by: Claude <noreply@anthropic.com>";

export const POLICY = `# Countersign policy used by the app benchmark
signoff:
  reviewers: ["@${ORG}/${SENIOR_TEAM}"]
  approvals: 1
`;

/** What a PR's check must say at the end. */
export type ExpectedOutcome = "success" | "waiting" | "failure";

export function smallFiles(prefix: string, count: number): SimFile[] {
  return Array.from({ length: count }, (_, i) => ({
    filename: `${prefix}/file-${String(i + 1).padStart(2, "0")}.ts`,
    status: "modified" as const,
    additions: 5,
    deletions: 1,
    patch: `@@ -1,3 +1,7 @@\n-export const retries = 1;\n+export const retries = 3;\n+export const backoffMs = 200;\n+export function next(n: number) {\n+  return n * 2;\n+}\n`,
  }));
}

const identity = (login: string) => ({ name: login[0]!.toUpperCase() + login.slice(1), email: `${login}@acme.example`, login });

/** The organisation, its team, the policy, and repository permissions shared by both scenarios. */
export function setupOrg(model: GitHubModel): void {
  model.addRepo(ORG, ".github", { files: { ".github/countersign.yml": POLICY } });
  model.setTeam(ORG, SENIOR_TEAM, { [SENIOR]: "active", [SENIOR_2]: "active" });
}

/**
 * The small PR of the single-event measurements (issue #5: 20 files, 3 commits, 2 reviews), in a
 * repository with its own policy file; AI-assisted through a Co-authored-by trailer. No labels and
 * no check yet: the first evaluation is the cold one.
 */
export function setupSinglePr(model: GitHubModel): void {
  model.addRepo(ORG, SINGLE_REPO, { files: { ".github/countersign.yml": POLICY } });
  model.setPermission(ORG, SINGLE_REPO, PEER, "write");
  model.setPermission(ORG, SINGLE_REPO, SENIOR, "write");
  model.addPull(ORG, SINGLE_REPO, {
    number: SINGLE_PR,
    title: "Retry failed checkout calls",
    body: "Retries with backoff when the payment provider times out.",
    author: AUTHOR,
    headRef: "feature/checkout-retry",
    files: smallFiles("src/checkout", 20),
    commits: [
      { message: "Add retry helper", author: identity(AUTHOR), committer: identity(AUTHOR) },
      { message: `Use the retry helper in checkout\n\n${AI_TRAILER}`, author: identity(AUTHOR), committer: identity(AUTHOR) },
      { message: "Tune backoff", author: identity(AUTHOR), committer: identity(AUTHOR) },
    ],
  });
  const { pull } = model.mustPull(ORG, SINGLE_REPO, SINGLE_PR);
  const [first, second] = pull.commits;
  model.addReview(ORG, SINGLE_REPO, SINGLE_PR, { user: PEER, state: "COMMENTED", commitId: first!.sha, body: "Looks reasonable." });
  model.addReview(ORG, SINGLE_REPO, SINGLE_PR, { user: SENIOR_2, state: "APPROVED", commitId: second!.sha });
}

export interface BurstPr {
  repo: string;
  number: number;
  expected: ExpectedOutcome;
  /** Labels the PR carries before the burst, which are also the labels it must end with. */
  labels: string[];
}

export interface BurstEvent {
  /** ms after the burst starts. */
  at: number;
  pr: BurstPr;
  kind: "push" | "comment-review" | "final-review";
}

/** A small deterministic PRNG (mulberry32), so every run sends the same burst. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The burst's PRs, as the app would have left them after evaluating them once: AI-assisted,
 * labelled `ai-assisted` and `risk:low`, the senior team already asked for review (with the event
 * in the PR's history), the labels created in each repository. The policy comes from the
 * organisation's .github repository. One PR in three ends approved by a senior, one waiting
 * (only a peer approved), one with changes requested by a senior.
 */
export function setupBurst(model: GitHubModel, prs: number): BurstPr[] {
  const repos = Math.max(1, Math.ceil(prs / 10));
  const labels = ["ai-assisted", "risk:low"];
  const out: BurstPr[] = [];
  for (let r = 0; r < repos; r++) {
    const name = `svc-${String(r + 1).padStart(2, "0")}`;
    model.addRepo(ORG, name, { labels });
    model.setPermission(ORG, name, PEER, "write");
  }
  for (let i = 0; i < prs; i++) {
    const repo = `svc-${String((i % repos) + 1).padStart(2, "0")}`;
    const number = 100 + i;
    model.addPull(ORG, repo, {
      number,
      title: `Burst change ${i + 1}`,
      author: AUTHOR,
      headRef: `feature/burst-${i + 1}`,
      files: smallFiles(`src/module-${i + 1}`, 3),
      commits: [{ message: `Start burst change ${i + 1}\n\n${AI_TRAILER}`, author: identity(AUTHOR), committer: identity(AUTHOR) }],
      labels,
      requestedTeams: [SENIOR_TEAM],
    });
    const expected: ExpectedOutcome = (["success", "waiting", "failure"] as const)[i % 3]!;
    out.push({ repo, number, expected, labels });
  }
  return out;
}

/**
 * `total` events over the PRs within `windowMs`: per PR, pushes first (each a new head), then a
 * peer's comment review, then the review that decides its outcome. Times are random but in order per PR.
 */
export function burstSchedule(prs: BurstPr[], total: number, windowMs: number, seed = 5): BurstEvent[] {
  const random = rng(seed);
  const events: BurstEvent[] = [];
  prs.forEach((pr, i) => {
    const count = Math.floor(total / prs.length) + (i < total % prs.length ? 1 : 0);
    const times = Array.from({ length: count }, () => random() * windowMs).sort((a, b) => a - b);
    const pushes = Math.max(1, count - 2);
    times.forEach((at, k) => {
      const kind = k < pushes ? "push" : k === count - 1 ? "final-review" : "comment-review";
      events.push({ at, pr, kind });
    });
  });
  return events.sort((a, b) => a.at - b.at);
}

/** Apply one burst event to the model; returns the webhook to deliver. */
export function applyBurstEvent(model: GitHubModel, payloads: PayloadFactory, e: BurstEvent): { event: string; payload: object } {
  const { repo, number } = e.pr;
  if (e.kind === "push") {
    const before = model.mustPull(ORG, repo, number).pull.headSha;
    model.pushHead(ORG, repo, number, { message: "Follow-up change", author: identity(AUTHOR), committer: identity(AUTHOR) });
    return { event: "pull_request", payload: payloads.pullRequest("synchronize", ORG, repo, number, { before }) };
  }
  const review =
    e.kind === "comment-review"
      ? model.addReview(ORG, repo, number, { user: PEER, state: "COMMENTED", body: "A question inline." })
      : e.pr.expected === "success"
        ? model.addReview(ORG, repo, number, { user: SENIOR, state: "APPROVED" })
        : e.pr.expected === "failure"
          ? model.addReview(ORG, repo, number, { user: SENIOR, state: "CHANGES_REQUESTED", body: "Please split this." })
          : model.addReview(ORG, repo, number, { user: PEER, state: "APPROVED" });
  return { event: "pull_request_review", payload: payloads.review("submitted", ORG, repo, number, review) };
}

/** Whether a check run says what the expected outcome needs. */
export function checkMatches(run: { status: string; conclusion: string | null } | undefined, expected: ExpectedOutcome): boolean {
  if (!run) return false;
  if (expected === "waiting") return run.status !== "completed";
  return run.status === "completed" && run.conclusion === expected;
}

export function describeCheck(run: { status: string; conclusion: string | null } | undefined): string {
  if (!run) return "no check";
  return run.status === "completed" ? `completed/${run.conclusion}` : run.status;
}
