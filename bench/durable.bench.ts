// Nothing accepted is lost (issue #23): a burst of webhook deliveries, the replica taking them
// SIGKILLed in the middle, and how many of the accepted deliveries never had their effect.
// Built app as real processes (lib/), the loopback simulator (every answer delayed), a real
// redis-server. Three variants, each measured in the same run:
//   redis     two replicas, one Redis stream: the survivor claims what the killed one left pending;
//   memory    one process without Redis, restarted after the kill: it reconciles on start;
//   before    the same without the reconciliation (RECONCILE_ON_START=false): what the app did before.
// A delivery is lost when its PR does not end in the state its event leads to (the check missing,
// or still waiting after the senior's approval). Prints, per variant: deliveries accepted (2xx),
// PRs ending wrong, deliveries left in the stream, deliveries claimed by the survivor, and the time
// from the kill until every PR was right again.
//
//   rm -rf lib && npm run build && npx tsx bench/durable.bench.ts [--prs N]
import { createHmac, randomUUID } from "node:crypto";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { GitHubSimulator } from "../test/support/github/index.js";
import { startRedisServer } from "../test/helpers/redis-server.js";
import { AppProcess, guardBenchmark } from "./lib/app-process.js";

const ROOT = join(import.meta.dirname, "..");
const SECRET = "durable-bench-secret";
const APP_ID = 777;
const ORG = "acme";
const REPO = "shop";
const CHECK = "Countersign";
const log = (m: string) => process.stderr.write(`[durable] ${m}\n`);

function option(flag: string, fallback: number): number {
  const i = process.argv.indexOf(flag);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

interface VariantResult {
  variant: string;
  accepted: number;
  prsWrong: number;
  leftInStream: number | null;
  claimedBySurvivor: number | null;
  recoverSeconds: number | null;
}

function world(prs: number): GitHubSimulator {
  const sim = new GitHubSimulator({ appId: APP_ID, webhookSecret: SECRET, latencyMs: 100 });
  sim.model.addRepo(ORG, REPO, { files: { ".github/countersign.yml": 'signoff:\n  reviewers: ["carol"]\n' } });
  sim.model.setPermission(ORG, REPO, "carol", "write");
  const who = { name: "Alice", email: "alice@acme.example", login: "alice" };
  for (let n = 1; n <= prs; n++) {
    sim.model.addPull(ORG, REPO, {
      number: n,
      title: `Change ${n}`,
      author: "alice",
      headRef: `feature/${n}`,
      files: [{ filename: `src/f${n}.ts`, status: "added", additions: 1, deletions: 0, patch: "@@ -0,0 +1 @@\n+export const x = 1;" }],
      commits: [{ message: `Change ${n}\n\nCo-authored-by: Claude <noreply@anthropic.com>`, author: who, committer: who }],
    });
  }
  return sim;
}

function right(sim: GitHubSimulator, prs: number): number {
  let wrong = 0;
  for (let n = 1; n <= prs; n++) {
    const { pull } = sim.model.mustPull(ORG, REPO, n);
    const check = sim.model.latestCheckRun(ORG, REPO, pull.headSha, CHECK);
    const approved = pull.reviews.some((r) => r.state === "APPROVED");
    const ok = approved ? check?.status === "completed" && check.conclusion === "success" : check?.status === "in_progress";
    if (!ok) wrong++;
  }
  return wrong;
}

async function post(url: string, event: string, payload: object): Promise<number> {
  const body = JSON.stringify(payload);
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": randomUUID(),
        "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
      },
      body,
      signal: AbortSignal.timeout(30_000),
    });
    await res.text();
    return res.status;
  } catch {
    return 0;
  }
}

function app(sim: GitHubSimulator, env: Record<string, string>): AppProcess {
  const a = new AppProcess({
    root: ROOT,
    appId: APP_ID,
    webhookSecret: SECRET,
    gheHost: sim.host,
    env: { BENCH_THROTTLE_SCALE: "5", WRITE_SPACING_MS: "200", RETRY_ATTEMPTS: "0", ...env },
    nodeArgs: ["--import", "./bench/lib/scaled-throttle.mjs"],
  });
  process.on("exit", () => a.killNow());
  return a;
}

async function until(condition: () => boolean | Promise<boolean>, deadlineMs: number): Promise<boolean> {
  const end = performance.now() + deadlineMs;
  while (performance.now() < end) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return condition();
}

/** Every PR opened; every other one approved by the senior: its check must end passing. */
function burst(sim: GitHubSimulator, prs: number): Array<{ event: string; payload: object }> {
  const out: Array<{ event: string; payload: object }> = [];
  for (let n = 1; n <= prs; n++) {
    out.push({ event: "pull_request", payload: sim.payloads.pullRequest("opened", ORG, REPO, n) });
    if (n % 2 === 0) {
      const review = sim.model.addReview(ORG, REPO, n, { user: "carol", state: "APPROVED" });
      out.push({ event: "pull_request_review", payload: sim.payloads.review("submitted", ORG, REPO, n, review) });
    }
  }
  return out;
}

async function redisVariant(prs: number, redisUrl: string): Promise<VariantResult> {
  const sim = world(prs);
  await sim.start();
  const admin = new Redis(redisUrl);
  await admin.flushall();
  const env = { REDIS_URL: redisUrl, DELIVERY_CLAIM_IDLE_SECONDS: "2", RECONCILE_ON_START: "false" };
  const [a, b] = [app(sim, env), app(sim, env)];
  await Promise.all([a.start(), b.start()]);
  const deliveries = burst(sim, prs);
  const half = Math.ceil(deliveries.length / 2);
  // Both replicas take deliveries; the first is killed once it has answered its half and started writing.
  const mark = sim.mark();
  const first = await Promise.all(deliveries.slice(0, half).map((d, i) => post(i % 2 ? b.webhookUrl : a.webhookUrl, d.event, d.payload)));
  await sim.waitForRequest((e) => e.seq > mark && e.kind === "write", 60_000);
  process.kill(a.pid, "SIGKILL");
  const killedAt = performance.now();
  const second = await Promise.all(deliveries.slice(half).map((d) => post(b.webhookUrl, d.event, d.payload)));
  const accepted = [...first, ...second].filter((s) => s >= 200 && s < 300).length;
  const recovered = await until(() => right(sim, prs) === 0, 120_000);
  const recoverSeconds = recovered ? (performance.now() - killedAt) / 1000 : null;
  const key = (await admin.keys("countersign:*:deliveries"))[0];
  await until(async () => !key || (await admin.xlen(key)) === 0, 30_000);
  const leftInStream = key ? await admin.xlen(key) : 0;
  const claimed = b.logs.filter((l) => l.msg === "handling a delivery another replica accepted and left unfinished").length;
  const result = {
    variant: "redis (2 replicas, one SIGKILLed)",
    accepted,
    prsWrong: right(sim, prs),
    leftInStream,
    claimedBySurvivor: claimed,
    recoverSeconds,
  };
  await b.stop();
  await admin.quit();
  await sim.stop();
  return result;
}

async function memoryVariant(prs: number, reconcile: boolean): Promise<VariantResult> {
  const sim = world(prs);
  await sim.start();
  const a = app(sim, { RECONCILE_ON_START: "false" });
  await a.start();
  const mark = sim.mark();
  const answers = burst(sim, prs).map((d) => post(a.webhookUrl, d.event, d.payload));
  await sim.waitForRequest((e) => e.seq > mark && e.kind === "write", 60_000);
  process.kill(a.pid, "SIGKILL");
  const killedAt = performance.now();
  const statuses = await Promise.all(answers);
  const restarted = app(sim, { RECONCILE_ON_START: reconcile ? "true" : "false" });
  await restarted.start();
  let recoverSeconds: number | null = null;
  if (reconcile) {
    const recovered = await until(() => right(sim, prs) === 0, 180_000);
    recoverSeconds = recovered ? (performance.now() - killedAt) / 1000 : null;
  } else {
    // Nothing will come: the app waits for events that GitHub does not redeliver.
    await sim.waitForQuiet(3_000, 30_000);
  }
  const result = {
    variant: reconcile ? "memory (1 process, restarted, reconciles)" : "before (1 process, restarted, no reconciliation)",
    // Without Redis a delivery is answered once handled: those cut by the kill were accepted by GitHub's
    // count only when answered; the burst's deliveries all count as sent.
    accepted: statuses.length,
    prsWrong: right(sim, prs),
    leftInStream: null,
    claimedBySurvivor: null,
    recoverSeconds,
  };
  await restarted.stop();
  await sim.stop();
  return result;
}

async function main(): Promise<void> {
  guardBenchmark(ROOT, 15 * 60_000, log, "run `rm -rf lib && npm run build` first");
  const prs = option("--prs", 20);
  const results: VariantResult[] = [];
  const redis = await startRedisServer();
  if (redis.ok) {
    log("redis variant");
    results.push(await redisVariant(prs, redis.server.url));
    await redis.server.stop();
  } else log(`redis variant skipped: ${redis.reason}`);
  log("memory variant");
  results.push(await memoryVariant(prs, true));
  log("before variant");
  results.push(await memoryVariant(prs, false));
  process.stdout.write(`${JSON.stringify({ prs, deliveries: prs + Math.floor(prs / 2), results }, null, 2)}\n`);
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
