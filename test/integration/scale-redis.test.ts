// Scale-out through Redis, against a real redis-server started here: two replicas never evaluate one
// PR at once, a burst split across them is folded into one follow-up at the latest state, an
// override or a policy change seen by one replica reaches the other, a dead lock holder is replaced,
// an unreachable Redis fails the event closed, and Probot's own throttling shares Redis (ioredis).
import { Redis } from "ioredis";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Probot, ProbotOctokit } from "probot";
import { RedisPullGate } from "../../src/scale/redis-gate.js";
import { CoordinationError, type GatedTask, type RunContext } from "../../src/scale/pull-gate.js";
import type { OverrideRecord } from "../../src/core/types.js";
import type { Services } from "../../src/handlers/services.js";
import {
  APP_ID,
  FakeGitHub,
  HEAD,
  INSTALLATION_ID,
  createTestApp,
  pullRequest,
  pullRequestEvent,
  type TestApp,
  liveRepo,
  sha,
  testKey,
} from "../helpers/github.js";
import { BOB } from "../support/github/constants.js";
import { startRedisServer } from "../helpers/redis-server.js";
import { deferred } from "../helpers/deferred.js";

/**
 * Poll a condition until it holds. The deadline only bounds a failure: nothing here passes because
 * time went by, each wait is for an event (a request registered in Redis, a lock taken, a read made).
 */
async function until(condition: () => boolean | Promise<boolean>, what: string, deadlineMs = 20_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const started = await startRedisServer();
if (!started.ok) console.warn(`[scale-redis] SKIPPED: ${started.reason}`);
const server = started.ok ? started.server : undefined;

describe.skipIf(!server)("replicas coordinated through Redis", () => {
  const url = server?.url ?? "";
  let admin: Redis;
  const clients: Redis[] = [];
  const services: Services[] = [];

  beforeAll(() => {
    admin = new Redis(url);
  });
  beforeEach(async () => {
    await admin.flushall();
  });
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.close()));
    await Promise.all(clients.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
  });
  afterAll(async () => {
    await admin?.quit();
    await server?.stop();
  });

  /** One replica's gate: its own connection, as a separate process would have. */
  function replica(options: { lockTtlMs?: number; delayMs?: number } = {}) {
    const client = new Redis(url, { maxRetriesPerRequest: 1 });
    clients.push(client);
    let coalesced = 0;
    const gate = new RedisPullGate(client, { prefix: "test:", ...options, onCoalesced: (n) => void (coalesced += n) });
    return { gate, client, coalesced: () => coalesced };
  }

  /** Requests for acme/shop#7 registered in Redis so far (each request increments the PR's `gen` first). */
  const generation = async () => Number((await admin.hget("test:{acme/shop#7}:pr", "gen")) ?? 0);
  /** Resolves once `n` requests for acme/shop#7 are registered, on whichever replica. */
  const requestsRegistered = (n: number) => until(async () => (await generation()) >= n, `${n} requests in Redis`);

  /** Tasks that record overlap across replicas and the state each run saw. */
  function observer() {
    let active = 0;
    let state = 0;
    const runs: Array<{ replica: string; saw: number; start: number; end: number; run: RunContext }> = [];
    let started!: () => void;
    return {
      runs,
      maxActive: 0,
      /** Resolves when the first run has started. */
      started: new Promise<void>((resolve) => (started = resolve)),
      bump() {
        return ++state;
      },
      /** A run that lasts until `until` resolves (default: at once). */
      task(replica: string, until: () => Promise<void> = async () => undefined): GatedTask {
        return async (run) => {
          active++;
          this.maxActive = Math.max(this.maxActive, active);
          const saw = state;
          const start = performance.now();
          started();
          await until();
          runs.push({ replica, saw, start, end: performance.now(), run });
          active--;
          return { headSha: `head-${saw}`, aiLabel: true };
        };
      },
    };
  }

  describe("the gate", () => {
    it("folds a burst of 20 requests split across two replicas into at most two runs, never two at once, the last at the latest state", async () => {
      const [a, b] = [replica(), replica()];
      const o = observer();
      const all = Array.from({ length: 20 }, (_, i) => {
        o.bump();
        // Each run lasts until all 20 requests are registered: the burst arrives while the first one runs.
        const hold = () => requestsRegistered(20);
        return i % 2 === 0 ? a.gate.run("acme/shop#7", o.task("a", hold)) : b.gate.run("acme/shop#7", o.task("b", hold));
      });
      await Promise.all(all);
      expect(o.runs.length).toBeLessThanOrEqual(2);
      expect(o.maxActive).toBe(1);
      expect(o.runs[o.runs.length - 1]?.saw).toBe(20);
      expect(a.coalesced() + b.coalesced()).toBe(20 - o.runs.length);
    });

    it("an event on replica B while A evaluates makes exactly one follow-up, which reads the latest state; B returns after it", async () => {
      const [a, b] = [replica(), replica()];
      const o = observer();
      o.bump();
      // A's run lasts until B's request is registered.
      const first = a.gate.run(
        "acme/shop#7",
        o.task("a", () => requestsRegistered(2)),
      );
      await o.started;
      o.bump();
      let bDone = 0;
      const second = b.gate.run("acme/shop#7", o.task("b")).then(() => (bDone = performance.now()));
      await Promise.all([first, second]);
      expect(o.runs.map((r) => r.saw)).toEqual([1, 2]);
      expect(o.runs[1]!.start).toBeGreaterThanOrEqual(o.runs[0]!.end);
      expect(bDone).toBeGreaterThanOrEqual(o.runs[1]!.end);
      expect(o.maxActive).toBe(1);
    });

    it("runs different PRs in parallel", async () => {
      const [a, b] = [replica(), replica()];
      const o = observer();
      // Each run waits for the other to start: if the gate ran them one after the other, neither would end.
      let startedRuns = 0;
      const both = () => until(() => startedRuns === 2, "both PRs' runs to start");
      const counted =
        (task: GatedTask): GatedTask =>
        (run) => {
          startedRuns++;
          return task(run);
        };
      await Promise.all([a.gate.run("acme/shop#7", counted(o.task("a", both))), b.gate.run("acme/shop#8", counted(o.task("b", both)))]);
      expect(o.maxActive).toBe(2);
    });

    it("hands an override sent through B to the run that picks it up, even when that run is A's", async () => {
      const [a, b] = [replica(), replica()];
      const o = observer();
      const override: OverrideRecord = { by: "ic", reason: "hotfix", sha: HEAD, at: "2026-11-20T10:00:00Z" };
      const first = a.gate.run(
        "acme/shop#7",
        o.task("a", () => requestsRegistered(2)),
      );
      await o.started;
      await b.gate.run("acme/shop#7", o.task("b"), { override });
      await first;
      expect(o.runs).toHaveLength(2);
      expect(o.runs[0]!.run.override).toBeUndefined();
      expect(o.runs[1]!.run.override).toEqual(override);
    });

    it("shares what the last run remembered: the next run on another replica knows the head and the AI label", async () => {
      const [a, b] = [replica(), replica()];
      const o = observer();
      o.bump();
      await a.gate.run("acme/shop#7", o.task("a"));
      await b.gate.run("acme/shop#7", o.task("b"), { headSha: "head-from-event" });
      expect(o.runs[1]!.run.memo).toEqual({ headSha: "head-from-event", aiLabel: true });
    });

    it("tells a running task when an event arrived for its PR on another replica", async () => {
      const [a, b] = [replica(), replica()];
      const seen: boolean[] = [];
      let runs = 0;
      let firstStarted!: () => void;
      const started = new Promise<void>((resolve) => (firstStarted = resolve));
      const first = a.gate.run("acme/shop#7", async (run) => {
        runs += 1;
        seen.push(await run.superseded());
        if (runs === 1) {
          firstStarted();
          // Wait for B's event instead of guessing how long it takes to reach Redis under load.
          let learned = false;
          await until(async () => (learned = await run.superseded()), "B's event to reach the running task").catch(() => undefined);
          seen.push(learned);
        } else {
          seen.push(await run.superseded());
        }
        return undefined;
      });
      await started;
      await Promise.all([first, b.gate.run("acme/shop#7", async () => undefined)]);
      // The first run learns of B's event; A's follow-up (the same task, run again) finds nothing newer.
      expect(seen).toEqual([false, true, false, false]);
    });

    it("replaces a lock holder that died: its lock expires and a waiting replica evaluates", async () => {
      const a = replica({ lockTtlMs: 300 });
      const b = replica({ lockTtlMs: 300 });
      const o = observer();
      let running!: () => void;
      const aRuns = new Promise<void>((resolve) => (running = resolve));
      void a.gate.run("acme/shop#7", () => {
        running();
        return new Promise<undefined>(() => {}); // hangs forever
      });
      await aRuns; // A holds the lock and evaluates
      const lockKey = "test:{acme/shop#7}:lock";
      const aLock = await admin.get(lockKey);
      expect(aLock).not.toBeNull();
      a.client.disconnect(); // the process died: no more renewals
      // B runs under a lock of its own: A's had expired (B waited for that, it did not take the PR beside A).
      let heldByB: string | null = null;
      await b.gate.run("acme/shop#7", async (run) => {
        heldByB = await admin.get(lockKey);
        return o.task("b")(run);
      });
      expect(o.runs).toHaveLength(1);
      expect(heldByB).not.toBeNull();
      expect(heldByB).not.toBe(aLock);
    });

    it("frees the lock when a run fails: everyone it covered sees the error, and later events still run", async () => {
      const [a, b] = [replica(), replica()];
      const o = observer();
      const failing = a.gate.run("acme/shop#7", async () => {
        await Promise.resolve();
        throw new Error("GitHub 502");
      });
      await expect(failing).rejects.toThrow("GitHub 502");
      await b.gate.run("acme/shop#7", o.task("b"));
      expect(o.runs).toHaveLength(1);
      expect(await admin.keys("test:*lock")).toEqual([]);
    });

    it("records when a PR started waiting for sign-off, once, for whichever replica approves it", async () => {
      const [a, b] = [replica(), replica()];
      await a.gate.markWaiting("acme/shop#7", 1_000);
      await b.gate.markWaiting("acme/shop#7", 5_000);
      expect(await b.gate.takeWaitingSince("acme/shop#7")).toBe(1_000);
      expect(await a.gate.takeWaitingSince("acme/shop#7")).toBeUndefined();
    });

    it("rejects with a CoordinationError when Redis cannot be reached", async () => {
      const client = new Redis("redis://127.0.0.1:1", {
        maxRetriesPerRequest: 0,
        connectTimeout: 200,
        retryStrategy: () => null,
        lazyConnect: true,
      });
      clients.push(client);
      client.on("error", () => {});
      const gate = new RedisPullGate(client, { prefix: "test:" });
      let ran = false;
      await expect(gate.run("acme/shop#7", async () => void (ran = true))).rejects.toBeInstanceOf(CoordinationError);
      expect(ran).toBe(false);
    });
  });

  describe("two Probot apps (replicas) sharing Redis", () => {
    function app(env: NodeJS.ProcessEnv = {}): TestApp {
      const a = createTestApp({ REDIS_URL: url, POLICY_CACHE_SECONDS: "300", ...env });
      services.push(a.services);
      return a;
    }

    /** Events for acme/shop#7 the apps registered in Redis so far (whatever the apps' key prefix). */
    async function appGeneration(): Promise<number> {
      const [key] = await admin.keys("countersign:*{acme/shop#7}:pr");
      return key ? Number((await admin.hget(key, "gen")) ?? 0) : 0;
    }

    async function evaluations(...apps: TestApp[]): Promise<number> {
      let n = 0;
      for (const a of apps) for (const v of (await a.services.metrics.evaluations.get()).values) n += v.value;
      return n;
    }

    it("a burst for one PR delivered to both replicas is evaluated at most twice, and the check is on the latest head", async () => {
      const [a, b] = [app(), app()];
      const { github, pulls } = liveRepo([7], 2);
      const pr = pulls[0]!;
      // The first run's read of the PR is answered once all 20 events are registered in Redis, so the
      // burst arrives while it runs however the replicas are scheduled.
      const allRegistered = until(async () => (await appGeneration()) >= 20, "20 events registered in Redis");
      github.faults.add({ match: { route: "pulls.get" }, action: { type: "hold", until: allRegistered } });
      const burst: Array<Promise<void>> = [];
      for (let i = 1; i <= 20; i++) {
        const target = i % 2 === 0 ? a : b;
        if (i % 4 === 0) {
          github.review(pr.number, BOB, "APPROVED", { commitId: pr.headSha });
          burst.push(target.receive("pull_request_review", github.reviewEvent("submitted", {}, pr.number)));
        } else {
          burst.push(target.receive("pull_request", github.synchronize(pr.number, sha(700 + i))));
        }
      }
      await Promise.all(burst);
      expect(await evaluations(a, b)).toBeLessThanOrEqual(2);
      // The last event is bob's approval of the last head.
      expect(pr.headSha).toBe(sha(719));
      expect(github.check(undefined, pr.number)).toMatchObject({ head_sha: sha(719), status: "completed", conclusion: "success" });
      expect(github.checkWrites(pr.number).every((w) => w.head === sha(719))).toBe(true);
    });

    it("an older evaluation on one replica never overwrites a newer event's result from the other", async () => {
      const [a, b] = [app(), app()];
      const { github, pulls } = liveRepo([7], 2);
      const pr = pulls[0]!;
      const approval = github.review(pr.number, BOB, "APPROVED", { commitId: HEAD });
      const readAnswered = deferred();
      github.holdNextRead(pr.number, readAnswered.promise);
      const readsBefore = github.requests.filter((r) => r.route === "pulls.get").length;
      const first = a.receive("pull_request_review", github.reviewEvent("submitted", {}, pr.number));
      // A has read the PR (with the approval; its answer is held): now the approval is dismissed.
      await until(() => github.requests.filter((r) => r.route === "pulls.get").length > readsBefore, "A's read of the PR");
      approval.state = "DISMISSED";
      const second = b.receive("pull_request_review", github.reviewEvent("submitted", {}, pr.number));
      // B's event reaches Redis while A's read is still unanswered (no guess at how long that takes).
      await until(async () => (await appGeneration()) >= 2, "B's event registered in Redis");
      readAnswered.resolve();
      await Promise.all([first, second]);
      expect(github.check(undefined, pr.number)).toMatchObject({ head_sha: HEAD, status: "in_progress" });
      expect(github.checkWrites(pr.number).every((w) => w.status === "in_progress")).toBe(true);
    });

    it("a policy change pushed to one replica is seen by the other at once (the epoch in Redis)", async () => {
      const [a, b] = [app(), app()];
      const { gh, github, pulls } = liveRepo([7], 1);
      const pr = pulls[0]!;
      nock.removeInterceptor({
        hostname: "api.github.com",
        path: "/repos/acme/shop/contents/.github%2Fcountersign.yml",
        method: "GET",
        proto: "https",
      });
      let policy = "mode: report\n";
      let reads = 0;
      gh.api
        .get("/repos/acme/shop/contents/.github%2Fcountersign.yml")
        .reply(() => (reads++, [200, policy, { "content-type": "application/vnd.github.v3.raw; charset=utf-8" }]))
        .persist();
      await a.receive("pull_request", github.synchronize(pr.number, sha(801)));
      await a.receive("pull_request", github.synchronize(pr.number, sha(802)));
      expect(reads).toBe(1);
      expect(github.check(undefined, pr.number)).toMatchObject({ conclusion: "neutral" });

      policy = "mode: enforce\n";
      // What onPolicyChanged starts on B, awaited: the epoch is bumped in Redis.
      await b.services.policies.invalidate("acme", "shop");
      await a.receive("pull_request", github.synchronize(pr.number, sha(803)));
      expect(reads).toBe(2);
      expect(github.check(undefined, pr.number)).toMatchObject({ head_sha: sha(803), status: "in_progress" });
    });

    it("fails the event closed when Redis is unreachable: a failing check on the head the event named", async () => {
      const a = app({ REDIS_URL: "redis://127.0.0.1:1" });
      const gh = new FakeGitHub().token().expectCheckRun();
      await expect(a.receive("pull_request", pullRequestEvent("synchronize", pullRequest()))).rejects.toThrow(/Redis/);
      expect(gh.lastCheck).toMatchObject({ head_sha: HEAD, status: "completed", conclusion: "failure" });
      expect(gh.lastCheck.output.summary).toContain("could not coordinate with the other replicas through Redis");
    });
  });

  describe("Probot's throttling", () => {
    it("shares its limiter through Redis when given REDIS_URL: ioredis resolves as an installed dependency", async () => {
      const privateKey = testKey();
      const probot = new Probot({
        appId: APP_ID,
        privateKey,
        logLevel: "fatal",
        redisConfig: url,
        Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false } })),
      });
      await probot.ready();
      new FakeGitHub().token();
      nock("https://api.github.com").post("/repos/acme/shop/check-runs").reply(201, { id: 1 });
      const octokit = await probot.auth(INSTALLATION_ID);
      await octokit.request("POST /repos/{owner}/{repo}/check-runs", { owner: "acme", repo: "shop", name: "Countersign", head_sha: HEAD });
      // Bottleneck's clustered limiters keep their state in Redis under b_* keys.
      expect((await admin.keys("b_*")).length).toBeGreaterThan(0);
    });
  });
});
