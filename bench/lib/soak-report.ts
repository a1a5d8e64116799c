// The soak mode's Markdown section for BENCHMARKS.md: the app and the naive baseline side by side.
import { fmt, machine, table } from "./report.js";
import { REACTION_MS, type InstallResult, type SoakOptions, type SoakResult } from "./soak.js";

export interface SoakRun {
  variant: "app" | "naive";
  soak: SoakResult;
  install: InstallResult | undefined;
}

export interface SoakReportOptions extends SoakOptions {
  latencyMs: number;
  installRepos: number;
  installPrs: number;
  installScale: number;
}

export function renderSoak(options: SoakReportOptions, runs: SoakRun[], started: Date, durationS: number, command: string): string {
  const m = machine();
  const col = <T>(f: (r: SoakRun) => T) => runs.map(f);
  const ms = (v: number) => (Number.isFinite(v) ? `${fmt(v / 1000, 1)} s` : "n/a");
  const soakRows: Array<Array<string | number>> = [
    ["events sent (state-changing; closing the gate)", ...col((r) => `${r.soak.events} (${r.soak.stateChanges}; ${r.soak.closingEvents})`)],
    [
      `**false-pass moments** (blocking PR shows passing > ${REACTION_MS / 1000} s after the closing event)`,
      ...col((r) => `**${r.soak.falsePassOverReaction}**`),
    ],
    ["… longest of them", ...col((r) => (r.soak.falsePassOverReaction > 0 ? ms(r.soak.longestFalsePassMs) : "—"))],
    [
      "… passing-while-blocking windows of any length (within the reaction time included); the longest",
      ...col((r) => `${r.soak.falsePassAny}; ${r.soak.falsePassAny > 0 ? ms(r.soak.longestWindowMs) : "—"}`),
    ],
    [
      "check staleness p50 / p95 (event → check says the PR's state)",
      ...col((r) => `${ms(r.soak.stalenessP50Ms)} / ${ms(r.soak.stalenessP95Ms)}`),
    ],
    ["… state changes never caught up before measuring stopped", ...col((r) => r.soak.unresolved)],
    [
      "writes per state change (all throttled writes ÷ state changes)",
      ...col((r) => fmt(r.soak.writes / Math.max(1, r.soak.stateChanges), 2)),
    ],
    ["… check runs written", ...col((r) => r.soak.checkWrites)],
    [
      "… closing check writes that rode together (GraphQL requests: writes in them)",
      ...col((r) => `${r.soak.batchedRequests}: ${r.soak.batchedCheckWrites}`),
    ],
    ["duplicate label creations (createLabel answered 422)", ...col((r) => r.soak.duplicateLabelCreations)],
    ["drain after the last event (s)", ...col((r) => `${r.soak.drainTimedOut ? "≥ " : ""}${fmt(r.soak.drainedS, 1)}`)],
    ["PRs whose check is right at the end", ...col((r) => `${r.soak.correctAtEnd}/${r.soak.prs}`)],
  ];
  const installRuns = runs.filter((r) => r.install);
  const inst = (f: (i: InstallResult) => string | number) => installRuns.map((r) => f(r.install!));
  const installRows: Array<Array<string | number>> = installRuns.length
    ? [
        ["repositories × open PRs", ...inst((i) => `${i.repos} × ${i.prs / i.repos}`)],
        [
          "required writes: checks + label adds + label creations + review requests",
          ...inst((i) => `${i.required.checks} + ${i.required.labelAdds} + ${i.required.labelCreations} + ${i.required.reviewRequests}`),
        ],
        ["lower bound (s, scaled)", ...inst((i) => fmt(i.lowerBoundS, 1))],
        ["drain, webhook → last write (s, scaled)", ...inst((i) => `${i.timedOut ? "≥ " : ""}${fmt(i.drainS, 1)}`)],
        ["**drain ÷ lower bound**", ...inst((i) => `**${i.timedOut ? "≥ " : ""}${fmt(i.drainS / i.lowerBoundS, 3)}×**`)],
        [
          "writes sent (required)",
          ...inst(
            (i) => `${i.writes} (${i.required.checks + i.required.labelAdds + i.required.labelCreations + i.required.reviewRequests})`,
          ),
        ],
        ["label creations (duplicates answered 422)", ...inst((i) => `${i.labelCreations} (${i.duplicateLabelCreations})`)],
        ["first check written after (s, scaled)", ...inst((i) => fmt(i.firstCheckAfterS, 2))],
        ["PRs with their check and labels", ...inst((i) => `${i.correct}/${i.prs}`)],
        ["progress log lines (`evaluating open pull requests: progress`)", ...inst((i) => i.progressLines)],
      ]
    : [];
  const header = ["measure", ...runs.map((r) => (r.variant === "app" ? "app" : "naive baseline"))];
  const app = runs.find((r) => r.variant === "app");
  const verdicts = app
    ? [
        [
          "false-pass moments under the soak",
          "0",
          String(app.soak.falsePassOverReaction),
          app.soak.falsePassOverReaction === 0 ? "pass" : "**FAIL**",
        ],
        [
          "duplicate label creations",
          "0",
          String(app.soak.duplicateLabelCreations + (app.install?.duplicateLabelCreations ?? 0)),
          app.soak.duplicateLabelCreations + (app.install?.duplicateLabelCreations ?? 0) === 0 ? "pass" : "**FAIL**",
        ],
        ...(app.install
          ? [
              [
                "installation drain ÷ lower bound",
                "≤ 1.05×",
                `${fmt(app.install.drainS / app.install.lowerBoundS, 3)}×`,
                !app.install.timedOut && app.install.drainS / app.install.lowerBoundS <= 1.05 ? "pass" : "**FAIL**",
              ],
            ]
          : []),
      ]
    : [];
  return [
    "## Soak: sustained events at and above the write budget (`npm run bench:app -- --soak`)",
    "",
    `Measured ${started.toISOString().slice(0, 10)} with \`${command}\` (${fmt(durationS, 0)} s) on Node ${m.node}, ${m.nproc} cores (${m.model}), ${m.platform}.`,
    `The built app as a real process (\`probot run\`, Probot's throttling on) and its naive baseline (\`bench/lib/naive-app.ts\`) ran at the same time, each against its own GitHub simulator answering every call after ${options.latencyMs} ms.`,
    `Soak: ${options.seconds} s of events over 30 AI-assisted PRs in 3 repositories of one installation — ${options.atBudgetRate} event/s for the first fifth (about the write budget of one write a second), then ${options.aboveRate} events/s (above it): ${(options.mix ?? "full") === "classic" ? "mix `classic`: a senior approves (30 %), requests changes (10 %), has a review dismissed (15 %), the author pushes (25 %), a peer comments (20 %)" : "mix `full` (issue #19 item 26): about 15 % of events aim at a PR that passes now (changes requested 60 %, the AI label taken off by a peer 25 % or by a designated reviewer 15 %); the rest go to any PR: approvals 20 %, changes requested 8 %, dismissals 10 %, pushes 17 %, review comments 7 %, the AI label taken off by a peer 8 % or a reviewer 4 %, labels put on or off 6 %, `/countersign recheck` 10 %, plain comments 10 %"}. The stream of events is seeded (seed ${options.seed}). The PRs' expected state is known at every moment; the simulator's state is sampled every 50 ms. After the last event the run waits up to ${options.drainTimeoutS} s for the writes to drain.`,
    "",
    table(header, soakRows),
    "",
    ...(installRows.length
      ? [
          `Large installation: \`installation_repositories.added\` with ${options.installRepos} repositories the app has never seen, ${options.installPrs} open AI-assisted PRs each (no labels in the repositories, nobody asked for review). Every PR needs a check, its two labels added and the senior team asked; every repository needs its two labels created. Time-scaled ${options.installScale}×: Probot's throttle spacing divided by ${options.installScale} (\`bench/lib/scaled-throttle.mjs\`, writes ${1000 / options.installScale} ms, notifications ${3000 / options.installScale} ms), the app's \`WRITE_SPACING_MS\` and the simulator's latency (${options.latencyMs / options.installScale} ms) likewise, so the ratio to the lower bound is what a real ${options.installRepos}-repository installation would see (${fmt((installRuns[0]!.install!.lowerBoundS * options.installScale) / 60, 0)} minutes unscaled). Lower bound: one write slot per required write, and three per review request on the notification limiter, whichever is longer.`,
          "",
          table(header, installRows),
          "",
        ]
      : []),
    "Targets (issue #15), for the app:",
    "",
    table(["target", "goal", "measured", "result"], verdicts),
    "",
    `A false-pass moment is counted when a PR whose expected state blocks shows a passing check on its head more than ${REACTION_MS / 1000} s after the event that closed the gate (a read round, one write slot of Probot's 1 s spacing, and the write itself: the app cannot know sooner), or at any time when the PR was never expected to pass. Staleness: for each state-changing event, the time until the PR's check first says what the PR's state then requires (a later event may have changed it again). Closing check writes that wait at the same moment ride in one GraphQL request, one write slot (\`src/github/check-batch.ts\`): the naive baseline has no write queue and sends each alone.`,
  ].join("\n");
}
