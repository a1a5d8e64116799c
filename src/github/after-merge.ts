// After the merge, GitHub I/O: the few reads that tell a bypass apart and find a reverted PR, and
// the only writes Countersign makes to a closed PR (the bypass label and one comment).
import type { Octokit } from "./octokit.js";
import { httpStatus } from "./octokit.js";
import { readCheckRun, type CheckTarget } from "./publish.js";
import type { Publisher } from "./publisher.js";
import type { LabelRegistry } from "./label-registry.js";
import { BYPASS_COMMENT_MARKER, BYPASSED_LABEL, type LabelNaming, type MergedHeadCheck, type RevertTarget } from "../core/after-merge.js";

export interface IssueRef {
  owner: string;
  repo: string;
  number: number;
}

/** Our latest check run on the merged head (one read). */
export async function readMergedHeadCheck(octokit: Octokit, target: CheckTarget): Promise<MergedHeadCheck | undefined> {
  return (await readCheckRun(octokit, target))?.view;
}

/** Whether a bot (ours) already left the bypass comment: a write that failed halfway is finished, not repeated. */
async function hasBypassComment(octokit: Octokit, ref: IssueRef): Promise<boolean> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner: ref.owner,
    repo: ref.repo,
    issue_number: ref.number,
    per_page: 100,
  });
  return comments.some((c) => c.user?.type === "Bot" && (c.body ?? "").includes(BYPASS_COMMENT_MARKER));
}

/**
 * The comment first, the label last. Whether the bypass was recorded is the merge ledger's to say
 * (handlers/merged.ts), never the label's (anyone can add or remove it): a redelivery after a failure
 * in between finds the comment and only adds the label.
 */
export async function markBypassed(
  octokit: Octokit,
  publisher: Publisher,
  ref: IssueRef,
  comment: string,
  names: LabelNaming,
  known?: LabelRegistry,
): Promise<{ commented: boolean }> {
  const commented = !(await hasBypassComment(octokit, ref));
  // This publisher has no guard: these writes are never skipped, only ever sent or failed (an HTTP error).
  if (commented) await publisher.comment(ref, comment);
  await publisher.ensureLabel(ref.owner, ref.repo, BYPASSED_LABEL, { aiAssisted: names.aiAssisted, riskPrefix: names.riskPrefix }, known);
  await publisher.addLabels(ref, [BYPASSED_LABEL]);
  return { commented };
}

/** The messages of the PR's commits (its first 250, as GitHub lists them): where `git revert` says what it reverts. */
export async function readPullCommitMessages(octokit: Octokit, ref: IssueRef): Promise<string[]> {
  const messages: string[] = [];
  for (let page = 1; page <= 3; page++) {
    const { data } = await octokit.rest.pulls.listCommits({
      owner: ref.owner,
      repo: ref.repo,
      pull_number: ref.number,
      per_page: 100,
      page,
    });
    messages.push(...data.map((c) => c.commit.message));
    if (data.length < 100) break;
  }
  return messages;
}

export interface RevertedPull {
  owner: string;
  repo: string;
  number: number;
  labels: string[];
}

/** The PR a revert names, in one read: the PR itself, or the merged PR whose merge commit is the reverted commit. */
export async function readRevertedPull(
  octokit: Octokit,
  owner: string,
  repo: string,
  target: RevertTarget,
): Promise<RevertedPull | undefined> {
  try {
    if (target.kind === "pull") {
      const { data } = await octokit.rest.pulls.get({ owner: target.owner, repo: target.repo, pull_number: target.number });
      if (!data.merged_at) return undefined;
      return { owner: target.owner, repo: target.repo, number: data.number, labels: data.labels.map((l) => l.name) };
    }
    const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: target.sha });
    const merged = data.filter((p) => p.merged_at);
    const pr = merged.find((p) => p.merge_commit_sha?.toLowerCase().startsWith(target.sha)) ?? merged[0];
    return pr ? { owner, repo, number: pr.number, labels: pr.labels.map((l) => l.name) } : undefined;
  } catch (err) {
    // A PR in a repository we cannot see, or a commit that is gone: not a revert we can count.
    if (httpStatus(err) === 404 || httpStatus(err) === 422) return undefined;
    throw err;
  }
}
