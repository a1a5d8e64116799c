// Provenance records end to end: an Agent Trace record added in the PR and a Git AI note on its
// commit gate the PR and give the AI share of the added lines; the exact GitHub reads are asserted
// (a mock left unused or a request left unmatched fails the test).
import { describe, expect, it } from "vitest";
import { FakeGitHub, HEAD, commit, createTestApp, file, pullRequest, pullRequestEvent } from "../helpers/github.js";
import { traceRecord } from "../support/agent-trace.js";

const TRACE = traceRecord({ revision: "f".repeat(40) });

const PARSER_PATCH = `@@ -0,0 +1,40 @@\n${Array.from({ length: 40 }, (_, i) => `+export const line${i + 1} = ${i + 1};`).join("\n")}`;

const NOTE = `src/parser.ts
  s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-10
---
{"schema_version":"authorship/3.0.0","base_commit_sha":"${"1".repeat(40)}","prompts":{},"sessions":{"s_c9883b05a2487d":{"agent_id":{"tool":"claude","id":"abc","model":"claude-sonnet-4-5"}}}}`;

describe("provenance records in a pull request", () => {
  it("an Agent Trace record the PR adds gates it, and the summary gives the AI share, tool and model in one line", async () => {
    const app = createTestApp();
    const files = [
      file("src/parser.ts", { status: "added", additions: 40, deletions: 0, patch: PARSER_PATCH }),
      file(".agent-trace/traces.jsonl", { status: "added", additions: 1, deletions: 0, patch: `@@ -0,0 +1 @@\n+${TRACE}` }),
    ];
    const gh = new FakeGitHub().evaluating(pullRequest({ additions: 41, deletions: 0, changedFiles: 2 }), { files });
    gh.fileAt(".agent-trace/traces.jsonl", `${TRACE}\n`);
    gh.labelExists("ai-assisted").labelExists("risk:low").addLabels().expectCheckRun();
    await app.receive("pull_request", pullRequestEvent("opened", pullRequest()));

    const check = gh.lastCheck;
    expect(check.status).toBe("in_progress");
    expect(check.output.summary).toContain("Agent Trace record attributes lines of the PR to AI");
    expect(check.output.summary).toContain(
      "- 75% of added lines attributed to AI (Agent Trace: cursor, anthropic/claude-opus-4-5-20251101)",
    );
    expect(gh.labelsAdded).toEqual([["ai-assisted", "risk:low"]]);
  });

  it("a malformed Agent Trace record the PR adds never fails the evaluation, nor clears the PR: the summary names it", async () => {
    const app = createTestApp();
    const files = [
      file("src/app.ts"),
      file(".agent-trace/traces.jsonl", { status: "added", additions: 1, deletions: 0, patch: "@@ -0,0 +1 @@\n+{oops" }),
    ];
    const gh = new FakeGitHub().evaluating(pullRequest(), { files });
    gh.fileAt(".agent-trace/traces.jsonl", "{oops\n");
    gh.labelExists("ai-assisted").labelExists("risk:low").addLabels().expectCheckRun();
    await app.receive("pull_request", pullRequestEvent("opened", pullRequest()));

    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.output.summary).toContain(
      "⚠️ Agent Trace record added at .agent-trace/traces.jsonl line 1 could not be read (not valid JSON); the PR is treated as AI-assisted",
    );
  });

  it("a Git AI note on the PR's commit is read through the Git database API (ref, commit, tree, blob) and gates the PR", async () => {
    const app = createTestApp();
    const files = [file("src/parser.ts", { status: "added", additions: 40, deletions: 0, patch: PARSER_PATCH })];
    const gh = new FakeGitHub().evaluating(pullRequest({ additions: 40, deletions: 0 }), { files, commits: [commit({ sha: HEAD })] });
    gh.gitAiNotes({ [HEAD]: NOTE });
    gh.labelExists("ai-assisted").labelExists("risk:low").addLabels().expectCheckRun();
    await app.receive("pull_request", pullRequestEvent("opened", pullRequest()));

    const summary = gh.lastCheck.output.summary;
    expect(gh.lastCheck.status).toBe("in_progress");
    expect(summary).toContain(
      "Git AI authorship note attributes lines of a commit to AI: `claude, claude-sonnet-4-5: 10 lines in src/parser.ts`",
    );
    expect(summary).toContain("- 25% of added lines attributed to AI (Git AI: claude, claude-sonnet-4-5)");
  });

  it("an ordinary PR reads no provenance: only the once-per-repository look for refs/notes/ai, then nothing", async () => {
    const app = createTestApp();
    const first = new FakeGitHub().token().noGitAiNotes().pull(pullRequest()).noPolicy().existingChecks().labelEvents();
    first.labelExists("risk:low").addLabels().expectCheckRun();
    await app.receive("pull_request", pullRequestEvent("opened", pullRequest()));
    expect(first.lastCheck.output.summary).not.toContain("attributed to AI");

    // A second evaluation: the repository's lack of notes is remembered; any notes read would be unmatched.
    const second = new FakeGitHub()
      .pull(pullRequest({ labels: ["risk:low"] }))
      .noPolicy()
      .existingChecks()
      .labelEvents();
    second.expectCheckRun();
    const gitReads = second.gitReadsForbidden();
    await app.receive("pull_request", pullRequestEvent("synchronize", pullRequest({ labels: ["risk:low"] })));
    expect(second.lastCheck.output.summary).not.toContain("refs/notes/ai");
    expect(gitReads).toEqual([]);
  });
});
