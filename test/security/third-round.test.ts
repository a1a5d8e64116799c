// The third round of attacks on the gate (issue #19): each test is named after the attack, plays it
// through `probot.receive` against the shared GitHub model, and fails with the protection it names removed.
import { describe, expect, it } from "vitest";
import { createTestApp, issueCommentEvent } from "../helpers/github.js";
import { ALICE, CAROL, OWNER, type SimUser } from "../support/github/constants.js";
import type { TeamMembership } from "../support/github/model.js";
import { CLAUDE_MESSAGE, GitHubSession, blocks, passes, simCommit } from "../support/github/session.js";

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
