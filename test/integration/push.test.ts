// A push that changes the policy re-evaluates the open PRs it governs: the repository's own, or, for the
// organisation's .github repository, those of every installed repository that uses its policy.
import { describe, expect, it } from "vitest";
import { FakeGitHub, HEAD, OLD_HEAD, OWNER, commit, createTestApp, pullRequest, pushEvent } from "../helpers/github.js";

const CLAUDE_COMMIT = (sha: string) => commit({ sha, message: "Add retry\n\nCo-Authored-By: Claude <noreply@anthropic.com>" });
const ORG_POLICY = "signoff:\n  reviewers: ['@acme/seniors']\n  request_reviews: false\n";
const RAW = { "content-type": "application/vnd.github.v3.raw; charset=utf-8" };
const CONTENTS = (repo: string, path = ".github%2Fcountersign.yml") => `/repos/${OWNER}/${repo}/contents/${path}`;

/** An AI-assisted open PR with the right labels: its evaluation writes only the check run. */
function aiPull(number: number, headSha: string) {
  return pullRequest({ number, headSha, labels: ["ai-assisted", "risk:low"] });
}

function installationRepos(gh: FakeGitHub, names: string[]): void {
  gh.api
    .get("/installation/repositories")
    .query({ per_page: 100 })
    .reply(200, {
      total_count: names.length,
      repositories: names.map((name, i) => ({ id: i + 1, name, full_name: `${OWNER}/${name}`, owner: { login: OWNER } })),
    });
}

describe("a push to the default branch that changes the policy", () => {
  it("lists the repository's open PRs and re-evaluates each", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().token().openPulls([
      { number: 7, headSha: HEAD },
      { number: 8, headSha: OLD_HEAD },
    ]);
    gh.pull(aiPull(7, HEAD), { commits: [CLAUDE_COMMIT(HEAD)] }).pull(aiPull(8, OLD_HEAD), { commits: [CLAUDE_COMMIT(OLD_HEAD)] });
    gh.policy("signoff:\n  reviewers: ['permission:admin']\n", 2).existingChecks([], HEAD).existingChecks([], OLD_HEAD);
    gh.expectCheckRun().expectCheckRun();

    await app.receive("push", pushEvent({ commits: [{ modified: ["src/app.ts"] }, { modified: [".github/countersign.yml"] }] }));

    expect(gh.checkRuns.map((c) => c.body.head_sha).sort()).toEqual([HEAD, OLD_HEAD].sort());
    for (const run of gh.checkRuns) expect(run.body.output.title).toMatch(/^Waiting for 1 approval from anyone with admin permission/);
  });

  it("re-evaluates when the push removes the policy file, too", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().token().openPulls([{ number: 7, headSha: HEAD }]);
    gh.pull(aiPull(7, HEAD), { commits: [CLAUDE_COMMIT(HEAD)] })
      .noPolicy()
      .existingChecks()
      .expectCheckRun();

    await app.receive("push", pushEvent({ commits: [{ removed: [".github/countersign.yml"] }] }));

    expect(gh.lastCheck).toMatchObject({ head_sha: HEAD, status: "in_progress" });
  });

  it.each([
    ["to another branch", pushEvent({ ref: "refs/heads/feature/policy" })],
    ["of a tag", pushEvent({ ref: "refs/tags/v1.0.0" })],
    ["that does not touch the policy", pushEvent({ commits: [{ modified: ["src/app.ts", ".github/workflows/ci.yml"] }] })],
    [
      "that touches a file merely named like it",
      pushEvent({ commits: [{ added: ["docs/.github/countersign.yml", ".github/countersign.yml.bak"] }] }),
    ],
  ])("does nothing for a push %s: no request at all", async (_what, payload) => {
    const app = createTestApp();
    const gh = new FakeGitHub(); // no mocks: any request fails the test

    await app.receive("push", payload);

    expect(gh.checkRuns).toEqual([]);
  });
});

describe("a push to the organisation's .github repository", () => {
  it("re-evaluates only the repositories whose policy comes from acme/.github", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().token();
    installationRepos(gh, ["shop", "api", "web", ".github"]);
    // shop has no policy of its own: it falls back to the organisation's.
    gh.api.get(CONTENTS("shop")).reply(404, { message: "Not Found" });
    gh.api.get(CONTENTS(".github")).reply(200, ORG_POLICY, RAW);
    // api has its own policy and does not extend: untouched.
    gh.api.get(CONTENTS("api")).reply(200, "signoff:\n  reviewers: ['@acme/api-owners']\n", RAW);
    // web extends the organisation's policy.
    gh.api.get(CONTENTS("web")).reply(200, "_extends: .github\nsignoff:\n  approvals: 2\n", RAW);
    gh.api.get(CONTENTS(".github")).reply(200, ORG_POLICY, RAW);
    // .github itself is governed by its own file.
    gh.api.get(CONTENTS(".github")).reply(200, ORG_POLICY, RAW);

    // The repositories that use it: their open PRs are listed and evaluated.
    gh.openPulls([{ number: 7, headSha: HEAD }], "shop")
      .openPulls([], "web")
      .openPulls([], ".github");
    gh.pull(aiPull(7, HEAD), { commits: [CLAUDE_COMMIT(HEAD)] })
      .existingChecks()
      .expectCheckRun();
    gh.api.get(CONTENTS("shop")).reply(404, { message: "Not Found" });
    gh.api.get(CONTENTS(".github")).reply(200, ORG_POLICY, RAW);

    await app.receive("push", pushEvent({ repo: ".github", commits: [{ modified: [".github/countersign.yml"] }] }));

    expect(gh.checkRuns).toHaveLength(1);
    expect(gh.lastCheck).toMatchObject({ head_sha: HEAD, status: "in_progress" });
    expect(gh.lastCheck.output.title).toMatch(/^Waiting for 1 approval from @acme\/seniors/);
    expect(gh.lastCheck.output.summary).toContain("acme/.github:.github/countersign.yml");
  });

  it("re-evaluates the repositories that fell back to it when the organisation's policy is removed", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().token();
    installationRepos(gh, ["shop", "api"]);
    gh.api.get(CONTENTS("shop")).times(2).reply(404, { message: "Not Found" });
    gh.api.get(CONTENTS(".github")).times(2).reply(404, { message: "Not Found" });
    gh.api.get(CONTENTS("api")).reply(200, "signoff:\n  reviewers: ['@acme/api-owners']\n", RAW);

    gh.openPulls([{ number: 7, headSha: HEAD }], "shop");
    gh.pull(aiPull(7, HEAD), { commits: [CLAUDE_COMMIT(HEAD)] })
      .existingChecks()
      .expectCheckRun();

    await app.receive("push", pushEvent({ repo: ".github", commits: [{ removed: [".github/countersign.yml"] }] }));

    // Now judged by the built-in defaults.
    expect(gh.lastCheck.output.title).toMatch(/^Waiting for 1 approval from anyone with maintain/);
  });

  it("re-evaluates the repositories that use it when the organisation's policy no longer parses", async () => {
    const app = createTestApp();
    const broken = "signoff:\n  reviewers: ['@acme/seniors']\n    approvals: 2\n";
    const gh = new FakeGitHub().token();
    installationRepos(gh, ["shop"]);
    gh.api.get(CONTENTS("shop")).times(2).reply(404, { message: "Not Found" });
    gh.api.get(CONTENTS(".github")).times(2).reply(200, broken, RAW);

    gh.openPulls([{ number: 7, headSha: HEAD }], "shop");
    gh.pull(aiPull(7, HEAD), { commits: [CLAUDE_COMMIT(HEAD)] })
      .existingChecks()
      .expectCheckRun();

    await app.receive("push", pushEvent({ repo: ".github", commits: [{ modified: [".github/countersign.yml"] }] }));

    // An invalid policy never opens the gate: the stale verdict is replaced by a failure.
    expect(gh.lastCheck).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(gh.lastCheck.output.title).toMatch(/^Invalid policy/);
  });

  it("re-evaluates the repositories that extend another policy file of acme/.github when that file changes", async () => {
    const app = createTestApp();
    const strict = "signoff:\n  reviewers: ['@acme/principals']\n  request_reviews: false\n";
    const gh = new FakeGitHub().token();
    installationRepos(gh, ["shop", "api"]);
    gh.api.get(CONTENTS("shop")).times(2).reply(200, "_extends: .github:policies/countersign-strict.yml\n", RAW);
    gh.api.get(CONTENTS(".github", "policies%2Fcountersign-strict.yml")).times(2).reply(200, strict, RAW);
    // api falls back to the organisation's default policy, which did not change.
    gh.api.get(CONTENTS("api")).reply(404, { message: "Not Found" });
    gh.api.get(CONTENTS(".github")).reply(200, ORG_POLICY, RAW);

    gh.openPulls([{ number: 7, headSha: HEAD }], "shop");
    gh.pull(aiPull(7, HEAD), { commits: [CLAUDE_COMMIT(HEAD)] })
      .existingChecks()
      .expectCheckRun();

    await app.receive("push", pushEvent({ repo: ".github", commits: [{ modified: ["policies/countersign-strict.yml", "README.md"] }] }));

    expect(gh.lastCheck.output.title).toMatch(/^Waiting for 1 approval from @acme\/principals/);
  });

  it("does nothing when the push to acme/.github touches no policy", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub(); // no mocks: any request fails the test

    await app.receive("push", pushEvent({ repo: ".github", commits: [{ modified: ["profile/README.md", ".github/workflows/ci.yml"] }] }));

    expect(gh.checkRuns).toEqual([]);
  });
});
