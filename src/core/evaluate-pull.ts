// The one evaluation of one pull request: plan → read → decide. Every evaluation goes through here —
// the PR an event names, every other open PR on the same head, and `countersign check` — with a
// different `PullSource` behind it: GitHub (github/pull-source.ts, memoised per evaluation, with its
// round-trip prefetching inside), the local git checkout (cli/check.ts), or plain values (tests).
//
// Pure: the source does the reading; this function only decides what to ask for, in which order,
// and what the answers mean. A new read is one more method on `PullSource`, asked for here.
import type { Policy } from "../policy/schema.js";
import {
  approvalsToCompare,
  decide,
  mayBeGated,
  needsLabelHistory,
  planEvaluation,
  type DecisionFacts,
  type EvaluationPlan,
} from "./decide.js";
import { detectAiAssistance } from "./detect.js";
import { filesNeedingContent } from "./risk.js";
import { commitsToResolve } from "./co-authors.js";
import { overrideFor } from "./check-record.js";
import type { ProvenanceInput } from "./provenance.js";
import type { CarriedPull } from "./merged-pulls.js";
import { approvalsToScope, type ChangedSince } from "./path-scope.js";
import type {
  Actor,
  ChangedFile,
  LabelEvent,
  OverrideRecord,
  PullSnapshot,
  ReviewRequestEvent,
  ReviewerDirectory,
  Verdict,
} from "./types.js";

/** What the PR's conversation recorded: label and review-request changes, and base changes (retargets). */
export interface PullHistory {
  labelEvents: LabelEvent[];
  reviewRequestEvents: ReviewRequestEvent[];
  /** When the PR's base branch was changed (`base_ref_changed`), oldest first. */
  baseChanges: string[];
}

/** Everything an evaluation may read about one pull request. Each method is asked at most once per evaluation. */
export interface PullSource {
  /** The PR as first read: files, commits, reviews, labels (and the files a policy in force reads). */
  readonly snapshot: PullSnapshot;
  /** The provenance records the PR carries (Agent Trace files, Git AI notes); undefined when none. */
  provenance(snapshot: PullSnapshot): Promise<ProvenanceInput | undefined>;
  /** PRs merged into this one (stacked branches) or re-landed by a revert of their revert, whose AI evidence it carries. */
  carriedPulls(snapshot: PullSnapshot): Promise<CarriedPull[]>;
  /** Path-scoped freshness: what changed between each of these earlier approved commits and the head. */
  changedSince(commits: string[]): Promise<Map<string, ChangedSince> | undefined>;
  /** The PR's recorded history. */
  history(): Promise<PullHistory>;
  /** The snapshot with the contents of these files (they have no diff) added. */
  contents(snapshot: PullSnapshot, files: ChangedFile[]): Promise<PullSnapshot>;
  /** Team membership and repository permission of these people. */
  directory(logins: string[], lookups: EvaluationPlan["lookups"]): Promise<ReviewerDirectory>;
  /** The accounts of the co-authors of these commits. */
  coAuthors(shas: string[]): Promise<Actor[]>;
  /** The overrides our check run on the head keeps (its record, core/check-record.ts; none when unreadable). */
  keptOverrides(): Promise<OverrideRecord[]>;
  /** `same-diff`: whether each approved earlier commit's own changes equal the head's. */
  sameDiff(snapshot: PullSnapshot, commits: string[]): Promise<DecisionFacts>;
  /** A hint, never a read: the verdict may well pass, so a read needed only then may start now. */
  mayPass?(): void;
}

export interface EvaluatePullOptions {
  /** A newly accepted override; it takes precedence over the one our check run remembers. */
  override?: OverrideRecord;
}

export interface PullEvaluation {
  /** The snapshot the verdict was decided on (with every read added). */
  snapshot: PullSnapshot;
  plan: EvaluationPlan;
  directory: ReviewerDirectory;
  facts: DecisionFacts;
  /** The overrides our check run kept. */
  kept: OverrideRecord[];
  verdict: Verdict;
}

/** Plan → read → decide, for one pull request. Each read adds to a new snapshot; none is changed in place. */
export async function evaluatePull(source: PullSource, policy: Policy, options: EvaluatePullOptions = {}): Promise<PullEvaluation> {
  let snapshot = source.snapshot;
  if (policy.detection.builtin && policy.detection.provenance) {
    const provenance = await source.provenance(snapshot);
    if (provenance) snapshot = { ...snapshot, provenance };
  }
  // PRs merged into this one, or re-landed by a revert of a revert, carry their AI evidence (core/merged-pulls.ts).
  const carriedPulls = await source.carriedPulls(snapshot);
  if (carriedPulls.length > 0) snapshot = { ...snapshot, carriedPulls };
  // Detection does not depend on the label history: computed once, for both questions.
  const evidence = detectAiAssistance(snapshot, policy);
  let history: Promise<PullHistory> | undefined;
  const readHistory = () => (history ??= source.history());
  if (needsLabelHistory(snapshot, policy, evidence)) snapshot = withHistory(snapshot, await readHistory());

  // Files without a diff that a content rule would search: read them first (most PRs have none).
  const blind = filesNeedingContent(snapshot, policy);
  if (blind.length > 0) snapshot = await source.contents(snapshot, blind);
  const plan = planEvaluation(snapshot, policy, evidence);
  const gatedOrMaybe = mayBeGated(policy, plan);
  const fresh = options.override;
  const approvals = plan.decisiveReviews.filter((r) => r.state === "APPROVED");
  // Approvals that may count: by someone not excluded, on the head unless older commits may count too.
  const mayCount = approvals.filter(
    (r) =>
      plan.lookupLogins.includes(r.user.login.toLowerCase()) && (r.commitId === snapshot.headSha || policy.signoff.fresh_approval !== true),
  );
  // When the verdict will (or may well) pass, a read needed only then may start in this round.
  const mayPass =
    !gatedOrMaybe || policy.mode === "report" || fresh !== undefined || approvals.some((r) => r.commitId === snapshot.headSha);
  if (mayPass) source.mayPass?.();
  // Approvals and overrides count only on the base they were given on: the base changes are read
  // whenever one could count (in this round, beside the directory).
  if (gatedOrMaybe && (mayCount.length > 0 || fresh !== undefined)) void readHistory();
  const coAuthorShas = gatedOrMaybe ? commitsToResolve(snapshot, policy, plan) : [];
  const [kept, directory, coAuthors] = await Promise.all([
    source.keptOverrides(),
    gatedOrMaybe ? source.directory(plan.lookupLogins, plan.lookups) : Promise.resolve<ReviewerDirectory>(new Map()),
    coAuthorShas.length > 0 ? source.coAuthors(coAuthorShas) : Promise.resolve(undefined),
  ]);
  if (coAuthors) snapshot = { ...snapshot, coAuthorAccounts: coAuthors };
  const override = fresh ?? overrideFor(kept, snapshot.number);
  if (override) snapshot = { ...snapshot, override };
  if (gatedOrMaybe && override?.sha === snapshot.headSha) void readHistory();
  if (history) snapshot = withHistory(snapshot, await history);
  const facts = await source.sameDiff(snapshot, approvalsToCompare(snapshot, policy, plan, directory));
  // Path-scoped freshness (core/path-scope.ts): what changed since each earlier approval of a group with paths.
  const scoped = gatedOrMaybe ? approvalsToScope(snapshot, policy, plan.requirement.groups, plan.decisiveReviews) : [];
  const changedSince = scoped.length > 0 ? await source.changedSince(scoped) : undefined;
  if (changedSince) facts.changedSince = changedSince;
  const verdict = decide(snapshot, policy, plan, directory, facts);
  return { snapshot, plan, directory, facts, kept, verdict };
}

function withHistory(snapshot: PullSnapshot, history: PullHistory): PullSnapshot {
  const { labelEvents, reviewRequestEvents, baseChanges } = history;
  const baseChangedAt = baseChanges[baseChanges.length - 1];
  return { ...snapshot, labelEvents, reviewRequestEvents, ...(baseChangedAt ? { baseChangedAt } : {}) };
}
