// Issue #19 items 8, 1, 2 and 4, played against the shared GitHub model through probot.receive:
// the other PRs on a shared head are judged by the same evaluation as the PR itself (provenance
// included), and approvals and overrides count only on the base they were given on.
import { describe, expect, it } from "vitest";
import { createTestApp, issueCommentEvent } from "../helpers/github.js";
import { ALICE, CAROL, OWNER } from "../support/github/constants.js";
import { CLAUDE_MESSAGE, GitHubSession, blocks, passes, simCommit, simFile } from "../support/github/session.js";
import { traceRecord } from "../support/agent-trace.js";

const SENIORS = "signoff:\n  reviewers: ['@acme/seniors']\n  request_reviews: false\n";

const TRACE = traceRecord({ revision: "f".repeat(40), end: 3 });

describe("two pull requests, one head: the other PR goes through the same evaluation", () => {
  function twoPulls(policy: string) {
    const gh = new GitHubSession({ policy }).install();
    gh.model.setTeam(OWNER, "seniors", { carol: "active", dave: "active" });
    // A human commit proposed to main (#7) and to release (#8); only #8's diff (against release) adds an Agent Trace record.
    const commits = [simCommit({ message: "Parse the new format" })];
    gh.addPull({ author: ALICE.login, commits });
    gh.addPull({
      number: 8,
      baseRef: "release/1.0",
      author: ALICE.login,
      commits,
      files: [
        simFile("src/parser.ts", { status: "added", additions: 3, deletions: 0, patch: "@@ -0,0 +1,3 @@\n+a\n+b\n+c" }),
        simFile(".agent-trace/traces.jsonl", { status: "added", additions: 1, deletions: 0, patch: `@@ -0,0 +1 @@\n+${TRACE}` }),
      ],
    });
    gh.setFile("shop", ".agent-trace/traces.jsonl", `${TRACE}\n`, gh.pull(7).headSha);
    return { gh, app: createTestApp() };
  }

  it.each([
    ["with labels", SENIORS],
    ["with labels.enabled: false", `${SENIORS}labels:\n  enabled: false\n`],
  ])("an event on the human PR does not pass the shared check while the other PR's provenance gates it (%s)", async (_, policy) => {
    const { gh, app } = twoPulls(policy);
    await app.receive("pull_request", gh.pullEvent("synchronize", 7));

    const check = gh.check();
    expect(passes(check)).toBe(false);
    expect(blocks(check)).toBe(true);
    expect(check?.output.title).toContain("#8 → release/1.0 still waits");
  });
});

describe("a PR from a fork on the same head as a branch of the repository", () => {
  // GitHub's list of a commit's PRs (GET /commits/{sha}/pulls) leaves out PRs from forks, so it says
  // nothing of #8 below even though #7 is in it: with forks, the open PRs are scanned instead.
  it("an event on the branch PR does not pass the shared check while the fork's PR on that head waits", async () => {
    const gh = new GitHubSession({ policy: SENIORS }).install();
    gh.model.setTeam(OWNER, "seniors", { carol: "active", dave: "active" });
    const commits = [simCommit({ message: "Parse the new format" })];
    gh.addPull({ author: ALICE.login, commits });
    gh.addPull({
      number: 8,
      author: ALICE.login,
      commits,
      fork: "mallory",
      body: "Parse the new format.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)",
    });
    const app = createTestApp();
    await app.receive("pull_request", gh.pullEvent("opened", 8));
    expect(blocks(gh.check())).toBe(true);

    await app.receive("pull_request", gh.pullEvent("synchronize", 7));
    const check = gh.check();
    expect(passes(check)).toBe(false);
    expect(blocks(check)).toBe(true);
    expect(check?.output.title).toContain("#8");
  });
});

describe("approvals and overrides are bound to the base they were given on", () => {
  // Stacked PRs (into feature branches) are not gated; main and release are.
  const STACKED = `branches: ["main", "release/**"]\n${SENIORS}`;

  function stacked(policy: string) {
    const gh = new GitHubSession({ policy }).install();
    gh.model.setTeam(OWNER, "seniors", { carol: "active", dave: "active" });
    gh.addPull({ author: ALICE.login, baseRef: "feat/a", commits: [simCommit({ message: CLAUDE_MESSAGE })] });
    return { gh, app: createTestApp() };
  }

  it("an approval given while the PR targeted an ungated branch does not count after a retarget to main on the same head", async () => {
    const { gh, app } = stacked(STACKED);
    gh.review(7, CAROL, "APPROVED");
    await app.receive("pull_request_review", gh.reviewEvent("submitted", {}, 7));
    expect(passes(gh.check())).toBe(true); // not gated on feat/a

    const head = gh.pull().headSha;
    await app.receive("pull_request", gh.retarget(7, "main"));

    expect(gh.pull().headSha).toBe(head);
    const check = gh.check();
    expect(blocks(check)).toBe(true);
    expect(check?.output.summary).toMatch(/@carol \| approved .*\| no \| approved before the base was changed to main/);
    expect(gh.requestsTo(/\/issues\/7\/events$/).length).toBeGreaterThan(0);
  });

  it("same-diff: an approval from before a retarget stays stale after Update branch, however alike the diffs", async () => {
    const { gh, app } = stacked(`${STACKED.replace("request_reviews: false\n", "request_reviews: false\n  fresh_approval: same-diff\n")}`);
    gh.review(7, CAROL, "APPROVED");
    await app.receive("pull_request", gh.retarget(7, "main"));
    // "Update branch": a new head whose own changes are the approved commit's.
    gh.push(7, { message: "Merge branch 'main' into feature/x" });
    await app.receive("pull_request", gh.pullEvent("synchronize", 7));

    const check = gh.check();
    expect(blocks(check)).toBe(true);
    expect(check?.output.summary).toContain("approved before the base was changed to main");
    // Nothing compared: a stale approval is not a candidate for same-diff.
    expect(gh.requestsTo(/\/compare\//)).toHaveLength(0);
  });

  it("a retarget after the approval is what makes it stale: an approval given after the retarget counts", async () => {
    const { gh, app } = stacked(STACKED);
    await app.receive("pull_request", gh.retarget(7, "main"));
    expect(blocks(gh.check())).toBe(true);
    gh.review(7, CAROL, "APPROVED");
    await app.receive("pull_request_review", gh.reviewEvent("submitted", {}, 7));

    expect(passes(gh.check())).toBe(true);
  });

  it("an override given while the PR targeted main no longer holds after a retarget to release", async () => {
    const { gh, app } = stacked(`${STACKED}override:\n  by: ['@acme/incident-commanders']\n`);
    gh.model.setTeam(OWNER, "incident-commanders", { carol: "active" });
    await app.receive("pull_request", gh.retarget(7, "main"));
    await app.receive("issue_comment", issueCommentEvent("/countersign override hotfix")); // written 12:00
    expect(gh.check()?.output.title).toMatch(/^Overridden/);
    expect(passes(gh.check())).toBe(true);

    gh.model.now = () => "2026-11-21T13:00:00Z";
    await app.receive("pull_request", gh.retarget(7, "release/1.0"));

    const check = gh.check();
    expect(check?.output.title).not.toMatch(/^Overridden/);
    expect(blocks(check)).toBe(true);
  });
});
