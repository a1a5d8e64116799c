// Issue #19 item 26: past MAX_CONSECUTIVE_YIELDS a run kept its writes although a newer event for
// its PR was queued, and the newer event's evaluation (which may close the gate) waited behind them:
// a passing check written after changes were requested, or a label re-add that ranks below every
// other PR's check write. A run whose check would pass now always leaves its writes to the follow-up;
// the bound still holds for a run whose check blocks (waiting on it never shows a pass).
//
// No timing: the PR gate is replaced by one whose every run is told a newer event is queued, and
// the PR's yield count starts at the bound.
import { afterEach, describe, expect, it } from "vitest";
import { FakeGitHub, HEAD, commit, createTestApp, example, pullRequest, review, type TestApp } from "../helpers/github.js";
import { MAX_CONSECUTIVE_YIELDS } from "../../src/scale/yield-to-follow-up.js";
import { LocalWaitingMarks, type PullGate } from "../../src/scale/pull-gate.js";

const CLAUDE_COMMIT = commit({ message: "Add retry to checkout\n\nCo-Authored-By: Claude <noreply@anthropic.com>" });
/** The PR's key in the gate and the yield counts (`owner/repo#n`, lower case). */
const KEY = "acme/shop#7";

const apps: TestApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.services.close()));
});

/** A test app whose every evaluation learns that a newer event for its PR is queued, with the PR already at the yield bound. */
function appAtTheYieldBound(): TestApp {
  const app = createTestApp();
  apps.push(app);
  const marks = new LocalWaitingMarks();
  const alwaysSuperseded: PullGate = {
    run: async (_key, task) => task({ memo: {}, superseded: async () => true }),
    markWaiting: (key, at) => marks.markWaiting(key, at),
    takeWaitingSince: (key) => marks.takeWaitingSince(key),
    close: async () => {},
  };
  app.services.gate = alwaysSuperseded;
  app.services.caches.yields.set(KEY, MAX_CONSECUTIVE_YIELDS);
  return app;
}

const reviewEvent = () => ({
  ...example("pull_request_review", "submitted"),
  pull_request: pullRequest({ labels: ["ai-assisted", "risk:low"] }),
});

describe("a run past the yield bound (issue #19 item 26)", () => {
  it("whose check would pass still leaves its writes to the queued follow-up, which may close the gate", async () => {
    const app = appAtTheYieldBound();
    const gh = new FakeGitHub()
      .token()
      .pull(pullRequest({ labels: ["ai-assisted", "risk:low"] }), { commits: [CLAUDE_COMMIT], reviews: [review("bob", "APPROVED")] });
    // The issue history: an approval counts only on the base it was given on.
    gh.noPolicy().existingChecks().labelEvents().permission("bob", "maintain");
    // Accepted if it came (the bug), so the assertion below says what went wrong.
    const written: string[] = [];
    gh.api
      .post("/repos/acme/shop/check-runs", (body: { conclusion?: string }) => (written.push(body.conclusion ?? "in_progress"), true))
      .optionally()
      .reply(201, { id: 9001 });

    await app.receive("pull_request_review", reviewEvent());

    expect(written).toEqual([]);
    expect((await app.services.metrics.supersededPublishes.get()).values[0]?.value).toBe(1);
    expect(app.services.caches.yields.get(KEY)).toBe(MAX_CONSECUTIVE_YIELDS + 1);
  });

  it("whose check blocks writes it: the bound still keeps a stream of events from starving the check", async () => {
    const app = appAtTheYieldBound();
    const gh = new FakeGitHub().token().pull(pullRequest({ labels: ["ai-assisted", "risk:low"] }), { commits: [CLAUDE_COMMIT] });
    gh.noPolicy().existingChecks().expectCheckRun();

    await app.receive("pull_request_review", reviewEvent());

    expect(gh.lastCheck).toMatchObject({ head_sha: HEAD, status: "in_progress" });
    expect((await app.services.metrics.supersededPublishes.get()).values).toEqual([expect.objectContaining({ value: 0 })]);
  });
});
