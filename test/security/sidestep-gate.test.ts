// Attacks on the gate by people inside the organisation: each test is named after the attack, plays
// it against the shared GitHub model, and asserts that the check on the PR's head still blocks (and
// says why). Each would fail if the protection it names were removed.
import { describe, expect, it } from "vitest";
import { isAiReviewer } from "../../src/policy/ai-identities.js";
import { createTestApp, issueCommentEvent } from "../helpers/github.js";
import { ALICE, APP_ID, BOB, CAROL, CHECK_NAME, DAVE, MALLORY, OWNER, REPO, type SimUser } from "../support/github/constants.js";
import type { TeamMembership } from "../support/github/model.js";
import { CLAUDE_MESSAGE, GitHubSession, POLICY_FILE, blocks, passes, simCommit, simFile } from "../support/github/session.js";
import { overrideText } from "../support/check-record.js";

const SENIORS = "signoff:\n  reviewers: ['@acme/seniors']\n";

/** An AI-assisted PR #7 by alice (a Claude co-author trailer), the seniors policy, and a fresh app. */
function world(o: { policy?: string; seniors?: Record<string, TeamMembership>; author?: SimUser } = {}) {
  const gh = new GitHubSession({ policy: o.policy ?? SENIORS }).install();
  gh.model.setTeam(OWNER, "seniors", o.seniors ?? { carol: "active", dave: "active" });
  const author = o.author ?? ALICE;
  gh.model.users.set(author.login.toLowerCase(), author);
  const pull = gh.addPull({ author: author.login, commits: [simCommit({ message: CLAUDE_MESSAGE, author })] });
  const app = createTestApp();
  return { gh, app, pull };
}

async function evaluate(app: ReturnType<typeof createTestApp>, gh: GitHubSession, action = "synchronize") {
  await app.receive("pull_request", gh.pullEvent(action));
}

function summaryOf(gh: GitHubSession): string {
  return gh.check()?.output.summary ?? "";
}

describe("sign-off by the wrong person", () => {
  it("self-approval: the PR author's own approval does not count", async () => {
    const { gh, app } = world();
    gh.review(7, ALICE, "APPROVED");
    await evaluate(app, gh);

    expect(blocks(gh.check())).toBe(true);
    expect(gh.check()?.status).toBe("in_progress");
    expect(summaryOf(gh)).toContain("| @alice | approved on");
    expect(summaryOf(gh)).toContain("is the PR author");
  });

  it("self-approval by a senior: an active member of the reviewers' team who authored the PR does not count", async () => {
    const { gh, app } = world({ seniors: { alice: "active", carol: "active" } });
    gh.review(7, ALICE, "APPROVED");
    await evaluate(app, gh);

    expect(blocks(gh.check())).toBe(true);
    expect(summaryOf(gh)).toContain("is the PR author, who cannot sign off their own change");
  });

  it("a senior who committed to the PR approving does not count (allow_contributors: false)", async () => {
    const { gh, app, pull } = world();
    gh.push(7, { author: CAROL, message: "Fix the tests" });
    gh.review(7, CAROL, "APPROVED");
    await evaluate(app, gh);

    expect(pull.commits).toHaveLength(2);
    expect(blocks(gh.check())).toBe(true);
    expect(summaryOf(gh)).toContain("authored or committed commits of this PR");
  });

  it("a senior who committed with an unlinked noreply email, or only as a co-author, does not count either", async () => {
    const { gh, app } = world();
    gh.push(7, {
      author: { login: "carol", id: 3, name: "Carol", email: "3+carol@users.noreply.github.com" },
      unlinked: true,
      message: "Tweak",
    });
    gh.push(7, { message: "Pair on it\n\nCo-authored-by: Dave <4+dave@users.noreply.github.com>" });
    gh.review(7, CAROL, "APPROVED");
    gh.review(7, DAVE, "APPROVED");
    await evaluate(app, gh);

    expect(blocks(gh.check())).toBe(true);
    expect(summaryOf(gh)).toMatch(/\| @carol \| approved on \w+ \| no \| authored or committed/);
    expect(summaryOf(gh)).toMatch(/\| @dave \| approved on \w+ \| no \| authored or committed/);
  });

  it.each([
    ["a bot account", { login: "release-bot[bot]", id: 5001, type: "Bot" as const }],
    ["an AI app (claude[bot])", { login: "claude[bot]", id: 5002, type: "Bot" as const }],
    ["the Copilot coding agent, known by its id", { login: "Copilot", id: 198982749, type: "Bot" as const }],
    ["an AI agent with a user account (openhands-agent)", { login: "openhands-agent", id: 5003, type: "User" as const }],
    ["a review-only AI bot (coderabbitai[bot])", { login: "coderabbitai[bot]", id: 5004, type: "Bot" as const }],
  ])("%s approving does not count, even when the policy names it (or a reviewer team has it) as a reviewer", async (_what, reviewer) => {
    const login = reviewer.login.replace(/\[bot\]$/, "");
    // A policy that names an AI tool's account by login is refused outright (policy-messages.test.ts);
    // one that reaches it through a team still never counts its approval.
    const { gh, app } = isAiReviewer(login)
      ? world({ seniors: { carol: "active", dave: "active", [login]: "active" } })
      : world({ policy: `signoff:\n  reviewers: ['@acme/seniors', '${login}']\n` });
    gh.review(7, reviewer, "APPROVED");
    await evaluate(app, gh);

    expect(blocks(gh.check())).toBe(true);
    expect(summaryOf(gh)).toMatch(/is a bot; bots cannot sign off|is an AI identity; AI cannot sign off/);
  });

  it("a login differing only in letter case: author Alice approving as alice does not count", async () => {
    const { gh, app } = world({ author: { login: "Alice", id: 1, type: "User" }, seniors: { alice: "active" } });
    gh.review(7, { login: "alice", id: 1 }, "APPROVED");
    gh.review(7, { login: "ALICE", id: 1 }, "APPROVED");
    await evaluate(app, gh);

    expect(blocks(gh.check())).toBe(true);
    expect(summaryOf(gh)).toContain("is the PR author");
    expect(summaryOf(gh)).not.toMatch(/\| yes \|/);
  });

  it("a login differing only in letter case: a reviewer listed as 'Carol' still counts as carol (no false block)", async () => {
    const { gh, app } = world({ policy: "signoff:\n  reviewers: ['Carol']\n" });
    gh.review(7, CAROL, "APPROVED");
    await evaluate(app, gh);

    expect(passes(gh.check())).toBe(true);
  });

  it("two approvals by one person (two reviews) count once: N approvals means N people", async () => {
    const { gh, app } = world({ policy: "signoff:\n  reviewers: ['@acme/seniors']\n  approvals: 2\n" });
    gh.review(7, CAROL, "APPROVED");
    gh.review(7, CAROL, "APPROVED");
    gh.review(7, { login: "CAROL", id: 3 }, "APPROVED");
    await evaluate(app, gh);

    expect(blocks(gh.check())).toBe(true);
    expect(gh.check()?.output.title).toContain("(1 of 2,");
  });
});

describe("stale and withdrawn approvals", () => {
  it("an approval on an older commit after a push does not count (fresh_approval)", async () => {
    const { gh, app } = world();
    gh.review(7, CAROL, "APPROVED");
    await evaluate(app, gh);
    expect(passes(gh.check())).toBe(true);

    const oldHead = gh.pull().headSha;
    gh.push(7, { message: "Sneak in one more change" });
    await evaluate(app, gh);

    expect(passes(gh.check(oldHead))).toBe(true); // the old head keeps its check; branch protection reads the new head's
    expect(blocks(gh.check())).toBe(true);
    expect(summaryOf(gh)).toContain("approved an older commit");
  });

  it("an approval on an older commit after a force-push does not count", async () => {
    const { gh, app } = world();
    gh.review(7, CAROL, "APPROVED");
    gh.push(7, { message: "Rewritten history\n\nCo-Authored-By: Claude <noreply@anthropic.com>" }, { force: true });
    await evaluate(app, gh);

    expect(blocks(gh.check())).toBe(true);
    expect(summaryOf(gh)).toContain("approved an older commit");
  });

  it("a dismissed approval does not count", async () => {
    const { gh, app } = world();
    const review = gh.review(7, CAROL, "APPROVED");
    await evaluate(app, gh);
    expect(passes(gh.check())).toBe(true);

    review.state = "DISMISSED";
    await app.receive("pull_request_review", gh.reviewEvent("dismissed", review));

    expect(blocks(gh.check())).toBe(true);
    expect(summaryOf(gh)).toContain("review was dismissed");
  });

  it("a later plain comment does not withdraw a change request, and an approval after it does", async () => {
    const { gh, app } = world();
    gh.review(7, CAROL, "CHANGES_REQUESTED");
    gh.review(7, CAROL, "COMMENTED");
    await evaluate(app, gh);
    expect(gh.check()).toMatchObject({ status: "completed", conclusion: "failure" });

    gh.review(7, CAROL, "APPROVED");
    await evaluate(app, gh);
    expect(passes(gh.check())).toBe(true);
  });

  it("a review edited after the fact (pull_request_review.edited) is judged by what GitHub says now, not by the payload", async () => {
    const { gh, app } = world();
    const review = gh.review(7, MALLORY, "COMMENTED");
    // The payload claims an approval by a senior; the API lists a comment by mallory.
    await app.receive("pull_request_review", gh.reviewEvent("edited", { ...review, state: "approved", user: { ...CAROL, type: "User" } }));

    expect(blocks(gh.check())).toBe(true);
    expect(summaryOf(gh)).toContain("| @mallory | commented");
  });

  it("editing an old approval does not refresh it onto the new head", async () => {
    const { gh, app } = world();
    const review = gh.review(7, CAROL, "APPROVED");
    gh.push(7, { message: "More" });
    await app.receive("pull_request_review", gh.reviewEvent("edited", review));

    expect(blocks(gh.check())).toBe(true);
    expect(summaryOf(gh)).toContain("approved an older commit");
  });
});

describe("membership that does not hold", () => {
  it.each([
    ["removed from the team (membership 404)", 404 as const],
    ["whose membership is still pending", "pending" as const],
  ])("a senior %s does not count", async (_what, membership) => {
    const { gh, app } = world({ seniors: { carol: membership } });
    gh.review(7, CAROL, "APPROVED");
    await evaluate(app, gh);

    expect(blocks(gh.check())).toBe(true);
    expect(summaryOf(gh)).toContain("| @carol | approved on");
    expect(summaryOf(gh)).toContain("is not one of @acme/seniors");
  });

  it("a senior removed from the team between two evaluations stops counting once the membership cache expires", async () => {
    const gh = new GitHubSession({ policy: SENIORS }).install();
    gh.model.setTeam(OWNER, "seniors", { carol: "active" });
    gh.addPull({ commits: [simCommit({ message: CLAUDE_MESSAGE })] });
    const app = createTestApp({ MEMBERSHIP_CACHE_SECONDS: "0" });
    gh.review(7, CAROL, "APPROVED");
    await app.receive("pull_request", gh.pullEvent("synchronize"));
    expect(passes(gh.check())).toBe(true);

    gh.model.setTeam(OWNER, "seniors", { carol: 404 });
    await app.receive("pull_request", gh.pullEvent("edited"));
    expect(blocks(gh.check())).toBe(true);
  });
});

describe("weakening the policy", () => {
  const WEAKER =
    "mode: report\ngate: ai-assisted\ndetection:\n  builtin: false\n  labels: []\nsignoff:\n  reviewers: ['alice']\n  fresh_approval: false\n";

  it("the policy weakened inside the same PR never governs it: the default branch's policy does, and the PR is critical", async () => {
    const { gh, app, pull } = world();
    pull.files = [simFile(".github/countersign.yml", { patch: "@@ -1,2 +1,6 @@\n+mode: report" }), simFile("src/app.ts")];
    gh.setFile(REPO, POLICY_FILE, WEAKER, pull.headSha);
    gh.review(7, ALICE, "APPROVED");
    await evaluate(app, gh);

    const check = gh.check();
    expect(blocks(check)).toBe(true);
    expect(check?.status).toBe("in_progress"); // not the neutral of report mode
    expect(check?.output.summary).toContain("#### Risk: critical");
    expect(check?.output.summary).toContain("It does not govern this PR: the default branch's policy does.");
    // The policy that judged the PR was read from the default branch (no ref); the proposal at the head.
    const reads = gh.requestsTo(/\/repos\/acme\/shop\/contents\//);
    expect(reads.some((r) => r.query.get("ref") === null)).toBe(true);
    expect(reads.filter((r) => r.query.get("ref") !== null).map((r) => r.query.get("ref"))).toEqual([pull.headSha]);
  });

  it("an invalid weakening inside the PR (approvals: -1) fails the check", async () => {
    const { gh, app, pull } = world();
    pull.files = [simFile(".github/countersign.yml")];
    gh.setFile(REPO, POLICY_FILE, "signoff:\n  approvals: -1\n", pull.headSha);
    await evaluate(app, gh);

    expect(gh.check()).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(summaryOf(gh)).toContain("`signoff.approvals` must be at least 0");
  });

  it("a valid exemption proposed inside the PR (approvals: 0) does not govern its own PR", async () => {
    const { gh, app, pull } = world();
    pull.files = [simFile(".github/countersign.yml")];
    gh.setFile(REPO, POLICY_FILE, "signoff:\n  approvals: 0\n", pull.headSha);
    await evaluate(app, gh);

    // The default branch's policy governs: the PR (a change to the policy file, critical) still waits.
    expect(gh.check()?.status).toBe("in_progress");
  });

  it("deleting the policy file in the PR is critical, and the default branch's policy still governs", async () => {
    const { gh, app, pull } = world();
    pull.files = [simFile(".github/countersign.yml", { status: "removed", additions: 0, deletions: 3 })];
    await evaluate(app, gh);

    expect(blocks(gh.check())).toBe(true);
    expect(gh.check()?.output.title).toContain("@acme/seniors");
    expect(summaryOf(gh)).toContain("#### Risk: critical");
  });

  it("retargeting the PR to another base branch: the policy is still read from the default branch", async () => {
    const { gh, app, pull } = world();
    pull.baseRef = "release/1.x";
    gh.setFile(REPO, POLICY_FILE, WEAKER, "release/1.x");
    await app.receive(
      "pull_request",
      gh.pullEvent("edited", 7, { changes: { base: { ref: { from: "main" }, sha: { from: "0".repeat(40) } } } }),
    );

    expect(blocks(gh.check())).toBe(true);
    expect(gh.check()?.status).toBe("in_progress");
    expect(gh.requestsTo(/\/contents\//).every((r) => r.query.get("ref") === null)).toBe(true);
  });
});

describe("erasing the evidence", () => {
  /** First evaluation: the PR is found AI-assisted and gets the label (its memory). */
  async function labelled(o: Parameters<typeof world>[0] = {}) {
    const w = world(o);
    await evaluate(w.app, w.gh, "opened");
    expect(w.pull.labels).toContain("ai-assisted");
    expect(blocks(w.gh.check())).toBe(true);
    return w;
  }

  async function labelledWith(policy: string) {
    const w = world({ policy });
    w.gh.model.ensureRepoLabel(w.gh.repo, "needs-senior");
    await evaluate(w.app, w.gh, "opened");
    expect(blocks(w.gh.check())).toBe(true);
    return w;
  }

  it("removing the ai-assisted label: put back when removed by someone who may not sign off, who is named", async () => {
    const { gh, app, pull } = await labelled();
    gh.model.removeLabelFromPull(pull, "ai-assisted", MALLORY);
    pull.commits = [simCommit({ sha: pull.headSha, message: "Clean history" })]; // and the evidence is gone
    await evaluate(app, gh, "unlabeled");

    expect(pull.labels).toContain("ai-assisted");
    expect(blocks(gh.check())).toBe(true);
    expect(summaryOf(gh)).toContain("@mallory removed the `ai-assisted` label");
  });

  it("removing the ai-assisted label: the PR author's removal is not accepted, even a senior's", async () => {
    const { gh, app, pull } = await labelled({ seniors: { alice: "active", carol: "active" } });
    gh.model.removeLabelFromPull(pull, "ai-assisted", ALICE);
    pull.commits = [simCommit({ sha: pull.headSha, message: "Clean history" })];
    await evaluate(app, gh, "unlabeled");

    expect(pull.labels).toContain("ai-assisted");
    expect(blocks(gh.check())).toBe(true);
  });

  it("removing the ai-assisted label while the evidence is still there changes nothing", async () => {
    const { gh, app, pull } = await labelled();
    gh.model.removeLabelFromPull(pull, "ai-assisted", CAROL);
    await evaluate(app, gh, "unlabeled");

    expect(pull.labels).toContain("ai-assisted");
    expect(blocks(gh.check())).toBe(true);
  });

  it("the ai-assisted label renamed or deleted in the repository (no unlabeled event) keeps the PR gated", async () => {
    const { gh, app, pull } = await labelled();
    // Renaming the repository's label takes it off every PR without an "unlabeled" event.
    pull.labels = pull.labels.filter((l) => l !== "ai-assisted");
    gh.repo.labels.delete("ai-assisted");
    pull.commits = [simCommit({ sha: pull.headSha, message: "Clean history" })];
    await evaluate(app, gh, "edited");

    expect(blocks(gh.check())).toBe(true);
    expect(pull.labels).toContain("ai-assisted");
    expect(summaryOf(gh)).toContain("without a recorded removal");
  });

  it("a policy that renames the AI label (labels.ai_assisted) keeps the memory, even when detection.labels does not name it", async () => {
    const { gh, app, pull } = await labelledWith(`${SENIORS}labels:\n  ai_assisted: needs-senior\n`);
    gh.push(7, { message: "Squashed: add retry to checkout" }, { force: true });
    await evaluate(app, gh);

    expect(pull.labels).toContain("needs-senior");
    expect(blocks(gh.check())).toBe(true);
    expect(summaryOf(gh)).toContain("The `needs-senior` label keeps this PR gated");
  });

  it("editing the description to remove a marker: the label keeps the gate", async () => {
    const w = world();
    w.pull.commits = [simCommit({ sha: w.pull.headSha })];
    w.pull.body = "Adds a cache.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)";
    await evaluate(w.app, w.gh, "opened");
    expect(w.pull.labels).toContain("ai-assisted");

    w.pull.body = "Adds a cache.";
    await w.app.receive("pull_request", w.gh.pullEvent("edited", 7, { changes: { body: { from: "🤖 Generated with [Claude Code]" } } }));

    expect(blocks(w.gh.check())).toBe(true);
    expect(summaryOf(w.gh)).toContain("The `ai-assisted` label keeps this PR gated");
  });

  it("squashing away commits with trailers: the label keeps the gate", async () => {
    const { gh, app } = await labelled();
    gh.push(7, { message: "Squashed: add retry to checkout" }, { force: true });
    await evaluate(app, gh);

    expect(blocks(gh.check())).toBe(true);
    expect(summaryOf(gh)).toContain("The `ai-assisted` label keeps this PR gated");
  });

  it("the label's removal by an eligible senior is accepted once the evidence is gone (no false block)", async () => {
    const { gh, app, pull } = await labelled();
    gh.push(7, { message: "Squashed: rewritten by hand" }, { force: true });
    gh.model.removeLabelFromPull(pull, "ai-assisted", CAROL);
    await evaluate(app, gh, "unlabeled");

    expect(pull.labels).not.toContain("ai-assisted");
    expect(passes(gh.check())).toBe(true);
    expect(summaryOf(gh)).toContain("@carol removed the `ai-assisted` label");
  });
});

describe("overrides", () => {
  const OVERRIDE = `${SENIORS}override:\n  by: ['@acme/incident-commanders', 'alice', 'openhands-agent']\n`;

  function overrideWorld() {
    const w = world({ policy: OVERRIDE });
    w.gh.model.setTeam(OWNER, "incident-commanders", { carol: "active", bob: 404 });
    return w;
  }

  it("an override comment edited later (issue_comment.edited) does nothing at all", async () => {
    const { gh, app } = overrideWorld();
    await app.receive(
      "issue_comment",
      issueCommentEvent("/countersign override edited in", { action: "edited", login: "carol", userId: 3 }),
    );

    expect(gh.requests).toEqual([]);
    expect(gh.check()).toBeUndefined();
  });

  it("an override posted by someone not allowed is refused and leaves the gate closed", async () => {
    const { gh, app } = overrideWorld();
    await evaluate(app, gh);
    await app.receive("issue_comment", issueCommentEvent("/countersign override trust me", { login: BOB.login, userId: BOB.id }));

    expect(blocks(gh.check())).toBe(true);
    expect(gh.comments.map((c) => c.body)).toEqual([expect.stringContaining("The override was not applied: @bob is not one of")]);
  });

  it("an override posted by the PR author, even one listed in override.by, is refused", async () => {
    const { gh, app } = overrideWorld();
    await evaluate(app, gh);
    await app.receive("issue_comment", issueCommentEvent("/countersign override my own change", { login: "ALICE", userId: ALICE.id }));

    expect(blocks(gh.check())).toBe(true);
    expect(gh.comments[0]?.body).toContain("is the PR author");
  });

  it("an override posted by an AI agent's account, even one listed in override.by, is refused", async () => {
    const { gh, app } = overrideWorld();
    await evaluate(app, gh);
    await app.receive("issue_comment", issueCommentEvent("/countersign override ship it", { login: "openhands-agent", userId: 5003 }));

    expect(blocks(gh.check())).toBe(true);
    expect(gh.comments[0]?.body).toContain("The override was not applied");
    expect(gh.comments[0]?.body).toContain("AI");
  });

  it("an override from a bot is ignored without a word", async () => {
    const { gh, app } = overrideWorld();
    await app.receive(
      "issue_comment",
      issueCommentEvent("/countersign override automated", { login: "claude[bot]", userId: 5002, type: "Bot" }),
    );

    expect(gh.requests).toEqual([]);
  });

  it("an accepted override holds for its head only: a push needs sign-off again", async () => {
    const { gh, app } = overrideWorld();
    await app.receive("issue_comment", issueCommentEvent("/countersign override INC-42 hotfix", { login: "carol", userId: 3 }));
    expect(passes(gh.check())).toBe(true);

    gh.push(7, { message: "One more thing" });
    await evaluate(app, gh);
    expect(blocks(gh.check())).toBe(true);
    expect(gh.check()?.output.title).not.toContain("Overridden");
  });

  it("an override command quoted in a code block by an allowed person is documentation, not an override", async () => {
    const { gh, app } = overrideWorld();
    await evaluate(app, gh);
    await app.receive(
      "issue_comment",
      issueCommentEvent("If this blocks you, an IC can run:\n```\n/countersign override <reason>\n```", { login: "carol", userId: 3 }),
    );

    expect(blocks(gh.check())).toBe(true);
  });

  it("an override command hidden in an HTML comment (invisible on GitHub) is not an override", async () => {
    const { gh, app } = overrideWorld();
    await evaluate(app, gh);
    await app.receive(
      "issue_comment",
      issueCommentEvent("LGTM, thanks!\n<!--\n/countersign override pasted from a template\n-->", { login: "carol", userId: 3 }),
    );

    expect(blocks(gh.check())).toBe(true);
  });

  it("an override reason that tries to smuggle a second state marker into the check cannot forge one", async () => {
    const { gh, app, pull } = overrideWorld();
    const forged = `x --> <!-- countersign:record {"v":2,"pulls":[],"overrides":[{"by":"carol","reason":"y","sha":"${"f".repeat(40)}","at":"2026"}]} -->`;
    await app.receive("issue_comment", issueCommentEvent(`/countersign override ${forged}`, { login: "carol", userId: 3 }));

    const text = gh.check()?.output.text ?? "";
    expect(passes(gh.check())).toBe(true);
    expect(text.match(/<!-- countersign:record/g)).toHaveLength(1);
    expect(text).toContain(`"sha":"${pull.headSha}"`);
    expect(text).not.toContain("-->\u0020<!--");
  });

  it("a forged override marker on another app's check run named Countersign is not honoured", async () => {
    const { gh, app, pull } = overrideWorld();
    const marker = overrideText(pull.number, { by: "carol", reason: "forged", sha: pull.headSha, at: "2026-11-21T00:00:00Z" });
    gh.plantCheckRun(
      CHECK_NAME,
      pull.headSha,
      { status: "completed", conclusion: "success", output: { title: "Overridden by @carol: forged", summary: "…", text: marker } },
      APP_ID + 1,
    );
    await evaluate(app, gh);

    expect(blocks(gh.check())).toBe(true);
    expect(gh.check()?.output.title).not.toContain("Overridden");
  });
});
