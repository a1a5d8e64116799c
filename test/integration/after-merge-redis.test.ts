// After the merge, across replicas: a merge event redelivered to another replica is not counted
// again (the merge ledger is shared through Redis), against a real redis-server started here.
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  FakeGitHub,
  OWNER,
  REPO,
  createTestApp,
  existingCheckRun,
  pullRequest,
  pullRequestEvent,
  type TestApp,
} from "../helpers/github.js";
import { recordText } from "../support/check-record.js";
import { LocalMergeLedger, RedisMergeLedger } from "../../src/scale/merge-ledger.js";
import { startRedisServer } from "../helpers/redis-server.js";

const started = await startRedisServer();
if (!started.ok) console.warn(`[after-merge-redis] Redis tests SKIPPED: ${started.reason}`);
const server = started.ok ? started.server : undefined;

const repoPath = `/repos/${OWNER}/${REPO}`;
const PASSED = existingCheckRun({
  status: "completed",
  conclusion: "success",
  title: "Not AI-assisted: no sign-off needed (risk low)",
  summary: "…",
  text: recordText(8, { outcome: "not-gated", mode: "enforce", gated: false, tier: "low", ai: false, approvedBy: [] }),
});

function revertEvent() {
  const pr = pullRequest({ number: 8, labels: [], state: "closed", body: "Reverts acme/shop#5" });
  const admin = { login: "admin-ann", id: 42, type: "User" };
  Object.assign(pr, {
    merged: true,
    merged_by: admin,
    merge_commit_sha: "c".repeat(40),
    merged_at: "2026-11-22T09:00:00Z",
    title: 'Revert "x"',
  });
  return pullRequestEvent("closed", pr, { sender: admin });
}

async function reverts(...apps: TestApp[]): Promise<number> {
  let n = 0;
  for (const a of apps) for (const v of (await a.services.metrics.reverts.get()).values) n += v.value;
  return n;
}

describe("the merge ledger", () => {
  it("claims a key once in one process", async () => {
    const ledger = new LocalMergeLedger();
    expect(await ledger.claim("acme/shop#8@c")).toBe(true);
    expect(await ledger.claim("acme/shop#8@c")).toBe(false);
    expect(await ledger.claim("acme/shop#9@d")).toBe(true);
  });

  describe.skipIf(!server)("through Redis", () => {
    const url = server?.url ?? "";
    const clients: Redis[] = [];
    const apps: TestApp[] = [];
    beforeEach(async () => {
      const admin = new Redis(url);
      clients.push(admin);
      await admin.flushall();
    });
    afterEach(async () => {
      await Promise.all(apps.splice(0).map((a) => a.services.close()));
    });
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
      await server?.stop();
    });

    it("claims a key once across two clients", async () => {
      const [one, two] = [new Redis(url), new Redis(url)];
      clients.push(one, two);
      expect(await new RedisMergeLedger(one, "test:").claim("acme/shop#8@c")).toBe(true);
      expect(await new RedisMergeLedger(two, "test:").claim("acme/shop#8@c")).toBe(false);
    });

    it("counts a revert once when its merge event is redelivered to another replica", async () => {
      const [a, b] = [createTestApp({ REDIS_URL: url }), createTestApp({ REDIS_URL: url })];
      apps.push(a, b);
      // The first replica reads (and judges afresh: the check passed as "not gated"); the redelivery reads nothing.
      const gh = new FakeGitHub().token().existingChecks([PASSED]).noPolicy();
      const merged8 = pullRequest({ number: 8, labels: [], state: "closed", body: "Reverts acme/shop#5" });
      gh.pull(Object.assign(merged8, { merged: true, title: 'Revert "x"' }));
      gh.api
        .get(`${repoPath}/pulls/5`)
        .times(2) // judged afresh (is #5 itself a revert, re-landed?) and counted as the reverted PR
        .reply(200, { number: 5, merged_at: "2026-11-20T09:00:00Z", labels: [{ name: "ai-assisted" }, { name: "risk:critical" }] });

      await a.receive("pull_request", revertEvent());
      await b.receive("pull_request", revertEvent());

      expect(await reverts(a, b)).toBe(1);
      const merged = [
        ...(await a.services.metrics.mergedPullRequests.get()).values,
        ...(await b.services.metrics.mergedPullRequests.get()).values,
      ];
      expect(merged.reduce((n, v) => n + v.value, 0)).toBe(1);
    });
  });
});
