// The soak (issue #15): sustained events at and above the write budget against 30 PRs in 3
// repositories, with the PRs' expected state known at every moment; and the drain of an
// installation of 100 repositories whose open PRs all need a check, labels and a review request.
//
// Measured while the events run (sampling the simulator's state every SAMPLE_MS):
// - false-pass moments: a PR whose expected state blocks shows a passing check on its head for
//   longer than REACTION_MS after the event that closed the gate (one read round and one write slot:
//   the app cannot know sooner); their number and the longest such window;
// - check staleness: for each state-changing event, the time until the PR's check first says what
//   the PR's state then requires;
// - writes per state change, duplicate label creations (createLabel answered 422).
import { performance } from "node:perf_hooks";
import type { GitHubSimulator, RequestLogEntry } from "../../test/support/github/index.js";
import type { GitHubModel, SimReview } from "../../test/support/github/index.js";
import { AI_TRAILER, AUTHOR, checkMatches, ORG, PEER, rng, SENIOR, SENIOR_TEAM, smallFiles, type ExpectedOutcome } from "./scenario.js";
import { quantile } from "./report.js";
import { checkRunMutations } from "../../test/support/github/check-runs.js";

import { CHECK_NAME } from "../../test/support/github/index.js";
export { CHECK_NAME };
/** The app's shortest possible answer to a closing event, with margin: one read round, one write slot (1 s), the write. */
export const REACTION_MS = 2_000;
const SAMPLE_MS = 50;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const identity = (login: string) => ({ name: login[0]!.toUpperCase() + login.slice(1), email: `${login}@acme.example`, login });

export interface SoakPr {
  repo: string;
  number: number;
  /** The senior's latest decisive review. */
  senior: { state: "none" | "approved" | "changes"; sha?: string; reviewId?: number };
  expected: ExpectedOutcome;
}

export interface SoakOptions {
  seconds: number;
  /** Events per second in the first fifth (about the write budget), and afterwards (above it). */
  atBudgetRate: number;
  aboveRate: number;
  /** How long to wait after the last event for the writes to drain before measuring stops. */
  drainTimeoutS: number;
  /** Seeds the stream of events (which PR, which action); the same seed plays the same stream. */
  seed: number;
  /**
   * Which events: `classic` (issue #15: reviews, dismissals, pushes, review comments) or `full`
   * (issue #19 item 26: also label removals and additions, `/countersign recheck` and plain
   * comments, and changes requested / label removals aimed at PRs that pass while others are busy).
   */
  mix?: SoakMix;
}

export const SOAK_MIXES = ["full", "classic"] as const;
export type SoakMix = (typeof SOAK_MIXES)[number];

export interface SoakResult {
  events: number;
  stateChanges: number;
  closingEvents: number;
  falsePassOverReaction: number;
  falsePassAny: number;
  longestFalsePassMs: number;
  /** The longest passing-while-blocking window of any length (from the closing event). */
  longestWindowMs: number;
  stalenessP50Ms: number;
  stalenessP95Ms: number;
  /** State changes whose check never caught up before measuring stopped (counted with the time until then). */
  unresolved: number;
  writes: number;
  /** Check runs written: REST writes plus the mutations of batched GraphQL requests. */
  checkWrites: number;
  /** GraphQL requests that carried closing check writes together, and how many writes they carried. */
  batchedRequests: number;
  batchedCheckWrites: number;
  labelCreations: number;
  duplicateLabelCreations: number;
  correctAtEnd: number;
  prs: number;
  drainedS: number;
  drainTimedOut: boolean;
}

/** 30 AI-assisted PRs in 3 repositories, labelled and with the senior team requested (as after a first evaluation). */
export function setupSoak(model: GitHubModel, repos = 3, perRepo = 10): SoakPr[] {
  const labels = ["ai-assisted", "risk:low"];
  const out: SoakPr[] = [];
  for (let r = 0; r < repos; r++) {
    const name = `soak-${r + 1}`;
    model.addRepo(ORG, name, { labels });
    model.setPermission(ORG, name, PEER, "write");
    for (let i = 0; i < perRepo; i++) {
      const number = 200 + i;
      model.addPull(ORG, name, {
        number,
        title: `Soak change ${r + 1}.${i + 1}`,
        author: AUTHOR,
        headRef: `feature/soak-${r + 1}-${i + 1}`,
        files: smallFiles(`src/soak-${r + 1}-${i + 1}`, 3),
        commits: [{ message: `Start soak change\n\n${AI_TRAILER}`, author: identity(AUTHOR), committer: identity(AUTHOR) }],
        labels,
        requestedTeams: [SENIOR_TEAM],
      });
      out.push({ repo: name, number, senior: { state: "none" }, expected: "waiting" });
    }
  }
  return out;
}

type Action =
  | "approve"
  | "request-changes"
  | "dismiss"
  | "push"
  | "comment"
  /** The AI label taken off by someone who may not sign off (the app puts it back; the PR stays gated). */
  | "unlabel-peer"
  /** The AI label taken off by a designated reviewer (accepted, but the commits' trailer is current evidence: still gated). */
  | "unlabel-senior"
  /** A label put on by a person: another label, or the AI label back when it is off. */
  | "label"
  | "recheck"
  | "plain-comment";

/** Labels a person may put on in the full mix (besides the AI label). */
const OTHER_LABEL = "needs-docs";

function expectedOf(pr: SoakPr, head: string): ExpectedOutcome {
  if (pr.senior.state === "changes") return "failure";
  if (pr.senior.state === "approved" && pr.senior.sha === head) return "success";
  return "waiting";
}

/** Apply one soak event to the model and the PR's expected state; returns the webhook to send. */
function applySoakEvent(sim: GitHubSimulator, pr: SoakPr, action: Action): { event: string; payload: object } {
  const { model, payloads } = sim;
  const { repo, number } = pr;
  const head = () => model.mustPull(ORG, repo, number).pull.headSha;
  let review: SimReview | undefined;
  let event: { event: string; payload: object };
  switch (action) {
    case "push": {
      const before = head();
      model.pushHead(ORG, repo, number, { message: "Follow-up change", author: identity(AUTHOR), committer: identity(AUTHOR) });
      event = { event: "pull_request", payload: payloads.pullRequest("synchronize", ORG, repo, number, { before }) };
      break;
    }
    case "approve":
      review = model.addReview(ORG, repo, number, { user: SENIOR, state: "APPROVED" });
      pr.senior = { state: "approved", sha: review.commit_id, reviewId: review.id };
      event = { event: "pull_request_review", payload: payloads.review("submitted", ORG, repo, number, review) };
      break;
    case "request-changes":
      review = model.addReview(ORG, repo, number, { user: SENIOR, state: "CHANGES_REQUESTED", body: "Please split this." });
      pr.senior = { state: "changes", sha: review.commit_id, reviewId: review.id };
      event = { event: "pull_request_review", payload: payloads.review("submitted", ORG, repo, number, review) };
      break;
    case "dismiss": {
      const { pull } = model.mustPull(ORG, repo, number);
      const target = pull.reviews.find((r) => r.id === pr.senior.reviewId)!;
      model.dismissReview(ORG, repo, number, target.id);
      pr.senior = { state: "none" };
      event = { event: "pull_request_review", payload: payloads.review("dismissed", ORG, repo, number, target) };
      break;
    }
    case "comment":
      review = model.addReview(ORG, repo, number, { user: PEER, state: "COMMENTED", body: "A question inline." });
      event = { event: "pull_request_review", payload: payloads.review("submitted", ORG, repo, number, review) };
      break;
    // None of the events below changes what the check must say: the commits carry an AI trailer
    // (current evidence), so the PR stays gated whoever takes the label off, and the senior's
    // latest review still decides.
    case "unlabel-peer":
    case "unlabel-senior": {
      const { repo: r, pull } = model.mustPull(ORG, repo, number);
      const sender = action === "unlabel-peer" ? PEER : SENIOR;
      if (model.removeLabelFromPull(pull, "ai-assisted", model.user(sender))) {
        event = { event: "pull_request", payload: payloads.pullRequest("unlabeled", ORG, repo, number, { sender, label: "ai-assisted" }) };
        break;
      }
      // Already off (the app has not put it back yet): the person puts it back instead.
      model.addLabelsToPull(r, pull, ["ai-assisted"], model.user(sender));
      event = { event: "pull_request", payload: payloads.pullRequest("labeled", ORG, repo, number, { sender, label: "ai-assisted" }) };
      break;
    }
    case "label": {
      const { repo: r, pull } = model.mustPull(ORG, repo, number);
      const name = pull.labels.some((l) => l.toLowerCase() === "ai-assisted") ? OTHER_LABEL : "ai-assisted";
      if (pull.labels.includes(name)) {
        model.removeLabelFromPull(pull, name, model.user(PEER));
        event = { event: "pull_request", payload: payloads.pullRequest("unlabeled", ORG, repo, number, { sender: PEER, label: name }) };
        break;
      }
      model.addLabelsToPull(r, pull, [name], model.user(PEER));
      event = { event: "pull_request", payload: payloads.pullRequest("labeled", ORG, repo, number, { sender: PEER, label: name }) };
      break;
    }
    case "recheck":
    case "plain-comment": {
      const { pull } = model.mustPull(ORG, repo, number);
      const body = action === "recheck" ? "/countersign recheck" : "Thanks, looking at the retries now.";
      model.addComment(pull, body, model.user(PEER));
      event = { event: "issue_comment", payload: payloads.comment(ORG, repo, number, PEER, body) };
      break;
    }
  }
  return event;
}

/** A seeded stream of events: which PR, which action (dismiss only when there is a decisive review). */
function pickAction(random: () => number, pr: SoakPr): Action {
  const x = random();
  if (x < 0.3) return "approve";
  if (x < 0.4) return "request-changes";
  if (x < 0.55) return pr.senior.state === "none" ? "approve" : "dismiss";
  if (x < 0.8) return "push";
  return "comment";
}

/**
 * The full mix (issue #19 item 26): every 8th event or so goes to a PR that passes now — changes
 * requested, or the AI label taken off — while the other events keep other PRs busy; the rest
 * spread over all PRs like the outside soak (pushes, reviews, label changes, comments, rechecks).
 */
function pickFull(random: () => number, prs: SoakPr[]): { index: number; action: Action } {
  const passing = prs.flatMap((pr, i) => (pr.expected === "success" ? [i] : []));
  if (passing.length > 0 && random() < 0.15) {
    const index = passing[Math.floor(random() * passing.length)]!;
    const y = random();
    return { index, action: y < 0.6 ? "request-changes" : y < 0.85 ? "unlabel-peer" : "unlabel-senior" };
  }
  const index = Math.floor(random() * prs.length);
  const pr = prs[index]!;
  const x = random();
  const action: Action =
    x < 0.2
      ? "approve"
      : x < 0.28
        ? "request-changes"
        : x < 0.38
          ? pr.senior.state === "none"
            ? "approve"
            : "dismiss"
          : x < 0.55
            ? "push"
            : x < 0.62
              ? "comment"
              : x < 0.7
                ? "unlabel-peer"
                : x < 0.74
                  ? "unlabel-senior"
                  : x < 0.8
                    ? "label"
                    : x < 0.9
                      ? "recheck"
                      : "plain-comment";
  return { index, action };
}

interface SentEvent {
  at: number;
  pr: number;
  action: Action;
  /** The PR's expected state after it. */
  expected: ExpectedOutcome;
}

interface Sample {
  at: number;
  /** Per PR: the check shown on its head passes; it matches the expected state. */
  passing: boolean[];
  matches: boolean[];
  expectedBlocking: boolean[];
}

/** Run the soak against one app; `sim.webhookUrl` must point at it. */
export async function runSoak(sim: GitHubSimulator, prs: SoakPr[], options: SoakOptions): Promise<SoakResult> {
  const random = rng(options.seed);
  const mark = sim.mark();
  const samples: Sample[] = [];
  const changes: Array<{ at: number; pr: number }> = [];
  const closings: Array<{ at: number; pr: number }> = [];
  /** Every event sent, for BENCH_SOAK_DEBUG. */
  const sent: SentEvent[] = [];
  const sample = () => {
    const at = performance.now();
    const passing: boolean[] = [];
    const matches: boolean[] = [];
    const expectedBlocking: boolean[] = [];
    for (const pr of prs) {
      const head = sim.model.mustPull(ORG, pr.repo, pr.number).pull.headSha;
      const run = sim.model.latestCheckRun(ORG, pr.repo, head, CHECK_NAME);
      passing.push(checkMatches(run, "success"));
      matches.push(checkMatches(run, pr.expected));
      expectedBlocking.push(pr.expected !== "success");
    }
    samples.push({ at, passing, matches, expectedBlocking });
  };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      sample();
      await sleep(SAMPLE_MS);
    }
  })();

  const t0 = performance.now();
  const end = t0 + options.seconds * 1000;
  const budgetEnd = t0 + (options.seconds * 1000) / 5;
  const deliveries: Array<Promise<unknown>> = [];
  let events = 0;
  let next = t0;
  while (next < end) {
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
    let i: number;
    let action: Action;
    if ((options.mix ?? "full") === "classic") {
      i = Math.floor(random() * prs.length);
      action = pickAction(random, prs[i]!);
    } else ({ index: i, action } = pickFull(random, prs));
    const pr = prs[i]!;
    const before = { expected: pr.expected, head: sim.model.mustPull(ORG, pr.repo, pr.number).pull.headSha };
    const { event, payload } = applySoakEvent(sim, pr, action);
    const head = sim.model.mustPull(ORG, pr.repo, pr.number).pull.headSha;
    pr.expected = expectedOf(pr, head);
    const now = performance.now();
    if (before.expected === "success" && pr.expected !== "success") closings.push({ at: now, pr: i });
    if (pr.expected !== before.expected || head !== before.head) changes.push({ at: now, pr: i });
    deliveries.push(sim.send(event, payload, { timeoutMs: 30_000 }));
    sent.push({ at: now, pr: i, action, expected: pr.expected });
    events++;
    const rate = now < budgetEnd ? options.atBudgetRate : options.aboveRate;
    next += 1000 / rate;
  }
  const sentAll = performance.now();
  // Let the writes drain (or stop waiting): the measurement covers the drain too.
  const drainDeadline = sentAll + options.drainTimeoutS * 1000;
  let drained = false;
  while (performance.now() < drainDeadline) {
    const last = samples[samples.length - 1];
    if (last && last.matches.every(Boolean) && (await sim.waitForQuiet(2_000, Math.max(0, drainDeadline - performance.now())))) {
      drained = true;
      break;
    }
    await sleep(200);
  }
  sampling = false;
  await sampler;
  sample();
  await Promise.allSettled(deliveries);

  // False passes per PR: intervals where the PR should block and its check passes, measured from
  // the event that closed the gate (or from the interval's start when the PR never passed).
  let falsePassAny = 0;
  let falsePassOverReaction = 0;
  let longest = 0;
  let longestWindow = 0;
  prs.forEach((_pr, p) => {
    const closedAt = (t: number) => closings.filter((c) => c.pr === p && c.at <= t).reduce((m, c) => Math.max(m, c.at), -Infinity);
    let start: number | undefined;
    for (const s of samples) {
      const bad = s.expectedBlocking[p]! && s.passing[p]!;
      if (bad && start === undefined) start = s.at;
      if (!bad && start !== undefined) {
        const from = closedAt(start);
        const duration = s.at - (Number.isFinite(from) ? from : start);
        falsePassAny++;
        longestWindow = Math.max(longestWindow, duration);
        if (duration > REACTION_MS) {
          falsePassOverReaction++;
          longest = Math.max(longest, duration);
          if (process.env.BENCH_SOAK_DEBUG)
            debugFalsePass(
              sim,
              prs[p]!,
              Number.isFinite(from) ? from : start,
              start,
              s.at,
              t0,
              sent.filter((e) => e.pr === p),
            );
        }
        start = undefined;
      }
    }
  });

  // Staleness: each state change until the PR's check first matches its expected state.
  const staleness: number[] = [];
  let unresolved = 0;
  const lastAt = samples[samples.length - 1]?.at ?? performance.now();
  for (const c of changes) {
    const hit = samples.find((s) => s.at >= c.at && s.matches[c.pr]);
    if (hit) staleness.push(hit.at - c.at);
    else {
      unresolved++;
      staleness.push(lastAt - c.at);
    }
  }

  const entries = sim.entriesSince(mark);
  const creations = entries.filter((e) => e.route === "issues.createLabel");
  const batches = entries.map(batchedCheckWrites).filter((n) => n > 0);
  const batchedCheckWriteCount = batches.reduce((a, b) => a + b, 0);
  return {
    events,
    stateChanges: changes.length,
    closingEvents: closings.length,
    falsePassOverReaction,
    falsePassAny,
    longestFalsePassMs: longest,
    longestWindowMs: longestWindow,
    stalenessP50Ms: quantile(staleness, 0.5),
    stalenessP95Ms: quantile(staleness, 0.95),
    unresolved,
    writes: entries.filter((e) => e.kind === "write" || e.kind === "graphql").length,
    checkWrites: entries.filter(isCheckWrite).length + batchedCheckWriteCount,
    batchedRequests: batches.length,
    batchedCheckWrites: batchedCheckWriteCount,
    labelCreations: creations.length,
    duplicateLabelCreations: creations.filter((e) => e.status === 422).length,
    correctAtEnd: samples[samples.length - 1]?.matches.filter(Boolean).length ?? 0,
    prs: prs.length,
    drainedS: (lastAt - sentAll) / 1000,
    drainTimedOut: !drained,
  };
}

const isCheckWrite = (e: RequestLogEntry) => e.route === "checks.create" || e.route === "checks.update";

/** The check-run mutations a GraphQL request carried (closing writes batched by the app), 0 for anything else. */
function batchedCheckWrites(e: RequestLogEntry): number {
  if (e.route !== "graphql" || e.status !== 200) return 0;
  const body = (e.body ?? {}) as { query?: unknown; variables?: Record<string, unknown> };
  return checkRunMutations(String(body.query ?? ""), body.variables ?? {}).length;
}

// --- the large installation -----------------------------------------------------------------

export interface InstallResult {
  repos: number;
  prs: number;
  required: { checks: number; labelAdds: number; labelCreations: number; reviewRequests: number };
  lowerBoundS: number;
  drainS: number;
  timedOut: boolean;
  writes: number;
  labelCreations: number;
  duplicateLabelCreations: number;
  correct: number;
  progressLines: number;
  minWriteGapMs: number;
  firstCheckAfterS: number;
}

/** Repositories the app has never seen, each with open AI-assisted PRs: no labels, nobody asked for review. */
export function setupInstallation(model: GitHubModel, repos: number, perRepo: number): Array<{ repo: string; number: number }> {
  const out: Array<{ repo: string; number: number }> = [];
  for (let r = 0; r < repos; r++) {
    const name = `inst-${String(r + 1).padStart(3, "0")}`;
    model.addRepo(ORG, name, {});
    for (let i = 0; i < perRepo; i++) {
      const number = 1 + i;
      model.addPull(ORG, name, {
        number,
        title: `Change ${i + 1}`,
        author: AUTHOR,
        headRef: `feature/inst-${r + 1}-${i + 1}`,
        files: smallFiles(`src/inst-${r + 1}-${i + 1}`, 3),
        commits: [{ message: `Start change\n\n${AI_TRAILER}`, author: identity(AUTHOR), committer: identity(AUTHOR) }],
      });
      out.push({ repo: name, number });
    }
  }
  return out;
}

/**
 * Deliver installation_repositories.added for every repository and wait until the writes stop.
 * `gapMs`: Probot's write spacing in this run (1000 ms, divided by the throttle scale).
 */
/** The `installation_repositories.added` webhook that hands the app these repositories of ORG. */
export function repositoriesAdded(sim: GitHubSimulator, names: string[]) {
  return {
    action: "added",
    installation: {
      id: sim.installationId,
      node_id: `I_${sim.installationId}`,
      account: { login: ORG, id: sim.model.user(ORG).id, type: "Organization" },
    },
    repository_selection: "selected",
    repositories_added: names.map((name) => ({ id: sim.model.mustRepo(ORG, name).id, name, full_name: `${ORG}/${name}`, private: true })),
    repositories_removed: [],
    sender: { login: "admin", id: 1, type: "User" },
  };
}

export async function runInstallDrain(
  sim: GitHubSimulator,
  pulls: Array<{ repo: string; number: number }>,
  gapMs: number,
  timeoutS: number,
  progressLines: () => number,
): Promise<InstallResult> {
  const repos = [...new Set(pulls.map((p) => p.repo))];
  const required = { checks: pulls.length, labelAdds: pulls.length, labelCreations: 2 * repos.length, reviewRequests: pulls.length };
  const writes = required.checks + required.labelAdds + required.labelCreations + required.reviewRequests;
  // Every write takes one write slot; review requests also take a notification slot (3× the spacing).
  const lowerBoundS = (Math.max(writes, 3 * required.reviewRequests) * gapMs) / 1000;
  const mark = sim.mark();
  const payload = repositoriesAdded(sim, repos);
  const t0 = performance.now();
  const delivery = sim.send("installation_repositories", payload, { timeoutMs: timeoutS * 1000 });
  const deadline = t0 + timeoutS * 1000;
  let timedOut = true;
  while (performance.now() < deadline) {
    await sleep(500);
    const done = pulls.every(({ repo, number }) => {
      const { pull } = sim.model.mustPull(ORG, repo, number);
      return (
        checkMatches(sim.model.latestCheckRun(ORG, repo, pull.headSha, CHECK_NAME), "waiting") &&
        pull.labels.length >= 2 &&
        pull.requestedTeams.length > 0
      );
    });
    if (done && (await sim.waitForQuiet(Math.max(1_000, 5 * gapMs), Math.max(0, deadline - performance.now())))) {
      timedOut = false;
      break;
    }
  }
  await Promise.race([delivery, sleep(1_000)]);
  const entries = sim.entriesSince(mark).filter((e) => e.kind === "write");
  const last = entries.reduce((m, e) => Math.max(m, e.at), t0);
  const firstCheck = entries.find(isCheckWrite);
  const gaps = entries.slice(1).map((e, i) => e.at - entries[i]!.at);
  const creations = entries.filter((e) => e.route === "issues.createLabel");
  const correct = pulls.filter(({ repo, number }) => {
    const { pull } = sim.model.mustPull(ORG, repo, number);
    return checkMatches(sim.model.latestCheckRun(ORG, repo, pull.headSha, CHECK_NAME), "waiting") && pull.labels.length >= 2;
  }).length;
  return {
    repos: repos.length,
    prs: pulls.length,
    required,
    lowerBoundS,
    drainS: (last - t0) / 1000,
    timedOut,
    writes: entries.length,
    labelCreations: creations.length,
    duplicateLabelCreations: creations.filter((e) => e.status === 422).length,
    correct,
    progressLines: progressLines(),
    minWriteGapMs: gaps.length > 0 ? Math.min(...gaps) : NaN,
    firstCheckAfterS: firstCheck ? (firstCheck.at - t0) / 1000 : NaN,
  };
}

/** BENCH_SOAK_DEBUG=1: what happened around a false-pass moment (the requests for that PR, and every write). */
function debugFalsePass(
  sim: GitHubSimulator,
  pr: SoakPr,
  closedAt: number,
  start: number,
  end: number,
  t0: number,
  events: SentEvent[],
): void {
  const rel = (t: number) => `${((t - t0) / 1000).toFixed(2)}s`;
  const lines = [`false pass ${pr.repo}#${pr.number}: closed ${rel(closedAt)}, passing seen ${rel(start)}, until ${rel(end)}`];
  for (const e of events)
    if (e.at >= closedAt - 20_000 && e.at <= end) lines.push(`  event ${rel(e.at)} ${e.action} → expected ${e.expected}`);
  for (const e of sim.log) {
    if (e.at < closedAt - 3_000 || e.at > end + 500) continue;
    const mine = e.path.includes(`/${pr.repo}/`) && (e.path.includes(`/pulls/${pr.number}`) || e.path.includes(`/issues/${pr.number}/`));
    if (e.kind !== "write" && !mine) continue;
    const body = (e.body ?? {}) as { status?: string; conclusion?: string; head_sha?: string };
    lines.push(
      `  ${rel(e.at)}→${e.doneAt ? rel(e.doneAt) : "?"} ${e.method} ${e.path} ${e.status ?? ""} ${body.status ?? ""} ${body.conclusion ?? ""} ${body.head_sha?.slice(0, 7) ?? ""}`,
    );
  }
  process.stderr.write(`${lines.join("\n")}\n`);
}
