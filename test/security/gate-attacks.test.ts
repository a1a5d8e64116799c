// The attacks of issue #9 that got through, each played against the shared GitHub model through
// probot.receive, with the GitHub calls that matter asserted. Each test fails if the protection it
// names is removed.
import { describe, expect, it } from "vitest";
import { createTestApp, example, issueCommentEvent, pushEvent } from "../helpers/github.js";
import { validatePolicy, validatePolicyText } from "../../src/policy/validate.js";
import { assessRisk } from "../../src/core/risk.js";
import { makeSnapshot } from "../helpers/snapshot.js";
import { ALICE, CAROL, CHECK_NAME, DAVE, OWNER, REPO } from "../support/github/constants.js";
import { CLAUDE_MESSAGE, GitHubSession, POLICY_FILE, blocks, passes, simCommit, simFile } from "../support/github/session.js";
import { overrideText } from "../support/check-record.js";
import { deferred } from "../helpers/deferred.js";
import { until } from "../helpers/poll.js";

const SENIORS = "signoff:\n  reviewers: ['@acme/seniors']\n  request_reviews: false\n";

function world(o: { policy?: string } = {}) {
  const gh = new GitHubSession({ policy: o.policy ?? SENIORS }).install();
  gh.model.setTeam(OWNER, "seniors", { carol: "active", dave: "active" });
  const pull = gh.addPull({ author: ALICE.login, commits: [simCommit({ message: CLAUDE_MESSAGE })] });
  return { gh, app: createTestApp(), pull };
}

function defaultPolicy() {
  const result = validatePolicy({});
  if (!result.ok) throw new Error("the empty policy is valid");
  return result.policy;
}

const calls = (gh: GitHubSession) => gh.requests.filter((r) => !r.path.endsWith("/access_tokens")).map((r) => `${r.method} ${r.path}`);

describe("events GitHub really sends that name nothing to gate", () => {
  it("an event for a pull request that 404s writes nothing and does not fail the delivery", async () => {
    const { gh, app } = world();
    const payload = gh.pullEvent("synchronize");
    gh.repo.pulls.delete(7);

    await app.receive("pull_request", payload);

    expect(gh.writes.filter((w) => !w.endsWith("/access_tokens"))).toEqual([]);
    expect(gh.checkRuns).toHaveLength(0);
    expect(calls(gh)).toContain("GET /repos/acme/shop/pulls/7");
  });

  it.each([
    [
      "merge_group without head_sha",
      "merge_group",
      () => {
        const p = example("merge_group", "checks_requested");
        delete (p.merge_group as Record<string, unknown>).head_sha;
        return p;
      },
    ],
    [
      "pull_request without its head",
      "pull_request",
      (gh: GitHubSession) => {
        const p = gh.pullEvent("synchronize");
        delete (p.pull_request as Record<string, unknown>).head;
        return p;
      },
    ],
    [
      "issue_comment without its user",
      "issue_comment",
      () => {
        const p = issueCommentEvent("/countersign override hotfix");
        delete (p.comment as Record<string, unknown>).user;
        return p;
      },
    ],
    [
      "check_run.rerequested without head_sha",
      "check_run",
      () => {
        const p = example("check_run", "rerequested");
        delete (p.check_run as Record<string, unknown>).head_sha;
        return p;
      },
    ],
    [
      "push without commits",
      "push",
      () => {
        const p = example("push");
        delete p.commits;
        return p;
      },
    ],
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
    expect(result.ok ? "" : result.problems.map((p) => `${p.path} ${p.message}`).join("\n")).toMatch(
      /signoff\.reviewers\[0\] is a bot account; a bot can never sign off/,
    );
  });
});

describe("policy that cannot be read is invalid", () => {
  const STRICT_EXTENDS = "_extends: .github:policies/strict.yml\nsignoff:\n  request_reviews: false\n";

  it.each([
    ["missing (404)", undefined],
    ["unreadable (403)", 403],
  ])("an _extends target that is %s makes the policy invalid, naming the target, never the defaults", async (_what, answer) => {
    const { gh, app, pull } = world({ policy: STRICT_EXTENDS });
    pull.commits = [simCommit({ sha: pull.headSha, message: "Plain human change" })]; // not AI-assisted: the defaults would pass it
    if (answer !== undefined) gh.setFile(".github", "policies/strict.yml", answer);
    await app.receive("pull_request", gh.pullEvent("synchronize"));

    expect(gh.check()).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(gh.check()?.output.title).toMatch(/^Invalid policy/);
    expect(gh.check()?.output.summary).toContain("acme/.github:policies/strict.yml");
    expect(gh.requestsTo(/^\/repos\/acme\/\.github\/contents\/policies(%2F|\/)strict\.yml$/)).toHaveLength(1);
  });

  it("a readable _extends target still applies (gate: all): the same PR waits for sign-off", async () => {
    const { gh, app, pull } = world({ policy: STRICT_EXTENDS });
    pull.commits = [simCommit({ sha: pull.headSha, message: "Plain human change" })];
    gh.setFile(".github", "policies/strict.yml", "gate: all\nsignoff:\n  reviewers: ['@acme/seniors']\n");
    await app.receive("pull_request", gh.pullEvent("synchronize"));

    expect(gh.check()?.status).toBe("in_progress");
  });
});

describe("a proposed policy that reads other files", () => {
  const proposing = (gh: GitHubSession, text: string) => {
    const pull = gh.pull();
    pull.files = [{ filename: POLICY_FILE, status: "modified", additions: 1, deletions: 0, patch: "@@ -1 +1 @@\n+_extends: x" }];
    gh.setFile(REPO, POLICY_FILE, text, pull.headSha);
  };

  it("may _extends only files of the same organisation: another organisation's file is refused and never read", async () => {
    const { gh, app } = world();
    proposing(gh, "_extends: other-org/secrets:deploy/prod.yml\n");
    await app.receive("pull_request", gh.pullEvent("synchronize"));

    expect(gh.check()).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(gh.check()?.output.summary).toContain("may extend only files of the same organisation (acme)");
    expect(gh.requestsTo(/other-org/)).toHaveLength(0);
  });

  it("problems shown for an extended file never quote its contents", async () => {
    const { gh, app } = world();
    gh.setFile("vault", "config/app.yml", "database_password: hunter2-s3cret\nsignoff:\n  approvals: the-admin-token-XYZ\n");
    proposing(gh, "_extends: vault:config/app.yml\nsignoff:\n  reviewers: ['@acme/seniors']\n");
    await app.receive("pull_request", gh.pullEvent("synchronize"));

    const out = JSON.stringify(gh.check()?.output);
    expect(gh.check()).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(out).toContain(
      "extends acme/vault:config/app.yml, which has 2 problems of its own; its contents (keys and values) are not shown here",
    );
    expect(out).not.toMatch(/hunter2|database_password|admin-token/);
  });

  it("a proposed _extends target that does not exist is a problem of the proposal, not a quiet comparison on its own", async () => {
    const { gh, app } = world();
    proposing(gh, "_extends: .github:policies/gone.yml\n");
    await app.receive("pull_request", gh.pullEvent("synchronize"));

    expect(gh.check()).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(gh.check()?.output.summary).toContain("extends acme/.github:policies/gone.yml, which does not exist or cannot be read");
  });
});

describe("a change to a file that a policy in force reads is critical", () => {
  it("changing this repository's _extends target (policies/base.yml) is critical: one senior's approval is not enough", async () => {
    const { gh, app, pull } = world({ policy: "_extends: shop:policies/base.yml\nsignoff:\n  request_reviews: false\n" });
    gh.setFile(REPO, "policies/base.yml", "signoff:\n  reviewers: ['@acme/seniors']\n  tiers:\n    critical: { approvals: 2 }\n");
    pull.files = [
      {
        filename: "policies/base.yml",
        status: "modified",
        additions: 1,
        deletions: 1,
        patch: "@@ -1 +1 @@\n-    critical: { approvals: 2 }\n+    critical: { approvals: 1 }",
      },
    ];
    gh.review(7, CAROL, "APPROVED");
    await app.receive("pull_request", gh.pullEvent("synchronize"));

    expect(blocks(gh.check())).toBe(true);
    expect(gh.check()?.output.summary).toContain("#### Risk: critical");
    expect(gh.check()?.output.summary).toContain("changes a file that a Countersign policy in force reads");
    expect(gh.check()?.output.title).toContain("(1 of 2,");
  });

  it("in the organisation's .github repository, any YAML file (policies/base.yml, read by other repositories) is critical", () => {
    const policy = defaultPolicy();
    const snapshot = makeSnapshot({
      repo: ".github",
      files: [{ path: "policies/base.yml", status: "modified", additions: 1, deletions: 1, patch: "@@ -1 +1 @@\n-a\n+b" }],
    });
    const risk = assessRisk(snapshot, policy);
    expect(risk.tier).toBe("critical");
    expect(risk.reasons[0]?.rule).toMatch(/a Countersign policy in force reads/);
    expect(assessRisk({ ...snapshot, repo: "shop" }, policy).tier).not.toBe("critical");
  });

  it("a push that changes a file a loaded policy reads re-evaluates the repositories whose policy reads it", async () => {
    const { gh, app } = world({ policy: "_extends: shop:policies/base.yml\n" });
    gh.setFile(REPO, "policies/base.yml", "signoff:\n  reviewers: ['@acme/seniors']\n  request_reviews: false\n");
    await app.receive("pull_request", gh.pullEvent("synchronize"));
    const before = gh.requests.length;

    await app.receive("push", pushEvent({ commits: [{ modified: ["policies/base.yml"] }] }));

    const after = gh.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    expect(after).toContain("GET /repos/acme/shop/pulls");
    expect(after).toContain("GET /repos/acme/shop/pulls/7");
  });

  it("the app remembers which files loaded policies read, in any repository of the organisation", async () => {
    const { gh, app } = world({ policy: "_extends: .github:policies/base.yml\n" });
    gh.setFile(".github", "policies/base.yml", "signoff:\n  reviewers: ['@acme/seniors']\n");
    await app.receive("pull_request", gh.pullEvent("synchronize"));

    expect(app.services.policies.filesReadIn("acme", ".github")).toContain("policies/base.yml");
    expect(app.services.policies.filesReadIn("acme", "shop")).toContain(".github/countersign.yml");
  });
});

describe("overrides", () => {
  const OVERRIDES = `${SENIORS}override:\n  by: ['@acme/incident-commanders']\n`;

  function overrideWorld() {
    const w = world({ policy: OVERRIDES });
    w.gh.model.setTeam(OWNER, "incident-commanders", { carol: "active" });
    return w;
  }

  it("an override is not swallowed by concurrent events: the check passes, and 'applied' is replied only after it is written", async () => {
    const { gh, app } = overrideWorld();
    // The runs' file reads are held, so a title edit is in flight when the override arrives, and a
    // label event arrives while the override's run is in flight (a follow-up is queued behind it).
    const files = { method: "GET", path: /\/pulls\/7\/files$/ };
    const [editFiles, overrideFiles] = [deferred(), deferred()];
    gh.faults.add({ id: "edit's files", match: files, times: 1, action: { type: "hold", until: editFiles.promise } });
    gh.faults.add({ id: "override's files", match: files, after: 1, times: 1, action: { type: "hold", until: overrideFiles.promise } });
    const joined = () => app.services.coalescer.coalesced;
    const filesRead = () => gh.requestsTo(/\/pulls\/7\/files$/).length;

    const edit = app.receive("pull_request", gh.pullEvent("edited"));
    expect(await until(() => filesRead() === 1, 10_000)).toBe(true);
    const override = app.receive("issue_comment", issueCommentEvent("/countersign override checkout is down"));
    expect(await until(() => joined() === 1, 10_000)).toBe(true);
    editFiles.resolve();
    // The override's own run is reading the files now; the label event queues behind it.
    expect(await until(() => filesRead() === 2, 10_000)).toBe(true);
    const label = app.receive("pull_request", gh.pullEvent("labeled"));
    expect(await until(() => joined() === 2, 10_000)).toBe(true);
    overrideFiles.resolve();
    await Promise.all([edit, override, label]);

    expect(passes(gh.check())).toBe(true);
    expect(gh.check()?.output.title).toBe("Overridden by @carol: checkout is down");
    expect(gh.comments.map((c) => c.body)).toEqual([expect.stringContaining("Override by @carol applied to")]);
    const order = gh.requests
      .filter((r) => r.method !== "GET")
      .map((r) =>
        r.path.includes("check-runs")
          ? `check:${JSON.stringify(r.body).includes("Overridden") ? "override" : "other"}`
          : r.path.endsWith("/comments")
            ? "reply"
            : r.path,
      );
    expect(order.indexOf("check:override")).toBeGreaterThanOrEqual(0);
    expect(order.indexOf("reply")).toBeGreaterThan(order.indexOf("check:override"));
  });

  it.each([
    ["carries this override: 'applied'", true],
    ["does not carry it: 'not applied'", false],
  ])("when another replica ran the evaluation, the reply reads the check back; the check %s", async (_what, carried) => {
    const { gh, app, pull } = overrideWorld();
    // The evaluation happens elsewhere (another replica through Redis): this one only waits for it.
    app.services.gate = { ...app.services.gate, run: async () => undefined };
    if (carried) {
      const record = { by: "carol", reason: "hotfix", sha: pull.headSha, at: "2026-11-21T12:00:00Z", comment: 5150, pr: 7 };
      gh.plantCheckRun(CHECK_NAME, pull.headSha, {
        status: "completed",
        conclusion: "success",
        output: {
          title: "Overridden by @carol: hotfix",
          summary: "…",
          text: overrideText(7, record),
        },
      });
    }
    await app.receive("issue_comment", issueCommentEvent("/countersign override hotfix"));

    expect(gh.requestsTo(new RegExp(`/commits/${pull.headSha}/check-runs$`))).toHaveLength(1);
    expect(gh.comments[0]?.body).toContain(
      carried ? "Override by @carol applied to" : "The override was not applied: when Countersign evaluated",
    );
  });

  it("an override that reaches the app after a newer push is refused, saying the head changed after the comment", async () => {
    const { gh, app } = overrideWorld();
    const newer = gh.push(7, { message: "Unreviewed follow-up\n\nCo-Authored-By: Claude <noreply@anthropic.com>" });
    const late = issueCommentEvent("/countersign override hotfix");
    (late.comment as Record<string, unknown>).created_at = "2026-11-21T09:00:00Z"; // written before the push (10:0x)
    await app.receive("issue_comment", late);

    expect(gh.checkRuns.filter((r) => r.output.title?.startsWith("Overridden"))).toHaveLength(0);
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]?.body).toContain(`the head of this pull request is now ${newer.slice(0, 7)}`);
    expect(gh.comments[0]?.body).toContain("which came after your comment (2026-11-21T09:00:00Z)");
    expect(gh.requestsTo(/\/activity$/)).toHaveLength(1);
  });

  it("an override written after the push that made the head applies to that head", async () => {
    const { gh, app } = overrideWorld();
    gh.push(7, { message: "Follow-up\n\nCo-Authored-By: Claude <noreply@anthropic.com>" });
    const comment = issueCommentEvent("/countersign override hotfix");
    (comment.comment as Record<string, unknown>).created_at = "2026-11-22T09:00:00Z";
    await app.receive("issue_comment", comment);

    expect(passes(gh.check())).toBe(true);
    expect(gh.comments[0]?.body).toContain("applied to");
  });

  it("for a branch without a push log (a fork), a head committed after the comment is refused", async () => {
    const { gh, app, pull } = overrideWorld();
    gh.repo.activity.length = 0;
    pull.commits = [{ ...simCommit({ sha: pull.headSha, message: CLAUDE_MESSAGE }), date: "2026-11-21T13:00:00Z" }];
    await app.receive("issue_comment", issueCommentEvent("/countersign override hotfix")); // written 12:00

    expect(gh.checkRuns).toHaveLength(0);
    expect(gh.comments[0]?.body).toContain("committed 2026-11-21T13:00:00Z");
    expect(gh.requestsTo(/\/git\/commits\//)).toHaveLength(1);
  });
});

describe("two pull requests, one head", () => {
  function twoPulls() {
    const w = world();
    // The same branch proposed to main (#7) and to a release branch (#8): one head commit, one check run.
    const release = w.gh.addPull({ number: 8, baseRef: "release/1.0", author: ALICE.login, commits: w.pull.commits });
    return { ...w, release };
  }

  it("a senior's approval on the main PR does not pass the check on the shared head while the release PR still waits", async () => {
    const { gh, app } = twoPulls();
    gh.review(7, CAROL, "APPROVED");
    await app.receive("pull_request_review", gh.reviewEvent("submitted", {}, 7));

    const check = gh.check();
    expect(blocks(check)).toBe(true);
    expect(check?.status).toBe("in_progress");
    expect(check?.output.title).toContain("#8 → release/1.0 still waits: Waiting for 1 approval from @acme/seniors");
    expect(check?.output.summary).toContain("This commit is the head of 2 open pull requests");
    expect(check?.output.summary).toMatch(/#7 → main\*\*: Signed off by @carol/);
    expect(check?.output.summary).toMatch(/#8 → release\/1\.0\*\*: Waiting for 1 approval .* — \*\*still waits\*\*/);
    expect(gh.requestsTo(new RegExp(`/commits/${gh.pull().headSha}/pulls$`))).toHaveLength(1);
    expect(gh.requestsTo(/\/pulls\/8$/)).toHaveLength(1);
    expect(gh.requestsTo(/\/pulls\/8\/reviews$/)).toHaveLength(1);
  });

  it("once each PR is signed off, the check on the shared head passes and says so for each", async () => {
    const { gh, app } = twoPulls();
    gh.review(7, CAROL, "APPROVED");
    gh.review(8, CAROL, "APPROVED");
    await app.receive("pull_request_review", gh.reviewEvent("submitted", {}, 8));

    expect(passes(gh.check())).toBe(true);
    expect(gh.check()?.output.title).toBe("All 2 PRs on this commit pass");
  });

  it("an override given on one PR overrides that PR only, and stays on the commit's check when the other is evaluated", async () => {
    const { gh, app } = twoPulls();
    gh.setFile(REPO, POLICY_FILE, `${SENIORS}override:\n  by: ['@acme/incident-commanders']\n`);
    gh.model.setTeam(OWNER, "incident-commanders", { carol: "active" });
    await app.receive("issue_comment", issueCommentEvent("/countersign override hotfix", { number: 7 }));
    expect(blocks(gh.check())).toBe(true); // #8 still waits
    expect(gh.comments[0]?.body).toContain("Override by @carol applied to");
    expect(gh.comments[0]?.body).toContain("another open pull request with this head has not passed yet");

    await app.receive("pull_request", gh.pullEvent("edited", 8));
    expect(blocks(gh.check())).toBe(true);
    expect(gh.check()?.output.text).toContain('"pr":7');

    gh.review(8, DAVE, "APPROVED");
    await app.receive("pull_request_review", gh.reviewEvent("submitted", {}, 8));
    expect(passes(gh.check())).toBe(true);
  });
});

describe("a senior who co-authored the change approves it", () => {
  it("a Co-authored-by email that GitHub links to the senior's account makes them a contributor (allow_contributors: false)", async () => {
    const { gh, app } = world();
    gh.model.emailAccounts.set("sam@acme.example", CAROL.login);
    gh.push(7, { message: `Pair on checkout\n\nCo-authored-by: Sam <sam@acme.example>\nCo-Authored-By: Claude <noreply@anthropic.com>` });
    gh.review(7, CAROL, "APPROVED");
    await app.receive("pull_request_review", gh.reviewEvent("submitted", {}, 7));

    expect(blocks(gh.check())).toBe(true);
    expect(gh.check()?.output.summary).toMatch(/\| @carol \| approved on \w+ \| no \| is a co-author of a commit of this PR/);
    const graphql = gh.requestsTo(/^\/graphql$/);
    expect(graphql).toHaveLength(1); // one query for every commit that needs it
    expect(JSON.stringify(graphql[0]?.body)).toContain(gh.pull().headSha);
  });

  it("costs nothing when no co-author email needs resolving: an AI co-author, a noreply address, or no review yet", async () => {
    const { gh, app } = world();
    gh.push(7, { message: "Pair\n\nCo-authored-by: Dave <4+dave@users.noreply.github.com>" });
    gh.review(7, CAROL, "APPROVED");
    await app.receive("pull_request_review", gh.reviewEvent("submitted", {}, 7));
    expect(passes(gh.check())).toBe(true);
    expect(gh.requestsTo(/^\/graphql$/)).toHaveLength(0);

    const other = world();
    other.gh.push(7, { message: "Pair\n\nCo-authored-by: Sam <sam@acme.example>" });
    await other.app.receive("pull_request", other.gh.pullEvent("synchronize")); // nobody reviewed: nothing depends on it
    expect(other.gh.requestsTo(/^\/graphql$/)).toHaveLength(0);
  });

  it("resolves each commit once: a later evaluation of the same commits asks GitHub nothing more", async () => {
    const { gh, app } = world();
    gh.model.users.set("sam", { login: "sam", id: 77 });
    gh.model.emailAccounts.set("sam@acme.example", "sam");
    gh.push(7, { message: "Pair\n\nCo-authored-by: Sam <sam@acme.example>" });
    gh.review(7, CAROL, "APPROVED");
    await app.receive("pull_request_review", gh.reviewEvent("submitted", {}, 7));
    await app.receive("pull_request", gh.pullEvent("edited"));

    expect(passes(gh.check())).toBe(true); // sam is not carol
    expect(gh.requestsTo(/^\/graphql$/)).toHaveLength(1);
  });
});

describe("a content rule defeated by a missing diff", () => {
  const DROP_TABLE = `${SENIORS}risk:\n  rules:\n    - { tier: critical, content: ['DROP TABLE'], paths: ['db/**'] }\n`;
  const bigMigration = (gh: GitHubSession) => {
    gh.pull().files = [
      simFile("db/migrations/0042_backfill.sql", { patch: null, additions: 40_000, deletions: 0, status: "added" }),
      simFile("src/app.ts"),
    ];
  };

  it("a large migration without a diff is read at the head, and its DROP TABLE makes the PR critical", async () => {
    const { gh, app } = world({ policy: DROP_TABLE });
    bigMigration(gh);
    gh.setFile(REPO, "db/migrations/0042_backfill.sql", "INSERT INTO t VALUES (1);\nDROP TABLE users;\n", gh.pull().headSha);
    await app.receive("pull_request", gh.pullEvent("synchronize"));

    const summary = gh.check()?.output.summary ?? "";
    expect(summary).toContain("#### Risk: critical");
    expect(summary).toContain("content matches /DROP TABLE/ in db/migrations/0042_backfill.sql");
    expect(summary).toContain("content rules searched the whole file instead");
    const reads = gh.requestsTo(/\/contents\/db/);
    expect(reads).toHaveLength(1);
    expect(reads[0]?.query.get("ref")).toBe(gh.pull().headSha);
  });

  it.each([
    ["GitHub cannot send it (404)", 404],
    ["it is larger than the 1 MB cap", { size: 50 * 1024 * 1024 }],
  ])("when the content cannot be read either (%s), the rule is taken to hold and the summary says so", async (_what, blob) => {
    const { gh, app } = world({ policy: DROP_TABLE });
    bigMigration(gh);
    gh.setFile(REPO, "db/migrations/0042_backfill.sql", blob, gh.pull().headSha);
    await app.receive("pull_request", gh.pullEvent("synchronize"));

    const summary = gh.check()?.output.summary ?? "";
    expect(summary).toContain("#### Risk: critical");
    expect(summary).toContain("content rule (/DROP TABLE/) could not read db/migrations/0042_backfill.sql, so it is taken to hold");
  });

  it("reads nothing when no content rule could apply to the file without a diff", async () => {
    const { gh, app } = world({ policy: DROP_TABLE });
    gh.pull().files = [simFile("assets/hero.png", { patch: null, additions: 0, deletions: 0, status: "added" }), simFile("src/app.ts")];
    await app.receive("pull_request", gh.pullEvent("synchronize"));

    expect(gh.requestsTo(/\/contents\/assets/)).toHaveLength(0);
    expect(gh.check()?.output.summary).not.toContain("#### Risk: critical");
  });
});
