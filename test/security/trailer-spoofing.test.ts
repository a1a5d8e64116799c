// Attack 6 of issue 9: an AI co-author trailer written so that git accepts it but a naive parser
// does not ("Co-Authored-By : Claude <…>", folded lines). Trailers are parsed with git's syntax
// (git interpret-trailers), so the PR stays gated; each test fails if that parsing is removed.
import { describe, expect, it } from "vitest";
import { createTestApp } from "../helpers/github.js";
import { ALICE } from "../support/github/constants.js";
import { GitHubSession, blocks, passes, simCommit } from "../support/github/session.js";

const SENIORS = "signoff:\n  reviewers: ['@acme/seniors']\n";

function world(message: string) {
  const gh = new GitHubSession({ policy: SENIORS }).install();
  gh.model.setTeam("acme", "seniors", { carol: "active" });
  const pull = gh.addPull({ author: ALICE.login, commits: [simCommit({ message, author: ALICE })] });
  return { gh, app: createTestApp(), pull };
}

describe("AI co-author trailers spelled the way git allows", () => {
  it.each([
    [
      "a blank before the colon",
      "Add retry\n\nCo-Authored-By : Claude <noreply@anthropic.com>",
      "Co-Authored-By : Claude <noreply@anthropic.com>",
    ],
    [
      "a tab before the colon",
      "Add retry\n\nCo-authored-by\t: Claude <noreply@anthropic.com>",
      "Co-authored-by\t: Claude <noreply@anthropic.com>",
    ],
    [
      "the email folded onto a continuation line",
      "Add retry\n\nCo-authored-by: Claude\n  <noreply@anthropic.com>",
      "Co-authored-by: Claude <noreply@anthropic.com>",
    ],
  ])("%s: the PR is gated and the check waits for a senior", async (_how, message, evidence) => {
    const { gh, app, pull } = world(message);
    await app.receive("pull_request", gh.pullEvent("synchronize"));

    const check = gh.check();
    expect(blocks(check)).toBe(true);
    expect(check?.head_sha).toBe(pull.headSha);
    expect(check?.output.summary).toContain("Commit co-authored by an AI assistant");
    expect(check?.output.summary).toContain(evidence);
    // Exactly one check-run write for the head, and no request the fake does not know.
    expect(gh.writes.filter((w) => w.includes("/check-runs"))).toHaveLength(1);
    expect(gh.unknownRequests).toEqual([]);
  });

  it("the same message with a human co-author passes ungated (no false alarm)", async () => {
    const { gh, app } = world("Add retry\n\nCo-Authored-By : Sam <sam@example.com>");
    await app.receive("pull_request", gh.pullEvent("synchronize"));

    expect(passes(gh.check())).toBe(true);
    expect(gh.check()?.output.summary).toContain("No evidence of AI assistance found.");
  });
});
