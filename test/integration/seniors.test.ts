// Seniors' time (issue #21) end to end through probot.receive: who signoff.assign asks, signoff.escalate
// firing from the sweep with no new event, path-scoped freshness, and approvals: 0 exemptions.
import { describe, expect, it } from "vitest";
import {
  FakeGitHub,
  HEAD,
  OLD_HEAD,
  OWNER,
  REPO,
  INSTALLATION_ID,
  commit,
  createTestApp,
  file,
  pullRequest,
  pullRequestEvent,
  review,
  reviewRequestEvent,
  type PullOptions,
} from "../helpers/github.js";
import { runEscalationSweep } from "../../src/handlers/escalation-sweep.js";
import type { Octokit } from "../../src/github/octokit.js";

const CLAUDE_COMMIT = commit({ message: "Refactor cart\n\nCo-Authored-By: Claude <noreply@anthropic.com>" });
const BASE_SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"; // the example payload's base.sha
const REPO_PATH = `/repos/${OWNER}/${REPO}`;
const APP_ACTOR = { login: "countersign[bot]", id: 900, type: "Bot" };

function aiPull(o: PullOptions = {}) {
  return pullRequest({ labels: ["ai-assisted", "risk:low"], ...o });
}

function codeowners(gh: FakeGitHub, text: string) {
  gh.api
    .get(`${REPO_PATH}/contents/.github%2FCODEOWNERS`)
    .query({ ref: BASE_SHA })
    .reply(200, { type: "file", encoding: "base64", content: Buffer.from(text).toString("base64"), path: ".github/CODEOWNERS" });
}

function teamMembers(gh: FakeGitHub, slug: string, logins: string[]) {
  gh.api
    .get(`/orgs/${OWNER}/teams/${slug}/members`)
    .query({ per_page: 100, page: 1 })
    .reply(
      200,
      logins.map((login, i) => ({ login, id: 300 + i, type: "User" })),
    );
}

const ASSIGN = "risk:\n  builtin: false\nsignoff:\n  reviewers: ['@acme/seniors']\n  assign: 1\n";

describe("signoff.assign: ask the owner with the fewest open requests", () => {
  it("asks only the owner of the touched path with the fewest open requests, and says why", async () => {
    const app = createTestApp();
    await app.services.seniors.load.add(OWNER, "acme/shop#99", ["carol"]);
    const gh = new FakeGitHub().evaluating(aiPull(), { commits: [CLAUDE_COMMIT] }, ASSIGN);
    gh.labelEvents([]);
    codeowners(gh, "# owners\n*       @erin\n/src/   @carol @dave\n");
    teamMembers(gh, "seniors", ["carol", "dave", "erin", "frank"]);
    gh.expectCheckRun().expectReviewRequest();

    await app.receive("pull_request", pullRequestEvent("opened", aiPull()));

    expect(gh.reviewRequests).toEqual([{ reviewers: ["dave"], team_reviewers: [] }]);
    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.output.summary).toContain("Asked for review (signoff.assign): @dave (owns `/src/`, 0 open requests).");
    expect(await app.services.seniors.load.counts(OWNER, ["dave", "carol"])).toEqual(
      new Map([
        ["dave", 1],
        ["carol", 1],
      ]),
    );
  });

  it("skips an owner who committed to the PR (a contributor cannot sign off)", async () => {
    const app = createTestApp();
    await app.services.seniors.load.add(OWNER, "acme/shop#98", ["dave"]);
    const carolCommit = commit({ sha: OLD_HEAD, author: { name: "Carol", email: "carol@acme.test", login: "carol", id: 33 } });
    const gh = new FakeGitHub().evaluating(aiPull(), { commits: [carolCommit, CLAUDE_COMMIT] }, ASSIGN);
    gh.labelEvents([]);
    codeowners(gh, "/src/ @carol @dave\n");
    teamMembers(gh, "seniors", ["carol", "dave"]);
    gh.expectCheckRun().expectReviewRequest();

    await app.receive("pull_request", pullRequestEvent("opened", aiPull()));

    // carol has no open request, but committed to the PR: dave is asked despite his one open request.
    expect(gh.reviewRequests).toEqual([{ reviewers: ["dave"], team_reviewers: [] }]);
    expect(gh.lastCheck.output.summary).toContain("@dave (owns `/src/`, 1 open request)");
  });

  it("keeps the person asked earlier on a re-evaluation: no new request, no churn", async () => {
    const app = createTestApp();
    const pr = aiPull({ requestedReviewers: ["dave"] });
    const gh = new FakeGitHub().evaluating(pr, { commits: [CLAUDE_COMMIT] }, ASSIGN);
    gh.labelEvents([reviewRequestEvent("review_requested", { login: "dave" }, APP_ACTOR)]);
    codeowners(gh, "/src/ @carol @dave\n");
    teamMembers(gh, "seniors", ["carol", "dave"]);
    gh.expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", pr));

    expect(gh.reviewRequests).toEqual([]);
    expect(gh.lastCheck.output.summary).toContain("@dave (asked earlier on this PR");
  });

  it("asks the teams as before when no owner or member may sign off", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().evaluating(aiPull(), { commits: [CLAUDE_COMMIT] }, ASSIGN);
    gh.labelEvents([]);
    codeowners(gh, "/src/ @alice\n");
    teamMembers(gh, "seniors", ["alice"]);
    gh.expectCheckRun().expectReviewRequest();

    await app.receive("pull_request", pullRequestEvent("opened", aiPull()));

    expect(gh.reviewRequests).toEqual([{ reviewers: [], team_reviewers: ["seniors"] }]);
    expect(gh.lastCheck.output.summary).toContain("signoff.assign could choose nobody");
  });
});

describe("signoff.escalate: a PR still waiting after `after` asks more people, once, without a new event", () => {
  const ESCALATE =
    "risk:\n  builtin: false\nsignoff:\n  reviewers: ['@acme/seniors']\n  escalate: { after: 24h, to: ['@acme/principals'] }\n";

  it("the sweep re-evaluates the PR once its deadline passes, requests `to` once, and says so", async () => {
    const app = createTestApp();
    let now = Date.parse("2026-11-21T10:00:00Z");
    app.services.seniors.clock = () => now;
    const first = new FakeGitHub().evaluating(aiPull(), { commits: [CLAUDE_COMMIT] }, ESCALATE);
    first.labelEvents([]).expectReviewRequest().expectCheckRun();
    await app.receive("pull_request", pullRequestEvent("opened", aiPull()));
    expect(first.reviewRequests).toEqual([{ reviewers: [], team_reviewers: ["seniors"] }]);
    expect(first.lastCheck.output.summary).not.toContain("asked too");

    const octokitFor = async () => (await app.probot.auth(INSTALLATION_ID)) as unknown as Octokit;
    // Not yet due: the sweep reads nothing from GitHub.
    now += 23 * 3600_000;
    expect(await runEscalationSweep(app.services, app.probot.log, octokitFor)).toBe(0);

    now += 2 * 3600_000;
    // The installation's token is still valid: the sweep's evaluation reads the PR again, nothing announces it.
    const second = new FakeGitHub()
      .pull(aiPull(), { commits: [CLAUDE_COMMIT] })
      .policy(ESCALATE)
      .existingChecks();
    second
      .labelEvents([reviewRequestEvent("review_requested", { team: "seniors" }, APP_ACTOR)])
      .expectReviewRequest()
      .expectCheckRun();
    expect(await runEscalationSweep(app.services, app.probot.log, octokitFor)).toBe(1);
    expect(second.reviewRequests).toEqual([{ reviewers: [], team_reviewers: ["principals"] }]);
    expect(second.lastCheck.output.summary).toContain(
      "Waiting for sign-off for 1d 1h, longer than signoff.escalate.after (24h): @acme/principals asked too.",
    );
    // Escalated: off the board, so a later sweep does nothing.
    now += 3600_000;
    expect(await runEscalationSweep(app.services, app.probot.log, octokitFor)).toBe(0);
    const { body } = await app.services.metrics.render();
    expect(body).toContain("countersign_escalations_total 1");
  });
});

describe("signoff.escalate leaves drafts alone", () => {
  it("a draft asks nobody, so it never escalates", async () => {
    const app = createTestApp();
    let now = Date.parse("2026-11-21T10:00:00Z");
    app.services.seniors.clock = () => now;
    const policy =
      "risk:\n  builtin: false\nsignoff:\n  reviewers: ['@acme/seniors']\n  escalate: { after: 1h, to: ['@acme/principals'] }\n";
    const gh = new FakeGitHub().evaluating(aiPull({ draft: true }), { commits: [CLAUDE_COMMIT] }, policy).expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("opened", aiPull({ draft: true })));

    now += 48 * 3600_000;
    const octokitFor = async () => (await app.probot.auth(INSTALLATION_ID)) as unknown as Octokit;
    expect(await runEscalationSweep(app.services, app.probot.log, octokitFor)).toBe(0);
    expect(gh.reviewRequests).toEqual([]);
    expect(gh.lastCheck.output.summary).not.toContain("asked too");
  });
});

describe("path-scoped freshness: a group's approval survives pushes outside its paths", () => {
  const SCOPED =
    "risk:\n  builtin: false\nsignoff:\n  request_reviews: false\n  require:\n    - { reviewers: ['@acme/sre'], paths: ['infra/**'] }\n    - { reviewers: ['@acme/seniors'] }\n";

  function scopedGitHub(compare: { status: string; files: object[] } | number) {
    const reviews = [
      review("sam", "APPROVED", { commitId: OLD_HEAD, userId: 71 }),
      review("sue", "APPROVED", { commitId: HEAD, userId: 72 }),
    ];
    const gh = new FakeGitHub().evaluating(
      aiPull(),
      { commits: [CLAUDE_COMMIT], files: [file("infra/main.tf"), file("src/app.ts")], reviews },
      SCOPED,
    );
    gh.membership("@acme/sre", "sam", "active").membership("@acme/seniors", "sam", 404);
    gh.membership("@acme/sre", "sue", 404).membership("@acme/seniors", "sue", "active");
    const scope = gh.api.get(`${REPO_PATH}/compare/${OLD_HEAD}...${HEAD}`);
    if (typeof compare === "number") scope.reply(compare, { message: "Not Found" });
    else scope.reply(200, { ...compare, ahead_by: 1, behind_by: 0, total_commits: 1, commits: [] });
    // The issue history: an approval counts only on the base it was given on.
    return gh.labelEvents().expectCheckRun();
  }

  it("keeps the sre approval when the push since changed only src/, and says why", async () => {
    const app = createTestApp();
    const gh = scopedGitHub({ status: "ahead", files: [file("src/app.ts")] });

    await app.receive("pull_request", pullRequestEvent("synchronize", aiPull()));

    expect(gh.lastCheck).toMatchObject({ status: "completed", conclusion: "success" });
    expect(gh.lastCheck.output.summary).toContain(
      "@sam's approval on `bbbbbbb` is kept for signoff.require[0]: the pushes since change none of its paths (`infra/**`).",
    );
    const { body } = await app.services.metrics.render();
    expect(body).toContain("countersign_approvals_kept_by_path_total 1");
  });

  it("makes it stale when the push since changed a file inside the group's paths", async () => {
    const app = createTestApp();
    const gh = scopedGitHub({ status: "ahead", files: [file("infra/main.tf")] });

    await app.receive("pull_request", pullRequestEvent("synchronize", aiPull()));

    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.output.summary).toContain("is stale for signoff.require[0]: `infra/main.tf` changed since");
  });

  it("makes it stale when a renamed file's old path is inside the group's paths", async () => {
    const app = createTestApp();
    const gh = scopedGitHub({ status: "ahead", files: [file("ops/main.tf", { status: "renamed", previous: "infra/main.tf" })] });

    await app.receive("pull_request", pullRequestEvent("synchronize", aiPull()));

    expect(gh.lastCheck.status).toBe("in_progress");
  });

  it("fails closed when the changes since cannot be read", async () => {
    const app = createTestApp();
    const gh = scopedGitHub(404);

    await app.receive("pull_request", pullRequestEvent("synchronize", aiPull()));

    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.output.summary).toContain(
      "was not kept for signoff.require[0]: the changes since could not be read (GitHub answered 404)",
    );
  });

  it("fails closed when the head does not build on the approved commit (a force-push)", async () => {
    const app = createTestApp();
    const gh = scopedGitHub({ status: "diverged", files: [file("src/app.ts")] });

    await app.receive("pull_request", pullRequestEvent("synchronize", aiPull()));

    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.output.summary).toContain("does not build on bbbbbbb");
  });
});

describe("approvals: 0 exempts", () => {
  it("passes a low-risk PR when its tier needs 0 approvals, and says the policy exempts it", async () => {
    const app = createTestApp();
    const policy = "risk:\n  builtin: false\nsignoff:\n  reviewers: ['@acme/seniors']\n  tiers:\n    low: { approvals: 0 }\n";
    const gh = new FakeGitHub().evaluating(aiPull(), { commits: [CLAUDE_COMMIT] }, policy).expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("opened", aiPull()));

    expect(gh.reviewRequests).toEqual([]);
    expect(gh.lastCheck).toMatchObject({ status: "completed", conclusion: "success" });
    expect(gh.lastCheck.output.title).toBe(
      "No sign-off needed: the policy exempts risk low from sign-off (signoff.tiers.low.approvals: 0)",
    );
  });

  it("still waits at a tier that needs sign-off", async () => {
    const app = createTestApp();
    const policy =
      "risk:\n  builtin: false\n  default: medium\nsignoff:\n  reviewers: ['@acme/seniors']\n  request_reviews: false\n  tiers:\n    low: { approvals: 0 }\n";
    const pr = pullRequest({ labels: ["ai-assisted", "risk:medium"] });
    const gh = new FakeGitHub().evaluating(pr, { commits: [CLAUDE_COMMIT] }, policy).expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("opened", pr));

    expect(gh.lastCheck.status).toBe("in_progress");
  });

  it("passes when the only group that applies needs 0 approvals", async () => {
    const app = createTestApp();
    const policy = "risk:\n  builtin: false\nsignoff:\n  require:\n    - { reviewers: ['@acme/seniors'], approvals: 0 }\n";
    const gh = new FakeGitHub().evaluating(aiPull(), { commits: [CLAUDE_COMMIT] }, policy).expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("opened", aiPull()));

    expect(gh.lastCheck).toMatchObject({ status: "completed", conclusion: "success" });
    expect(gh.lastCheck.output.title).toContain("No sign-off needed: the policy exempts this PR");
  });
});
