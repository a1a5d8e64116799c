// The gate's decision: is the PR gated, who must sign off, which reviews count and why.
import { RISK_TIERS, type Policy } from "../policy/schema.js";
import { detectAiAssistance } from "./detect.js";
import { assessRisk } from "./risk.js";
import { exclusionReason, lookupsFor, matchSpecs, requirementFor } from "./eligibility.js";
import { POLICY_SIGNALS } from "./ai-catalogue.js";
import { matchesGlob } from "./glob-match.js";
import { assessGroups, exemptionOf, groupsHold } from "./signoff-groups.js";
import { keepApprovalsByPath, type ChangedSince } from "./path-scope.js";
import type { DiffComparison } from "./same-diff.js";
import type {
  Actor,
  AiSignal,
  Detection,
  GroupAssessment,
  LabelEvent,
  LabelPlan,
  Outcome,
  PullSnapshot,
  Requirement,
  Review,
  ReviewAssessment,
  ReviewerDirectory,
  RiskAssessment,
  Verdict,
} from "./types.js";

export interface EvaluationPlan {
  detection: Detection;
  risk: RiskAssessment;
  requirement: Requirement;
  /** The latest review per person that decides (not a plain comment), oldest first. */
  decisiveReviews: Review[];
  /** People whose reviews are all plain comments: listed in the summary, never counted. */
  commentOnlyReviews: Review[];
  /** People whose eligibility must be looked up (lower-case logins). */
  lookupLogins: string[];
  lookups: { teams: string[]; permission: boolean };
  /** The last removal of the AI label, when the PR no longer carries it. */
  labelRemoval?: LabelEvent;
  /** False when the base branch is outside the policy's `branches`: the PR is not gated. */
  inScope: boolean;
}

/** Facts the GitHub edge read after planning, on demand. */
export interface DecisionFacts {
  /** For `same-diff`: per approved earlier commit, whether its own changes equal the head's. */
  sameDiff?: Map<string, DiffComparison>;
  /** Path-scoped freshness (core/path-scope.ts): per approved earlier commit, the paths changed up to the head. */
  changedSince?: Map<string, ChangedSince>;
}

/** Whether the policy's `branches` (absent: every branch) include the PR's base branch. */
export function baseInScope(snapshot: PullSnapshot, policy: Policy): boolean {
  return policy.branches === undefined || policy.branches.some((glob) => matchesGlob(glob, snapshot.baseRef));
}

const lower = (s: string) => s.toLowerCase();
const short = (sha: string) => sha.slice(0, 7);

/** Whether the PR carries a label now (GitHub compares label names case-insensitively). */
export function hasLabel(snapshot: Pick<PullSnapshot, "labels">, label: string): boolean {
  return snapshot.labels.some((l) => lower(l) === lower(label));
}

/**
 * The one home of "is this PR gated": its base branch is in the policy's `branches` (a plan made
 * before `branches` existed, inScope undefined, is in scope) and every PR is gated or this one is
 * AI-assisted.
 */
export function isGated(policy: Pick<Policy, "gate">, inScope: boolean | undefined, assisted: boolean): boolean {
  return inScope !== false && (policy.gate === "all" || assisted);
}

/**
 * Before the decision, whether the PR is or may turn out gated (a label removal still to be judged
 * may put the label back), whatever its branch: only then are reviewers' standing and earlier
 * approvals worth reading.
 */
export function mayBeGated(policy: Pick<Policy, "gate">, plan: Pick<EvaluationPlan, "detection" | "labelRemoval">): boolean {
  return policy.gate === "all" || plan.detection.assisted || plan.labelRemoval !== undefined;
}

/**
 * True when the PR carries no AI label and shows no current evidence: only then does its label history matter.
 * Pass the detection when it is already known (it does not depend on the label history).
 */
export function needsLabelHistory(snapshot: PullSnapshot, policy: Policy, detection?: Detection): boolean {
  if (!policy.labels.enabled || hasLabel(snapshot, policy.labels.ai_assisted)) return false;
  return !(detection ?? detectAiAssistance(snapshot, policy)).assisted;
}

function personKey(actor: Actor): string {
  return actor.id !== undefined ? `id:${actor.id}` : `login:${lower(actor.login)}`;
}

/** Per person, the latest review that is not a plain comment (a dismissal removes the approval). */
export function latestDecisiveReviews(reviews: Review[]): { decisive: Review[]; commentOnly: Review[] } {
  const ordered = [...reviews]
    .filter((r) => r.state !== "PENDING")
    .sort((a, b) => a.submittedAt.localeCompare(b.submittedAt) || a.id - b.id);
  const decisive = new Map<string, Review>();
  const commented = new Map<string, Review>();
  for (const review of ordered) {
    const k = personKey(review.user);
    if (review.state === "COMMENTED") commented.set(k, review);
    else decisive.set(k, review);
  }
  const commentOnly = [...commented].filter(([k]) => !decisive.has(k)).map(([, r]) => r);
  return { decisive: [...decisive.values()], commentOnly };
}

function lastAiLabelEvent(snapshot: PullSnapshot, policy: Policy): LabelEvent | undefined {
  const events = snapshot.labelEvents.filter((e) => lower(e.label) === lower(policy.labels.ai_assisted));
  return events[events.length - 1];
}

function lastAiLabelRemoval(snapshot: PullSnapshot, policy: Policy): LabelEvent | undefined {
  const last = lastAiLabelEvent(snapshot, policy);
  return last?.action === "unlabeled" ? last : undefined;
}

/**
 * The label Countersign writes is the PR's memory of an earlier finding, when the detection found
 * nothing now: it gates while it is on, even if detection.labels does not name it (a policy that
 * renames labels.ai_assisted must not lose the memory). And when the label was added and is gone
 * but nobody removed it (the repository's label was renamed or deleted, which takes it off every PR
 * without an "unlabeled" event), nobody who may sign off accepted that: the memory holds, and the
 * label is put back.
 */
function aiLabelMemory(snapshot: PullSnapshot, policy: Policy): AiSignal | undefined {
  if (!policy.labels.enabled) return undefined;
  const label = policy.labels.ai_assisted;
  const carried = snapshot.labels.find((l) => lower(l) === lower(label));
  if (carried !== undefined) return { id: "label", description: POLICY_SIGNALS.label, evidence: carried };
  const last = lastAiLabelEvent(snapshot, policy);
  if (last?.action !== "labeled") return undefined;
  return {
    id: "label",
    description: POLICY_SIGNALS.label,
    evidence: `${label} (added ${last.at} by @${last.actor.login}, then taken off without a recorded removal)`,
  };
}

/**
 * Everything that can be known from the snapshot and policy alone, and what must be looked up.
 * `evidence` is detectAiAssistance's result, when the caller already has it.
 */
export function planEvaluation(snapshot: PullSnapshot, policy: Policy, evidence?: Detection): EvaluationPlan {
  let detection = evidence ?? detectAiAssistance(snapshot, policy);
  const memory = detection.assisted ? undefined : aiLabelMemory(snapshot, policy);
  if (memory) detection = { ...detection, assisted: true, signals: [...detection.signals, memory] };
  const risk = assessRisk(snapshot, policy);
  const requirement = requirementFor(risk.tier, policy, snapshot);
  const inScope = baseInScope(snapshot, policy);
  const { decisive, commentOnly } = latestDecisiveReviews(snapshot.reviews);
  const labelRemoval = detection.assisted ? undefined : lastAiLabelRemoval(snapshot, policy);
  // Out of scope, nobody's eligibility matters, except for a removal of the AI label (its labels still count).
  const people: Actor[] = [
    ...(inScope ? decisive.filter((r) => r.state !== "DISMISSED").map((r) => r.user) : []),
    ...(labelRemoval ? [labelRemoval.actor] : []),
  ];
  const lookupLogins = [...new Set(people.filter((p) => exclusionReason(p, snapshot, policy) === undefined).map((p) => lower(p.login)))];
  return {
    detection,
    risk,
    requirement,
    decisiveReviews: decisive,
    commentOnlyReviews: commentOnly,
    lookupLogins,
    lookups: lookupsFor(lookupLogins, requirement.reviewers),
    ...(labelRemoval ? { labelRemoval } : {}),
    inScope,
  };
}

function mayCountFor(actor: Actor, snapshot: PullSnapshot, policy: Policy, plan: EvaluationPlan, directory: ReviewerDirectory) {
  const excluded = exclusionReason(actor, snapshot, policy);
  if (excluded) return { eligible: false, reason: excluded };
  return matchSpecs(actor.login, plan.requirement.reviewers, directory);
}

function assessReview(
  review: Review,
  snapshot: PullSnapshot,
  policy: Policy,
  plan: EvaluationPlan,
  directory: ReviewerDirectory,
  facts: DecisionFacts,
): ReviewAssessment {
  const base = { login: review.user.login, state: review.state, commitId: review.commitId };
  if (review.state === "DISMISSED") return { ...base, counted: false, reason: "review was dismissed" };
  const who = mayCountFor(review.user, snapshot, policy, plan, directory);
  if (!who.eligible) return { ...base, counted: false, reason: who.reason };
  if (review.state === "CHANGES_REQUESTED") return { ...base, counted: true, reason: `requested changes (${who.reason})` };
  if (review.commitId === snapshot.headSha) return { ...base, counted: true, reason: `approved (${who.reason})`, basis: "head" };
  const fresh = policy.signoff.fresh_approval;
  if (fresh === true) {
    return {
      ...base,
      counted: false,
      reason: `approved an older commit (${short(review.commitId)}); the head is ${short(snapshot.headSha)} and fresh_approval is on`,
    };
  }
  if (fresh === "same-diff") {
    const comparison = facts.sameDiff?.get(review.commitId);
    if (!comparison?.same) {
      const why = comparison?.reason ?? "its changes were not compared with the head's";
      return { ...base, counted: false, reason: `approved an older commit (${short(review.commitId)}), now stale: ${why}` };
    }
    return {
      ...base,
      counted: true,
      reason: `approved on ${short(review.commitId)}; ${comparison.reason} (${who.reason})`,
      basis: "same-diff",
    };
  }
  return { ...base, counted: true, reason: `approved (${who.reason})`, basis: "older-commit" };
}

/**
 * The earlier commits whose approvals `same-diff` must compare with the head: approvals by people
 * who may sign off, not on the head, when the comparison can change the verdict (gated, no
 * override, nobody blocking). Empty otherwise: then nothing extra is read.
 */
export function approvalsToCompare(snapshot: PullSnapshot, policy: Policy, plan: EvaluationPlan, directory: ReviewerDirectory): string[] {
  if (policy.signoff.fresh_approval !== "same-diff" || !plan.inScope) return [];
  // Not gated (and no label removal that could put the label back): no approval matters.
  if (!mayBeGated(policy, plan)) return [];
  if (snapshot.override?.sha === snapshot.headSha) return [];
  const live = plan.decisiveReviews.filter(
    (r) => r.state !== "DISMISSED" && mayCountFor(r.user, snapshot, policy, plan, directory).eligible,
  );
  if (live.some((r) => r.state === "CHANGES_REQUESTED")) return [];
  const stale = live.filter((r) => r.state === "APPROVED" && r.commitId !== snapshot.headSha && r.commitId !== "");
  return [...new Set(stale.map((r) => r.commitId))];
}

function planLabels(snapshot: PullSnapshot, policy: Policy, ai: boolean, risk: RiskAssessment, notes: string[]): LabelPlan {
  if (!policy.labels.enabled) return { add: [], remove: [], notes };
  const add: string[] = [];
  const remove: string[] = [];
  if (ai && !hasLabel(snapshot, policy.labels.ai_assisted)) add.push(policy.labels.ai_assisted);
  const wanted = `${policy.labels.risk_prefix}${risk.tier}`;
  const riskLabels = new Set(RISK_TIERS.map((t) => lower(`${policy.labels.risk_prefix}${t}`)));
  for (const label of snapshot.labels) {
    if (riskLabels.has(lower(label)) && lower(label) !== lower(wanted)) remove.push(label);
  }
  if (!hasLabel(snapshot, wanted)) add.push(wanted);
  return { add, remove, notes };
}

/** The verdict for one PR: pure in (snapshot, policy, looked-up facts). */
export function decide(
  snapshot: PullSnapshot,
  policy: Policy,
  plan: EvaluationPlan,
  directory: ReviewerDirectory,
  facts: DecisionFacts = {},
): Verdict {
  const { detection, risk, requirement } = plan;
  const memoryNotes: string[] = [];
  let assisted = detection.assisted;

  if (!assisted && plan.labelRemoval) {
    const removal = plan.labelRemoval;
    const who = mayCountFor(removal.actor, snapshot, policy, plan, directory);
    const label = policy.labels.ai_assisted;
    if (who.eligible) {
      memoryNotes.push(
        `@${removal.actor.login} removed the \`${label}\` label (${removal.at}) and may sign off (${who.reason}): accepted. No current evidence of AI assistance.`,
      );
    } else {
      assisted = true;
      memoryNotes.push(
        `@${removal.actor.login} removed the \`${label}\` label (${removal.at}) but ${who.reason}: the label is put back and the PR stays gated.`,
      );
    }
  } else if (assisted && detection.signals.every((s) => s.id === "label")) {
    memoryNotes.push(`The \`${policy.labels.ai_assisted}\` label keeps this PR gated; only a designated reviewer may remove it.`);
    if (!hasLabel(snapshot, policy.labels.ai_assisted)) {
      memoryNotes.push(
        `The \`${policy.labels.ai_assisted}\` label was taken off without a recorded removal (the repository's label renamed or deleted?): it is put back.`,
      );
    }
  }

  // The AI label this evaluation adds is shown as evidence already (where detection.labels counts
  // it): the evaluation that its own "labeled" event triggers then renders the same summary and
  // writes no check.
  const signals = [...detection.signals];
  const label = policy.labels.ai_assisted;
  const detected = policy.detection.labels.some((l) => lower(l) === lower(label));
  if (detection.assisted && policy.labels.enabled && detected && !hasLabel(snapshot, label) && !signals.some((s) => s.id === "label")) {
    signals.push({ id: "label", description: POLICY_SIGNALS.label, evidence: label });
  }

  // Outside `branches` the PR is not gated (its labels are still planned). A plan made before
  // `branches` existed (inScope undefined) is in scope.
  const inScope = plan.inScope !== false;
  const gated = isGated(policy, plan.inScope, assisted);
  const reviews = [
    ...plan.decisiveReviews.map((r) => assessReview(r, snapshot, policy, plan, directory, facts)),
    ...plan.commentOnlyReviews.map((r) => ({
      login: r.user.login,
      state: r.state,
      commitId: r.commitId,
      counted: false,
      reason: "commented without approving",
    })),
  ];
  const approvedBy = reviews.filter((r) => r.counted && r.state === "APPROVED").map((r) => r.login);
  const blockedBy = reviews.filter((r) => r.counted && r.state === "CHANGES_REQUESTED").map((r) => r.login);
  // An override holds for the head it was given on, and for the PR it was given on (several PRs may share a head).
  const given = snapshot.override;
  const override = given?.sha === snapshot.headSha && (given.pr === undefined || given.pr === snapshot.number) ? given : undefined;
  const assessed: GroupAssessment[] = assessGroups(
    requirement.groups ?? [
      {
        source: requirement.source,
        reviewers: requirement.reviewers,
        approvals: requirement.approvals,
        applies: true,
        why: "always applies",
      },
    ],
    approvedBy,
    directory,
  );
  // Path-scoped freshness (core/path-scope.ts): earlier approvals a group with paths keeps.
  const stale = plan.decisiveReviews.filter(
    (r) =>
      r.state === "APPROVED" &&
      r.commitId !== snapshot.headSha &&
      !approvedBy.includes(r.user.login) &&
      exclusionReason(r.user, snapshot, policy) === undefined,
  );
  const scoped = keepApprovalsByPath(assessed, stale, facts.changedSince, directory);
  const groups = scoped.groups;
  // approvals: 0 (core/signoff-groups.ts exemptionOf): no sign-off needed; a senior's objection still blocks.
  const exemption = exemptionOf(requirement);

  const labels = planLabels(snapshot, policy, assisted, risk, []);
  let outcome: Outcome;
  if (!gated) outcome = "not-gated";
  else if (override) outcome = "overridden";
  else if (blockedBy.length > 0) outcome = "changes-requested";
  else if (groupsHold(groups)) outcome = "approved";
  else outcome = "waiting";

  return {
    outcome,
    mode: policy.mode,
    gated,
    aiLabel: labels.add.some((l) => lower(l) === lower(label)) || hasLabel(snapshot, label),
    detection: { ...detection, assisted, signals },
    memoryNotes,
    risk,
    requirement,
    reviews,
    approvedBy,
    blockedBy,
    ...(override ? { override } : {}),
    labels,
    groups,
    ...(gated && exemption !== undefined ? { exemption } : {}),
    ...(scoped.kept.length > 0 ? { keptByPath: scoped.kept } : {}),
    ...(scoped.notKept.length > 0 ? { pathScopeNotes: scoped.notKept } : {}),
    ...(inScope ? {} : { outOfScope: { baseRef: snapshot.baseRef, branches: policy.branches ?? [] } }),
  };
}
