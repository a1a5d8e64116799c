// Builders for PullSnapshot and CommitInfo values in tests: sensible defaults, override what matters.
import { createHash } from "node:crypto";
import type { Actor, CommitInfo, GitIdentity, PullSnapshot } from "../../src/core/types.js";

export const ALICE: Actor = { login: "alice", id: 1, type: "User" };

/** A git identity; pass the linked account when GitHub knows it. */
export function makeIdentity(name: string, email: string, account?: Actor): GitIdentity {
  return account === undefined ? { name, email } : { name, email, account };
}

const ALICE_IDENTITY = makeIdentity("Alice", "alice@example.com", ALICE);

/**
 * A commit by Alice (author and committer) unless overridden. The default sha is derived from the
 * commit's content, so distinct commits get distinct shas and reruns get the same ones.
 */
export function makeCommit(overrides: Partial<CommitInfo> = {}): CommitInfo {
  const message = overrides.message ?? "Change things";
  const author = overrides.author ?? ALICE_IDENTITY;
  const committer = overrides.committer ?? author;
  const sha = overrides.sha ?? createHash("sha1").update(JSON.stringify({ message, author, committer })).digest("hex");
  return { sha, message, author, committer };
}

/** A pull request acme/shop#7 by alice from feature/x into main; totals follow the given arrays unless overridden. */
export function makeSnapshot(overrides: Partial<PullSnapshot> = {}): PullSnapshot {
  const files = overrides.files ?? [];
  const commits = overrides.commits ?? [];
  return {
    owner: "acme",
    repo: "shop",
    number: 7,
    title: "Change things",
    body: "",
    draft: false,
    state: "open",
    merged: false,
    author: ALICE,
    headSha: "a".repeat(40),
    headRef: "feature/x",
    baseRef: "main",
    defaultBranch: "main",
    labels: [],
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
    reviews: [],
    labelEvents: [],
    requestedReviewers: [],
    requestedTeams: [],
    ...overrides,
    files,
    commits,
    changedFilesTotal: overrides.changedFilesTotal ?? files.length,
    commitsTotal: overrides.commitsTotal ?? commits.length,
  };
}
