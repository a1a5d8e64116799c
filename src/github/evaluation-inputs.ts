// The first round of one evaluation's reads, all at once (docs/scaling.md): the PR (files, commits,
// reviews), the policy (cached), whether the repository has Git AI notes, and — when the last
// evaluation says they will be needed — our check run on the newest head seen and the PR's label
// history. Speculative reads may fail: then they are read again (or not) later.
import type { Octokit } from "./octokit.js";
import { httpStatus } from "./octokit.js";
import { readIssueHistory, readSnapshot, type IssueHistory, type PullRef } from "./snapshot.js";
import { readCheckRun, type CheckTarget, type ExistingCheckRun } from "./publish.js";
import { readNotesRef, type ProvenanceCaches } from "./provenance.js";
import type { PolicyCache } from "./policy-cache.js";
import type { LoadedPolicy } from "./policy-source.js";
import type { PullSnapshot } from "../core/types.js";

export interface InputSources {
  policies: PolicyCache;
  provenance: ProvenanceCaches;
  /** Where our check run on a SHA is. */
  checkFor: (sha: string) => CheckTarget;
}

/** What the last evaluation of this PR (or the newest event) said: hints that save round trips, never facts. */
export interface InputHints {
  headSha?: string;
  aiLabel?: boolean;
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
    };

/** A promise whose rejection is handled even if nobody awaits it (it may be abandoned when another read fails). */
export function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/** A speculative read: its failure only means it is read again (or not) later. */
function attempt<T>(promise: Promise<T>): Promise<{ value: T } | undefined> {
  return promise.then(
    (value) => ({ value }),
    () => undefined,
  );
}

/** Round 1 of an evaluation; the check run on a head the hint did not name is started as round 2. */
export async function readEvaluationInputs(
  octokit: Octokit,
  ref: PullRef,
  sources: InputSources,
  hints: InputHints,
): Promise<EvaluationInputs> {
  const cached = sources.policies.peek(ref.owner, ref.repo);
  const labelsOn = !cached?.ok || cached.policy.labels.enabled;
  // Warm (the policy is cached, or this PR was evaluated before): our check run on the newest head
  // seen joins round 1. Cold, it is read in round 2, beside the organisation's policy fallback.
  const warm = cached !== undefined || hints.aiLabel !== undefined;
  const hintSha = hints.headSha;
  const earlyCheck = warm && hintSha ? attempt(readCheckRun(octokit, sources.checkFor(hintSha))) : undefined;
  const earlyHistory = hints.aiLabel === false && labelsOn ? attempt(readIssueHistory(octokit, ref)) : undefined;
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
  return { kind: "open", snapshot: withPolicyFiles, loaded, existing, history: speculated?.value, notesRef };
}
