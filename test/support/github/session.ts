// One test's GitHub on the nock transport: the shared model with acme/shop, the people of the tests
// and a stepping clock; its request log and fault schedule; webhook payloads built from the model;
// and what a test asks afterwards (our check on a head, the writes, requests no route knew).
import {
  ALICE,
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
} from "./constants.js";
import { checkRunMutations, checkRunNodeId, newCheckRun, updateCheckRun } from "./check-runs.js";
import { FaultSchedule } from "./faults.js";
import {
  GitHubModel,
  pullJson,
  steppingClock,
  type PullSpec,
  type SimCheckRun,
  type SimCommit,
  type SimContent,
  type SimFile,
  type SimIdentity,
  type SimPull,
  type SimRepo,
  type SimReview,
} from "./model.js";
import { serveModel, type ModelRequest } from "./nock.js";
import { commitAuthorsGraphql } from "./router.js";
import { PayloadFactory } from "./webhooks.js";

/** The labels acme/shop has from the start: the app's own. */
export const APP_LABELS = ["ai-assisted", "risk:low", "risk:medium", "risk:high", "risk:critical"];
/** A commit message with an AI co-author trailer. */
export const CLAUDE_MESSAGE = `Add retry to checkout\n\n${CLAUDE_TRAILER}`;
/** Where a repository's policy lives. */
export const POLICY_FILE = ".github/countersign.yml";

let shaCounter = 0;
/** A fresh 40-hex commit SHA. */
export function newSha(): string {
  shaCounter++;
  return shaCounter.toString(16).padStart(8, "0").repeat(5);
}

/** A changed file with a small diff (`patch: null`: none, as GitHub sends for binary or large files). */
export function simFile(
  path: string,
  o: { status?: SimFile["status"]; additions?: number; deletions?: number; patch?: string | null; previous?: string } = {},
): SimFile {
  return {
    filename: path,
    status: o.status ?? "modified",
    additions: o.additions ?? 3,
    deletions: o.deletions ?? 1,
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

/** A commit by alice unless told otherwise, linked to the accounts of its author and committer. */
export function simCommit(o: CommitSpec = {}): SimCommit {
  const git = (u: SimUser & { name?: string; email?: string }): SimIdentity => ({
    name: u.name ?? u.login,
    email: u.email ?? `${u.login}@example.com`,
    ...(o.unlinked ? {} : { login: u.login }),
  });
  const author = git(o.author ?? ALICE);
  return { sha: o.sha ?? newSha(), message: o.message ?? "Change things", author, committer: o.committer ? git(o.committer) : author };
}

export class GitHubSession {
  readonly model = new GitHubModel(APP_ID);
  readonly faults = new FaultSchedule();
  readonly payloads = new PayloadFactory(this.model, INSTALLATION_ID);
  /** Every request the model answered, oldest first (set by `install`). */
  requests: ModelRequest[] = [];

  /** acme/shop with the app's labels and, when given, a policy (text, or the status reading it answers with). */
  constructor(o: { policy?: SimContent; start?: string } = {}) {
    this.model.now = steppingClock(o.start ?? "2026-11-21T10:00:00Z");
    for (const u of [ALICE, BOB, CAROL, DAVE, MALLORY, APP_BOT]) this.model.users.set(u.login.toLowerCase(), u);
    this.model.addRepo(OWNER, REPO, { labels: APP_LABELS });
    if (o.policy !== undefined) this.setFile(REPO, POLICY_FILE, o.policy);
  }

  /** Answer every request to the API from the model (only `routes`, when given: the rest is left to exact mocks). */
  install(o: { routes?: readonly string[] } = {}): this {
    this.requests = serveModel(this.model, { faults: this.faults, graphql: commitAuthorsGraphql, ...o }).requests;
    return this;
  }

  get repo(): SimRepo {
    return this.model.mustRepo(OWNER, REPO);
  }

  /** A file of a repository of acme (the repository is made when missing), on the default branch or at `ref`. */
  setFile(repo: string, path: string, content: SimContent | undefined, ref?: string): void {
    if (!this.model.repo(OWNER, repo)) this.model.addRepo(OWNER, repo);
    this.model.setFile(OWNER, repo, path, content, ref);
  }

  /** A PR of acme/shop: #7 by alice on feature/x with head HEAD, one file and one commit, unless told otherwise. */
  addPull(o: Partial<Omit<PullSpec, "commits">> & { headSha?: string; commits?: SimCommit[] } = {}): SimPull {
    const number = o.number ?? 7;
    const commits = o.commits ?? [simCommit({ sha: o.headSha ?? HEAD })];
    return this.model.addPull(OWNER, REPO, {
      headRef: "feature/x",
      files: [simFile("src/app.ts")],
      author: "alice",
      ...o,
      number,
      commits,
    });
  }

  pull(number = 7): SimPull {
    return this.model.mustPull(OWNER, REPO, number).pull;
  }

  /** A push to the PR's branch (a force-push replaces its commits); returns the new head. */
  push(number: number, commit: CommitSpec = {}, o: { force?: boolean; date?: string } = {}): string {
    const c = simCommit(commit);
    return this.model.pushHead(OWNER, REPO, number, { ...c, ...o });
  }

  /** A review of the head (or `commitId`) by this account. */
  review(number: number, user: SimUser, state: SimReview["state"], o: { commitId?: string } = {}): SimReview {
    return this.model.addReview(OWNER, REPO, number, { user: user.login, account: { type: "User", ...user }, state, ...o });
  }

  /** Set the PR's head to `sha` by a force-push: the PR then has that one commit (its message as before). */
  forcePush(number: number, sha: string): void {
    this.model.pushHead(OWNER, REPO, number, { sha, force: true });
  }

  /** A force-push to `sha` and the pull_request.synchronize webhook GitHub sends for it. */
  synchronize(number: number, sha: string): Record<string, unknown> {
    this.forcePush(number, sha);
    return this.pullEvent("synchronize", number);
  }

  /** Change the PR's base branch and return the pull_request.edited webhook GitHub sends for it (`changes.base`). */
  retarget(number: number, baseRef: string): Record<string, unknown> {
    const from = this.pull(number).baseRef;
    this.model.retarget(OWNER, REPO, number, baseRef);
    return this.pullEvent("edited", number, { changes: { base: { ref: { from }, sha: { from: "0".repeat(40) } } } });
  }

  /** The PR's next read (pulls.get) answers once `until` settles, with the PR as it was when the request arrived. */
  holdNextRead(number: number, until: Promise<unknown>): void {
    this.faults.add({ match: { route: "pulls.get", path: new RegExp(`/pulls/${number}$`) }, times: 1, action: { type: "hold", until } });
  }

  /** The PR's next read (pulls.get) answers `ms` late, with the PR as it was when the request arrived. */
  slowNextRead(number: number, ms: number): void {
    this.faults.add({ match: { route: "pulls.get", path: new RegExp(`/pulls/${number}$`) }, times: 1, action: { type: "delay", ms } });
  }

  /** Our check-run writes (creates and updates, by REST or batched in GraphQL) on the heads a PR has had, in the order they arrived. */
  checkWrites(number = 7): Array<{ method: string; head: string; status: string }> {
    const ref = `refs/heads/${this.pull(number).headRef}`;
    const heads = new Set(this.repo.activity.filter((a) => a.ref === ref).map((a) => a.after));
    const runHead = (find: (run: SimCheckRun) => boolean) => this.checkRuns.find(find)?.head_sha ?? "";
    const writes = this.requests.flatMap((r) => {
      const body = (r.body ?? {}) as { head_sha?: string; status?: string; query?: string; variables?: Record<string, unknown> };
      if (r.route === "checks.create" || r.route === "checks.update") {
        const head = body.head_sha ?? runHead((c) => String(c.id) === r.path.split("/").pop());
        return [{ method: r.method, head, status: String(body.status) }];
      }
      // Closing writes batched into one GraphQL request: a create names its head, an update its run.
      if (r.route !== "graphql") return [];
      return checkRunMutations(String(body.query ?? ""), body.variables ?? {}).map(({ op, input }) => ({
        method: op === "createCheckRun" ? "POST" : "PATCH",
        head: typeof input.headSha === "string" ? input.headSha : runHead((c) => checkRunNodeId(c.id) === input.checkRunId),
        status: String(input.status ?? (input.conclusion ? "COMPLETED" : "")).toLowerCase(),
      }));
    });
    return writes.filter((w) => heads.has(w.head));
  }

  /**
   * A check run already on a commit when the test starts (one another replica wrote, or another app's
   * with `appId`), written as the REST body of its create would write it.
   */
  plantCheckRun(name: string, headSha: string, body: Record<string, unknown>, appId = APP_ID): SimCheckRun {
    const run = newCheckRun(this.model, this.repo, name, headSha);
    updateCheckRun(run, body);
    run.app_id = appId;
    return run;
  }

  /** Our latest check run on a commit (the one branch protection reads): the PR's head unless told. */
  check(sha?: string, number = 7): SimCheckRun | undefined {
    return this.model.checkRunsFor(OWNER, REPO, sha ?? this.pull(number).headSha, CHECK_NAME).find((r) => r.app_id === APP_ID);
  }

  get checkRuns(): SimCheckRun[] {
    return this.repo.checkRuns;
  }

  /** The app's comments on acme/shop's PRs, oldest first. */
  get comments() {
    return [...this.repo.pulls.values()].flatMap((p) => p.comments ?? []).sort((a, b) => a.id - b.id);
  }

  /** The writes (anything but GET), as "METHOD path". */
  get writes(): string[] {
    return this.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);
  }

  /** Requests no route of the model knew (answered 404). */
  get unknownRequests(): string[] {
    return this.requests.filter((r) => r.route === "unknown").map((r) => `${r.method} ${r.path}`);
  }

  requestsTo(pattern: RegExp): ModelRequest[] {
    return this.requests.filter((r) => pattern.test(r.path));
  }

  // ---- webhook payloads from the model ---------------------------------------------------------

  pullJson(number = 7): Record<string, unknown> {
    return pullJson(this.model, this.repo, this.pull(number));
  }

  pullEvent(action: string, number = 7, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { ...(this.payloads.pullRequest(action, OWNER, REPO, number) as Record<string, unknown>), ...extra };
  }

  /**
   * pull_request_review.<action>: `review`'s fields over a comment by mallory on the head. The app reads
   * the reviews from the API, not from the payload, so a test may make the payload say anything.
   */
  reviewEvent(
    action: "submitted" | "edited" | "dismissed",
    review: Partial<Omit<SimReview, "state">> & { state?: string } = {},
    number = 7,
  ): Record<string, unknown> {
    const pull = this.pull(number);
    const shown = {
      id: 1,
      user: MALLORY,
      state: "COMMENTED",
      commit_id: pull.headSha,
      submitted_at: this.model.now(),
      body: "",
      ...review,
    };
    return this.payloads.review(action, OWNER, REPO, number, shown as SimReview) as Record<string, unknown>;
  }
}

/** Whether a check run lets a required check pass (GitHub: success, neutral and skipped do). */
export function passes(run: SimCheckRun | undefined): boolean {
  return run !== undefined && run.status === "completed" && ["success", "neutral", "skipped"].includes(run.conclusion ?? "");
}

/** Whether a check run blocks: absent, in progress, or a blocking conclusion. */
export function blocks(run: SimCheckRun | undefined): boolean {
  return !passes(run);
}
