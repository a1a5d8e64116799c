// The installation sweep of a large organisation (issue #23): 1,000 open PRs (default: 50
// repositories × 20) swept by the built app as a real process, against the loopback simulator with a
// primary rate limit it enforces (403 when spent, truthful x-ratelimit-* headers). The app's own
// label writes echo back as `pull_request.labeled` webhooks from its bot, as GitHub sends them.
// Prints: reads per PR, how long the sweep took and how many windows of the rate limit it spanned,
// requests answered 403 (target 0), and the lowest remaining seen (the reserve left to live events).
//
//   rm -rf lib && npm run build && npx tsx bench/sweep.bench.ts [--repos N] [--prs N] [--limit N] [--window-s S] [--scale N]
import { performance } from "node:perf_hooks";
import { join } from "node:path";
import { GitHubSimulator, type RequestLogEntry } from "../test/support/github/index.js";
import { AppProcess, guardBenchmark } from "./lib/app-process.js";
import { setupOrg } from "./lib/scenario.js";
import { repositoriesAdded, setupInstallation } from "./lib/soak.js";
import { ORG } from "./lib/scenario.js";

const ROOT = join(import.meta.dirname, "..");
const SECRET = "sweep-bench-secret";
const APP_ID = 777;

function option(flag: string, fallback: number): number {
  const i = process.argv.indexOf(flag);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number`);
  return n;
}

const log = (m: string) => process.stderr.write(`[sweep] ${m}\n`);

async function main(): Promise<void> {
  guardBenchmark(ROOT, 15 * 60_000, log, "run `rm -rf lib && npm run build` first");
  const repos = option("--repos", 50);
  const perRepo = option("--prs", 20);
  const limit = option("--limit", 3_000);
  const windowMs = option("--window-s", 30) * 1000;
  const scale = option("--scale", 50);
  const sim = new GitHubSimulator({ appId: APP_ID, webhookSecret: SECRET, latencyMs: 5, rateLimit: { limit, windowMs } });
  await sim.start();
  setupOrg(sim.model);
  const pulls = setupInstallation(sim.model, repos, perRepo);
  const app = new AppProcess({
    root: ROOT,
    appId: APP_ID,
    webhookSecret: SECRET,
    gheHost: sim.host,
    env: { BENCH_THROTTLE_SCALE: String(scale), WRITE_SPACING_MS: String(1000 / scale), RECONCILE_ON_START: "false" },
    nodeArgs: ["--import", "./bench/lib/scaled-throttle.mjs"],
  });
  process.on("exit", () => app.killNow());
  await app.start();
  sim.webhookUrl = app.webhookUrl;

  // The echoes: every label the app adds comes back as pull_request.labeled, sent by the app's bot.
  let echoes = 0;
  const bot = sim.model.appBot.login;
  sim.on("response", (e: RequestLogEntry) => {
    if (e.method !== "POST" || !/\/issues\/\d+\/labels$/.test(e.path) || (e.status ?? 0) >= 300) return;
    const [, owner, repo, number] = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/labels$/.exec(e.path) ?? [];
    const labels = ((e.body as { labels?: string[] } | undefined)?.labels ?? []).map(String);
    for (const label of labels) {
      echoes++;
      void sim
        .send("pull_request", sim.payloads.pullRequest("labeled", owner!, repo!, Number(number), { sender: bot, label }))
        .catch(() => undefined);
    }
  });

  const names = [...new Set(pulls.map((p) => p.repo))];
  const payload = repositoriesAdded(sim, names);
  const mark = sim.mark();
  const t0 = performance.now();
  log(
    `sweeping ${pulls.length} PRs in ${names.length} repositories; rate limit ${limit} per ${windowMs / 1000} s; throttle scaled ${scale}×`,
  );
  void sim.send("installation_repositories", payload, { timeoutMs: 30 * 60_000 }).catch(() => undefined);
  const done = () =>
    pulls.every(({ repo, number }) => {
      const { pull } = sim.model.mustPull(ORG, repo, number);
      return sim.model.latestCheckRun(ORG, repo, pull.headSha, "Countersign") !== undefined && pull.labels.length >= 2;
    });
  let lowest = limit;
  let lastProgress = 0;
  while (!done() || !(await sim.waitForQuiet(2_000, 60_000))) {
    await new Promise((r) => setTimeout(r, 500));
    const lines = app.linesSince(t0, "evaluating open pull requests: progress");
    if (lines.length !== lastProgress && lines.length > 0) {
      lastProgress = lines.length;
      const l = lines[lines.length - 1]!;
      if (typeof l.rateLimitRemaining === "number") lowest = Math.min(lowest, l.rateLimitRemaining);
      log(
        `progress: ${l.repos}/${l.of} repositories, ${l.evaluated} evaluated, remaining ${l.rateLimitRemaining ?? "?"} (${Math.round((performance.now() - t0) / 1000)} s)`,
      );
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const entries = sim.entriesSince(mark);
  const reads = entries.filter((e) => e.kind === "read" && !e.notModified).length;
  const notModified = entries.filter((e) => e.notModified).length;
  const writes = entries.filter((e) => e.kind === "write").length;
  const forbidden = sim.rateLimited;
  const evaluations = app.linesSince(t0, "evaluated pull request").length;
  await app.stop();
  await sim.stop();
  const total = reads + notModified + writes + entries.filter((e) => e.kind === "graphql").length;
  const result = {
    prs: pulls.length,
    repositories: names.length,
    rateLimit: `${limit} requests per ${windowMs / 1000} s window`,
    readsPerPr: +(reads / pulls.length).toFixed(2),
    notModifiedPerPr: +(notModified / pulls.length).toFixed(2),
    writesPerPr: +(writes / pulls.length).toFixed(2),
    evaluations,
    echoesSent: echoes,
    forbidden403: forbidden,
    seconds: +seconds.toFixed(1),
    windowsSpanned: Math.ceil((seconds * 1000) / windowMs),
    lowestRemainingSeenInProgressLines: lowest,
    requestsCharged: total - notModified,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
