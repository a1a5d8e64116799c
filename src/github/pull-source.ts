// The GitHub `PullSource` (core/evaluate-pull.ts): every read of one evaluation of one pull request,
// memoised for that evaluation, with the round-trip prefetching hidden here (docs/scaling.md).
// Round 1 (`readFirstRound`) reads at once the PR (files, commits, reviews), the policy (cached),
// whether the repository has Git AI notes and — when the last evaluation or the event says they will
// be needed — our check run on the newest head seen, the PR's issue history, and a review event's
// reviewer's team membership / permission (directory.ts, memoised); speculative reads may fail, then
// they are read again (or not) later. The source answers the pipeline's later questions from those
// reads or with one request each, and starts early what a passing verdict will need (the other
// open PRs with this head).
//
// To add a read: one more method on `PullSource` (core), answered here with `once(...)`, and a
// plain value in the test source. Another PR on the same head gets its own source (`forSibling`).
import type { Octokit } from "./octokit.js";
import { httpStatus } from "./octokit.js";
import { readIssueHistory, readSnapshot, type IssueHistory, type PullRef } from "./snapshot.js";
import { readCheckRun, type CheckTarget, type ExistingCheckRun } from "./publish.js";
import type { PolicyCache } from "./policy-cache.js";
import { prefetchDirectory, resolveDirectory, type DirectoryCaches, type DirectoryReads } from "./directory.js";
import { readSameDiffFacts } from "./same-diff.js";
import { resolveCommitAuthors } from "./co-authors.js";
import { readContentForRules } from "./file-content.js";
import { readCarriedPulls } from "./merged-pulls.js";
import { readPathScopeFacts } from "./path-scope.js";
import { readNotesRef, readProvenance, type ProvenanceCaches } from "./provenance.js";
import { listedWithHead, openPullRequestsWithHead } from "./pulls.js";
import { readProposedPolicyText, resolveProposedPolicy, type LoadedPolicy, type ProposedPolicyResult } from "./policy-source.js";
import type { TtlCache } from "./ttl-cache.js";
import { POLICY_PATH } from "../policy/paths.js";
import { RISK_TIERS, type Policy } from "../policy/schema.js";
import { lookupsFor, requirementFor } from "../core/eligibility.js";
import { isAiIdentity } from "../core/detect.js";
import type { PullHistory, PullSource } from "../core/evaluate-pull.js";
import type { DiffDigest } from "../core/same-diff.js";
import type { ChangedSince } from "../core/path-scope.js";
import { overridesIn } from "../core/check-record.js";
import type { Actor, OverrideRecord, PullSnapshot } from "../core/types.js";

export interface PullSourceCaches extends DirectoryCaches {
  provenance: ProvenanceCaches;
  coAuthors: TtlCache<Actor[]>;
  diffs: TtlCache<DiffDigest>;
  changedSince?: TtlCache<ChangedSince>;
}

/** A promise whose rejection is handled even if nobody awaits it (it may be abandoned when another read fails). */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

export interface InputSources {
  policies: PolicyCache;
  provenance: ProvenanceCaches;
  /** Where our check run on a SHA is. */
  checkFor: (sha: string) => CheckTarget;
  /** Team membership and permission caches (a reviewer's facts read in round 1 go through them). */
  directory?: DirectoryCaches;
}

/** What the last evaluation of this PR (or the newest event) said: hints that save round trips, never facts. */
export interface InputHints {
  headSha?: string;
  aiLabel?: boolean;
  /**
   * The event makes a passing verdict plausible (an approval was just given): the reads only a pass
   * needs — the other open PRs with the hinted head, and the PR's history (an approval counts only on
   * the base it was given on) — join round 1 instead of following it.
   */
  passPlausible?: boolean;
  /**
   * The person whose approval or change request the event carries. With a cached policy, whether
   * they may sign off (the teams and permission any tier of the policy asks for) is read in round 1,
   * beside the PR, instead of after it.
   */
  reviewer?: Actor;
}

export type EvaluationInputs =
  /** The PR (or its repository) no longer exists. */
  | { kind: "not-found" }
  | { kind: "closed"; snapshot: PullSnapshot }
  | {
      kind: "open";
      /** With the files of this repository that a policy in force reads (`policyFiles`), when the policy is valid. */
      snapshot: PullSnapshot;
      loaded: LoadedPolicy;
      /** Our check run on the head: read in round 1 when the hint named the head, else being read now (round 2). */
      existing: Promise<ExistingCheckRun | undefined>;
      /** The label history, when round 1 read it. */
      history: IssueHistory | undefined;
      /** Whether the repository has Git AI notes (its ref, absent, or the error reading it). */
      notesRef: Promise<string | undefined | Error>;
      /**
       * The open PRs with the head, when round 1 listed them (undefined: GitHub's list left this PR out;
       * scan later). `scanned`: read by scanning the open PRs, so PRs from forks are in it; otherwise
       * GitHub's list for the commit, complete only for a repository without forks.
       */
      siblings?: { scanned: boolean; list: Promise<number[] | undefined> };
      /** Directory facts started in round 1 (the event's reviewer), memoised for the decision's lookups. */
      directoryReads?: DirectoryReads;
      /** Remember on which head this PR's verdict may pass (or forget it): the next event's hint. */
      noteMayPass: (headSha: string | undefined) => void;
    };

/** A speculative read: its failure only means it is read again (or not) later. */
function attempt<T>(promise: Promise<T>): Promise<{ value: T } | undefined> {
  return promise.then(
    (value) => ({ value }),
    () => undefined,
  );
}

/** Round 1 of an evaluation (all at once); the check run on a head the hint did not name is started as round 2. */
export async function readFirstRound(octokit: Octokit, ref: PullRef, sources: InputSources, hints: InputHints): Promise<EvaluationInputs> {
  const cached = sources.policies.peek(ref.owner, ref.repo);
  const labelsOn = !cached?.ok || cached.policy.labels.enabled;
  // Warm (the policy is cached, or this PR was evaluated before): our check run on the newest head
  // seen joins round 1. Cold, it is read in round 2, beside the organisation's policy fallback.
  const warm = cached !== undefined || hints.aiLabel !== undefined;
  const hintSha = hints.headSha;
  const earlyCheck = warm && hintSha ? attempt(readCheckRun(octokit, sources.checkFor(hintSha))) : undefined;
  // A pass is plausible when the event says so (an approval), or when the last evaluation found the
  // verdict may pass on the very head the event names (a label, an edit, a re-run of a passing PR),
  // unless the event is a change request.
  const changeRequest = hints.reviewer !== undefined && !hints.passPlausible;
  const passedHere = !changeRequest && hintSha !== undefined && sources.policies.mayPassOn(ref.owner, ref.repo, ref.number) === hintSha;
  const passPlausible = hints.passPlausible === true || passedHere;
  const earlyHistory =
    (hints.aiLabel === false && labelsOn) || (warm && passPlausible) ? attempt(readIssueHistory(octokit, ref)) : undefined;
  // A repository known to have forks is scanned (GitHub's list for a commit leaves out PRs from forks).
  const forksHint = sources.policies.forksOf(ref.owner, ref.repo);
  const earlySiblings =
    warm && passPlausible && hintSha
      ? forksHint !== undefined && forksHint > 0
        ? { scanned: true, list: quiet(openPullRequestsWithHead(octokit, ref.owner, ref.repo, hintSha, ref.number, forksHint)) }
        : { scanned: false, list: quiet(listedWithHead(octokit, ref.owner, ref.repo, hintSha, ref.number)) }
      : undefined;
  const directoryReads = cached?.ok && hints.reviewer ? reviewerFacts(octokit, ref, cached.policy, hints.reviewer, sources) : undefined;
  const round1 = Promise.all([
    readSnapshot(octokit, ref).catch((err: unknown) => {
      if (httpStatus(err) === 404) return undefined;
      throw err;
    }),
    sources.policies.load(octokit, ref.owner, ref.repo),
    earlyCheck,
    earlyHistory,
  ]);
  // Whether the repository has Git AI notes joins round 1 (its absence is cached per repository).
  const notesRef = readNotesRef(octokit, ref.owner, ref.repo, sources.provenance);
  const [snapshot, loaded, early, speculated] = await round1;
  if (!snapshot) return { kind: "not-found" };
  if (snapshot.state === "closed") return { kind: "closed", snapshot };
  // A check read for another SHA never stands in for the head's: read it again (round 2).
  const existing: Promise<ExistingCheckRun | undefined> =
    early && hintSha === snapshot.headSha ? Promise.resolve(early.value) : quiet(readCheckRun(octokit, sources.checkFor(snapshot.headSha)));
  // Files of this repository that a policy in force reads (this one's, or another repository's `_extends`): critical to change.
  const withPolicyFiles = loaded.ok ? { ...snapshot, policyFiles: sources.policies.filesReadIn(ref.owner, ref.repo) } : snapshot;
  // The other PRs with the head, listed for the head the hint named: they stand only for that head.
  const siblings = earlySiblings && hintSha === snapshot.headSha ? earlySiblings : undefined;
  sources.policies.noteForks(ref.owner, ref.repo, snapshot.forksCount);
  return {
    kind: "open",
    snapshot: withPolicyFiles,
    loaded,
    existing,
    history: speculated?.value,
    notesRef,
    ...(siblings ? { siblings } : {}),
    ...(directoryReads ? { directoryReads } : {}),
    noteMayPass: (sha) => sources.policies.noteMayPass(ref.owner, ref.repo, ref.number, sha),
  };
}

/**
 * Round 1 for a review event: the reviewer's facts for every team and permission the policy may ask
 * for at any tier (the tier is known only once the PR is read). Not for a bot or an AI identity,
 * who can never sign off; the author cannot review their own PR on GitHub.
 */
function reviewerFacts(octokit: Octokit, ref: PullRef, policy: Policy, reviewer: Actor, sources: InputSources): DirectoryReads | undefined {
  if (reviewer.type === "Bot" || /\[bot\]$/i.test(reviewer.login) || isAiIdentity(reviewer, policy)) return undefined;
  const login = reviewer.login.toLowerCase();
  const specs = new Set(RISK_TIERS.flatMap((tier) => requirementFor(tier, policy).reviewers));
  const lookups = lookupsFor([login], [...specs]);
  if (lookups.teams.length === 0 && !lookups.permission) return undefined;
  const reads: DirectoryReads = new Map();
  prefetchDirectory(octokit, ref, [login], lookups, sources.directory ?? {}, reads);
  return reads;
}

type FirstRound = Extract<EvaluationInputs, { kind: "open" }>;

/** The GitHub source of one evaluation, with what the handler needs besides the verdict. */
export interface GitHubPullSource extends PullSource {
  /** Our check run on the head (read once; the publisher compares with it). */
  readonly existing: Promise<ExistingCheckRun | undefined>;
  /** The proposed policy of a PR that changes the policy file (its read starts with the source). */
  proposed(): Promise<ProposedPolicyResult | undefined>;
  /** The other open PRs with this head (started early by `mayPass`). */
  siblings(): Promise<number[]>;
  /** The source of another open PR with this head: the same repository reads, our check run's state shared. */
  forSibling(number: number): Promise<PullSource | undefined>;
}

export function gitHubPullSource(octokit: Octokit, ref: PullRef, first: FirstRound, caches: PullSourceCaches): GitHubPullSource {
  const snapshot = first.snapshot;
  const { headSha } = snapshot;
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
    let p = memo.get(key) as Promise<T> | undefined;
    if (!p) memo.set(key, (p = quiet(read())));
    return p;
  };
  const changesPolicy = snapshot.files.some((f) => f.path === POLICY_PATH && f.status !== "removed");
  // The proposed policy of a PR that changes it: its read starts first.
  const proposed = changesPolicy
    ? quiet(
        readProposedPolicyText(octokit, ref.owner, ref.repo, headSha).then((text) =>
          text === undefined ? undefined : resolveProposedPolicy(octokit, ref.owner, text),
        ),
      )
    : Promise.resolve(undefined);
  const keptOverrides = () => once("state", async () => overridesIn((await first.existing)?.view.text));
  // GitHub's list of a commit's PRs leaves out PRs from forks: round 1's list stands only when it was a
  // scan of the open PRs, or the repository has no forks.
  const early = first.siblings && (first.siblings.scanned || snapshot.forksCount === 0) ? first.siblings.list : undefined;
  const siblings = () =>
    once(
      "siblings",
      async () =>
        (await early?.catch(() => undefined)) ??
        openPullRequestsWithHead(octokit, ref.owner, ref.repo, headSha, ref.number, snapshot.forksCount),
    );
  const source = repositorySource(octokit, ref, snapshot, caches, first.notesRef, keptOverrides, first.history, first.directoryReads);
  // Until the pipeline says the verdict may pass, the next event's round 1 does not expect it to.
  first.noteMayPass(undefined);
  return {
    ...source,
    existing: first.existing,
    proposed: () => proposed,
    mayPass: () => {
      first.noteMayPass(headSha);
      void siblings();
    },
    siblings,
    forSibling: async (number) => {
      const sibling = { ...ref, number };
      const read = await readSnapshot(octokit, sibling).catch((err: unknown) => {
        if (httpStatus(err) === 404) return undefined;
        throw err;
      });
      // Closed, or moved to another head since the list was read: it no longer shares this commit's check.
      if (!read || read.state !== "open" || read.headSha !== headSha) return undefined;
      const withPolicyFiles = snapshot.policyFiles ? { ...read, policyFiles: snapshot.policyFiles } : read;
      return repositorySource(octokit, sibling, withPolicyFiles, caches, first.notesRef, keptOverrides);
    },
  };
}

/** The reads every PR of a repository answers the same way, memoised per source. */
function repositorySource(
  octokit: Octokit,
  ref: PullRef,
  snapshot: PullSnapshot,
  caches: PullSourceCaches,
  notesRef: Promise<string | undefined | Error>,
  keptOverrides: () => Promise<OverrideRecord[]>,
  readAlready?: IssueHistory,
  directoryReads: DirectoryReads = new Map(),
): PullSource {
  let history: Promise<PullHistory> | undefined = readAlready ? Promise.resolve(readAlready) : undefined;
  return {
    snapshot,
    provenance: async (s) => readProvenance(octokit, s, await notesRef, caches.provenance),
    carriedPulls: (s) => readCarriedPulls(octokit, s),
    changedSince: (commits) => readPathScopeFacts(octokit, ref, snapshot.headSha, commits, caches.changedSince),
    history: () => (history ??= quiet(readIssueHistory(octokit, ref))),
    contents: (s, files) => readContentForRules(octokit, s, files),
    directory: (logins, lookups) => resolveDirectory(octokit, ref, logins, lookups, caches, directoryReads),
    coAuthors: (shas) => resolveCommitAuthors(octokit, ref, shas, caches.coAuthors),
    keptOverrides,
    sameDiff: (s, commits) => readSameDiffFacts(octokit, s, commits, caches.diffs),
  };
}
