// GitHub failing under the app: server errors, network timeouts, rate limits, 404/403 where the app
// reads its policy, labels and memberships. Whatever fails, the check never passes by accident: it
// blocks and says why, or the verdict is the one the readable facts give.
import { describe, expect, it } from "vitest";
import { Probot, ProbotOctokit } from "probot";
import { APP_ID, createTestApp, type TestApp, testKey } from "../helpers/github.js";
import { createCountersign } from "../../src/index.js";
import { createServices } from "../../src/handlers/services.js";
import { ALICE, CAROL, DAVE, OWNER, REPO } from "../support/github/constants.js";
import type { FaultAction, FaultRule } from "../support/github/faults.js";
import type { ModelRequest } from "../support/github/nock.js";
import { CLAUDE_MESSAGE, GitHubSession, POLICY_FILE, blocks, passes, simCommit } from "../support/github/session.js";

const SENIORS = "signoff:\n  reviewers: ['@acme/seniors']\n  request_reviews: false\n";

/** `null`: no policy file at all (404). */
function world(policy: string | number | null = SENIORS, app: TestApp = createTestApp()) {
  const gh = new GitHubSession({ ...(policy === null ? {} : { policy }) }).install();
  gh.model.setTeam(OWNER, "seniors", { carol: "active" });
  const pull = gh.addPull({ labels: ["ai-assisted", "risk:low"], commits: [simCommit({ message: CLAUDE_MESSAGE })] });
  return { gh, app, pull };
}

/** Requests by method and path: what a fault rule matches, and what a test counts. */
const is = (path: RegExp, method = "GET") => ({ method, path });
const FILES = is(/\/pulls\/7\/files$/);
const REVIEWS = is(/\/pulls\/7\/reviews$/);
const to = (match: { method: string; path: RegExp }) => (r: ModelRequest) => r.method === match.method && match.path.test(r.path);

/** Inject `action` on the requests `match` names (`times` at most). */
function fault(gh: GitHubSession, id: string, match: FaultRule["match"], action: FaultAction, times?: number): void {
  gh.faults.add({ id, match, action, ...(times === undefined ? {} : { times }) });
}

/** A Probot app like createTestApp's, but with Probot's retries and/or throttling switched on (fast). */
function appWith(o: { retry?: boolean; throttle?: boolean }): TestApp {
  const key = testKey();
  const services = createServices({ APP_ID: String(APP_ID), RETRY_ATTEMPTS: "0", SIGNOFF_CANDIDATES: "0" });
  const probot = new Probot({
    appId: APP_ID,
    privateKey: key,
    logLevel: "fatal",
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      retry: o.retry ? { enabled: true, retryAfterBaseValue: 5 } : { enabled: false },
      throttle: o.throttle ? { ...(options.throttle as object), enabled: true } : { ...(options.throttle as object), enabled: false },
    })),
  });
  void probot.load(createCountersign(services));
  let delivery = 0;
  return { probot, services, receive: (name, payload) => probot.receive({ id: `fault-${++delivery}`, name, payload } as never) };
}

/** Evaluate; an evaluation that fails rethrows to Probot (which reports it) after leaving its failing check. */
async function evaluate(gh: GitHubSession, app: TestApp, action = "synchronize"): Promise<unknown> {
  return app.receive("pull_request", gh.pullEvent(action)).then(
    () => undefined,
    (err: unknown) => err,
  );
}

function expectFailClosed(gh: GitHubSession, words: RegExp) {
  const check = gh.check();
  expect(check).toMatchObject({ status: "completed", conclusion: "failure" });
  expect(check?.output.title).toBe("Could not evaluate: the gate stays closed");
  expect(check?.output.summary).toMatch(words);
  expect(check?.output.summary).toContain("/countersign recheck");
}

describe("GitHub server errors and timeouts", () => {
  it.each([500, 502, 503, 504])("a %i on the files list fails closed with a clear message", async (status) => {
    const { gh, app } = world();
    fault(gh, `files ${status}`, FILES, { type: "status", status });
    const err = await evaluate(gh, app);

    expect(err).toBeDefined();
    expectFailClosed(gh, new RegExp(`server error \\(${status}\\)`));
  });

  it("a network timeout on the reviews list fails closed", async () => {
    const { gh, app } = world();
    fault(gh, "reviews timeout", REVIEWS, { type: "drop" });
    await evaluate(gh, app);

    expect(blocks(gh.check())).toBe(true);
    expect(gh.check()?.conclusion).toBe("failure");
  });

  it("a 5xx turns a passing check on the head into a failing one (an approval dismissed meanwhile cannot hide behind an error)", async () => {
    const { gh, app } = world();
    const review = gh.review(7, CAROL, "APPROVED");
    await evaluate(gh, app);
    expect(passes(gh.check())).toBe(true);

    review.state = "DISMISSED";
    fault(gh, "reviews 502", REVIEWS, { type: "status", status: 502 });
    await evaluate(gh, app);
    expect(blocks(gh.check())).toBe(true);
  });

  it("with Probot's retries on, a transient 502 is retried and the evaluation succeeds", async () => {
    const { gh, app } = world(SENIORS, appWith({ retry: true }));
    gh.review(7, CAROL, "APPROVED");
    fault(gh, "files 502 once", FILES, { type: "status", status: 502 }, 1);
    await evaluate(gh, app);

    expect(gh.requests.filter(to(FILES))).toHaveLength(2);
    expect(passes(gh.check())).toBe(true);
  });

  it("with Probot's retries on, a persistent 502 fails closed after the retries", async () => {
    const { gh, app } = world(SENIORS, appWith({ retry: true }));
    gh.review(7, CAROL, "APPROVED");
    fault(gh, "files 502", FILES, { type: "status", status: 502 });
    await evaluate(gh, app);

    expect(gh.requests.filter(to(FILES))).toHaveLength(4); // the first try and three retries
    expectFailClosed(gh, /server error \(502\)/);
  });
});

describe("rate limits", () => {
  it("a primary rate limit (403, x-ratelimit-remaining: 0) on the PR read never passes: it fails closed", async () => {
    const { gh, app } = world();
    gh.review(7, CAROL, "APPROVED");
    fault(gh, "primary", is(/\/pulls\/7$/), { type: "rate-limit", status: 403, resetInSeconds: 3600 });
    await evaluate(gh, app);

    expect(gh.checkRuns.some(passes)).toBe(false);
    expectFailClosed(gh, /rate limit/);
  });

  it.each([
    ["429 with retry-after", 429 as const],
    ["403 with retry-after", 403 as const],
  ])("a secondary rate limit (%s) on the reviews list never passes", async (_what, status) => {
    const { gh, app } = world();
    gh.review(7, CAROL, "APPROVED");
    fault(gh, "secondary", REVIEWS, { type: "secondary-rate-limit", status, retryAfterSeconds: 60 });
    await evaluate(gh, app);

    expect(gh.checkRuns.some(passes)).toBe(false);
    expectFailClosed(gh, /rate limit/);
  });

  it("with Probot's throttling on (its production settings), a secondary rate limit is not retried: the check fails closed", async () => {
    const { gh, app } = world(SENIORS, appWith({ throttle: true }));
    gh.review(7, CAROL, "APPROVED");
    fault(gh, "secondary once", REVIEWS, { type: "secondary-rate-limit", status: 403, retryAfterSeconds: 1 }, 1);
    await evaluate(gh, app);

    expect(gh.requests.filter(to(REVIEWS))).toHaveLength(1);
    expect(gh.checkRuns.some(passes)).toBe(false);
    expectFailClosed(gh, /GitHub refused a request \(403: You have exceeded a secondary rate limit/);
  }, 15_000);

  it("with Probot's throttling on, a primary rate limit waits for the reset, is retried, and the evaluation then succeeds", async () => {
    const { gh, app } = world(SENIORS, appWith({ throttle: true }));
    gh.review(7, CAROL, "APPROVED");
    fault(gh, "primary once", REVIEWS, { type: "rate-limit", status: 403, resetInSeconds: 0 }, 1);
    const started = Date.now();
    await evaluate(gh, app);

    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(gh.requests.filter(to(REVIEWS))).toHaveLength(2);
    expect(passes(gh.check())).toBe(true);
  }, 15_000);
});

describe("404 and 403 where the app reads", () => {
  it("no policy anywhere (404 in the repository and the organisation): the built-in defaults apply", async () => {
    const { gh, app } = world(null);
    gh.model.setPermission(OWNER, REPO, "carol", "maintain");
    gh.review(7, CAROL, "APPROVED");
    await evaluate(gh, app);

    expect(passes(gh.check())).toBe(true);
    expect(gh.check()?.output.summary).toContain("built-in defaults (no policy file)");
  });

  it("the policy file refused (403) fails closed with a message; the defaults are not used", async () => {
    const { gh, app } = world(403);
    gh.model.setPermission(OWNER, REPO, "carol", "maintain");
    gh.review(7, CAROL, "APPROVED");
    await evaluate(gh, app);

    expect(gh.checkRuns.some(passes)).toBe(false);
    expectFailClosed(gh, /GitHub refused a request \(403/);
  });

  it("the organisation's policy refused (403) fails closed too", async () => {
    const { gh, app } = world(null);
    gh.setFile(".github", POLICY_FILE, 403);
    gh.model.setPermission(OWNER, REPO, "carol", "maintain");
    gh.review(7, CAROL, "APPROVED");
    await evaluate(gh, app);

    expect(gh.checkRuns.some(passes)).toBe(false);
    expect(gh.check()?.conclusion).toBe("failure");
  });

  it("a 5xx on the policy fails closed", async () => {
    const { gh, app } = world(502);
    await evaluate(gh, app);
    expectFailClosed(gh, /server error \(502\)/);
  });

  it("labels refused (403 on adding): a note in the summary, and the verdict does not change", async () => {
    const { gh, app, pull } = world();
    pull.labels = [];
    pull.events = []; // a PR that never had a label
    fault(gh, "labels 403", is(/\/issues\/7\/labels$/, "POST"), {
      type: "status",
      status: 403,
      message: "Resource not accessible by integration",
    });
    await evaluate(gh, app);

    expect(gh.check()?.status).toBe("in_progress");
    expect(gh.check()?.output.summary).toContain("Could not add the label(s)");
    expect(gh.check()?.output.summary).toContain("The verdict does not depend on labels.");
  });

  it("a label that cannot be created (404 on the repository's labels, then 403): a note, and the verdict does not change", async () => {
    const { gh, app, pull } = world();
    pull.labels = [];
    pull.events = []; // a PR that never had a label
    gh.repo.labels.clear();
    fault(gh, "create 403", is(/\/repos\/acme\/shop\/labels$/, "POST"), {
      type: "status",
      status: 403,
      message: "Resource not accessible by integration",
    });
    const review = gh.review(7, CAROL, "APPROVED");
    await evaluate(gh, app);

    expect(review).toBeDefined();
    expect(passes(gh.check())).toBe(true); // approved by an active senior: labels do not decide
    expect(gh.check()?.output.summary).toContain("Could not add the label(s)");
  });

  it.each([
    [
      "403 (the app lacks Members: read)",
      403 as const,
      /GitHub refused \(403\); the app needs the "Members: read" organisation permission/,
    ],
    ["500", 500 as const, /could not be checked \(membership of @acme\/seniors: GitHub answered 500\)/],
  ])("membership lookup %s: the reviewer does not count, and the summary says why", async (_what, status, why) => {
    const { gh, app } = world();
    gh.model.setTeam(OWNER, "seniors", { carol: status });
    gh.review(7, CAROL, "APPROVED");
    await evaluate(gh, app);

    expect(blocks(gh.check())).toBe(true);
    expect(gh.check()?.output.summary).toMatch(why);
  });

  it("a permission lookup that fails: the reviewer does not count, and the summary says why", async () => {
    const { gh, app } = world(null);
    gh.model.setPermission(OWNER, REPO, "carol", 502);
    gh.review(7, CAROL, "APPROVED");
    await evaluate(gh, app);

    expect(blocks(gh.check())).toBe(true);
    expect(gh.check()?.output.summary).toContain("could not be checked (repository permission: GitHub answered 502)");
  });
});

describe("GraphQL", () => {
  it("a full evaluation uses REST only: no /graphql call (so GraphQL partial errors cannot mislead it)", async () => {
    const { gh, app, pull } = world(
      "signoff:\n  reviewers: ['@acme/seniors', 'permission:maintain']\noverride:\n  by: ['@acme/seniors']\n",
    );
    pull.labels = [];
    pull.events = []; // a PR that never had a label
    pull.files.push({ filename: POLICY_FILE, status: "modified", additions: 1, deletions: 0, patch: "@@ -1 +1 @@\n+mode: report" });
    gh.setFile(REPO, POLICY_FILE, "mode: report\n", pull.headSha);
    gh.model.setPermission(OWNER, REPO, "dave", "maintain");
    gh.review(7, CAROL, "APPROVED");
    gh.review(7, DAVE, "CHANGES_REQUESTED");
    gh.review(7, ALICE, "APPROVED");
    await evaluate(gh, app, "opened");

    expect(gh.check()).toBeDefined();
    expect(gh.requests.length).toBeGreaterThan(5);
    expect(gh.requests.filter((r) => r.path.includes("graphql"))).toEqual([]);
    expect(gh.unknownRequests).toEqual([]);
  });
});
