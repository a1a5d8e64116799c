// The publish step of one evaluation: the check run, the labels and the review request, in the order
// that keeps the gate fast. Every write goes through the evaluation's publisher (github/publisher.ts),
// which may skip the rest for a newer event's follow-up: `publisher.superseded` then says so.
import type { Octokit } from "../github/octokit.js";
import type { LabelRegistry } from "../github/label-registry.js";
import { readIssueHistory, type PullRef } from "../github/snapshot.js";
import { applyLabels, requestReviews, type CheckTarget, type CheckWrite, type ExistingCheckRun } from "../github/publish.js";
import type { Publisher } from "../github/publisher.js";
import { checkStateChanges } from "../core/render.js";
import { planReviewRequests } from "../core/review-requests.js";
import type { HeadView } from "../core/shared-head.js";
import type { PullSnapshot, Verdict } from "../core/types.js";
import type { Policy } from "../policy/schema.js";

export interface VerdictToPublish {
  ref: PullRef;
  target: CheckTarget;
  existing: ExistingCheckRun | undefined;
  snapshot: PullSnapshot;
  policy: Policy;
  verdict: Verdict;
  /** The check's view, saying which label or review-request writes failed. */
  viewFor: (sideEffectErrors: string[]) => HeadView;
  labels?: LabelRegistry;
}

export interface Published {
  check: CheckWrite;
  labelWrites: number;
  reviewRequests: number;
  /** Whether the check finally written passes (the verdicts decide: core/check-record.ts gateOf). */
  passes: boolean;
}

/**
 * Publish one verdict. A write the publisher skipped (superseded) is not counted; the caller asks
 * `publisher.superseded` whether the evaluation left its writes to a follow-up.
 */
export async function publishVerdict(octokit: Octokit, publisher: Publisher, p: VerdictToPublish): Promise<Published> {
  const { ref, target, existing, policy, verdict, viewFor } = p;
  const sideEffects = () =>
    Promise.all([
      applyLabels(
        publisher,
        ref,
        verdict.labels,
        { aiAssisted: policy.labels.ai_assisted, riskPrefix: policy.labels.risk_prefix },
        p.labels,
      ),
      askForReview(octokit, publisher, ref, p.snapshot, policy, verdict),
    ]);
  // When the check's state changes (a new head, a new verdict), the check goes first: a new PR's
  // check appears after one write slot, and labels never delay the gate; only if a label or
  // review request then fails is the check written again, to say so. Otherwise labels first,
  // and one check write that reports their errors.
  const head = viewFor([]);
  if (checkStateChanges(existing?.view, head.view)) {
    const first = await publisher.writeCheck(target, head.view, existing);
    if (!first.sent) return skipped(existing);
    const [labels, requests] = await sideEffects();
    const errors = [...labels.errors, ...requests.errors];
    const final = errors.length > 0 ? viewFor(errors) : head;
    if (errors.length > 0) await publisher.writeCheck(target, final.view, first.value.run);
    return { check: first.value.write, labelWrites: labels.writes, reviewRequests: requests.writes, passes: final.gate === "pass" };
  }
  const [labels, requests] = await sideEffects();
  const final = viewFor([...labels.errors, ...requests.errors]);
  const check = await publisher.writeCheck(target, final.view, existing);
  if (!check.sent) return skipped(existing);
  return { check: check.value.write, labelWrites: labels.writes, reviewRequests: requests.writes, passes: final.gate === "pass" };
}

/** Nothing of this evaluation's check was written (superseded): the check on the head is what it was. */
function skipped(existing: ExistingCheckRun | undefined): Published {
  return {
    check: "unchanged",
    labelWrites: 0,
    reviewRequests: 0,
    passes: existing?.view.status === "completed" && existing.view.conclusion === "success",
  };
}

/** Request review from the designated reviewers, reading the PR's request history only when a request may be made. */
async function askForReview(
  octokit: Octokit,
  publisher: Publisher,
  ref: PullRef,
  snapshot: PullSnapshot,
  policy: Policy,
  verdict: Verdict,
) {
  let plan = planReviewRequests(snapshot, policy, verdict);
  if (plan.needsHistory) {
    const { reviewRequestEvents } = await readIssueHistory(octokit, ref);
    plan = planReviewRequests({ ...snapshot, reviewRequestEvents }, policy, verdict);
  }
  return requestReviews(publisher, ref, plan);
}
