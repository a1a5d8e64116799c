// The third round of attacks on the gate (issue #19): each test is named after the attack, plays it
// through `probot.receive` against the shared GitHub model, and fails with the protection it names removed.
import { describe, expect, it } from "vitest";
import { createTestApp, issueCommentEvent } from "../helpers/github.js";
import { ALICE, CAROL, OWNER, type SimUser } from "../support/github/constants.js";
import type { TeamMembership } from "../support/github/model.js";
import { CLAUDE_MESSAGE, GitHubSession, blocks, passes, simCommit, simFile } from "../support/github/session.js";

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
