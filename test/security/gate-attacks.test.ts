// The attacks of issue #9 that got through, each played against the stateful fake GitHub through
// probot.receive, with the GitHub calls that matter asserted. Each test fails if the protection it
// names is removed.
import { describe, expect, it } from "vitest";
import { createTestApp, example, issueCommentEvent } from "../helpers/github.js";
import { validatePolicyText } from "../../src/policy/validate.js";
import { ALICE, CAROL, CLAUDE_MESSAGE, GitHubState, blocks, passes, simCommit } from "./github-state.js";

const SENIORS = "signoff:\n  reviewers: ['@acme/seniors']\n  request_reviews: false\n";

function world(o: { policy?: string } = {}) {
  const gh = new GitHubState().install();
  gh.repoPolicy = o.policy ?? SENIORS;
  gh.team("acme/seniors", { carol: "active", dave: "active" });
  const pull = gh.addPull({ author: ALICE });
  pull.commits = [simCommit({ sha: pull.headSha, message: CLAUDE_MESSAGE })];
  return { gh, app: createTestApp(), pull };
}

const calls = (gh: GitHubState) => gh.requests.filter((r) => !r.path.endsWith("/access_tokens")).map((r) => `${r.method} ${r.path}`);

describe("events GitHub really sends that name nothing to gate", () => {
  it("an event for a pull request that 404s writes nothing and does not fail the delivery", async () => {
    const { gh, app } = world();
    const payload = gh.pullEvent("synchronize");
    gh.pulls.delete(7);

    await app.receive("pull_request", payload);

    expect(gh.writes.filter((w) => !w.endsWith("/access_tokens"))).toEqual([]);
    expect(gh.checkRuns).toHaveLength(0);
    expect(calls(gh)).toContain("GET /repos/acme/shop/pulls/7");
  });

  it.each([
    ["merge_group without head_sha", "merge_group", () => {
      const p = example("merge_group", "checks_requested");
      delete (p.merge_group as Record<string, unknown>).head_sha;
      return p;
    }],
    ["pull_request without its head", "pull_request", (gh: GitHubState) => {
      const p = gh.pullEvent("synchronize");
      delete (p.pull_request as Record<string, unknown>).head;
      return p;
    }],
    ["issue_comment without its user", "issue_comment", () => {
      const p = issueCommentEvent("/countersign override hotfix");
      delete (p.comment as Record<string, unknown>).user;
      return p;
    }],
    ["check_run.rerequested without head_sha", "check_run", () => {
      const p = example("check_run", "rerequested");
      delete (p.check_run as Record<string, unknown>).head_sha;
      return p;
    }],
    ["push without commits", "push", () => {
      const p = example("push");
      delete p.commits;
      return p;
    }],
  ])("a signed payload with missing fields (%s) is refused without a TypeError and without GitHub calls", async (_what, name, build) => {
    const { gh, app } = world();
    await expect(app.receive(name, build(gh))).resolves.toBeUndefined();
    expect(calls(gh)).toEqual([]);
    expect(gh.requestsTo(/\/commits\/\/check-runs/)).toHaveLength(0);
  });
});

describe("who may sign off", () => {
  it("a bot login in signoff.reviewers is refused, saying a bot can never sign off", () => {
    const result = validatePolicyText("signoff:\n  reviewers: ['helper-bot[bot]']\n");
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.problems.map((p) => `${p.path} ${p.message}`).join("\n")).toMatch(/signoff\.reviewers\[0\] is a bot account; a bot can never sign off/);
  });
});
