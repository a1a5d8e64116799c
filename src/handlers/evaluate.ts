// One evaluation of one pull request: fetch → evaluate (pure core) → publish. Orchestration only.
import type { Logger } from "probot";
import type { Octokit } from "../github/octokit.js";
import { httpStatus } from "../github/octokit.js";
import { readIssueHistory, readSnapshot, type PullRef } from "../github/snapshot.js";
import { loadPolicy, POLICY_PATH, readProposedPolicyText } from "../github/policy-source.js";
import { readCheckRun, writeCheckRun, applyLabels, requestReviews, type CheckTarget, type CheckWrite } from "../github/publish.js";
import { resolveDirectory } from "../github/directory.js";
import { decide, needsLabelHistory, planEvaluation } from "../core/decide.js";
import { readCheckState, renderError, renderInvalidPolicy, renderVerdict, type CheckRunView, type ProposedPolicy } from "../core/render.js";
import { planReviewRequests } from "../core/review-requests.js";
import { proposedPolicyChanges } from "../core/policy-change.js";
import { validatePolicyText } from "../policy/validate.js";
import type { Policy } from "../policy/schema.js";
import type { OverrideRecord, Outcome, PullSnapshot, ReviewerDirectory, Verdict } from "../core/types.js";
import type { Services } from "./services.js";

export interface EvaluationResult {
  outcome: Outcome;
  tier?: string;
  check: CheckWrite;
  labelWrites: number;
  headSha: string;
}

export interface EvaluateOptions {
  /** A newly accepted override for the current head. */
  override?: OverrideRecord;
  /** The head SHA the event named, used to fail closed when the PR itself cannot be read. */
  headShaHint?: string;
}

/** Evaluate one PR once, coalesced with any other events for the same PR that arrive meanwhile. */
export function evaluatePullRequest(
  octokit: Octokit,
  log: Logger,
  services: Services,
  ref: PullRef,
  options: EvaluateOptions = {},
): Promise<void> {
  const key = `${ref.owner}/${ref.repo}#${ref.number}`.toLowerCase();
  // An override must not be swallowed by coalescing: it runs on its own, after any run in flight.
  if (options.override) return services.coalescer.run(`${key}:override`, () => evaluateOnce(octokit, log, services, ref, options).then(() => {}));
  return services.coalescer.run(key, () => evaluateOnce(octokit, log, services, ref, options).then(() => {}));
}

export async function evaluateOnce(
  octokit: Octokit,
  parentLog: Logger,
  services: Services,
  ref: PullRef,
  options: EvaluateOptions = {},
): Promise<EvaluationResult | undefined> {
  const started = performance.now();
  let log = parentLog.child({ repo: `${ref.owner}/${ref.repo}`, pr: ref.number });
  let headSha = options.headShaHint;
  try {
    const [snapshot, loaded] = await Promise.all([readSnapshot(octokit, ref), loadPolicy(octokit, ref.owner, ref.repo)]);
    headSha = snapshot.headSha;
    log = log.child({ sha: headSha });
    const target: CheckTarget = { owner: ref.owner, repo: ref.repo, headSha, name: services.checkName, ...(services.appId ? { appId: services.appId } : {}) };

    if (!loaded.ok) {
      const existing = await readCheckRun(octokit, target);
      const check = await writeCheckRun(octokit, target, renderInvalidPolicy(loaded.problems, loaded.sources), existing);
      log.warn({ outcome: "invalid-policy", problems: loaded.problems.length, check, ms: elapsed(started) }, "evaluated pull request");
      return { outcome: "invalid-policy", check, labelWrites: 0, headSha };
    }
    const policy = loaded.policy;

    const changesPolicy = snapshot.files.some((f) => f.path === POLICY_PATH && f.status !== "removed");
    const [existing, history, proposedText] = await Promise.all([
      readCheckRun(octokit, target),
      needsLabelHistory(snapshot, policy) ? readIssueHistory(octokit, ref) : Promise.resolve(undefined),
      changesPolicy ? readProposedPolicyText(octokit, ref.owner, ref.repo, headSha) : Promise.resolve(undefined),
    ]);
    if (history) {
      snapshot.labelEvents = history.labelEvents;
      snapshot.reviewRequestEvents = history.reviewRequestEvents;
    }
    const remembered = readCheckState(existing?.view.text).override;
    const override = options.override ?? remembered;
    if (override) snapshot.override = override;

    const plan = planEvaluation(snapshot, policy);
    const gatedOrMaybe = policy.gate === "all" || plan.detection.assisted || plan.labelRemoval !== undefined;
    const directory: ReviewerDirectory = gatedOrMaybe
      ? await resolveDirectory(octokit, ref, plan.lookupLogins, plan.lookups, services.caches)
      : new Map();
    const verdict = decide(snapshot, policy, plan, directory);

    const [labels, requests] = await Promise.all([
      applyLabels(octokit, ref, verdict.labels, { aiAssisted: policy.labels.ai_assisted, riskPrefix: policy.labels.risk_prefix }, services.caches.labels),
      askForReview(octokit, ref, snapshot, policy, verdict),
    ]);
    const proposedPolicy = proposedText === undefined ? undefined : assessProposedPolicy(proposedText, snapshot, verdict);
    const view = renderVerdict(verdict, snapshot, {
      policySources: loaded.sources,
      sideEffectErrors: [...labels.errors, ...requests.errors],
      ...(proposedPolicy ? { proposedPolicy } : {}),
    });
    const check = await writeCheckRun(octokit, target, view, existing);

    log.info(
      { outcome: verdict.outcome, mode: verdict.mode, tier: verdict.risk.tier, gated: verdict.gated, check, labelWrites: labels.writes, reviewRequests: requests.writes, ms: elapsed(started) },
      "evaluated pull request",
    );
    return { outcome: verdict.outcome, tier: verdict.risk.tier, check, labelWrites: labels.writes, headSha };
  } catch (err) {
    await failClosed(octokit, log, services, ref, headSha, err);
    throw err;
  }
}

/** Request review from the designated reviewers, reading the PR's request history only when a request may be made. */
async function askForReview(octokit: Octokit, ref: PullRef, snapshot: PullSnapshot, policy: Policy, verdict: Verdict) {
  let plan = planReviewRequests(snapshot, policy, verdict);
  if (plan.needsHistory) {
    snapshot.reviewRequestEvents = (await readIssueHistory(octokit, ref)).reviewRequestEvents;
    plan = planReviewRequests(snapshot, policy, verdict);
  }
  return requestReviews(octokit, ref, plan);
}

function assessProposedPolicy(text: string, snapshot: PullSnapshot, verdict: Verdict): ProposedPolicy {
  const result = validatePolicyText(text);
  if (!result.ok) return { path: POLICY_PATH, problems: result.problems, changes: [] };
  return { path: POLICY_PATH, problems: [], changes: proposedPolicyChanges(snapshot, verdict, result.policy) };
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

function explain(err: unknown): string {
  const status = httpStatus(err);
  const message = (err as Error)?.message ?? String(err);
  if (status === 403 || status === 429) return `GitHub refused a request (${status}: ${message}), probably a rate limit or a missing permission.`;
  if (status !== undefined && status >= 500) return `GitHub answered with a server error (${status}) after retries.`;
  if (status !== undefined) return `GitHub answered ${status}: ${message}.`;
  return `An unexpected error: ${message}.`;
}

/** Leave a failing check on the head so the gate never passes by accident; best effort. */
async function failClosed(octokit: Octokit, log: Logger, services: Services, ref: PullRef, headSha: string | undefined, err: unknown) {
  log.error({ err, outcome: "error" }, "evaluation failed");
  if (!headSha) return;
  const target: CheckTarget = { owner: ref.owner, repo: ref.repo, headSha, name: services.checkName };
  const view: CheckRunView = renderError(explain(err));
  try {
    await writeCheckRun(octokit, target, view, undefined);
  } catch (writeErr) {
    log.error({ err: writeErr }, "could not write the failing check either");
  }
}
