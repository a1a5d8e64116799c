// Seniors' time (issue #21): a simulated week of an organisation, whole-team review requests against
// `signoff.assign: 1`, and the re-approvals path-scoped freshness saves. It drives the app's own pure
// code — decide (core/decide.ts), the chooser (core/assign.ts planAssignment), CODEOWNERS
// (core/codeowners.ts), path scope (core/path-scope.ts) — and the open-request board
// (scale/review-load.ts); nothing here re-implements a choice.
// Run: npx tsx bench/seniors.bench.ts   — prints the numbers and updates BENCHMARKS.md.
import { fileURLToPath } from "node:url";
import { rng } from "./lib/scenario.js";
import { fmt, machine, table, writeSection } from "./lib/report.js";
import { PolicySchema, type Policy } from "../src/policy/schema.js";
import { decide, planEvaluation } from "../src/core/decide.js";
import { planAssignment } from "../src/core/assign.js";
import { ownerRuleFor, parseCodeowners } from "../src/core/codeowners.js";
import { keepApprovalsByPath, type ChangedSince } from "../src/core/path-scope.js";
import { assessGroups, requirementGroups } from "../src/core/signoff-groups.js";
import { LocalReviewLoad } from "../src/scale/review-load.js";
import type { SpecPeople } from "../src/core/candidates.js";
import type { ChangedFile, PullSnapshot, Review } from "../src/core/types.js";

const COMMAND = "npx tsx bench/seniors.bench.ts";
const SENIORS = ["ana", "ben", "chen", "dara", "eli", "fay", "gus", "hana"];
const ENGINEERS = Array.from({ length: 40 }, (_, i) => `dev${i + 1}`);
const PRS = 300;
const WEEK_HOURS = 5 * 24;
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const HOUR = 3_600_000;
// Areas of the monorepo, each owned in CODEOWNERS by three seniors; busier areas first (Zipf-like weights).
const AREAS = [
  "services/api",
  "services/billing",
  "web",
  "infra",
  "services/search",
  "packages/ui",
  "services/auth",
  "docs",
  "packages/db",
  "mobile",
  "services/orders",
  "tools",
];
const CODEOWNERS = AREAS.map((area, i) => `/${area}/ @${SENIORS[i % 8]} @${SENIORS[(i + 3) % 8]} @${SENIORS[(i + 5) % 8]}`).join("\n");
const WEIGHTS = AREAS.map((_, i) => 1 / (i + 1) ** 0.8);

const ASSIGN_POLICY: Policy = PolicySchema.parse({ risk: { builtin: false }, signoff: { reviewers: ["@acme/seniors"], assign: 1 } });
const TEAM_POLICY: Policy = PolicySchema.parse({ risk: { builtin: false }, signoff: { reviewers: ["@acme/seniors"] } });
const SCOPED_GROUPS = [
  { reviewers: ["@acme/sre"], approvals: 1, paths: ["infra/**"] },
  { reviewers: ["@acme/seniors"], approvals: 1 },
];

interface SimPull {
  number: number;
  author: string;
  openedAt: number;
  files: ChangedFile[];
  /** A senior who committed to the PR (a contributor: may not sign off), if any. */
  contributor?: string;
  /** Hours from the request to the review. */
  reviewAfter: number;
  /** Pushes after the approval: whether each touches infra/. */
  laterPushes: boolean[];
}

function weekOf(seed: number): SimPull[] {
  const random = rng(seed);
  const total = WEIGHTS.reduce((a, b) => a + b, 0);
  const area = () => {
    let r = random() * total;
    for (let i = 0; i < AREAS.length; i++) if ((r -= WEIGHTS[i]!) < 0) return AREAS[i]!;
    return AREAS[0]!;
  };
  return Array.from({ length: PRS }, (_, i) => {
    const areas = new Set([area(), ...(random() < 0.3 ? [area()] : [])]);
    const files = [...areas].flatMap((a) =>
      Array.from({ length: 1 + Math.floor(random() * 3) }, (_, k) => ({
        path: `${a}/src/file${k}.ts`,
        status: "modified" as const,
        additions: 5,
        deletions: 1,
      })),
    );
    const author = random() < 0.1 ? SENIORS[Math.floor(random() * 8)]! : ENGINEERS[Math.floor(random() * ENGINEERS.length)]!;
    const contributor = random() < 0.05 ? SENIORS[Math.floor(random() * 8)]! : undefined;
    const pushes = Math.floor(random() * 4);
    return {
      number: i + 1,
      author,
      openedAt: Math.floor(random() * WEEK_HOURS * HOUR),
      files,
      ...(contributor ? { contributor } : {}),
      reviewAfter: 1 + random() * 20,
      laterPushes: Array.from({ length: pushes }, () => random() < (areas.has("infra") ? 0.35 : 0)),
    };
  }).sort((a, b) => a.openedAt - b.openedAt);
}

function snapshotOf(pull: SimPull): PullSnapshot {
  const identity = (login: string) => ({ name: login, email: `${login}@acme.test`, account: { login, type: "User" } });
  const commits = [
    {
      sha: "a".repeat(40),
      message: "Change\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
      author: identity(pull.author),
      committer: identity(pull.author),
    },
    ...(pull.contributor
      ? [{ sha: "b".repeat(40), message: "fix", author: identity(pull.contributor), committer: identity(pull.contributor) }]
      : []),
  ];
  return {
    owner: "acme",
    repo: "monorepo",
    number: pull.number,
    title: "Change",
    body: "",
    draft: false,
    state: "open",
    merged: false,
    author: { login: pull.author, type: "User" },
    headSha: "a".repeat(40),
    headRef: "feature",
    baseRef: "main",
    baseSha: "f".repeat(40),
    defaultBranch: "main",
    labels: ["ai-assisted"],
    files: pull.files,
    changedFilesTotal: pull.files.length,
    additions: 10,
    deletions: 2,
    commits,
    commitsTotal: commits.length,
    reviews: [],
    labelEvents: [],
    reviewRequestEvents: [],
    requestedReviewers: [],
    requestedTeams: [],
  };
}

const rules = parseCodeowners(CODEOWNERS);
const seniorsListed: SpecPeople = { ok: true, people: SENIORS.map((login) => ({ login })), complete: true };

interface WeekResult {
  perSenior: Map<string, number>;
  notificationsPerPull: number;
  maxOverMean: number;
}

/** Whole teams: every gated PR notifies every senior but its author (GitHub notifies a requested team's members). */
function wholeTeamWeek(pulls: SimPull[]): WeekResult {
  const perSenior = new Map(SENIORS.map((s) => [s, 0]));
  let sent = 0;
  for (const pull of pulls) {
    const snapshot = snapshotOf(pull);
    const plan = planEvaluation(snapshot, TEAM_POLICY);
    const verdict = decide(snapshot, TEAM_POLICY, plan, new Map());
    if (verdict.outcome !== "waiting") continue;
    for (const s of SENIORS) {
      if (s === pull.author) continue;
      perSenior.set(s, perSenior.get(s)! + 1);
      sent++;
    }
  }
  return summarise(perSenior, sent, pulls.length);
}

/** assign: 1 — the real chooser, with the open-request board filled and released as reviews happen. */
async function assignWeek(pulls: SimPull[]): Promise<WeekResult> {
  const load = new LocalReviewLoad();
  const perSenior = new Map(SENIORS.map((s) => [s, 0]));
  const reviews: Array<{ at: number; key: string }> = [];
  let sent = 0;
  for (const pull of pulls) {
    // Reviews done by now release their requests.
    reviews.sort((a, b) => a.at - b.at);
    while (reviews.length > 0 && reviews[0]!.at <= pull.openedAt) await load.release("acme", reviews.shift()!.key);
    const snapshot = snapshotOf(pull);
    const plan = planEvaluation(snapshot, ASSIGN_POLICY);
    const verdict = decide(snapshot, ASSIGN_POLICY, plan, new Map());
    if (verdict.outcome !== "waiting") continue;
    const owners = new Map<string, string>();
    for (const f of pull.files) {
      const rule = ownerRuleFor(rules, f.path);
      for (const o of rule?.owners ?? []) owners.set(o, `owns \`${rule!.pattern}\``);
    }
    const assignment = planAssignment(snapshot, ASSIGN_POLICY, verdict, {
      owners: [...owners].map(([login, why]) => ({ login, rank: 0 as const, why })),
      ownerTeams: new Map(),
      listed: new Map([["@acme/seniors", seniorsListed]]),
      load: await load.counts("acme", SENIORS),
      askedBefore: [],
    });
    const asked = assignment.assigned?.map((a) => a.login) ?? SENIORS.filter((s) => s !== pull.author);
    const key = `acme/monorepo#${pull.number}`;
    await load.add("acme", key, asked);
    reviews.push({ at: pull.openedAt + pull.reviewAfter * HOUR, key });
    for (const s of asked) perSenior.set(s, perSenior.get(s)! + 1);
    sent += asked.length;
  }
  return summarise(perSenior, sent, pulls.length);
}

function summarise(perSenior: Map<string, number>, sent: number, pulls: number): WeekResult {
  const counts = [...perSenior.values()];
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  return { perSenior, notificationsPerPull: sent / pulls, maxOverMean: Math.max(...counts) / mean };
}

/** Re-approvals of the infra group after later pushes: always with fresh_approval, only inside infra/** with path scope. */
function pathScopeWeek(pulls: SimPull[]): { withoutScope: number; withScope: number } {
  let withoutScope = 0;
  let withScope = 0;
  const directory = new Map([["sam", { teams: new Map([["acme/sre", true as boolean | undefined]]) }]]);
  for (const pull of pulls) {
    const groups = requirementGroups(SCOPED_GROUPS, "signoff.require", { files: pull.files, changedFilesTotal: pull.files.length });
    if (!groups[0]!.applies) continue;
    for (const touchesInfra of pull.laterPushes) {
      // The sre approval was on the commit before this push; the push changed these paths.
      const approval: Review = { id: 1, user: { login: "sam" }, state: "APPROVED", commitId: "c".repeat(40), submittedAt: "" };
      const since: ChangedSince = { ok: true, paths: [touchesInfra ? "infra/src/file0.ts" : "services/api/src/file0.ts"] };
      const assessed = assessGroups(groups, [], directory);
      const kept = keepApprovalsByPath(assessed, [approval], new Map([[approval.commitId, since]]), directory);
      withoutScope++;
      if (kept.kept.length === 0) withScope++;
    }
  }
  return { withoutScope, withScope };
}

async function main(): Promise<void> {
  const rows: Array<Array<string | number>> = [];
  let worstTeam: WeekResult | undefined;
  let worstAssign: WeekResult | undefined;
  let worstSeed = 0;
  let saved = { withoutScope: 0, withScope: 0 };
  for (const seed of SEEDS) {
    const pulls = weekOf(seed);
    const team = wholeTeamWeek(pulls);
    const assigned = await assignWeek(pulls);
    const scope = pathScopeWeek(pulls);
    saved = { withoutScope: saved.withoutScope + scope.withoutScope, withScope: saved.withScope + scope.withScope };
    rows.push([
      seed,
      fmt(team.notificationsPerPull, 2),
      fmt(team.maxOverMean, 2),
      fmt(assigned.notificationsPerPull, 2),
      fmt(assigned.maxOverMean, 2),
      scope.withoutScope,
      scope.withScope,
    ]);
    if (!worstAssign || assigned.maxOverMean > worstAssign.maxOverMean) {
      worstAssign = assigned;
      worstTeam = team;
      worstSeed = seed;
    }
  }
  const perSenior = SENIORS.map((s) => [s, worstTeam!.perSenior.get(s)!, worstAssign!.perSenior.get(s)!]);
  const m = machine();
  const pass = worstAssign!.maxOverMean <= 1.3 && worstAssign!.notificationsPerPull <= 1;
  const text = [
    "## Seniors' time (`bench/seniors.bench.ts`)",
    "",
    `Measured ${new Date().toISOString().slice(0, 10)} with \`${COMMAND}\` on Node ${m.node}, ${m.nproc} cores, ${m.platform}.`,
    `A simulated week: ${SENIORS.length} seniors in @acme/seniors, ${ENGINEERS.length} other engineers, ${PRS} gated (AI-assisted) PRs over 5 days touching ${AREAS.length} areas of a monorepo (busier areas more often, Zipf-like; 30% touch two areas), each area owned by 3 seniors in CODEOWNERS; 10% of PRs are by a senior, 5% have a senior's commit (both may not sign off). Each requested review is done 1-21 h later, which closes the request. It drives the app's pure code: \`decide\`, the chooser \`planAssignment\` (core/assign.ts), CODEOWNERS matching and \`keepApprovalsByPath\`, with the open-request board of scale/review-load.ts.`,
    "",
    table(
      [
        "seed",
        "whole team: notifications per PR",
        "whole team: max/mean",
        "assign 1: notifications per PR",
        "assign 1: max/mean",
        "infra re-approvals, fresh_approval",
        "infra re-approvals, path scope",
      ],
      rows,
    ),
    "",
    `Notifications per senior in the week with the most uneven assign: 1 load (seed ${worstSeed}):`,
    "",
    table(["senior", "whole team", "assign: 1"], perSenior as Array<Array<string | number>>),
    "",
    `Worst over ${SEEDS.length} seeds: assign: 1 sends ${fmt(worstAssign!.notificationsPerPull, 2)} notification per gated PR (whole team: ${fmt(worstTeam!.notificationsPerPull, 2)}), and the busiest senior carries ${fmt(worstAssign!.maxOverMean, 2)}× the mean load (target ≤ 1.3×: ${pass ? "met" : "NOT met"}).`,
    `Path-scoped freshness: of ${saved.withoutScope} re-approvals the infra group (\`paths: [infra/**]\`) needs after later pushes with fresh_approval, ${saved.withoutScope - saved.withScope} are saved (${fmt((100 * (saved.withoutScope - saved.withScope)) / Math.max(1, saved.withoutScope), 0)}%): the pushes touched no infra path.`,
  ].join("\n");
  console.log(text);
  writeSection(fileURLToPath(new URL("../BENCHMARKS.md", import.meta.url)), "bench:seniors", text);
}

await main();
