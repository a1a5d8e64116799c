// Labels end to end: created when missing, swapped on a tier change, untouched when right, and the
// `ai-assisted` label as the PR's memory (put back unless a senior removed it).
import { describe, expect, it } from "vitest";
import { FakeGitHub, commit, createTestApp, file, labelEvent, pullRequest, pullRequestEvent } from "../helpers/github.js";

const CLAUDE_COMMIT = commit({ message: "Add caching\n\nCo-Authored-By: Claude <noreply@anthropic.com>" });
const SENIORS = "signoff:\n  reviewers: ['@acme/seniors']\n  request_reviews: false\n";
const APP_ACTOR = { login: "countersign[bot]", id: 900, type: "Bot" };
const CAROL = { login: "carol", id: 3 };

describe("risk and AI labels", () => {
  it("creates labels the repository lacks, with a colour and a description, then adds them", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().evaluating(pullRequest(), { commits: [CLAUDE_COMMIT] });
    gh.labelMissing("ai-assisted").labelMissing("risk:low").addLabels().expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("opened", pullRequest()));

    expect(gh.labelsCreated).toEqual([
      { name: "ai-assisted", color: "8250df", description: expect.stringContaining("AI assistance") },
      { name: "risk:low", color: "0e8a16", description: expect.stringContaining("low blast radius") },
    ]);
    expect(gh.labelsAdded).toEqual([["ai-assisted", "risk:low"]]);
    expect(gh.labelsRemoved).toEqual([]);
  });

  it("asks only once whether a label exists: the next evaluation adds it straight away", async () => {
    const app = createTestApp();
    const first = new FakeGitHub().evaluating(pullRequest(), { commits: [CLAUDE_COMMIT] });
    first.labelMissing("ai-assisted").labelMissing("risk:low").addLabels().expectCheckRun();
    await app.receive("pull_request", pullRequestEvent("opened", pullRequest()));

    // Both labels are gone again (removed by hand): the labels are known to exist now.
    const second = new FakeGitHub()
      .pull(pullRequest(), { commits: [CLAUDE_COMMIT] })
      .noPolicy()
      .existingChecks();
    second.addLabels().expectCheckRun();
    await app.receive("pull_request", pullRequestEvent("edited", pullRequest()));

    expect(second.labelsCreated).toEqual([]);
    expect(second.labelsAdded).toEqual([["ai-assisted", "risk:low"]]);
  });

  it("removes the old risk label and adds the new one when the tier changes", async () => {
    const app = createTestApp();
    const pr = pullRequest({ labels: ["ai-assisted", "risk:low"] });
    const files = [file("infra/network/main.tf"), file("src/app.ts")];
    const gh = new FakeGitHub().evaluating(pr, { commits: [CLAUDE_COMMIT], files });
    gh.labelExists("risk:high").addLabels().removeLabel("risk:low").expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", pr));

    expect(gh.labelsAdded).toEqual([["risk:high"]]);
    expect(gh.labelsRemoved).toEqual(["risk:low"]);
    expect(gh.lastCheck.output.summary).toContain("#### Risk: high");
    expect(gh.lastCheck.output.summary).toContain("`infra/network/main.tf`");
  });

  it("removes every stale risk label, whatever its case", async () => {
    const app = createTestApp();
    const pr = pullRequest({ labels: ["ai-assisted", "Risk:Medium", "risk:critical", "risk:low"] });
    const gh = new FakeGitHub().evaluating(pr, { commits: [CLAUDE_COMMIT] });
    gh.removeLabel("Risk:Medium").removeLabel("risk:critical").expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("labeled", pr));

    expect(gh.labelsAdded).toEqual([]);
    expect([...gh.labelsRemoved].sort()).toEqual(["Risk:Medium", "risk:critical"]);
  });

  it("writes no label when the labels are already right", async () => {
    const app = createTestApp();
    const pr = pullRequest({ labels: ["ai-assisted", "risk:low", "frontend"] });
    const gh = new FakeGitHub().evaluating(pr, { commits: [CLAUDE_COMMIT] }).expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", pr));

    expect(gh.labelsAdded).toEqual([]);
    expect(gh.labelsRemoved).toEqual([]);
    expect(gh.labelsCreated).toEqual([]);
    expect(gh.lastCheck.status).toBe("in_progress");
  });

  it("uses the label names the policy sets", async () => {
    const app = createTestApp();
    const policy = "labels:\n  ai_assisted: needs-senior\n  risk_prefix: 'blast:'\n";
    const gh = new FakeGitHub().evaluating(pullRequest({ labels: ["blast:high"] }), { commits: [CLAUDE_COMMIT] }, policy);
    gh.labelExists("needs-senior").labelExists("blast:low").addLabels().removeLabel("blast:high").expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("opened", pullRequest()));

    expect(gh.labelsAdded).toEqual([["needs-senior", "blast:low"]]);
    expect(gh.labelsRemoved).toEqual(["blast:high"]);
  });

  it("shows a failing label write (403) in the summary, and the verdict does not change", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().evaluating(pullRequest(), { commits: [CLAUDE_COMMIT] });
    gh.labelExists("ai-assisted").labelExists("risk:low").addLabels(7, 403).expectCheckRun().expectCheckRun("PATCH", 9001);

    await app.receive("pull_request", pullRequestEvent("opened", pullRequest()));

    expect(gh.labelsAdded).toEqual([["ai-assisted", "risk:low"]]);
    // The check went first (a new head: labels never delay the gate), then again to report the failed label write.
    expect(gh.checkRuns.map((c) => c.method)).toEqual(["POST", "PATCH"]);
    expect(gh.checkRuns[0]!.body.output.summary).not.toContain("Could not add");
    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.conclusion).toBeUndefined();
    expect(gh.lastCheck.output.title).toMatch(/^Waiting for 1 approval/);
    expect(gh.lastCheck.output.summary).toContain("Could not add the label(s) `ai-assisted`, `risk:low` (GitHub answered 403");
    expect(gh.lastCheck.output.summary).toContain("The verdict does not depend on labels.");
  });

  it("shows a label that cannot be created (403) in the summary, and passes a PR that needs no sign-off", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().evaluating(pullRequest()).labelEvents();
    gh.api.get("/repos/acme/shop/labels/risk%3Alow").reply(404, { message: "Not Found" });
    gh.api.post("/repos/acme/shop/labels").reply(403, { message: "Resource not accessible by integration" });
    gh.expectCheckRun().expectCheckRun("PATCH", 9001);

    await app.receive("pull_request", pullRequestEvent("opened", pullRequest()));

    expect(gh.lastCheck).toMatchObject({ status: "completed", conclusion: "success" });
    expect(gh.lastCheck.output.summary).toContain("Could not add the label(s) `risk:low` (GitHub answered 403");
  });
});

/** A PR whose ai-assisted label the app added and carol then removed, under the seniors policy. */
function labelRemovedByCarol() {
  const pr = pullRequest({ labels: ["risk:low"] });
  const gh = new FakeGitHub().evaluating(pr, {}, SENIORS);
  gh.labelEvents([
    labelEvent("labeled", "ai-assisted", APP_ACTOR, "2026-11-20T10:00:00Z"),
    labelEvent("unlabeled", "ai-assisted", CAROL, "2026-11-20T11:00:00Z"),
  ]);
  return { pr, gh };
}

describe("the ai-assisted label is the PR's memory", () => {
  it("puts the label back when someone who may not sign off removed it, and names them", async () => {
    const app = createTestApp();
    const { pr, gh } = labelRemovedByCarol();
    gh.membership("@acme/seniors", "carol", 404).labelExists("ai-assisted").addLabels().expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("unlabeled", pr));

    expect(gh.labelsAdded).toEqual([["ai-assisted"]]);
    expect(gh.lastCheck.status).toBe("in_progress");
    const summary = gh.lastCheck.output.summary;
    expect(summary).toContain("@carol removed the `ai-assisted` label (2026-11-20T11:00:00Z)");
    expect(summary).toContain("is not one of @acme/seniors: the label is put back and the PR stays gated");
  });

  it("accepts the removal by an active senior: the label stays off and the summary records it", async () => {
    const app = createTestApp();
    const { pr, gh } = labelRemovedByCarol();
    gh.membership("@acme/seniors", "carol", "active").expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("unlabeled", pr));

    expect(gh.labelsAdded).toEqual([]);
    expect(gh.lastCheck).toMatchObject({ status: "completed", conclusion: "success" });
    expect(gh.lastCheck.output.summary).toContain(
      "@carol removed the `ai-assisted` label (2026-11-20T11:00:00Z) and may sign off (active member of @acme/seniors): accepted.",
    );
  });

  it("does not accept the removal by the PR author, even a senior", async () => {
    const app = createTestApp();
    const pr = pullRequest({ labels: ["risk:low"] });
    const gh = new FakeGitHub().evaluating(pr, {}, SENIORS);
    gh.labelEvents([labelEvent("unlabeled", "ai-assisted", { login: "alice", id: 1 })]);
    gh.labelExists("ai-assisted").addLabels().expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("unlabeled", pr));

    expect(gh.labelsAdded).toEqual([["ai-assisted"]]);
    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.output.summary).toContain("@alice removed the `ai-assisted` label");
    expect(gh.lastCheck.output.summary).toContain("is the PR author");
  });

  it("keeps the gate while the label stays on after the description marker was removed", async () => {
    const app = createTestApp();
    // The description once said "Generated with [Claude Code]"; it was edited away, the commits show nothing.
    const pr = pullRequest({ labels: ["ai-assisted", "risk:low"], body: "Adds a cache in front of the pricing service." });
    const gh = new FakeGitHub().evaluating(pr, {}, SENIORS).expectCheckRun();

    await app.receive(
      "pull_request",
      pullRequestEvent("edited", pr, { changes: { body: { from: "🤖 Generated with [Claude Code](https://claude.com/claude-code)" } } }),
    );

    expect(gh.labelsRemoved).toEqual([]);
    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.conclusion).toBeUndefined();
    expect(gh.lastCheck.output.title).toMatch(/^Waiting for 1 approval from @acme\/seniors/);
    expect(gh.lastCheck.output.summary).toContain("The `ai-assisted` label keeps this PR gated");
  });
});
