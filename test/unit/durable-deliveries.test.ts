// The parts of the durable delivery path that need no process: which writes are the app's label
// changes (the publisher notes them, so their echoes are skipped), which deliveries are echoes (never a person's change, never one the
// app did not make), and the rate budget background sweeps are paced by.
import { until } from "../helpers/poll.js";
import { describe, expect, it } from "vitest";
import { createServices } from "../../src/handlers/services.js";
import nock from "nock";
import { durabilityOf, isOwnEcho } from "../../src/handlers/durability.js";
import { publisherFor } from "../../src/handlers/publisher-for.js";
import { queuedOctokit } from "../helpers/queued-octokit.js";
import { echoKey, LocalEchoLedger } from "../../src/scale/echo-ledger.js";
import { LiveTraffic, RateBudget } from "../../src/scale/rate-budget.js";

const API = "https://api.github.com";

function labeled(action: "labeled" | "unlabeled", label: string, sender: { login: string; type: string }) {
  return {
    action,
    label: { name: label },
    sender,
    pull_request: { number: 7 },
    repository: { name: "shop", owner: { login: "acme" } },
  };
}

describe("the app's own label writes and their echoes", () => {
  it("notes the label writes the publisher makes: added labels, a removed label, nothing else; forgets one that failed", async () => {
    const services = createServices({ WRITE_SPACING_MS: "0" });
    const publisher = publisherFor(queuedOctokit(), services);
    const { echoes } = durabilityOf(services);
    const ref = { owner: "acme", repo: "shop", number: 7 };
    nock(API)
      .post("/repos/acme/shop/issues/7/labels", { labels: ["ai-assisted", "risk:high"] })
      .reply(200, []);
    nock(API).delete("/repos/acme/shop/issues/7/labels/risk%3Alow").reply(200, []);
    nock(API)
      .post("/repos/acme/shop/issues/7/labels", { labels: ["x"] })
      .reply(500, { message: "boom" });
    nock(API).get("/repos/acme/shop/labels/ai-assisted").reply(404, { message: "Not Found" });
    nock(API).post("/repos/acme/shop/labels").reply(201, { name: "ai-assisted" });

    await publisher.addLabels(ref, ["ai-assisted", "risk:high"]);
    await publisher.removeLabel(ref, "risk:low");
    await expect(publisher.addLabels(ref, ["x"])).rejects.toMatchObject({ status: 500 });
    // Creating the label in the repository changes no PR: nothing to note.
    await publisher.ensureLabel("acme", "shop", "ai-assisted", { aiAssisted: "ai-assisted", riskPrefix: "risk:" });

    expect(await echoes.consume(echoKey("acme", "shop", 7, "labeled", "ai-assisted"))).toBe(true);
    expect(await echoes.consume(echoKey("acme", "shop", 7, "labeled", "risk:high"))).toBe(true);
    expect(await echoes.consume(echoKey("acme", "shop", 7, "unlabeled", "risk:low"))).toBe(true);
    // Each once, and the failed write's echo is not expected.
    expect(await echoes.consume(echoKey("acme", "shop", 7, "labeled", "ai-assisted"))).toBe(false);
    expect(await echoes.consume(echoKey("acme", "shop", 7, "labeled", "x"))).toBe(false);
  });

  it("skips the echo of a label the app added, once; a person's identical change is evaluated", async () => {
    const services = createServices({});
    const { echoes } = durabilityOf(services);
    await echoes.expect(echoKey("acme", "shop", 7, "labeled", "ai-assisted"));
    const bot = { login: "countersign[bot]", type: "Bot" };
    // A person adding the same label at the same moment is never taken for the echo.
    expect(await isOwnEcho(services, "pull_request", labeled("labeled", "ai-assisted", { login: "alice", type: "User" }))).toBe(false);
    expect(await isOwnEcho(services, "pull_request", labeled("labeled", "ai-assisted", bot))).toBe(true);
    // Consumed: the same change again (another write, a bot the app is not) is evaluated.
    expect(await isOwnEcho(services, "pull_request", labeled("labeled", "ai-assisted", bot))).toBe(false);
  });

  it("evaluates a bot's label change the app did not make (another label, the other direction, another PR)", async () => {
    const services = createServices({});
    await durabilityOf(services).echoes.expect(echoKey("acme", "shop", 7, "labeled", "ai-assisted"));
    const bot = { login: "other-bot[bot]", type: "Bot" };
    expect(await isOwnEcho(services, "pull_request", labeled("unlabeled", "ai-assisted", bot))).toBe(false);
    expect(await isOwnEcho(services, "pull_request", labeled("labeled", "risk:high", bot))).toBe(false);
    expect(await isOwnEcho(services, "pull_request", { ...labeled("labeled", "ai-assisted", bot), pull_request: { number: 8 } })).toBe(
      false,
    );
    expect(await isOwnEcho(services, "pull_request_review", labeled("labeled", "ai-assisted", bot))).toBe(false);
  });

  it("forgets a write that failed: its echo will not come", async () => {
    const ledger = new LocalEchoLedger();
    const key = echoKey("acme", "shop", 7, "labeled", "x");
    await ledger.expect(key);
    await ledger.expect(key);
    await ledger.forget(key);
    expect(await ledger.consume(key)).toBe(true);
    expect(await ledger.consume(key)).toBe(false);
  });
});

describe("the rate budget of background sweeps", () => {
  const headers = (limit: number, remaining: number, resetS: number) => ({
    "x-ratelimit-limit": String(limit),
    "x-ratelimit-remaining": String(remaining),
    "x-ratelimit-reset": String(resetS),
    "x-ratelimit-resource": "core",
  });

  it("admits work while the remaining requests stay above the reserve, and waits for the reset otherwise", async () => {
    let now = 1_000_000;
    const slept: number[] = [];
    const budget = new RateBudget({
      reserveFraction: 0.2,
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    });
    budget.observe("1", headers(100, 40, 1_060));
    const first = await budget.admit("1", 10); // 40 - 10 >= 20
    const second = await budget.admit("1", 10); // 40 - 20 >= 20
    expect(slept).toEqual([]);
    // A third would leave 40 - 30 = 10 < 20: it waits for the reset (and a second more).
    const third = budget.admit("1", 10);
    expect(await third).toBeTypeOf("function");
    expect(slept).toEqual([1_060_000 - 1_000_000 + 1_000]);
    first();
    second();
  });

  it("keeps the lowest remaining of a window (answers arrive out of order) and ignores other resources", () => {
    const budget = new RateBudget();
    budget.observe("1", headers(5000, 300, 2_000_000_000));
    budget.observe("1", headers(5000, 310, 2_000_000_000));
    budget.observe("1", { ...headers(5000, 1, 2_000_000_000), "x-ratelimit-resource": "graphql" });
    expect(budget.window("1")?.remaining).toBe(300);
    budget.observe("1", headers(5000, 4999, 2_000_003_600));
    expect(budget.window("1")?.remaining).toBe(4999);
  });

  it("after a reset, sends one unit ahead to learn the new window; the others wait for its answer, not all start blind", async () => {
    let now = 1_000_000;
    const sleeps: Array<{ ms: number; wake: () => void }> = [];
    const budget = new RateBudget({
      reserveFraction: 0.2,
      now: () => now,
      sleep: (ms) => new Promise<void>((wake) => sleeps.push({ ms, wake })),
    });
    budget.observe("1", headers(100, 20, 1_060));
    // Sixteen units (four repositories, four PRs each) wait for the reset.
    const admitted: number[] = [];
    void Array.from({ length: 16 }, (_, i) => budget.admit("1", 12).then((end) => (admitted.push(i), end)));
    expect(await until(() => sleeps.length === 16, 5_000), "every unit to wait for the reset").toBe(true);
    now = 1_061_000;
    for (const s of sleeps.splice(0)) s.wake();
    // One goes ahead; the others wait for its answer (or ask again a second later).
    expect(await until(() => admitted.length === 1 && sleeps.length === 15, 5_000), "one unit to go ahead, fifteen to wait").toBe(true);
    // Its answer: a new window of 100, 99 left. Now each admits only while 99 - 12·n - 12 >= 20.
    budget.observe("1", headers(100, 99, 1_076));
    expect(await until(() => admitted.length === 6, 5_000), "the units the new window holds").toBe(true);
    expect(await until(() => sleeps.length === 15 + 10, 5_000), "the rest to wait for the next reset").toBe(true);
    expect(admitted).toHaveLength(6);
  });

  it("ignores a late answer of an older window, and lets the next unit ask when the one sent ahead made no request", async () => {
    let now = 2_000_000;
    const budget = new RateBudget({ now: () => now, sleep: () => new Promise<void>(() => {}) });
    budget.observe("1", headers(100, 90, 2_100));
    budget.observe("1", headers(100, 3, 2_050));
    expect(budget.window("1")).toEqual({ limit: 100, remaining: 90, resetAt: 2_100_000 });
    now = 2_101_000;
    const first = await budget.admit("1", 12);
    let second = false;
    const next = budget.admit("1", 12).then((end) => ((second = true), end));
    await Promise.resolve();
    expect(second).toBe(false);
    first(); // its work made no request: no answer will come
    (await next)();
    expect(second).toBe(true);
  });

  it("admits at once an installation whose window is unknown", async () => {
    const budget = new RateBudget({ sleep: async () => expect.unreachable("no wait") });
    (await budget.admit("9", 1000))();
  });

  it("lets background work wait while live deliveries are busy, and go once they are not", async () => {
    const live = new LiveTraffic(2, 60_000);
    const a = live.begin();
    const b = live.begin();
    let went = false;
    const waiting = live.quiet().then(() => (went = true));
    await Promise.resolve();
    expect(went).toBe(false);
    a();
    await waiting;
    expect(went).toBe(true);
    b();
  });
});

describe("a command delivered twice", () => {
  it("is answered once: a delivery handled again (claimed from a dead replica, or redelivered) does not reply twice", async () => {
    const { createTestApp, FakeGitHub, issueCommentEvent } = await import("../helpers/github.js");
    const app = createTestApp();
    const gh = new FakeGitHub().token().expectComment();
    const payload = issueCommentEvent("/countersign approve");
    await app.receive("issue_comment", payload);
    await app.receive("issue_comment", payload);
    expect(gh.comments).toHaveLength(1);
  });
});
