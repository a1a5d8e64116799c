// The simulator's in-memory GitHub: repositories, pull requests, teams, permissions, check runs,
// labels and issue events, with the mutations a test or benchmark needs and the JSON GitHub returns.
import { createHash } from "node:crypto";
import { APP_SLUG, INSTALLATION_ID, type SimUser } from "./constants.js";

export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";
export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED";
export type FileStatus = "added" | "removed" | "modified" | "renamed";

export type { SimUser };

export interface SimFile {
  filename: string;
  status: FileStatus;
  additions: number;
  deletions: number;
  /** Omitted for binary files, as GitHub does. */
  patch?: string;
  previous_filename?: string;
  /** The file's content at the PR head (served by the contents API with `ref=<head sha>`). */
  content?: string;
}

export interface SimIdentity {
  name: string;
  email: string;
  /** The GitHub account linked to the email, if any. */
  login?: string;
}

export interface SimCommit {
  sha: string;
  message: string;
  author: SimIdentity;
  committer: SimIdentity;
  /** The git author and committer date; 2026-11-20T10:00:00Z when unset. */
  date?: string;
}

/**
 * A file as the contents API answers for it: its text, an HTTP status it answers with instead (a 403,
 * a 5xx), or `{ size }` for a file larger than the 1 MB the JSON form sends inline (encoding "none").
 */
export type SimContent = string | number | { size: number };

/** A team member's state, or the HTTP status the membership lookup answers with (403 without Members: read, 5xx). */
export type TeamMembership = "active" | "pending" | number;

/** One entry of a repository's push log (GET /repos/{o}/{r}/activity). */
export interface SimActivity {
  id: number;
  before: string;
  after: string;
  ref: string;
  timestamp: string;
  activity_type: "push" | "force_push" | "branch_creation";
}

export interface SimComment {
  id: number;
  body: string;
  user: SimUser;
  created_at: string;
}

export interface SimReaction {
  id: number;
  commentId: number;
  content: string;
  user: SimUser;
}

export interface SimReview {
  id: number;
  user: SimUser;
  state: ReviewState;
  commit_id: string;
  submitted_at: string;
  body: string;
}

export interface SimIssueEvent {
  id: number;
  event: "labeled" | "unlabeled" | "review_requested" | "review_request_removed" | "base_ref_changed";
  actor: SimUser;
  created_at: string;
  label?: { name: string; color: string };
  requested_reviewer?: SimUser;
  requested_team?: { slug: string; name: string };
}

export interface SimPull {
  number: number;
  title: string;
  body: string;
  user: SimUser;
  state: "open" | "closed";
  draft: boolean;
  merged: boolean;
  headRef: string;
  headSha: string;
  baseRef: string;
  files: SimFile[];
  commits: SimCommit[];
  reviews: SimReview[];
  labels: string[];
  requestedReviewers: string[];
  requestedTeams: string[];
  events: SimIssueEvent[];
  /** Comments on the PR's conversation (the app's replies), oldest first. */
  comments?: SimComment[];
  createdAt: string;
  updatedAt: string;
  /** Set on merged pull requests (the report benchmark's simulated history). */
  mergedAt?: string;
  mergeCommitSha?: string;
  /** The owner of the fork the PR comes from (its head is `<fork>/<repo>`); absent: a branch of the repository. */
  fork?: string;
}

export interface SimLabel {
  id: number;
  name: string;
  color: string;
  description: string;
}

export interface SimCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotations_count: number };
  app_id: number;
  started_at: string;
  completed_at: string | null;
}

export interface SimRepo {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  /** Files on the default branch, by path (the policy file lives here). */
  files: Map<string, SimContent>;
  /** Files at other refs (a commit SHA or a branch), ref → path → content; they win over the PR-head overlay. */
  filesAt: Map<string, Map<string, SimContent>>;
  labels: Map<string, SimLabel>;
  pulls: Map<number, SimPull>;
  checkRuns: SimCheckRun[];
  /**
   * Repository permission per lower-case login, or the HTTP status the lookup answers with. A known
   * account without an entry reads as "read"; a login the model has no account for is a 404, as GitHub
   * answers for a user that does not exist.
   */
  permissions: Map<string, Permission | number>;
  /** The push log, oldest first: a PR's first push, then every push to its head (GET /repos/{o}/{r}/activity). */
  activity: SimActivity[];
  /** The accounts that forked it (forks_count is their number). */
  forks?: Set<string>;
  /** Reactions the app left on comments. */
  reactions: SimReaction[];
  /** The last push (GET /orgs/{org}/repos sorts by it); now when unset. */
  pushedAt?: string;
  /** The default branch's history, newest first, with the paths each commit changed (GET /repos/{o}/{r}/commits?path=). */
  baseHistory?: Array<{ sha: string; author: string; paths: string[] }>;
}

export interface PullSpec {
  number: number;
  title?: string;
  body?: string;
  author: string;
  draft?: boolean;
  headRef?: string;
  baseRef?: string;
  files: SimFile[];
  /** Commits, oldest first; the last one is the head. SHAs are generated when missing. */
  commits: Array<Omit<SimCommit, "sha"> & { sha?: string }>;
  labels?: string[];
  requestedReviewers?: string[];
  requestedTeams?: string[];
  /** From a fork owned by this account: the repository counts one more fork. */
  fork?: string;
}

export interface PushSpec {
  message?: string;
  author?: SimIdentity;
  committer?: SimIdentity;
  /** Replaces the PR's file list when given. */
  files?: SimFile[];
  /** A force-push: the new commit replaces the PR's commits. */
  force?: boolean;
  /** The commit's SHA; generated when missing. */
  sha?: string;
  /** The commit's git date (SimCommit.date). */
  date?: string;
}

export interface ReviewSpec {
  user: string;
  state: ReviewState;
  /** Defaults to the current head. */
  commitId?: string;
  body?: string;
  /** The reviewer's account when it is not the model's to make (a bot, an id GitHub gave it). */
  account?: SimUser;
}

const lower = (s: string) => s.toLowerCase();

/** GitHub-style timestamps (second precision); reviews and events also carry increasing ids. */
export function isoNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A clock that starts at `start` and moves one minute on each reading: timestamps keep the order things were made in. */
export function steppingClock(start: string): () => string {
  let at = Date.parse(start);
  return () => {
    at += 60_000;
    return new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z");
  };
}

export class GitHubModel {
  readonly repos = new Map<string, SimRepo>();
  readonly users = new Map<string, SimUser>();
  /** "org/slug" (lower-case) → lower-case login → membership state (or the status the lookup answers with). */
  readonly teams = new Map<string, Map<string, TeamMembership>>();
  /** Verified emails GitHub links to accounts (lower-case email → login): GraphQL's Commit.authors answers with them. */
  readonly emailAccounts = new Map<string, string>();
  /** Where the model's timestamps (reviews, events, pushes, comments) come from; the wall clock unless a test sets one. */
  now: () => string = isoNow;
  /** The one installation of the app (GET /app/installations lists it). */
  installationId = INSTALLATION_ID;
  private seq = 1000;
  private shaSeq = 0;

  constructor(
    /** The id of the app under test: its check runs carry it, and its label/review-request events name its bot. */
    readonly appId: number,
    readonly appSlug = APP_SLUG,
  ) {}

  nextId(): number {
    return ++this.seq;
  }

  /** A fresh, deterministic 40-hex commit SHA. */
  newSha(salt = ""): string {
    return createHash("sha1")
      .update(`sim-${++this.shaSeq}-${salt}`)
      .digest("hex");
  }

  user(login: string, type: "User" | "Bot" = login.endsWith("[bot]") ? "Bot" : "User"): SimUser {
    const key = lower(login);
    let u = this.users.get(key);
    if (!u) {
      u = { login, id: this.nextId(), type };
      this.users.set(key, u);
    }
    return u;
  }

  /** The app's own bot account (actor of the labels and review requests the app makes). */
  get appBot(): SimUser {
    return this.user(`${this.appSlug}[bot]`, "Bot");
  }

  addRepo(
    owner: string,
    name: string,
    options: { defaultBranch?: string; files?: Record<string, string>; labels?: string[] } = {},
  ): SimRepo {
    const repo: SimRepo = {
      id: this.nextId(),
      owner,
      name,
      defaultBranch: options.defaultBranch ?? "main",
      files: new Map(Object.entries(options.files ?? {})),
      filesAt: new Map(),
      labels: new Map(),
      pulls: new Map(),
      checkRuns: [],
      permissions: new Map(),
      activity: [],
      reactions: [],
    };
    this.repos.set(lower(`${owner}/${name}`), repo);
    for (const label of options.labels ?? []) this.ensureRepoLabel(repo, label);
    return repo;
  }

  repo(owner: string, name: string): SimRepo | undefined {
    return this.repos.get(lower(`${owner}/${name}`));
  }

  mustRepo(owner: string, name: string): SimRepo {
    const repo = this.repo(owner, name);
    if (!repo) throw new Error(`simulator: no repository ${owner}/${name}`);
    return repo;
  }

  mustPull(owner: string, name: string, number: number): { repo: SimRepo; pull: SimPull } {
    const repo = this.mustRepo(owner, name);
    const pull = repo.pulls.get(number);
    if (!pull) throw new Error(`simulator: no pull request ${owner}/${name}#${number}`);
    return { repo, pull };
  }

  /** A file on the default branch, or at `ref` (a commit SHA or a branch); `undefined` removes it (a 404). */
  setFile(owner: string, name: string, path: string, content: SimContent | undefined, ref?: string): void {
    const repo = this.mustRepo(owner, name);
    let files = repo.files;
    if (ref !== undefined) {
      files = repo.filesAt.get(ref) ?? new Map();
      repo.filesAt.set(ref, files);
    }
    if (content === undefined) files.delete(path);
    else files.set(path, content);
  }

  setTeam(org: string, slug: string, members: Record<string, TeamMembership>): void {
    const map = new Map<string, TeamMembership>();
    for (const [login, state] of Object.entries(members)) {
      this.user(login);
      map.set(lower(login), state);
    }
    this.teams.set(lower(`${org}/${slug}`), map);
  }

  membership(org: string, slug: string, login: string): TeamMembership | undefined {
    return this.teams.get(lower(`${org}/${slug}`))?.get(lower(login));
  }

  setPermission(owner: string, name: string, login: string, permission: Permission | number): void {
    this.user(login);
    this.mustRepo(owner, name).permissions.set(lower(login), permission);
  }

  ensureRepoLabel(repo: SimRepo, name: string, color = "ededed", description = ""): SimLabel {
    const existing = repo.labels.get(lower(name));
    if (existing) return existing;
    const label = { id: this.nextId(), name, color, description };
    repo.labels.set(lower(name), label);
    return label;
  }

  addPull(owner: string, name: string, spec: PullSpec): SimPull {
    const repo = this.mustRepo(owner, name);
    const commits = spec.commits.map((c) => ({ ...c, sha: c.sha ?? this.newSha(`${name}#${spec.number}`) }));
    const head = commits[commits.length - 1];
    if (!head) throw new Error("simulator: a pull request needs at least one commit");
    const now = this.now();
    const pull: SimPull = {
      number: spec.number,
      title: spec.title ?? `Change ${spec.number}`,
      body: spec.body ?? "",
      user: this.user(spec.author),
      state: "open",
      draft: spec.draft ?? false,
      merged: false,
      headRef: spec.headRef ?? `feature/${spec.number}`,
      headSha: head.sha,
      baseRef: spec.baseRef ?? repo.defaultBranch,
      files: spec.files,
      commits,
      reviews: [],
      labels: [],
      requestedReviewers: [...(spec.requestedReviewers ?? [])],
      requestedTeams: [...(spec.requestedTeams ?? [])],
      events: [],
      createdAt: now,
      updatedAt: now,
      ...(spec.fork ? { fork: spec.fork } : {}),
    };
    if (spec.fork) (repo.forks ??= new Set()).add(spec.fork.toLowerCase());
    for (const label of spec.labels ?? []) {
      this.ensureRepoLabel(repo, label);
      pull.labels.push(label);
      pull.events.push({
        id: this.nextId(),
        event: "labeled",
        actor: this.appBot,
        created_at: now,
        label: { name: label, color: "ededed" },
      });
    }
    for (const login of pull.requestedReviewers) {
      pull.events.push({
        id: this.nextId(),
        event: "review_requested",
        actor: this.appBot,
        created_at: now,
        requested_reviewer: this.user(login),
      });
    }
    for (const slug of pull.requestedTeams) {
      pull.events.push({
        id: this.nextId(),
        event: "review_requested",
        actor: this.appBot,
        created_at: now,
        requested_team: { slug, name: slug },
      });
    }
    repo.pulls.set(spec.number, pull);
    for (const c of commits) this.commitFiles.set(c.sha, spec.files);
    this.logPush(repo, pull, "0".repeat(40), "push", now);
    return pull;
  }

  /** Change the PR's base branch (a retarget), as GitHub records it: a `base_ref_changed` issue event by `actor`. */
  retarget(owner: string, name: string, number: number, baseRef: string, actor = "alice"): void {
    const { pull } = this.mustPull(owner, name, number);
    const now = this.now();
    pull.baseRef = baseRef;
    pull.updatedAt = now;
    pull.events.push({ id: this.nextId(), event: "base_ref_changed", actor: this.user(actor), created_at: now });
  }

  /** Per commit SHA, the PR's own changes at that commit (what the compare API answers for `base...sha`). */
  readonly commitFiles = new Map<string, SimFile[]>();

  /** Push one commit to the PR's head branch; returns the new head SHA. */
  pushHead(owner: string, name: string, number: number, push: PushSpec = {}): string {
    const { repo, pull } = this.mustPull(owner, name, number);
    const previous = pull.commits[pull.commits.length - 1];
    const author = push.author ??
      previous?.author ?? { name: pull.user.login, email: `${pull.user.login}@example.com`, login: pull.user.login };
    const commit: SimCommit = {
      sha: push.sha ?? this.newSha(`${name}#${number}`),
      message: push.message ?? previous?.message ?? "Change things",
      author,
      committer: push.committer ?? push.author ?? previous?.committer ?? author,
      ...(push.date ? { date: push.date } : {}),
    };
    if (push.force) pull.commits = [commit];
    else pull.commits.push(commit);
    if (push.files) pull.files = push.files;
    // Without new files the PR's own changes stay the same: a merge of the base branch ("Update branch").
    this.commitFiles.set(commit.sha, pull.files);
    const before = pull.headSha;
    pull.headSha = commit.sha;
    pull.updatedAt = this.now();
    this.logPush(repo, pull, before, push.force ? "force_push" : "push", pull.updatedAt);
    return commit.sha;
  }

  private logPush(repo: SimRepo, pull: SimPull, before: string, type: SimActivity["activity_type"], at: string): void {
    repo.activity.push({
      id: this.nextId(),
      before,
      after: pull.headSha,
      ref: `refs/heads/${pull.headRef}`,
      timestamp: at,
      activity_type: type,
    });
  }

  /** A commit of any PR of the repository, by SHA. */
  commit(repo: SimRepo, sha: string): SimCommit | undefined {
    for (const pull of repo.pulls.values()) {
      const found = pull.commits.find((c) => c.sha === sha);
      if (found) return found;
    }
    return undefined;
  }

  /** Submit a review. Like GitHub, it fulfils the reviewer's own request and that of any requested team they are an active member of. */
  addReview(owner: string, name: string, number: number, spec: ReviewSpec): SimReview {
    const { pull } = this.mustPull(owner, name, number);
    const review: SimReview = {
      id: this.nextId(),
      user: spec.account ?? this.user(spec.user),
      state: spec.state,
      commit_id: spec.commitId ?? pull.headSha,
      submitted_at: this.now(),
      body: spec.body ?? "",
    };
    pull.reviews.push(review);
    pull.requestedReviewers = pull.requestedReviewers.filter((l) => lower(l) !== lower(spec.user));
    pull.requestedTeams = pull.requestedTeams.filter((slug) => this.membership(owner, slug, spec.user) !== "active");
    pull.updatedAt = this.now();
    return review;
  }

  dismissReview(owner: string, name: string, number: number, reviewId: number): void {
    const { pull } = this.mustPull(owner, name, number);
    const review = pull.reviews.find((r) => r.id === reviewId);
    if (review) review.state = "DISMISSED";
  }

  addLabelsToPull(repo: SimRepo, pull: SimPull, names: string[], actor: SimUser): void {
    for (const name of names) {
      const label = this.ensureRepoLabel(repo, name);
      if (pull.labels.some((l) => lower(l) === lower(name))) continue;
      pull.labels.push(label.name);
      pull.events.push({
        id: this.nextId(),
        event: "labeled",
        actor,
        created_at: this.now(),
        label: { name: label.name, color: label.color },
      });
    }
  }

  removeLabelFromPull(pull: SimPull, name: string, actor: SimUser): boolean {
    const index = pull.labels.findIndex((l) => lower(l) === lower(name));
    if (index < 0) return false;
    const [removed] = pull.labels.splice(index, 1);
    pull.events.push({
      id: this.nextId(),
      event: "unlabeled",
      actor,
      created_at: this.now(),
      label: { name: removed ?? name, color: "ededed" },
    });
    return true;
  }

  requestReviewers(pull: SimPull, users: string[], teams: string[], actor: SimUser): void {
    for (const login of users) {
      if (!pull.requestedReviewers.some((l) => lower(l) === lower(login))) pull.requestedReviewers.push(login);
      pull.events.push({
        id: this.nextId(),
        event: "review_requested",
        actor,
        created_at: this.now(),
        requested_reviewer: this.user(login),
      });
    }
    for (const slug of teams) {
      if (!pull.requestedTeams.some((t) => lower(t) === lower(slug))) pull.requestedTeams.push(slug);
      pull.events.push({
        id: this.nextId(),
        event: "review_requested",
        actor,
        created_at: this.now(),
        requested_team: { slug, name: slug },
      });
    }
  }

  /** A comment on the PR's conversation. */
  addComment(pull: SimPull, body: string, user: SimUser): SimComment {
    const comment = { id: this.nextId(), body, user, created_at: this.now() };
    (pull.comments ??= []).push(comment);
    return comment;
  }

  addReaction(repo: SimRepo, commentId: number, content: string, user: SimUser): SimReaction {
    const reaction = { id: this.nextId(), commentId, content, user };
    repo.reactions.push(reaction);
    return reaction;
  }

  /** Check runs of one commit (optionally one name), newest first. */
  checkRunsFor(owner: string, name: string, sha: string, checkName?: string): SimCheckRun[] {
    return this.mustRepo(owner, name)
      .checkRuns.filter((r) => r.head_sha === sha && (checkName === undefined || r.name === checkName))
      .sort((a, b) => b.id - a.id);
  }

  /** The check run GitHub shows for a commit and name: the latest one. */
  latestCheckRun(owner: string, name: string, sha: string, checkName: string): SimCheckRun | undefined {
    return this.checkRunsFor(owner, name, sha, checkName)[0];
  }

  /** The file content at a ref: a file set at that ref, else a PR head's own content overlaying the default branch. */
  fileAt(repo: SimRepo, path: string, ref: string | undefined): SimContent | undefined {
    if (ref && ref !== repo.defaultBranch) {
      const atRef = repo.filesAt.get(ref);
      if (atRef?.has(path)) return atRef.get(path);
      for (const pull of repo.pulls.values()) {
        if (pull.headSha !== ref && pull.headRef !== ref) continue;
        const changed = pull.files.find((f) => f.filename === path);
        if (changed) return changed.status === "removed" ? undefined : (changed.content ?? repo.files.get(path));
        return repo.files.get(path);
      }
    }
    return repo.files.get(path);
  }
}

// --- JSON views, as GitHub's REST API returns them ------------------------------------------------

export function userJson(u: SimUser): Record<string, unknown> {
  return { login: u.login, id: u.id, node_id: `U_${u.id}`, type: u.type ?? "User", site_admin: false };
}

export function repoJson(repo: SimRepo, owner: SimUser): Record<string, unknown> {
  return {
    id: repo.id,
    node_id: `R_${repo.id}`,
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    private: true,
    owner: { ...userJson(owner), type: "Organization" },
    default_branch: repo.defaultBranch,
    html_url: `https://github.example/${repo.owner}/${repo.name}`,
    fork: false,
    forks_count: repo.forks?.size ?? 0,
    pushed_at: repo.pushedAt ?? isoNow(),
  };
}

export function pullJson(model: GitHubModel, repo: SimRepo, pull: SimPull): Record<string, unknown> {
  const owner = model.user(repo.owner);
  const repository = repoJson(repo, owner);
  const additions = pull.files.reduce((n, f) => n + f.additions, 0);
  const deletions = pull.files.reduce((n, f) => n + f.deletions, 0);
  return {
    id: repo.id * 100_000 + pull.number,
    node_id: `PR_${repo.id}_${pull.number}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    body: pull.body,
    user: userJson(pull.user),
    draft: pull.draft,
    merged: pull.merged,
    mergeable_state: "blocked",
    labels: pull.labels.map((name) => {
      const l = repo.labels.get(lower(name));
      return { id: l?.id ?? 0, name, color: l?.color ?? "ededed", description: l?.description ?? "" };
    }),
    head: pull.fork
      ? {
          label: `${pull.fork}:${pull.headRef}`,
          ref: pull.headRef,
          sha: pull.headSha,
          user: userJson(model.user(pull.fork)),
          repo: {
            ...repository,
            id: repo.id + 500_000,
            node_id: `R_${repo.id + 500_000}`,
            full_name: `${pull.fork}/${repo.name}`,
            owner: userJson(model.user(pull.fork)),
            fork: true,
            forks_count: 0,
          },
        }
      : { label: `${repo.owner}:${pull.headRef}`, ref: pull.headRef, sha: pull.headSha, user: userJson(owner), repo: repository },
    base: { label: `${repo.owner}:${pull.baseRef}`, ref: pull.baseRef, sha: "0".repeat(40), user: userJson(owner), repo: repository },
    requested_reviewers: pull.requestedReviewers.map((l) => userJson(model.user(l))),
    requested_teams: pull.requestedTeams.map((slug) => ({ id: 1, slug, name: slug })),
    additions,
    deletions,
    changed_files: pull.files.length,
    commits: pull.commits.length,
    comments: 0,
    review_comments: 0,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    merged_at: pull.mergedAt ?? null,
    closed_at: pull.state === "closed" ? (pull.mergedAt ?? pull.updatedAt) : null,
    merge_commit_sha: pull.mergeCommitSha ?? null,
    merged_by: null,
    mergeable: null,
    rebaseable: null,
    auto_merge: null,
    maintainer_can_modify: false,
    author_association: pull.user.login === repo.owner ? "OWNER" : "MEMBER",
    assignee: null,
    assignees: [],
    milestone: null,
    active_lock_reason: null,
    url: `https://api.github.example/repos/${repo.owner}/${repo.name}/pulls/${pull.number}`,
    issue_url: `https://api.github.example/repos/${repo.owner}/${repo.name}/issues/${pull.number}`,
    html_url: `https://github.example/${repo.owner}/${repo.name}/pull/${pull.number}`,
  };
}

export function fileJson(f: SimFile): Record<string, unknown> {
  return {
    sha: createHash("sha1").update(f.filename).digest("hex"),
    filename: f.filename,
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
    changes: f.additions + f.deletions,
    ...(f.patch !== undefined ? { patch: f.patch } : {}),
    ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}),
  };
}

/** A commit as the git database answers for it (GET /repos/{o}/{r}/git/commits/{sha}). */
export function gitCommitJson(c: SimCommit): Record<string, unknown> {
  const date = c.date ?? "2026-11-20T10:00:00Z";
  return {
    sha: c.sha,
    node_id: `C_${c.sha}`,
    message: c.message,
    author: { name: c.author.name, email: c.author.email, date },
    committer: { name: c.committer.name, email: c.committer.email, date },
    tree: { sha: createHash("sha1").update(`tree-${c.sha}`).digest("hex") },
    parents: [],
  };
}

/** A commit as the REST API lists it: the git commit, and the accounts GitHub linked its author and committer to. */
export function commitJson(model: GitHubModel, c: SimCommit): Record<string, unknown> {
  const account = (id: SimIdentity) => (id.login ? userJson(model.user(id.login)) : null);
  const { message, author, committer } = gitCommitJson(c);
  return {
    sha: c.sha,
    node_id: `C_${c.sha}`,
    commit: { message, author, committer },
    author: account(c.author),
    committer: account(c.committer),
    parents: [],
  };
}

export function reviewJson(r: SimReview): Record<string, unknown> {
  return {
    id: r.id,
    node_id: `PRR_${r.id}`,
    user: userJson(r.user),
    body: r.body,
    state: r.state,
    commit_id: r.commit_id,
    submitted_at: r.submitted_at,
  };
}

export function checkRunJson(model: GitHubModel, r: SimCheckRun): Record<string, unknown> {
  return {
    id: r.id,
    node_id: `CR_${r.id}`,
    name: r.name,
    head_sha: r.head_sha,
    status: r.status,
    conclusion: r.conclusion,
    started_at: r.started_at,
    completed_at: r.completed_at,
    output: r.output,
    app: { id: r.app_id, slug: model.appSlug, name: model.appSlug },
    pull_requests: [],
  };
}

export function issueEventJson(e: SimIssueEvent): Record<string, unknown> {
  return {
    id: e.id,
    event: e.event,
    actor: userJson(e.actor),
    created_at: e.created_at,
    ...(e.label ? { label: e.label } : {}),
    ...(e.requested_reviewer ? { requested_reviewer: userJson(e.requested_reviewer), review_requester: userJson(e.actor) } : {}),
    ...(e.requested_team ? { requested_team: e.requested_team, review_requester: userJson(e.actor) } : {}),
  };
}
