// A small stateful GitHub for scale tests: PRs whose head and reviews change while events arrive,
// and check runs that are stored and listed back, so consecutive evaluations see each other's writes.
import { APP_ID, CHECK_NAME, CLAUDE_TRAILER as TRAILER, HEAD, INSTALLATION_ID, OWNER, REPO } from "../support/github/constants.js";
import { FakeGitHub, commit, example, file, noteOpenHead, pullRequest, pullRequestEvent } from "./github.js";

type Json = Record<string, unknown>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CLAUDE_TRAILER = `\n\n${TRAILER}`;

export const sha = (i: number): string => i.toString(16).padStart(40, "c");

/** A tiny stateful GitHub for one PR: the head and reviews can change, check runs are stored and listed back. */
export class LivePull {
  head = HEAD;
  reviews: Json[] = [];
  readonly runs: Array<{ id: number; head_sha: string; status: string; conclusion: string | null; output: Json; at: number }> = [];
  readonly writes: Array<{ method: string; head: string; status: string }> = [];
  prReads = 0;
  /** Milliseconds the next PR read takes (then back to 0): to make one evaluation slow. */
  slowNextRead = 0;
  /** The head the next PR read returns instead of the current one (then back to the current one). */
  staleNextHead: string | undefined;

  constructor(
    readonly gh: FakeGitHub,
    readonly number = 7,
  ) {
    const p = `/repos/${OWNER}/${REPO}/pulls/${number}`;
    noteOpenHead(number, () => this.head);
    gh.api
      .get(p)
      .reply(async () => {
        this.prReads++;
        const head = this.staleNextHead ?? this.head;
        this.staleNextHead = undefined;
        const delay = this.slowNextRead;
        this.slowNextRead = 0;
        if (delay) await sleep(delay);
        return [200, pullRequest({ number, headSha: head, labels: ["ai-assisted", "risk:low"] })];
      })
      .persist();
    gh.api
      .get(`${p}/files`)
      .query(true)
      .reply(200, [file("src/app.ts")])
      .persist();
    gh.api
      .get(`${p}/commits`)
      .query(true)
      .reply(() => [200, [commit({ sha: this.head, message: `Change${CLAUDE_TRAILER}` })]])
      .persist();
    gh.api
      .get(`${p}/reviews`)
      .query(true)
      .reply(() => [200, this.reviews])
      .persist();
  }

  /** Check runs live in the repository, not the PR: one store serves every LivePull of a FakeGitHub. */
  static serveChecks(gh: FakeGitHub, pulls: LivePull[]) {
    const all = () => pulls.flatMap((p) => p.runs);
    let nextId = 100;
    gh.api
      .get(/\/repos\/acme\/shop\/commits\/[0-9a-f]{40}\/check-runs/)
      .query(true)
      .reply((uri) => {
        const head = /commits\/([0-9a-f]{40})\//.exec(uri)?.[1];
        const runs = all()
          .filter((r) => r.head_sha === head)
          .map((r) => ({ ...r, name: CHECK_NAME, app: { id: APP_ID } }));
        return [200, { total_count: runs.length, check_runs: runs }];
      })
      .persist();
    const owner = (head: string) => pulls.find((p) => p.runs.some((r) => r.head_sha === head) || p.head === head) ?? pulls[0]!;
    gh.api
      .post(`/repos/${OWNER}/${REPO}/check-runs`)
      .reply((_uri, body) => {
        const b = body as Json & { head_sha: string; status: string; conclusion?: string; output: Json };
        const pull = owner(b.head_sha);
        const run = {
          id: nextId++,
          head_sha: b.head_sha,
          status: b.status,
          conclusion: b.conclusion ?? null,
          output: b.output,
          at: performance.now(),
        };
        pull.runs.push(run);
        pull.writes.push({ method: "POST", head: b.head_sha, status: b.status });
        return [201, { id: run.id }];
      })
      .persist();
    gh.api
      .patch(/\/repos\/acme\/shop\/check-runs\/\d+/)
      .optionally()
      .reply((uri, body) => {
        const id = Number(/check-runs\/(\d+)/.exec(uri)?.[1]);
        const b = body as Json & { status: string; conclusion?: string; output: Json };
        const run = all().find((r) => r.id === id)!;
        Object.assign(run, { status: b.status, conclusion: b.conclusion ?? null, output: b.output, at: performance.now() });
        owner(run.head_sha).writes.push({ method: "PATCH", head: run.head_sha, status: b.status });
        return [200, { id }];
      })
      .persist();
  }

  /** What GitHub shows on the current head: the latest run there. */
  get headCheck() {
    return this.runs.filter((r) => r.head_sha === this.head).sort((a, b) => b.id - a.id)[0];
  }

  synchronize(head: string): object {
    this.head = head;
    return pullRequestEvent("synchronize", pullRequest({ number: this.number, headSha: head, labels: ["ai-assisted", "risk:low"] }));
  }

  reviewEvent(): object {
    return {
      ...example("pull_request_review", "submitted"),
      pull_request: pullRequest({ number: this.number, headSha: this.head, labels: ["ai-assisted", "risk:low"] }),
    };
  }
}

/** A live repository without a policy (approvals by maintainers), with `bob` a maintainer. */
export function liveRepo(numbers: number[] = [7], replicas = 1) {
  const gh = new FakeGitHub().token();
  // Another replica asks for its own token only if it ends up evaluating (it may be covered by the first).
  for (let i = 1; i < replicas; i++) {
    gh.api
      .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
      .optionally()
      .reply(201, { token: "test-token", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
  }
  const pulls = numbers.map((n) => new LivePull(gh, n));
  LivePull.serveChecks(gh, pulls);
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
  return { gh, pulls };
}
