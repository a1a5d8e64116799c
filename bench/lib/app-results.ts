// The app benchmark's results: what one run of the app (or its naive baseline) measured, and the
// Markdown report with the targets of issue #5 and the findings worth a look.
import { countEntries, type CallCounts, type RequestLogEntry } from "../../test/support/github/index.js";
import { fmt, machine, quantile, table } from "./report.js";
import type { SoakMix } from "./soak.js";

export interface Options {
  quick: boolean;
  latencyMs: number;
  samples: number;
  unchanged: number;
  burstEvents: number;
  burstPrs: number;
  windowMs: number;
  drainTimeoutS: number | undefined;
  naive: boolean;
  write: boolean;
  /** --soak: the soak and the large installation (issue #15) instead of the phases above. */
  soak: boolean;
  soakSeconds: number;
  soakSeed: number;
  /** --soak-mix: which events the soak plays. */
  soakMix: SoakMix;
  installRepos: number;
  installPrs: number;
  installScale: number;
  /** --kinds: how many of each further warm event kind (changes requested, labeled, recheck comment, re-run) to send. */
  kinds: number;
  /** --no-burst: single events only (the per-kind latency table); nothing is written to BENCHMARKS.md. */
  burst: boolean;
  /** --cpu-prof DIR: the app process runs with `node --cpu-prof --cpu-prof-dir DIR`. */
  cpuProfDir: string | undefined;
}

export const isCheckWrite = (e: RequestLogEntry) => e.route === "checks.create" || e.route === "checks.update";
const throttled = (c: CallCounts) => c.write + c.graphql;

export interface Sample {
  kind: string;
  counts: CallCounts;
  labelWrites: number;
  latencyMs: number | undefined;
  /** Webhook sent → the app logged the evaluation (for an event that writes nothing, its end). */
  evaluatedMs: number | undefined;
  /** Webhook sent → the first read on the critical path; the last read answered → the check write (or the evaluation logged). */
  beforeReadsMs?: number;
  afterReadsMs?: number;
  evaluations: number;
  /** The requests the check write (or, when nothing is written, the evaluation's end) could have waited for, grouped into sequential round trips. */
  rounds: string[][];
  ok: boolean;
  problem?: string;
}

/**
 * The critical path: the requests answered before the first check write was sent (or, when nothing
 * is written, before `end`), grouped into round trips — a request that starts after another was
 * answered begins a new one. A request still in flight when the write went out (a refresh ahead of
 * a cache entry's expiry) cannot have been waited for, so it is not on the path.
 */
export function roundTrips(entries: RequestLogEntry[], end = Infinity): string[][] {
  const firstWrite = entries.find(isCheckWrite);
  const until = firstWrite ? firstWrite.at : end;
  const before = entries.filter((e) => e.kind !== "token" && e.at < until && (e.doneAt ?? Infinity) <= until).sort((a, b) => a.at - b.at);
  const rounds: Array<{ answered: number; routes: string[] }> = [];
  for (const e of before) {
    const current = rounds[rounds.length - 1];
    if (current && e.at < current.answered) {
      current.routes.push(e.route);
      current.answered = Math.min(current.answered, e.doneAt ?? Infinity);
    } else {
      rounds.push({ answered: e.doneAt ?? Infinity, routes: [e.route] });
    }
  }
  return rounds.map((r) => r.routes);
}

/** Per event kind: how many, p50 to the check write (or to the evaluation's end when nothing is written), round trips. */
export interface KindRow {
  kind: string;
  events: number;
  writes: number;
  p50WriteMs: number;
  p50EvaluatedMs: number;
  roundsMedian: number;
  roundsMax: number;
  reads: number;
  p50BeforeReadsMs: number;
  p50AfterReadsMs: number;
  slowest: Sample | undefined;
}

export function byKind(samples: Sample[]): KindRow[] {
  const kinds = [...new Set(samples.map((s) => s.kind))];
  return kinds.map((kind) => {
    const of = samples.filter((s) => s.kind === kind);
    const writes = of.map((s) => s.latencyMs).filter((v): v is number => v !== undefined);
    const evaluated = of.map((s) => s.evaluatedMs).filter((v): v is number => v !== undefined);
    const rounds = of.map((s) => s.rounds.length);
    const slow = (s: Sample) => s.latencyMs ?? s.evaluatedMs ?? 0;
    return {
      kind,
      events: of.length,
      writes: writes.length,
      p50WriteMs: quantile(writes, 0.5),
      p50EvaluatedMs: quantile(evaluated, 0.5),
      roundsMedian: quantile(rounds, 0.5),
      roundsMax: Math.max(...rounds),
      reads: of.reduce((a, s) => a + s.counts.read, 0) / Math.max(1, of.length),
      p50BeforeReadsMs: quantile(
        of.map((s) => s.beforeReadsMs).filter((v): v is number => v !== undefined),
        0.5,
      ),
      p50AfterReadsMs: quantile(
        of.map((s) => s.afterReadsMs).filter((v): v is number => v !== undefined),
        0.5,
      ),
      slowest: [...of].sort((a, b) => slow(b) - slow(a))[0],
    };
  });
}

/** The per-kind table: "every warm event kind" read off one row each. */
export function renderKinds(rows: KindRow[], latencyMs: number): string {
  const ms = (v: number) => (Number.isFinite(v) ? fmt(v, 0) : "–");
  const headline = (r: KindRow) => (r.writes > 0 ? r.p50WriteMs : r.p50EvaluatedMs);
  return table(
    [
      "warm event kind",
      "events",
      "p50 → check write (ms)",
      "p50 → evaluation logged (ms)",
      `p50 ÷ ${latencyMs} ms`,
      "round trips on the critical path, median / max",
      "p50 webhook → first read / last read → write or end (ms)",
      "reads per event",
    ],
    rows.map((r) => [
      r.kind,
      `${r.events}${r.writes < r.events ? ` (${r.writes} wrote the check)` : ""}`,
      ms(r.p50WriteMs),
      ms(r.p50EvaluatedMs),
      `${fmt(headline(r) / latencyMs, 2)}×`,
      `${r.roundsMedian} / ${r.roundsMax}`,
      `${ms(r.p50BeforeReadsMs)} / ${ms(r.p50AfterReadsMs)}`,
      fmt(r.reads, 1),
    ]),
  );
}

/** The critical path of a sample, one round a group. */
export function describeRounds(sample: Sample): string {
  return `${sample.rounds.length} round trip(s) — ${sample.rounds.map((r, i) => `${i + 1}: ${r.join(", ")}`).join("; ")}`;
}

export interface PhaseResult {
  samples: Sample[];
  perEval: { read: number; notModified: number; write: number; graphql: number; throttled: number; labelWrites: number };
  routesPerEval: Record<string, number>;
  wrong: string[];
}

export interface BurstResult {
  events: number;
  prs: number;
  evaluations: number;
  failures: number;
  counts: CallCounts;
  checkWrites: number;
  labelWrites: number;
  notificationWrites: number;
  staleCheckWrites: number;
  /** Check writes a later write replaced: already out of date when written (an event for the PR came between the evaluation's read and the write), or an intermediate state. */
  outdatedWhenWritten: number;
  intermediate: number;
  required: { checks: number; labels: number; notifications: number };
  lowerBoundS: number;
  drainS: number;
  timedOut: boolean;
  correct: number;
  wrong: string[];
  cpuMs: number;
  coalescedMetric: number | undefined;
}

export interface AppResult {
  variant: "app" | "naive";
  cold: CallCounts;
  coldLatencyMs: number | undefined;
  changing: PhaseResult;
  unchanged: PhaseResult;
  /** The further warm kinds (changes requested, labeled, recheck comment, re-run), reported per kind only. */
  kinds: PhaseResult;
  cpuPerEvalMs: number;
  burst: BurstResult;
  peakRssMb: number;
  metricsNote: string;
  unknownRoutes: string[];
}

export function summarise(samples: Sample[]): PhaseResult {
  const n = Math.max(
    1,
    samples.reduce((a, s) => a + Math.max(1, s.evaluations), 0),
  );
  const total = countEntries([]);
  let labelWrites = 0;
  for (const s of samples) {
    total.read += s.counts.read;
    total.notModified += s.counts.notModified;
    total.write += s.counts.write;
    total.graphql += s.counts.graphql;
    labelWrites += s.labelWrites;
    for (const [route, count] of Object.entries(s.counts.byRoute)) total.byRoute[route] = (total.byRoute[route] ?? 0) + count;
  }
  const routesPerEval = Object.fromEntries(Object.entries(total.byRoute).map(([k, v]) => [k, v / n]));
  return {
    samples,
    perEval: {
      read: total.read / n,
      notModified: total.notModified / n,
      write: total.write / n,
      graphql: total.graphql / n,
      throttled: throttled(total) / n,
      labelWrites: labelWrites / n,
    },
    routesPerEval,
    wrong: samples.filter((s) => !s.ok).map((s) => s.problem ?? s.kind),
  };
}

// --- the report -----------------------------------------------------------------------------

const calls = (p: PhaseResult["perEval"]) => `${fmt(p.read)} / ${fmt(p.write)} / ${fmt(p.graphql)}`;
const pass = (ok: boolean) => (ok ? "pass" : "**FAIL**");

function latencies(r: AppResult): number[] {
  return r.changing.samples.map((s) => s.latencyMs).filter((v): v is number => v !== undefined);
}

function p50Of(r: AppResult, kind: string): number {
  return quantile(
    r.changing.samples
      .filter((s) => s.kind === kind)
      .map((s) => s.latencyMs)
      .filter((v): v is number => v !== undefined),
    0.5,
  );
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function render(options: Options, app: AppResult, naive: AppResult | undefined, started: Date, durationS: number): string {
  const m = machine();
  const lat = (r: AppResult) => latencies(r);
  const p50 = (r: AppResult) => quantile(lat(r), 0.5);
  const p95 = (r: AppResult) => quantile(lat(r), 0.95);
  const ratio = (r: AppResult) => r.burst.drainS / Math.max(1, r.burst.lowerBoundS);
  const perEvalCpuBurst = (r: AppResult) => r.burst.cpuMs / Math.max(1, r.burst.evaluations);
  const col = (f: (r: AppResult) => string) => (naive ? [f(app), f(naive)] : [f(app)]);
  const times = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && a > 0 ? `${fmt(b / a, 2)}×` : "n/a");
  const vs = (f: (r: AppResult) => number) => (naive ? [times(f(app), f(naive))] : []);

  const rows: Array<Array<string | number>> = [
    [
      "state-changing evaluation: reads / writes / GraphQL",
      ...col((r) => calls(r.changing.perEval)),
      ...vs((r) => r.changing.perEval.read + r.changing.perEval.write),
    ],
    ["… of the reads, 304 Not Modified", ...col((r) => fmt(r.changing.perEval.notModified)), ...vs((r) => r.changing.perEval.notModified)],
    [
      "… throttled calls (writes + GraphQL); label writes",
      ...col((r) => `${fmt(r.changing.perEval.throttled, 2)}; ${fmt(r.changing.perEval.labelWrites, 2)}`),
      ...vs((r) => r.changing.perEval.throttled),
    ],
    [
      "unchanged evaluation: reads (304s) / writes / GraphQL",
      ...col(
        (r) =>
          `${fmt(r.unchanged.perEval.read)} (${fmt(r.unchanged.perEval.notModified)}) / ${fmt(r.unchanged.perEval.write)} / ${fmt(r.unchanged.perEval.graphql)}`,
      ),
      ...vs((r) => r.unchanged.perEval.read + r.unchanged.perEval.write),
    ],
    [
      "… throttled calls (writes + GraphQL)",
      ...col((r) => fmt(r.unchanged.perEval.throttled, 2)),
      ...vs((r) => r.unchanged.perEval.throttled),
    ],
    [
      "cold first evaluation: reads / writes (token excluded)",
      ...col((r) => `${r.cold.read} / ${r.cold.write}`),
      ...vs((r) => r.cold.read + r.cold.write),
    ],
    ["webhook → check write, p50 / p95 (ms)", ...col((r) => `${fmt(p50(r), 0)} / ${fmt(p95(r), 0)}`), ...vs(p50)],
    [
      "… round trips before the check write, median / max",
      ...col(
        (r) =>
          `${quantile(
            r.changing.samples.map((x) => x.rounds.length),
            0.5,
          )} / ${Math.max(...r.changing.samples.map((x) => x.rounds.length))}`,
      ),
      ...vs((r) =>
        quantile(
          r.changing.samples.map((x) => x.rounds.length),
          0.5,
        ),
      ),
    ],
    [
      "… p50 of pushes / of senior approvals (ms)",
      ...col((r) => `${fmt(p50Of(r, "push"), 0)} / ${fmt(p50Of(r, "approval"), 0)}`),
      ...vs((r) => p50Of(r, "push")),
    ],
    [`… p50 ÷ per-call latency (${options.latencyMs} ms)`, ...col((r) => `${fmt(p50(r) / options.latencyMs, 2)}×`), ...vs(p50)],
    [
      "burst: evaluations logged (events sent)",
      ...col((r) => `${r.burst.evaluations} (${r.burst.events})`),
      ...vs((r) => r.burst.evaluations),
    ],
    [
      "burst: reads / writes / GraphQL",
      ...col((r) => `${r.burst.counts.read} / ${r.burst.counts.write} / ${r.burst.counts.graphql}`),
      ...vs((r) => r.burst.counts.read + r.burst.counts.write),
    ],
    [
      "burst: check writes (on superseded heads); label writes",
      ...col((r) => `${r.burst.checkWrites} (${r.burst.staleCheckWrites}); ${r.burst.labelWrites}`),
      ...vs((r) => r.burst.checkWrites),
    ],
    [
      "burst: required writes → lower bound (s)",
      ...col((r) => `${r.burst.required.checks} checks + ${r.burst.required.labels} labels → ${r.burst.lowerBoundS}`),
      ...(naive ? [""] : []),
    ],
    [
      "burst: drain, first webhook → last check write (s)",
      ...col((r) => `${r.burst.timedOut ? "≥ " : ""}${fmt(r.burst.drainS)}`),
      ...vs((r) => r.burst.drainS),
    ],
    ["burst: drain ÷ lower bound", ...col((r) => `${r.burst.timedOut ? "≥ " : ""}${fmt(ratio(r), 2)}×`), ...vs(ratio)],
    ["burst: PRs whose final check and labels are correct", ...col((r) => `${r.burst.correct}/${r.burst.prs}`), ...(naive ? [""] : [])],
    [
      "CPU per evaluation, single events / burst (ms)",
      ...col((r) => `${fmt(r.cpuPerEvalMs)} / ${fmt(perEvalCpuBurst(r))}`),
      ...vs(perEvalCpuBurst),
    ],
    [
      "CPU per burst event, all work included (ms)",
      ...col((r) => fmt(r.burst.cpuMs / Math.max(1, r.burst.events))),
      ...vs((r) => r.burst.cpuMs / Math.max(1, r.burst.events)),
    ],
    ["peak RSS, VmHWM (MB)", ...col((r) => fmt(r.peakRssMb)), ...vs((r) => r.peakRssMb)],
  ];
  const header = ["measure", "app", ...(naive ? ["naive baseline", "naive ÷ app"] : [])];

  const targets: Array<Array<string | number>> = [
    [
      "throttled calls per state-changing evaluation",
      "1 (+ label writes where labels differ; none here)",
      fmt(app.changing.perEval.throttled, 2),
      pass(app.changing.perEval.throttled <= 1.0001 && app.changing.perEval.labelWrites === 0),
    ],
    ["throttled calls per unchanged evaluation", "0", fmt(app.unchanged.perEval.throttled, 2), pass(app.unchanged.perEval.throttled === 0)],
    [
      "burst drain ÷ lower bound",
      "≤ 1.2×",
      `${app.burst.timedOut ? "≥ " : ""}${fmt(ratio(app), 3)}×`,
      pass(!app.burst.timedOut && ratio(app) <= 1.2),
    ],
    [
      "burst: every PR's final check correct",
      `${app.burst.prs}/${app.burst.prs}`,
      `${app.burst.correct}/${app.burst.prs}`,
      pass(app.burst.correct === app.burst.prs),
    ],
    [
      "p50 webhook-to-check latency",
      `≤ 3 × ${options.latencyMs} ms`,
      `${fmt(p50(app) / options.latencyMs, 3)}×`,
      pass(p50(app) <= 3 * options.latencyMs),
    ],
    ["peak RSS under the burst", "≤ 200 MB", `${fmt(app.peakRssMb)} MB`, pass(app.peakRssMb <= 200)],
  ];

  const command = `npm run bench:app${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;
  const routeRows = (p: PhaseResult) =>
    Object.entries(p.routesPerEval)
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([route, n]) => [route, fmt(n, 2)]);
  const notes = findings(options, app, naive);
  return [
    "## App under load (`bench/app.bench.ts`)",
    "",
    `Measured ${started.toISOString().slice(0, 10)} with \`${command}\` (${fmt(durationS, 0)} s) on Node ${m.node}, ${m.nproc} cores (${m.model}), ${m.platform}.`,
    `The built app (\`lib/\`) ran as a real process (\`node lib/server/main.js\`, throttling on) against the GitHub simulator on 127.0.0.1 answering every call after ${options.latencyMs} ms.`,
    `Small PR: 20 files, 3 commits, 2 reviews; ${app.changing.samples.length} state-changing events (pushes and senior approvals, alternating) and ${app.unchanged.samples.length} unchanged ones (an edit that changes nothing, a redelivered synchronize), warm caches.`,
    `Burst: ${options.burstEvents} events over ${options.burstPrs} PRs in ${plural(Math.ceil(options.burstPrs / 10), "repository", "repositories")} of one installation within ${options.windowMs / 1000} s (pushes, then a comment review and a deciding review per PR; a third of the PRs end approved, a third waiting, a third with changes requested).`,
    naive
      ? "The naive baseline is the same code composed without coalescing, caches or write turns (`bench/lib/naive-app.ts`, compiled to `bench/.out/naive/`)."
      : "The naive baseline was not run (`--no-naive`).",
    "",
    table(header, rows),
    "",
    "Targets (issue #5), for the app:",
    "",
    table(["target", "goal", "measured", "result"], targets),
    "",
    `Per warm event kind (app; the state-changing and unchanged events above, then ${options.kinds} of each further kind: a senior's change request and approval in turn, a label added by a person, a \`/countersign recheck\` comment, a re-run of our check). The headline is webhook sent → our check write reaching the simulator; for an event that writes nothing (nothing changed), webhook sent → the app's "evaluated pull request" log line. Round trips: the requests the write (or the evaluation's end) was answered after, grouped in sequence.`,
    "",
    renderKinds(byKind([...app.changing.samples, ...app.unchanged.samples, ...app.kinds.samples]), options.latencyMs),
    "",
    "Calls per state-changing evaluation, by route (app):",
    "",
    table(["route", "calls"], routeRows(app.changing)),
    "",
    "Calls per unchanged evaluation, by route (app):",
    "",
    table(["route", "calls"], routeRows(app.unchanged)),
    "",
    "Lower bound of the burst: one second per required throttled write, three for notification-triggering ones ",
    "(@octokit/plugin-throttling: writes `minTime` 1000 ms, notifications 3000 ms, per installation). Required: one check-run write per PR whose",
    "head or expected verdict changed, plus label writes where the expected labels differ from the labels before the burst. See bench/README.md.",
    ...(notes.length > 0 ? ["", "Findings:", "", ...notes.map((n) => `- ${n}`)] : []),
  ].join("\n");
}

/** App behaviour worth a look, with evidence from the numbers. */
function findings(options: Options, app: AppResult, naive: AppResult | undefined): string[] {
  const out: string[] = [];
  for (const r of [app, ...(naive ? [naive] : [])]) {
    const who = r.variant === "app" ? "app" : "naive baseline";
    for (const w of [...r.changing.wrong, ...r.unchanged.wrong].slice(0, 5)) out.push(`${who}: wrong check after a single event: ${w}`);
    if (r.burst.wrong.length > 0)
      out.push(
        `${who}: ${r.burst.wrong.length} PR(s) ended wrong after the burst${r.burst.timedOut ? " (the burst had not drained: it timed out)" : ""}, e.g. ${r.burst.wrong.slice(0, 3).join(" | ")}`,
      );
    if (r.burst.failures > 0) out.push(`${who}: ${r.burst.failures} evaluation(s) logged "evaluation failed" during the burst`);
    if (r.unknownRoutes.length > 0)
      out.push(`${who}: calls the simulator does not know (answered 404): ${r.unknownRoutes.slice(0, 5).join(", ")}`);
  }
  const a = app;
  if (a.changing.perEval.throttled > 1.0001)
    out.push(
      `a state-changing evaluation makes ${fmt(a.changing.perEval.throttled, 2)} throttled calls (target 1): ${Object.entries(
        a.changing.routesPerEval,
      )
        .filter(([k]) => !k.startsWith("GET"))
        .map(([k, v]) => `${k} ${fmt(v, 2)}`)
        .join(", ")}`,
    );
  if (a.unchanged.perEval.throttled > 0)
    out.push(`an unchanged evaluation makes ${fmt(a.unchanged.perEval.throttled, 2)} throttled calls (target 0)`);
  if (a.burst.checkWrites > a.burst.required.checks) {
    const b = a.burst;
    out.push(
      `burst: ${b.checkWrites} check-run writes for ${b.required.checks} required (${b.evaluations} evaluations for ${b.prs} PRs; ${b.staleCheckWrites} writes for heads a later push superseded). Of the ${b.outdatedWhenWritten + b.intermediate} writes that a later write replaced, ${b.outdatedWhenWritten} were already out of date when they reached GitHub (an event for the same PR arrived between the evaluation's read of the PR and its write, typically while the write waited in the throttle queue; a follow-up evaluation was already due) and ${b.intermediate} showed an intermediate state (the PR changed only after the write). Each extra write costs a throttled second.`,
    );
  }
  const policyReads = a.unchanged.routesPerEval["GET repos.getContent"] ?? 0;
  if (policyReads >= 0.99)
    out.push(
      `the policy file is read on every warm evaluation (GET repos.getContent ${fmt(policyReads, 2)} per unchanged evaluation): no policy cache, or one that does not hold between events`,
    );
  for (const row of byKind([...a.changing.samples, ...a.unchanged.samples, ...a.kinds.samples])) {
    const samples = [...a.changing.samples, ...a.unchanged.samples, ...a.kinds.samples]
      .filter((x) => x.kind === row.kind && (x.latencyMs ?? x.evaluatedMs) !== undefined)
      .sort((x, y) => (x.latencyMs ?? x.evaluatedMs ?? 0) - (y.latencyMs ?? y.evaluatedMs ?? 0));
    const median = samples[Math.floor((samples.length - 1) / 2)];
    const slowest = samples[samples.length - 1];
    for (const [which, sample] of [
      ["median", median],
      ["slowest", slowest],
    ] as const) {
      if (!sample || (which === "slowest" && sample === median)) continue;
      const to = sample.latencyMs !== undefined ? "the check write" : "the evaluation logged, nothing written";
      out.push(
        `critical path of the ${which} ${row.kind} (${fmt(sample.latencyMs ?? sample.evaluatedMs ?? NaN, 0)} ms to ${to}): ${describeRounds(sample)}`,
      );
    }
  }
  if (a.changing.perEval.notModified === 0 && a.unchanged.perEval.notModified === 0)
    out.push("no conditional request (If-None-Match) reached the simulator: every read is charged to the rate limit");
  const p50 = quantile(latencies(a), 0.5);
  if (p50 > 3 * options.latencyMs)
    out.push(
      `p50 webhook-to-check latency is ${fmt(p50 / options.latencyMs, 1)} round trips of ${options.latencyMs} ms (target ≤ 3): the reads before the write are not all in parallel`,
    );
  if (a.metricsNote) out.push(`/metrics cross-check (app's countersign_github_requests_total vs the simulator): ${a.metricsNote}`);
  return out;
}
