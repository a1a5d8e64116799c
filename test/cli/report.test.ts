// `countersign report` in process against nock: several pages of merged PRs (paging stops at the
// first page older than the range), Countersign's check runs with their verdict records, a
// secondary rate limit answered with retry-after, and GitHub's refusals as one line and exit 2.
import nock from "nock";
import { describe, expect, it } from "vitest";
import { runReport } from "../../src/cli/report.js";
import { recordText, type RecordFields } from "../support/check-record.js";
import { captureIo } from "../helpers/capture-io.js";

const API = "https://api.github.com";
const NOW = new Date("2026-12-01T00:00:00Z");
const sha = (n: number) => n.toString(16).padStart(40, "0");
const mergeSha = (n: number) => `m${n}`.padEnd(40, "f").replace(/[^0-9a-f]/g, "e");

interface Spec {
  number: number;
  merged?: string | null;
  updated?: string;
  labels?: string[];
  title?: string;
  body?: string;
}

function pull(s: Spec) {
  const merged = s.merged === undefined ? "2026-11-10T12:00:00Z" : s.merged;
  return {
    number: s.number,
    title: s.title ?? `Change ${s.number}`,
    body: s.body ?? "",
    user: { login: `dev${s.number}` },
    html_url: `https://github.com/acme/shop/pull/${s.number}`,
    state: "closed",
    merged_at: merged,
    closed_at: merged ?? "2026-11-10T12:00:00Z",
    updated_at: s.updated ?? merged ?? "2026-11-10T12:00:00Z",
    head: { sha: sha(s.number), ref: `b${s.number}` },
    merge_commit_sha: merged ? mergeSha(s.number) : null,
    labels: (s.labels ?? []).map((name, i) => ({ id: i, name })),
  };
}

function run(
  id: number,
  pr: number,
  record: RecordFields,
  o: { status?: string; conclusion?: string | null; started: string; completed?: string; title: string },
) {
  return {
    id,
    name: "Countersign",
    head_sha: "",
    status: o.status ?? "completed",
    conclusion: o.conclusion === undefined ? "success" : o.conclusion,
    started_at: o.started,
    completed_at: o.completed ?? null,
    output: { title: o.title, summary: "…", text: recordText(pr, record) },
    app: { id: 777, slug: "countersign" },
  };
}

const rec = (r: Partial<RecordFields> & Pick<RecordFields, "outcome">): RecordFields => ({
  mode: "enforce",
  gated: true,
  ai: true,
  approvedBy: [],
  ...r,
});

/** Bot accounts the detection saw on #102 and #105 that no list knew, as the check's record carries them. */
const HELPER_BOT = { login: "deploy-helper[bot]", policyKey: "detection.authors" as const, value: "deploy-helper[bot]" };
const MAILER_BOT = { login: "mailer[bot]", policyKey: "detection.emails" as const, value: "42+mailer[bot]@users.noreply.github.com" };

const link = (page: number, last: number) =>
  [
    page < last ? `<${API}/repositories/1/pulls?state=closed&sort=updated&direction=desc&per_page=100&page=${page + 1}>; rel="next"` : "",
    `<${API}/repositories/1/pulls?state=closed&sort=updated&direction=desc&per_page=100&page=${last}>; rel="last"`,
  ]
    .filter(Boolean)
    .join(", ");

/**
 * acme/shop in November 2026: AI-assisted #101 (critical, reverted by #110 with the Revert button),
 * #102 (high), #104 (medium, overridden), #105 (high, bypassed), #108 (low); others #103, #106
 * (reverted by #111 with `git revert`), #110, #111; #107 closed unmerged; #99 merged in October.
 */
/** The open PRs of a repository (the report's "waiting now" view), listed after its merged ones. */
function openPulls(scope: nock.Scope, path: string, items: object[] = []) {
  scope.get(path).query({ state: "open", per_page: "100" }).reply(200, items);
}

function shopInNovember(o: { rateLimited?: boolean } = {}) {
  const api = nock(API);
  const pages = [
    [
      pull({ number: 111, merged: "2026-11-20T09:00:00Z", title: 'Revert "Change 106"', body: `This reverts commit ${mergeSha(106)}.` }),
      pull({ number: 110, merged: "2026-11-19T09:00:00Z", title: 'Revert "Change 101"', body: "Reverts acme/shop#101\n\nBroke checkout." }),
      pull({ number: 108, merged: "2026-11-18T09:00:00Z", labels: ["ai-assisted", "risk:low"] }),
      pull({ number: 107, merged: null }),
    ],
    [
      pull({ number: 106, merged: "2026-11-15T09:00:00Z", labels: ["risk:low"] }),
      pull({ number: 105, merged: "2026-11-14T09:00:00Z", labels: ["ai-assisted", "risk:high", "countersign:bypassed"] }),
      pull({ number: 104, merged: "2026-11-13T09:00:00Z", labels: ["ai-assisted", "risk:medium"] }),
      pull({ number: 103, merged: "2026-11-12T09:00:00Z", labels: ["risk:low"] }),
    ],
    [
      pull({ number: 102, merged: "2026-11-11T09:00:00Z", labels: ["ai-assisted", "risk:high"] }),
      pull({ number: 101, merged: "2026-11-10T09:00:00Z", labels: ["ai-assisted", "risk:critical"] }),
      // Updated before the range: the last page read; page 4 is never asked for.
      pull({ number: 99, merged: "2026-10-20T09:00:00Z", updated: "2026-10-25T09:00:00Z" }),
    ],
  ];
  pages.forEach((items, i) => {
    const query: Record<string, string> = { state: "closed", sort: "updated", direction: "desc", per_page: "100" };
    if (i === 0)
      api
        .get("/repos/acme/shop/pulls")
        .query(query)
        .reply(200, items, { link: link(1, 4) });
    else
      api
        .get("/repositories/1/pulls")
        .query({ ...query, page: String(i + 1) })
        .reply(200, items, { link: link(i + 1, 4) });
  });
  openPulls(api, "/repos/acme/shop/pulls", [
    { number: 120, draft: false, labels: [{ name: "ai-assisted" }], requested_reviewers: [{ login: "carol" }, { login: "dave" }] },
    { number: 121, draft: false, labels: [{ name: "ai-assisted" }], requested_reviewers: [{ login: "carol" }] },
    { number: 122, draft: false, labels: [], requested_reviewers: [{ login: "erin" }] },
    { number: 123, draft: true, labels: [{ name: "ai-assisted" }], requested_reviewers: [{ login: "erin" }] },
  ]);
  const checks = (n: number, runs: object[]) => {
    const scope = api
      .get(`/repos/acme/shop/commits/${sha(n)}/check-runs`)
      .query({ check_name: "Countersign", filter: "all", per_page: "100", app_id: "777" });
    if (o.rateLimited && n === 101) {
      scope.reply(
        403,
        { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." },
        { "retry-after": "1" },
      );
      api
        .get(`/repos/acme/shop/commits/${sha(n)}/check-runs`)
        .query(true)
        .reply(200, { total_count: runs.length, check_runs: runs });
    } else scope.reply(200, { total_count: runs.length, check_runs: runs });
  };
  const notGated = (id: number, pr: number, day: string) =>
    run(id, pr, rec({ outcome: "not-gated", gated: false, ai: false, tier: "low" }), {
      started: `2026-11-${day}T08:00:00Z`,
      completed: `2026-11-${day}T08:00:05Z`,
      title: "Not AI-assisted: no sign-off needed (risk low)",
    });
  // #101: waiting from 07:00, signed off by bob at 09:00 (2h); bob approved 30 s after the push.
  checks(101, [
    run(2, 101, rec({ outcome: "approved", tier: "critical", signal: "co-author-trailer", approvedBy: ["bob"] }), {
      started: "2026-11-10T07:00:00Z",
      completed: "2026-11-10T09:00:00Z",
      title: "Signed off by @bob (risk critical)",
    }),
  ]);
  api
    .get("/repos/acme/shop/pulls/101/reviews")
    .query({ per_page: "100" })
    .reply(200, [
      { id: 1, user: { login: "bob" }, state: "APPROVED", commit_id: sha(101), submitted_at: "2026-11-10T07:00:30Z" },
      { id: 2, user: { login: "eve" }, state: "COMMENTED", commit_id: sha(101), submitted_at: "2026-11-10T07:00:10Z" },
    ]);
  // #102: an earlier waiting run, then the approved one: 30 minutes from the first run.
  checks(102, [
    run(3, 102, rec({ outcome: "waiting", tier: "high", signal: "author-app" }), {
      status: "completed",
      conclusion: "success",
      started: "2026-11-11T08:00:00Z",
      completed: "2026-11-11T08:10:00Z",
      title: "Waiting…",
    }),
    run(4, 102, rec({ outcome: "approved", tier: "high", signal: "author-app", approvedBy: ["bob"], unrecognised: [HELPER_BOT] }), {
      started: "2026-11-11T08:10:00Z",
      completed: "2026-11-11T08:30:00Z",
      title: "Signed off by @bob (risk high)",
    }),
  ]);
  api
    .get("/repos/acme/shop/pulls/102/reviews")
    .query({ per_page: "100" })
    .reply(200, [{ id: 3, user: { login: "bob" }, state: "APPROVED", commit_id: sha(102), submitted_at: "2026-11-11T08:29:00Z" }]);
  checks(103, [notGated(5, 103, "12")]);
  checks(104, [
    run(
      6,
      104,
      rec({
        outcome: "overridden",
        tier: "medium",
        signal: "commit-trailer",
        overriddenBy: "carol",
        overrideReason: "INC-42, checkout down",
      }),
      { started: "2026-11-13T08:00:00Z", completed: "2026-11-13T08:20:00Z", title: "Overridden by @carol: INC-42, checkout down" },
    ),
  ]);
  checks(105, [
    run(7, 105, rec({ outcome: "waiting", tier: "high", signal: "branch-prefix", unrecognised: [HELPER_BOT, MAILER_BOT] }), {
      status: "in_progress",
      conclusion: null,
      started: "2026-11-14T08:00:00Z",
      title: "Waiting for 1 approval from @acme/seniors (0 of 1, risk high)",
    }),
  ]);
  checks(106, [notGated(8, 106, "15")]);
  checks(108, [
    run(9, 108, rec({ outcome: "approved", tier: "low", signal: "description-marker", approvedBy: ["dave"] }), {
      started: "2026-11-18T08:00:00Z",
      completed: "2026-11-18T08:05:00Z",
      title: "Signed off by @dave (risk low)",
    }),
  ]);
  checks(110, [notGated(10, 110, "19")]);
  checks(111, [notGated(11, 111, "20")]);
  return api;
}

const deps = (env: Record<string, string> = {}) => ({
  env: { GITHUB_TOKEN: "ghp_test", COUNTERSIGN_APP_ID: "777", ...env },
  now: () => NOW,
  retryAfterBaseValue: 1,
});
const ARGS = ["--repo", "acme/shop", "--since", "2026-11-01", "--until", "2026-11-30"];

describe("countersign report", () => {
  it("prints a table whose first screen is the revert rates and the review load", async () => {
    shopInNovember();
    const io = captureIo();
    expect(await runReport(ARGS, io, deps())).toBe(0);
    const lines = io.stdout.split("\n");
    expect(lines.slice(0, 10)).toEqual([
      "Countersign report · acme/shop · merged 2026-11-01 → 2026-11-30",
      "9 merged pull requests · 55.6% AI-assisted (5) · 5 gated by Countersign",
      "",
      "Reverted after merge, AI-assisted vs the rest, by tier",
      "  tier      AI reverted  rate    others reverted  rate",
      "  all       1/5          20.0%   1/4              25.0%",
      "  critical  1/1          100.0%  0/0              –",
      "  high      0/2          0.0%    0/0              –",
      "  medium    0/1          0.0%    0/0              –",
      "  low       0/1          0.0%    1/4              25.0%",
    ]);
    const load = lines.indexOf("Review load: sign-offs per reviewer");
    expect(load).toBe(11);
    expect(lines.slice(load + 1, load + 4)).toEqual([
      "  reviewer  sign-offs  share  high/critical  median wait  < 1 min after push",
      "  @bob      2          66.7%  2              30m          1",
      "  @dave     1          33.3%  0              5m           0",
    ]);
    expect(io.stdout).toContain("  critical  1    2h 00m  2h 00m");
    expect(io.stdout).toContain("Overrides: 1 · Bypasses: 1 · Approvals within a minute of the last push on high/critical PRs: 1");
    expect(io.stdout).toContain("  override  acme/shop#104 by @carol: INC-42, checkout down");
    expect(io.stdout).toContain("  bypass    acme/shop#105 (high) merged without sign-off");
    // Waiting now: requests on open AI-assisted PRs only (not on #122, unlabelled, nor the draft #123).
    expect(io.stdout).toMatch(
      /Waiting now: open review requests per person on open AI-assisted pull requests\n.*\n {2}@carol +2\n {2}@dave +1\n/,
    );
    expect(io.stdout).not.toContain("@erin");
    expect(io.stdout).toContain("  quick     acme/shop#101 @bob approved 30s after the last push (critical)");
    expect(io.stdout).toMatch(/acme\/shop#101 +2026-11-10 +yes \(co-author-trailer\) +critical +@bob +2h 00m +– +– +acme\/shop#110/);
    expect(io.stdout).toMatch(/acme\/shop#106 +2026-11-15 +no +low +– +– +– +– +acme\/shop#111/);
    expect(io.stderr).toContain("countersign report: 9 merged pull requests in range; reading Countersign's check runs");
    expect(io.stderr).toMatch(/done: 9 merged pull requests, 15 GitHub requests \(1\.67 per merged pull request\)/);
  });

  it("prints every PR and the totals as JSON, after waiting out a secondary rate limit", async () => {
    shopInNovember({ rateLimited: true });
    const io = captureIo();
    expect(await runReport([...ARGS, "--json"], io, deps())).toBe(0);
    const report = JSON.parse(io.stdout);
    expect(report.scope).toBe("acme/shop");
    expect(report.apiCalls).toBe(16);
    expect(report.totals.openRequests).toEqual([
      { login: "carol", open: 2 },
      { login: "dave", open: 1 },
    ]);
    expect(report.totals).toMatchObject({ merged: 9, aiAssisted: 5, gated: 5 });
    expect(report.totals.aiShare).toBeCloseTo(5 / 9);
    expect(report.totals.reverts[0]).toEqual({ tier: "all", aiMerged: 5, aiReverted: 1, otherMerged: 4, otherReverted: 1 });
    expect(report.totals.waits).toEqual([
      { tier: "critical", count: 1, medianSeconds: 7200, p90Seconds: 7200 },
      { tier: "high", count: 1, medianSeconds: 1800, p90Seconds: 1800 },
      { tier: "medium", count: 1, medianSeconds: 1200, p90Seconds: 1200 },
      { tier: "low", count: 1, medianSeconds: 300, p90Seconds: 300 },
    ]);
    expect(report.totals.reviewers.map((r: { login: string; signOffs: number }) => [r.login, r.signOffs])).toEqual([
      ["bob", 2],
      ["dave", 1],
    ]);
    const byNumber = new Map(report.pulls.map((p: { number: number }) => [p.number, p]));
    expect(report.pulls.map((p: { number: number }) => p.number)).toEqual([101, 102, 103, 104, 105, 106, 108, 110, 111]);
    expect(byNumber.get(104)).toMatchObject({
      aiAssisted: true,
      signal: "commit-trailer",
      tier: "medium",
      outcome: "overridden",
      overriddenBy: "carol",
      overrideReason: "INC-42, checkout down",
      bypassed: false,
    });
    expect(byNumber.get(105)).toMatchObject({ aiAssisted: true, tier: "high", outcome: "waiting", bypassed: true, signedOffBy: [] });
    expect(byNumber.get(101)).toMatchObject({
      revertedBy: "acme/shop#110",
      signedOffBy: ["bob"],
      waitSeconds: 7200,
      quickApprovals: [{ login: "bob", seconds: 30 }],
    });
    expect(io.stderr).toContain("secondary rate limit on GET /repos/{owner}/{repo}/commits/{ref}/check-runs; waiting 1s (try 1 of 3)");
  });

  it("prints one CSV row per PR, quoting what needs it", async () => {
    shopInNovember();
    const io = captureIo();
    expect(await runReport([...ARGS, "--csv"], io, deps())).toBe(0);
    const rows = io.stdout.trimEnd().split("\r\n");
    expect(rows).toHaveLength(10);
    expect(rows[0]).toBe(
      "repo,number,title,author,merged_at,ai_assisted,signal,tier,gated,outcome,signed_off_by,wait_seconds,overridden_by,override_reason,bypassed,reverted_by,quick_approvals,url,unrecognised_automation",
    );
    expect(rows[1]).toBe(
      "acme/shop,101,Change 101,dev101,2026-11-10T09:00:00Z,true,co-author-trailer,critical,true,approved,bob,7200,,,false,acme/shop#110,bob:30s,https://github.com/acme/shop/pull/101,",
    );
    expect(rows[4]).toBe(
      'acme/shop,104,Change 104,dev104,2026-11-13T09:00:00Z,true,commit-trailer,medium,true,overridden,,1200,carol,"INC-42, checkout down",false,,,https://github.com/acme/shop/pull/104,',
    );
    expect(rows[8]).toBe(
      'acme/shop,110,"Revert ""Change 101""",dev110,2026-11-19T09:00:00Z,false,,low,false,not-gated,,,,,false,,,https://github.com/acme/shop/pull/110,',
    );
  });

  it("lists the unrecognised automation from the check records, per PR and in total, with the policy entry that would count each", async () => {
    shopInNovember();
    const table = captureIo();
    expect(await runReport(ARGS, table, deps())).toBe(0);
    expect(table.stdout).toContain("Unrecognised automation: 2 bot account(s) no list knows");
    expect(table.stdout).toContain(
      '  bot       deploy-helper[bot] on acme/shop#102, acme/shop#105: count it with detection.authors: ["deploy-helper[bot]"]',
    );
    expect(table.stdout).toContain(
      '  bot       mailer[bot] on acme/shop#105: count it with detection.emails: ["42+mailer[bot]@users.noreply.github.com"]',
    );

    shopInNovember();
    const json = captureIo();
    expect(await runReport([...ARGS, "--json"], json, deps())).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.totals.unrecognised).toEqual([
      { ...HELPER_BOT, pulls: ["acme/shop#102", "acme/shop#105"] },
      { ...MAILER_BOT, pulls: ["acme/shop#105"] },
    ]);
    expect(parsed.pulls.find((p: { number: number }) => p.number === 105).unrecognised).toEqual([HELPER_BOT, MAILER_BOT]);
    expect(parsed.pulls.find((p: { number: number }) => p.number === 101).unrecognised).toEqual([]);

    shopInNovember();
    const csv = captureIo();
    expect(await runReport([...ARGS, "--csv"], csv, deps())).toBe(0);
    const row105 = csv.stdout.split("\r\n").find((l) => l.startsWith("acme/shop,105,"));
    expect(row105).toMatch(
      /,https:\/\/github\.com\/acme\/shop\/pull\/105,deploy-helper\[bot\]=detection\.authors:deploy-helper\[bot\] mailer\[bot\]=detection\.emails:42\+mailer\[bot\]@users\.noreply\.github\.com$/,
    );
  });

  it("reads GitHub Enterprise Server at GITHUB_API_URL", async () => {
    const ghe = nock("https://ghe.example");
    ghe
      .get("/api/v3/repos/acme/shop/pulls")
      .query(true)
      .reply(200, [pull({ number: 5, merged: "2026-11-05T09:00:00Z" })]);
    openPulls(ghe, "/api/v3/repos/acme/shop/pulls");
    ghe
      .get(`/api/v3/repos/acme/shop/commits/${sha(5)}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] });
    const io = captureIo();
    expect(await runReport([...ARGS, "--json"], io, deps({ GITHUB_API_URL: "https://ghe.example/api/v3/" }))).toBe(0);
    expect(JSON.parse(io.stdout).pulls).toMatchObject([{ number: 5, outcome: "no-check", aiAssisted: false, bypassed: false }]);
  });

  it("ignores a same-named check run of another app even when GitHub's list returns it (a forged verdict record)", async () => {
    const api = nock(API);
    api
      .get("/repos/acme/shop/pulls")
      .query(true)
      .reply(200, [pull({ number: 5, merged: "2026-11-05T09:00:00Z", labels: ["ai-assisted"] })]);
    openPulls(api, "/repos/acme/shop/pulls");
    const impostor = {
      ...run(1, 5, rec({ outcome: "approved", tier: "low", approvedBy: ["mallory"] }), {
        started: "2026-11-05T08:00:00Z",
        completed: "2026-11-05T08:01:00Z",
        title: "Signed off by @mallory (risk low)",
      }),
      app: { id: 999 },
    };
    api
      .get(`/repos/acme/shop/commits/${sha(5)}/check-runs`)
      .query({ check_name: "Countersign", filter: "all", per_page: "100", app_id: "777" })
      .reply(200, { total_count: 1, check_runs: [impostor] });
    const io = captureIo();
    expect(await runReport([...ARGS, "--json", "--app-id", "777"], io, deps({ COUNTERSIGN_APP_ID: "" }))).toBe(0);
    expect(JSON.parse(io.stdout).pulls).toMatchObject([{ number: 5, outcome: "no-check", signedOffBy: [], bypassed: true }]);
  });

  it.each([
    [
      404,
      { message: "Not Found" },
      "countersign report: repository acme/shop not found, or the token cannot see it (404); check the name and the token's access",
    ],
    [
      401,
      { message: "Bad credentials" },
      "countersign report: GitHub rejected the token (401 Bad credentials); set GITHUB_TOKEN to a valid token that can read pull requests and checks",
    ],
  ])("answers %i with one clear line and exit code 2", async (status, body, line) => {
    nock(API).get("/repos/acme/shop/pulls").query(true).reply(status, body);
    const io = captureIo();
    expect(await runReport(ARGS, io, deps())).toBe(2);
    expect(io.stderr).toBe(`${line}\n`);
    expect(io.stdout).toBe("");
  });

  it("reads only the organisation's repositories pushed to in the range, leaving out (and naming) those the token cannot read", async () => {
    const api = nock(API);
    api
      .get("/orgs/acme/repos")
      .query({ type: "all", sort: "pushed", direction: "desc", per_page: "100" })
      .reply(200, [
        { name: "shop", pushed_at: "2026-11-20T00:00:00Z" },
        { name: "secret", pushed_at: "2026-11-19T00:00:00Z" },
        { name: "old", pushed_at: "2025-01-01T00:00:00Z" },
      ]);
    api.get("/repos/acme/secret/pulls").query(true).reply(403, { message: "Resource not accessible by personal access token" });
    api
      .get("/repos/acme/shop/pulls")
      .query(true)
      .reply(200, [pull({ number: 5, merged: "2026-11-05T09:00:00Z", labels: ["ai-assisted"] })]);
    openPulls(api, "/repos/acme/shop/pulls");
    api
      .get(`/repos/acme/shop/commits/${sha(5)}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] });
    const io = captureIo();
    expect(await runReport(["--org", "acme", "--since", "2026-11-01", "--json"], io, deps())).toBe(0);
    const report = JSON.parse(io.stdout);
    expect(report.repositories).toBe(2);
    expect(report.skipped).toEqual(["acme/secret: GitHub answered 403 Resource not accessible by personal access token"]);
    expect(io.stderr).toContain("countersign report: skipped acme/secret: GitHub answered 403");
    // AI-labelled, and no Countersign check on the merged head: counted as a bypass.
    expect(report.pulls).toMatchObject([
      { repo: "acme/shop", number: 5, aiAssisted: true, signal: "label", outcome: "no-check", bypassed: true },
    ]);
  });

  it.each([
    [["--repo", "acme"], "--repo must look like owner/name"],
    [["--repo", "a/b", "--org", "a"], "give exactly one of --repo OWNER/NAME or --org ORG"],
    [["--repo", "a/b", "--since", "last week"], "--since must be a date"],
    [["--repo", "a/b", "--json", "--csv"], "give at most one of --json and --csv"],
  ])("rejects %j before any request", async (args, message) => {
    await expect(runReport(args, captureIo(), deps())).rejects.toThrow(message);
  });

  it("refuses to run without the Countersign app's id, before any request: a same-named check of any workflow could be read", async () => {
    const io = captureIo();
    await expect(runReport(ARGS, io, deps({ COUNTERSIGN_APP_ID: "" }))).rejects.toThrow(
      /give --app-id \(or set COUNTERSIGN_APP_ID\): the Countersign GitHub App's numeric id.*cannot tell Countersign's check runs from a same-named run/,
    );
    await expect(runReport([...ARGS, "--app-id", "countersign"], io, deps())).rejects.toThrow(
      '--app-id must be a GitHub App\'s numeric id, not "countersign"',
    );
    // The app's own deployment variable is read too.
    shopInNovember();
    expect(await runReport(ARGS, captureIo(), deps({ COUNTERSIGN_APP_ID: "", APP_ID: "777" }))).toBe(0);
  });

  /** One merged PR of acme/shop, overridden by carol with `reason` (text someone else wrote). */
  function overriddenPull(number: number, reason: string): void {
    const api = nock(API);
    api
      .get("/repos/acme/shop/pulls")
      .query(true)
      .reply(200, [pull({ number, merged: "2026-11-05T09:00:00Z", labels: ["ai-assisted"] })]);
    openPulls(api, "/repos/acme/shop/pulls");
    api
      .get(`/repos/acme/shop/commits/${sha(number)}/check-runs`)
      .query(true)
      .reply(200, {
        total_count: 1,
        check_runs: [
          run(number, number, rec({ outcome: "overridden", tier: "medium", overriddenBy: "carol", overrideReason: reason }), {
            started: "2026-11-05T08:00:00Z",
            completed: "2026-11-05T08:10:00Z",
            title: "Overridden",
          }),
        ],
      });
  }

  it("prints PR text without terminal control sequences (colours, OSC 8 links, clipboard writes, screen clears)", async () => {
    const reason =
      "INC-1 \u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007 \u001b]52;c;cm0gLXJmIH4=\u0007\u001b[2J\u001b[1;31mred\u001b[0m\u009b31m \u202eevil\r\nforged line";
    overriddenPull(5, reason);
    const io = captureIo();
    expect(await runReport(ARGS, io, deps())).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the test
    expect(io.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(io.stdout).toContain("  override  acme/shop#5 by @carol: INC-1 click red evil forged line");
    expect(io.stdout).not.toContain("\nforged line");
  });

  it("--json keeps PR text exactly but writes C1 controls and bidi overrides as \\u escapes; --csv drops them", async () => {
    const reason = "INC-2 \u009b2J\u001b[31mred\u001b[0m \u202eevil\u2066x\u2069 two\nlines";
    overriddenPull(6, reason);
    const json = captureIo();
    expect(await runReport([...ARGS, "--json"], json, deps())).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the test
    expect(json.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(json.stdout).toContain("\\u009b2J");
    const parsed = JSON.parse(json.stdout) as { pulls: Array<{ overrideReason?: string }> };
    expect(parsed.pulls[0]?.overrideReason).toBe(reason);
    overriddenPull(6, reason);
    const csv = captureIo();
    expect(await runReport([...ARGS, "--csv"], csv, deps())).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the test
    expect(csv.stdout).not.toMatch(/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(csv.stdout).toContain('"INC-2 red evilx two\nlines"');
  });

  it("keeps CSV cells from starting a formula, whatever the PR title says", async () => {
    const api = nock(API);
    const titles = ['=HYPERLINK("https://evil.example","x")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"];
    api
      .get("/repos/acme/shop/pulls")
      .query(true)
      .reply(
        200,
        titles.map((title, i) => pull({ number: 20 + i, merged: `2026-11-0${i + 1}T09:00:00Z`, title })),
      );
    openPulls(api, "/repos/acme/shop/pulls");
    for (let i = 0; i < titles.length; i++)
      api
        .get(`/repos/acme/shop/commits/${sha(20 + i)}/check-runs`)
        .query(true)
        .reply(200, { total_count: 0, check_runs: [] });
    const io = captureIo();
    expect(await runReport([...ARGS, "--csv"], io, deps())).toBe(0);
    const cells = io.stdout
      .trimEnd()
      .split("\r\n")
      .slice(1)
      .map((line) => line.split(",acme/")[0] ?? line);
    expect(cells.map((line) => line.split(",")[2])).toEqual([
      '"\'=HYPERLINK(""https://evil.example""',
      '"\'+1+1"',
      '"\'-2+3"',
      '"\'@SUM(A1:A2)"',
      '"\'\t=1+1"',
      '"\'\r=1+1"',
    ]);
  });

  it("asks for a token when GITHUB_TOKEN is not set", async () => {
    await expect(runReport(ARGS, captureIo(), { env: {}, now: () => NOW })).rejects.toThrow("set GITHUB_TOKEN");
  });
});
