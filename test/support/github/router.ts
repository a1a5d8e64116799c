// The REST endpoints the simulator answers, as a table: method, path pattern, name, handler.
// Handlers read and change the in-memory model; the server adds latency, faults, ETags and pagination.
import type { IncomingHttpHeaders } from "node:http";
import {
  checkRunJson,
  commitJson,
  fileJson,
  gitCommitJson,
  issueEventJson,
  pullJson,
  repoJson,
  reviewJson,
  userJson,
  type GitHubModel,
  type Permission,
  type SimFile,
  type SimRepo,
} from "./model.js";
import type { CallKind } from "./faults.js";
import { INSTALLATION_ID } from "./constants.js";
import { newCheckRun, resolveCheckRunMutations, updateCheckRun } from "./check-runs.js";
import { refuseInvalidGraphql } from "./graphql-schema.js";
import { refuseInvalidRestBody } from "./rest-schema.js";

export interface RouteContext {
  model: GitHubModel;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  headers: IncomingHttpHeaders;
  graphql: GraphqlResolver;
}

/** Answers a GraphQL query; the default knows no query and says so. */
export type GraphqlResolver = (
  query: string,
  variables: Record<string, unknown>,
  model: GitHubModel,
) => { data: unknown; errors?: unknown[] };

export interface Reply {
  status: number;
  /** A JSON body. */
  body?: unknown;
  /** A raw text body (the contents API with the raw media type). */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** A list the server paginates (per_page, page, Link); `wrap` shapes one page (e.g. { total_count, check_runs }). */
  list?: unknown[];
  wrap?: (page: unknown[], total: number) => unknown;
}

export interface Route {
  method: string;
  name: string;
  pattern: RegExp;
  keys: string[];
  kind: CallKind;
  handle: (ctx: RouteContext) => Reply;
}

const notFound = (message = "Not Found"): Reply => ({ status: 404, body: { message, documentation_url: "https://docs.github.com/rest" } });

/** The answer GitHub gives with an error status the model holds (a file, a membership or a permission that cannot be read). */
function errorReply(status: number): Reply {
  if (status === 404) return notFound();
  const message = status === 403 ? "Resource not accessible by integration" : status >= 500 ? "Server Error" : "Error";
  return { status, body: { message, documentation_url: "https://docs.github.com/rest" } };
}
const lower = (s: string) => s.toLowerCase();

function compile(method: string, path: string, name: string, handle: Route["handle"], kind?: CallKind): Route {
  const keys: string[] = [];
  // ":name" is one path segment; ":name*" may span several (a file path sent with literal slashes).
  const source = path.replace(/:(\w+)(\*?)/g, (_m, key: string, rest: string) => {
    keys.push(key);
    return rest ? "(.+)" : "([^/]+)";
  });
  const defaultKind: CallKind = method === "GET" || method === "HEAD" ? "read" : "write";
  // As GitHub: a write whose body does not fit the published OpenAPI description writes nothing (and fails the test).
  const checked: Route["handle"] = (ctx) => refuseInvalidRestBody(name, ctx.body) ?? handle(ctx);
  return { method, name, pattern: new RegExp(`^${source}$`), keys, kind: kind ?? defaultKind, handle: checked };
}

function repoOf(ctx: RouteContext): SimRepo | undefined {
  return ctx.model.repo(ctx.params.owner ?? "", ctx.params.repo ?? "");
}

function pullOf(ctx: RouteContext) {
  const repo = repoOf(ctx);
  const pull = repo?.pulls.get(Number(ctx.params.number));
  return repo && pull ? { repo, pull } : undefined;
}

function bodyObject(body: unknown): Record<string, unknown> {
  return body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

function wantsRaw(headers: IncomingHttpHeaders): boolean {
  return /application\/vnd\.github(\.v3)?\.raw/.test(String(headers.accept ?? ""));
}

function permissionJson(login: string, permission: Permission, model: GitHubModel): Record<string, unknown> {
  const rank = ["none", "read", "triage", "write", "maintain", "admin"].indexOf(permission);
  const permissions = { pull: rank >= 1, triage: rank >= 2, push: rank >= 3, maintain: rank >= 4, admin: rank >= 5 };
  // GitHub's legacy `permission` field has no maintain/triage: it says write/read for them.
  const legacy = permission === "maintain" ? "write" : permission === "triage" ? "read" : permission;
  return { permission: legacy, role_name: permission, user: { ...userJson(model.user(login)), permissions } };
}

const REPO = "/repos/:owner/:repo";

export const ROUTES: Route[] = [
  compile(
    "POST",
    "/app/installations/:id/access_tokens",
    "apps.createInstallationAccessToken",
    () => ({
      status: 201,
      body: {
        token: `ghs_sim${Date.now()}`,
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
        permissions: { checks: "write", pull_requests: "write", issues: "write", contents: "read", members: "read" },
        repository_selection: "all",
      },
    }),
    "token",
  ),
  compile(
    "POST",
    "/graphql",
    "graphql",
    (ctx) => {
      const body = bodyObject(ctx.body);
      // As GitHub: a request that does not fit the published schema runs nothing (and fails the test).
      const refused = refuseInvalidGraphql(String(body.query ?? ""), bodyObject(body.variables));
      if (refused) return { status: 200, body: refused };
      const result = ctx.graphql(String(body.query ?? ""), bodyObject(body.variables), ctx.model);
      return { status: 200, body: result };
    },
    "graphql",
  ),
  compile("GET", "/app/installations", "apps.listInstallations", (ctx) => ({
    status: 200,
    list: [
      {
        id: ctx.model.installationId,
        app_id: ctx.model.appId,
        account: userJson(ctx.model.user([...ctx.model.repos.values()][0]?.owner ?? "acme")),
      },
    ],
  })),
  compile("GET", "/installation/repositories", "apps.listReposAccessibleToInstallation", (ctx) => ({
    status: 200,
    list: [...ctx.model.repos.values()].map((r) => repoJson(r, ctx.model.user(r.owner))),
    wrap: (page, total) => ({ total_count: total, repositories: page }),
  })),
  // Which installation serves a repository (the app's JWT; the escalation sweep asks it).
  compile("GET", `${REPO}/installation`, "apps.getRepoInstallation", (ctx) => {
    const repo = repoOf(ctx);
    return repo
      ? { status: 200, body: { id: INSTALLATION_ID, account: userJson(ctx.model.user(repo.owner)), app_id: ctx.model.appId } }
      : notFound();
  }),
  compile("GET", `${REPO}/pulls`, "pulls.list", (ctx) => {
    const repo = repoOf(ctx);
    if (!repo) return notFound();
    const state = ctx.query.get("state") ?? "open";
    const pulls = [...repo.pulls.values()].filter((p) => state === "all" || p.state === state);
    if (ctx.query.get("sort") === "updated") {
      pulls.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.number - b.number);
      if ((ctx.query.get("direction") ?? "desc") === "desc") pulls.reverse();
    }
    return { status: 200, list: pulls.map((p) => pullJson(ctx.model, repo, p)) };
  }),
  compile("GET", "/orgs/:org/repos", "repos.listForOrg", (ctx) => {
    const org = lower(ctx.params.org ?? "");
    const repos = [...ctx.model.repos.values()].filter((r) => lower(r.owner) === org);
    if (repos.length === 0) return notFound();
    if (ctx.query.get("sort") === "pushed") repos.sort((a, b) => (b.pushedAt ?? "").localeCompare(a.pushedAt ?? ""));
    return { status: 200, list: repos.map((r) => repoJson(r, ctx.model.user(r.owner))) };
  }),
  compile("GET", `${REPO}/pulls/:number`, "pulls.get", (ctx) => {
    const found = pullOf(ctx);
    return found ? { status: 200, body: pullJson(ctx.model, found.repo, found.pull) } : notFound();
  }),
  compile("GET", `${REPO}/pulls/:number/files`, "pulls.listFiles", (ctx) => {
    const found = pullOf(ctx);
    return found ? { status: 200, list: found.pull.files.slice(0, 3000).map(fileJson) } : notFound();
  }),
  compile("GET", `${REPO}/pulls/:number/commits`, "pulls.listCommits", (ctx) => {
    const found = pullOf(ctx);
    return found ? { status: 200, list: found.pull.commits.slice(0, 250).map((c) => commitJson(ctx.model, c)) } : notFound();
  }),
  compile("GET", `${REPO}/pulls/:number/reviews`, "pulls.listReviews", (ctx) => {
    const found = pullOf(ctx);
    return found ? { status: 200, list: found.pull.reviews.map(reviewJson) } : notFound();
  }),
  compile("POST", `${REPO}/pulls/:number/requested_reviewers`, "pulls.requestReviewers", (ctx) => {
    const found = pullOf(ctx);
    if (!found) return notFound();
    const body = bodyObject(ctx.body);
    const users = Array.isArray(body.reviewers) ? body.reviewers.map(String) : [];
    const teams = Array.isArray(body.team_reviewers) ? body.team_reviewers.map(String) : [];
    ctx.model.requestReviewers(found.pull, users, teams, ctx.model.appBot);
    return { status: 201, body: pullJson(ctx.model, found.repo, found.pull) };
  }),
  // The default branch's history touching a path (signoff.assign's recent changers), newest first.
  compile("GET", `${REPO}/commits`, "repos.listCommits", (ctx) => {
    const repo = repoOf(ctx);
    if (!repo) return notFound();
    const path = ctx.query.get("path");
    const history = (repo.baseHistory ?? []).filter((c) => path === null || c.paths.includes(path));
    return {
      status: 200,
      list: history.map((c) => ({
        sha: c.sha,
        commit: { message: "Change", author: { name: c.author, email: `${c.author}@example.com`, date: "2026-11-01T00:00:00Z" } },
        author: userJson(ctx.model.user(c.author)),
        committer: userJson(ctx.model.user(c.author)),
        parents: [],
      })),
    };
  }),
  compile("GET", `${REPO}/commits/:sha/pulls`, "repos.listPullRequestsAssociatedWithCommit", (ctx) => {
    const repo = repoOf(ctx);
    if (!repo) return notFound();
    const sha = ctx.params.sha ?? "";
    // The PRs that contain the commit, and the merged PR whose merge (or squash) commit it is. Open PRs
    // from forks are left out, as GitHub leaves them out (its association does not follow a fork's head).
    const pulls = [...repo.pulls.values()].filter(
      (p) => (p.commits.some((c) => c.sha === sha) && !(p.fork && p.state === "open")) || p.mergeCommitSha === sha,
    );
    return { status: 200, list: pulls.map((p) => pullJson(ctx.model, repo, p)) };
  }),
  compile("GET", `${REPO}/contents/:path*`, "repos.getContent", (ctx) => {
    const repo = repoOf(ctx);
    if (!repo) return notFound();
    const path = ctx.params.path ?? "";
    const content = ctx.model.fileAt(repo, path, ctx.query.get("ref") ?? undefined);
    if (content === undefined) return notFound();
    if (typeof content === "number") return errorReply(content);
    // Over 1 MB the JSON form carries no content (encoding "none"); a raw read gets the same answer here.
    if (typeof content === "object")
      return { status: 200, body: { type: "file", encoding: "none", name: path.split("/").pop(), path, size: content.size, content: "" } };
    if (wantsRaw(ctx.headers)) return { status: 200, raw: content, contentType: "application/vnd.github.raw; charset=utf-8" };
    return {
      status: 200,
      body: {
        type: "file",
        encoding: "base64",
        name: path.split("/").pop(),
        path,
        size: Buffer.byteLength(content),
        content: Buffer.from(content).toString("base64"),
      },
    };
  }),
  // Git AI notes (refs/notes/ai): the simulated repositories have none.
  compile("GET", `${REPO}/git/ref/:ref*`, "git.getRef", () => notFound()),
  compile("GET", `${REPO}/git/commits/:sha`, "git.getCommit", (ctx) => {
    const repo = repoOf(ctx);
    const commit = repo && ctx.model.commit(repo, ctx.params.sha ?? "");
    return commit ? { status: 200, body: gitCommitJson(commit) } : notFound();
  }),
  // The push log, newest first; `ref` is a full ref (refs/heads/x) or a branch name.
  compile("GET", `${REPO}/activity`, "repos.listActivities", (ctx) => {
    const repo = repoOf(ctx);
    if (!repo) return notFound();
    const ref = ctx.query.get("ref");
    const entries = repo.activity.filter((e) => ref === null || e.ref === ref || e.ref === `refs/heads/${ref}`).reverse();
    return { status: 200, list: entries };
  }),
  compile("GET", `${REPO}/commits/:ref/check-runs`, "checks.listForRef", (ctx) => {
    const repo = repoOf(ctx);
    if (!repo) return notFound();
    const name = ctx.query.get("check_name") ?? undefined;
    const appId = ctx.query.get("app_id");
    let runs = repo.checkRuns
      .filter((r) => r.head_sha === ctx.params.ref && (name === undefined || r.name === name) && (!appId || r.app_id === Number(appId)))
      .sort((a, b) => b.id - a.id);
    // filter=latest (the default): the most recent run of each name.
    if ((ctx.query.get("filter") ?? "latest") === "latest") {
      const seen = new Set<string>();
      runs = runs.filter((r) => (seen.has(r.name) ? false : (seen.add(r.name), true)));
    }
    return {
      status: 200,
      list: runs.map((r) => checkRunJson(ctx.model, r)),
      wrap: (page, total) => ({ total_count: total, check_runs: page }),
    };
  }),
  compile("POST", `${REPO}/check-runs`, "checks.create", (ctx) => {
    const repo = repoOf(ctx);
    if (!repo) return notFound();
    const body = bodyObject(ctx.body);
    if (typeof body.name !== "string" || typeof body.head_sha !== "string")
      return { status: 422, body: { message: "name and head_sha are required" } };
    const run = newCheckRun(ctx.model, repo, body.name, body.head_sha);
    updateCheckRun(run, body);
    return { status: 201, body: checkRunJson(ctx.model, run) };
  }),
  compile("PATCH", `${REPO}/check-runs/:id`, "checks.update", (ctx) => {
    const repo = repoOf(ctx);
    const run = repo?.checkRuns.find((r) => r.id === Number(ctx.params.id));
    if (!run) return notFound();
    updateCheckRun(run, bodyObject(ctx.body));
    return { status: 200, body: checkRunJson(ctx.model, run) };
  }),
  compile("GET", `${REPO}/labels/:name`, "issues.getLabel", (ctx) => {
    const label = repoOf(ctx)?.labels.get(lower(ctx.params.name ?? ""));
    return label ? { status: 200, body: label } : notFound();
  }),
  compile("POST", `${REPO}/labels`, "issues.createLabel", (ctx) => {
    const repo = repoOf(ctx);
    if (!repo) return notFound();
    const body = bodyObject(ctx.body);
    const name = String(body.name ?? "");
    if (repo.labels.has(lower(name)))
      return {
        status: 422,
        body: { message: "Validation Failed", errors: [{ resource: "Label", code: "already_exists", field: "name" }] },
      };
    return { status: 201, body: ctx.model.ensureRepoLabel(repo, name, String(body.color ?? "ededed"), String(body.description ?? "")) };
  }),
  compile("POST", `${REPO}/issues/:number/labels`, "issues.addLabels", (ctx) => {
    const found = pullOf(ctx);
    if (!found) return notFound();
    const body = ctx.body;
    const names = Array.isArray(body)
      ? body.map(String)
      : Array.isArray(bodyObject(body).labels)
        ? (bodyObject(body).labels as unknown[]).map(String)
        : [];
    ctx.model.addLabelsToPull(found.repo, found.pull, names, ctx.model.appBot);
    return { status: 200, body: found.pull.labels.map((n) => found.repo.labels.get(lower(n))) };
  }),
  compile("DELETE", `${REPO}/issues/:number/labels/:name`, "issues.removeLabel", (ctx) => {
    const found = pullOf(ctx);
    if (!found) return notFound();
    if (!ctx.model.removeLabelFromPull(found.pull, ctx.params.name ?? "", ctx.model.appBot)) return notFound("Label does not exist");
    return { status: 200, body: found.pull.labels.map((n) => found.repo.labels.get(lower(n))) };
  }),
  compile("GET", `${REPO}/issues/:number/events`, "issues.listEvents", (ctx) => {
    const found = pullOf(ctx);
    return found ? { status: 200, list: found.pull.events.map(issueEventJson) } : notFound();
  }),
  compile("GET", `${REPO}/issues/:number/comments`, "issues.listComments", (ctx) => {
    const found = pullOf(ctx);
    if (!found) return notFound();
    const list = (found.pull.comments ?? []).map((c) => ({ id: c.id, body: c.body, user: userJson(c.user), created_at: c.created_at }));
    return { status: 200, list };
  }),
  compile("POST", `${REPO}/issues/:number/comments`, "issues.createComment", (ctx) => {
    const found = pullOf(ctx);
    if (!found) return notFound();
    const comment = ctx.model.addComment(found.pull, String(bodyObject(ctx.body).body ?? ""), ctx.model.appBot);
    return { status: 201, body: { id: comment.id, body: comment.body, user: userJson(comment.user), created_at: comment.created_at } };
  }),
  compile("POST", `${REPO}/issues/comments/:id/reactions`, "reactions.createForIssueComment", (ctx) => {
    const repo = repoOf(ctx);
    if (!repo) return notFound();
    const reaction = ctx.model.addReaction(repo, Number(ctx.params.id), String(bodyObject(ctx.body).content ?? ""), ctx.model.appBot);
    return { status: 201, body: { id: reaction.id, content: reaction.content, user: userJson(reaction.user) } };
  }),
  compile("GET", "/orgs/:org/teams/:slug/memberships/:username", "teams.getMembershipForUserInOrg", (ctx) => {
    const state = ctx.model.membership(ctx.params.org ?? "", ctx.params.slug ?? "", ctx.params.username ?? "");
    if (typeof state === "number") return errorReply(state);
    return state ? { status: 200, body: { state, role: "member", url: "" } } : notFound();
  }),
  compile("GET", "/orgs/:org/teams/:slug/members", "teams.listMembersInOrg", (ctx) => {
    const team = ctx.model.teams.get(lower(`${ctx.params.org ?? ""}/${ctx.params.slug ?? ""}`));
    if (!team) return notFound();
    return { status: 200, list: [...team].filter(([, state]) => state === "active").map(([login]) => userJson(ctx.model.user(login))) };
  }),
  // The PR's own changes at the head of `base...head` (the simulator keeps them per commit; the base is not modelled).
  compile("GET", `${REPO}/compare/:basehead`, "repos.compareCommitsWithBasehead", (ctx) => {
    const [base = "", head = ""] = (ctx.params.basehead ?? "").split("...");
    const files = ctx.model.commitFiles.get(head);
    const repo = repoOf(ctx);
    if (!repo || !files) return notFound();
    // Two commits of one PR (path-scoped freshness compares the approved commit with the head): the
    // files whose change differs between them; "ahead" when the base is still in the head's history.
    const baseFiles = ctx.model.commitFiles.get(base);
    if (baseFiles) {
      const pull = [...repo.pulls.values()].find((p) => p.commits.some((c) => c.sha === head));
      const order = pull?.commits.map((c) => c.sha) ?? [];
      const ahead = order.includes(base) && order.indexOf(base) <= order.indexOf(head);
      const same = (a: SimFile, b: SimFile | undefined) =>
        b !== undefined &&
        JSON.stringify([a.status, a.patch, a.previous_filename, a.content]) ===
          JSON.stringify([b.status, b.patch, b.previous_filename, b.content]);
      const changed = files.filter(
        (f) =>
          !same(
            f,
            baseFiles.find((b) => b.filename === f.filename),
          ),
      );
      const reverted = baseFiles
        .filter((b) => !files.some((f) => f.filename === b.filename))
        .map((b) => ({ ...b, status: "modified" as const }));
      const delta = [...changed, ...reverted];
      const by = Math.max(0, order.indexOf(head) - order.indexOf(base));
      return {
        status: 200,
        body: {
          status: ahead ? (by === 0 ? "identical" : "ahead") : "diverged",
          ahead_by: by,
          behind_by: 0,
          total_commits: by,
          commits: [],
          files: delta.map(fileJson),
        },
      };
    }
    return { status: 200, body: { status: "ahead", ahead_by: 1, behind_by: 0, total_commits: 1, commits: [], files: files.map(fileJson) } };
  }),
  compile("GET", `${REPO}/collaborators/:username/permission`, "repos.getCollaboratorPermissionLevel", (ctx) => {
    const repo = repoOf(ctx);
    if (!repo) return notFound();
    const login = ctx.params.username ?? "";
    const permission = repo.permissions.get(lower(login));
    if (typeof permission === "number") return errorReply(permission);
    if (permission === undefined && !ctx.model.users.has(lower(login))) return notFound(`${login} is not a user`);
    return { status: 200, body: permissionJson(login, permission ?? "read", ctx.model) };
  }),
];

/** The route for a request, with its decoded path parameters. */
export function findRoute(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    route.keys.forEach((key, i) => (params[key] = decodeURIComponent(m[i + 1] ?? "")));
    return { route, params };
  }
  return undefined;
}

/** Check-run mutations (check-runs.ts); any other query is unknown and says so. */
export const defaultGraphql: GraphqlResolver = (query, variables, model) =>
  resolveCheckRunMutations(query, variables, model) ?? {
    data: null,
    errors: [{ type: "SIMULATOR", message: "The GitHub simulator has no resolver for this query; pass `graphql` to its options." }],
  };

/**
 * GraphQL's Commit.authors for the aliased `object(oid:)` fields of a repository query: the git author,
 * then each Co-authored-by trailer, each with the account GitHub links its email to (`emailAccounts`).
 * Any other query goes to defaultGraphql (check-run mutations). Opt-in (pass it as `graphql`): the
 * benchmarks keep defaultGraphql, which answers a co-author query with an error, as it always has.
 */
export const commitAuthorsGraphql: GraphqlResolver = (query, variables, model) => {
  if (!/object\(oid:[^)]*\)\s*\{[^{}]*on Commit\s*\{\s*authors\b/.test(query)) return defaultGraphql(query, variables, model);
  const repo = model.repo(String(variables.owner ?? ""), String(variables.repo ?? ""));
  const repository: Record<string, unknown> = {};
  // Each field's authors(first: N, after: "cursor"): pages as GitHub pages a connection (first defaults to
  // all here; GitHub caps it at 100), the cursor being the index after the page's last node.
  const fields = query.matchAll(/(\w+): object\(oid: "([0-9a-f]{40})"\)[^{]*\{[^{]*on Commit\s*\{\s*authors(?:\(([^)]*)\))?/g);
  for (const [, alias = "", sha = "", args = ""] of fields) {
    const commit = repo && model.commit(repo, sha);
    if (!commit) {
      repository[alias] = null;
      continue;
    }
    const trailers = [...commit.message.matchAll(/^co-authored-by:.*<([^>]+)>/gim)].map((m) => m[1] ?? "");
    const nodes = [commit.author.email, ...trailers].map((email, i) => {
      const login = model.emailAccounts.get(lower(email)) ?? (i === 0 ? commit.author.login : undefined);
      const user = login === undefined ? undefined : model.user(login);
      return { email, user: user ? { login: user.login, databaseId: user.id } : null };
    });
    const first = Number(/first:\s*(\d+)/.exec(args)?.[1] ?? nodes.length);
    if (first > 100) throw new Error(`authors(first: ${first}) is above GitHub's cap of 100`);
    const from = Number(/after:\s*"(\d+)"/.exec(args)?.[1] ?? 0);
    const page = nodes.slice(from, from + first);
    const end = from + page.length;
    repository[alias] = { authors: { pageInfo: { hasNextPage: end < nodes.length, endCursor: String(end) }, nodes: page } };
  }
  return { data: { repository } };
};
