// When did a pull request's head become what it is now? An override binds to the head the person saw
// when they wrote the comment, and a webhook can arrive late (or be redelivered) after a newer push.
//
// The rule (README, "Overrides"): the push that made the current head the head must be older than the
// comment. For a branch of this repository, GitHub's repository activity (GET /repos/{o}/{r}/activity,
// the push log with times) says when that push happened. When it cannot (a fork's branch, whose pushes
// are in another repository; a list that does not show the head yet), the head commit's committer date
// stands in: a commit committed after the comment was certainly pushed after it. That fallback cannot
// catch a commit made before the comment and pushed after it; the activity log can, which is why it
// comes first. One read per override command, none for any other event.
import type { Octokit } from "./octokit.js";
import { httpStatus } from "./octokit.js";

export interface HeadSince {
  /** The head changed after the comment was written: the override is refused. */
  changedAfter: boolean;
  /** When the head became the head (or was committed, for the fallback), ISO time. */
  at?: string;
  /** How that was established, said in a refusal. */
  how: "push" | "commit";
}

interface Activity {
  after?: string;
  timestamp?: string;
  ref?: string;
}

export async function headChangedAfter(
  octokit: Octokit,
  pr: { owner: string; repo: string; headSha: string; headRef: string; fromFork: boolean },
  commentAt: string,
): Promise<HeadSince> {
  const written = Date.parse(commentAt);
  if (!pr.fromFork) {
    try {
      const { data } = await octokit.request("GET /repos/{owner}/{repo}/activity", {
        owner: pr.owner,
        repo: pr.repo,
        ref: `refs/heads/${pr.headRef}`,
        per_page: 10,
      });
      const pushes = (data as Activity[]).filter((a) => a.after === pr.headSha && a.timestamp);
      // The newest push that set this head (a branch can return to an old SHA; the latest time counts).
      const at = pushes
        .map((a) => a.timestamp!)
        .sort()
        .at(-1);
      if (at) return { changedAfter: Date.parse(at) > written, at, how: "push" };
    } catch (err) {
      // No activity log for this branch (permission, or not available): fall back to the commit date.
      if (httpStatus(err) === undefined || (httpStatus(err) ?? 0) >= 500) throw err;
    }
  }
  const { data } = await octokit.rest.git.getCommit({ owner: pr.owner, repo: pr.repo, commit_sha: pr.headSha });
  const at = data.committer?.date ?? data.author?.date;
  // No date at all: nothing proves the head is older than the comment, so it is refused (fail closed).
  if (!at) return { changedAfter: true, how: "commit" };
  return { changedAfter: Date.parse(at) > written, at, how: "commit" };
}
