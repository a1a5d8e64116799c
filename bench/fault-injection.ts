// Fault injection (issue #6): the BUILT app as a real process against the GitHub simulator, while
// the simulator answers with server errors, slow answers, dropped connections and primary and
// secondary rate limits on a schedule. N pull requests go through realistic event sequences (pushes,
// approvals, change requests, dismissals, self-approvals); then the faults stop, PRs whose check is
// not right yet get `/countersign recheck` (what a person does when the check says it could not
// evaluate), and every PR's final check is classified:
//   correct · a blocking failure that says why · no check · a wrong block · a WRONG PASS.
// There must be no wrong pass, ever: also counted are passing check writes, at any moment of the
// run, on a head that no eligible senior had approved.
//
//   npm run build && npx tsx bench/fault-injection.ts [--prs N] [--window MS] [--latency MS] [--seed N] [--no-write]
//
// Prints the counts and writes them into BENCHMARKS.md between <!-- bench:faults:start --> and
// <!-- bench:faults:end --> (the rest of the file is left alone).
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { APP_ID, CHECK_NAME, GitHubSimulator, type Delivery, type FaultRule, type SimCheckRun } from "../test/support/github/index.js";
import { AppProcess, guardBenchmark } from "./lib/app-process.js";
import { machine, table, writeSection } from "./lib/report.js";
import { AI_TRAILER, AUTHOR, ORG, PEER, POLICY, rng, SENIOR, SENIOR_2, SENIOR_TEAM, smallFiles } from "./lib/scenario.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SECRET = "fault-secret";
const PENDING_SENIOR = "erin";
const TIME_LIMIT_MS = 12 * 60_000;
const COULD_NOT_EVALUATE = "Could not evaluate: the gate stays closed";

// --- options ------------------------------------------------------------------------------------

interface Options {
  prs: number;
  windowMs: number;
  latencyMs: number;
  seed: number;
  write: boolean;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { prs: 40, windowMs: 15_000, latencyMs: 20, seed: 6, write: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => Number(argv[++i]);
    if (a === "--prs") o.prs = next();
    else if (a === "--window") o.windowMs = next();
    else if (a === "--latency") o.latencyMs = next();
    else if (a === "--seed") o.seed = next();
    else if (a === "--no-write") o.write = false;
    else throw new Error(`unknown flag ${a}`);
  }
  return o;
}

const log = (msg: string) => process.stderr.write(`[faults ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// --- the scenarios --------------------------------------------------------------------------------

/** What happens to one PR, and what its check must say at the end. */
type Kind = "approved" | "peer-only" | "changes" | "dismissed" | "pushed-after-approval" | "self-approval" | "not-ai" | "pending-senior";
const KINDS: Kind[] = [
  "approved",
  "peer-only",
  "changes",
  "dismissed",
  "pushed-after-approval",
  "self-approval",
  "not-ai",
  "pending-senior",
];
type Expected = "success" | "waiting" | "failure";
const EXPECTED: Record<Kind, Expected> = {
  approved: "success",
  "peer-only": "waiting",
  changes: "failure",
  dismissed: "waiting",
  "pushed-after-approval": "waiting",
  "self-approval": "waiting",
  "not-ai": "success",
  "pending-senior": "waiting",
};

interface Pr {
  repo: string;
  number: number;
  kind: Kind;
  expected: Expected;
}

type Step =
  | "opened"
  | "push"
  | "senior-approves"
  | "peer-approves"
  | "senior-requests-changes"
  | "dismiss-senior"
  | "author-approves"
  | "pending-approves";
const STEPS: Record<Kind, Step[]> = {
  approved: ["opened", "push", "senior-approves"],
  "peer-only": ["opened", "push", "peer-approves"],
  changes: ["opened", "senior-requests-changes"],
  dismissed: ["opened", "senior-approves", "dismiss-senior"],
  "pushed-after-approval": ["opened", "senior-approves", "push"],
  "self-approval": ["opened", "author-approves"],
  "not-ai": ["opened", "push"],
  "pending-senior": ["opened", "pending-approves"],
};

const identity = (login: string) => ({ name: login[0]!.toUpperCase() + login.slice(1), email: `${login}@acme.example`, login });

function setup(sim: GitHubSimulator, count: number): Pr[] {
  const model = sim.model;
  model.addRepo(ORG, ".github", { files: { ".github/countersign.yml": POLICY } });
  model.setTeam(ORG, SENIOR_TEAM, { [SENIOR]: "active", [SENIOR_2]: "active", [PENDING_SENIOR]: "pending" });
  const repos = Math.max(1, Math.ceil(count / 10));
  for (let r = 0; r < repos; r++) {
    const name = `svc-${String(r + 1).padStart(2, "0")}`;
    model.addRepo(ORG, name, { labels: ["ai-assisted", "risk:low"] });
    model.setPermission(ORG, name, PEER, "write");
  }
  const prs: Pr[] = [];
  for (let i = 0; i < count; i++) {
    const repo = `svc-${String((i % repos) + 1).padStart(2, "0")}`;
    const number = 200 + i;
    const kind = KINDS[i % KINDS.length]!;
    const ai = kind !== "not-ai";
    // AI-assisted PRs start as the app leaves them after a first look (labelled, the team asked):
    // the run's writes are then mostly check runs, the throttled resource the faults press on.
    model.addPull(ORG, repo, {
      number,
      title: `Change ${i + 1} (${kind})`,
      author: AUTHOR,
      headRef: `feature/fault-${i + 1}`,
      files: smallFiles(`src/module-${i + 1}`, 3),
      commits: [
        {
          message: ai ? `Start change ${i + 1}\n\n${AI_TRAILER}` : `Start change ${i + 1}`,
          author: identity(AUTHOR),
          committer: identity(AUTHOR),
        },
      ],
      labels: ai ? ["ai-assisted", "risk:low"] : ["risk:low"],
      requestedTeams: ai ? [SENIOR_TEAM] : [],
    });
    prs.push({ repo, number, kind, expected: EXPECTED[kind] });
  }
  return prs;
}

/** Apply one step to the simulator's state; the webhook it causes. */
function apply(sim: GitHubSimulator, pr: Pr, step: Step): { event: string; payload: object } {
  const { model, payloads } = sim;
  const review = (user: string, state: "APPROVED" | "CHANGES_REQUESTED") => {
    const r = model.addReview(ORG, pr.repo, pr.number, {
      user,
      state,
      ...(state === "CHANGES_REQUESTED" ? { body: "Please split this." } : {}),
    });
    return { event: "pull_request_review", payload: payloads.review("submitted", ORG, pr.repo, pr.number, r) };
  };
  switch (step) {
    case "opened":
      return { event: "pull_request", payload: payloads.pullRequest("opened", ORG, pr.repo, pr.number) };
    case "push": {
      const before = model.mustPull(ORG, pr.repo, pr.number).pull.headSha;
      model.pushHead(ORG, pr.repo, pr.number, { message: "Follow-up change", author: identity(AUTHOR), committer: identity(AUTHOR) });
      return { event: "pull_request", payload: payloads.pullRequest("synchronize", ORG, pr.repo, pr.number, { before }) };
    }
    case "senior-approves":
      return review(SENIOR, "APPROVED");
    case "peer-approves":
      return review(PEER, "APPROVED");
    case "author-approves":
      return review(AUTHOR, "APPROVED");
    case "pending-approves":
      return review(PENDING_SENIOR, "APPROVED");
    case "senior-requests-changes":
      return review(SENIOR, "CHANGES_REQUESTED");
    case "dismiss-senior": {
      const { pull } = model.mustPull(ORG, pr.repo, pr.number);
      const approval = [...pull.reviews].reverse().find((r) => r.user.login === SENIOR && r.state === "APPROVED");
      if (!approval) throw new Error("no approval to dismiss");
      model.dismissReview(ORG, pr.repo, pr.number, approval.id);
      return { event: "pull_request_review", payload: payloads.review("dismissed", ORG, pr.repo, pr.number, approval) };
    }
  }
}

/** The fault schedule of the event phase: every kind of failure, on a deterministic rhythm. */
const FAULTS: FaultRule[] = [
  {
    id: "pulls.get 502 (every 5th)",
    match: { route: "pulls.get" },
    every: 5,
    action: { type: "status", status: 502, message: "Bad Gateway" },
  },
  {
    id: "reviews 500 (every 7th)",
    match: { route: "pulls.listReviews" },
    every: 7,
    action: { type: "status", status: 500, message: "Internal Server Error" },
  },
  { id: "files slow, 1.5 s (every 4th)", match: { route: "pulls.listFiles" }, every: 4, action: { type: "delay", ms: 1_500 } },
  {
    id: "commits dropped after 1 s (every 9th)",
    match: { route: "pulls.listCommits" },
    every: 9,
    action: { type: "drop", afterMs: 1_000 },
  },
  {
    id: "membership 503 (every 3rd)",
    match: { route: "teams.getMembershipForUserInOrg" },
    every: 3,
    action: { type: "status", status: 503, message: "Service Unavailable" },
  },
  { id: "policy 500 (every 3rd)", match: { route: "repos.getContent" }, every: 3, action: { type: "status", status: 500 } },
  {
    id: "primary rate limit on reads (every 11th)",
    match: { kind: "read" },
    every: 11,
    action: { type: "rate-limit", status: 403, resetInSeconds: 1 },
  },
  {
    id: "secondary rate limit on writes (every 4th)",
    match: { kind: "write" },
    every: 4,
    action: { type: "secondary-rate-limit", status: 403, retryAfterSeconds: 1 },
  },
  {
    id: "secondary rate limit 429 on check reads (every 10th)",
    match: { route: "checks.listForRef" },
    every: 10,
    action: { type: "secondary-rate-limit", status: 429, retryAfterSeconds: 1 },
  },
  { id: "check write 502 (every 9th)", match: { route: /^checks\.(create|update)$/ }, every: 9, action: { type: "status", status: 502 } },
];

// --- judging -----------------------------------------------------------------------------------

const passes = (run: SimCheckRun | undefined) =>
  run !== undefined && run.status === "completed" && ["success", "neutral", "skipped"].includes(run.conclusion ?? "");

function matches(run: SimCheckRun | undefined, expected: Expected): boolean {
  if (!run) return false;
  if (expected === "waiting") return run.status !== "completed";
  return run.status === "completed" && run.conclusion === expected;
}

type Verdict = "correct" | "blocking failure that says why" | "no check (blocks, says nothing)" | "wrong block" | "WRONG PASS";

function judge(run: SimCheckRun | undefined, expected: Expected): Verdict {
  if (matches(run, expected)) return "correct";
  if (passes(run)) return expected === "success" ? "correct" : "WRONG PASS";
  if (!run) return "no check (blocks, says nothing)";
  if (expected === "success") return "wrong block";
  // Expected blocking, and it blocks: a failure where waiting was expected must say why.
  const says = run.output.title === COULD_NOT_EVALUATE || (run.output.summary ?? "").length > 0;
  return says ? "blocking failure that says why" : "no check (blocks, says nothing)";
}

function finalCheck(sim: GitHubSimulator, pr: Pr): SimCheckRun | undefined {
  const { pull } = sim.model.mustPull(ORG, pr.repo, pr.number);
  return sim.model.latestCheckRun(ORG, pr.repo, pull.headSha, CHECK_NAME);
}

/**
 * Passing check writes on a head of an AI-assisted PR that no eligible senior approved at that
 * moment (the approval may come later, or was dismissed before): passes the app should never write.
 */
function transientWrongPasses(sim: GitHubSimulator, prs: Pr[]): string[] {
  const found: string[] = [];
  for (const pr of prs) {
    if (pr.kind === "not-ai") continue;
    const { pull } = sim.model.mustPull(ORG, pr.repo, pr.number);
    const heads = new Set(pull.commits.map((c) => c.sha));
    for (const sha of heads) {
      for (const run of sim.model.checkRunsFor(ORG, pr.repo, sha, CHECK_NAME)) {
        if (!passes(run)) continue;
        const approved = pull.reviews.some(
          (r) => r.commit_id === sha && r.user.login === SENIOR && (r.state === "APPROVED" || r.state === "DISMISSED"),
        );
        if (!approved) found.push(`${pr.repo}#${pr.number} (${pr.kind}) ${sha.slice(0, 7)}: ${run.output.title}`);
      }
    }
  }
  return found;
}

// --- the run -----------------------------------------------------------------------------------

interface Result {
  options: Options;
  verdicts: Map<Verdict, number>;
  firstPass: Map<Verdict, number>;
  rechecked: number;
  transient: string[];
  wrong: string[];
  faults: Array<{ id: string; matched: number; injected: number }>;
  deliveries: { sent: number; answered: number; non2xx: number };
  couldNotEvaluate: number;
  requests: number;
  durationS: number;
}

async function waitForQuiet(sim: GitHubSimulator, quietMs: number, timeoutMs: number): Promise<void> {
  if (!(await sim.waitForQuiet(quietMs, timeoutMs))) log(`the simulator was still busy after ${timeoutMs / 1000} s; judging anyway`);
}

async function run(options: Options): Promise<Result> {
  const t0 = performance.now();
  const sim = new GitHubSimulator({ appId: APP_ID, latencyMs: options.latencyMs, webhookSecret: SECRET });
  await sim.start();
  const prs = setup(sim, options.prs);
  const app = new AppProcess({ root: ROOT, appId: APP_ID, webhookSecret: SECRET, gheHost: sim.host, logLevel: "warn" });
  running = app;
  await app.start();
  sim.webhookUrl = app.webhookUrl;
  log(`app on ${app.baseUrl}, simulator on ${sim.host}; ${prs.length} PRs, events within ${options.windowMs} ms`);

  // Phase 1: the events, with faults. Each PR's steps in order, at seeded random times.
  for (const rule of FAULTS) sim.faults.add(rule);
  const random = rng(options.seed);
  const deliveries: Array<Promise<Delivery>> = [];
  await Promise.all(
    prs.map(async (pr) => {
      const steps = STEPS[pr.kind];
      const times = steps.map(() => random() * options.windowMs).sort((a, b) => a - b);
      let elapsed = 0;
      for (let k = 0; k < steps.length; k++) {
        await sleep(Math.max(0, times[k]! - elapsed));
        elapsed = times[k]!;
        const { event, payload } = apply(sim, pr, steps[k]!);
        deliveries.push(sim.send(event, payload, { timeoutMs: 120_000 }));
      }
    }),
  );
  const answered = await Promise.all(deliveries);
  await waitForQuiet(sim, 5_000, 240_000);
  const faults = sim.faults.counts().map(({ id, matched, injected }) => ({ id, matched, injected }));
  sim.faults.clear();
  const firstPass = new Map<Verdict, number>();
  for (const pr of prs) {
    const v = judge(finalCheck(sim, pr), pr.expected);
    firstPass.set(v, (firstPass.get(v) ?? 0) + 1);
  }
  log(`events done (${answered.length} deliveries); first look: ${JSON.stringify(Object.fromEntries(firstPass))}`);

  // Phase 2: faults over. Where the app could not recover by itself, a person comments `/countersign recheck`.
  const toRecheck = prs.filter((pr) => judge(finalCheck(sim, pr), pr.expected) !== "correct");
  await Promise.all(
    toRecheck.map((pr) =>
      sim.send("issue_comment", sim.payloads.comment(ORG, pr.repo, pr.number, PEER, "/countersign recheck"), { timeoutMs: 120_000 }),
    ),
  );
  await waitForQuiet(sim, 4_000, 240_000);

  const verdicts = new Map<Verdict, number>();
  const wrong: string[] = [];
  for (const pr of prs) {
    const check = finalCheck(sim, pr);
    const v = judge(check, pr.expected);
    verdicts.set(v, (verdicts.get(v) ?? 0) + 1);
    if (v !== "correct")
      wrong.push(
        `${pr.repo}#${pr.number} (${pr.kind}, expected ${pr.expected}): ${check ? `${check.status}/${check.conclusion ?? "-"} "${check.output.title}"` : "no check"}`,
      );
  }
  const couldNotEvaluate = sim.log.filter(
    (e) =>
      /^checks\.(create|update)$/.test(e.route) &&
      (e.body as { output?: { title?: string } } | undefined)?.output?.title === COULD_NOT_EVALUATE,
  ).length;
  const result: Result = {
    options,
    verdicts,
    firstPass,
    rechecked: toRecheck.length,
    transient: transientWrongPasses(sim, prs),
    wrong,
    faults,
    deliveries: {
      sent: answered.length,
      answered: answered.filter((d) => d.status !== 0).length,
      non2xx: answered.filter((d) => d.status < 200 || d.status >= 300).length,
    },
    couldNotEvaluate,
    requests: sim.log.length,
    durationS: (performance.now() - t0) / 1000,
  };
  await app.stop();
  running = undefined;
  await sim.stop();
  return result;
}

// --- report -----------------------------------------------------------------------------------

const ORDER: Verdict[] = ["correct", "blocking failure that says why", "no check (blocks, says nothing)", "wrong block", "WRONG PASS"];

function render(r: Result, started: Date): string {
  const m = machine();
  const count = (map: Map<Verdict, number>, v: Verdict) => map.get(v) ?? 0;
  const lines = [
    "## Fault injection (`bench/fault-injection.ts`)",
    "",
    `Measured ${started.toISOString().slice(0, 10)} with \`npm run build && npx tsx bench/fault-injection.ts\` on Node ${m.node}, ${m.nproc} cores (${m.model}), ${m.platform}; ${r.durationS.toFixed(0)} s.`,
    "",
    `The built app as a real process (\`node lib/server/main.js\`, throttling and retries on, as in production) against the GitHub simulator (${r.options.latencyMs} ms per call). ` +
      `${r.options.prs} AI-assisted and plain PRs in ${Math.ceil(r.options.prs / 10)} repositories go through their events (pushes; approvals by a senior, a peer, the author, a pending team member; change requests; dismissals) within ${(r.options.windowMs / 1000).toFixed(0)} s, ` +
      `while the simulator injects the faults below. Then the faults stop; PRs whose check is not right yet get \`/countersign recheck\`, as a person would after reading “${COULD_NOT_EVALUATE}”.`,
    "",
    table(
      ["final state of each PR", "after the events (faults on)", "after the recheck (faults off)"],
      ORDER.map((v) => [
        v === "WRONG PASS" ? "**WRONG PASS** (passes where it must block)" : v,
        count(r.firstPass, v),
        count(r.verdicts, v),
      ]),
    ),
    "",
    `- PRs given \`/countersign recheck\`: ${r.rechecked}; failing checks written that said “${COULD_NOT_EVALUATE}” during the run: ${r.couldNotEvaluate}.`,
    `- Passing checks written at any moment on a head that no eligible senior had approved (transient wrong passes): **${r.transient.length}**.`,
    `- Webhook deliveries: ${r.deliveries.sent} (${r.deliveries.non2xx} answered with an error status, which GitHub would show as failed deliveries); requests to the simulator: ${r.requests}.`,
    "",
    table(
      ["fault", "requests matched", "faults injected"],
      r.faults.map((f) => [f.id, f.matched, f.injected]),
    ),
  ];
  if (r.wrong.length > 0) lines.push("", "PRs not correct at the end:", "", ...r.wrong.map((w) => `- ${w}`));
  if (r.transient.length > 0) lines.push("", "Transient wrong passes:", "", ...r.transient.map((w) => `- ${w}`));
  lines.push("", "Target: zero wrong passes, at the end and at any moment; every other PR correct or blocking with a reason.");
  return lines.join("\n");
}

let running: AppProcess | undefined;

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  guardBenchmark(ROOT, TIME_LIMIT_MS, log, "run `npm run build` first");
  const started = new Date();
  const result = await run(options);
  const section = render(result, started);
  process.stdout.write(`\n${section}\n`);
  if (options.write) {
    writeSection(join(ROOT, "BENCHMARKS.md"), "bench:faults", section);
    log("BENCHMARKS.md updated (between <!-- bench:faults:start --> and <!-- bench:faults:end -->)");
  }
  const wrongPasses = (result.verdicts.get("WRONG PASS") ?? 0) + (result.firstPass.get("WRONG PASS") ?? 0) + result.transient.length;
  if (wrongPasses > 0) {
    log(`${wrongPasses} wrong pass(es)`);
    process.exitCode = 1;
  }
}

process.on("exit", () => running?.killNow());
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));

main().catch((err: unknown) => {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
