// The other open pull requests whose head is the same commit, each judged on its own: the check run
// on a commit may pass only if every one of them passes (core/shared-head.ts combines the views).
//
// Cost: only an evaluation whose own verdict would pass asks, with one read (the PRs of the commit,
// GET /repos/{o}/{r}/commits/{sha}/pulls; revalidated with its ETag when repeated). A waiting or
// failing verdict cannot let anything through, so it asks nothing. Each other PR found costs its own
// snapshot (and the lookups its reviews need); the common case, one PR per head, costs no more.
import type { Logger } from "probot";
import type { Octokit } from "../github/octokit.js";
import { httpStatus } from "../github/octokit.js";
import { readIssueHistory, readSnapshot, type PullRef } from "../github/snapshot.js";
import { openPullRequestsWithHead } from "../github/pulls.js";
import { resolveDirectory } from "../github/directory.js";
import { resolveCommitAuthors } from "../github/co-authors.js";
import { readContentForRules } from "../github/file-content.js";
import { filesNeedingContent } from "../core/risk.js";
import { commitsToResolve } from "../core/co-authors.js";
import type { LoadedPolicy } from "../github/policy-source.js";
import { approvalsToCompare, decide, mayBeGated, needsLabelHistory, planEvaluation } from "../core/decide.js";
import { compareWithHead } from "../github/same-diff.js";
import { detectAiAssistance } from "../core/detect.js";
import { overrideFor, renderVerdict, type CheckState } from "../core/render.js";
import type { HeadPart } from "../core/shared-head.js";
import type { OverrideRecord, PullSnapshot, ReviewerDirectory } from "../core/types.js";
import type { Services } from "./services.js";

export interface SiblingPart extends HeadPart {
  override?: OverrideRecord;
}

/** The open PRs whose head is this commit (one read; started early when the verdict is sure to pass). */
export function listPullsWithHead(octokit: Octokit, ref: PullRef, headSha: string): Promise<number[]> {
  return openPullRequestsWithHead(octokit, ref.owner, ref.repo, headSha, ref.number);
}

/** The other open PRs with this head, each with the view it would get alone. */
export async function judgeSiblings(
  octokit: Octokit,
  log: Logger,
  services: Services,
  ref: PullRef,
  headSha: string,
  loaded: Extract<LoadedPolicy, { ok: true }>,
  state: CheckState,
  listed?: Promise<number[]>,
): Promise<SiblingPart[]> {
  const numbers = (await (listed ?? listPullsWithHead(octokit, ref, headSha))).filter((n) => n !== ref.number);
  if (numbers.length > 0) log.info({ siblings: numbers }, "other open pull requests share this head; each must pass");
  const parts = await Promise.all(numbers.map((number) => judgeOne(octokit, services, { ...ref, number }, headSha, loaded, state)));
  return parts.filter((p): p is SiblingPart => p !== undefined);
}

async function judgeOne(
  octokit: Octokit,
  services: Services,
  ref: PullRef,
  headSha: string,
  loaded: Extract<LoadedPolicy, { ok: true }>,
  state: CheckState,
): Promise<SiblingPart | undefined> {
  const policy = loaded.policy;
  const read = await readSnapshot(octokit, ref).catch((err: unknown) => {
    if (httpStatus(err) === 404) return undefined;
    throw err;
  });
  // Closed, or moved to another head since the list was read: it no longer shares this commit's check.
  if (!read || read.state !== "open" || read.headSha !== headSha) return undefined;
  // Each read below adds to a new snapshot; none is changed in place.
  let snapshot: PullSnapshot = { ...read, policyFiles: services.policies.filesReadIn(ref.owner, ref.repo) };
  const evidence = detectAiAssistance(snapshot, policy);
  if (needsLabelHistory(snapshot, policy, evidence)) {
    const history = await readIssueHistory(octokit, ref);
    snapshot = { ...snapshot, labelEvents: history.labelEvents, reviewRequestEvents: history.reviewRequestEvents };
  }
  const blind = filesNeedingContent(snapshot, policy);
  if (blind.length > 0) snapshot = await readContentForRules(octokit, snapshot, blind);
  const plan = planEvaluation(snapshot, policy, evidence);
  const gatedOrMaybe = mayBeGated(policy, plan);
  const coAuthorShas = gatedOrMaybe ? commitsToResolve(snapshot, policy, plan) : [];
  const [directory, coAuthors] = await Promise.all([
    gatedOrMaybe
      ? resolveDirectory(octokit, ref, plan.lookupLogins, plan.lookups, services.caches)
      : Promise.resolve<ReviewerDirectory>(new Map()),
    coAuthorShas.length > 0 ? resolveCommitAuthors(octokit, ref, coAuthorShas, services.caches.coAuthors) : Promise.resolve(undefined),
  ]);
  if (coAuthors) snapshot = { ...snapshot, coAuthorAccounts: coAuthors };
  const override = overrideFor(state, ref.number);
  if (override) snapshot = { ...snapshot, override };
  // same-diff: approvals on earlier commits are compared with the head, as for the PR itself (cached by SHA).
  const commits = approvalsToCompare(snapshot, policy, plan, directory);
  const target = {
    owner: snapshot.owner,
    repo: snapshot.repo,
    base: snapshot.baseSha ?? snapshot.baseRef,
    cacheable: snapshot.baseSha !== undefined,
  };
  const facts =
    commits.length === 0 ? {} : { sameDiff: await compareWithHead(octokit, target, snapshot.headSha, commits, services.caches.diffs) };
  const verdict = decide(snapshot, policy, plan, directory, facts);
  return {
    number: ref.number,
    baseRef: snapshot.baseRef,
    view: renderVerdict(verdict, snapshot, { policySources: loaded.sources, freshApproval: policy.signoff.fresh_approval }),
    ...(verdict.override ? { override: verdict.override } : {}),
  };
}
