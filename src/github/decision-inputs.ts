// Rounds 2 and 3 of one evaluation's reads (docs/scaling.md), each only when the plan asks for it:
// the proposed policy of a PR that changes it, provenance records, the label history when round 1
// did not read it, files without a diff for content rules, then at once our check run, team membership
// and permissions, co-authors' accounts (and, when the verdict may well pass, the other open PRs with
// this head), and last the same-diff compares. Each read that adds to the snapshot makes a new one.
import type { Octokit } from "./octokit.js";
import { readIssueHistory, type PullRef } from "./snapshot.js";
import { quiet, type EvaluationInputs } from "./evaluation-inputs.js";
import { readProposedPolicyText, resolveProposedPolicy, type ProposedPolicyResult } from "./policy-source.js";
import type { ExistingCheckRun } from "./publish.js";
import { resolveDirectory, type DirectoryCaches } from "./directory.js";
import { readSameDiffFacts } from "./same-diff.js";
import { readPathScopeFacts } from "./path-scope.js";
import { approvalsToScope, type ChangedSince } from "../core/path-scope.js";
import { resolveCommitAuthors } from "./co-authors.js";
import { readContentForRules } from "./file-content.js";
import { readProvenance, type ProvenanceCaches } from "./provenance.js";
import { readCarriedPulls } from "./merged-pulls.js";
import { openPullRequestsWithHead } from "./pulls.js";
import type { TtlCache } from "./ttl-cache.js";
import { POLICY_PATH } from "../policy/paths.js";
import type { Policy } from "../policy/schema.js";
import {
  approvalsToCompare,
  mayBeGated,
  needsLabelHistory,
  planEvaluation,
  type DecisionFacts,
  type EvaluationPlan,
} from "../core/decide.js";
import { filesNeedingContent } from "../core/risk.js";
import { commitsToResolve } from "../core/co-authors.js";
import { detectAiAssistance } from "../core/detect.js";
import type { DiffDigest } from "../core/same-diff.js";
import { overrideFor, readCheckState, type CheckState } from "../core/render.js";
import type { Actor, OverrideRecord, PullSnapshot, ReviewerDirectory } from "../core/types.js";

export interface DecisionCaches extends DirectoryCaches {
  provenance: ProvenanceCaches;
  coAuthors: TtlCache<Actor[]>;
  diffs: TtlCache<DiffDigest>;
  /** Path-scoped freshness: paths changed between an approved commit and the head, per SHA pair. */
  changedSince?: TtlCache<ChangedSince>;
}

/** Everything `decide` needs, and what publishing needs from the reads. */
export interface DecisionInputs {
  /** Round 1's snapshot with provenance, label history, file contents, co-authors and the override added. */
  snapshot: PullSnapshot;
  plan: EvaluationPlan;
  directory: ReviewerDirectory;
  facts: DecisionFacts;
  /** Our check run on the head, and the state it carries. */
  existing: ExistingCheckRun | undefined;
  state: CheckState;
  /** The proposed policy of a PR that changes the policy file. */
  proposed: ProposedPolicyResult | undefined;
  /** The open PRs with this head, started early when the verdict will (or may well) pass. */
  listed: Promise<number[]> | undefined;
}

/** Rounds 2 and 3; `fresh` is a newly accepted override, which takes precedence over the one the check run remembers. */
export async function readDecisionInputs(
  octokit: Octokit,
  ref: PullRef,
  inputs: Extract<EvaluationInputs, { kind: "open" }>,
  policy: Policy,
  caches: DecisionCaches,
  fresh: OverrideRecord | undefined,
): Promise<DecisionInputs> {
  let snapshot = inputs.snapshot;
  const headSha = snapshot.headSha;
  const changesPolicy = snapshot.files.some((f) => f.path === POLICY_PATH && f.status !== "removed");
  const proposedRead = changesPolicy
    ? quiet(
        readProposedPolicyText(octokit, ref.owner, ref.repo, headSha).then((text) =>
          text === undefined ? undefined : resolveProposedPolicy(octokit, ref.owner, text),
        ),
      )
    : Promise.resolve(undefined);
  let history = inputs.history;
  // Not read in round 1 (first sight of this PR, or it had the label): the plan depends on it.
  // Detection does not depend on the label history: computed once, for both questions.
  if (policy.detection.builtin && policy.detection.provenance) {
    const provenance = await readProvenance(octokit, snapshot, await inputs.notesRef, caches.provenance);
    if (provenance) snapshot = { ...snapshot, provenance };
  }
  // #19 items 6, 7: PRs merged into this one, or re-landed by a revert of a revert, carry their AI evidence (github/merged-pulls.ts).
  const carriedPulls = await readCarriedPulls(octokit, snapshot);
  if (carriedPulls.length > 0) snapshot = { ...snapshot, carriedPulls };
  const evidence = detectAiAssistance(snapshot, policy);
  if (!history && needsLabelHistory(snapshot, policy, evidence)) history = await readIssueHistory(octokit, ref);
  if (history) snapshot = { ...snapshot, labelEvents: history.labelEvents, reviewRequestEvents: history.reviewRequestEvents };

  // Files without a diff that a content rule would search: read them first (most PRs have none).
  const blind = filesNeedingContent(snapshot, policy);
  if (blind.length > 0) snapshot = await readContentForRules(octokit, snapshot, blind);
  const plan = planEvaluation(snapshot, policy, evidence);
  const gatedOrMaybe = mayBeGated(policy, plan);
  // When the verdict will (or may well) pass — not gated, report mode, an override, an approval on the
  // head — the PRs sharing this head are listed in this round rather than after the decision.
  const mayPass =
    !gatedOrMaybe ||
    policy.mode === "report" ||
    fresh !== undefined ||
    plan.decisiveReviews.some((r) => r.state === "APPROVED" && r.commitId === headSha);
  const listed = mayPass ? quiet(openPullRequestsWithHead(octokit, ref.owner, ref.repo, headSha, ref.number)) : undefined;
  // Co-authors' emails, resolved to accounts only when someone's eligibility depends on them.
  const coAuthorShas = gatedOrMaybe ? commitsToResolve(snapshot, policy, plan) : [];
  const [existing, proposed, directory, coAuthors] = await Promise.all([
    inputs.existing,
    proposedRead,
    gatedOrMaybe ? resolveDirectory(octokit, ref, plan.lookupLogins, plan.lookups, caches) : Promise.resolve<ReviewerDirectory>(new Map()),
    coAuthorShas.length > 0 ? resolveCommitAuthors(octokit, ref, coAuthorShas, caches.coAuthors) : Promise.resolve(undefined),
  ]);
  if (coAuthors) snapshot = { ...snapshot, coAuthorAccounts: coAuthors };
  const state = readCheckState(existing?.view.text);
  const override = fresh ?? overrideFor(state, ref.number);
  if (override) snapshot = { ...snapshot, override };
  const facts = await readSameDiffFacts(octokit, snapshot, approvalsToCompare(snapshot, policy, plan, directory), caches.diffs);
  // Path-scoped freshness (core/path-scope.ts, reads in github/path-scope.ts): what changed since each earlier approval.
  const scoped = gatedOrMaybe ? approvalsToScope(snapshot, policy, plan.requirement.groups, plan.decisiveReviews) : [];
  const changedSince = await readPathScopeFacts(octokit, ref, headSha, scoped, caches.changedSince);
  if (changedSince) facts.changedSince = changedSince;
  return { snapshot, plan, directory, facts, existing, state, proposed, listed };
}
