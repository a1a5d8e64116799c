// "/countersign recheck" and "/countersign override <reason>" end to end: comment in, exact requests out.
import { describe, expect, it } from "vitest";
import {
  FakeGitHub,
  HEAD,
  OLD_HEAD,
  commit,
  createTestApp,
  existingCheckRun,
  issueCommentEvent,
  pullRequest,
  pullRequestEvent,
} from "../helpers/github.js";
import { overrideText } from "../support/check-record.js";
import { overridesIn } from "../../src/core/check-record.js";

const CLAUDE_COMMIT = commit({
  message: "Add retry to checkout\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
});
const AI_LABELS = ["ai-assisted", "risk:low"];
const OVERRIDE_POLICY = "signoff:\n  reviewers: ['@acme/seniors']\noverride:\n  by: ['@acme/incident-commanders']\n";
const NEW_HEAD = "c".repeat(40);

/** An AI-assisted PR whose labels are already right: an evaluation reads it and writes only the check. */
function aiPull(headSha = HEAD) {
  return pullRequest({ labels: AI_LABELS, headSha });
}

describe("/countersign recheck", () => {
  it("acknowledges with an eyes reaction and re-evaluates, whoever asks", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub()
      .evaluating(aiPull(), { commits: [CLAUDE_COMMIT] })
      .expectReaction(5150)
      .expectCheckRun();

    // A drive-by commenter with no association to the repository.
    const payload = issueCommentEvent("/countersign recheck", { login: "mallory", userId: 66 });
    (payload.comment as { author_association: string }).author_association = "NONE";
    await app.receive("issue_comment", payload);

    expect(gh.reactions).toEqual(["eyes"]);
    expect(gh.checkRuns).toHaveLength(1);
    expect(gh.lastCheck).toMatchObject({ head_sha: HEAD, status: "in_progress" });
    expect(gh.lastCheck.output.title).toMatch(/^Waiting for 1 approval from anyone with maintain .*\(0 of 1, risk low\)$/);
    expect(gh.comments).toEqual([]);
  });

  it("finds the command on any line of the comment, in any case", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub()
      .evaluating(aiPull(), { commits: [CLAUDE_COMMIT] })
      .expectReaction(5150)
      .expectCheckRun();

    await app.receive("issue_comment", issueCommentEvent("The webhook got lost, I think.\n\n/Countersign RECHECK\n"));

    expect(gh.reactions).toEqual(["eyes"]);
    expect(gh.checkRuns).toHaveLength(1);
  });

  it.each([
    ["a bot's comment", issueCommentEvent("/countersign recheck", { login: "renovate[bot]", userId: 29139614, type: "Bot" })],
    ["a comment on a plain issue", issueCommentEvent("/countersign recheck", { onPullRequest: false })],
    ["a comment on a closed PR", issueCommentEvent("/countersign recheck", { state: "closed" })],
    ["a quoted command", issueCommentEvent("> /countersign recheck\n\nWhy would we recheck this?")],
    ["a command inside a sentence", issueCommentEvent("Please do not run /countersign recheck yet")],
    ["an edited comment", issueCommentEvent("/countersign recheck", { action: "edited" })],
  ])("ignores %s: no request at all", async (_what, payload) => {
    const app = createTestApp();
    // No mocks: any request (even the installation token) would be unmatched and fail the test.
    const gh = new FakeGitHub();

    await app.receive("issue_comment", payload);

    expect(gh.reactions).toEqual([]);
    expect(gh.checkRuns).toEqual([]);
  });

  it("replies to an unknown command with the ones it knows, and evaluates nothing", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().token().expectComment();

    await app.receive("issue_comment", issueCommentEvent("/countersign approve"));

    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]).toContain("`/countersign recheck` and `/countersign override <reason>`, not `approve`");
    expect(gh.checkRuns).toEqual([]);
  });
});

describe("/countersign override <reason>", () => {
  /** The reads the comment handler makes before deciding: the policy and the PR. */
  function overrideReads(gh: FakeGitHub, policy: string, pr = aiPull()): FakeGitHub {
    gh.policy(policy);
    gh.api.get("/repos/acme/shop/pulls/7").reply(200, pr);
    return gh;
  }

  /** GitHub as an accepted override by carol (an active member of override.by) sees it: reads, the check and the reply. */
  function acceptedOverrideByCarol(): FakeGitHub {
    return overrideReads(new FakeGitHub().token(), OVERRIDE_POLICY)
      .membership("@acme/incident-commanders", "carol", "active")
      .headPushed()
      .pull(aiPull(), { commits: [CLAUDE_COMMIT] })
      .policy(OVERRIDE_POLICY)
      .existingChecks()
      .labelEvents() // an override counts only on the base it was given on
      .expectCheckRun()
      .expectComment();
  }

  it("passes the check for the head, naming who and why, when an active member of override.by asks", async () => {
    const app = createTestApp();
    const gh = acceptedOverrideByCarol();

    await app.receive("issue_comment", issueCommentEvent("/countersign override checkout is down, this is the fix"));

    const check = gh.lastCheck;
    expect(check).toMatchObject({ head_sha: HEAD, status: "completed", conclusion: "success" });
    expect(check.output.title).toBe("Overridden by @carol: checkout is down, this is the fix");
    expect(check.output.summary).toContain("Overridden by @carol: checkout is down, this is the fix");
    expect(overridesIn(check.output.text)).toMatchObject([{ by: "carol", sha: HEAD }]);
    expect(check.output.text).toMatch(/<!-- countersign:record \{"v":2,.*"overrides":\[\{"by":"carol".*\} -->/);
    expect(check.output.text).toContain(`"sha":"${HEAD}"`);
    expect(check.output.text).toContain('"reason":"checkout is down, this is the fix"');
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]).toContain("Override by @carol applied to aaaaaaa: checkout is down, this is the fix");
    expect(gh.comments[0]).toContain("It holds for this pull request on that commit only");
    expect(gh.comments[0]).not.toContain("still waits");
    expect(gh.comments[0]).toContain("the new head needs sign-off (or another override) again");
  });

  it("is refused with a reply saying who may, when someone outside override.by asks", async () => {
    const app = createTestApp();
    const gh = overrideReads(new FakeGitHub().token(), OVERRIDE_POLICY)
      .membership("@acme/incident-commanders", "dave", 404)
      .expectComment();

    await app.receive("issue_comment", issueCommentEvent("/countersign override I am sure it is fine", { login: "dave", userId: 4 }));

    expect(gh.checkRuns).toEqual([]);
    expect(gh.comments).toEqual([
      "@dave The override was not applied: @dave is not one of @acme/incident-commanders. Only @acme/incident-commanders may override.",
    ]);
  });

  it("is refused for a pending (not active) team member", async () => {
    const app = createTestApp();
    const gh = overrideReads(new FakeGitHub().token(), OVERRIDE_POLICY)
      .membership("@acme/incident-commanders", "dave", "pending")
      .expectComment();

    await app.receive("issue_comment", issueCommentEvent("/countersign override urgent", { login: "dave", userId: 4 }));

    expect(gh.checkRuns).toEqual([]);
    expect(gh.comments[0]).toContain("The override was not applied");
    expect(gh.comments[0]).toContain("Only @acme/incident-commanders may override.");
  });

  it("asks for a reason when there is none, and reads nothing", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().token().expectComment();

    await app.receive("issue_comment", issueCommentEvent("/countersign override   "));

    expect(gh.checkRuns).toEqual([]);
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]).toContain("An override needs a reason: `/countersign override <reason>`");
  });

  it("is refused when the policy allows no overrides (override.by empty)", async () => {
    const app = createTestApp();
    const gh = overrideReads(new FakeGitHub().token(), "signoff:\n  reviewers: ['@acme/seniors']\n").expectComment();

    await app.receive("issue_comment", issueCommentEvent("/countersign override prod is on fire"));

    expect(gh.checkRuns).toEqual([]);
    expect(gh.comments).toEqual([
      "@carol The override was not applied: this repository's policy allows no overrides (`override.by` is empty).",
    ]);
  });

  it("is refused for the PR author, even one listed in override.by", async () => {
    const app = createTestApp();
    const policy = "override:\n  by: ['alice', '@acme/incident-commanders']\n";
    // No membership lookup: the author is refused before anyone is looked up.
    const gh = overrideReads(new FakeGitHub().token(), policy).expectComment();

    await app.receive("issue_comment", issueCommentEvent("/countersign override my own change, trust me", { login: "alice", userId: 1 }));

    expect(gh.checkRuns).toEqual([]);
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]).toContain("@alice is the PR author; an override is a second person's decision");
  });

  it("never counts an edited comment, even from someone allowed", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub(); // no mocks: any request fails the test

    await app.receive("issue_comment", issueCommentEvent("/countersign override edited in later", { action: "edited" }));

    expect(gh.comments).toEqual([]);
    expect(gh.checkRuns).toEqual([]);
  });

  it("is remembered for the same head: a later evaluation keeps the check passing", async () => {
    const app = createTestApp();
    const first = acceptedOverrideByCarol();
    await app.receive("issue_comment", issueCommentEvent("/countersign override hotfix for INC-42"));
    const written = first.lastCheck;
    expect(written.conclusion).toBe("success");

    // The description is edited: same head, and our check run (with its stored state) is read back.
    // Its summary is stale, so the evaluation must write, and what it writes must still pass.
    const second = new FakeGitHub().pull(aiPull(), { commits: [CLAUDE_COMMIT] }).policy(OVERRIDE_POLICY);
    second.existingChecks([
      existingCheckRun({
        status: "completed",
        conclusion: "success",
        title: written.output.title,
        summary: "stale",
        text: written.output.text ?? "",
      }),
    ]);
    second.labelEvents().expectCheckRun("PATCH");
    await app.receive("pull_request", pullRequestEvent("edited", aiPull()));

    expect(second.checkRuns.map((c) => c.method)).toEqual(["PATCH"]);
    expect(second.lastCheck).toMatchObject({ status: "completed", conclusion: "success" });
    expect(second.lastCheck.output.title).toBe("Overridden by @carol: hotfix for INC-42");
    expect(second.lastCheck.output.text).toBe(written.output.text);

    // The same again with the check already up to date: nothing to write.
    const third = new FakeGitHub().pull(aiPull(), { commits: [CLAUDE_COMMIT] }).policy(OVERRIDE_POLICY);
    third.existingChecks([
      existingCheckRun({
        status: "completed",
        conclusion: "success",
        title: written.output.title,
        summary: written.output.summary,
        text: written.output.text ?? "",
      }),
    ]);
    third.labelEvents();
    await app.receive("pull_request", pullRequestEvent("synchronize", aiPull()));
    expect(third.checkRuns).toEqual([]);
  });

  it("does not carry over to a new head: a push needs sign-off again", async () => {
    const app = createTestApp();
    const first = acceptedOverrideByCarol();
    await app.receive("issue_comment", issueCommentEvent("/countersign override hotfix for INC-42"));
    expect(first.lastCheck.conclusion).toBe("success");

    const pushed = aiPull(NEW_HEAD);
    const second = new FakeGitHub()
      .pull(pushed, { commits: [CLAUDE_COMMIT, commit({ sha: NEW_HEAD, message: "Follow-up" })] })
      .policy(OVERRIDE_POLICY);
    second.existingChecks([], NEW_HEAD).expectCheckRun();
    // Team review requests: the history is read, then the team is asked.
    second.labelEvents([]).expectReviewRequest();
    await app.receive("pull_request", pullRequestEvent("synchronize", pushed));

    expect(second.lastCheck).toMatchObject({ head_sha: NEW_HEAD, status: "in_progress" });
    expect(second.lastCheck.conclusion).toBeUndefined();
    expect(second.lastCheck.output.title).toContain("Waiting for 1 approval from @acme/seniors");
    expect(overridesIn(second.lastCheck.output.text)).toEqual([]);
    expect(second.lastCheck.output.text ?? "").not.toContain('"by":"carol"');
  });

  it("ignores a stored override whose commit is not the head", async () => {
    const app = createTestApp();
    const stale = overrideText(7, { by: "carol", reason: "old", sha: OLD_HEAD, at: "2026-11-20T10:00:00Z" });
    const gh = new FakeGitHub()
      .token()
      .pull(aiPull(), { commits: [CLAUDE_COMMIT] })
      .policy(OVERRIDE_POLICY);
    gh.existingChecks([
      existingCheckRun({ status: "completed", conclusion: "success", title: "Overridden by @carol: old", summary: "…", text: stale }),
    ]);
    gh.labelEvents([]).expectReviewRequest().expectCheckRun("POST");

    await app.receive("pull_request", pullRequestEvent("edited", aiPull()));

    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.output.title).not.toContain("Overridden");
  });
});
