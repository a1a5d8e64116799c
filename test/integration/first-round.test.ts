// Round 1 of a warm evaluation (github/pull-source.ts readFirstRound, issue #24): what an event makes
// necessary is requested before any answer comes back. Every answer is held until the request the
// test waits for has been made (or the deadline, which only bounds a failure), so a read that joins
// a later round can never be seen while the answers are held.
import { afterEach, describe, expect, it } from "vitest";
import { Probot } from "probot";
import { createCountersign } from "../../src/index.js";
import { createServices, type Services } from "../../src/handlers/services.js";
import {
  APP_ID,
  FakeGitHub,
  HEAD,
  OLD_HEAD,
  commit,
  example,
  existingCheckRun,
  pullRequest,
  pullRequestEvent,
  review,
  TEST_APP_ENV,
  UnthrottledOctokit,
  testKey,
} from "../helpers/github.js";

type Json = Record<string, unknown>;
const SENIORS_POLICY = "signoff:\n  reviewers: ['@acme/seniors']\n  request_reviews: false\n";

const key = testKey;

interface HeldApp {
  services: Services;
  /** "METHOD path" of every API request, in the order made. */
  requests: string[];
  receive: (name: string, payload: object) => Promise<void>;
  /** Hold every answer until the returned release() (each request is still made and answered by the mocks). */
  hold: () => () => void;
  /** Resolves once a request matching `pattern` has been made; rejects at the deadline. */
  requested: (pattern: RegExp, deadlineMs?: number) => Promise<void>;
}

const apps: HeldApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.services.close()));
});

function heldApp(): HeldApp {
  const requests: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  let held: Promise<void> = Promise.resolve();
  const fetch = async (url: string | URL, init?: RequestInit) => {
    const line = `${init?.method ?? "GET"} ${new URL(String(url)).pathname}`;
    if (!line.endsWith("/access_tokens")) requests.push(line);
    for (const w of waiters.filter((w) => w.pattern.test(line))) w.resolve();
    const gate = held;
    const response = await globalThis.fetch(url, init);
    await gate;
    return response;
  };
  const services = createServices({ ...TEST_APP_ENV, POLICY_CACHE_SECONDS: "300" });
  const probot = new Probot({ appId: APP_ID, privateKey: key(), logLevel: "fatal", request: { fetch }, Octokit: UnthrottledOctokit });
  void probot.load(createCountersign(services));
  let delivery = 0;
  const app: HeldApp = {
    services,
    requests,
    receive: (name, payload) => probot.receive({ id: `round-${++delivery}`, name, payload } as never),
    hold: () => {
      let release!: () => void;
      held = new Promise<void>((r) => (release = r));
      return () => {
        release();
        held = Promise.resolve();
      };
    },
    requested: (pattern, deadlineMs = 10_000) =>
      requests.some((r) => pattern.test(r))
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no request matching ${pattern} while the answers were held`)), deadlineMs);
            waiters.push({ pattern, resolve: () => (clearTimeout(timer), resolve()) });
          }),
  };
  apps.push(app);
  return app;
}

/** The PR's check as a first evaluation left it (waiting), so the next one finds the policy cached. */
async function warmUp(app: HeldApp, pr: Json, reviews: Json[]): Promise<Json> {
  const gh = new FakeGitHub().token();
  gh.pull(pr, { commits: [commit({ sha: OLD_HEAD }), commit({ sha: HEAD })], reviews })
    .policy(SENIORS_POLICY)
    .existingChecks()
    .expectCheckRun();
  await app.receive("pull_request", pullRequestEvent("synchronize", pr));
  app.requests.length = 0;
  expect(gh.lastCheck.status).not.toBe("completed");
  // Our check run as the next evaluation lists it back.
  const { title, summary, text } = gh.lastCheck.output;
  return existingCheckRun({ status: "in_progress", title, summary, ...(text ? { text } : {}) });
}

function reviewEvent(pr: Json, r: Json): Json {
  const payload = example("pull_request_review", "submitted");
  return { ...payload, pull_request: pr, review: { ...r, state: String(r.state).toLowerCase() } };
}

describe("round 1 of a warm evaluation", () => {
  it("an approval with the policy cached reads the reviewer's team membership in the first round, once", async () => {
    const app = heldApp();
    const pr = pullRequest({ labels: ["ai-assisted", "risk:low"] });
    const written = await warmUp(app, pr, []);

    const approval = review("carol", "APPROVED", { id: 11 });
    const gh = new FakeGitHub();
    gh.pull(pr, { commits: [commit({ sha: OLD_HEAD }), commit({ sha: HEAD })], reviews: [approval] })
      .existingChecks([written])
      .labelEvents()
      .membership("@acme/seniors", "carol", "active")
      .expectCheckRun("PATCH", 9001);
    const release = app.hold();
    const handled = app.receive("pull_request_review", reviewEvent(pr, approval));
    // Seen while no answer has come back: the membership read is in round 1, beside the PR's reads.
    await app.requested(/\/teams\/seniors\/memberships\/carol$/);
    const round1 = [...app.requests];
    release();
    await handled;
    expect(round1).toEqual(
      expect.arrayContaining([
        "GET /repos/acme/shop/pulls/7",
        "GET /repos/acme/shop/pulls/7/reviews",
        "GET /orgs/acme/teams/seniors/memberships/carol",
      ]),
    );
    // Read once (the decision's lookup is answered by the same read), and the approval counted.
    expect(app.requests.filter((r) => r.includes("/memberships/"))).toHaveLength(1);
    expect(gh.lastCheck).toMatchObject({ status: "completed", conclusion: "success" });
  });

  it("an event that needs no one's membership reads none: a comment review, with no decisive review on the PR", async () => {
    const app = heldApp();
    const pr = pullRequest({ labels: ["ai-assisted", "risk:low"] });
    const comment = review("carol", "COMMENTED", { id: 12 });
    const written = await warmUp(app, pr, [comment]);

    const gh = new FakeGitHub();
    gh.pull(pr, { commits: [commit({ sha: OLD_HEAD }), commit({ sha: HEAD })], reviews: [comment] }).existingChecks([written]);
    await app.receive("pull_request_review", reviewEvent(pr, comment));
    expect(app.requests.filter((r) => r.includes("/teams/"))).toEqual([]);
    expect(app.requests).toContain("GET /repos/acme/shop/pulls/7");
  });

  it("a label on a PR whose last verdict passed on this head reads what only a pass needs in the first round", async () => {
    const app = heldApp();
    const pr = pullRequest({ labels: ["ai-assisted", "risk:low"] });
    const approval = review("carol", "APPROVED", { id: 13 });
    const commits = [commit({ sha: OLD_HEAD }), commit({ sha: HEAD })];
    const first = new FakeGitHub().token();
    first
      .pull(pr, { commits, reviews: [approval] })
      .policy(SENIORS_POLICY)
      .existingChecks()
      .labelEvents();
    first.membership("@acme/seniors", "carol", "active").expectCheckRun();
    await app.receive("pull_request", pullRequestEvent("synchronize", pr));
    expect(first.lastCheck).toMatchObject({ status: "completed", conclusion: "success" });
    const { title, summary, text } = first.lastCheck.output;
    app.requests.length = 0;

    const gh = new FakeGitHub();
    gh.pull(pr, { commits, reviews: [approval] })
      .existingChecks([existingCheckRun({ status: "completed", conclusion: "success", title, summary, ...(text ? { text } : {}) })])
      .labelEvents();
    const release = app.hold();
    const handled = app.receive("pull_request", pullRequestEvent("labeled", pr, { label: { name: "needs-qa" } }));
    // Both requested while no answer has come back.
    await Promise.all([app.requested(new RegExp(`/commits/${HEAD}/pulls$`)), app.requested(/\/issues\/7\/events$/)]);
    release();
    await handled;
    expect(gh.checkRuns).toEqual([]); // unchanged: nothing written
    expect(app.requests.filter((r) => r.endsWith("/pulls"))).toHaveLength(1);
  });
});
