// A PR that changes .github/countersign.yml: the proposed file is validated at the head, its problems
// are annotated on their real lines, and it never governs its own PR.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FakeGitHub, HEAD, commit, createTestApp, file, labelEvent, pullRequest, pullRequestEvent } from "../helpers/github.js";

const CLAUDE_COMMIT = commit({ message: "Tune the policy\n\nCo-Authored-By: Claude <noreply@anthropic.com>" });
const SENIORS = "signoff:\n  reviewers: ['@acme/seniors']\n  request_reviews: false\n";
const POLICY_FILE = ".github/countersign.yml";

function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/policies/${name}`, import.meta.url), "utf8");
}

/** The 1-based line of the first line of `text` that contains `needle`. */
function lineOf(text: string, needle: string): number {
  const index = text.split("\n").findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`fixture has no line with ${needle}`);
  return index + 1;
}

/** Files of a PR that edits the policy (and one more file). */
const POLICY_FILES = [file(POLICY_FILE, { patch: "@@ -1 +1 @@\n-mode: enforce\n+mode: report" }), file("README.md")];

describe("a pull request that changes the policy file", () => {
  it("reads the proposed file at the head and annotates each problem on its real line", async () => {
    const app = createTestApp();
    const yaml = fixture("invalid.yml");
    const pr = pullRequest({ labels: ["risk:critical"], changedFiles: 2 });
    const gh = new FakeGitHub().evaluating(pr, { files: POLICY_FILES }).labelEvents();
    gh.proposedPolicy(yaml, HEAD).expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", pr));

    const check = gh.lastCheck;
    // Not AI-assisted, so it would pass; the invalid proposal fails it.
    expect(check).toMatchObject({ head_sha: HEAD, status: "completed", conclusion: "failure" });
    expect(check.output.title).toMatch(/^The policy proposed in this PR is invalid · /);
    const annotations = check.output.annotations ?? [];
    expect(annotations.map((a) => [a.path, a.start_line, a.end_line, a.annotation_level])).toEqual([
      [POLICY_FILE, lineOf(yaml, "mode: enforced"), lineOf(yaml, "mode: enforced"), "failure"],
      [POLICY_FILE, lineOf(yaml, "approvals: -1"), lineOf(yaml, "approvals: -1"), "failure"],
      [POLICY_FILE, lineOf(yaml, "required_approvals: 2"), lineOf(yaml, "required_approvals: 2"), "failure"],
      [POLICY_FILE, lineOf(yaml, "tier: severe"), lineOf(yaml, "tier: severe"), "failure"],
    ]);
    // The fixture's lines, spelled out: a drifting fixture must not silently move the expectations.
    expect(annotations.map((a) => a.start_line)).toEqual([2, 7, 8, 12]);
    expect(annotations[0]?.message).toBe('mode: must be one of "enforce", "report", but is the text "enforced"; did you mean "enforce"?');
    expect(annotations[3]?.message).toContain("risk.rules[0].tier: must be one of");

    const summary = check.output.summary;
    expect(summary).toContain("#### Policy proposed in this PR (`.github/countersign.yml`)");
    expect(summary).toContain("❌ 4 problems; this check fails until they are fixed");
    expect(summary).toContain('- line 2: `mode` must be one of "enforce", "report", but is the text "enforced"; did you mean "enforce"?');
    expect(summary).toContain("- line 7: `signoff.approvals` must be at least 0");
    expect(summary).toContain(
      '- line 8: `signoff.required_approvals` unknown key "required_approvals": it is called signoff.approvals now',
    );
    expect(summary).toContain(
      '- line 12: `risk.rules[0].tier` must be one of "low", "medium", "high", "critical", but is the text "severe"',
    );
    expect(summary).toContain("#### Risk: critical");
    expect(summary).toContain("changes the Countersign policy file");
  });

  it("annotates a YAML syntax error on its line", async () => {
    const app = createTestApp();
    const yaml = fixture("syntax-error.yml");
    const pr = pullRequest({ labels: ["ai-assisted", "risk:critical"] });
    const gh = new FakeGitHub().evaluating(pr, { files: POLICY_FILES, commits: [CLAUDE_COMMIT] });
    gh.proposedPolicy(yaml).expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", pr));

    // Gated and waiting, but an invalid proposal completes the check as a failure.
    expect(gh.lastCheck).toMatchObject({ status: "completed", conclusion: "failure" });
    const annotations = gh.lastCheck.output.annotations ?? [];
    expect(annotations).toHaveLength(1);
    expect(annotations[0]).toMatchObject({ path: POLICY_FILE, start_line: lineOf(yaml, "    approvals: 2"), annotation_level: "failure" });
    expect(annotations[0]?.start_line).toBe(5);
    expect(String(annotations[0]?.message)).toContain("YAML syntax error");
    expect(gh.lastCheck.output.summary).toContain("- line 5: YAML syntax error");
  });

  it("annotates a regular expression that does not compile on its line", async () => {
    const app = createTestApp();
    const yaml = fixture("bad-regex.yml");
    const pr = pullRequest({ labels: ["ai-assisted", "risk:critical"] });
    const gh = new FakeGitHub().evaluating(pr, { files: POLICY_FILES, commits: [CLAUDE_COMMIT] });
    gh.proposedPolicy(yaml).expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", pr));

    expect(gh.lastCheck.conclusion).toBe("failure");
    expect(gh.lastCheck.output.annotations?.map((a) => a.start_line)).toEqual([lineOf(yaml, '"DROP TABLE ("')]);
    expect(gh.lastCheck.output.summary).toContain("- line 8: `risk.rules[0].content[0]` is not a valid regular expression");
  });

  it("says what a valid proposal would change for this PR, which is critical", async () => {
    const app = createTestApp();
    const pr = pullRequest({ labels: ["ai-assisted"], changedFiles: 2 });
    const gh = new FakeGitHub().evaluating(pr, { files: POLICY_FILES, commits: [CLAUDE_COMMIT] }, SENIORS);
    gh.proposedPolicy(fixture("leads.yml")).labelExists("risk:critical").addLabels().expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", pr));

    expect(gh.labelsAdded).toEqual([["risk:critical"]]);
    const check = gh.lastCheck;
    expect(check.status).toBe("in_progress");
    expect(check.output.annotations).toBeUndefined();
    // Still judged by the default branch's policy.
    expect(check.output.title).toBe("Waiting for 1 approval from @acme/seniors (0 of 1, risk critical)");
    const summary = check.output.summary;
    expect(summary).toContain("#### Risk: critical");
    expect(summary).toContain("changes the Countersign policy file");
    expect(summary).toContain("Valid. It does not govern this PR: the default branch's policy does.");
    expect(summary).toContain(
      "Once merged, for this PR: sign-off would need 2 approvals from @acme/leads instead of 1 approval from @acme/seniors.",
    );
  });

  it("never lets the proposal govern its own PR: a proposed report mode does not pass an AI-assisted PR", async () => {
    const app = createTestApp();
    const pr = pullRequest({ labels: ["ai-assisted", "risk:critical"] });
    const gh = new FakeGitHub().evaluating(pr, { files: POLICY_FILES, commits: [CLAUDE_COMMIT] });
    gh.proposedPolicy("gate: ai-assisted\nmode: report\n").expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("opened", pr));

    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.conclusion).toBeUndefined();
    expect(gh.lastCheck.output.title).not.toMatch(/report mode/i);
    expect(gh.lastCheck.output.summary).toContain("Once merged, for this PR: mode would go from enforce to report.");
  });

  it("says a proposal that changes nothing changes nothing, also for a PR gated by its label memory", async () => {
    const app = createTestApp();
    // No AI evidence left; the `ai-assisted` label was removed by someone who may not sign off, so it is put back.
    const pr = pullRequest({ labels: ["risk:critical"] });
    const gh = new FakeGitHub().evaluating(pr, { files: POLICY_FILES }, SENIORS);
    gh.labelEvents([
      labelEvent("labeled", "ai-assisted", { login: "countersign[bot]", id: 900, type: "Bot" }, "2026-11-20T10:00:00Z"),
      labelEvent("unlabeled", "ai-assisted", { login: "carol", id: 3 }, "2026-11-20T11:00:00Z"),
    ]);
    gh.membership("@acme/seniors", "carol", 404).labelExists("ai-assisted").addLabels();
    gh.proposedPolicy(`# the same policy, with a comment\n${SENIORS}`).expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", pr));

    expect(gh.labelsAdded).toEqual([["ai-assisted"]]);
    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.output.summary).toContain("Once merged, it would change nothing for this PR.");
    expect(gh.lastCheck.output.summary).not.toContain("would no longer be gated");
  });

  it("does not read the file at the head when the PR deletes it, and the PR is still critical", async () => {
    const app = createTestApp();
    const pr = pullRequest({ labels: ["ai-assisted", "risk:critical"] });
    const files = [file(POLICY_FILE, { status: "removed", additions: 0, deletions: 12 })];
    const gh = new FakeGitHub().evaluating(pr, { files, commits: [CLAUDE_COMMIT] }, SENIORS).expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", pr));

    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.output.summary).toContain("#### Risk: critical");
    expect(gh.lastCheck.output.summary).not.toContain("Policy proposed in this PR");
  });

  it("compares a proposal that extends the org policy as the merged policy that would apply", async () => {
    const app = createTestApp();
    const pr = pullRequest({ labels: ["ai-assisted", "risk:critical"] });
    const gh = new FakeGitHub()
      .token()
      .pull(pr, { files: POLICY_FILES, commits: [CLAUDE_COMMIT] })
      .existingChecks();
    // Today: the repository has no file, the org's policy governs.
    gh.api.get("/repos/acme/shop/contents/.github%2Fcountersign.yml").reply(404, { message: "Not Found" });
    gh.api
      .get("/repos/acme/.github/contents/.github%2Fcountersign.yml")
      .times(2)
      .reply(200, SENIORS, { "content-type": "application/vnd.github.v3.raw; charset=utf-8" });
    gh.proposedPolicy("_extends: .github\nsignoff:\n  approvals: 2\n").expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", pr));

    // Only approvals changed: the reviewers still come from the org policy it extends.
    expect(gh.lastCheck.output.summary).toContain(
      "Once merged, for this PR: sign-off would need 2 approvals from @acme/seniors instead of 1 approval from @acme/seniors.",
    );
  });
});
