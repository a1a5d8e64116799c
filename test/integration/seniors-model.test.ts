// Seniors' time on the shared GitHub model (test/support/github/): who signoff.assign asks, from the
// repository's CODEOWNERS and the default branch's history, and path-scoped freshness across real pushes.
import { describe, expect, it } from "vitest";
import { CAROL, DAVE, OWNER, REPO, CLAUDE_MESSAGE, GitHubSession, simCommit, simFile, passes } from "../support/github/index.js";
import { createTestApp } from "../helpers/github.js";
import { appOctokitFor, runEscalationSweep } from "../../src/handlers/escalation-sweep.js";

const ASSIGN = "risk:\n  builtin: false\nsignoff:\n  reviewers: ['@acme/seniors']\n  assign: 1\n";

function session(policy: string) {
  const gh = new GitHubSession({ policy }).install();
  gh.model.setTeam(OWNER, "seniors", { carol: "active", dave: "active", bob: "active" });
  return gh;
}

describe("signoff.assign on the GitHub model", () => {
  it("asks the CODEOWNERS owner with the fewest open requests, and nobody else", async () => {
    const gh = session(ASSIGN);
    gh.setFile(REPO, ".github/CODEOWNERS", "/src/ @carol @dave\n");
    gh.addPull({ commits: [simCommit({ message: CLAUDE_MESSAGE })] });
    const app = createTestApp();
    await app.services.seniors.load.add(OWNER, "acme/shop#3", ["carol"]);

    await app.receive("pull_request", gh.pullEvent("opened"));

    expect(gh.pull().requestedReviewers).toEqual(["dave"]);
    expect(gh.pull().requestedTeams).toEqual([]);
    expect(gh.check()?.output?.summary).toContain("@dave (owns `/src/`, 0 open requests)");

    // A re-evaluation keeps dave: no second request.
    const requestsBefore = gh.requestsTo(/requested_reviewers/).length;
    await app.receive("pull_request", gh.pullEvent("edited"));
    expect(gh.requestsTo(/requested_reviewers/)).toHaveLength(requestsBefore);
    expect(gh.pull().requestedReviewers).toEqual(["dave"]);
  });

  it("falls back to the people who most recently changed an unowned file, skipping a contributor", async () => {
    const gh = session(ASSIGN);
    gh.repo.baseHistory = [
      { sha: "1".repeat(40), author: "carol", paths: ["src/app.ts"] },
      { sha: "2".repeat(40), author: "bob", paths: ["src/app.ts"] },
    ];
    // carol also committed to the PR: she may not sign off, so bob is asked.
    gh.addPull({ commits: [simCommit({ author: CAROL }), simCommit({ message: CLAUDE_MESSAGE })] });
    const app = createTestApp();

    await app.receive("pull_request", gh.pullEvent("opened"));

    expect(gh.pull().requestedReviewers).toEqual(["bob"]);
    expect(gh.check()?.output?.summary).toContain("@bob (recently changed `src/app.ts`, 0 open requests)");
  });
});

describe("path-scoped freshness on the GitHub model", () => {
  const SCOPED =
    "risk:\n  builtin: false\nsignoff:\n  request_reviews: false\n  require:\n    - { reviewers: ['carol'], paths: ['infra/**'] }\n    - { reviewers: ['dave'] }\n";

  function scoped() {
    const gh = session(SCOPED);
    gh.addPull({ files: [simFile("infra/main.tf"), simFile("src/app.ts")], commits: [simCommit({ message: CLAUDE_MESSAGE })] });
    gh.review(7, CAROL, "APPROVED");
    return gh;
  }

  it("keeps carol's infra approval across a push that changes only src/", async () => {
    const gh = scoped();
    gh.model.pushHead(OWNER, REPO, 7, {
      ...simCommit({ message: "tidy" }),
      files: [simFile("infra/main.tf"), simFile("src/app.ts", { patch: "@@ -1 +1 @@\n-old\n+newer" })],
    });
    gh.review(7, DAVE, "APPROVED");
    const app = createTestApp();

    await app.receive("pull_request", gh.pullEvent("synchronize"));

    expect(passes(gh.check())).toBe(true);
    expect(gh.check()?.output?.summary).toContain("@carol's approval on");
    expect(gh.check()?.output?.summary).toContain("is kept for signoff.require[0]");
  });

  it("makes it stale after a push that changes infra/", async () => {
    const gh = scoped();
    gh.model.pushHead(OWNER, REPO, 7, {
      ...simCommit({ message: "more infra" }),
      files: [simFile("infra/main.tf", { patch: "@@ -1 +1 @@\n-old\n+bigger" }), simFile("src/app.ts")],
    });
    gh.review(7, DAVE, "APPROVED");
    const app = createTestApp();

    await app.receive("pull_request", gh.pullEvent("synchronize"));

    expect(passes(gh.check())).toBe(false);
    expect(gh.check()?.output?.summary).toContain("is stale for signoff.require[0]: `infra/main.tf` changed since");
  });
});

describe("signoff.escalate on the GitHub model", () => {
  const ESCALATE = "risk:\n  builtin: false\nsignoff:\n  reviewers: ['@acme/seniors']\n  escalate: { after: 90m, to: [bob] }\n";

  it("fires once from the sweep after the time passes, with no new event, through the app's own authentication", async () => {
    const gh = session(ESCALATE);
    gh.addPull({ commits: [simCommit({ message: CLAUDE_MESSAGE })] });
    const app = createTestApp();
    let now = Date.parse("2026-11-21T10:00:00Z");
    app.services.seniors.clock = () => now;
    const sweep = () => runEscalationSweep(app.services, app.probot.log, appOctokitFor(app.probot, app.services));

    await app.receive("pull_request", gh.pullEvent("opened"));
    expect(gh.pull().requestedTeams).toEqual(["seniors"]);
    expect(gh.pull().requestedReviewers).toEqual([]);

    now += 89 * 60_000;
    expect(await sweep()).toBe(0);
    now += 2 * 60_000;
    expect(await sweep()).toBe(1);
    expect(gh.pull().requestedReviewers).toEqual(["bob"]);
    expect(gh.check()?.output?.summary).toContain("longer than signoff.escalate.after (90m): @bob asked too.");

    // Once: later sweeps and events do not ask again.
    now += 3600_000;
    expect(await sweep()).toBe(0);
    await app.receive("pull_request", gh.pullEvent("edited"));
    expect(gh.requestsTo(/requested_reviewers/).filter((r) => JSON.stringify(r.body).includes("bob"))).toHaveLength(1);
  });
});
