// Performance and scale, end to end through Probot: the request budget per evaluation (counted, with
// the round trips on the critical path), coalescing of bursts and its races, the policy cache and its
// invalidation, the naive baseline, and GET /metrics on Probot's own server.
import nock from "nock";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Probot, Server } from "probot";
import { createCountersign } from "../../src/index.js";
import { createServices, type Services } from "../../src/handlers/services.js";
import { createNaiveServices, DirectGate } from "../../bench/lib/naive-app.js";
import {
  APP_ID,
  FakeGitHub,
  HEAD,
  OLD_HEAD,
  commit,
  example,
  existingCheckRun,
  file,
  pullRequest,
  pullRequestEvent,
  review,
  liveRepo,
  sha,
  TEST_APP_ENV,
  UnthrottledOctokit,
  testKey,
} from "../helpers/github.js";
import { BOB } from "../support/github/constants.js";
import { freePort } from "../helpers/net.js";
import { deferred } from "../helpers/deferred.js";

type Json = Record<string, unknown>;
/** A simulated network latency: never a wait for an event. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll a condition until it holds; the deadline only bounds a failure (nothing passes because time went by). */
async function until(condition: () => boolean, what: string, deadlineMs = 20_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const CLAUDE_TRAILER = "\n\nCo-Authored-By: Claude <noreply@anthropic.com>";
const SENIORS_POLICY = "signoff:\n  reviewers: ['@acme/seniors']\n";

const key = testKey;

interface Recorded {
  method: string;
  path: string;
  start: number;
  end: number;
}

interface MeasuredApp {
  probot: Probot;
  services: Services;
  requests: Recorded[];
  receive: (name: string, payload: object) => Promise<void>;
}

const apps: MeasuredApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.services.close()));
});

/**
 * A Probot app like the tests' usual one, whose every GitHub request takes at least `latencyMs` and
 * is recorded, so the test can count requests by kind and the round trips on the critical path.
 */
function measuredApp(
  env: NodeJS.ProcessEnv = {},
  options: { latencyMs?: number; writeLatencyMs?: number; compose?: (env: NodeJS.ProcessEnv) => Services } = {},
): MeasuredApp {
  const requests: Recorded[] = [];
  const fetch = async (url: string | URL, init?: RequestInit) => {
    const method = init?.method ?? "GET";
    const start = performance.now();
    const response = await globalThis.fetch(url, init);
    const latency = method === "GET" ? (options.latencyMs ?? 0) : (options.writeLatencyMs ?? options.latencyMs ?? 0);
    if (latency > 0) await sleep(latency);
    requests.push({ method, path: new URL(String(url)).pathname, start, end: performance.now() });
    return response;
  };
  const services = (options.compose ?? createServices)({ ...TEST_APP_ENV, ...env });
  const probot = new Probot({
    appId: APP_ID,
    privateKey: key(),
    logLevel: "fatal",
    request: { fetch },
    Octokit: UnthrottledOctokit,
  });
  void probot.load(createCountersign(services));
  let delivery = 0;
  const app: MeasuredApp = {
    probot,
    services,
    requests,
    receive: (name, payload) => probot.receive({ id: `scale-${++delivery}`, name, payload } as never),
  };
  apps.push(app);
  return app;
}

/** Requests to the API (not the installation token), by kind, and the round trips before the first write. */
function tally(requests: Recorded[]) {
  const api = requests.filter((r) => !r.path.endsWith("/access_tokens"));
  const reads = api.filter((r) => r.method === "GET");
  const writes = api.filter((r) => r.method !== "GET" && !r.path.endsWith("/graphql"));
  const graphql = api.filter((r) => r.path.endsWith("/graphql"));
  // A request's round is one more than the latest round of any request that ended before it started.
  const sorted = [...api].sort((a, b) => a.start - b.start);
  const round = new Map<Recorded, number>();
  for (const r of sorted) round.set(r, 1 + Math.max(0, ...sorted.filter((q) => q.end <= r.start).map((q) => round.get(q) ?? 0)));
  const firstWrite = Math.min(...writes.map((w) => w.start));
  const roundsToDecision = Math.max(0, ...reads.filter((r) => r.start < firstWrite).map((r) => round.get(r) ?? 0));
  return {
    reads: reads.length,
    writes: writes.length,
    graphql: graphql.length,
    roundsToDecision,
    paths: api.map((r) => `${r.method} ${r.path}`),
  };
}

async function evaluations(services: Services): Promise<number> {
  const metric = await services.metrics.evaluations.get();
  return metric.values.reduce((n, v) => n + v.value, 0);
}

/** The small PR of the budget: 20 files, 3 commits (one with an AI trailer), 2 reviews (a senior's approval, a comment). */
function smallPull(gh: FakeGitHub, o: { labels?: string[] } = {}) {
  const pr = pullRequest({ labels: o.labels ?? ["ai-assisted", "risk:low"], changedFiles: 20, commits: 3, additions: 100, deletions: 20 });
  const files = Array.from({ length: 20 }, (_, i) => file(`src/module-${i}.ts`));
  const commits = [commit({ sha: sha(1) }), commit({ sha: sha(2), message: `Add retries${CLAUDE_TRAILER}` }), commit({ sha: HEAD })];
  const reviews = [review("carol", "APPROVED", { id: 1 }), review("dave", "COMMENTED", { id: 2 })];
  gh.pull(pr, { files, commits, reviews });
  // carol's approval may count: the PR's history is read, since an approval counts only on the base it was given on.
  gh.labelEvents();
  return pr;
}

/** The passing check run a FakeGitHub's evaluation wrote, as the next evaluation lists it back. */
function passingRunAsWritten(gh: FakeGitHub) {
  const { title, summary, text } = gh.lastCheck.output;
  return existingCheckRun({ status: "completed", conclusion: "success", title, summary, text });
}

describe("the request budget of one evaluation (small PR: 20 files, 3 commits, 2 reviews)", () => {
  // A verdict that passes also lists the open PRs with its head (every one must pass): one read more,
  // in round 2 when the verdict may pass (here: an approval on the head), so no round trip more.
  it("cold: 10 reads in 2 round trips and one check-run write; warm and unchanged: 7 reads in 2 round trips, nothing written", async () => {
    const app = measuredApp({ POLICY_CACHE_SECONDS: "300" }, { latencyMs: 25 });
    const cold = new FakeGitHub().token();
    const pr = smallPull(cold);
    cold.policy(SENIORS_POLICY).existingChecks().membership("@acme/seniors", "carol", "active").expectCheckRun();
    await app.receive("pull_request", pullRequestEvent("synchronize", pr));
    const coldTally = tally(app.requests);
    expect(cold.lastCheck).toMatchObject({ status: "completed", conclusion: "success" });
    // The 8th read: whether the repository has Git AI notes (refs/notes/ai), in round 1; its absence
    // is cached per repository (NOTES_REF_CACHE_SECONDS), so the warm evaluation below does not ask.
    // The 9th: the open PRs with this head. The 10th: the PR's issue history (base changes), beside the membership.
    expect(coldTally).toMatchObject({ reads: 10, writes: 1, graphql: 0, roundsToDecision: 2 });

    app.requests.length = 0;
    const warm = new FakeGitHub();
    smallPull(warm);
    warm.existingChecks([passingRunAsWritten(cold)]);
    await app.receive("pull_request_review", { ...example("pull_request_review", "submitted"), pull_request: pr });
    const warmTally = tally(app.requests);
    expect(warm.checkRuns).toEqual([]);
    expect(warmTally).toMatchObject({ reads: 7, writes: 0, graphql: 0 });
    // Every read of the PR in one round: PR, files, commits, reviews and our check run, at once; then the PRs with its head and the history.
    const round1 = app.requests.filter((r) => !r.path.endsWith("/pulls") && !r.path.endsWith("/events"));
    expect(Math.max(...round1.map((r) => r.start)) < Math.min(...round1.map((r) => r.end))).toBe(true);
    expect(app.requests.filter((r) => r.path.endsWith(`/commits/${HEAD}/pulls`))).toHaveLength(1);
  });

  it("a PR without the AI label reads its label history in the first round once it has been seen", async () => {
    const app = measuredApp({ POLICY_CACHE_SECONDS: "300" }, { latencyMs: 25 });
    const pr = pullRequest({ labels: ["risk:low"] });
    const first = new FakeGitHub().evaluating(pr).labelEvents().expectCheckRun();
    await app.receive("pull_request", pullRequestEvent("opened", pr));
    expect(first.lastCheck.conclusion).toBe("success");

    app.requests.length = 0;
    const second = new FakeGitHub().pull(pr).labelEvents();
    second.existingChecks([passingRunAsWritten(first)]);
    await app.receive("pull_request", pullRequestEvent("edited", pr));
    expect(tally(app.requests)).toMatchObject({ reads: 7, writes: 0 });
    const round1 = app.requests.filter((r) => !r.path.endsWith("/pulls"));
    expect(Math.max(...round1.map((r) => r.start)) < Math.min(...round1.map((r) => r.end))).toBe(true);
  });

  it("the naive baseline (bench/lib/naive-app.ts) reads the policy, membership and check run every time, in two rounds", async () => {
    const app = measuredApp({}, { latencyMs: 25, compose: createNaiveServices });
    const gh = new FakeGitHub().token();
    const pr = smallPull(gh);
    gh.policy(SENIORS_POLICY).existingChecks().membership("@acme/seniors", "carol", "active").expectCheckRun();
    await app.receive("pull_request", pullRequestEvent("synchronize", pr));

    app.requests.length = 0;
    const again = new FakeGitHub();
    smallPull(again);
    again.policy(SENIORS_POLICY).membership("@acme/seniors", "carol", "active");
    again.existingChecks([passingRunAsWritten(gh)]);
    await app.receive("pull_request", pullRequestEvent("synchronize", pr));
    // The notes ref uncached, the open PRs with the head (the verdict passes) and the PR's history.
    expect(tally(app.requests)).toMatchObject({ reads: 10, writes: 0 });
    expect(app.services.gate).toBeInstanceOf(DirectGate);
  });
});

describe("coalescing a burst of events for one PR", () => {
  it("evaluates 20 synchronize and review events that arrive together at most twice, and the check is on the latest head", async () => {
    const app = measuredApp({ POLICY_CACHE_SECONDS: "300" });
    const { github, pulls } = liveRepo();
    const pr = pulls[0]!;
    await app.receive("pull_request", github.synchronize(pr.number, sha(100)));
    const before = await evaluations(app.services);
    // The first run's read of the PR is answered once all 20 events have reached the gate: the burst
    // arrives while it runs, however the process is scheduled.
    const coalesced = app.services.coalescer.coalesced;
    const allQueued = until(() => app.services.coalescer.coalesced - coalesced >= 19, "the other 19 events to join the runs");
    github.faults.add({ match: { route: "pulls.get" }, action: { type: "hold", until: allQueued } });

    const burst: Array<Promise<void>> = [];
    for (let i = 1; i <= 20; i++) {
      if (i % 2 === 1) burst.push(app.receive("pull_request", github.synchronize(pr.number, sha(100 + i))));
      else {
        github.review(pr.number, BOB, "APPROVED", { commitId: pr.headSha });
        burst.push(app.receive("pull_request_review", github.reviewEvent("submitted", {}, pr.number)));
      }
    }
    await Promise.all(burst);

    expect((await evaluations(app.services)) - before).toBeLessThanOrEqual(2);
    expect(pr.headSha).toBe(sha(119));
    expect(github.check(undefined, pr.number)).toMatchObject({ head_sha: sha(119), status: "completed", conclusion: "success" });
    expect(github.checkWrites(pr.number).filter((w) => w.head !== sha(100) && w.head !== sha(119))).toEqual([]);
  });

  it("with COALESCE_DELAY_MS, 20 events spread over two seconds are evaluated once, after the quiet period", async () => {
    // Time is the subject: the quiet period runs on the fake clock (setTimeout, performance.now), so
    // the events are exactly 100 ms apart however busy the machine is. GitHub's answers stay real I/O.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    try {
      const app = measuredApp({ POLICY_CACHE_SECONDS: "300", COALESCE_DELAY_MS: "1000" });
      const { github, pulls } = liveRepo();
      const pr = pulls[0]!;
      const burst: Array<Promise<void>> = [];
      for (let i = 1; i <= 20; i++) {
        burst.push(app.receive("pull_request", github.synchronize(pr.number, sha(200 + i))));
        await vi.advanceTimersByTimeAsync(100);
      }
      // 900 ms after the last event nothing has run yet; at 1000 ms the one run starts.
      await vi.advanceTimersByTimeAsync(800);
      expect(await evaluations(app.services)).toBe(0);
      expect(github.requestsTo(/\/pulls\/7$/)).toEqual([]);
      await vi.advanceTimersByTimeAsync(100);
      await Promise.all(burst);
      expect(await evaluations(app.services)).toBe(1);
      expect(github.check(undefined, pr.number)).toMatchObject({ head_sha: sha(220), status: "in_progress" });
    } finally {
      vi.useRealTimers();
    }
  });

  it("an older evaluation that is slow never overwrites a newer one: runs for one PR are serialised and the last one reads the latest state", async () => {
    const app = measuredApp({ POLICY_CACHE_SECONDS: "300" });
    const { github, pulls } = liveRepo();
    const pr = pulls[0]!;
    // The first evaluation reads an approved PR, slowly; meanwhile the approval is dismissed.
    const approval = github.review(pr.number, BOB, "APPROVED", { commitId: HEAD });
    const readAnswered = deferred();
    github.holdNextRead(pr.number, readAnswered.promise);
    const first = app.receive("pull_request_review", github.reviewEvent("submitted", {}, pr.number));
    // The first run has read the PR (its answer, with the approval, is held): now it is dismissed.
    await until(() => github.requestsTo(/\/pulls\/7$/).length >= 1, "the first run's read of the PR");
    approval.state = "DISMISSED";
    const coalesced = app.services.coalescer.coalesced;
    const second = app.receive("pull_request_review", {
      ...example("pull_request_review", "dismissed"),
      pull_request: pullRequest({ headSha: HEAD }),
    });
    // The dismissal's event queues behind the first run while that run's read is still unanswered.
    await until(() => app.services.coalescer.coalesced > coalesced, "the dismissal to queue a follow-up");
    readAnswered.resolve();
    await Promise.all([first, second]);

    // The dismissal is what stands: the check waits. The first run read the approval, saw the
    // dismissal queued behind it, and left the writing to its follow-up: no stale success ever shows.
    expect(github.check(undefined, pr.number)).toMatchObject({ head_sha: HEAD, status: "in_progress" });
    expect(github.checkWrites(pr.number).map((w) => w.status)).toEqual(["in_progress"]);
    expect(github.requestsTo(/\/pulls\/7$/)).toHaveLength(2);
  });

  it("a check run read for an old SHA never stands in for the new head", async () => {
    const app = measuredApp({ POLICY_CACHE_SECONDS: "300" });
    const { github, pulls } = liveRepo();
    const pr = pulls[0]!;
    github.forcePush(pr.number, OLD_HEAD);
    github.review(pr.number, BOB, "APPROVED", { commitId: OLD_HEAD });
    await app.receive("pull_request_review", github.reviewEvent("submitted", {}, pr.number));
    expect(github.check(undefined, pr.number)).toMatchObject({ head_sha: OLD_HEAD, conclusion: "success" });

    // A late event still names the old head (its passing check is read in round 1), but the PR has moved on.
    const stale = github.reviewEvent("submitted", {}, pr.number);
    github.forcePush(pr.number, HEAD);
    await app.receive("pull_request_review", stale);
    expect(github.check(undefined, pr.number)).toMatchObject({ head_sha: HEAD, status: "in_progress" });
    expect(github.checkRuns.find((r) => r.head_sha === OLD_HEAD)).toMatchObject({ conclusion: "success" });
  });

  it("a follow-up that sees a newer event queued leaves its writes to it, and the last run still writes", async () => {
    const app = measuredApp({ POLICY_CACHE_SECONDS: "300" });
    const { github, pulls } = liveRepo();
    const pr = pulls[0]!;
    await app.receive("pull_request", github.synchronize(pr.number, sha(300)));
    // Run 1 is in flight (its read of the PR held); an event arrives while it reads, so it yields and the follow-up writes.
    const readAnswered = deferred();
    github.holdNextRead(pr.number, readAnswered.promise);
    const reads = github.requestsTo(/\/pulls\/7$/).length;
    const first = app.receive("pull_request", github.synchronize(pr.number, sha(301)));
    await until(() => github.requestsTo(/\/pulls\/7$/).length > reads, "run 1's read of the PR");
    const coalesced = app.services.coalescer.coalesced;
    const second = app.receive("pull_request", github.synchronize(pr.number, sha(302)));
    await until(() => app.services.coalescer.coalesced > coalesced, "the newer push to queue a follow-up");
    readAnswered.resolve();
    await Promise.all([first, second]);
    const superseded = await app.services.metrics.supersededPublishes.get();
    expect(superseded.values[0]?.value).toBe(1);
    expect(github.checkWrites(pr.number).map((w) => w.head)).toEqual([sha(300), sha(302)]);
    expect(github.check(undefined, pr.number)).toMatchObject({ head_sha: sha(302), status: "in_progress" });
  });

  it("drops a write whose PR got a newer event while it waited for its turn, instead of sending it", async () => {
    // Without spacing a turn lasts until its write is answered: PR 8's check write, held, keeps the turn.
    const app = measuredApp({ POLICY_CACHE_SECONDS: "300", WRITE_SPACING_MS: "0" });
    const { github, pulls } = liveRepo([7, 8]);
    const [pr, other] = [pulls[0]!, pulls[1]!];
    const writeAnswered = deferred();
    github.faults.add({ match: { route: "checks.create" }, times: 1, action: { type: "hold", until: writeAnswered.promise } });
    // PR 8's write takes the installation's turn until it is answered…
    github.forcePush(other.number, sha(900));
    const busy = app.receive("pull_request", github.synchronize(other.number, sha(901)));
    await until(() => github.checkWrites(other.number).length > 0, "PR 8's check write");
    // …during which PR 7's evaluation waits to write, and a newer push to PR 7 arrives.
    const first = app.receive("pull_request", github.synchronize(pr.number, sha(902)));
    // PR 8's check write is out: a check write waiting now is PR 7's (its first on this head: rank "check").
    await until(() => (app.services.turns?.backlog().check ?? 0) > 0, "PR 7's check write to wait for its turn");
    const coalesced = app.services.coalescer.coalesced;
    const second = app.receive("pull_request", github.synchronize(pr.number, sha(903)));
    await until(() => app.services.coalescer.coalesced > coalesced, "the newer push to PR 7 to queue a follow-up");
    writeAnswered.resolve();
    await Promise.all([busy, first, second]);
    expect(github.checkWrites(pr.number).map((w) => w.head)).toEqual([sha(903)]);
    expect((await app.services.metrics.supersededPublishes.get()).values[0]?.value).toBe(1);
  });

  it("evaluates different PRs independently: a slow PR does not hold up another", async () => {
    const app = measuredApp({ POLICY_CACHE_SECONDS: "300" });
    const { github, pulls } = liveRepo([7, 8]);
    const [slow, fast] = [pulls[0]!, pulls[1]!];
    github.forcePush(fast.number, sha(800));
    const slowRead = deferred();
    github.holdNextRead(slow.number, slowRead.promise);
    const finished: number[] = [];
    const a = app.receive("pull_request", github.synchronize(slow.number, HEAD)).then(() => finished.push(7));
    const b = app.receive("pull_request", github.synchronize(fast.number, sha(801))).then(() => finished.push(8));
    // PR 8 is evaluated and written while PR 7's read is still unanswered (held until PR 8 is done).
    await b;
    slowRead.resolve();
    await a;
    expect(finished).toEqual([8, 7]);
    expect(github.check(undefined, slow.number)?.head_sha).toBe(HEAD);
    expect(github.check(undefined, fast.number)?.head_sha).toBe(sha(801));
  });
});

describe("the policy cache", () => {
  it("reads the policy once per repository, and again after a push changes it", async () => {
    const app = measuredApp({ POLICY_CACHE_SECONDS: "300" });
    const { gh, github, pulls } = liveRepo();
    const pr = pulls[0]!;
    nock.removeInterceptor({
      hostname: "api.github.com",
      path: "/repos/acme/shop/contents/.github%2Fcountersign.yml",
      method: "GET",
      proto: "https",
    });
    let policyReads = 0;
    gh.api
      .get("/repos/acme/shop/contents/.github%2Fcountersign.yml")
      .reply(() => (policyReads++, [200, "mode: report\n", { "content-type": "application/vnd.github.v3.raw; charset=utf-8" }]))
      .persist();
    await app.receive("pull_request", github.synchronize(pr.number, sha(400)));
    await app.receive("pull_request", github.synchronize(pr.number, sha(401)));
    await app.receive("pull_request", github.synchronize(pr.number, sha(402)));
    expect(policyReads).toBe(1);
    expect(github.check(undefined, pr.number)).toMatchObject({ conclusion: "neutral" });

    // A push to the default branch that changes the policy drops it (and re-evaluates open PRs).
    gh.api.get("/repos/acme/shop/pulls").query(true).reply(200, []);
    const push = example("push");
    Object.assign(push, { ref: "refs/heads/main", commits: [{ id: "1", added: [], removed: [], modified: [".github/countersign.yml"] }] });
    Object.assign(push.repository as Json, { default_branch: "main", master_branch: "main" });
    await app.receive("push", push);
    await app.receive("pull_request", github.synchronize(pr.number, sha(403)));
    expect(policyReads).toBe(2);
  });

  it("is off in the naive baseline", async () => {
    const app = measuredApp({}, { compose: createNaiveServices });
    const { github, pulls } = liveRepo();
    await app.receive("pull_request", github.synchronize(pulls[0]!.number, sha(500)));
    await app.receive("pull_request", github.synchronize(pulls[0]!.number, sha(501)));
    const contents = app.requests.filter((r) => r.path === "/repos/acme/shop/contents/.github%2Fcountersign.yml");
    expect(contents).toHaveLength(2);
  });
});

describe("GET /metrics", () => {
  it("is served by Probot's own server next to /ping, with the metric names the benchmark reads", async () => {
    const services = createServices(TEST_APP_ENV);
    services.metrics.countRequest("read", 200);
    services.metrics.countRequest("write", 201);
    services.metrics.countRequest("graphql", 200);
    services.metrics.evaluations.inc({ outcome: "waiting", tier: "low" });
    services.metrics.coalesced.inc(3);
    services.metrics.evaluationSeconds.observe({ outcome: "waiting" }, 0.2);
    const port = await freePort();
    const server = new Server({
      Probot: Probot.defaults({ appId: APP_ID, privateKey: key(), logLevel: "fatal" }),
      port,
      host: "127.0.0.1",
      enableStaticFiles: false,
    });
    await server.load(createCountersign(services));
    await server.start();
    // Real HTTP to our own server: nock steps aside for this test.
    nock.restore();
    try {
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
      const text = await metrics.text();
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get("content-type")).toContain("text/plain");
      for (const name of [
        'countersign_github_requests_total{kind="read"} 1',
        'countersign_github_requests_total{kind="write"} 1',
        'countersign_github_requests_total{kind="graphql"} 1',
        'countersign_evaluations_total{outcome="waiting",tier="low"} 1',
        "countersign_coalesced_events_total 3",
        "countersign_evaluation_duration_seconds_bucket",
        "countersign_signoff_wait_seconds_bucket",
        "countersign_github_not_modified_total",
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
      ]) {
        expect(text).toContain(name);
      }
      const ping = await fetch(`http://127.0.0.1:${port}/ping`);
      expect(await ping.text()).toBe("PONG");
    } finally {
      nock.activate();
      nock.disableNetConnect();
      await server.stop();
    }
  });

  it("counts the GitHub requests of real evaluations by kind, and the time a PR waited for sign-off", async () => {
    const app = measuredApp({ POLICY_CACHE_SECONDS: "300" });
    const { github, pulls } = liveRepo();
    const pr = pulls[0]!;
    await app.receive("pull_request", github.synchronize(pr.number, sha(600)));
    github.review(pr.number, BOB, "APPROVED", { commitId: sha(600) });
    await app.receive("pull_request_review", github.reviewEvent("submitted", {}, pr.number));
    const text = (await app.services.metrics.render()).body;
    const reads = app.requests.filter((r) => r.method === "GET" && !r.path.endsWith("/access_tokens")).length;
    const writes = app.requests.filter((r) => r.method !== "GET" && !r.path.endsWith("/access_tokens")).length;
    expect(text).toContain(`countersign_github_requests_total{kind="read"} ${reads}`);
    expect(text).toContain(`countersign_github_requests_total{kind="write"} ${writes}`);
    expect(text).toContain('countersign_evaluations_total{outcome="waiting",tier="low"} 1');
    expect(text).toContain('countersign_evaluations_total{outcome="approved",tier="low"} 1');
    expect(text).toContain('countersign_signoff_wait_seconds_count{tier="low"} 1');
    expect(text).toContain('countersign_approvals_total{tier="low",basis="head"} 1');
    expect(text).toContain('countersign_waiting_pull_requests{tier="low"} 0');
  });
});
