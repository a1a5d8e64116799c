// A Probot app wired for tests, real webhook payloads, and a nock-backed fake of the GitHub API
// that records every write so tests can assert the exact requests.
import { generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import examples from "@octokit/webhooks-examples";
import { createCountersign } from "../../src/index.js";
import { createServices, type Services } from "../../src/handlers/services.js";

import { API, APP_ID, CHECK_NAME, CLAUDE_TRAILER, HEAD, INSTALLATION_ID, OLD_HEAD, OWNER, REPO } from "../support/github/constants.js";
import type { SimFile } from "../support/github/model.js";
import { GitHubSession, simCommit, simFile } from "../support/github/session.js";
export { APP_ID, HEAD, INSTALLATION_ID, OLD_HEAD, OWNER, REPO } from "../support/github/constants.js";

let privateKey: string | undefined;
/** One RSA private key per test file (generated once, on first use): what a test app or server signs its JWTs with. */
export function testKey(): string {
  privateKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  return privateKey;
}

export interface TestApp {
  probot: Probot;
  services: Services;
  receive: (name: string, payload: object) => Promise<void>;
}

/**
 * A Probot instance with retries and throttling off (tests assert exact requests) and fresh caches.
 * The policy cache is off unless a test sets POLICY_CACHE_SECONDS: most tests mock one policy read per
 * evaluation. WRITE_SPACING_MS=0: with Probot's throttling off, writes need not be a second apart.
 */
/** The settings every app under test starts from: no write spacing, no retries, no sign-off candidates (see createTestApp). */
export const TEST_APP_ENV: NodeJS.ProcessEnv = {
  APP_ID: String(APP_ID),
  WRITE_SPACING_MS: "0",
  RETRY_ATTEMPTS: "0",
  SIGNOFF_CANDIDATES: "0",
};

/**
 * Probot's Octokit with throttling and retries off, for apps under test. A function default: Probot
 * merges its own throttle options over a plain object, which would turn throttling back on.
 */
export const UnthrottledOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options.throttle as object), enabled: false },
}));

export function createTestApp(env: NodeJS.ProcessEnv = {}, options: { log?: import("probot").Logger } = {}): TestApp {
  // Retries are off too (RETRY_ATTEMPTS: 0) unless a test turns them on: a late retry would make requests no test expects.
  // SIGNOFF_CANDIDATES: 0 unless a test turns it on: listing who could sign off reads team members, which most tests do not mock.
  const services = createServices({ ...TEST_APP_ENV, POLICY_CACHE_SECONDS: "0", ...env });
  const probot = new Probot({
    appId: APP_ID,
    privateKey: testKey(),
    logLevel: "fatal",
    ...(options.log ? { log: options.log } : {}),
    Octokit: UnthrottledOctokit,
  });
  void probot.load(createCountersign(services));
  let delivery = 0;
  return {
    probot,
    services,
    receive: (name, payload) => probot.receive({ id: `test-${++delivery}`, name, payload } as never),
  };
}

type Json = Record<string, unknown>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** The first example payload of an event/action that comes with an installation, re-homed to acme/shop. */
export function example(name: string, action?: string): Json {
  const def = (examples as unknown as Array<{ name: string; examples: Json[] }>).find((d) => d.name === name);
  const matches = def?.examples.filter((e) => action === undefined || e.action === action) ?? [];
  // Not every action has its own example (e.g. pull_request.edited): borrow another and set the action.
  const found = matches.find((e) => e.installation) ?? matches[0] ?? def?.examples.find((e) => e.installation);
  if (!found) throw new Error(`no example payload for ${name}.${action}`);
  const payload = clone(found);
  if (action !== undefined) payload.action = action;
  payload.installation = { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  if (payload.repository) {
    const repo = payload.repository as Json;
    repo.name = REPO;
    repo.full_name = `${OWNER}/${REPO}`;
    (repo.owner as Json).login = OWNER;
  }
  return payload;
}

export interface PullOptions {
  number?: number;
  author?: { login: string; id: number; type?: string };
  body?: string;
  headRef?: string;
  headSha?: string;
  labels?: string[];
  state?: "open" | "closed";
  draft?: boolean;
  additions?: number;
  deletions?: number;
  changedFiles?: number;
  commits?: number;
  requestedReviewers?: string[];
}

/** A pull request as GET /repos/{o}/{r}/pulls/{n} returns it. */
export function pullRequest(o: PullOptions = {}): Json {
  const pr = clone(example("pull_request", "opened").pull_request as Json);
  const user = { login: "alice", id: 1, type: "User", ...o.author };
  Object.assign(pr, {
    number: o.number ?? 7,
    state: o.state ?? "open",
    draft: o.draft ?? false,
    merged: false,
    title: "Change things",
    body: o.body ?? "",
    user,
    labels: (o.labels ?? []).map((name, i) => ({ id: i + 1, name, color: "ededed" })),
    additions: o.additions ?? 10,
    deletions: o.deletions ?? 2,
    changed_files: o.changedFiles ?? 1,
    commits: o.commits ?? 1,
    requested_reviewers: (o.requestedReviewers ?? []).map((login, i) => ({ login, id: 100 + i, type: "User" })),
    requested_teams: [],
  });
  const head = pr.head as Json;
  head.sha = o.headSha ?? HEAD;
  head.ref = o.headRef ?? "feature/x";
  // A branch of acme/shop itself (not a fork), as the example's repository is re-homed.
  if (head.repo) Object.assign(head.repo as Json, { name: REPO, full_name: `${OWNER}/${REPO}` });
  const base = pr.base as Json;
  base.ref = "main";
  (base.repo as Json).default_branch = "main";
  (base.repo as Json).name = REPO;
  return pr;
}

/** A pull_request webhook payload for acme/shop built around a PR. */
export function pullRequestEvent(action: string, pr: Json, extra: Json = {}): Json {
  const payload = example("pull_request", action);
  payload.action = action;
  payload.pull_request = pr;
  payload.number = pr.number;
  return { ...payload, ...extra };
}

/** A changed file as the files list answers for it (the shared model's simFile, with GitHub's `changes`). */
export function file(
  path: string,
  o: { status?: string; additions?: number; deletions?: number; patch?: string; previous?: string } = {},
): Json {
  const f = simFile(path, { additions: 5, ...o, status: (o.status ?? "modified") as SimFile["status"] });
  return { ...f, changes: f.additions + f.deletions };
}

export function commit(
  o: {
    sha?: string;
    message?: string;
    author?: { name: string; email: string; login?: string; id?: number };
    committer?: { name: string; email: string; login?: string; id?: number };
  } = {},
): Json {
  const author = o.author ?? { name: "Alice", email: "alice@example.com", login: "alice", id: 1 };
  const committer = o.committer ?? author;
  const account = (p: typeof author) => (p.login ? { login: p.login, id: p.id ?? 0, type: "User" } : null);
  return {
    sha: o.sha ?? HEAD,
    commit: {
      message: o.message ?? "Change things",
      author: { name: author.name, email: author.email, date: "2026-11-20T10:00:00Z" },
      committer: { name: committer.name, email: committer.email, date: "2026-11-20T10:00:00Z" },
    },
    author: account(author),
    committer: account(committer),
  };
}

export function review(
  login: string,
  state: string,
  o: { id?: number; userId?: number; commitId?: string; at?: string; type?: string } = {},
): Json {
  return {
    id: o.id ?? Math.floor(Math.random() * 1e9),
    user: { login, id: o.userId ?? login.length * 1000 + login.charCodeAt(0), type: o.type ?? "User" },
    state,
    commit_id: o.commitId ?? HEAD,
    submitted_at: o.at ?? "2026-11-21T10:00:00Z",
    body: "",
  };
}

export interface CheckRunRequest {
  method: "POST" | "PATCH";
  path: string;
  body: Json & {
    name?: string;
    head_sha?: string;
    status: string;
    conclusion?: string;
    output: { title: string; summary: string; text?: string; annotations?: Json[] };
  };
}

/**
 * The open PRs of acme/shop by number, with their current head, as every FakeGitHub of a test sets them
 * up with pull(): GET /commits/{sha}/pulls answers from here. Cleared after each test.
 */
const openHeads = new Map<number, () => string>();

export function resetOpenHeads(): void {
  openHeads.clear();
}

/** A PR of acme/shop that is open with this head (for GET /commits/{sha}/pulls). */
export function noteOpenHead(number: number, head: () => string): void {
  openHeads.set(number, head);
}

/** The fake GitHub API: set up reads, then read back what the app wrote. */
export class FakeGitHub {
  readonly api = nock(API);

  readonly checkRuns: CheckRunRequest[] = [];
  readonly labelsAdded: string[][] = [];
  readonly labelsRemoved: string[] = [];
  readonly labelsCreated: Json[] = [];
  readonly comments: string[] = [];
  readonly reactions: string[] = [];
  private readonly repoPath = `/repos/${OWNER}/${REPO}`;

  private readonly noNotes: nock.Interceptor;

  constructor() {
    // Every evaluation asks once per repository whether it has Git AI notes (refs/notes/ai); by
    // default it has none. Optional: a test whose app never evaluates does not ask.
    this.noNotes = this.api.get(/^\/repos\/[^/]+\/[^/]+\/git\/ref\/notes(?:%2F|\/)ai$/);
    this.noNotes.optionally().times(Infinity).reply(404, { message: "Not Found" });
    // The open PRs whose head is a commit: read before a check may pass (every PR with that head must pass).
    // Its own scope: persist() applies to a whole scope, and the other mocks answer once each.
    // Only for a commit that is the head of a PR set up here: a test that mocks this read itself keeps its mock.
    const headOfSomePull = (uri: string) => {
      const sha = /^\/repos\/acme\/shop\/commits\/([0-9a-f]{40})\/pulls/.exec(uri)?.[1];
      return sha !== undefined && [...openHeads.values()].some((head) => head() === sha);
    };
    nock(API)
      .get(headOfSomePull)
      .query(true)
      .optionally()
      .reply((uri) => {
        const sha = /commits\/([0-9a-f]{40})\//.exec(uri)?.[1];
        return [200, [...openHeads].filter(([, head]) => head() === sha).map(([number]) => ({ number, state: "open", head: { sha } }))];
      })
      .persist();
  }

  /** The repository has no Git AI notes, and the app must ask exactly once (not optional). */
  noGitAiNotes(): this {
    nock.removeInterceptor(this.noNotes);
    this.api.get(/^\/repos\/acme\/shop\/git\/ref\/notes(?:%2F|\/)ai$/).reply(404, { message: "Not Found" });
    return this;
  }

  /** Records (and fails with 500) any Git database read: for tests asserting that none is made. */
  gitReadsForbidden(): string[] {
    nock.removeInterceptor(this.noNotes);
    const paths: string[] = [];
    this.api
      .get(/\/git\//)
      .optionally()
      .times(Infinity)
      .reply(function () {
        paths.push(this.req.path);
        return [500, { message: "must not be read" }];
      });
    return paths;
  }

  /**
   * Git AI notes (refs/notes/ai) on commits: the ref, its commit, its tree (git's two-character
   * fan-out) and one blob per note, each read once.
   */
  gitAiNotes(notes: Record<string, string>, o: { notesCommit?: string; tree?: string; truncated?: boolean } = {}): this {
    nock.removeInterceptor(this.noNotes);
    const notesCommit = o.notesCommit ?? "c".repeat(40);
    const tree = o.tree ?? "d".repeat(40);
    this.api
      .get(/^\/repos\/acme\/shop\/git\/ref\/notes(?:%2F|\/)ai$/)
      .reply(200, { ref: "refs/notes/ai", object: { sha: notesCommit, type: "commit" } });
    this.api.get(`${this.repoPath}/git/commits/${notesCommit}`).reply(200, { sha: notesCommit, tree: { sha: tree } });
    const entries = Object.keys(notes).map((sha, i) => ({
      path: `${sha.slice(0, 2)}/${sha.slice(2)}`,
      type: "blob",
      sha: `${i + 1}`.padStart(40, "e"),
      mode: "100644",
    }));
    // `truncated`: GitHub cut the recursive listing short before any of these notes (a tree of 100,000 others).
    if (o.truncated) {
      this.api.get(`${this.repoPath}/git/trees/${tree}`).query({ recursive: "1" }).reply(200, { sha: tree, truncated: true, tree: [] });
      return this;
    }
    this.api.get(`${this.repoPath}/git/trees/${tree}`).query({ recursive: "1" }).reply(200, { sha: tree, truncated: false, tree: entries });
    Object.values(notes).forEach((text, i) => {
      const blob = `${i + 1}`.padStart(40, "e");
      this.api
        .get(`${this.repoPath}/git/blobs/${blob}`)
        .reply(200, { sha: blob, size: text.length, encoding: "base64", content: Buffer.from(text).toString("base64") });
    });
    return this;
  }

  /** A file read raw at a ref (the contents API), e.g. an Agent Trace file at the head. */
  fileAt(path: string, text: string | number, sha = HEAD): this {
    this.api
      .get(`${this.repoPath}/contents/${encodeURIComponent(path)}`)
      .query({ ref: sha })
      .matchHeader("accept", /application\/vnd\.github\.v3\.raw/)
      .reply(typeof text === "number" ? text : 200, typeof text === "number" ? { message: "error" } : text, {
        "content-type": "application/vnd.github.v3.raw; charset=utf-8",
      });
    return this;
  }

  /** The installation token; Probot asks once per app instance. */
  token(): this {
    this.api
      .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
      .reply(201, { token: "test-token", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
    return this;
  }

  /** The PR and its files, commits and reviews (one page each). */
  pull(pr: Json, data: { files?: Json[]; commits?: Json[]; reviews?: Json[] } = {}, times = 1): this {
    const n = pr.number as number;
    const p = `${this.repoPath}/pulls/${n}`;
    const headSha = (pr.head as Json).sha as string;
    if (pr.state === "open") noteOpenHead(n, () => headSha);
    this.api.get(p).times(times).reply(200, pr);
    this.api
      .get(`${p}/files`)
      .query(true)
      .times(times)
      .reply(200, data.files ?? [file("src/app.ts")]);
    this.api
      .get(`${p}/commits`)
      .query(true)
      .times(times)
      .reply(200, data.commits ?? [commit({ sha: (pr.head as Json).sha as string })]);
    this.api
      .get(`${p}/reviews`)
      .query(true)
      .times(times)
      .reply(200, data.reviews ?? []);
    return this;
  }

  /**
   * The reads every first round makes, in one call: the token, the PR with its files, commits and
   * reviews, the policy (`yaml`; none in the repository or the organisation when absent) and our
   * check runs on the head (none).
   */
  evaluating(pr: Json, data: { files?: Json[]; commits?: Json[]; reviews?: Json[] } = {}, yaml?: string): this {
    this.token().pull(pr, data);
    return (yaml === undefined ? this.noPolicy() : this.policy(yaml)).existingChecks();
  }

  /** No policy in the repository nor in the organisation's .github repository. */
  noPolicy(times = 1): this {
    this.api.get(`${this.repoPath}/contents/.github%2Fcountersign.yml`).times(times).reply(404, { message: "Not Found" });
    this.api.get(`/repos/${OWNER}/.github/contents/.github%2Fcountersign.yml`).times(times).reply(404, { message: "Not Found" });
    return this;
  }

  /** The repository's policy file on the default branch. */
  policy(yaml: string, times = 1): this {
    this.api
      .get(`${this.repoPath}/contents/.github%2Fcountersign.yml`)
      .times(times)
      .reply(200, yaml, { "content-type": "application/vnd.github.v3.raw; charset=utf-8" });
    return this;
  }

  /** Our existing check runs on a commit (none by default). */
  existingChecks(runs: Json[] = [], sha = HEAD, times = 1): this {
    this.api
      .get(`${this.repoPath}/commits/${sha}/check-runs`)
      .query(true)
      .times(times)
      .reply(200, { total_count: runs.length, check_runs: runs });
    return this;
  }

  labelEvents(events: Json[] = [], number = 7): this {
    this.api.get(`${this.repoPath}/issues/${number}/events`).query(true).reply(200, events);
    return this;
  }

  membership(team: string, login: string, state: "active" | "pending" | 404 | 403 | 500): this {
    const [org, slug] = team.replace(/^@/, "").split("/");
    const scope = this.api.get(`/orgs/${org}/teams/${slug}/memberships/${login}`);
    if (typeof state === "number") scope.reply(state, { message: "nope" });
    else scope.reply(200, { state, role: "member", url: "" });
    return this;
  }

  permission(login: string, permission: "admin" | "maintain" | "write" | "read" | "none"): this {
    const perms = {
      admin: permission === "admin",
      maintain: permission === "admin" || permission === "maintain",
      push: ["admin", "maintain", "write"].includes(permission),
      triage: permission !== "none" && permission !== "read",
      pull: permission !== "none",
    };
    this.api.get(`${this.repoPath}/collaborators/${login}/permission`).reply(200, {
      permission: permission === "maintain" ? "write" : permission,
      role_name: permission,
      user: { login, permissions: perms },
    });
    return this;
  }

  /** Labels the repository already has (GET /labels/{name} answers 200), or lacks (404, then created). */
  labelExists(name: string): this {
    this.api.get(`${this.repoPath}/labels/${encodeURIComponent(name)}`).reply(200, { name });
    return this;
  }

  labelMissing(name: string): this {
    this.api.get(`${this.repoPath}/labels/${encodeURIComponent(name)}`).reply(404, { message: "Not Found" });
    this.api.post(`${this.repoPath}/labels`, (body: Json) => (this.labelsCreated.push(body), true)).reply(201, {});
    return this;
  }

  addLabels(number = 7, status = 200): this {
    this.api
      .post(`${this.repoPath}/issues/${number}/labels`, (body: { labels: string[] }) => (this.labelsAdded.push(body.labels), true))
      .reply(status, status < 300 ? [] : { message: "Resource not accessible by integration" });
    return this;
  }

  removeLabel(name: string, number = 7): this {
    this.api
      .delete(`${this.repoPath}/issues/${number}/labels/${encodeURIComponent(name)}`)
      .reply(200, () => (this.labelsRemoved.push(name), []));
    return this;
  }

  /** Accept one check-run write (create or update) and record it. */
  expectCheckRun(method: "POST" | "PATCH" = "POST", id = 9001): this {
    const record = (path: string) => (body: CheckRunRequest["body"]) => (this.checkRuns.push({ method, path, body }), true);
    if (method === "POST") this.api.post(`${this.repoPath}/check-runs`, record("check-runs")).reply(201, { id });
    else this.api.patch(`${this.repoPath}/check-runs/${id}`, record(`check-runs/${id}`)).reply(200, { id });
    return this;
  }

  expectComment(number = 7): this {
    this.api
      .post(`${this.repoPath}/issues/${number}/comments`, (body: { body: string }) => (this.comments.push(body.body), true))
      .reply(201, { id: 1 });
    return this;
  }

  expectReaction(commentId: number): this {
    this.api
      .post(
        `${this.repoPath}/issues/comments/${commentId}/reactions`,
        (body: { content: string }) => (this.reactions.push(body.content), true),
      )
      .reply(201, {});
    return this;
  }

  /** Bodies of POST /pulls/{n}/requested_reviewers, in order. */
  readonly reviewRequests: Array<{ reviewers?: string[]; team_reviewers?: string[] }> = [];

  /** Accept one review request (or fail it with `status`) and record its body. */
  expectReviewRequest(number = 7, status = 201): this {
    this.api
      .post(
        `${this.repoPath}/pulls/${number}/requested_reviewers`,
        (body: { reviewers?: string[]; team_reviewers?: string[] }) => (this.reviewRequests.push(body), true),
      )
      .reply(status, status < 300 ? {} : { message: "Reviews may only be requested from collaborators." });
    return this;
  }

  /** The policy file as the PR proposes it, read raw at the head SHA (`status` 404: the PR deletes it). */
  proposedPolicy(yaml: string, sha = HEAD, status = 200): this {
    this.api
      .get(`${this.repoPath}/contents/.github%2Fcountersign.yml`)
      .query({ ref: sha })
      .matchHeader("accept", /application\/vnd\.github\.v3\.raw/)
      .reply(status, status === 200 ? yaml : { message: "Not Found" }, { "content-type": "application/vnd.github.v3.raw; charset=utf-8" });
    return this;
  }

  /** The open pull requests of a repository of acme, as GET /repos/{o}/{r}/pulls?state=open lists them. */
  openPulls(pulls: Array<{ number: number; headSha: string }>, repo = REPO): this {
    this.api
      .get(`/repos/${OWNER}/${repo}/pulls`)
      .query({ state: "open", per_page: 100 })
      .reply(
        200,
        pulls.map((p) => ({ number: p.number, state: "open", head: { sha: p.headSha } })),
      );
    return this;
  }

  /** The repository's push log for the PR's branch: the push that made `sha` the head, at `at` (before the comments' 12:00). */
  headPushed(at = "2026-11-21T11:00:00Z", sha = HEAD, ref = "feature/x"): this {
    this.api
      .get(`${this.repoPath}/activity`)
      .query({ ref: `refs/heads/${ref}`, per_page: 10 })
      .reply(200, [{ id: 1, before: OLD_HEAD, after: sha, ref: `refs/heads/${ref}`, timestamp: at, activity_type: "push" }]);
    return this;
  }

  get lastCheck(): CheckRunRequest["body"] {
    const last = this.checkRuns[this.checkRuns.length - 1];
    if (!last) throw new Error("no check run was written");
    return last.body;
  }
}

/** A check run of ours as GET /commits/{sha}/check-runs lists it. */
export function existingCheckRun(o: {
  id?: number;
  status: string;
  conclusion?: string | null;
  title: string;
  summary: string;
  text?: string;
  sha?: string;
  appId?: number;
}): Json {
  return {
    id: o.id ?? 9001,
    name: CHECK_NAME,
    head_sha: o.sha ?? HEAD,
    status: o.status,
    conclusion: o.conclusion ?? null,
    output: { title: o.title, summary: o.summary, text: o.text ?? null },
    app: { id: o.appId ?? APP_ID },
  };
}

/** An issue_comment webhook for acme/shop, on PR #7 unless told otherwise. */
export function issueCommentEvent(
  body: string,
  o: {
    action?: string;
    login?: string;
    userId?: number;
    type?: string;
    commentId?: number;
    number?: number;
    onPullRequest?: boolean;
    state?: "open" | "closed";
  } = {},
): Json {
  const payload = example("issue_comment", o.action ?? "created");
  const issue = payload.issue as Json;
  const number = o.number ?? 7;
  Object.assign(issue, { number, state: o.state ?? "open" });
  if (o.onPullRequest ?? true) {
    issue.pull_request = {
      url: `${API}/repos/${OWNER}/${REPO}/pulls/${number}`,
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${number}`,
      diff_url: null,
      patch_url: null,
    };
  } else {
    delete issue.pull_request;
  }
  const comment = payload.comment as Json;
  Object.assign(comment, {
    id: o.commentId ?? 5150,
    body,
    created_at: "2026-11-21T12:00:00Z",
    user: { ...(comment.user as Json), login: o.login ?? "carol", id: o.userId ?? 3, type: o.type ?? "User" },
  });
  return payload;
}

/** A push webhook to a repository of acme (acme/shop unless told), each commit touching the given paths. */
export function pushEvent(
  o: {
    ref?: string;
    repo?: string;
    defaultBranch?: string;
    commits?: Array<{ added?: string[]; modified?: string[]; removed?: string[] }>;
  } = {},
): Json {
  const payload = example("push");
  const repo = o.repo ?? REPO;
  const repository = payload.repository as Json;
  Object.assign(repository, { name: repo, full_name: `${OWNER}/${repo}`, default_branch: o.defaultBranch ?? "main" });
  Object.assign(repository.owner as Json, { login: OWNER, name: OWNER });
  payload.ref = o.ref ?? `refs/heads/${o.defaultBranch ?? "main"}`;
  payload.commits = (o.commits ?? [{ modified: [".github/countersign.yml"] }]).map((c, i) => ({
    id: `${i + 1}`.repeat(40).slice(0, 40),
    message: "Update policy",
    added: c.added ?? [],
    modified: c.modified ?? [],
    removed: c.removed ?? [],
  }));
  return payload;
}

/** An issue event (GET /issues/{n}/events) adding or removing a label. */
export function labelEvent(
  event: "labeled" | "unlabeled",
  label: string,
  actor: { login: string; id: number; type?: string },
  at = "2026-11-20T11:00:00Z",
): Json {
  return {
    id: Math.floor(Math.random() * 1e9),
    event,
    created_at: at,
    actor: { type: "User", ...actor },
    label: { name: label, color: "ededed" },
  };
}

/** An issue event (GET /issues/{n}/events) requesting review, or withdrawing the request, from a person or a team slug. */
export function reviewRequestEvent(
  event: "review_requested" | "review_request_removed",
  reviewer: { login: string } | { team: string },
  actor: { login: string; id: number; type?: string },
  at = "2026-11-20T11:00:00Z",
): Json {
  const who =
    "team" in reviewer
      ? { requested_team: { slug: reviewer.team, name: reviewer.team } }
      : { requested_reviewer: { login: reviewer.login, id: 500, type: "User" } };
  return { id: Math.floor(Math.random() * 1e9), event, created_at: at, actor: { type: "User", ...actor }, review_requester: actor, ...who };
}

/** A commit SHA of a test's sequence of heads. */
export const sha = (i: number): string => i.toString(16).padStart(40, "c");

/** What the shared model answers in a live repository; FakeGitHub's exact mocks answer the rest (token, policy, permissions). */
const LIVE_ROUTES = [
  "pulls.get",
  "pulls.listFiles",
  "pulls.listCommits",
  "pulls.listReviews",
  "repos.listPullRequestsAssociatedWithCommit",
  // The PR's history: an approval counts only on the base it was given on (base_ref_changed).
  "issues.listEvents",
  "checks.listForRef",
  "checks.create",
  "checks.update",
  // Closing check writes that wait together go as one GraphQL request of check-run mutations.
  "graphql",
];

/**
 * A live repository for scale tests: PRs of the shared model (one AI-assisted commit each, labelled
 * ai-assisted and risk:low) whose head and reviews change while events arrive, and check runs that are
 * stored and listed back, so consecutive evaluations see each other's writes. No policy (approvals by
 * maintainers), with `bob` an admin; those and the installation token are FakeGitHub's exact mocks.
 */
export function liveRepo(numbers: number[] = [7], replicas = 1) {
  const gh = new FakeGitHub().token();
  // Another replica asks for its own token only if it ends up evaluating (it may be covered by the first).
  for (let i = 1; i < replicas; i++) {
    gh.api
      .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
      .optionally()
      .reply(201, { token: "test-token", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
  }
  const github = new GitHubSession().install({ routes: LIVE_ROUTES });
  const pulls = numbers.map((number) =>
    github.addPull({
      number,
      headRef: `feature/${number}`,
      labels: ["ai-assisted", "risk:low"],
      files: [simFile("src/app.ts", { additions: 5 })],
      commits: [simCommit({ sha: HEAD, message: `Change\n\n${CLAUDE_TRAILER}` })],
    }),
  );
  gh.api.get(`/repos/${OWNER}/${REPO}/contents/.github%2Fcountersign.yml`).optionally().reply(404, {}).persist();
  gh.api.get("/repos/acme/.github/contents/.github%2Fcountersign.yml").optionally().reply(404, {}).persist();
  gh.api
    .get(`/repos/${OWNER}/${REPO}/collaborators/bob/permission`)
    .optionally()
    .reply(200, {
      permission: "admin",
      role_name: "admin",
      user: { login: "bob", permissions: { admin: true, maintain: true, push: true, triage: true, pull: true } },
    })
    .persist();
  return { gh, github, pulls };
}
