// A stateful fake of the GitHub REST API for the adversarial tests: one repository (acme/shop) with
// pull requests, a policy, teams, permissions, labels and check runs, answering every endpoint
// Countersign calls from that state, and recording every request. Unlike FakeGitHub (exact mocks,
// one per expected request), it lets a test play a sequence of events against a changing GitHub and
// assert what matters for the gate: the latest check run on the head, and which requests were made.
// Faults (statuses, rate-limit headers, network errors, slow answers) are injected per request.
// It answers through the shared nock transport (test/support/github/nock.ts) with the shared
// pagination and constants; its own state and endpoint handlers (policy and file contents with
// error statuses, memberships that fail, push activity) are not yet the shared model's.
import { example, pullRequest, pullRequestEvent } from "../helpers/github.js";
import { interceptGitHub, type NockAnswer } from "../support/github/nock.js";
import { paginate } from "../support/github/pagination.js";
import {
  ALICE,
  API,
  APP_BOT,
  APP_ID,
  BOB,
  CAROL,
  CHECK_NAME,
  CLAUDE_TRAILER,
  DAVE,
  HEAD,
  INSTALLATION_ID,
  MALLORY,
  OWNER,
  REPO,
  type SimUser,
} from "../support/github/constants.js";

type Json = Record<string, unknown>;

export { ALICE, BOB, CAROL, DAVE, MALLORY, APP_BOT, type SimUser };

export interface StatePull {
  number: number;
  state: "open" | "closed";
  merged: boolean;
  draft: boolean;
  author: SimUser;
  title: string;
  body: string;
  headSha: string;
  headRef: string;
  baseRef: string;
  labels: string[];
  files: Json[];
  commits: Json[];
  reviews: Json[];
  /** The issue's events (labeled, unlabeled, review_requested, …), oldest first. */
  events: Json[];
  /** What the PR says its totals are (GitHub's lists stop at 3000 files and 250 commits). */
  changedFiles?: number;
  commitCount?: number;
  requestedReviewers: string[];
  requestedTeams: string[];
}

export interface StateCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output: { title: string; summary: string; text: string | null };
  app: { id: number };
}

export interface StateRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  status?: number;
  /** True when no route of the fake knew the request (answered 404). */
  unknown?: boolean;
  fault?: string;
}

export interface Fault {
  name: string;
  when: (req: StateRequest) => boolean;
  /** How many matching requests it applies to; Infinity by default. */
  times?: number;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A network error (e.g. ETIMEDOUT) instead of an answer. */
  error?: string;
  /**
   * Answer this much later. Without `status`, the normal answer is read from the state at once and
   * arrives late (a slow network: what arrives may be stale by then).
   */
  delayMs?: number;
}

export type Membership = "active" | "pending" | 403 | 404 | 500;
export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

let shaCounter = 0;
/** A fresh 40-hex commit SHA. */
export function newSha(): string {
  shaCounter++;
  return shaCounter.toString(16).padStart(8, "0").repeat(5);
}

export function simFile(
  path: string,
  o: { status?: string; additions?: number; deletions?: number; patch?: string | null; previous?: string } = {},
): Json {
  const additions = o.additions ?? 3;
  const deletions = o.deletions ?? 1;
  return {
    sha: "f".repeat(40),
    filename: path,
    status: o.status ?? "modified",
    additions,
    deletions,
    changes: additions + deletions,
    ...(o.patch === null ? {} : { patch: o.patch ?? "@@ -1 +1 @@\n-old\n+new" }),
    ...(o.previous ? { previous_filename: o.previous } : {}),
  };
}

export interface CommitSpec {
  sha?: string;
  message?: string;
  /** GitHub could not link the git author to an account (author: null in the API). */
  unlinked?: boolean;
  author?: SimUser & { name?: string; email?: string };
  committer?: SimUser & { name?: string; email?: string };
}

export function simCommit(o: CommitSpec = {}): Json {
  const author = o.author ?? ALICE;
  const committer = o.committer ?? author;
  const git = (u: SimUser & { name?: string; email?: string }) => ({
    name: u.name ?? u.login,
    email: u.email ?? `${u.login}@example.com`,
    date: "2026-11-20T10:00:00Z",
  });
  const account = (u: SimUser) => ({ login: u.login, id: u.id, type: u.type ?? "User" });
  return {
    sha: o.sha ?? newSha(),
    commit: { message: o.message ?? "Change things", author: git(author), committer: git(committer) },
    author: o.unlinked ? null : account(author),
    committer: o.unlinked ? null : account(committer),
  };
}

export const CLAUDE_MESSAGE = `Add retry to checkout\n\n${CLAUDE_TRAILER}`;

let reviewId = 1000;
let clock = Date.parse("2026-11-21T10:00:00Z");
/** A strictly increasing timestamp, so reviews and events keep the order they were made in. */
export function tick(): string {
  clock += 60_000;
  return new Date(clock).toISOString();
}

export class GitHubState {
  readonly requests: StateRequest[] = [];
  readonly pulls = new Map<number, StatePull>();
  /** The repository's policy on the default branch: YAML, an HTTP status, or undefined (404). */
  repoPolicy: string | number | undefined;
  /** The organisation's policy (acme/.github), same shapes. */
  orgPolicy: string | number | undefined;
  /** The policy file at a commit (what a PR proposes), by SHA. */
  readonly policyAt = new Map<string, string>();
  /**
   * Other files of acme's repositories: "repo:path" on the default branch, "repo:path@sha" at a commit;
   * text, or an HTTP status to answer with.
   */
  readonly contents = new Map<string, string | number>();
  /**
   * Files as the contents API's JSON form returns them ("repo:path@sha"): text (sent base64, with its
   * size), an HTTP status, or { size } for a file too large to be sent inline.
   */
  readonly blobs = new Map<string, string | number | { size: number }>();
  readonly teams = new Map<string, Map<string, Membership>>();
  readonly permissions = new Map<string, Permission | number>();
  readonly repoLabels = new Set<string>(["ai-assisted", "risk:low", "risk:medium", "risk:high", "risk:critical"]);
  readonly checkRuns: StateCheckRun[] = [];
  readonly comments: Array<{ issue: number; body: string }> = [];
  readonly reactions: Array<{ comment: number; content: string }> = [];
  readonly reviewRequests: Array<{ number: number; reviewers: string[]; teams: string[] }> = [];
  readonly faults: Fault[] = [];
  /** Emails GitHub links to accounts (a verified email of the user): GraphQL Commit.authors answers with them. */
  readonly emailAccounts = new Map<string, SimUser>();
  /** The repository's push log (GET /repos/{o}/{r}/activity), oldest first. */
  readonly activity: Json[] = [];
  private nextCheckId = 5000;

  /** Answer every request to the API from this state (until nock.cleanAll(), which the test setup runs after each test). */
  install(): this {
    interceptGitHub(({ method, url, body }, done) => this.handle(method, url, body, done));
    return this;
  }

  addPull(o: Partial<StatePull> = {}): StatePull {
    const headSha = o.headSha ?? HEAD;
    const pull: StatePull = {
      number: 7,
      state: "open",
      merged: false,
      draft: false,
      author: ALICE,
      title: "Change things",
      body: "",
      headSha,
      headRef: "feature/x",
      baseRef: "main",
      labels: [],
      files: [simFile("src/app.ts")],
      commits: [simCommit({ sha: headSha })],
      reviews: [],
      events: [],
      requestedReviewers: [],
      requestedTeams: [],
      ...o,
    };
    this.pulls.set(pull.number, pull);
    this.activity.push({
      id: ++reviewId,
      before: "0".repeat(40),
      after: headSha,
      ref: `refs/heads/${pull.headRef}`,
      timestamp: "2026-11-20T10:00:00Z",
      activity_type: "push",
    });
    return pull;
  }

  pull(number = 7): StatePull {
    const pull = this.pulls.get(number);
    if (!pull) throw new Error(`no pull request #${number}`);
    return pull;
  }

  /** A push to the PR's branch: a new head commit (a force-push replaces the commits). */
  push(number = 7, commit: CommitSpec = {}, o: { force?: boolean } = {}): string {
    const pull = this.pull(number);
    const sha = commit.sha ?? newSha();
    const c = simCommit({ ...commit, sha });
    pull.commits = o.force ? [c] : [...pull.commits, c];
    this.activity.push({
      id: ++reviewId,
      before: pull.headSha,
      after: sha,
      ref: `refs/heads/${pull.headRef}`,
      timestamp: tick(),
      activity_type: o.force ? "force_push" : "push",
    });
    pull.headSha = sha;
    return sha;
  }

  review(number: number, user: SimUser, state: string, o: { commitId?: string; at?: string } = {}): Json {
    const pull = this.pull(number);
    const r = {
      id: ++reviewId,
      user: { ...user, type: user.type ?? "User" },
      state,
      commit_id: o.commitId ?? pull.headSha,
      submitted_at: o.at ?? tick(),
      body: "",
    };
    pull.reviews.push(r);
    return r;
  }

  /** A person (not the app) removes or adds a label, as the issue's events record it. */
  label(number: number, action: "labeled" | "unlabeled", label: string, actor: SimUser): void {
    const pull = this.pull(number);
    if (action === "unlabeled") pull.labels = pull.labels.filter((l) => l.toLowerCase() !== label.toLowerCase());
    else if (!pull.labels.some((l) => l.toLowerCase() === label.toLowerCase())) pull.labels.push(label);
    pull.events.push({
      id: ++reviewId,
      event: action,
      created_at: tick(),
      actor: { ...actor, type: actor.type ?? "User" },
      label: { name: label, color: "ededed" },
    });
  }

  team(team: string, members: Record<string, Membership>): this {
    this.teams.set(team.replace(/^@/, "").toLowerCase(), new Map(Object.entries(members).map(([k, v]) => [k.toLowerCase(), v])));
    return this;
  }

  permission(login: string, permission: Permission | number): this {
    this.permissions.set(login.toLowerCase(), permission);
    return this;
  }

  fault(f: Fault): this {
    this.faults.push(f);
    return this;
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  // ---- what the app did -------------------------------------------------------------------

  /** Our latest check run on a commit (the one branch protection reads). */
  check(sha?: string, number = 7): StateCheckRun | undefined {
    const head = sha ?? this.pull(number).headSha;
    return this.checkRuns.filter((r) => r.name === CHECK_NAME && r.head_sha === head && r.app.id === APP_ID).sort((a, b) => b.id - a.id)[0];
  }

  /** The writes (anything but GET), as "METHOD path". */
  get writes(): string[] {
    return this.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);
  }

  get unknownRequests(): string[] {
    return this.requests.filter((r) => r.unknown).map((r) => `${r.method} ${r.path}`);
  }

  requestsTo(pattern: RegExp): StateRequest[] {
    return this.requests.filter((r) => pattern.test(r.path));
  }

  // ---- webhook payloads from the state ------------------------------------------------------

  pullJson(number = 7): Json {
    const p = this.pull(number);
    const additions = p.files.reduce((n, f) => n + Number(f.additions ?? 0), 0);
    const deletions = p.files.reduce((n, f) => n + Number(f.deletions ?? 0), 0);
    const json = pullRequest({
      number: p.number,
      author: { ...p.author, type: p.author.type ?? "User" },
      body: p.body,
      headRef: p.headRef,
      headSha: p.headSha,
      labels: p.labels,
      state: p.state,
      draft: p.draft,
      additions,
      deletions,
      changedFiles: p.changedFiles ?? p.files.length,
      commits: p.commitCount ?? p.commits.length,
      requestedReviewers: p.requestedReviewers,
    });
    json.title = p.title;
    json.requested_teams = p.requestedTeams.map((slug, i) => ({ id: 700 + i, slug, name: slug }));
    json.merged = p.merged;
    (json.base as Json).ref = p.baseRef;
    return json;
  }

  pullEvent(action: string, number = 7, extra: Json = {}): Json {
    return pullRequestEvent(action, this.pullJson(number), extra);
  }

  reviewEvent(action: "submitted" | "edited" | "dismissed", review: Json, number = 7): Json {
    const payload = example("pull_request_review", action);
    payload.action = action;
    payload.pull_request = this.pullJson(number);
    payload.review = { ...(payload.review as Json), ...review };
    return payload;
  }

  // ---- the fake API -------------------------------------------------------------------------

  private handle(method: string, url: URL, body: unknown, cb: (err: NodeJS.ErrnoException | null, result?: NockAnswer) => void): void {
    const req: StateRequest = { method, path: url.pathname, query: url.searchParams, body };
    this.requests.push(req);
    const fault = this.faults.find((f) => (f.times === undefined || f.times > 0) && f.when(req));
    if (fault?.times !== undefined) fault.times--;
    const answer = () => {
      if (fault) {
        req.fault = fault.name;
        if (fault.error) {
          cb(Object.assign(new Error(fault.error), { code: fault.error.split(" ")[0] }));
          return;
        }
        if (fault.status !== undefined) {
          req.status = fault.status;
          cb(null, [fault.status, fault.body ?? { message: `fault: ${fault.name}` }, fault.headers ?? {}]);
          return;
        }
      }
      req.status = normal[0];
      cb(null, normal);
    };
    let normal: [number, unknown, Record<string, string>] = [500, {}, {}];
    const read = () => {
      try {
        const [status, data, headers] = this.route(method, url, body, req);
        // A copy, as GitHub's answer is: a late answer shows the state it was read in.
        normal = [status, typeof data === "string" ? data : (JSON.parse(JSON.stringify(data ?? null)) as unknown), headers];
      } catch (err) {
        normal = [500, { message: `fake GitHub failed: ${(err as Error).message}` }, {}];
      }
    };
    if (!fault || (fault.status === undefined && !fault.error)) read();
    if (fault?.delayMs) setTimeout(answer, fault.delayMs);
    else answer();
  }

  private route(method: string, url: URL, body: unknown, req: StateRequest): [number, unknown, Record<string, string>] {
    const seg = url.pathname.split("/").slice(1).map(decodeURIComponent);
    const q = url.searchParams;
    const json = (status: number, data: unknown, headers: Record<string, string> = {}): [number, unknown, Record<string, string>] => [
      status,
      data,
      headers,
    ];
    const notFound = () => json(404, { message: "Not Found" });
    const b = (body ?? {}) as Json;

    if (method === "POST" && seg[0] === "app" && seg[1] === "installations" && seg[3] === "access_tokens") {
      return json(201, { token: "test-token", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
    }
    if (method === "GET" && seg[0] === "installation" && seg[1] === "repositories") {
      return json(200, { total_count: 1, repositories: [{ id: 1, name: REPO, full_name: `${OWNER}/${REPO}`, owner: { login: OWNER } }] });
    }
    if (method === "POST" && seg[0] === "graphql") {
      // Commit.authors for the aliased objects: the git author, then each Co-authored-by trailer, linked by email.
      const query = String(b.query ?? "");
      const repository: Json = {};
      for (const m of query.matchAll(/(c\d+): object\(oid: "([0-9a-f]{40})"\)/g)) {
        const c = [...this.pulls.values()].flatMap((p) => p.commits).find((x) => x.sha === m[2]) as
          | { commit: { message: string; author: { email: string } } }
          | undefined;
        if (!c) {
          repository[m[1]!] = null;
          continue;
        }
        const emails = [c.commit.author.email, ...[...c.commit.message.matchAll(/^co-authored-by:.*<([^>]+)>/gim)].map((t) => t[1]!)];
        const nodes = emails.map((email) => {
          const user = this.emailAccounts.get(email.toLowerCase());
          return { email, user: user ? { login: user.login, databaseId: user.id } : null };
        });
        repository[m[1]!] = { authors: { nodes } };
      }
      return json(200, { data: { repository } });
    }
    if (seg[0] === "orgs" && seg[2] === "teams" && seg[4] === "memberships" && method === "GET") {
      const m = this.teams.get(`${seg[1]}/${seg[3]}`.toLowerCase())?.get((seg[5] ?? "").toLowerCase());
      if (m === undefined || m === 404) return notFound();
      if (typeof m === "number") return json(m, { message: m === 403 ? "Resource not accessible by integration" : "Server Error" });
      return json(200, { state: m, role: "member", url: "" });
    }
    if (seg[0] !== "repos" || seg[1] !== OWNER) {
      req.unknown = true;
      return notFound();
    }
    const repo = seg[2];
    const rest = seg.slice(3);
    // The policy file: the organisation's .github repository, or ours (on the default branch, or at a ref).
    if (method === "GET" && rest[0] === "contents") {
      const path = rest.slice(1).join("/");
      const ref = q.get("ref");
      const raw = { "content-type": "application/vnd.github.v3.raw; charset=utf-8" };
      const blob = this.blobs.get(`${repo}:${path}@${ref ?? "main"}`);
      if (typeof blob === "number") return json(blob, { message: "error" });
      if (typeof blob === "string") {
        const bytes = Buffer.from(blob, "utf8");
        return json(200, { type: "file", path, size: bytes.length, encoding: "base64", content: bytes.toString("base64") });
      }
      if (blob !== undefined) return json(200, { type: "file", path, size: blob.size, encoding: "none", content: "" });
      const other = this.contents.get(`${repo}:${path}${ref !== null && ref !== "main" ? `@${ref}` : ""}`);
      if (typeof other === "number") return json(other, { message: other === 403 ? "Resource not accessible by integration" : "error" });
      if (other !== undefined) return json(200, other, raw);
      if (path !== ".github/countersign.yml") return notFound();
      if (ref !== null && ref !== "main") {
        const text = repo === REPO ? this.policyAt.get(ref) : undefined;
        return text === undefined ? notFound() : json(200, text, raw);
      }
      const policy = repo === ".github" ? this.orgPolicy : repo === REPO ? this.repoPolicy : undefined;
      if (policy === undefined) return notFound();
      if (typeof policy === "number") return json(policy, { message: policy === 403 ? "Resource not accessible by integration" : "error" });
      return json(200, policy, raw);
    }
    if (repo !== REPO) {
      req.unknown = true;
      return notFound();
    }
    // Git AI notes (refs/notes/ai): this repository has none.
    if (method === "GET" && rest[0] === "git" && rest[1] === "ref" && rest.slice(2).join("/") === "notes/ai") return notFound();
    const [a, b1, c, d] = rest;
    if (a === "pulls" && method === "GET" && b1 === undefined) {
      const open = [...this.pulls.values()].filter((p) => q.get("state") !== "open" || p.state === "open");
      return json(
        200,
        open.map((p) => this.pullJson(p.number)),
      );
    }
    if (a === "pulls" && b1 !== undefined) {
      const pull = this.pulls.get(Number(b1));
      if (!pull) return notFound();
      if (method === "GET" && c === undefined) return json(200, this.pullJson(pull.number));
      if (method === "GET" && c === "files") return this.page(pull.files, q, req);
      if (method === "GET" && c === "commits") return this.page(pull.commits, q, req);
      if (method === "GET" && c === "reviews") return this.page(pull.reviews, q, req);
      if (method === "POST" && c === "requested_reviewers") {
        const reviewers = (b.reviewers as string[] | undefined) ?? [];
        const teams = (b.team_reviewers as string[] | undefined) ?? [];
        this.reviewRequests.push({ number: pull.number, reviewers, teams });
        for (const login of reviewers) {
          if (!pull.requestedReviewers.includes(login)) pull.requestedReviewers.push(login);
          pull.events.push({
            id: ++reviewId,
            event: "review_requested",
            created_at: tick(),
            actor: APP_BOT,
            requested_reviewer: { login, id: 500, type: "User" },
          });
        }
        for (const slug of teams) {
          if (!pull.requestedTeams.includes(slug)) pull.requestedTeams.push(slug);
          pull.events.push({
            id: ++reviewId,
            event: "review_requested",
            created_at: tick(),
            actor: APP_BOT,
            requested_team: { slug, name: slug },
          });
        }
        return json(201, {});
      }
    }
    if (a === "activity" && method === "GET") {
      const ref = q.get("ref");
      const entries = this.activity.filter((e) => ref === null || e.ref === ref || e.ref === `refs/heads/${ref}`).reverse();
      return json(200, entries.slice(0, Number(q.get("per_page") ?? 30) || 30));
    }
    if (a === "git" && b1 === "commits" && c !== undefined && method === "GET") {
      const found = [...this.pulls.values()].flatMap((p) => p.commits).find((x) => x.sha === c) as
        | { sha: string; commit: Json }
        | undefined;
      return found ? json(200, { sha: found.sha, ...found.commit }) : notFound();
    }
    if (a === "commits" && b1 !== undefined && c === "check-runs" && method === "GET") {
      const name = q.get("check_name");
      const appId = q.get("app_id");
      const runs = this.checkRuns
        .filter((r) => r.head_sha === b1 && (name === null || r.name === name) && (appId === null || String(r.app.id) === appId))
        .sort((x, y) => y.id - x.id);
      return json(200, { total_count: runs.length, check_runs: runs });
    }
    if (a === "commits" && b1 !== undefined && c === "pulls" && method === "GET") {
      return json(
        200,
        [...this.pulls.values()].filter((p) => p.headSha === b1).map((p) => this.pullJson(p.number)),
      );
    }
    if (a === "check-runs" && method === "POST" && b1 === undefined) {
      const run: StateCheckRun = {
        id: ++this.nextCheckId,
        name: String(b.name),
        head_sha: String(b.head_sha),
        status: String(b.status ?? "queued"),
        conclusion: (b.conclusion as string | undefined) ?? null,
        output: { title: "", summary: "", text: null, ...(b.output as Json) } as StateCheckRun["output"],
        app: { id: APP_ID },
      };
      this.checkRuns.push(run);
      return json(201, run);
    }
    if (a === "check-runs" && method === "PATCH" && b1 !== undefined) {
      const run = this.checkRuns.find((r) => r.id === Number(b1));
      if (!run) return notFound();
      if (b.status !== undefined) run.status = String(b.status);
      if (b.conclusion !== undefined) run.conclusion = b.conclusion as string;
      if (b.output !== undefined) run.output = { title: "", summary: "", text: null, ...(b.output as Json) } as StateCheckRun["output"];
      return json(200, run);
    }
    if (a === "issues" && b1 !== undefined && b1 !== "comments") {
      const pull = this.pulls.get(Number(b1));
      if (!pull) return notFound();
      if (method === "GET" && c === "events") return this.page(pull.events, q, req);
      if (method === "POST" && c === "labels") {
        for (const label of (b.labels as string[]) ?? []) {
          if (!pull.labels.some((l) => l.toLowerCase() === label.toLowerCase())) {
            pull.labels.push(label);
            pull.events.push({
              id: ++reviewId,
              event: "labeled",
              created_at: tick(),
              actor: APP_BOT,
              label: { name: label, color: "ededed" },
            });
          }
        }
        return json(
          200,
          pull.labels.map((name) => ({ name })),
        );
      }
      if (method === "DELETE" && c === "labels" && d !== undefined) {
        const before = pull.labels.length;
        pull.labels = pull.labels.filter((l) => l !== d);
        if (pull.labels.length === before) return notFound();
        pull.events.push({ id: ++reviewId, event: "unlabeled", created_at: tick(), actor: APP_BOT, label: { name: d, color: "ededed" } });
        return json(
          200,
          pull.labels.map((name) => ({ name })),
        );
      }
      if (method === "POST" && c === "comments") {
        this.comments.push({ issue: pull.number, body: String(b.body) });
        return json(201, { id: 1 });
      }
    }
    if (a === "issues" && b1 === "comments" && d === "reactions" && method === "POST") {
      this.reactions.push({ comment: Number(c), content: String(b.content) });
      return json(201, {});
    }
    if (a === "labels" && b1 !== undefined && method === "GET") {
      return this.repoLabels.has(b1.toLowerCase()) ? json(200, { name: b1 }) : notFound();
    }
    if (a === "labels" && b1 === undefined && method === "POST") {
      const name = String(b.name);
      if (this.repoLabels.has(name.toLowerCase())) return json(422, { message: "Validation Failed" });
      this.repoLabels.add(name.toLowerCase());
      return json(201, { name });
    }
    if (a === "collaborators" && c === "permission" && method === "GET" && b1 !== undefined) {
      const p = this.permissions.get(b1.toLowerCase());
      if (p === undefined) return notFound();
      if (typeof p === "number") return json(p, { message: "error" });
      const perms = {
        admin: p === "admin",
        maintain: p === "admin" || p === "maintain",
        push: ["admin", "maintain", "write"].includes(p),
        triage: !["none", "read"].includes(p),
        pull: p !== "none",
      };
      return json(200, { permission: p === "maintain" ? "write" : p, role_name: p, user: { login: b1, permissions: perms } });
    }
    req.unknown = true;
    return notFound();
  }

  /** One page of a list, with GitHub's Link header. */
  private page(items: unknown[], q: URLSearchParams, req: StateRequest): NockAnswer {
    const page = paginate(items, q, (query) => `${API}${req.path}?${query.toString()}`);
    return [200, page.items, page.link ? { link: page.link } : {}];
  }
}

/** Whether a check run lets a required check pass (GitHub: success, neutral and skipped do). */
export function passes(run: StateCheckRun | undefined): boolean {
  return run !== undefined && run.status === "completed" && ["success", "neutral", "skipped"].includes(run.conclusion ?? "");
}

/** Whether a check run blocks: absent, in progress, or a blocking conclusion. */
export function blocks(run: StateCheckRun | undefined): boolean {
  return !passes(run);
}

export { APP_ID, HEAD, INSTALLATION_ID, OWNER, REPO };
