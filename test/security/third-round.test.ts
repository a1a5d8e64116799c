// The third round of attacks on the gate (issue #19): each test is named after the attack, plays it
// through `probot.receive` against the shared GitHub model, and fails with the protection it names removed.
import { describe, expect, it } from "vitest";
import { FakeGitHub, HEAD, commit, createTestApp, file, issueCommentEvent, pullRequest, pullRequestEvent } from "../helpers/github.js";
import { ALICE, CAROL, OWNER, type SimUser } from "../support/github/constants.js";
import type { TeamMembership } from "../support/github/model.js";
import { CLAUDE_MESSAGE, GitHubSession, blocks, newSha, passes, simCommit, simFile } from "../support/github/session.js";

const SENIORS = "signoff:\n  reviewers: ['@acme/seniors']\n";
/** A Git AI authorship note that attributes 10 lines of src/parser.ts to Claude. */
const NOTE = `src/parser.ts
  s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-10
---
{"schema_version":"authorship/3.0.0","base_commit_sha":"${"1".repeat(40)}","prompts":{},"sessions":{"s_c9883b05a2487d":{"agent_id":{"tool":"claude","id":"abc","model":"claude-sonnet-4-5"}}}}`;

/** An AI-assisted PR #7 by alice (a Claude co-author trailer), the seniors policy, and a fresh app. */
function world(o: { policy?: string; seniors?: Record<string, TeamMembership>; author?: SimUser } = {}) {
  const gh = new GitHubSession({ policy: o.policy ?? SENIORS }).install();
  gh.model.setTeam(OWNER, "seniors", o.seniors ?? { carol: "active", dave: "active" });
  const author = o.author ?? ALICE;
  const pull = gh.addPull({ author: author.login, commits: [simCommit({ message: CLAUDE_MESSAGE, author })] });
  const app = createTestApp();
  return { gh, app, pull };
}

async function evaluate(app: ReturnType<typeof createTestApp>, gh: GitHubSession, action = "synchronize", number = 7) {
  await app.receive("pull_request", gh.pullEvent(action, number));
}

describe("overrides that are not plain text", () => {
  const OVERRIDE = `${SENIORS}override:\n  by: ['@acme/incident-commanders']\n`;

  it("an override shown in an indented code block (4 spaces) is documentation, not an override", async () => {
    const { gh, app } = world({ policy: OVERRIDE });
    gh.model.setTeam(OWNER, "incident-commanders", { carol: "active" });
    await evaluate(app, gh);
    await app.receive(
      "issue_comment",
      issueCommentEvent("If this blocks you, an IC can run:\n\n    /countersign override <reason>\n", { login: "carol", userId: 3 }),
    );
    expect(blocks(gh.check())).toBe(true);
    expect(gh.check()?.output.title).not.toContain("Overridden");

    // The same person writing it as plain text does override: the test above blocks for the right reason.
    await app.receive("issue_comment", issueCommentEvent("/countersign override INC-7", { login: "carol", userId: 3 }));
    expect(passes(gh.check())).toBe(true);
  });
});

describe("policy that is silently off", () => {
  const CRITICAL_TWO = "signoff:\n  reviewers: ['@acme/seniors']\n  tiers:\n    critical: { approvals: 2 }\n";

  /** An AI-assisted PR changing `file`, approved by one senior, evaluated under `policy`. */
  async function approvedAiChange(policy: string, file: ReturnType<typeof simFile>): Promise<GitHubSession> {
    const gh = new GitHubSession({ policy }).install();
    gh.model.setTeam(OWNER, "seniors", { carol: "active", dave: "active" });
    gh.addPull({ files: [file], commits: [simCommit({ message: CLAUDE_MESSAGE })] });
    const app = createTestApp();
    gh.review(7, CAROL, "APPROVED");
    await evaluate(app, gh);
    return gh;
  }

  it.each([["/infra/prod/**"], ["infra/prod/"], ["/infra/prod/"]])(
    "a critical rule written the CODEOWNERS way (%s) still makes a production change critical",
    async (glob) => {
      const policy = `${CRITICAL_TWO}risk:\n  rules:\n    - { tier: critical, paths: ["${glob}"], reason: "production infrastructure" }\n`;
      const gh = await approvedAiChange(policy, simFile("infra/prod/main.tf"));

      expect(blocks(gh.check())).toBe(true);
      expect(gh.check()?.output.summary).toContain("#### Risk: critical");
      expect(gh.check()?.output.summary).toContain("production infrastructure");
    },
  );

  it("a glob that cannot be read fails the check with the problem, instead of matching nothing", async () => {
    const policy = `${CRITICAL_TWO}risk:\n  rules:\n    - { tier: critical, paths: ["infra/{prod"] }\n`;
    const gh = await approvedAiChange(policy, simFile("infra/prod/main.tf"));

    expect(blocks(gh.check())).toBe(true);
    expect(`${gh.check()?.output.title} ${gh.check()?.output.summary}`).toContain("cannot be read as a glob");
  });

  it("the README's own content rule (DROP TABLE) catches `drop table` written in lower case", async () => {
    const policy = `${CRITICAL_TWO}risk:\n  rules:\n    - { tier: critical, content: ["DROP TABLE", "force_destroy\\\\s*=\\\\s*true"] }\n`;
    const gh = await approvedAiChange(policy, simFile("db/migrate.sql", { patch: "@@ -1 +1,2 @@\n SELECT 1;\n+drop table users;" }));

    expect(blocks(gh.check())).toBe(true);
    expect(gh.check()?.output.summary).toContain("#### Risk: critical");
  });

  it("a content rule with RE2's (?i) flag is accepted, not refused as invalid", async () => {
    const policy = `${CRITICAL_TWO}risk:\n  rules:\n    - { tier: critical, content: ["(?i)truncate\\\\s+table"] }\n`;
    const gh = await approvedAiChange(policy, simFile("db/migrate.sql", { patch: "@@ -1 +1,2 @@\n SELECT 1;\n+TRUNCATE TABLE users;" }));

    expect(gh.check()?.output.summary).toContain("#### Risk: critical");
  });
});

describe("a senior hidden among many co-authors", () => {
  it.each([
    ["the 24th co-author (beyond GitHub's first 20)", 24],
    ["the 130th co-author (beyond a first page of 100)", 130],
  ])("a senior who is %s of a squash commit cannot sign it off", async (_what, position) => {
    const { gh, app } = world();
    const trailers = Array.from({ length: position }, (_, i) => {
      const email = i === position - 1 ? "sam@acme.example" : `dev${i}@acme.example`;
      return `Co-authored-by: Dev ${i} <${email}>`;
    });
    gh.model.emailAccounts.set("sam@acme.example", CAROL.login);
    gh.push(7, { message: `Squash of the feature\n\n${trailers.join("\n")}` });
    gh.review(7, CAROL, "APPROVED");
    await app.receive("pull_request_review", gh.reviewEvent("submitted", {}, 7));

    expect(blocks(gh.check())).toBe(true);
    expect(gh.check()?.output.summary).toMatch(/\| @carol \| approved on \w+ \| no \| is a co-author of a commit of this PR/);
  });
});

describe("outcomes that would go unrecorded after the merge", () => {
  const ADMIN: SimUser = { login: "admin-ann", id: 42, type: "User" };
  const BYPASSED = "countersign:bypassed";

  /** An admin merges PR `number` as it is now (no event for anything that happened since the app last looked). */
  function merge(gh: GitHubSession, number = 7): Record<string, unknown> {
    const pull = gh.pull(number);
    Object.assign(pull, { state: "closed", merged: true, mergedAt: gh.model.now(), mergeCommitSha: newSha() });
    const event = gh.pullEvent("closed", number);
    const pr = event.pull_request as Record<string, unknown>;
    return { ...event, pull_request: { ...pr, merged_by: { ...ADMIN, type: "User" } }, sender: { ...ADMIN, type: "User" } };
  }

  async function metricLine(app: ReturnType<typeof createTestApp>, prefix: string): Promise<string[]> {
    return (await app.services.metrics.render()).body.split("\n").filter((l) => l.startsWith(prefix) && !l.endsWith(" 0"));
  }

  function recordedBypass(gh: GitHubSession, number = 7): boolean {
    const pull = gh.pull(number);
    return pull.labels.includes(BYPASSED) && (pull.comments ?? []).some((c) => c.body.includes("<!-- countersign:bypassed -->"));
  }

  it("a Copilot PR merged by an admin while the app was down is recorded as a bypass", async () => {
    const gh = new GitHubSession({ policy: SENIORS }).install();
    gh.model.setTeam(OWNER, "seniors", { carol: "active" });
    const copilot: SimUser = { login: "Copilot", id: 198982749, type: "Bot" };
    gh.model.users.set("copilot", copilot);
    gh.addPull({ author: "Copilot", headRef: "copilot/fix-checkout", commits: [simCommit({ author: copilot })] });
    const app = createTestApp(); // the app never saw the PR: no check, no label

    await app.receive("pull_request", merge(gh));

    expect(recordedBypass(gh)).toBe(true);
    expect(gh.comments.at(-1)?.body).toContain("none ran on the merged head");
    expect(await metricLine(app, "countersign_bypassed_merges_total{")).toHaveLength(1);
    expect((await metricLine(app, "countersign_bypassed_merges_total{"))[0]).toMatch(/ 1$/);
  });

  it("an AI push merged before the app evaluated it is recorded as a bypass", async () => {
    const gh = new GitHubSession({ policy: SENIORS }).install();
    gh.model.setTeam(OWNER, "seniors", { carol: "active" });
    gh.addPull({ commits: [simCommit({ message: "Tidy the checkout" })] });
    const app = createTestApp();
    await evaluate(app, gh);
    expect(passes(gh.check())).toBe(true); // a human change: not gated

    gh.push(7, { message: CLAUDE_MESSAGE }); // merged before the synchronize event is handled
    await app.receive("pull_request", merge(gh));

    expect(recordedBypass(gh)).toBe(true);
    expect(gh.comments.at(-1)?.body).toContain("AI-assisted");
  });

  it("retargeting to an ungated base (check goes green), back to main, then merging is recorded as a bypass", async () => {
    const policy = `${SENIORS}branches: [main]\n`;
    const { gh, app } = world({ policy });
    await evaluate(app, gh, "opened");
    expect(blocks(gh.check())).toBe(true);

    gh.pull().baseRef = "feat/a";
    await evaluate(app, gh, "edited");
    expect(passes(gh.check())).toBe(true); // not gated on feat/a

    gh.pull().baseRef = "main"; // back to main and merged before the app sees the edit
    await app.receive("pull_request", merge(gh));

    expect(recordedBypass(gh)).toBe(true);
    expect(gh.comments.at(-1)?.body).toContain("written while the PR was not gated");
  });

  it("removing the bypass label and redelivering the closed event does not count the bypass twice", async () => {
    const { gh, app } = world();
    await evaluate(app, gh);
    const event = merge(gh);
    await app.receive("pull_request", event);
    expect(recordedBypass(gh)).toBe(true);

    gh.pull().labels = gh.pull().labels.filter((l) => l !== BYPASSED);
    await app.receive("pull_request", event); // the same delivery again

    expect(await metricLine(app, "countersign_bypassed_merges_total{")).toEqual(['countersign_bypassed_merges_total{tier="low"} 1']);
    expect(gh.pull().comments?.filter((c) => c.body.includes("<!-- countersign:bypassed -->"))).toHaveLength(1);
  });

  it("the author adding countersign:bypassed before the admin merge suppresses nothing", async () => {
    const { gh, app } = world();
    await evaluate(app, gh);
    gh.pull().labels.push(BYPASSED); // put on by the author beforehand

    await app.receive("pull_request", merge(gh));

    expect(recordedBypass(gh)).toBe(true);
    expect(gh.comments.at(-1)?.body).toContain("@admin-ann merged this pull request");
    expect(await metricLine(app, "countersign_bypassed_merges_total{")).toEqual(['countersign_bypassed_merges_total{tier="low"} 1']);
  });

  it("a hand-made revert that says so only in its commit (This reverts commit <sha>) is counted", async () => {
    const gh = new GitHubSession({ policy: SENIORS }).install();
    gh.model.setTeam(OWNER, "seniors", { carol: "active" });
    const original = gh.addPull({ number: 5, labels: ["ai-assisted", "risk:high"], commits: [simCommit({ message: CLAUDE_MESSAGE })] });
    Object.assign(original, { state: "closed", merged: true, mergedAt: "2026-11-20T09:00:00Z", mergeCommitSha: original.headSha });
    gh.addPull({
      number: 8,
      headRef: "fix/checkout",
      title: "Fix checkout timeouts",
      body: "The retry made it worse.",
      commits: [simCommit({ message: `Undo the retry\n\nThis reverts commit ${original.headSha}.` })],
    });
    const app = createTestApp();

    await app.receive("pull_request", merge(gh, 8));

    expect(await metricLine(app, "countersign_reverts_total{")).toEqual(['countersign_reverts_total{ai_assisted="true",tier="high"} 1']);
  });
});

describe("an approval carried to another change", () => {
  it("same-diff: removing the identical lines (same context) from another handler after the approval is a new change", async () => {
    const policy = "signoff:\n  reviewers: ['@acme/seniors']\n  fresh_approval: same-diff\n";
    const removal = (line: number) =>
      `@@ -${line},7 +${line},4 @@ export function handler()\n   const user = await load(id);\n   if (!user) return notFound();\n   audit(user);\n-  if (!user.isAdmin) {\n-    return forbidden();\n-  }\n   return run(user);`;
    const gh = new GitHubSession({ policy }).install();
    gh.model.setTeam(OWNER, "seniors", { carol: "active" });
    gh.addPull({
      files: [simFile("src/handlers.ts", { patch: removal(12), additions: 0, deletions: 3 })],
      commits: [simCommit({ message: CLAUDE_MESSAGE })],
    });
    const app = createTestApp();
    gh.review(7, CAROL, "APPROVED");
    await evaluate(app, gh);
    expect(passes(gh.check())).toBe(true);

    // A force-push removes the same lines, with the same context, from another handler of the file instead.
    gh.model.pushHead(OWNER, "shop", 7, {
      ...simCommit({ message: CLAUDE_MESSAGE }),
      force: true,
      files: [simFile("src/handlers.ts", { patch: removal(88), additions: 0, deletions: 3 })],
    });
    await evaluate(app, gh);

    expect(blocks(gh.check())).toBe(true);
    expect(gh.check()?.output.summary).toContain("is now at another place in the file than the one approved");
  });
});

describe("provenance that is ignored instead of read", () => {
  const AI_RECORD = (metadata: unknown = {}) =>
    `{"version":"0.1.0","id":"7d3f-ai","timestamp":"2026-11-20T10:00:00Z","tool":{"name":"cursor"},"metadata":${typeof metadata === "string" ? metadata : JSON.stringify(metadata)},"files":[{"path":"src/app.ts","conversations":[{"contributor":{"type":"ai","model_id":"anthropic/claude-opus-4-5"},"ranges":[{"start_line":1,"end_line":3}]}]}]}`;
  const HUMAN_RECORD = (i: number) =>
    `{"version":"0.1.0","id":"h-${i}","timestamp":"2026-01-01T00:00:00Z","files":[{"path":"docs/x.md","conversations":[{"contributor":{"type":"human"},"ranges":[{"start_line":1,"end_line":1}]}]}]}`;

  it("an AI record appended to an Agent Trace log larger than 2 MB is read from the PR's patch and gates it", async () => {
    const app = createTestApp();
    const log = Array.from({ length: 12_000 }, (_, i) => HUMAN_RECORD(i)).join("\n");
    expect(log.length).toBeGreaterThan(2 * 1024 * 1024);
    const files = [
      file("src/app.ts"),
      file(".agent-trace/traces.jsonl", { additions: 1, deletions: 0, patch: `@@ -12000,0 +12001 @@\n+${AI_RECORD()}` }),
    ];
    const gh = new FakeGitHub().evaluating(pullRequest(), { files });
    gh.fileAt(".agent-trace/traces.jsonl", `${log}\n${AI_RECORD()}\n`);
    gh.labelExists("ai-assisted").labelExists("risk:low").addLabels().expectCheckRun();
    await app.receive("pull_request", pullRequestEvent("opened", pullRequest()));

    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.output.summary).toContain("Agent Trace record attributes lines of the PR to AI");
  });

  it("an AI record with deeply nested metadata (JSON.stringify throws) still gates the PR", async () => {
    const app = createTestApp();
    const deep = `${'{"x":'.repeat(20_000)}1${"}".repeat(20_000)}`;
    // A pretty-printed document (one record over two lines): no line of it is JSON on its own.
    const record = AI_RECORD(deep).replace(',"files":', ',\n"files":');
    const files = [
      file("src/app.ts"),
      file(".agent-trace/traces.json", {
        status: "added",
        additions: 4,
        deletions: 0,
        patch: `@@ -0,0 +1,4 @@\n+[\n+${record.replace("\n", "\n+")}\n+]`,
      }),
    ];
    const gh = new FakeGitHub().evaluating(pullRequest(), { files });
    gh.fileAt(".agent-trace/traces.json", `[\n${record}\n]\n`);
    gh.labelExists("ai-assisted").labelExists("risk:low").addLabels().expectCheckRun();
    await app.receive("pull_request", pullRequestEvent("opened", pullRequest()));

    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.output.summary).toContain("Agent Trace record attributes lines of the PR to AI");
  });

  it("a malformed record the PR adds does not pass as human: the PR is gated and the summary names the record", async () => {
    const app = createTestApp();
    const files = [
      file("src/app.ts"),
      file(".agent-trace/traces.jsonl", {
        additions: 1,
        deletions: 0,
        patch: `@@ -3,0 +4 @@\n+{"version":"0.1.0","files":[{"contributor":`,
      }),
    ];
    const gh = new FakeGitHub().evaluating(pullRequest(), { files });
    gh.fileAt(
      ".agent-trace/traces.jsonl",
      `${HUMAN_RECORD(1)}\n${HUMAN_RECORD(2)}\n${HUMAN_RECORD(3)}\n{"version":"0.1.0","files":[{"contributor":\n`,
    );
    gh.labelExists("ai-assisted").labelExists("risk:low").addLabels().expectCheckRun();
    await app.receive("pull_request", pullRequestEvent("opened", pullRequest()));

    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.output.summary).toContain(".agent-trace/traces.jsonl line 4 could not be read");
  });

  it("a Git AI notes tree whose recursive listing GitHub truncates: the commit's note is read by its exact path", async () => {
    const app = createTestApp();
    const notesCommit = "c".repeat(40);
    const tree = "d".repeat(40);
    const gh = new FakeGitHub().evaluating(pullRequest(), { commits: [commit({ sha: HEAD })] });
    // 100,000 other notes: the recursive listing stops before the PR's commit.
    gh.gitAiNotes({ [HEAD]: NOTE }, { notesCommit, tree, truncated: true });
    gh.api.get(`/repos/${OWNER}/shop/contents/${HEAD}`).query({ ref: notesCommit }).reply(404, { message: "Not Found" });
    gh.api
      .get(`/repos/${OWNER}/shop/contents/${encodeURIComponent(`${HEAD.slice(0, 2)}/${HEAD.slice(2)}`)}`)
      .query({ ref: notesCommit })
      .reply(200, NOTE, { "content-type": "application/vnd.github.v3.raw; charset=utf-8" });
    gh.labelExists("ai-assisted").labelExists("risk:low").addLabels().expectCheckRun();
    await app.receive("pull_request", pullRequestEvent("opened", pullRequest()));

    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.output.summary).toContain("Git AI authorship note attributes lines of a commit to AI");
  });

  it("a notes ref created after the first evaluation is read on /countersign recheck", async () => {
    const app = createTestApp();
    const first = new FakeGitHub()
      .noGitAiNotes()
      .evaluating(pullRequest(), { commits: [commit({ sha: HEAD })] })
      .labelEvents();
    first.labelExists("risk:low").addLabels().expectCheckRun();
    await app.receive("pull_request", pullRequestEvent("opened", pullRequest()));
    expect(first.lastCheck.conclusion).toBe("success");

    // The author pushes refs/notes/ai (no webhook says so) and asks for a recheck.
    const again = new FakeGitHub()
      .pull(pullRequest(), { commits: [commit({ sha: HEAD })] })
      .noPolicy()
      .existingChecks();
    again.gitAiNotes({ [HEAD]: NOTE });
    again.labelEvents().labelExists("ai-assisted").addLabels().expectCheckRun().expectReaction(5150);
    await app.receive("issue_comment", issueCommentEvent("/countersign recheck", { login: "bob", userId: 2 }));

    expect(again.lastCheck.status).toBe("in_progress");
    expect(again.lastCheck.output.summary).toContain("Git AI authorship note attributes lines of a commit to AI");
  });
});

describe("AI code arriving sideways", () => {
  const GATED_MAIN = `${SENIORS}branches: [main]\n`;

  it.each([
    ["a squash commit", (n: number) => `Add retry to checkout (#${n})`],
    ["GitHub's merge commit", (n: number) => `Merge pull request #${n} from acme/claude/retry\n\nAdd retry to checkout`],
  ])("stacked branches: an AI PR merged into feat/a (outside branches) by %s still gates feat/a → main", async (_how, message) => {
    const gh = new GitHubSession({ policy: GATED_MAIN }).install();
    gh.model.setTeam(OWNER, "seniors", { carol: "active" });
    // #3: labelled ai-assisted, merged into feat/a with a clean message (the trailers edited out).
    const ai = gh.addPull({
      number: 3,
      baseRef: "feat/a",
      headRef: "claude/retry",
      labels: ["ai-assisted"],
      commits: [simCommit({ message: CLAUDE_MESSAGE })],
    });
    const merged = simCommit({ message: message(3) });
    Object.assign(ai, { state: "closed", merged: true, mergedAt: "2026-11-20T09:00:00Z", mergeCommitSha: merged.sha });
    // #7: feat/a → main, whose commits include that merge and a human commit.
    gh.addPull({ number: 7, headRef: "feat/a", baseRef: "main", commits: [merged, simCommit({ message: "Wire the retry into the UI" })] });
    const app = createTestApp();
    await evaluate(app, gh, "opened");

    expect(blocks(gh.check())).toBe(true);
    expect(gh.check()?.output.summary).toContain("carries #3 (ai-assisted)");
  });

  it("a commit that merely mentions (#3) in its title carries nothing (GitHub says which PR a commit merged)", async () => {
    const gh = new GitHubSession({ policy: GATED_MAIN }).install();
    gh.model.setTeam(OWNER, "seniors", { carol: "active" });
    const ai = gh.addPull({ number: 3, baseRef: "feat/a", labels: ["ai-assisted"], commits: [simCommit({ message: CLAUDE_MESSAGE })] });
    Object.assign(ai, { state: "closed", merged: true, mergedAt: "2026-11-20T09:00:00Z", mergeCommitSha: newSha() });
    gh.addPull({ number: 7, commits: [simCommit({ message: "Follow up on the retry (#3)" })] });
    const app = createTestApp();
    await evaluate(app, gh, "opened");

    expect(passes(gh.check())).toBe(true);
  });

  it("a revert of a revert re-lands bypass-merged AI code: it carries the original PR's AI evidence", async () => {
    const gh = new GitHubSession({ policy: SENIORS }).install();
    gh.model.setTeam(OWNER, "seniors", { carol: "active" });
    const original = gh.addPull({
      number: 3,
      headRef: "copilot/cache",
      labels: ["ai-assisted", "countersign:bypassed"],
      commits: [simCommit({ message: CLAUDE_MESSAGE })],
    });
    Object.assign(original, { state: "closed", merged: true, mergedAt: "2026-11-19T09:00:00Z", mergeCommitSha: newSha() });
    // #4 reverted it (GitHub's Revert button); #7 reverts #4 by hand, its commit naming #4's merge commit.
    const revert = gh.addPull({
      number: 4,
      headRef: "revert-3",
      title: 'Revert "Add cache"',
      body: "Reverts acme/shop#3",
      commits: [simCommit({ message: 'Revert "Add cache"' })],
    });
    Object.assign(revert, { state: "closed", merged: true, mergedAt: "2026-11-20T09:00:00Z", mergeCommitSha: newSha() });
    gh.addPull({
      number: 7,
      title: "Bring the cache back",
      body: "It was fine after all.",
      commits: [simCommit({ message: `Bring the cache back\n\nThis reverts commit ${revert.mergeCommitSha}.` })],
    });
    const app = createTestApp();
    await evaluate(app, gh, "opened");

    expect(blocks(gh.check())).toBe(true);
    expect(gh.check()?.output.summary).toContain("carries #3 (ai-assisted), re-landed by a revert of its revert #4");
  });
});
