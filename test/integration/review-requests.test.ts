// Review requests when a PR waits for sign-off: whom Countersign asks, and whom it never asks.
import { describe, expect, it } from "vitest";
import {
  FakeGitHub,
  HEAD,
  OLD_HEAD,
  commit,
  createTestApp,
  pullRequest,
  pullRequestEvent,
  review,
  reviewRequestEvent,
  type PullOptions,
} from "../helpers/github.js";

const CLAUDE_COMMIT = commit({ message: "Refactor cart\n\nCo-Authored-By: Claude <noreply@anthropic.com>" });
const POLICY = 'signoff:\n  reviewers: ["@acme/seniors", "bob"]\n';
const APP_ACTOR = { login: "countersign[bot]", id: 900, type: "Bot" };
const ALICE = { login: "alice", id: 1 };

/** An AI-assisted PR whose labels are already right, so the only writes are the request and the check. */
function aiPull(o: PullOptions = {}) {
  return pullRequest({ labels: ["ai-assisted", "risk:low"], ...o });
}

describe("requesting review from the designated reviewers", () => {
  it("asks the team as a team and the person by login, after reading the PR's request history", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().evaluating(aiPull(), { commits: [CLAUDE_COMMIT] }, POLICY);
    gh.labelEvents([]).expectReviewRequest().expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("opened", aiPull()));

    expect(gh.reviewRequests).toEqual([{ reviewers: ["bob"], team_reviewers: ["seniors"] }]);
    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.output.summary).not.toContain("Could not request review");
  });

  it("asks nobody on a draft, and does not read the history", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().evaluating(aiPull({ draft: true }), { commits: [CLAUDE_COMMIT] }, POLICY).expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("opened", aiPull({ draft: true })));

    expect(gh.reviewRequests).toEqual([]);
    expect(gh.lastCheck.status).toBe("in_progress");
  });

  it("asks nobody in report mode", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().evaluating(aiPull(), { commits: [CLAUDE_COMMIT] }, `mode: report\n${POLICY}`).expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("opened", aiPull()));

    expect(gh.reviewRequests).toEqual([]);
    expect(gh.lastCheck).toMatchObject({ status: "completed", conclusion: "neutral" });
  });

  it("asks nobody when request_reviews is off", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().evaluating(aiPull(), { commits: [CLAUDE_COMMIT] }, `${POLICY}  request_reviews: false\n`).expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("opened", aiPull()));

    expect(gh.reviewRequests).toEqual([]);
    expect(gh.lastCheck.status).toBe("in_progress");
  });

  it("never sends a request for permission:maintain reviewers", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub()
      .evaluating(aiPull(), { commits: [CLAUDE_COMMIT] }, 'signoff:\n  reviewers: ["permission:maintain"]\n')
      .expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("opened", aiPull()));

    expect(gh.reviewRequests).toEqual([]);
    expect(gh.lastCheck.output.title).toMatch(/^Waiting for 1 approval from anyone with maintain/);
  });

  it("asks nobody once the PR is signed off", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().evaluating(aiPull(), { commits: [CLAUDE_COMMIT], reviews: [review("bob", "APPROVED")] }, POLICY);
    gh.membership("@acme/seniors", "bob", 404).labelEvents().expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", aiPull()));

    expect(gh.reviewRequests).toEqual([]);
    expect(gh.lastCheck).toMatchObject({ status: "completed", conclusion: "success" });
  });

  it("never asks the PR author, even when listed", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().evaluating(aiPull(), { commits: [CLAUDE_COMMIT] }, 'signoff:\n  reviewers: ["alice", "bob"]\n');
    gh.labelEvents([]).expectReviewRequest().expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("opened", aiPull()));

    expect(gh.reviewRequests).toEqual([{ reviewers: ["bob"], team_reviewers: [] }]);
  });

  it("never asks someone who committed to the PR (they cannot sign off)", async () => {
    const app = createTestApp();
    const commits = [
      CLAUDE_COMMIT,
      commit({ sha: HEAD, message: "Fix typo", author: { name: "Bob", email: "bob@example.com", login: "bob", id: 2 } }),
    ];
    const gh = new FakeGitHub().evaluating(aiPull(), { commits }, POLICY);
    gh.labelEvents([]).expectReviewRequest().expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("opened", aiPull()));

    expect(gh.reviewRequests).toEqual([{ reviewers: [], team_reviewers: ["seniors"] }]);
  });

  it("never asks someone already requested, and reads no history when nobody is left to ask", async () => {
    const app = createTestApp();
    const pr = aiPull({ requestedReviewers: ["Bob"] });
    (pr as { requested_teams: unknown[] }).requested_teams = [{ id: 31, slug: "seniors", name: "Seniors" }];
    const gh = new FakeGitHub().evaluating(pr, { commits: [CLAUDE_COMMIT] }, POLICY).expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("opened", pr));

    expect(gh.reviewRequests).toEqual([]);
  });

  it("never asks someone who already reviewed the head", async () => {
    const app = createTestApp();
    const reviews = [review("bob", "COMMENTED", { commitId: HEAD })];
    const gh = new FakeGitHub().evaluating(aiPull(), { commits: [CLAUDE_COMMIT], reviews }, POLICY);
    gh.labelEvents([]).expectReviewRequest().expectCheckRun();

    await app.receive("pull_request_review", { ...pullRequestEvent("opened", aiPull()), action: "submitted", review: reviews[0] });

    expect(gh.reviewRequests).toEqual([{ reviewers: [], team_reviewers: ["seniors"] }]);
    expect(gh.lastCheck.output.summary).toContain("| @bob | commented on aaaaaaa | no | commented without approving |");
  });

  it("never asks again someone whose request a human withdrew", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().evaluating(aiPull(), { commits: [CLAUDE_COMMIT] }, POLICY);
    gh.labelEvents([
      reviewRequestEvent("review_requested", { login: "bob" }, APP_ACTOR, "2026-11-20T10:00:00Z"),
      reviewRequestEvent("review_request_removed", { login: "bob" }, ALICE, "2026-11-20T10:05:00Z"),
    ]);
    gh.expectReviewRequest().expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", aiPull()));

    expect(gh.reviewRequests).toEqual([{ reviewers: [], team_reviewers: ["seniors"] }]);
  });

  it("never asks again a team whose request was withdrawn (e.g. by GitHub's team assignment)", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().evaluating(aiPull(), { commits: [CLAUDE_COMMIT] }, POLICY);
    gh.labelEvents([
      reviewRequestEvent("review_requested", { team: "seniors" }, APP_ACTOR, "2026-11-20T10:00:00Z"),
      reviewRequestEvent("review_request_removed", { team: "seniors" }, APP_ACTOR, "2026-11-20T10:00:01Z"),
      reviewRequestEvent("review_requested", { login: "bob" }, APP_ACTOR, "2026-11-20T10:00:01Z"),
      reviewRequestEvent("review_request_removed", { login: "bob" }, ALICE, "2026-11-20T10:05:00Z"),
    ]);
    gh.expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", aiPull({ headSha: HEAD })));

    expect(gh.reviewRequests).toEqual([]);
    expect(gh.lastCheck.status).toBe("in_progress");
  });

  it("shows a failed request (422) in the summary, and the verdict does not change", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub()
      .token()
      .pull(aiPull(), { commits: [CLAUDE_COMMIT], reviews: [review("bob", "APPROVED", { commitId: OLD_HEAD })] })
      .policy(POLICY);
    gh.existingChecks()
      .membership("@acme/seniors", "bob", 404)
      .labelEvents([])
      .expectReviewRequest(7, 422)
      .expectCheckRun()
      .expectCheckRun("PATCH", 9001);

    await app.receive("pull_request", pullRequestEvent("synchronize", aiPull()));

    // bob approved an older commit only, so he is asked again; the team cannot be asked.
    expect(gh.reviewRequests).toEqual([{ reviewers: ["bob"], team_reviewers: ["seniors"] }]);
    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.conclusion).toBeUndefined();
    expect(gh.lastCheck.output.title).toMatch(/^Waiting for 1 approval from @acme\/seniors, @bob \(0 of 1, risk low\)$/);
    expect(gh.lastCheck.output.summary).toContain("Could not request review from @acme/seniors, @bob (GitHub answered 422).");
    expect(gh.lastCheck.output.summary).toContain("A team needs access to the repository");
  });
});
