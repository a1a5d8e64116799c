// After the merge, end to end through probot.receive: a bypass is labelled, commented once and
// counted; a redelivery and a merge that passed write nothing; a revert is counted with the
// reverted PR's labels.
import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import {
  FakeGitHub,
  HEAD,
  OWNER,
  REPO,
  commit,
  createTestApp,
  existingCheckRun,
  pullRequest,
  pullRequestEvent,
} from "../helpers/github.js";
import { recordText, type RecordFields } from "../support/check-record.js";

const MERGE_SHA = "c".repeat(40);
const ADMIN = { login: "admin-ann", id: 42, type: "User" };
const repoPath = `/repos/${OWNER}/${REPO}`;

function mergedEvent(o: { number?: number; labels?: string[]; title?: string; body?: string } = {}) {
  const pr = pullRequest({
    number: o.number ?? 7,
    labels: o.labels ?? [],
    state: "closed",
    ...(o.body !== undefined ? { body: o.body } : {}),
  });
  Object.assign(pr, {
    merged: true,
    merged_by: ADMIN,
    merge_commit_sha: MERGE_SHA,
    merged_at: "2026-11-22T09:00:00Z",
    title: o.title ?? "Change things",
  });
  return pullRequestEvent("closed", pr, { sender: ADMIN });
}

/** Our check run on PR #7's head, its record written for base `main` unless the record says another. */
function ourCheck(record: RecordFields, status: string, conclusion: string | null, title: string) {
  return existingCheckRun({ status, conclusion, title, summary: "…", text: recordText(7, record) });
}

const WAITING_CRITICAL = ourCheck(
  {
    outcome: "waiting",
    mode: "enforce",
    gated: true,
    tier: "critical",
    ai: true,
    signal: "co-author-trailer",
    required: "2 approvals from @acme/principals, @acme/sre",
    approvedBy: ["bob"],
  },
  "in_progress",
  null,
  "Waiting for 2 approvals from @acme/principals, @acme/sre (1 of 2, risk critical)",
);

/** The PR's commit messages, read when its title and description name no revert (a hand-made revert says so only there). */
function commitsOf(gh: FakeGitHub, number = 7, messages = ["Change things"]): FakeGitHub {
  gh.api
    .get(`${repoPath}/pulls/${number}/commits`)
    .query(true)
    .reply(
      200,
      messages.map((message) => commit({ message })),
    );
  return gh;
}

/** The merged PR and the policy, read to judge afresh whether it was gated when our check cannot say it. */
function judging(
  gh: FakeGitHub,
  o: { number?: number; labels?: string[]; title?: string; body?: string; commits?: string[] } = {},
): FakeGitHub {
  const pr = pullRequest({
    number: o.number ?? 7,
    labels: o.labels ?? [],
    state: "closed",
    ...(o.body !== undefined ? { body: o.body } : {}),
  });
  Object.assign(pr, { merged: true, title: o.title ?? "Change things" });
  gh.pull(pr, { commits: (o.commits ?? ["Change things"]).map((message) => commit({ message })) });
  return gh.noPolicy();
}

async function metric(app: ReturnType<typeof createTestApp>, line: string): Promise<boolean> {
  return (await app.services.metrics.render()).body.split("\n").includes(line);
}

describe("a merged pull request", () => {
  it("labels, comments once and counts an admin merge of a PR still waiting for sign-off", async () => {
    const app = createTestApp();
    const gh = commitsOf(new FakeGitHub().token().existingChecks([WAITING_CRITICAL]));
    gh.api
      .get(`${repoPath}/issues/7/comments`)
      .query(true)
      .reply(200, [{ id: 1, body: "looks fine", user: { login: "bob", type: "User" } }]);
    gh.expectComment().labelMissing("countersign:bypassed").addLabels();

    await app.receive("pull_request", mergedEvent({ labels: ["ai-assisted", "risk:critical"] }));

    expect(gh.comments).toHaveLength(1);
    const comment = gh.comments[0]!;
    expect(comment).toContain("@admin-ann merged this pull request");
    expect(comment).toContain(`\`${HEAD.slice(0, 7)}\``);
    expect(comment).toContain(
      "**Missing:** sign-off: 2 approvals from @acme/principals, @acme/sre at risk critical; signed off so far: @bob.",
    );
    expect(gh.labelsCreated).toEqual([
      { name: "countersign:bypassed", color: "5c0011", description: expect.stringContaining("merged without a passing Countersign check") },
    ]);
    expect(gh.labelsAdded).toEqual([["countersign:bypassed"]]);
    expect(gh.checkRuns).toEqual([]);
    expect(await metric(app, 'countersign_bypassed_merges_total{tier="critical"} 1')).toBe(true);
    expect(await metric(app, 'countersign_merged_pull_requests_total{ai_assisted="true",tier="critical"} 1')).toBe(true);
  });

  it("logs the bypass at warn level with repo, PR, head SHA and merger", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) });
    const app = createTestApp({}, { log: pino({ level: "warn" }, sink) });
    const gh = commitsOf(new FakeGitHub().token().existingChecks([WAITING_CRITICAL]));
    gh.api.get(`${repoPath}/issues/7/comments`).query(true).reply(200, []);
    gh.expectComment().labelMissing("countersign:bypassed").addLabels();

    await app.receive("pull_request", mergedEvent({ labels: ["ai-assisted"] }));

    const warning = lines.find((l) => l.msg === "pull request merged without Countersign sign-off");
    expect(warning).toMatchObject({ level: 40, repo: `${OWNER}/${REPO}`, pr: 7, sha: HEAD, mergedBy: "admin-ann", tier: "critical" });
  });

  it("writes nothing new when the same event is delivered again", async () => {
    const app = createTestApp();
    const first = commitsOf(new FakeGitHub().token().existingChecks([WAITING_CRITICAL]));
    first.api.get(`${repoPath}/issues/7/comments`).query(true).reply(200, []);
    first.expectComment().labelMissing("countersign:bypassed").addLabels();
    await app.receive("pull_request", mergedEvent({ labels: ["ai-assisted", "risk:critical"] }));

    // The redelivery carries the original payload: the merge ledger knows this merge, so nothing is read or written.
    const again = new FakeGitHub();
    await app.receive("pull_request", mergedEvent({ labels: ["ai-assisted", "risk:critical"] }));

    expect(again.comments).toEqual([]);
    expect(again.labelsAdded).toEqual([]);
    expect(again.labelsCreated).toEqual([]);
    expect(await metric(app, 'countersign_bypassed_merges_total{tier="critical"} 1')).toBe(true);
    expect(await metric(app, 'countersign_merged_pull_requests_total{ai_assisted="true",tier="critical"} 1')).toBe(true);
  });

  it("finishes a bypass that failed halfway without commenting twice", async () => {
    const app = createTestApp();
    const gh = commitsOf(new FakeGitHub().token().existingChecks([WAITING_CRITICAL]));
    gh.api
      .get(`${repoPath}/issues/7/comments`)
      .query(true)
      .reply(200, [{ id: 9, body: "### ⚠️ Merged…\n<!-- countersign:bypassed -->", user: { login: "countersign[bot]", type: "Bot" } }]);
    gh.labelExists("countersign:bypassed").addLabels();

    await app.receive("pull_request", mergedEvent({ labels: ["ai-assisted"] }));

    expect(gh.comments).toEqual([]);
    expect(gh.labelsAdded).toEqual([["countersign:bypassed"]]);
  });

  it.each([
    [
      "signed off",
      ourCheck(
        { outcome: "approved", mode: "enforce", gated: true, tier: "high", ai: true, approvedBy: ["bob"] },
        "completed",
        "success",
        "Signed off by @bob (risk high)",
      ),
    ],
    [
      "overridden",
      ourCheck(
        {
          outcome: "overridden",
          mode: "enforce",
          gated: true,
          tier: "high",
          ai: true,
          approvedBy: [],
          overriddenBy: "carol",
          overrideReason: "INC-42",
        },
        "completed",
        "success",
        "Overridden by @carol: INC-42",
      ),
    ],
    [
      "never gated",
      ourCheck(
        { outcome: "not-gated", mode: "enforce", gated: false, tier: "low", ai: false, approvedBy: [] },
        "completed",
        "success",
        "Not AI-assisted: no sign-off needed (risk low)",
      ),
    ],
    [
      "in report mode",
      ourCheck(
        { outcome: "waiting", mode: "report", gated: true, tier: "high", ai: true, approvedBy: [] },
        "completed",
        "neutral",
        "Report mode: would wait: Waiting for 1 approval from @acme/seniors (0 of 1, risk high)",
      ),
    ],
  ])("writes nothing when it was %s", async (name, check) => {
    const app = createTestApp();
    const gh = new FakeGitHub().token().existingChecks([check]);
    // A check that passed as "not gated" cannot say it for the merged head and base: judged afresh (a human PR).
    if (name === "never gated") judging(gh);
    else commitsOf(gh);

    await app.receive("pull_request", mergedEvent({ labels: ["ai-assisted", "risk:high"] }));

    expect(gh.comments).toEqual([]);
    expect(gh.labelsAdded).toEqual([]);
    expect(await metric(app, 'countersign_bypassed_merges_total{tier="high"} 1')).toBe(false);
  });

  // A sign-off counts only on the base it was given for; a record the app cannot read (none, or from
  // before the versioned record) says nothing: the merge is judged afresh, and an AI-labelled PR is a bypass.
  it.each([
    [
      "signed off for another base (approved on release, retargeted to main, merged before re-evaluation)",
      ourCheck(
        { outcome: "approved", mode: "enforce", gated: true, tier: "high", ai: true, approvedBy: ["bob"], base: "release" },
        "completed",
        "success",
        "Signed off by @bob (risk high)",
      ),
    ],
    [
      "from before the versioned record (its title is not read)",
      existingCheckRun({ status: "completed", conclusion: "success", title: "Signed off by @bob (risk high)", summary: "…" }),
    ],
  ])("records a bypass when the passing check was %s", async (_name, check) => {
    const app = createTestApp();
    const gh = judging(new FakeGitHub().token().existingChecks([check]), { labels: ["ai-assisted", "risk:high"] });
    gh.api.get(`${repoPath}/issues/7/comments`).query(true).reply(200, []);
    gh.expectComment().labelMissing("countersign:bypassed").addLabels();

    await app.receive("pull_request", mergedEvent({ labels: ["ai-assisted", "risk:high"] }));

    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]).toContain("or for another base than the one it merged into");
    expect(gh.labelsAdded).toEqual([["countersign:bypassed"]]);
    // Counted at the tier judged at the merge (the default policy's rules: low).
    expect(await metric(app, 'countersign_bypassed_merges_total{tier="low"} 1')).toBe(true);
  });

  it("writes nothing for a PR without our check and without AI evidence (judged afresh at the merge)", async () => {
    const app = createTestApp();
    const gh = judging(new FakeGitHub().token().existingChecks([]));
    await app.receive("pull_request", mergedEvent());
    expect(gh.comments).toEqual([]);
    expect(gh.labelsAdded).toEqual([]);
  });

  it("ignores a PR closed without merging", async () => {
    const app = createTestApp();
    const pr = pullRequest({ state: "closed" });
    await app.receive("pull_request", pullRequestEvent("closed", pr));
    expect(await metric(app, 'countersign_merged_pull_requests_total{ai_assisted="false",tier="unknown"} 1')).toBe(false);
  });
});

describe("a merged revert", () => {
  const PASSED = ourCheck(
    { outcome: "not-gated", mode: "enforce", gated: false, tier: "low", ai: false, approvedBy: [] },
    "completed",
    "success",
    "Not AI-assisted: no sign-off needed (risk low)",
  );

  it("counts the revert of an AI-assisted critical PR (GitHub's Revert button) with the reverted PR's labels", async () => {
    const app = createTestApp();
    const gh = judging(new FakeGitHub().token().existingChecks([PASSED]), { number: 8 });
    gh.api
      .get(`${repoPath}/pulls/5`)
      .reply(200, { number: 5, merged_at: "2026-11-20T09:00:00Z", labels: [{ name: "ai-assisted" }, { name: "risk:critical" }] });

    await app.receive(
      "pull_request",
      mergedEvent({ number: 8, title: 'Revert "Recreate the production database"', body: "Reverts acme/shop#5\n\nIt broke checkout." }),
    );

    expect(await metric(app, 'countersign_reverts_total{ai_assisted="true",tier="critical"} 1')).toBe(true);
    expect(gh.comments).toEqual([]);
  });

  it("finds the reverted PR from `This reverts commit <sha>` of its merge commit, in one read", async () => {
    const app = createTestApp();
    const reverted = "d".repeat(40);
    const gh = judging(new FakeGitHub().token().existingChecks([PASSED]), { number: 9 });
    gh.api.get(`${repoPath}/commits/${reverted}/pulls`).reply(200, [
      { number: 3, merged_at: null, merge_commit_sha: "e".repeat(40), labels: [] },
      { number: 4, merged_at: "2026-11-19T09:00:00Z", merge_commit_sha: reverted, labels: [{ name: "risk:medium" }] },
    ]);

    await app.receive(
      "pull_request",
      mergedEvent({ number: 9, title: 'Revert "Tune the cache"', body: `This reverts commit ${reverted}.` }),
    );

    expect(await metric(app, 'countersign_reverts_total{ai_assisted="false",tier="medium"} 1')).toBe(true);
  });

  it("counts a revert on the redelivery when reading the reverted PR failed the first time", async () => {
    const app = createTestApp();
    const gh = judging(judging(new FakeGitHub().token().existingChecks([PASSED], undefined, 2), { number: 8 }), { number: 8 });
    gh.api.get(`${repoPath}/pulls/5`).reply(502, { message: "Bad gateway" });
    gh.api
      .get(`${repoPath}/pulls/5`)
      .reply(200, { number: 5, merged_at: "2026-11-20T09:00:00Z", labels: [{ name: "ai-assisted" }, { name: "risk:critical" }] });
    const event = mergedEvent({ number: 8, title: 'Revert "x"', body: "Reverts acme/shop#5" });
    await expect(app.receive("pull_request", event)).rejects.toThrow();
    expect(await metric(app, 'countersign_merged_pull_requests_total{ai_assisted="false",tier="unknown"} 1')).toBe(false);

    await app.receive("pull_request", event);
    expect(await metric(app, 'countersign_reverts_total{ai_assisted="true",tier="critical"} 1')).toBe(true);
    expect(await metric(app, 'countersign_merged_pull_requests_total{ai_assisted="false",tier="unknown"} 1')).toBe(true);
  });

  it("does not count a revert twice when the event is delivered again", async () => {
    const app = createTestApp();
    const gh = judging(new FakeGitHub().token().existingChecks([PASSED]), { number: 8 });
    gh.api
      .get(`${repoPath}/pulls/5`)
      .reply(200, { number: 5, merged_at: "2026-11-20T09:00:00Z", labels: [{ name: "ai-assisted" }, { name: "risk:critical" }] });
    const event = mergedEvent({ number: 8, title: 'Revert "x"', body: "Reverts acme/shop#5" });
    await app.receive("pull_request", event);
    await app.receive("pull_request", event);
    expect(await metric(app, 'countersign_reverts_total{ai_assisted="true",tier="critical"} 1')).toBe(true);
  });
});
