// Benchmark of the built app as a real process against the GitHub simulator on loopback, with
// Probot's throttling on as in production: API calls per evaluation, webhook-to-check latency,
// the drain time of a burst against its lower bound, CPU per evaluation and peak RSS — for the app
// and for its naive baseline (bench/lib/naive-app.ts, a different composition of the same code) in the same run. See bench/README.md.
//
//   npm run bench:app                      (builds, then runs with the defaults)
//   npx tsx bench/app.bench.ts --quick     (after npm run build; a smaller burst, fewer samples)
//   npm run bench:app -- --soak            (issue #15: the soak and the large installation, ~10 min;
//                                           SOAK_SECONDS=60 or --soak-seconds 60 for a shorter soak)
//
// Flags: --quick  --latency MS  --samples N  --unchanged N  --kinds N  --burst-events N  --burst-prs N
//        --window MS  --drain-timeout S  --no-naive  --no-write
//        --no-burst (single events only: prints the per-kind latency table, writes nothing)
//        --cpu-prof DIR (the app runs with node --cpu-prof, profiles written to DIR)
//        BENCH_NODE_ARGS="--import ./x.mjs" passes further node flags to the app process (e.g. a tracing preload)
//        BENCH_TRACE=1 prints every single event's requests (start→end, ms after the webhook) to stderr
//        --soak  --soak-seconds S  --soak-seed N  --soak-mix full|classic  --install-repos N  --install-prs N  --install-scale N
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import {
  APP_ID,
  CHECK_NAME,
  SIM_WEBHOOK_SECRET,
  countEntries,
  GitHubSimulator,
  type CallCounts,
  type Delivery,
  type RequestLogEntry,
} from "../test/support/github/index.js";
import { AppProcess, buildNaiveEntry, guardBenchmark, NAIVE_ENTRY } from "./lib/app-process.js";
import { fmt, writeSection } from "./lib/report.js";
import { renderBaseUpdates, runBaseUpdates, setupBaseUpdates } from "./lib/base-updates.js";
import {
  runInstallDrain,
  runSoak,
  setupInstallation,
  setupSoak,
  SOAK_MIXES,
  type InstallResult,
  type SoakMix,
  type SoakOptions,
  type SoakPr,
} from "./lib/soak.js";
import { renderSoak, type SoakRun } from "./lib/soak-report.js";
import {
  byKind,
  describeRounds,
  isCheckWrite,
  render,
  renderKinds,
  roundTrips,
  summarise,
  type AppResult,
  type BurstResult,
  type Options,
  type Sample,
} from "./lib/app-results.js";
import {
  applyBurstEvent,
  burstSchedule,
  checkMatches,
  describeCheck,
  ORG,
  PEER,
  SENIOR,
  setupBurst,
  setupOrg,
  setupSinglePr,
  SINGLE_PR,
  SINGLE_REPO,
  type BurstPr,
  type ExpectedOutcome,
} from "./lib/scenario.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SECRET = SIM_WEBHOOK_SECRET;
const EVALUATED = "evaluated pull request";
const TIME_LIMIT_MS = 11 * 60_000;
/** @octokit/plugin-throttling: writes at least 1 s apart per installation, notification-triggering writes 3 s. */
const WRITE_GAP_MS = 1_000;
const NOTIFICATION_GAP_MS = 3_000;
const NOTIFYING = /\/(requested_reviewers|comments)$|\/issues$|\/pulls$/;

// --- options ------------------------------------------------------------------------------------

/** --soak-mix full|classic (default full: the mix of issue #19 item 26). */
function soakMixOf(argv: string[]): SoakMix {
  const i = argv.indexOf("--soak-mix");
  if (i < 0) return "full";
  const mix = argv[i + 1];
  if (!SOAK_MIXES.includes(mix as SoakMix)) throw new Error(`--soak-mix needs one of ${SOAK_MIXES.join(", ")}`);
  return mix as SoakMix;
}

function parseOptions(argv: string[]): Options {
  const quick = argv.includes("--quick");
  const value = (flag: string, fallback: number): number => {
    const i = argv.indexOf(flag);
    if (i < 0) return fallback;
    const n = Number(argv[i + 1]);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a non-negative number`);
    return n;
  };
  const known = [
    "--quick",
    "--latency",
    "--samples",
    "--unchanged",
    "--kinds",
    "--no-burst",
    "--cpu-prof",
    "--burst-events",
    "--burst-prs",
    "--window",
    "--drain-timeout",
    "--no-naive",
    "--no-write",
    "--soak",
    "--soak-seconds",
    "--soak-seed",
    "--soak-mix",
    "--install-repos",
    "--install-prs",
    "--install-scale",
  ];
  argv.forEach((a, i) => {
    if (a.startsWith("--") && !known.includes(a)) throw new Error(`unknown flag ${a}; known: ${known.join(" ")}`);
    if (!a.startsWith("--") && !known.includes(argv[i - 1] ?? "")) throw new Error(`unexpected argument ${a}`);
    if (a === "--cpu-prof" && !argv[i + 1]) throw new Error("--cpu-prof needs a directory");
  });
  const options: Options = {
    quick,
    latencyMs: value("--latency", 100),
    samples: value("--samples", quick ? 6 : 12),
    unchanged: value("--unchanged", quick ? 4 : 6),
    burstEvents: value("--burst-events", quick ? 100 : 500),
    burstPrs: value("--burst-prs", quick ? 10 : 50),
    windowMs: value("--window", quick ? 2_000 : 5_000),
    drainTimeoutS: argv.includes("--drain-timeout") ? value("--drain-timeout", 0) : undefined,
    naive: !argv.includes("--no-naive"),
    write: !argv.includes("--no-write"),
    soak: argv.includes("--soak"),
    soakSeconds: value("--soak-seconds", Number(process.env.SOAK_SECONDS) > 0 ? Number(process.env.SOAK_SECONDS) : 300),
    soakSeed: value("--soak-seed", 15),
    soakMix: soakMixOf(argv),
    installRepos: value("--install-repos", 100),
    installPrs: value("--install-prs", 3),
    installScale: value("--install-scale", 10),
    kinds: value("--kinds", quick ? 2 : 4),
    burst: !argv.includes("--no-burst"),
    cpuProfDir: argv.includes("--cpu-prof") ? argv[argv.indexOf("--cpu-prof") + 1] : undefined,
  };
  if (options.burstPrs < 1 || options.burstEvents < 3 * options.burstPrs)
    throw new Error("--burst-events must be at least 3 × --burst-prs (pushes, a comment, a deciding review per PR)");
  return options;
}

// --- helpers ------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const isLabelWrite = (e: RequestLogEntry) => ["issues.addLabels", "issues.removeLabel", "issues.createLabel"].includes(e.route);
const short = (sha: string) => sha.slice(0, 7);

/** Wait until a new write would not queue behind Probot's write limiter (1 s) or notification limiter (3 s). */
async function writeGap(sim: GitHubSimulator): Promise<void> {
  let until = 0;
  for (let i = sim.log.length - 1; i >= 0; i--) {
    const e = sim.log[i]!;
    if (e.kind !== "write" && e.kind !== "graphql") continue;
    until = Math.max(until, e.at + WRITE_GAP_MS + 100);
    if (NOTIFYING.test(e.path)) until = Math.max(until, e.at + NOTIFICATION_GAP_MS + 100);
    if (performance.now() - e.at > NOTIFICATION_GAP_MS + 200) break;
  }
  const wait = until - performance.now();
  if (wait > 0) await sleep(wait);
}

/** After a delivery: its evaluation logged (or 1.5 s passed: a debouncing app answers first), then no request for 300 ms. */
async function settle(sim: GitHubSimulator, app: AppProcess, delivery: Delivery, logMark: number): Promise<void> {
  const deadline = performance.now() + 30_000;
  const answeredAt = delivery.answeredAt;
  while (performance.now() < deadline) {
    const logged = app.linesSince(logMark, EVALUATED).length > 0;
    if (logged || performance.now() - answeredAt > 1_500) break;
    await sleep(20);
  }
  await sim.waitForQuiet(300, Math.max(1_000, deadline - performance.now()));
}

/** The app, or its naive baseline (a different composition, bench/lib/naive-app.ts), as a process. */
const entryOf = (variant: "app" | "naive") => (variant === "naive" ? { entry: NAIVE_ENTRY } : {});

// --- phases -------------------------------------------------------------------------------------

/** Deliver one event for the small PR, wait until it is handled, and count what reached the simulator. */
async function measureOne(
  sim: GitHubSimulator,
  app: AppProcess,
  kind: string,
  prepare: () => { event: string; payload: object; deliveryId?: string },
  expected: ExpectedOutcome,
): Promise<Sample> {
  await writeGap(sim);
  const mark = sim.mark();
  const logMark = performance.now();
  const { event, payload, deliveryId } = prepare();
  const delivery = await sim.send(event, payload, deliveryId ? { deliveryId } : {});
  await settle(sim, app, delivery, logMark);
  const entries = sim.entriesSince(mark);
  const firstCheckWrite = entries.find(isCheckWrite);
  const evaluatedAt = app.linesSince(logMark, EVALUATED)[0]?.at;
  if (process.env.BENCH_TRACE)
    process.stderr.write(
      `${kind}: ${entries.map((e) => `${e.route} ${Math.round(e.at - delivery.sentAt)}→${Math.round((e.doneAt ?? NaN) - delivery.sentAt)}`).join(", ")}; answered ${Math.round(delivery.answeredAt - delivery.sentAt)}, logged ${Math.round((evaluatedAt ?? NaN) - delivery.sentAt)}\n`,
    );
  const head = sim.model.mustPull(ORG, SINGLE_REPO, SINGLE_PR).pull.headSha;
  const run = sim.model.latestCheckRun(ORG, SINGLE_REPO, head, CHECK_NAME);
  const ok = checkMatches(run, expected);
  return {
    kind,
    counts: countEntries(entries),
    labelWrites: entries.filter(isLabelWrite).length,
    latencyMs: firstCheckWrite ? firstCheckWrite.at - delivery.sentAt : undefined,
    evaluatedMs: evaluatedAt !== undefined ? evaluatedAt - delivery.sentAt : undefined,
    evaluations: app.linesSince(logMark, EVALUATED).length,
    rounds: roundTrips(entries, evaluatedAt),
    ...plumbing(entries, delivery.sentAt, firstCheckWrite?.at ?? evaluatedAt),
    ok,
    ...(ok
      ? {}
      : { problem: `${kind}: expected ${expected} on ${short(head)}, found ${describeCheck(run)} (webhook answered ${delivery.status})` }),
  };
}

/**
 * Where the time around the reads goes: webhook sent → the first request of round 1 (signature,
 * parsing, hand-off to the handler), and the last read answered → the check write sent (or the
 * evaluation logged): deciding, rendering, the write queue.
 */
function plumbing(entries: RequestLogEntry[], sentAt: number, end: number | undefined): { beforeReadsMs?: number; afterReadsMs?: number } {
  if (end === undefined) return {};
  const reads = entries.filter((e) => e.kind !== "token" && e.at < end && (e.doneAt ?? Infinity) <= end && !isCheckWrite(e));
  if (reads.length === 0) return {};
  return {
    beforeReadsMs: Math.min(...reads.map((e) => e.at)) - sentAt,
    afterReadsMs: end - Math.max(...reads.map((e) => e.doneAt ?? e.at)),
  };
}

async function singleEvents(sim: GitHubSimulator, app: AppProcess, options: Options) {
  // The first evaluation is cold: no token, no caches, labels to create, review to request.
  const cold = await measureOne(
    sim,
    app,
    "cold",
    () => ({ event: "pull_request", payload: sim.payloads.pullRequest("opened", ORG, SINGLE_REPO, SINGLE_PR) }),
    "waiting",
  );
  // Warm-up that is not measured: one push, so the caches hold this PR's facts.
  await measureOne(sim, app, "warm-up", () => pushEvent(sim), "waiting");

  const cpu0 = app.cpuMs();
  const changing: Sample[] = [];
  let lastPush: { event: string; payload: object; deliveryId: string } | undefined;
  for (let i = 0; i < options.samples; i++) {
    if (i % 2 === 0) {
      changing.push(
        await measureOne(
          sim,
          app,
          "push",
          () => {
            lastPush = { ...pushEvent(sim), deliveryId: `push-${i}-${Date.now()}` };
            return lastPush;
          },
          "waiting",
        ),
      );
    } else {
      changing.push(
        await measureOne(
          sim,
          app,
          "approval",
          () => {
            const review = sim.model.addReview(ORG, SINGLE_REPO, SINGLE_PR, { user: SENIOR, state: "APPROVED" });
            return { event: "pull_request_review", payload: sim.payloads.review("submitted", ORG, SINGLE_REPO, SINGLE_PR, review) };
          },
          "success",
        ),
      );
    }
  }
  const settledOutcome: ExpectedOutcome = options.samples % 2 === 0 ? "success" : "waiting";
  const unchanged: Sample[] = [];
  for (let i = 0; i < options.unchanged; i++) {
    if (i % 2 === 0 || !lastPush) {
      unchanged.push(
        await measureOne(
          sim,
          app,
          "edited (nothing changed)",
          () => ({ event: "pull_request", payload: sim.payloads.pullRequest("edited", ORG, SINGLE_REPO, SINGLE_PR) }),
          settledOutcome,
        ),
      );
    } else {
      const again = lastPush;
      unchanged.push(await measureOne(sim, app, "redelivered synchronize", () => again, settledOutcome));
    }
  }
  const evaluations = [...changing, ...unchanged].reduce((a, s) => a + Math.max(1, s.evaluations), 0);
  const cpuPerEvalMs = (app.cpuMs() - cpu0) / Math.max(1, evaluations);
  const kinds = await furtherKinds(sim, app, options, settledOutcome);
  return { cold, changing: summarise(changing), unchanged: summarise(unchanged), kinds: summarise(kinds), cpuPerEvalMs };
}

/**
 * The other warm event kinds, `--kinds` of each (reported per kind, not in the averages above): a
 * senior's change request and approval in turn (each changes the check), then events that change
 * nothing: a label a person adds, a `/countersign recheck` comment, a re-run of our check.
 */
async function furtherKinds(sim: GitHubSimulator, app: AppProcess, options: Options, settled: ExpectedOutcome): Promise<Sample[]> {
  const out: Sample[] = [];
  const review = (state: "APPROVED" | "CHANGES_REQUESTED") => () => {
    const r = sim.model.addReview(ORG, SINGLE_REPO, SINGLE_PR, {
      user: SENIOR,
      state,
      ...(state === "CHANGES_REQUESTED" ? { body: "Please split this." } : {}),
    });
    return { event: "pull_request_review", payload: sim.payloads.review("submitted", ORG, SINGLE_REPO, SINGLE_PR, r) };
  };
  for (let i = 0; i < options.kinds; i++) {
    out.push(await measureOne(sim, app, "changes requested", review("CHANGES_REQUESTED"), "failure"));
    out.push(await measureOne(sim, app, "approval", review("APPROVED"), "success"));
  }
  // After the pairs above the PR is approved again.
  const standing: ExpectedOutcome = options.kinds > 0 ? "success" : settled;
  for (let i = 0; i < options.kinds; i++) {
    out.push(
      await measureOne(
        sim,
        app,
        "labeled (by a person)",
        () => {
          const { repo, pull } = sim.model.mustPull(ORG, SINGLE_REPO, SINGLE_PR);
          const label = `needs-qa-${i}`;
          sim.model.addLabelsToPull(repo, pull, [label], sim.model.user(PEER));
          return {
            event: "pull_request",
            payload: sim.payloads.pullRequest("labeled", ORG, SINGLE_REPO, SINGLE_PR, { label, sender: PEER }),
          };
        },
        standing,
      ),
    );
    out.push(
      await measureOne(
        sim,
        app,
        "comment /countersign recheck",
        () => {
          // The comment exists on the PR (the app acknowledges it with a reaction).
          const { pull } = sim.model.mustPull(ORG, SINGLE_REPO, SINGLE_PR);
          const body = "/countersign recheck";
          const { id } = sim.model.addComment(pull, body, sim.model.user(PEER));
          const payload = sim.payloads.comment(ORG, SINGLE_REPO, SINGLE_PR, PEER, body) as { comment: { id: number } };
          payload.comment.id = id;
          return { event: "issue_comment", payload };
        },
        standing,
      ),
    );
    out.push(await measureOne(sim, app, "re-run requested", () => rerun(sim), standing));
  }
  return out;
}

/** check_run.rerequested on our check on the small PR's head ("Re-run" in GitHub's UI). */
function rerun(sim: GitHubSimulator): { event: string; payload: object } {
  const head = sim.model.mustPull(ORG, SINGLE_REPO, SINGLE_PR).pull.headSha;
  const run = sim.model.latestCheckRun(ORG, SINGLE_REPO, head, CHECK_NAME);
  const { repository, installation, organization } = sim.payloads.pullRequest("edited", ORG, SINGLE_REPO, SINGLE_PR) as Record<
    string,
    unknown
  >;
  return {
    event: "check_run",
    payload: {
      action: "rerequested",
      check_run: {
        id: run?.id ?? 0,
        name: CHECK_NAME,
        head_sha: head,
        status: run?.status ?? "completed",
        conclusion: run?.conclusion ?? null,
        app: { id: APP_ID },
        pull_requests: [{ number: SINGLE_PR, head: { sha: head }, base: {} }],
      },
      repository,
      installation,
      organization,
      sender: (sim.payloads.pullRequest("edited", ORG, SINGLE_REPO, SINGLE_PR, { sender: PEER }) as { sender: unknown }).sender,
    },
  };
}

function pushEvent(sim: GitHubSimulator): { event: string; payload: object } {
  const before = sim.model.mustPull(ORG, SINGLE_REPO, SINGLE_PR).pull.headSha;
  sim.model.pushHead(ORG, SINGLE_REPO, SINGLE_PR, { message: "Address review comments" });
  return { event: "pull_request", payload: sim.payloads.pullRequest("synchronize", ORG, SINGLE_REPO, SINGLE_PR, { before }) };
}

async function burstPhase(sim: GitHubSimulator, app: AppProcess, prs: BurstPr[], options: Options): Promise<BurstResult> {
  await writeGap(sim);
  await sim.waitForQuiet(500, 10_000);
  const key = (pr: BurstPr) => `${pr.repo}#${pr.number}`;
  const headOwner = new Map<string, BurstPr>();
  const before = new Map<string, { head: string; labels: string[] }>();
  for (const pr of prs) {
    const { pull } = sim.model.mustPull(ORG, pr.repo, pr.number);
    headOwner.set(pull.headSha, pr);
    before.set(key(pr), { head: pull.headSha, labels: [...pull.labels] });
  }
  const schedule = burstSchedule(prs, options.burstEvents, options.windowMs);
  const metricsBefore = await app.metrics();

  const cpu0 = app.cpuMs();
  const mark = sim.mark();
  const logMark = performance.now();
  const t0 = performance.now();
  const deliveries: Array<Promise<Delivery>> = [];
  const eventTimes = new Map<string, number[]>();
  for (const e of schedule) {
    const wait = t0 + e.at - performance.now();
    if (wait > 0) await sleep(wait);
    const { event, payload } = applyBurstEvent(sim.model, sim.payloads, e);
    if (e.kind === "push") headOwner.set(sim.model.mustPull(ORG, e.pr.repo, e.pr.number).pull.headSha, e.pr);
    eventTimes.set(key(e.pr), [...(eventTimes.get(key(e.pr)) ?? []), performance.now()]);
    deliveries.push(sim.send(event, payload, { timeoutMs: 120_000 }));
  }
  const firstSent = t0;

  // The lower bound: one throttled second per required write (three for notification-triggering ones).
  let requiredChecks = 0;
  let requiredLabels = 0;
  for (const pr of prs) {
    const { pull } = sim.model.mustPull(ORG, pr.repo, pr.number);
    const was = before.get(key(pr))!;
    const standing = sim.model.latestCheckRun(ORG, pr.repo, pull.headSha, CHECK_NAME);
    if (pull.headSha !== was.head || !checkMatches(standing, pr.expected)) requiredChecks++;
    const add = pr.labels.filter((l) => !was.labels.includes(l));
    const remove = was.labels.filter((l) => !pr.labels.includes(l));
    requiredLabels += (add.length > 0 ? 1 : 0) + remove.length;
  }
  const required = { checks: requiredChecks, labels: requiredLabels, notifications: 0 };
  const lowerBoundS = required.checks + required.labels + 3 * required.notifications;
  const capMs = (options.drainTimeoutS ?? Math.max(60, 2.5 * lowerBoundS + options.windowMs / 1000)) * 1000;
  const deadline = firstSent + capMs;

  await Promise.race([Promise.allSettled(deliveries), sleep(Math.max(0, deadline - performance.now()))]);
  const quiet = performance.now() < deadline && (await sim.waitForQuiet(5_000, Math.max(0, deadline - performance.now())));
  const timedOut = !quiet;

  const entries = sim.entriesSince(mark);
  const checkWrites = entries.filter(isCheckWrite);
  const lastCheckWrite = checkWrites.reduce((m, e) => Math.max(m, e.at), firstSent);
  const finalHead = (pr: BurstPr) => sim.model.mustPull(ORG, pr.repo, pr.number).pull.headSha;
  const runHead = new Map<number, string>();
  for (const repo of sim.model.repos.values()) for (const r of repo.checkRuns) runHead.set(r.id, r.head_sha);
  const writeHead = (e: RequestLogEntry) =>
    e.route === "checks.create" ? ((e.body ?? {}) as { head_sha?: string }).head_sha : runHead.get(Number(e.path.split("/").pop()));
  const staleCheckWrites = checkWrites.filter((e) => {
    const sha = writeHead(e);
    const pr = sha ? headOwner.get(sha) : undefined;
    return !pr || sha !== finalHead(pr);
  }).length;
  // Every check write but each PR's last one was replaced. Was it already out of date when it was
  // written (an event for the PR was sent between the evaluation's read of the PR and the write: the
  // app could know a newer state was pending), or an intermediate state (the PR changed only later)?
  const prOfPath = (path: string) => /^\/repos\/[^/]+\/([^/]+)\/pulls\/(\d+)$/.exec(path);
  const readsOf = new Map<string, number[]>();
  for (const e of entries) {
    const m = e.route === "pulls.get" ? prOfPath(e.path) : null;
    if (m) readsOf.set(`${m[1]}#${m[2]}`, [...(readsOf.get(`${m[1]}#${m[2]}`) ?? []), e.at]);
  }
  let outdatedWhenWritten = 0;
  let intermediate = 0;
  for (const pr of prs) {
    const writes = checkWrites.filter((e) => {
      const sha = writeHead(e);
      return sha !== undefined && headOwner.get(sha) === pr;
    });
    const sent = eventTimes.get(key(pr)) ?? [];
    const reads = readsOf.get(key(pr)) ?? [];
    for (const w of writes.slice(0, -1)) {
      const readAt = reads.filter((t) => t < w.at).pop() ?? -Infinity;
      if (sent.some((t) => t > readAt && t < w.at)) outdatedWhenWritten++;
      else intermediate++;
    }
  }

  const wrong: string[] = [];
  for (const pr of prs) {
    const head = finalHead(pr);
    const run = sim.model.latestCheckRun(ORG, pr.repo, head, CHECK_NAME);
    const labels = sim.model.mustPull(ORG, pr.repo, pr.number).pull.labels;
    const problems: string[] = [];
    if (!checkMatches(run, pr.expected)) problems.push(`expected ${pr.expected} on head ${short(head)}, found ${describeCheck(run)}`);
    if ([...labels].sort().join(",") !== [...pr.labels].sort().join(","))
      problems.push(`labels [${labels.join(", ")}], expected [${pr.labels.join(", ")}]`);
    if (problems.length > 0) wrong.push(`${ORG}/${key(pr)}: ${problems.join("; ")}`);
  }
  const metricsAfter = await app.metrics();
  const coalesced = (m: Map<string, number> | undefined) =>
    m ? [...m].filter(([k]) => k.startsWith("countersign_coalesced_events_total")).reduce((a, [, v]) => a + v, 0) : undefined;
  const c0 = coalesced(metricsBefore);
  const c1 = coalesced(metricsAfter);
  return {
    events: schedule.length,
    prs: prs.length,
    evaluations: app.linesSince(logMark, EVALUATED).length,
    failures: app.linesSince(logMark, "evaluation failed").length,
    counts: countEntries(entries),
    checkWrites: checkWrites.length,
    labelWrites: entries.filter(isLabelWrite).length,
    notificationWrites: entries.filter((e) => e.kind === "write" && NOTIFYING.test(e.path)).length,
    staleCheckWrites,
    outdatedWhenWritten,
    intermediate,
    required,
    lowerBoundS,
    drainS: (lastCheckWrite - firstSent) / 1000,
    timedOut,
    correct: prs.length - wrong.length,
    wrong,
    cpuMs: app.cpuMs() - cpu0,
    coalescedMetric: c0 !== undefined && c1 !== undefined ? c1 - c0 : undefined,
  };
}

/** countersign_github_requests_total by kind from the app's /metrics, if it serves them. */
async function requestMetrics(app: AppProcess): Promise<Map<string, number> | undefined> {
  const metrics = await app.metrics();
  if (!metrics) return undefined;
  const byKind = new Map<string, number>();
  for (const [k, v] of metrics) {
    const m = /^countersign_github_requests_total\{.*kind="(\w+)".*\}$/.exec(k);
    if (m?.[1]) byKind.set(m[1], (byKind.get(m[1]) ?? 0) + v);
  }
  return byKind.size > 0 ? byKind : undefined;
}

/** The app's own request counts against the simulator's, phase by phase. */
function metricsCrossCheck(
  phases: Array<{ name: string; before: Map<string, number> | undefined; after: Map<string, number> | undefined; sim: CallCounts }>,
): string {
  if (phases.every((p) => !p.after)) return "the app serves no countersign_github_requests_total on /metrics";
  return phases
    .map(({ name, before, after, sim }) => {
      if (!after) return `${name}: no metrics`;
      const delta = (k: string) => (after.get(k) ?? 0) - (before?.get(k) ?? 0);
      const pairs: Array<[string, number, number]> = [
        ["read", delta("read"), sim.read],
        ["write", delta("write"), sim.write],
        ["graphql", delta("graphql"), sim.graphql],
        ["auth", delta("auth"), sim.token],
      ];
      const text = pairs.map(([k, app, simN]) => `${k} ${app}${app === simN ? "" : ` (**simulator ${simN}**)`}`).join(", ");
      return `${name}: ${text}`;
    })
    .join("; ");
}

const running = new Set<AppProcess>();
/** The base-branch-update scenario's section (issue #11), measured on the app variant. */
let baseUpdatesSection: string | undefined;

async function runVariant(variant: "app" | "naive", options: Options): Promise<AppResult | undefined> {
  const sim = new GitHubSimulator({ appId: APP_ID, latencyMs: options.latencyMs, webhookSecret: SECRET });
  await sim.start();
  setupOrg(sim.model);
  setupSinglePr(sim.model);
  const prs = setupBurst(sim.model, options.burstPrs);
  sim.model.user(PEER);
  setupBaseUpdates(sim.model);
  const profile = options.cpuProfDir
    ? { nodeArgs: ["--cpu-prof", "--cpu-prof-dir", options.cpuProfDir] }
    : process.env.BENCH_NODE_ARGS
      ? { nodeArgs: process.env.BENCH_NODE_ARGS.split(" ") }
      : {};
  const app = new AppProcess({ root: ROOT, appId: APP_ID, webhookSecret: SECRET, gheHost: sim.host, ...profile, ...entryOf(variant) });
  running.add(app);
  try {
    await app.start();
    sim.webhookUrl = app.webhookUrl;
    log(`${variant}: app pid ${app.pid} on ${app.baseUrl}, simulator on ${sim.apiBaseUrl} (${options.latencyMs} ms per call)`);
    const m0 = await requestMetrics(app);
    const mark0 = sim.mark();
    const single = await singleEvents(sim, app, options);
    const m1 = await requestMetrics(app);
    const mark1 = sim.mark();
    log(`${variant}: single events done (${single.changing.samples.length} state-changing, ${single.unchanged.samples.length} unchanged)`);
    if (!options.burst) {
      const rows = byKind([...single.changing.samples, ...single.unchanged.samples, ...single.kinds.samples]);
      process.stdout.write(`\n${variant}: CPU per evaluation ${fmt(single.cpuPerEvalMs)} ms\n${renderKinds(rows, options.latencyMs)}\n`);
      for (const r of rows)
        if (r.slowest)
          process.stdout.write(
            `- slowest ${r.kind}: ${fmt(r.slowest.latencyMs ?? r.slowest.evaluatedMs ?? NaN, 0)} ms, ${describeRounds(r.slowest)}\n`,
          );
      return undefined;
    }
    const burst = await burstPhase(sim, app, prs, options);
    log(
      `${variant}: burst drained in ${fmt(burst.drainS)} s (lower bound ${burst.lowerBoundS} s${burst.timedOut ? ", TIMED OUT" : ""}), ${burst.correct}/${burst.prs} PRs correct`,
    );
    const m2 = await requestMetrics(app);
    const mark2 = sim.mark();
    if (variant === "app") {
      baseUpdatesSection = renderBaseUpdates(
        await runBaseUpdates(sim, app, options.quick),
        `npm run bench:app${options.quick ? " -- --quick" : ""}`,
      );
      log(`${variant}: base-branch updates done`);
    }
    const peakRssMb = app.memoryMb().peak;
    const unknownRoutes = [...new Set(sim.log.filter((e) => e.route === "unknown").map((e) => `${e.method} ${e.path}`))];
    return {
      variant,
      cold: single.cold.counts,
      coldLatencyMs: single.cold.latencyMs,
      changing: single.changing,
      unchanged: single.unchanged,
      kinds: single.kinds,
      cpuPerEvalMs: single.cpuPerEvalMs,
      burst,
      peakRssMb,
      metricsNote: metricsCrossCheck([
        { name: "single events", before: m0, after: m1, sim: sim.countsSince(mark0, mark1) },
        { name: "burst", before: m1, after: m2, sim: sim.countsSince(mark1, mark2) },
      ]),
      unknownRoutes,
    };
  } catch (err) {
    log(`${variant}: failed: ${(err as Error).message}\n${app.tail(20)}`);
    throw err;
  } finally {
    await app.stop();
    running.delete(app);
    await sim.stop();
  }
}

// --- soak mode (issue #15) ------------------------------------------------------------------------

/** What an app that evaluated the PR once left: our in_progress check on each head. */
function seedChecks(sim: GitHubSimulator, prs: SoakPr[]): void {
  for (const pr of prs) {
    const repo = sim.model.mustRepo(ORG, pr.repo);
    const head = sim.model.mustPull(ORG, pr.repo, pr.number).pull.headSha;
    const now = new Date().toISOString();
    repo.checkRuns.push({
      id: sim.model.nextId(),
      name: CHECK_NAME,
      head_sha: head,
      status: "in_progress",
      conclusion: null,
      output: { title: "Waiting for 1 approval", summary: "", text: null, annotations_count: 0 },
      app_id: APP_ID,
      started_at: now,
      completed_at: null,
    });
  }
}

async function soakVariant(variant: "app" | "naive", options: Options, soak: SoakOptions) {
  const sim = new GitHubSimulator({ appId: APP_ID, latencyMs: options.latencyMs, webhookSecret: SECRET });
  await sim.start();
  setupOrg(sim.model);
  const prs = setupSoak(sim.model);
  seedChecks(sim, prs);
  const app = new AppProcess({ root: ROOT, appId: APP_ID, webhookSecret: SECRET, gheHost: sim.host, ...entryOf(variant) });
  running.add(app);
  try {
    await app.start();
    sim.webhookUrl = app.webhookUrl;
    log(`${variant}: soak of ${soak.seconds} s, app pid ${app.pid}`);
    const t = performance.now();
    const result = await runSoak(sim, prs, soak);
    // BENCH_SOAK_APP_LOG=path: the app's log lines during the soak (one JSON object a line), to read the order of its decisions.
    if (process.env.BENCH_SOAK_APP_LOG) {
      const lines = app.linesSince(t).map((l) => JSON.stringify({ ...l, at: Number(((l.at - t) / 1000).toFixed(3)) }));
      writeFileSync(`${process.env.BENCH_SOAK_APP_LOG}.${variant}`, `${lines.join("\n")}\n`);
    }
    log(
      `${variant}: soak done: ${result.falsePassOverReaction} false-pass moments, staleness p50 ${fmt(result.stalenessP50Ms / 1000)} s / p95 ${fmt(result.stalenessP95Ms / 1000)} s`,
    );
    return result;
  } finally {
    await app.stop();
    running.delete(app);
    await sim.stop();
  }
}

async function installVariant(variant: "app" | "naive", options: Options): Promise<InstallResult> {
  const scale = Math.max(1, options.installScale);
  const latencyMs = options.latencyMs / scale;
  const sim = new GitHubSimulator({ appId: APP_ID, latencyMs, webhookSecret: SECRET });
  await sim.start();
  setupOrg(sim.model);
  const pulls = setupInstallation(sim.model, options.installRepos, options.installPrs);
  const env: Record<string, string> = { BENCH_THROTTLE_SCALE: String(scale), WRITE_SPACING_MS: String(1000 / scale) };
  const app = new AppProcess({
    root: ROOT,
    appId: APP_ID,
    webhookSecret: SECRET,
    gheHost: sim.host,
    env,
    nodeArgs: ["--import", "./bench/lib/scaled-throttle.mjs"],
    ...entryOf(variant),
  });
  running.add(app);
  try {
    await app.start();
    sim.webhookUrl = app.webhookUrl;
    const t = performance.now();
    log(`${variant}: installation of ${options.installRepos} repositories × ${options.installPrs} PRs, throttle scaled ${scale}×`);
    const result = await runInstallDrain(
      sim,
      pulls,
      1000 / scale,
      600,
      () => app.linesSince(t, "evaluating open pull requests: progress").length,
    );
    log(
      `${variant}: installation drained in ${fmt(result.drainS)} s (lower bound ${fmt(result.lowerBoundS)} s${result.timedOut ? ", TIMED OUT" : ""})`,
    );
    return result;
  } finally {
    await app.stop();
    running.delete(app);
    await sim.stop();
  }
}

async function soakMode(options: Options): Promise<void> {
  const started = new Date();
  const t0 = performance.now();
  const soak: SoakOptions = {
    seconds: options.soakSeconds,
    atBudgetRate: 1,
    aboveRate: 6,
    drainTimeoutS: 60,
    seed: options.soakSeed,
    mix: options.soakMix,
  };
  // Both variants at once: the same minutes, the same machine load.
  const variants: Array<"app" | "naive"> = options.naive ? ["app", "naive"] : ["app"];
  const soaks = await Promise.all(variants.map((v) => soakVariant(v, options, soak)));
  const runs: SoakRun[] = [];
  for (const [i, variant] of variants.entries()) {
    const install = options.installRepos > 0 ? await installVariant(variant, options) : undefined;
    runs.push({ variant, soak: soaks[i]!, install });
  }
  const command = `npm run bench:app -- ${process.argv.slice(2).join(" ")}${process.env.SOAK_SECONDS ? ` (SOAK_SECONDS=${process.env.SOAK_SECONDS})` : ""}`;
  const section = renderSoak(
    {
      ...soak,
      latencyMs: options.latencyMs,
      installRepos: options.installRepos,
      installPrs: options.installPrs,
      installScale: options.installScale,
    },
    runs,
    started,
    (performance.now() - t0) / 1000,
    command,
  );
  process.stdout.write(`\n${section}\n`);
  if (options.write) {
    writeSection(join(ROOT, "BENCHMARKS.md"), "bench:soak", section);
    log("BENCHMARKS.md updated (between <!-- bench:soak:start --> and <!-- bench:soak:end -->)");
  }
}

// --- report -------------------------------------------------------------------------------------

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

// --- main ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = new Date();
  const t0 = performance.now();
  const limitMs = options.soak ? TIME_LIMIT_MS + options.soakSeconds * 1000 + 10 * 60_000 : TIME_LIMIT_MS;
  guardBenchmark(ROOT, limitMs, log, "run `npm run build` first (or `npm run bench:app`)");
  if (options.naive) buildNaiveEntry(ROOT);
  if (options.soak) {
    log(`soak mode: ${JSON.stringify(options)}`);
    return soakMode(options);
  }
  log(`options: ${JSON.stringify(options)}`);
  const app = await runVariant("app", options);
  const naive = options.naive ? await runVariant("naive", options) : undefined;
  if (!app) return; // --no-burst: the per-kind table is printed, nothing is written
  const durationS = (performance.now() - t0) / 1000;
  const section = render(options, app, naive, started, durationS);
  process.stdout.write(`\n${section}\n`);
  if (options.write) {
    writeSection(join(ROOT, "BENCHMARKS.md"), "bench:app", section);
    log("BENCHMARKS.md updated (between <!-- bench:app:start --> and <!-- bench:app:end -->)");
  }
  if (baseUpdatesSection) {
    process.stdout.write(`\n${baseUpdatesSection}\n`);
    if (options.write) writeSection(join(ROOT, "BENCHMARKS.md"), "bench:base-updates", baseUpdatesSection);
  }
}

process.on("exit", () => {
  for (const app of running) app.killNow();
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));

main().catch((err: unknown) => {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
