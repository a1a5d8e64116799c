// Nothing accepted is lost (DESIGN.md, "Limits of the platform"): the real server as child processes
// (test/helpers/server-process.ts), the loopback GitHub simulator with every answer delayed, and,
// with Redis, a real redis-server.
// - Two replicas share one Redis: a burst of deliveries is accepted (answered 2xx) by one of them,
//   which is SIGKILLed in the middle of its evaluations; the other claims what it left pending and
//   every PR ends with the right check, and no check or label is written twice.
// - One process without Redis, SIGKILLed mid-burst: restarted, it reconciles the open PRs whose
//   check is missing or older than the PR, and every PR ends with the right check.
// No test waits for a time to pass: each waits for an event (a log line, a request, a state of the
// simulator), with a generous deadline only as the bound of a failure.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { GitHubSimulator } from "../support/github/index.js";
import { throwawayKey } from "../../bench/lib/app-process.js";
import { deliverSigned, type RawResponse } from "../helpers/raw-http.js";
import { ServerProcess } from "../helpers/server-process.js";
import { startRedisServer } from "../helpers/redis-server.js";
import { until } from "../helpers/poll.js";

const SECRET = "durable-test-secret";
const APP_ID = 777;
const ORG = "acme";
const REPO = "shop";
const CHECK = "Countersign";
const PRS = [1, 2, 3, 4, 5, 6];
/** The PRs the senior approves in the burst: their checks must end passing, the others waiting. */
const APPROVED = new Set([2, 4, 6]);

const redisStart = await startRedisServer();
if (!redisStart.ok) console.warn(`[scale-durable] the two-replica test is SKIPPED: ${redisStart.reason}`);
const redisServer = redisStart.ok ? redisStart.server : undefined;

const apps: ServerProcess[] = [];
let sim: GitHubSimulator | undefined;
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.kill()));
  await sim?.stop();
  sim = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await redisServer?.stop();
});

function world(latencyMs: number): GitHubSimulator {
  sim = new GitHubSimulator({ appId: APP_ID, webhookSecret: SECRET, latencyMs });
  const model = sim.model;
  model.addRepo(ORG, REPO, { files: { ".github/countersign.yml": 'signoff:\n  reviewers: ["carol"]\n' } });
  model.setPermission(ORG, REPO, "carol", "write");
  const who = { name: "Alice", email: "alice@acme.example", login: "alice" };
  for (const number of PRS) {
    model.addPull(ORG, REPO, {
      number,
      title: `Change ${number}`,
      author: "alice",
      headRef: `feature/${number}`,
      files: [{ filename: `src/f${number}.ts`, status: "added", additions: 1, deletions: 0, patch: "@@ -0,0 +1 @@\n+export const x = 1;" }],
      commits: [{ message: `Change ${number}\n\nCo-authored-by: Claude <noreply@anthropic.com>`, author: who, committer: who }],
    });
  }
  return sim;
}

function app(env: Record<string, string>): ServerProcess {
  const dir = mkdtempSync(join(tmpdir(), "countersign-durable-"));
  dirs.push(dir);
  const a = new ServerProcess(dir, {
    NODE_ENV: "production",
    APP_ID: String(APP_ID),
    PRIVATE_KEY: throwawayKey(),
    WEBHOOK_SECRET: SECRET,
    GHE_HOST: sim!.host,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: "info",
    RETRY_ATTEMPTS: "0",
    ...env,
  });
  apps.push(a);
  return a;
}

function deliver(port: number, event: string, payload: object): Promise<RawResponse> {
  return deliverSigned(port, SECRET, event, payload);
}

/** The burst: every PR opened; the approved ones reviewed by the senior. */
function burst(s: GitHubSimulator): Array<{ event: string; payload: object }> {
  const out: Array<{ event: string; payload: object }> = [];
  for (const number of PRS) {
    out.push({ event: "pull_request", payload: s.payloads.pullRequest("opened", ORG, REPO, number) });
    if (APPROVED.has(number)) {
      const review = s.model.addReview(ORG, REPO, number, { user: "carol", state: "APPROVED" });
      out.push({ event: "pull_request_review", payload: s.payloads.review("submitted", ORG, REPO, number, review) });
    }
  }
  return out;
}

function checkOf(s: GitHubSimulator, number: number) {
  return s.model.latestCheckRun(ORG, REPO, s.model.mustPull(ORG, REPO, number).pull.headSha, CHECK);
}

/** Every PR has the right check on its head: passing where the senior approved, waiting for sign-off (in progress) elsewhere. */
function allRight(s: GitHubSimulator): boolean {
  return PRS.every((n) => {
    const check = checkOf(s, n);
    return APPROVED.has(n) ? check?.status === "completed" && check.conclusion === "success" : check?.status === "in_progress";
  });
}

/** Check and label writes that repeat the one before them for the same PR: what a delivery evaluated twice would write. */
function repeatedWrites(s: GitHubSimulator): string[] {
  const last = new Map<string, string>();
  const repeats: string[] = [];
  for (const e of s.log) {
    if (e.kind !== "write" || (e.status ?? 0) >= 300) continue;
    const body = e.body as
      | { head_sha?: string; conclusion?: string; output?: { title?: string; summary?: string }; labels?: unknown }
      | undefined;
    let key: string | undefined;
    let value: string | undefined;
    const checkUpdate = /\/check-runs\/(\d+)$/.exec(e.path);
    if (e.route === "checks.create" || checkUpdate) {
      const id = checkUpdate?.[1];
      const run = id ? [...s.model.repos.values()].flatMap((r) => r.checkRuns).find((c) => c.id === Number(id)) : undefined;
      key = `check@${body?.head_sha ?? run?.head_sha}`;
      value = JSON.stringify([body?.conclusion, body?.output?.title, body?.output?.summary]);
    } else if (/\/issues\/\d+\/labels/.test(e.path)) {
      key = `${e.method} ${e.path}`;
      value = JSON.stringify(body?.labels ?? null);
    }
    if (!key) continue;
    if (last.get(key) === value) repeats.push(`${key} ${value}`);
    last.set(key, value!);
  }
  return repeats;
}

describe.skipIf(!redisServer)("two replicas, one Redis stream", () => {
  it("a replica SIGKILLed mid-burst loses nothing: the other claims what it left, every PR ends right, nothing is written twice", async () => {
    const s = world(150);
    await s.start();
    const admin = new Redis(redisServer!.url);
    try {
      await admin.flushall();
      const env = { REDIS_URL: redisServer!.url, DELIVERY_CLAIM_IDLE_SECONDS: "1", RECONCILE_ON_START: "false" };
      const first = app(env);
      await first.start();
      // The burst goes to the first replica, which accepts each delivery (2xx) once it is in the stream.
      const mark = s.mark();
      const answers = await Promise.all(burst(s).map((d) => deliver(first.port, d.event, d.payload)));
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
      expect(await s.waitForRequest((e) => e.seq > mark && e.route !== "unknown", 30_000)).toBeDefined();

      // The second replica starts while the first works through the burst (its writes take a second each) …
      const second = app(env);
      await second.start();
      // … and the first dies mid-burst, with deliveries it accepted and took but did not finish.
      expect(allRight(s), "the first replica finished the burst before it could be killed: nothing would test the claim").toBe(false);
      await first.stop("SIGKILL");
      const key = (await admin.keys("countersign:*:deliveries"))[0];
      expect(key, "the delivery stream").toBeDefined();

      expect(await until(() => allRight(s), 90_000, 100), `not every PR ended right:\n${second.tail()}`).toBe(true);
      expect(await until(async () => (await admin.xlen(key!)) === 0, 30_000, 100), "deliveries left in the stream").toBe(true);
      const claimed = second.logs.filter((l) => l.msg === "handling a delivery another replica accepted and left unfinished");
      expect(claimed.length, "the second replica claimed nothing the first left").toBeGreaterThan(0);
      expect(repeatedWrites(s)).toEqual([]);
    } finally {
      await admin.quit();
    }
  }, 240_000);
});

describe("one process without Redis", () => {
  it("SIGKILLed mid-burst, restarted, it reconciles the open PRs and every PR ends with the right check", async () => {
    const s = world(150);
    await s.start();
    const first = app({ RECONCILE_ON_START: "false" });
    await first.start();
    const mark = s.mark();
    // Without Redis a delivery is answered once handled (or after 9 s): send them, do not wait for the answers.
    const answers = burst(s).map((d) => deliver(first.port, d.event, d.payload).catch(() => undefined));
    expect(await s.waitForRequest((e) => e.seq > mark && e.kind === "write", 60_000)).toBeDefined();
    expect(allRight(s), "the process finished the burst before it could be killed").toBe(false);
    await first.stop("SIGKILL");
    await Promise.all(answers);
    expect(allRight(s)).toBe(false);

    const restarted = app({});
    await restarted.start();
    expect(
      await until(() => restarted.logs.some((l) => l.msg === "reconciled open pull requests"), 120_000, 100),
      `no reconciliation:\n${restarted.tail()}`,
    ).toBe(true);
    const done = restarted.logs.find((l) => l.msg === "reconciled open pull requests")!;
    expect(done.evaluated).toBeGreaterThan(0);
    expect(await until(() => allRight(s), 60_000, 100), `not every PR ended right:\n${restarted.tail()}`).toBe(true);
  }, 240_000);
});
