// Reads one consistent snapshot of a pull request: metadata, files, commits, reviews (and label history on demand).
import type { Octokit } from "./octokit.js";
import type {
  Actor,
  ChangedFile,
  CommitInfo,
  FileStatus,
  LabelEvent,
  PullSnapshot,
  Review,
  ReviewRequestEvent,
  ReviewState,
} from "../core/types.js";

export interface PullRef {
  owner: string;
  repo: string;
  number: number;
}

/** GitHub's hard limits on what the app can read of one pull request. */
export const MAX_FILES = 3000;
export const MAX_COMMITS = 250;
const PER_PAGE = 100;

/** Thrown when the PR moved while it was being read, more than once in a row. */
export class SnapshotRaceError extends Error {}

interface RawUser {
  login: string;
  id: number;
  type?: string;
}

function actor(user: RawUser | null | undefined): Actor {
  if (!user) return { login: "ghost", type: "User" };
  return { login: user.login, id: user.id, ...(user.type ? { type: user.type } : {}) };
}

/**
 * Fetch every page of a list endpoint, pages 2..n in parallel once page 1 says how many there are.
 * `maxItems` stops where GitHub stops anyway (3000 files, 250 commits).
 */
async function readAllPages<T>(
  fetchPage: (page: number) => Promise<{ data: T[]; headers: { link?: string } }>,
  maxItems: number,
): Promise<T[]> {
  const first = await fetchPage(1);
  const last = Number(/[?&]page=(\d+)[^>]*>;\s*rel="last"/.exec(first.headers.link ?? "")?.[1] ?? 1);
  const lastPage = Math.min(last, Math.ceil(maxItems / PER_PAGE));
  const rest = await Promise.all(Array.from({ length: Math.max(0, lastPage - 1) }, (_, i) => fetchPage(i + 2).then((r) => r.data)));
  return [first.data, ...rest].flat().slice(0, maxItems);
}

function toFile(f: {
  filename: string;
  previous_filename?: string;
  status: string;
  additions: number;
  deletions: number;
  patch?: string;
}): ChangedFile {
  return {
    path: f.filename,
    ...(f.previous_filename ? { previousPath: f.previous_filename } : {}),
    status: f.status as FileStatus,
    additions: f.additions,
    deletions: f.deletions,
    ...(f.patch !== undefined ? { patch: f.patch } : {}),
  };
}

interface RawCommit {
  sha: string;
  commit: {
    message: string;
    author: { name?: string; email?: string } | null;
    committer: { name?: string; email?: string } | null;
  };
  author: RawUser | null | Record<string, never>;
  committer: RawUser | null | Record<string, never>;
}

function toCommit(c: RawCommit): CommitInfo {
  const account = (u: RawCommit["author"]) => (u && "login" in u && u.login ? { account: actor(u as RawUser) } : {});
  return {
    sha: c.sha,
    message: c.commit.message,
    author: { name: c.commit.author?.name ?? "", email: c.commit.author?.email ?? "", ...account(c.author) },
    committer: { name: c.commit.committer?.name ?? "", email: c.commit.committer?.email ?? "", ...account(c.committer) },
  };
}

function toReview(r: { id: number; user: RawUser | null; state: string; commit_id: string | null; submitted_at?: string | null }): Review {
  return {
    id: r.id,
    user: actor(r.user),
    state: r.state as ReviewState,
    commitId: r.commit_id ?? "",
    submittedAt: r.submitted_at ?? "",
  };
}

/** One read of the PR. Retries when the head moved between the metadata and the commit list. */
export async function readSnapshot(octokit: Octokit, ref: PullRef, attempts = 3): Promise<PullSnapshot> {
  for (let attempt = 1; ; attempt++) {
    const snapshot = await readOnce(octokit, ref);
    const lastCommit = snapshot.commits[snapshot.commits.length - 1];
    const consistent = !lastCommit || snapshot.commitsTotal > snapshot.commits.length || lastCommit.sha === snapshot.headSha;
    if (consistent) return snapshot;
    if (attempt >= attempts) {
      throw new SnapshotRaceError(
        `the pull request kept changing while it was read (head ${snapshot.headSha.slice(0, 7)}, last commit ${lastCommit.sha.slice(0, 7)})`,
      );
    }
  }
}

async function readOnce(octokit: Octokit, { owner, repo, number }: PullRef): Promise<PullSnapshot> {
  const params = { owner, repo, pull_number: number, per_page: PER_PAGE };
  const [pr, files, commits, reviews] = await Promise.all([
    octokit.rest.pulls.get({ owner, repo, pull_number: number }),
    readAllPages((page) => octokit.rest.pulls.listFiles({ ...params, page }), MAX_FILES),
    readAllPages((page) => octokit.rest.pulls.listCommits({ ...params, page }), MAX_COMMITS),
    readAllPages((page) => octokit.rest.pulls.listReviews({ ...params, page }), 10_000),
  ]);
  const p = pr.data;
  return {
    owner,
    repo,
    number,
    title: p.title,
    body: p.body ?? "",
    draft: p.draft ?? false,
    state: p.state as "open" | "closed",
    merged: p.merged ?? false,
    author: actor(p.user),
    headSha: p.head.sha,
    headRef: p.head.ref,
    baseRef: p.base.ref,
    baseSha: p.base.sha,
    defaultBranch: p.base.repo.default_branch,
    ...(typeof p.base.repo.node_id === "string" ? { repositoryId: p.base.repo.node_id } : {}),
    ...(typeof p.base.repo.forks_count === "number" ? { forksCount: p.base.repo.forks_count } : {}),
    labels: p.labels.map((l) => l.name),
    files: files.map(toFile),
    changedFilesTotal: Math.max(p.changed_files, files.length),
    additions: p.additions,
    deletions: p.deletions,
    commits: (commits as unknown as RawCommit[]).map(toCommit),
    commitsTotal: Math.max(p.commits, commits.length),
    reviews: reviews.map(toReview),
    labelEvents: [],
    requestedReviewers: (p.requested_reviewers ?? []).map((u) => u.login),
    requestedTeams: (p.requested_teams ?? []).map((t) => t.slug),
  };
}

export interface IssueHistory {
  labelEvents: LabelEvent[];
  reviewRequestEvents: ReviewRequestEvent[];
  /** When the PR's base branch was changed (`base_ref_changed`), oldest first. */
  baseChanges: string[];
}

/** Who added and removed labels and review requests on the PR, and when its base changed, oldest first. Read only when needed. */
export async function readIssueHistory(octokit: Octokit, { owner, repo, number }: PullRef): Promise<IssueHistory> {
  const events = await octokit.paginate(octokit.rest.issues.listEvents, { owner, repo, issue_number: number, per_page: 100 });
  const history: IssueHistory = { labelEvents: [], reviewRequestEvents: [], baseChanges: [] };
  for (const e of events as Array<Record<string, unknown> & { event: string; created_at: string; actor: RawUser | null }>) {
    if ((e.event === "labeled" || e.event === "unlabeled") && e.label) {
      history.labelEvents.push({ action: e.event, label: (e.label as { name: string }).name, actor: actor(e.actor), at: e.created_at });
    }
    if (e.event === "base_ref_changed") history.baseChanges.push(e.created_at);
    if (e.event === "review_requested" || e.event === "review_request_removed") {
      const team = e.requested_team as { slug: string } | undefined;
      const user = e.requested_reviewer as RawUser | undefined;
      const reviewer = team ? `${owner}/${team.slug}`.toLowerCase() : user?.login.toLowerCase();
      if (reviewer)
        history.reviewRequestEvents.push({ action: e.event, reviewer, team: Boolean(team), actor: actor(e.actor), at: e.created_at });
    }
  }
  return history;
}
