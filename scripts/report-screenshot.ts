// The README's picture of the HTML report: `countersign report --org acme --html` over a simulated
// organisation (test/support/report-data.ts: 8 weeks, 640 merged PRs, in the GitHub simulator),
// opened in the same headless Chromium the tests use, screenshotted whole.
// Run: npx tsx scripts/report-screenshot.ts [docs/report-screenshot.png]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runReport } from "../src/cli/report.js";
import { startBrowser, watchedPage } from "../test/helpers/browser.js";
import { GitHubSimulator } from "../test/support/github/index.js";
import { addReportHistory } from "../test/support/report-data.js";

const out = resolve(process.argv[2] ?? "docs/report-screenshot.png");
const NOW = Date.parse("2026-11-30T06:00:00Z");
const sim = new GitHubSimulator({ latencyMs: 0 });
addReportHistory(sim.model, {
  owner: "acme",
  repos: ["shop", "payments", "search", "accounts", "infra"],
  prs: 640,
  days: 56,
  now: NOW,
});
const url = await sim.start();
const dir = mkdtempSync(join(tmpdir(), "countersign-report-"));
const page = join(dir, "report.html");
try {
  const code = await runReport(
    ["--org", "acme", "--since", "2026-10-05", "--until", "2026-11-29", "--html", page],
    { cwd: process.cwd(), out: () => {}, err: () => {} },
    { env: { GITHUB_TOKEN: "screenshot", GITHUB_API_URL: url, COUNTERSIGN_APP_ID: String(sim.model.appId) }, now: () => new Date(NOW) },
  );
  if (code !== 0) throw new Error(`countersign report exited ${code}`);
  const started = await startBrowser();
  if (!started.ok) throw new Error(started.reason);
  try {
    const { page: tab, watch } = await watchedPage(started.browser);
    await tab.setViewportSize({ width: 1100, height: 900 });
    await tab.setContent(readFileSync(page, "utf8"), { waitUntil: "load" });
    await tab.screenshot({ path: out, fullPage: true });
    if (watch.requests.length + watch.consoleErrors.length + watch.pageErrors.length > 0)
      throw new Error(`the page was not quiet: ${JSON.stringify(watch)}`);
  } finally {
    await started.browser.close();
  }
  console.log(`wrote ${out}`);
} finally {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}
