// The third round of attacks on the gate (issue #19): each test is named after the attack, plays it
// through `probot.receive` against the shared GitHub model, and fails with the protection it names removed.
import { describe, expect, it } from "vitest";
import { createTestApp, issueCommentEvent } from "../helpers/github.js";
import { ALICE, CAROL, OWNER, type SimUser } from "../support/github/constants.js";
import type { TeamMembership } from "../support/github/model.js";
import { CLAUDE_MESSAGE, GitHubSession, blocks, newSha, passes, simCommit, simFile } from "../support/github/session.js";

const SENIORS = "signoff:\n  reviewers: ['@acme/seniors']\n";

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

  it.each([["/infra/prod/**"], ["infra/prod/"], ["/infra/prod/"]])(
    "a critical rule written the CODEOWNERS way (%s) still makes a production change critical",
    async (glob) => {
      const policy = `${CRITICAL_TWO}risk:\n  rules:\n    - { tier: critical, paths: ["${glob}"], reason: "production infrastructure" }\n`;
      const gh = new GitHubSession({ policy }).install();
      gh.model.setTeam(OWNER, "seniors", { carol: "active", dave: "active" });
      gh.addPull({ files: [simFile("infra/prod/main.tf")], commits: [simCommit({ message: CLAUDE_MESSAGE })] });
      const app = createTestApp();
      gh.review(7, CAROL, "APPROVED");
      await evaluate(app, gh);

      expect(blocks(gh.check())).toBe(true);
      expect(gh.check()?.output.summary).toContain("#### Risk: critical");
      expect(gh.check()?.output.summary).toContain("production infrastructure");
    },
  );

  it("a glob that cannot be read fails the check with the problem, instead of matching nothing", async () => {
    const policy = `${CRITICAL_TWO}risk:\n  rules:\n    - { tier: critical, paths: ["infra/{prod"] }\n`;
    const gh = new GitHubSession({ policy }).install();
    gh.model.setTeam(OWNER, "seniors", { carol: "active", dave: "active" });
    gh.addPull({ files: [simFile("infra/prod/main.tf")], commits: [simCommit({ message: CLAUDE_MESSAGE })] });
    const app = createTestApp();
    gh.review(7, CAROL, "APPROVED");
    await evaluate(app, gh);

    expect(blocks(gh.check())).toBe(true);
    expect(`${gh.check()?.output.title} ${gh.check()?.output.summary}`).toContain("cannot be read as a glob");
  });

  it("the README's own content rule (DROP TABLE) catches `drop table` written in lower case", async () => {
    const policy = `${CRITICAL_TWO}risk:\n  rules:\n    - { tier: critical, content: ["DROP TABLE", "force_destroy\\\\s*=\\\\s*true"] }\n`;
    const gh = new GitHubSession({ policy }).install();
    gh.model.setTeam(OWNER, "seniors", { carol: "active", dave: "active" });
    gh.addPull({
      files: [simFile("db/migrate.sql", { patch: "@@ -1 +1,2 @@\n SELECT 1;\n+drop table users;" })],
      commits: [simCommit({ message: CLAUDE_MESSAGE })],
    });
    const app = createTestApp();
    gh.review(7, CAROL, "APPROVED");
    await evaluate(app, gh);

    expect(blocks(gh.check())).toBe(true);
    expect(gh.check()?.output.summary).toContain("#### Risk: critical");
  });

  it("a content rule with RE2's (?i) flag is accepted, not refused as invalid", async () => {
    const policy = `${CRITICAL_TWO}risk:\n  rules:\n    - { tier: critical, content: ["(?i)truncate\\\\s+table"] }\n`;
    const gh = new GitHubSession({ policy }).install();
    gh.model.setTeam(OWNER, "seniors", { carol: "active", dave: "active" });
    gh.addPull({
      files: [simFile("db/migrate.sql", { patch: "@@ -1 +1,2 @@\n SELECT 1;\n+TRUNCATE TABLE users;" })],
      commits: [simCommit({ message: CLAUDE_MESSAGE })],
    });
    const app = createTestApp();
    gh.review(7, CAROL, "APPROVED");
    await evaluate(app, gh);

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
