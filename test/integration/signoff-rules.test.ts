// same-diff, require groups and branches end to end: real webhook payloads in, the exact GitHub requests out.
import { describe, expect, it } from "vitest";
import {
  FakeGitHub,
  HEAD,
  OLD_HEAD,
  OWNER,
  REPO,
  commit,
  createTestApp,
  example,
  file,
  pullRequest,
  pullRequestEvent,
  review,
} from "../helpers/github.js";

const CLAUDE_COMMIT = commit({ message: "Add retry\n\nCo-Authored-By: Claude <noreply@anthropic.com>" });
const BASE_SHA = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"; // the example payload's base.sha
const LABELS = ["ai-assisted", "risk:low"];
const SAME_DIFF = "signoff:\n  reviewers: ['@acme/seniors']\n  fresh_approval: same-diff\n";
const PATCH = "@@ -10,3 +10,4 @@ export function pay()\n ctx\n-old\n+new\n+retry()\n ctx2";

/** GET /repos/acme/shop/compare/{base}...{sha}: the commit's own changes against its merge base. */
function compare(gh: FakeGitHub, sha: string, files: object[] | number, mergeBase?: string, base = BASE_SHA) {
  const scope = gh.api.get(`/repos/${OWNER}/${REPO}/compare/${base}...${sha}`);
  const merge_base_commit = mergeBase ? { merge_base_commit: { sha: mergeBase } } : {};
  if (typeof files === "number") scope.reply(files, { message: "Not Found" });
  else scope.reply(200, { status: "diverged", ahead_by: 2, behind_by: 0, total_commits: 2, commits: [], files, ...merge_base_commit });
}
const changed = (patch: string) => ({ ...file("src/pay.ts", { patch, additions: 2, deletions: 1 }), sha: "1".repeat(40) });

function sameDiffGitHub(headFiles: object[] | number, mergeBases: { head?: string; approved?: string } = {}) {
  const pr = pullRequest({ labels: LABELS });
  const gh = new FakeGitHub().token().pull(pr, { commits: [CLAUDE_COMMIT], reviews: [review("bob", "APPROVED", { commitId: OLD_HEAD })] });
  gh.policy(SAME_DIFF).existingChecks().membership("@acme/seniors", "bob", "active");
  compare(gh, HEAD, headFiles, mergeBases.head);
  compare(gh, OLD_HEAD, [changed(PATCH)], mergeBases.approved);
  return { gh, pr };
}

describe("fresh_approval: same-diff", () => {
  it("keeps a senior's approval after the author clicks Update branch, and says why in one line", async () => {
    const app = createTestApp();
    // The merge of main moved the PR's hunk down: same change, other line numbers, carried there by
    // main's own change to the file (21 lines added near its top) between the two merge bases.
    const [before, after] = ["d".repeat(40), "e".repeat(40)];
    const { gh, pr } = sameDiffGitHub([changed(PATCH.replace("@@ -10,3 +10,4 @@", "@@ -31,3 +31,4 @@"))], {
      head: after,
      approved: before,
    });
    const mainChange = { ...file("src/pay.ts", { patch: "@@ -1,0 +2,21 @@\n+// a header of 21 lines", additions: 21, deletions: 0 }) };
    gh.api.get(`/repos/${OWNER}/${REPO}/compare/${before}...${after}`).reply(200, { status: "ahead", files: [mainChange] });
    gh.expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", pr));

    expect(gh.lastCheck).toMatchObject({ status: "completed", conclusion: "success" });
    expect(gh.lastCheck.output.title).toBe("Signed off by @bob (risk low)");
    expect(gh.lastCheck.output.summary.split("\n")[2]).toBe("@bob approved on `bbbbbbb`; the changes since are only the base branch.");
    expect(gh.lastCheck.output.summary).toContain(
      "or on an earlier commit whose own changes are the same as the head's (fresh_approval: same-diff)",
    );
    expect(app.services.caches.diffs.size).toBe(2);
    const { body } = await app.services.metrics.render();
    expect(body).toContain('countersign_approvals_total{tier="low",basis="same_diff"} 1');
  });

  it("does not read the same comparisons again for the same head (commits are immutable)", async () => {
    const app = createTestApp();
    const { gh, pr } = sameDiffGitHub([changed(PATCH)]);
    gh.expectCheckRun();
    await app.receive("pull_request", pullRequestEvent("synchronize", pr));

    const again = new FakeGitHub().pull(pr, { commits: [CLAUDE_COMMIT], reviews: [review("bob", "APPROVED", { commitId: OLD_HEAD })] });
    // Membership is cached briefly, and both comparisons for good.
    again.policy(SAME_DIFF).existingChecks().expectCheckRun();
    await app.receive("pull_request", pullRequestEvent("edited", pr));

    expect(again.lastCheck.conclusion).toBe("success");
  });

  it("makes the approval stale after an evil merge (the merge commit changed something else too)", async () => {
    const app = createTestApp();
    const { gh, pr } = sameDiffGitHub([changed(PATCH), { ...file("src/auth.ts"), sha: "2".repeat(40) }]);
    gh.labelEvents().expectReviewRequest().expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", pr));

    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.output.summary).toContain(
      "| @bob | approved on bbbbbbb | no | approved an older commit (bbbbbbb), now stale: the PR changes `src/auth.ts` since bbbbbbb |",
    );
  });

  it("a PR left waiting counts in the waiting gauge until it is closed", async () => {
    const app = createTestApp();
    const { gh, pr } = sameDiffGitHub([changed(PATCH), { ...file("src/auth.ts"), sha: "2".repeat(40) }]);
    gh.labelEvents().expectReviewRequest().expectCheckRun();
    await app.receive("pull_request", pullRequestEvent("synchronize", pr));
    expect((await app.services.metrics.render()).body).toContain('countersign_waiting_pull_requests{tier="low"} 1');

    await app.receive("pull_request", pullRequestEvent("closed", { ...pr, state: "closed" }));
    expect((await app.services.metrics.render()).body).toContain('countersign_waiting_pull_requests{tier="low"} 0');
  });

  it("makes the approval stale when GitHub cannot compare the head (fail closed), saying why", async () => {
    const app = createTestApp();
    const { gh, pr } = sameDiffGitHub(404);
    gh.labelEvents().expectReviewRequest().expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", pr));

    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.output.summary).toContain(
      "now stale: the changes at the head could not be compared: GitHub could not compare aaaaaaa with the base branch (404",
    );
  });

  it("reads nothing extra when the approval is on the head", async () => {
    const app = createTestApp();
    const pr = pullRequest({ labels: LABELS });
    const gh = new FakeGitHub().token().pull(pr, { commits: [CLAUDE_COMMIT], reviews: [review("bob", "APPROVED")] });
    gh.policy(SAME_DIFF).existingChecks().membership("@acme/seniors", "bob", "active").expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", pr));

    expect(gh.lastCheck.conclusion).toBe("success");
    expect(app.services.caches.diffs.size).toBe(0);
  });
});

describe("signoff.require", () => {
  const GROUPS =
    "signoff:\n  require:\n    - { reviewers: ['@acme/sre'], paths: ['infra/**'] }\n    - { reviewers: ['@acme/principals'] }\n";
  const files = [file("infra/prod/main.yml"), file("src/app.ts")];

  it("waits for the second group once the first has signed off, and asks only that group", async () => {
    const app = createTestApp();
    const pr = pullRequest({ labels: ["ai-assisted", "risk:low"] });
    const gh = new FakeGitHub().token().pull(pr, { commits: [CLAUDE_COMMIT], files, reviews: [review("carol", "APPROVED")] });
    gh.policy(GROUPS).existingChecks().labelEvents();
    gh.membership("@acme/sre", "carol", 404).membership("@acme/principals", "carol", "active").expectReviewRequest().expectCheckRun();

    await app.receive("pull_request_review", { ...example("pull_request_review", "submitted"), pull_request: pr });

    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.output.title).toBe("Waiting for 1 approval from @acme/sre (1 of 2 groups signed off, risk low)");
    expect(gh.lastCheck.output.summary).toContain(
      "- ⏳ 1 approval from @acme/sre: 0 of 1; applies: `infra/prod/main.yml` matches `infra/**` (signoff.require[0]).",
    );
    expect(gh.lastCheck.output.summary).toContain(
      "- ✅ 1 approval from @acme/principals: signed off by @carol; always applies (signoff.require[1]).",
    );
    expect(gh.reviewRequests).toEqual([{ reviewers: [], team_reviewers: ["sre"] }]);
  });

  it("passes when the second group signs off too", async () => {
    const app = createTestApp();
    const pr = pullRequest({ labels: ["ai-assisted", "risk:low"] });
    const gh = new FakeGitHub().token().pull(pr, {
      commits: [CLAUDE_COMMIT],
      files,
      reviews: [review("carol", "APPROVED", { at: "2026-11-21T10:00:00Z" }), review("dave", "APPROVED", { at: "2026-11-21T11:00:00Z" })],
    });
    gh.policy(GROUPS).existingChecks();
    gh.membership("@acme/sre", "carol", 404).membership("@acme/principals", "carol", "active");
    gh.membership("@acme/sre", "dave", "active").membership("@acme/principals", "dave", 404).expectCheckRun();

    await app.receive("pull_request_review", { ...example("pull_request_review", "submitted"), pull_request: pr });

    expect(gh.lastCheck).toMatchObject({ status: "completed", conclusion: "success" });
    expect(gh.lastCheck.output.title).toBe("Signed off by @carol, @dave (risk low)");
  });
});

describe("branches", () => {
  const POLICY = "branches: ['main', 'release/**']\n";
  const into = (base: string) => {
    const pr = pullRequest();
    (pr.base as Record<string, unknown>).ref = base;
    return pr;
  };

  it("passes a PR into a branch outside branches, saying why, and still labels it", async () => {
    const app = createTestApp();
    const pr = into("feature/stack-base");
    const gh = new FakeGitHub().evaluating(
      pr,
      { commits: [CLAUDE_COMMIT], reviews: [review("bob", "APPROVED", { commitId: OLD_HEAD })] },
      POLICY,
    );
    gh.labelExists("ai-assisted").labelExists("risk:low").addLabels().expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("opened", pr));

    expect(gh.lastCheck).toMatchObject({ status: "completed", conclusion: "success" });
    expect(gh.lastCheck.output.title).toBe("Not gated: the base branch feature/stack-base is outside the policy's branches (risk low)");
    expect(gh.lastCheck.output.summary).toContain(
      "Not required: this PR merges into `feature/stack-base`, and the policy's `branches` (`main`, `release/**`) do not include it.",
    );
    expect(gh.labelsAdded).toEqual([["ai-assisted", "risk:low"]]);
  });

  it("re-evaluates a PR retargeted onto a gated branch: it waits again", async () => {
    const app = createTestApp();
    const pr = into("release/2.1");
    const gh = new FakeGitHub()
      .evaluating({ ...pr, labels: LABELS.map((name, i) => ({ id: i + 1, name })) }, { commits: [CLAUDE_COMMIT] }, POLICY)
      .expectCheckRun();

    await app.receive(
      "pull_request",
      pullRequestEvent("edited", pr, { changes: { base: { ref: { from: "feature/stack-base" }, sha: { from: BASE_SHA } } } }),
    );

    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.output.title).toMatch(/^Waiting for 1 approval/);
  });
});

describe("who could sign off now", () => {
  it("names the team's members who may sign off, as profile links, capped with 'and N more'", async () => {
    const app = createTestApp({ SIGNOFF_CANDIDATES: "3" });
    const pr = pullRequest({ labels: LABELS });
    const gh = new FakeGitHub().evaluating(pr, { commits: [CLAUDE_COMMIT] }, "signoff:\n  reviewers: ['@acme/seniors']\n").labelEvents();
    const member = (login: string, id: number, type = "User") => ({ login, id, type });
    gh.api
      .get("/orgs/acme/teams/seniors/members")
      .query({ per_page: 100, page: 1 })
      .reply(200, [
        member("erin", 15),
        member("alice", 1),
        member("bob", 12),
        member("dave", 14),
        member("carol", 13),
        member("helper[bot]", 99, "Bot"),
      ]);
    gh.expectReviewRequest().expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", pr));

    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.output.summary).toContain(
      "Could sign off now: [@bob](https://github.com/bob), [@carol](https://github.com/carol), [@dave](https://github.com/dave) and 1 more.",
    );
    expect(gh.lastCheck.output.summary).not.toContain("@alice](");
  });

  it("says what it could not list, and the check is otherwise the same", async () => {
    const app = createTestApp({ SIGNOFF_CANDIDATES: "3" });
    const pr = pullRequest({ labels: LABELS });
    const gh = new FakeGitHub().evaluating(pr, { commits: [CLAUDE_COMMIT] });
    gh.api
      .get(`/repos/${OWNER}/${REPO}/collaborators`)
      .query({ permission: "maintain", per_page: 100, page: 1 })
      .reply(403, { message: "Resource not accessible by integration" });
    gh.expectCheckRun();

    await app.receive("pull_request", pullRequestEvent("synchronize", pr));

    expect(gh.lastCheck.status).toBe("in_progress");
    expect(gh.lastCheck.output.summary).toContain("Could not list the people with maintain permission (GitHub answered 403).");
  });
});
