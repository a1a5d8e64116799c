// Finding open pull requests: by head SHA (re-run requests), or all of a repository (installation, policy change).
import type { Octokit } from "./octokit.js";

export interface OpenPull {
  number: number;
  headSha: string;
  /** When the PR last changed (GitHub's updated_at), when the list said. */
  updatedAt?: string;
}

export async function listOpenPullRequests(octokit: Octokit, owner: string, repo: string): Promise<OpenPull[]> {
  const pulls = await octokit.paginate(octokit.rest.pulls.list, { owner, repo, state: "open", per_page: 100 });
  return pulls.map((p) => ({ number: p.number, headSha: p.head.sha, ...(p.updated_at ? { updatedAt: p.updated_at } : {}) }));
}

/**
 * Every open PR whose head is this commit, `self` included. GitHub's list for the commit is one read,
 * but it leaves out PRs from forks: it is taken as complete only when it lists `self` and the
 * repository has no forks (`forks`: GitHub's forks_count; undefined: not known, so not trusted).
 * Otherwise the open PRs are scanned (one read per 100), which finds PRs from forks too.
 */
export async function openPullRequestsWithHead(
  octokit: Octokit,
  owner: string,
  repo: string,
  sha: string,
  self: number,
  forks: number | undefined,
): Promise<number[]> {
  const listed = forks === 0 ? await listedWithHead(octokit, owner, repo, sha, self) : undefined;
  return listed ?? scannedWithHead(octokit, owner, repo, sha);
}

/**
 * GitHub's list of the open PRs with this head when it lists `self`; undefined when it does not — a
 * speculative read for a head the PR may have left spends no scan on it. Complete only for a
 * repository without forks (the caller's to check: see openPullRequestsWithHead).
 */
export async function listedWithHead(
  octokit: Octokit,
  owner: string,
  repo: string,
  sha: string,
  self: number,
): Promise<number[] | undefined> {
  const direct = await associatedWithHead(octokit, owner, repo, sha);
  return direct.includes(self) ? direct : undefined;
}

/** GitHub's list of the open PRs whose head is this commit (one read; PRs from forks are not in it). */
async function associatedWithHead(octokit: Octokit, owner: string, repo: string, sha: string): Promise<number[]> {
  const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: sha, per_page: 100 });
  return data.filter((p) => p.state === "open" && p.head.sha === sha).map((p) => p.number);
}

/** The open PRs whose head is this commit, found by scanning every open PR (one read per 100; forks' PRs included). */
async function scannedWithHead(octokit: Octokit, owner: string, repo: string, sha: string): Promise<number[]> {
  return (await listOpenPullRequests(octokit, owner, repo)).filter((p) => p.headSha === sha).map((p) => p.number);
}

/** Open PRs whose head is this commit; falls back to scanning open PRs, which also finds PRs from forks. */
export async function openPullRequestsForSha(octokit: Octokit, owner: string, repo: string, sha: string): Promise<number[]> {
  const direct = await associatedWithHead(octokit, owner, repo, sha);
  return direct.length > 0 ? direct : scannedWithHead(octokit, owner, repo, sha);
}
