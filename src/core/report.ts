// The outcome report, pure: from merged PRs and Countersign's own check runs on their merged heads
// to one row per PR and the totals leadership asks about. Nothing here re-derives the gate: the
// check runs' verdict records (check-record.ts) say what the gate decided.
import { assessMerge, labelFacts, parseRevert, type LabelNaming } from "./after-merge.js";
import { pullRecordIn, type UnrecognisedRecord } from "./check-record.js";
import type { RiskTier } from "./types.js";

/** A merged PR, as the pull request list gives it. */
export interface MergedPull {
  repo: string; // "owner/name"
  number: number;
  title: string;
  body: string;
  author: string;
  url: string;
  mergedAt: string;
  headSha: string;
  mergeCommitSha: string | undefined;
  labels: string[];
}

/** One of our check runs on the merged head. */
export interface ReportCheckRun {
  id: number;
  status: string;
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  title: string;
  summary: string;
  text: string | null;
}

export interface ReportApproval {
  login: string;
  commitId: string;
  submittedAt: string;
}

export interface PullEvidence {
  pull: MergedPull;
  runs: ReportCheckRun[];
  /** APPROVED reviews, read only for signed-off high/critical PRs (the rubber-stamp indicator). */
  approvals?: ReportApproval[];
}

export type ReportTier = RiskTier | "unknown";

export interface ReportRow {
  repo: string;
  number: number;
  title: string;
  author: string;
  url: string;
  mergedAt: string;
  aiAssisted: boolean;
  /** The strongest AI signal (a signal id, or "label"); "" when not AI-assisted. */
  signal: string;
  tier: ReportTier;
  gated: boolean;
  /** The check's outcome on the merged head; "no-check" when Countersign left none. */
  outcome: string;
  signedOffBy: string[];
  /** Seconds from Countersign's first check on the merged head to the sign-off; undefined when not gated or never signed off. */
  waitSeconds: number | undefined;
  overriddenBy: string | undefined;
  overrideReason: string | undefined;
  bypassed: boolean;
  /** "owner/repo#N" of the merged PR that reverted this one. */
  revertedBy: string | undefined;
  /** Sign-offs given within a minute of the last push (high/critical only), with the seconds after it. */
  quickApprovals: Array<{ login: string; seconds: number }>;
  /** Bot accounts on the PR that no list knew (from the check's record), with the policy entry that would count each. */
  unrecognised: UnrecognisedRecord[];
}

export interface RateRow {
  tier: ReportTier | "all";
  aiMerged: number;
  aiReverted: number;
  otherMerged: number;
  otherReverted: number;
}

export interface ReviewerLoad {
  login: string;
  signOffs: number;
  highOrCritical: number;
  quickApprovals: number;
  medianWaitSeconds: number | undefined;
}

export interface WaitRow {
  tier: ReportTier;
  count: number;
  medianSeconds: number | undefined;
  p90Seconds: number | undefined;
}

/** An open pull request as the report lists it: for the review requests waiting on each senior now. */
export interface OpenPull {
  repo: string;
  number: number;
  labels: string[];
  draft: boolean;
  /** Logins whose review is requested (people, not teams). */
  requestedReviewers: string[];
}

/** Review requests waiting on one person now, on open AI-assisted (gated) pull requests. */
export interface OpenRequestLoad {
  login: string;
  open: number;
}

/**
 * The load waiting on each senior now: open review requests on open, non-draft pull requests that
 * carry the AI label (the ones Countersign gates and asks for), busiest first. Per person, so it
 * lives in the report rather than in a metric (one label per person has no bound).
 */
export function openRequestLoad(open: OpenPull[], aiLabel: string): OpenRequestLoad[] {
  const counts = new Map<string, number>();
  for (const p of open) {
    if (p.draft || !p.labels.includes(aiLabel)) continue;
    for (const login of new Set(p.requestedReviewers.map((l) => l.toLowerCase()))) counts.set(login, (counts.get(login) ?? 0) + 1);
  }
  return [...counts].map(([login, n]) => ({ login, open: n })).sort((a, b) => b.open - a.open || a.login.localeCompare(b.login));
}

export interface ReportTotals {
  merged: number;
  aiAssisted: number;
  aiShare: number;
  gated: number;
  reverts: RateRow[];
  reviewers: ReviewerLoad[];
  waits: WaitRow[];
  quickApprovals: Array<{ pull: string; login: string; seconds: number; tier: ReportTier }>;
  overrides: Array<{ pull: string; by: string; reason: string }>;
  bypasses: Array<{ pull: string; tier: ReportTier }>;
  /** Each unrecognised bot account once, with the PRs it appeared on and the policy entry that would count it. */
  unrecognised: Array<UnrecognisedRecord & { pulls: string[] }>;
  /** Open review requests per person on open AI-assisted PRs, when the open PRs were read. */
  openRequests?: OpenRequestLoad[];
}

export const TIER_ORDER: readonly ReportTier[] = ["critical", "high", "medium", "low", "unknown"];
/** An approval this soon after the last push on a high/critical PR could hardly have read it. */
export const QUICK_APPROVAL_SECONDS = 60;

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NaN);
const key = (repo: string, n: number) => `${repo}#${n}`.toLowerCase();

/** The value at quantile q (nearest rank), of an unsorted list. */
export function quantile(values: number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function rowFor(e: PullEvidence, names: LabelNaming, revertedBy: string | undefined): ReportRow {
  const runs = [...e.runs].sort((a, b) => b.id - a.id);
  const latest = runs[0];
  const record = latest ? pullRecordIn(latest.text, e.pull.number) : undefined;
  const labels = labelFacts(e.pull.labels, names);
  const bypassLabel = e.pull.labels.some((l) => l.toLowerCase() === "countersign:bypassed");
  const check = latest
    ? {
        status: latest.status === "completed" ? ("completed" as const) : ("in_progress" as const),
        conclusion: latest.conclusion ?? undefined,
        title: latest.title,
        summary: latest.summary,
        text: latest.text ?? undefined,
      }
    : undefined;
  const bypassed = bypassLabel || assessMerge(check, { pr: e.pull.number }, e.pull.labels, names).bypassed;
  const aiAssisted = (record?.ai ?? false) || labels.aiAssisted;
  const tier: ReportTier = record?.tier ?? labels.tier;
  const signedOff = record?.outcome === "approved" || record?.outcome === "overridden";
  // The last push: Countersign's first evaluation of the merged head follows it within seconds.
  const firstSeen = Math.min(...runs.map((r) => ms(r.startedAt)).filter(Number.isFinite));
  const signedAt = latest && signedOff ? ms(latest.completedAt) : Number.NaN;
  const waitSeconds =
    record?.gated && Number.isFinite(firstSeen) && Number.isFinite(signedAt)
      ? Math.max(0, Math.round((signedAt - firstSeen) / 1000))
      : undefined;
  const quick = new Map<string, { login: string; seconds: number }>();
  if (record?.outcome === "approved" && (tier === "high" || tier === "critical") && Number.isFinite(firstSeen)) {
    for (const a of e.approvals ?? []) {
      const after = (ms(a.submittedAt) - firstSeen) / 1000;
      const signer = record.approvedBy.some((l) => l.toLowerCase() === a.login.toLowerCase());
      if (signer && a.commitId === e.pull.headSha && after >= 0 && after < QUICK_APPROVAL_SECONDS && !quick.has(a.login.toLowerCase())) {
        quick.set(a.login.toLowerCase(), { login: a.login, seconds: Math.round(after) });
      }
    }
  }
  return {
    repo: e.pull.repo,
    number: e.pull.number,
    title: e.pull.title,
    author: e.pull.author,
    url: e.pull.url,
    mergedAt: e.pull.mergedAt,
    aiAssisted,
    signal: aiAssisted ? (record?.signal ?? (labels.aiAssisted ? "label" : "")) : "",
    tier,
    gated: record?.gated ?? false,
    outcome: record ? (record.mode === "report" ? `report:${record.outcome}` : record.outcome) : "no-check",
    signedOffBy: record?.outcome === "approved" ? record.approvedBy : [],
    waitSeconds,
    overriddenBy: record?.overriddenBy,
    overrideReason: record?.overrideReason,
    bypassed,
    revertedBy,
    quickApprovals: [...quick.values()],
    unrecognised: record?.unrecognised ?? [],
  };
}

/** Which PR (by "owner/repo#N") each PR was reverted by, from the bodies of merged PRs (no reads). */
export function findReverts(pulls: MergedPull[]): Map<string, string> {
  const byMergeCommit = new Map<string, MergedPull>();
  for (const p of pulls) if (p.mergeCommitSha) byMergeCommit.set(p.mergeCommitSha.toLowerCase(), p);
  const reverted = new Map<string, string>();
  for (const p of pulls) {
    const [owner = "", name = ""] = p.repo.split("/");
    const target = parseRevert(p.title, p.body, owner, name);
    if (!target) continue;
    let victim: string | undefined;
    if (target.kind === "pull") victim = key(`${target.owner}/${target.repo}`, target.number);
    else {
      const sha = target.sha;
      const hit = byMergeCommit.get(sha) ?? [...byMergeCommit.entries()].find(([s]) => s.startsWith(sha))?.[1];
      if (hit) victim = key(hit.repo, hit.number);
    }
    if (victim && victim !== key(p.repo, p.number) && !reverted.has(victim)) reverted.set(victim, `${p.repo}#${p.number}`);
  }
  return reverted;
}

/**
 * Rows for the PRs merged in the range, and the totals. `revertCandidates` are all merged PRs seen
 * (also after the range), so a PR merged in the range and reverted later still counts as reverted.
 */
export function buildReport(
  evidence: PullEvidence[],
  revertCandidates: MergedPull[],
  names: LabelNaming,
): { rows: ReportRow[]; totals: ReportTotals } {
  const reverts = findReverts([...revertCandidates, ...evidence.map((e) => e.pull)]);
  const rows = evidence
    .map((e) => rowFor(e, names, reverts.get(key(e.pull.repo, e.pull.number))))
    .sort((a, b) => a.mergedAt.localeCompare(b.mergedAt) || a.repo.localeCompare(b.repo) || a.number - b.number);
  return { rows, totals: totalsOf(rows) };
}

function totalsOf(rows: ReportRow[]): ReportTotals {
  const ai = rows.filter((r) => r.aiAssisted).length;
  const rate = (tier: ReportTier | "all", subset: ReportRow[]): RateRow => ({
    tier,
    aiMerged: subset.filter((r) => r.aiAssisted).length,
    aiReverted: subset.filter((r) => r.aiAssisted && r.revertedBy).length,
    otherMerged: subset.filter((r) => !r.aiAssisted).length,
    otherReverted: subset.filter((r) => !r.aiAssisted && r.revertedBy).length,
  });
  const reverts = [
    rate("all", rows),
    ...TIER_ORDER.map((t) =>
      rate(
        t,
        rows.filter((r) => r.tier === t),
      ),
    ).filter((r) => r.aiMerged + r.otherMerged > 0),
  ];

  const load = new Map<string, { login: string; waits: number[]; signOffs: number; highOrCritical: number; quick: number }>();
  for (const r of rows) {
    for (const login of r.signedOffBy) {
      const entry = load.get(login.toLowerCase()) ?? { login, waits: [], signOffs: 0, highOrCritical: 0, quick: 0 };
      entry.signOffs++;
      if (r.tier === "high" || r.tier === "critical") entry.highOrCritical++;
      if (r.quickApprovals.some((q) => q.login.toLowerCase() === login.toLowerCase())) entry.quick++;
      if (r.waitSeconds !== undefined) entry.waits.push(r.waitSeconds);
      load.set(login.toLowerCase(), entry);
    }
  }
  const reviewers = [...load.values()]
    .map((e) => ({
      login: e.login,
      signOffs: e.signOffs,
      highOrCritical: e.highOrCritical,
      quickApprovals: e.quick,
      medianWaitSeconds: quantile(e.waits, 0.5),
    }))
    .sort((a, b) => b.signOffs - a.signOffs || b.highOrCritical - a.highOrCritical || a.login.localeCompare(b.login));

  const waits = TIER_ORDER.map((tier) => {
    const values = rows.filter((r) => r.tier === tier && r.waitSeconds !== undefined).map((r) => r.waitSeconds!);
    return { tier, count: values.length, medianSeconds: quantile(values, 0.5), p90Seconds: quantile(values, 0.9) };
  }).filter((w) => w.count > 0);

  const ref = (r: ReportRow) => `${r.repo}#${r.number}`;
  return {
    merged: rows.length,
    aiAssisted: ai,
    aiShare: rows.length === 0 ? 0 : ai / rows.length,
    gated: rows.filter((r) => r.gated).length,
    reverts,
    reviewers,
    waits,
    quickApprovals: rows.flatMap((r) => r.quickApprovals.map((q) => ({ pull: ref(r), login: q.login, seconds: q.seconds, tier: r.tier }))),
    overrides: rows.filter((r) => r.overriddenBy).map((r) => ({ pull: ref(r), by: r.overriddenBy!, reason: r.overrideReason ?? "" })),
    bypasses: rows.filter((r) => r.bypassed).map((r) => ({ pull: ref(r), tier: r.tier })),
    unrecognised: unrecognisedTotals(rows, ref),
  };
}

/** Each unrecognised bot once (by login, case-insensitive), most PRs first, with the PRs it was on. */
function unrecognisedTotals(rows: ReportRow[], ref: (r: ReportRow) => string): ReportTotals["unrecognised"] {
  const bots = new Map<string, UnrecognisedRecord & { pulls: string[] }>();
  for (const r of rows)
    for (const u of r.unrecognised) {
      const entry = bots.get(u.login.toLowerCase()) ?? { ...u, pulls: [] };
      if (!entry.pulls.includes(ref(r))) entry.pulls.push(ref(r));
      bots.set(u.login.toLowerCase(), entry);
    }
  return [...bots.values()].sort((a, b) => b.pulls.length - a.pulls.length || a.login.localeCompare(b.login));
}

/** Fewer PRs than this in either group, and the report says "too few to compare" rather than a ratio. */
export const MIN_PRS_TO_COMPARE = 20;
/** Fewer waits than this, and no p90 is stated in words (nearest-rank p90 of fewer than 10 is the maximum). */
export const MIN_WAITS_FOR_P90 = 10;

export interface WaitStats {
  count: number;
  medianSeconds: number | undefined;
  p90Seconds: number | undefined;
}

/** One week (Monday 00:00 UTC onwards) of merged PRs. */
export interface WeekRow {
  /** The Monday, YYYY-MM-DD (UTC). */
  week: string;
  merged: number;
  aiAssisted: number;
  /** Waits for sign-off of the PRs merged that week, by tier (tiers without waits are absent). */
  waits: Partial<Record<ReportTier, WaitStats>>;
}

const WEEK = 7 * 24 * 60 * 60 * 1000;

/** The Monday 00:00 UTC of the week holding `t` (milliseconds). */
export function weekStart(t: number): number {
  const d = new Date(t);
  const day = (d.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day);
}

/** Every week touching [since, until), in order, with the PRs merged in it (weeks without merges are kept: a gap is news). */
export function weeklySeries(rows: ReportRow[], since: Date, until: Date): WeekRow[] {
  const weeks = new Map<number, ReportRow[]>();
  for (let w = weekStart(since.getTime()); w < until.getTime(); w += WEEK) weeks.set(w, []);
  for (const r of rows) {
    const w = weekStart(Date.parse(r.mergedAt));
    const list = weeks.get(w);
    if (list) list.push(r);
    else weeks.set(w, [r]);
  }
  return [...weeks.entries()]
    .sort(([a], [b]) => a - b)
    .map(([w, list]) => {
      const waits: Partial<Record<ReportTier, WaitStats>> = {};
      for (const tier of TIER_ORDER) {
        const values = list.filter((r) => r.tier === tier && r.waitSeconds !== undefined).map((r) => r.waitSeconds!);
        if (values.length > 0)
          waits[tier] = { count: values.length, medianSeconds: quantile(values, 0.5), p90Seconds: quantile(values, 0.9) };
      }
      return {
        week: new Date(w).toISOString().slice(0, 10),
        merged: list.length,
        aiAssisted: list.filter((r) => r.aiAssisted).length,
        waits,
      };
    });
}

/** What a revert comparison may say: a ratio only when both groups are large enough and the others were reverted at all. */
export type RevertComparison =
  | { kind: "too-few" }
  | { kind: "none-reverted" }
  | { kind: "others-none"; aiRate: number }
  | { kind: "ratio"; ratio: number; aiRate: number; otherRate: number };

export function compareReverts(r: RateRow): RevertComparison {
  if (r.aiMerged < MIN_PRS_TO_COMPARE || r.otherMerged < MIN_PRS_TO_COMPARE) return { kind: "too-few" };
  const aiRate = r.aiReverted / r.aiMerged;
  const otherRate = r.otherReverted / r.otherMerged;
  if (r.aiReverted === 0 && r.otherReverted === 0) return { kind: "none-reverted" };
  if (r.otherReverted === 0) return { kind: "others-none", aiRate };
  return { kind: "ratio", ratio: aiRate / otherRate, aiRate, otherRate };
}
