// `countersign report --html / --summary` through the CLI against the shared GitHub model (nock
// transport): a fixed history of merged PRs (test/support/report-data.ts) plus a PR with a hostile
// title, an override and a forged `Countersign` run written by another app. The page is opened in
// a real headless Chromium and looked at: the charts drew their series, nothing left the page, no
// error, and the hostile title is text.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runReport } from "../../src/cli/report.js";
import { captureIo } from "../helpers/capture-io.js";
import { recordText } from "../support/check-record.js";
import { startBrowser, watchedPage } from "../helpers/browser.js";
import { APP_ID, GitHubModel, serveModel } from "../support/github/index.js";
import { addReportHistory } from "../support/report-data.js";

const NOW = Date.parse("2026-11-30T06:00:00Z");
/** GitHub Actions' own app: what a workflow's GITHUB_TOKEN writes check runs as. */
const ACTIONS_APP_ID = 15368;
const HOSTILE = `<img src="https://evil.example/x.png" onerror="window.__pwned=1"><script>window.__pwned=2</script> & "quotes"`;

/** The organisation, and the two PRs the test looks for: #900 (hostile title, overridden) and #901 (forged sign-off). */
function organisation(): { model: GitHubModel; history: ReturnType<typeof addReportHistory> } {
  const model = new GitHubModel(APP_ID);
  const history = addReportHistory(model, { owner: "acme", repos: ["shop", "payments", "search"], prs: 180, days: 28, now: NOW });
  const shop = model.mustRepo("acme", "shop");
  const add = (number: number, title: string, labels: string[], mergedAt: string) => {
    const headSha = model.newSha(`extra-${number}`);
    shop.pulls.set(number, {
      number,
      title,
      body: "",
      user: model.user("mallory"),
      state: "closed",
      draft: false,
      merged: true,
      headRef: `x${number}`,
      headSha,
      baseRef: "main",
      files: [],
      commits: [],
      reviews: [],
      labels,
      requestedReviewers: [],
      requestedTeams: [],
      events: [],
      createdAt: "2026-11-20T08:00:00Z",
      updatedAt: mergedAt,
      mergedAt,
      mergeCommitSha: model.newSha(`extra-merge-${number}`),
    });
    return headSha;
  };
  const run = (
    headSha: string,
    appId: number,
    text: string,
    o: { status: "in_progress" | "completed"; started: string; completed?: string },
  ) =>
    shop.checkRuns.push({
      id: model.nextId(),
      name: "Countersign",
      head_sha: headSha,
      status: o.status,
      conclusion: o.status === "completed" ? "success" : null,
      output: { title: "Countersign", summary: "…", text, annotations_count: 0 },
      app_id: appId,
      started_at: o.started,
      completed_at: o.completed ?? null,
    });
  const hostile = add(900, HOSTILE, ["ai-assisted", "risk:high"], "2026-11-25T10:00:00Z");
  run(
    hostile,
    APP_ID,
    recordText(900, {
      outcome: "overridden",
      mode: "enforce",
      gated: true,
      ai: true,
      tier: "high",
      approvedBy: [],
      overriddenBy: "ops-lead",
      overrideReason: `<b>INC-7</b> \u001b[31mred\u001b[0m`,
      unrecognised: [{ login: "<b>helper</b>[bot]", policyKey: "detection.authors", value: "<b>helper</b>[bot]" }],
    }),
    { status: "completed", started: "2026-11-25T08:00:00Z", completed: "2026-11-25T09:00:00Z" },
  );
  // #901: Countersign left it waiting; a workflow then wrote a green "Countersign" run with a forged sign-off.
  const forged = add(901, "Ship the new pricing page", ["ai-assisted", "risk:critical"], "2026-11-26T10:00:00Z");
  run(forged, APP_ID, recordText(901, { outcome: "waiting", mode: "enforce", gated: true, ai: true, tier: "critical", approvedBy: [] }), {
    status: "in_progress",
    started: "2026-11-26T08:00:00Z",
  });
  run(
    forged,
    ACTIONS_APP_ID,
    recordText(901, { outcome: "approved", mode: "enforce", gated: true, ai: true, tier: "critical", approvedBy: ["mallory-friend"] }),
    { status: "completed", started: "2026-11-26T08:05:00Z", completed: "2026-11-26T08:06:00Z" },
  );
  return { model, history };
}

const ARGS = ["--org", "acme", "--since", "2026-11-02", "--until", "2026-11-29", "--app-id", String(APP_ID)];
const env = { GITHUB_TOKEN: "ghp_test" };

describe("countersign report --html and --summary", () => {
  let dir: string;
  let browser: Browser | undefined;
  let skipReason = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "report-html-"));
    const started = await startBrowser();
    if (started.ok) browser = started.browser;
    else skipReason = started.reason;
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("counts a PR whose only green Countersign run was written by another app as not signed off", async () => {
    const { model } = organisation();
    const served = serveModel(model);
    const io = captureIo();
    expect(await runReport([...ARGS, "--json"], io, { env, now: () => new Date(NOW) })).toBe(0);
    const pulls = JSON.parse(io.stdout).pulls as Array<{
      repo: string;
      number: number;
      outcome: string;
      signedOffBy: string[];
      bypassed: boolean;
    }>;
    expect(pulls.find((p) => p.repo === "acme/shop" && p.number === 901)).toMatchObject({
      outcome: "waiting",
      signedOffBy: [],
      bypassed: true,
    });
    // Every check-run read asked GitHub for the Countersign app's runs only.
    const reads = served.requests.filter((r) => r.route === "checks.listForRef");
    expect(reads.length).toBeGreaterThan(100);
    expect(reads.every((r) => r.query.get("app_id") === String(APP_ID))).toBe(true);
  });

  it("writes one self-contained page whose charts draw in a real browser, with no request, no error and the hostile title as text", async (ctx) => {
    if (!browser) return ctx.skip(skipReason);
    const { model } = organisation();
    serveModel(model);
    const html = join(dir, "report.html");
    const summary = join(dir, "summary.md");
    const io = captureIo();
    expect(await runReport([...ARGS, "--html", html, "--summary", summary], io, { env, now: () => new Date(NOW) })).toBe(0);
    // The table still goes to stdout.
    expect(io.stdout).toMatch(/^Countersign report · acme \(3 active repositories\)/);

    const page = readFileSync(html, "utf8");
    expect(page).not.toMatch(/<script|<link|@import|url\(|src=["']?https?:/i);
    expect(page).not.toMatch(/NaN|Infinity|undefined/);
    expect(page).toContain("&#60;img src=&#34;https://evil.example/x.png&#34;");

    const { page: tab, watch } = await watchedPage(browser);
    await tab.setViewportSize({ width: 1100, height: 900 });
    await tab.setContent(page, { waitUntil: "load" });

    // November 2 to 29: four weeks, each a stacked bar and a share label.
    const weeks = await tab.locator("#chart-share g.week").evaluateAll((gs) => gs.map((g) => g.getAttribute("data-week")));
    expect(weeks).toEqual(["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]);
    const heights = await tab.locator("#chart-share rect.bar-ai").evaluateAll((rs) => rs.map((r) => Number(r.getAttribute("height"))));
    expect(heights).toHaveLength(4);
    expect(heights.every((h) => h > 0)).toBe(true);
    expect(await tab.locator("#chart-share text.share-label").allTextContents()).toHaveLength(4);
    for (const label of await tab.locator("#chart-share text.share-label").allTextContents()) expect(label).toMatch(/^\d+%$/);

    // Revert rates: all tiers, then each tier with merged PRs, an AI and an "other" bar each.
    const tiers = await tab.locator("#chart-reverts g.tier-group").evaluateAll((gs) => gs.map((g) => g.getAttribute("data-tier")));
    expect(tiers).toEqual(["all", "critical", "high", "medium", "low"]);
    expect(await tab.locator("#chart-reverts rect.rate-ai").count()).toBe(5);
    expect(await tab.locator("#chart-reverts rect.rate-other").count()).toBe(5);
    expect(await tab.locator("#chart-reverts text.value").first().textContent()).toMatch(/^\d+% · \d+ of \d+$/);

    // Waits: one small chart per tier, p50 and p90 lines through points.
    const waitTiers = await tab.locator("#waits figure.small").evaluateAll((fs) => fs.map((f) => f.getAttribute("data-tier")));
    expect(waitTiers).toEqual(["critical", "high", "medium", "low"]);
    for (const tier of waitTiers) {
      const d = await tab.locator(`#waits figure[data-tier="${tier}"] path.line-p50`).getAttribute("d");
      expect(d).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+)+/);
      expect(await tab.locator(`#waits figure[data-tier="${tier}"] circle.pt-p90`).count()).toBeGreaterThan(1);
    }

    // Load: one bar per reviewer, busiest first, drawn with a width.
    const loads = await tab.locator("#chart-load rect.bar-load").evaluateAll((rs) => rs.map((r) => r.getBoundingClientRect().width));
    expect(loads.length).toBeGreaterThan(3);
    expect([...loads].sort((a, b) => b - a)).toEqual(loads);
    expect(loads.every((w) => w > 0)).toBe(true);

    // Overrides and bypasses link to their PRs; the hostile title and reason are text, nothing ran.
    const hostileRow = tab.locator("#overrides tr", { hasText: "acme/shop#900" });
    expect(await hostileRow.locator("a").getAttribute("href")).toBe("https://github.example/acme/shop/pull/900");
    expect(await hostileRow.locator("td").nth(1).textContent()).toBe(HOSTILE);
    expect(await hostileRow.locator("td").nth(5).textContent()).toBe("<b>INC-7</b> [31mred[0m".replace(/\[\d+m/g, ""));
    expect(await tab.locator("#bypasses a", { hasText: "acme/shop#901" }).getAttribute("href")).toBe(
      "https://github.example/acme/shop/pull/901",
    );
    // The unrecognised automation the check records carry: the account, the policy entry that would count it, its PRs; as text.
    const bot = tab.locator("#unrecognised tr", { hasText: "acme/shop#900" });
    expect(await bot.locator("td").nth(0).textContent()).toBe("<b>helper</b>[bot]");
    expect(await bot.locator("td").nth(1).textContent()).toBe('detection.authors: ["<b>helper</b>[bot]"]');
    expect(await tab.locator("main img, main script, td b").count()).toBe(0);
    expect(await tab.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();

    // The summary at the top, in words.
    const words = await tab.locator("#summary").textContent();
    expect(words).toMatch(/^\d+% of the \d+ merged pull requests were AI-assisted \(\d+\)\./);
    expect(words).toContain("overrides and");

    expect(watch.requests).toEqual([]);
    expect(watch.consoleErrors).toEqual([]);
    expect(watch.pageErrors).toEqual([]);

    const md = readFileSync(summary, "utf8");
    expect(md).toMatch(
      /^### Countersign report · acme · merged 2026-11-02 → 2026-11-29\n\n\d+% of the \d+ merged pull requests were AI-assisted/,
    );
    expect(md).toContain("| tier | AI-assisted reverted | other PRs reverted | comparison |");
    expect(md).toContain("- bypass [acme/shop#901](https://github.example/acme/shop/pull/901) (critical): merged without sign-off");
    expect(md).toContain("by @\u200bops-lead: \\<b\\>INC-7\\</b\\> red");
  });

  it("refuses a --html path in a directory that does not exist, before reading GitHub", async () => {
    await expect(
      runReport([...ARGS, "--html", join(dir, "missing", "report.html")], captureIo(), { env, now: () => new Date(NOW) }),
    ).rejects.toThrow(/--html: the directory .*missing does not exist/);
  });
});
