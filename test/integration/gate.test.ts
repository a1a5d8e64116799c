// The gate end to end: real webhook payloads in, the exact GitHub requests out.
import { describe, expect, it } from "vitest";
import {
  APP_ID,
  FakeGitHub,
  HEAD,
  OLD_HEAD,
  commit,
  createTestApp,
  existingCheckRun,
  pullRequest,
  pullRequestEvent,
  review,
  example,
} from "../helpers/github.js";

const CLAUDE_COMMIT = commit({
  message:
    "Add retry to checkout\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
});

describe("a pull request that is not AI-assisted", () => {
  it("passes with a success check and gets its risk label, with no policy at all", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().evaluating(pullRequest()).labelEvents();
    gh.labelMissing("risk:low").addLabels().expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("opened", pullRequest()));

    expect(gh.lastCheck).toMatchObject({ name: "Countersign", head_sha: HEAD, status: "completed", conclusion: "success" });
    expect(gh.lastCheck.output.title).toContain("Not AI-assisted");
    expect(gh.labelsAdded).toEqual([["risk:low"]]);
    expect(gh.labelsCreated[0]).toMatchObject({ name: "risk:low", color: "0e8a16" });
  });
});

describe("an AI-assisted pull request", () => {
  it("waits (in_progress) for one approval from a maintainer when there is no policy", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().evaluating(pullRequest(), { commits: [CLAUDE_COMMIT] });
    gh.labelExists("ai-assisted").labelExists("risk:low").addLabels().expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("opened", pullRequest()));

    const check = gh.lastCheck;
    expect(check.status).toBe("in_progress");
    expect(check.conclusion).toBeUndefined();
    expect(check.output.title).toBe("Waiting for 1 approval from anyone with maintain or admin permission (0 of 1, risk low)");
    expect(check.output.summary).toContain("Co-Authored-By: Claude <noreply@anthropic.com>");
    expect(check.output.summary).toContain("No reviews yet.");
    expect(gh.labelsAdded).toEqual([["ai-assisted", "risk:low"]]);
  });

  it("passes once someone with maintain permission approves the head commit", async () => {
    const app = createTestApp();
    const reviews = [review("bob", "APPROVED")];
    const gh = new FakeGitHub().token().pull(pullRequest({ labels: ["ai-assisted", "risk:low"] }), { commits: [CLAUDE_COMMIT], reviews });
    gh.noPolicy().existingChecks().permission("bob", "maintain").expectCheckRun();

    await app.receive("pull_request_review", {
      ...example("pull_request_review", "submitted"),
      pull_request: pullRequest({ labels: ["ai-assisted", "risk:low"] }),
    });

    expect(gh.lastCheck).toMatchObject({ status: "completed", conclusion: "success" });
    expect(gh.lastCheck.output.title).toBe("Signed off by @bob (risk low)");
    expect(gh.lastCheck.output.summary).toMatch(/\| @bob \| approved on aaaaaaa \| yes \| approved \(has maintain permission/);
    expect(gh.labelsAdded).toEqual([]);
  });

  it("does not count the author's own approval, a bot's, or an approval of an older commit", async () => {
    const app = createTestApp();
    const reviews = [
      review("alice", "APPROVED", { userId: 1 }),
      review("renovate[bot]", "APPROVED", { type: "Bot" }),
      review("bob", "APPROVED", { commitId: OLD_HEAD }),
    ];
    const gh = new FakeGitHub().token().pull(pullRequest({ labels: ["ai-assisted", "risk:low"] }), { commits: [CLAUDE_COMMIT], reviews });
    gh.noPolicy().existingChecks().permission("bob", "admin").expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", pullRequest()));

    const summary = gh.lastCheck.output.summary;
    expect(gh.lastCheck.status).toBe("in_progress");
    expect(summary).toContain("| @alice | approved on aaaaaaa | no | is the PR author");
    expect(summary).toContain("| @renovate[bot] | approved on aaaaaaa | no | is a bot");
    expect(summary).toContain("| @bob | approved on bbbbbbb | no | approved an older commit (bbbbbbb)");
  });

  it("fails when a designated reviewer requests changes", async () => {
    const app = createTestApp();
    const policy = "signoff:\n  reviewers: ['@acme/seniors']\n";
    const reviews = [review("carol", "CHANGES_REQUESTED"), review("dave", "APPROVED")];
    const gh = new FakeGitHub().token().pull(pullRequest({ labels: ["ai-assisted", "risk:low"] }), { commits: [CLAUDE_COMMIT], reviews });
    gh.policy(policy)
      .existingChecks()
      .membership("@acme/seniors", "carol", "active")
      .membership("@acme/seniors", "dave", "pending")
      .expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", pullRequest()));

    expect(gh.lastCheck).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(gh.lastCheck.output.title).toBe("Changes requested by @carol (risk low)");
    expect(gh.lastCheck.output.summary).toContain("| @dave | approved on aaaaaaa | no | is not one of @acme/seniors |");
  });

  it("writes nothing when the check already says the same", async () => {
    const app = createTestApp();
    const first = new FakeGitHub()
      .evaluating(pullRequest({ labels: ["ai-assisted", "risk:low"] }), { commits: [CLAUDE_COMMIT] })
      .expectCheckRun();
    await app.receive("pull_request", pullRequestEvent("edited", pullRequest()));
    const written = first.lastCheck;

    const second = new FakeGitHub().pull(pullRequest({ labels: ["ai-assisted", "risk:low"] }), { commits: [CLAUDE_COMMIT] }).noPolicy();
    second.existingChecks([
      existingCheckRun({ status: "in_progress", title: written.output.title, summary: written.output.summary, text: written.output.text }),
    ]);
    await app.receive("pull_request", pullRequestEvent("edited", pullRequest()));

    expect(second.checkRuns).toEqual([]);
  });

  it("creates a new check run when a completed one must go back to waiting", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub()
      .token()
      .pull(pullRequest({ labels: ["ai-assisted", "risk:low"] }), { commits: [CLAUDE_COMMIT] })
      .noPolicy();
    gh.existingChecks([
      existingCheckRun({ status: "completed", conclusion: "success", title: "Signed off by @bob (risk low)", summary: "…" }),
    ]);
    gh.expectCheckRun("POST");

    await app.receive("pull_request_review", { ...example("pull_request_review", "dismissed"), pull_request: pullRequest() });

    expect(gh.checkRuns.map((c) => c.method)).toEqual(["POST"]);
    expect(gh.lastCheck.status).toBe("in_progress");
  });
});

describe("failing closed", () => {
  it("fails the check with a readable list when the policy is invalid", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub()
      .evaluating(pullRequest(), {}, "mode: enforced\nsignoff:\n  approvals: -1\n  required_approvals: 2\n")
      .expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("opened", pullRequest()));

    expect(gh.lastCheck).toMatchObject({ status: "completed", conclusion: "failure", output: { title: "Invalid policy: 3 problems" } });
    const summary = gh.lastCheck.output.summary;
    expect(summary).toContain('`mode` must be one of "enforce", "report", but is the text "enforced"');
    expect(summary).toContain("`signoff.approvals` must be at least 0");
    expect(summary).toContain('`signoff.required_approvals` unknown key "required_approvals": it is called signoff.approvals now');
  });

  it("fails the check when GitHub errors while reading the PR", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().token().noPolicy();
    gh.api.get("/repos/acme/shop/pulls/7").reply(200, pullRequest());
    gh.api.get("/repos/acme/shop/pulls/7/files").query(true).reply(502, { message: "Bad gateway" });
    gh.api.get("/repos/acme/shop/pulls/7/commits").query(true).reply(200, [commit()]);
    gh.api.get("/repos/acme/shop/pulls/7/reviews").query(true).reply(200, []);
    gh.expectCheckRun();

    await expect(app.receive("pull_request", pullRequestEvent("opened", pullRequest()))).rejects.toThrow();

    expect(gh.lastCheck).toMatchObject({ head_sha: HEAD, status: "completed", conclusion: "failure" });
    expect(gh.lastCheck.output.summary).toContain("GitHub answered with a server error (502)");
    expect(gh.lastCheck.output.summary).toContain("/countersign recheck");
  });
});

describe("other events", () => {
  it("passes a merge queue head", async () => {
    const app = createTestApp();
    const payload = example("merge_group", "checks_requested");
    const sha = (payload.merge_group as { head_sha: string }).head_sha;
    const gh = new FakeGitHub().token();
    gh.api.get(`/repos/acme/shop/commits/${sha}/check-runs`).query(true).reply(200, { total_count: 0, check_runs: [] });
    gh.expectCheckRun();

    await app.receive("merge_group", payload);

    expect(gh.lastCheck).toMatchObject({ head_sha: sha, status: "completed", conclusion: "success" });
  });

  it("re-evaluates when our check is re-run, and ignores other apps' checks", async () => {
    const app = createTestApp();
    const payload = example("check_run", "rerequested");
    const run = payload.check_run as { name: string; head_sha: string; app: { id: number }; pull_requests: Array<{ number: number }> };
    Object.assign(run, { name: "Countersign", head_sha: HEAD, app: { ...run.app, id: APP_ID }, pull_requests: [{ number: 7 }] });
    const gh = new FakeGitHub().evaluating(pullRequest()).labelEvents();
    gh.labelExists("risk:low").addLabels().expectCheckRun();

    await app.receive("check_run", payload);
    expect(gh.lastCheck.conclusion).toBe("success");

    const foreign = example("check_run", "rerequested");
    Object.assign(foreign.check_run as object, { name: "Countersign", app: { id: 1 } });
    await app.receive("check_run", foreign); // no mocks: any request would fail the test
  });

  it("evaluates open pull requests of newly added repositories", async () => {
    const app = createTestApp();
    const payload = example("installation_repositories", "added");
    payload.repositories_added = [{ id: 1, name: "shop", full_name: "acme/shop", private: true }];
    (payload.installation as Record<string, unknown>).account = { login: "acme", id: 5, type: "Organization" };
    const gh = new FakeGitHub().token();
    gh.api
      .get("/repos/acme/shop/pulls")
      .query({ state: "open", per_page: 100 })
      .reply(200, [{ number: 7, head: { sha: HEAD } }]);
    gh.pull(pullRequest()).noPolicy().existingChecks().labelEvents().labelExists("risk:low").addLabels().expectCheckRun();

    await app.receive("installation_repositories", payload);

    expect(gh.lastCheck.conclusion).toBe("success");
  });
});

describe("slow and partial failures", () => {
  it("abandons a request GitHub does not answer in time and fails closed", async () => {
    const app = createTestApp({ REQUEST_TIMEOUT_SECONDS: "0.2" });
    const gh = new FakeGitHub().token().noPolicy();
    gh.api.get("/repos/acme/shop/pulls/7").reply(200, pullRequest());
    gh.api.get("/repos/acme/shop/pulls/7/files").query(true).delay(2_000).reply(200, []);
    gh.api.get("/repos/acme/shop/pulls/7/commits").query(true).reply(200, [commit()]);
    gh.api.get("/repos/acme/shop/pulls/7/reviews").query(true).reply(200, []);
    gh.expectCheckRun();

    await expect(app.receive("pull_request", pullRequestEvent("opened", pullRequest()))).rejects.toThrow();

    expect(gh.lastCheck).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(gh.lastCheck.output.summary).toContain("GitHub did not answer in time");
  });

  it("times only the request itself: a write waiting its turn in the write queue does not time out", async () => {
    // Two writes spaced 600 ms apart by the per-installation write queue, with a 200 ms request timeout.
    const app = createTestApp({ REQUEST_TIMEOUT_SECONDS: "0.2", WRITE_SPACING_MS: "600" });
    const gh = new FakeGitHub().evaluating(pullRequest()).labelEvents();
    gh.labelExists("risk:low").addLabels().expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("opened", pullRequest()));

    expect(gh.labelsAdded).toEqual([["risk:low"]]);
    expect(gh.lastCheck).toMatchObject({ status: "completed", conclusion: "success" });
  });

  it("goes on with the other repositories when one cannot be listed, then reports it", async () => {
    const app = createTestApp();
    const payload = example("installation_repositories", "added");
    payload.repositories_added = [
      { id: 1, name: "shop", full_name: "acme/shop", private: true },
      { id: 2, name: "vault", full_name: "acme/vault", private: true },
    ];
    (payload.installation as Record<string, unknown>).account = { login: "acme", id: 5, type: "Organization" };
    const gh = new FakeGitHub().token();
    gh.api.get("/repos/acme/vault/pulls").query(true).reply(500, { message: "boom" });
    gh.api
      .get("/repos/acme/shop/pulls")
      .query({ state: "open", per_page: 100 })
      .reply(200, [{ number: 7, head: { sha: HEAD } }]);
    gh.pull(pullRequest()).noPolicy().existingChecks().labelEvents().labelExists("risk:low").addLabels().expectCheckRun();

    await expect(app.receive("installation_repositories", payload)).rejects.toThrow(/acme\/vault/);

    expect(gh.lastCheck.conclusion).toBe("success");
  });
});

describe("recovering without a human", () => {
  it("tries again after a 502 and replaces the failing check once GitHub answers", async () => {
    const app = createTestApp({ RETRY_ATTEMPTS: "2", RETRY_BASE_SECONDS: "0.01" });
    const gh = new FakeGitHub().token().noPolicy(2);
    gh.api.get("/repos/acme/shop/pulls/7").reply(200, pullRequest());
    gh.api.get("/repos/acme/shop/pulls/7/files").query(true).reply(502, { message: "Bad gateway" });
    gh.api.get("/repos/acme/shop/pulls/7/commits").query(true).reply(200, [commit()]);
    gh.api.get("/repos/acme/shop/pulls/7/reviews").query(true).reply(200, []);
    gh.expectCheckRun("POST", 9001);
    // The retry: a full, successful evaluation that finds the failing check and updates it.
    gh.pull(pullRequest()).labelEvents().labelExists("risk:low").addLabels();
    gh.existingChecks([
      existingCheckRun({
        id: 9001,
        status: "completed",
        conclusion: "failure",
        title: "Could not evaluate: the gate stays closed",
        summary: "…",
      }),
    ]);
    gh.expectCheckRun("PATCH", 9001);

    await expect(app.receive("pull_request", pullRequestEvent("opened", pullRequest()))).rejects.toThrow();
    expect(gh.lastCheck.conclusion).toBe("failure");
    await app.services.retries.idle();

    expect(gh.checkRuns.map((c) => [c.method, c.body.conclusion])).toEqual([
      ["POST", "failure"],
      ["PATCH", "success"],
    ]);
  });
});
