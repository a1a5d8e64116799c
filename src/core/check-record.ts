// What our check run says, machine-readable: ONE versioned record in the check's text (`v: 2`),
// written with every verdict and read back by the next evaluation (the overrides kept on the commit),
// after the merge (was it signed off for the base it merged into?) and by `countersign report` (the
// outcome, the tier, the unrecognised automation), so nobody re-derives the gate's decision from words.
// This module is the only one that reads or writes it. A record it cannot read — none, an older
// version, a broken one — is no record: the reader fails closed (an override is not remembered, a
// passing check is not trusted after the merge). Titles and summaries are words; nothing parses them.
import type { Outcome, OverrideRecord, PullSnapshot, RiskTier, UnrecognisedAutomation, Verdict } from "./types.js";

/** Whether a verdict lets the check pass, makes it wait, or fails it: decided here, from the verdict alone. */
export type Gate = "pass" | "wait" | "fail";

/** The verdict's gate: changes requested, an invalid policy or an error fail; a wait waits; the rest pass. */
export function gateOf(v: Pick<Verdict, "outcome" | "mode">): Gate {
  if (v.mode === "report") return "pass";
  if (v.outcome === "waiting") return "wait";
  if (v.outcome === "changes-requested" || v.outcome === "invalid-policy" || v.outcome === "error") return "fail";
  return "pass";
}

/** A bot account the detection saw and no list knows, with the policy entry that would count it as AI. */
export interface UnrecognisedRecord {
  login: string;
  policyKey: UnrecognisedAutomation["policyKey"];
  /** The value that entry would take: the login, or for `detection.emails` the email. */
  value: string;
}

/** One pull request's verdict, as the app decided it, for the base it was decided for. */
export interface PullRecord {
  pr: number;
  /** The base branch the verdict was for: a sign-off or override counts only on it. */
  base: string;
  /** pass / wait / fail, as the verdict decided (`gateOf`), with an invalid proposed policy failing. */
  gate: Gate;
  outcome: Outcome;
  mode: "enforce" | "report";
  gated: boolean;
  /** undefined: not known (an invalid policy, an error). */
  tier?: RiskTier;
  ai: boolean;
  /** The strongest AI signal (the first found: author, commits, trailers, description, branch, label). */
  signal?: string;
  /** What sign-off needed: "2 approvals from @acme/sre". */
  required?: string;
  approvedBy: string[];
  overriddenBy?: string;
  overrideReason?: string;
  unrecognised: UnrecognisedRecord[];
}

/** The record on one check run: every PR whose head is the commit, and the overrides kept on it. */
export interface CheckRecord {
  v: 2;
  /** The PR the evaluation was for first, then the other open PRs with this head. */
  pulls: PullRecord[];
  /** Overrides given on this commit, at most one per PR: the state the next evaluation reads. */
  overrides: OverrideRecord[];
}

const VERSION = 2;
const MARKER = /<!-- countersign:record (\{[^<>]*\}) -->/;
const TIERS: readonly RiskTier[] = ["low", "medium", "high", "critical"];
const OUTCOMES: readonly Outcome[] = ["not-gated", "approved", "waiting", "changes-requested", "overridden", "invalid-policy", "error"];
const GATES: readonly Gate[] = ["pass", "wait", "fail"];
const KEYS: readonly UnrecognisedRecord["policyKey"][] = ["detection.authors", "detection.emails"];

/** The record of one PR's verdict; `invalidProposal`: the PR proposes an invalid policy, which fails the check. */
export function pullRecordOf(
  v: Verdict,
  snapshot: Pick<PullSnapshot, "number" | "baseRef">,
  required: string,
  invalidProposal = false,
): PullRecord {
  const first = v.detection.signals[0];
  const signal = first ? first.id : v.memoryNotes.length > 0 ? "label" : undefined;
  return {
    pr: snapshot.number,
    base: snapshot.baseRef,
    gate: invalidProposal ? "fail" : gateOf(v),
    outcome: v.outcome,
    mode: v.mode,
    gated: v.gated,
    tier: v.risk.tier,
    ai: v.detection.assisted,
    ...(signal ? { signal } : {}),
    ...(v.gated ? { required } : {}),
    approvedBy: v.approvedBy,
    ...(v.override ? { overriddenBy: v.override.by, overrideReason: v.override.reason } : {}),
    unrecognised: (v.detection.unrecognised ?? []).map((b) => ({
      login: b.login,
      policyKey: b.policyKey,
      value: b.policyKey === "detection.emails" && b.email ? b.email : b.login,
    })),
  };
}

/**
 * The record of a check that could not judge a PR (an invalid policy, an evaluation error): it fails.
 * `base` is "" when the failure came before the PR was read; a failing record needs no base to be believed.
 */
export function failureRecord(pr: number, base: string, outcome: "invalid-policy" | "error"): PullRecord {
  return { pr, base, gate: "fail", outcome, mode: "enforce", gated: true, ai: false, approvedBy: [], unrecognised: [] };
}

/** Overrides kept on a commit: at most one per PR (the first given wins, as the list is ordered). */
function onePerPull(overrides: OverrideRecord[]): OverrideRecord[] {
  return overrides.filter((o, i) => overrides.findIndex((x) => (x.pr ?? -1) === (o.pr ?? -1)) === i);
}

/** JSON inside an HTML comment: "<" and ">" are escaped so no value can end the comment early. */
export function renderCheckRecord(record: Omit<CheckRecord, "v">): string {
  const body: CheckRecord = { v: VERSION, pulls: record.pulls, overrides: onePerPull(record.overrides) };
  const json = JSON.stringify(body).replace(/</g, "\\u003c").replace(/>/g, "\\u003e");
  return `<!-- countersign:record ${json} -->`;
}

const str = (v: unknown): v is string => typeof v === "string";
const obj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function overrideFrom(o: unknown): OverrideRecord | undefined {
  if (!obj(o) || !str(o.by) || !str(o.reason) || !str(o.sha) || !str(o.at)) return undefined;
  return {
    by: o.by,
    reason: o.reason,
    sha: o.sha,
    at: o.at,
    ...(typeof o.comment === "number" ? { comment: o.comment } : {}),
    ...(typeof o.pr === "number" ? { pr: o.pr } : {}),
  };
}

function unrecognisedFrom(u: unknown): UnrecognisedRecord | undefined {
  if (!obj(u) || !str(u.login) || !str(u.value) || !KEYS.includes(u.policyKey as UnrecognisedRecord["policyKey"])) return undefined;
  return { login: u.login, policyKey: u.policyKey as UnrecognisedRecord["policyKey"], value: u.value };
}

function pullFrom(p: unknown): PullRecord | undefined {
  if (!obj(p) || typeof p.pr !== "number" || !str(p.base) || typeof p.gated !== "boolean") return undefined;
  if (!OUTCOMES.includes(p.outcome as Outcome) || !GATES.includes(p.gate as Gate)) return undefined;
  const tier = TIERS.includes(p.tier as RiskTier) ? (p.tier as RiskTier) : undefined;
  return {
    pr: p.pr,
    base: p.base,
    gate: p.gate as Gate,
    outcome: p.outcome as Outcome,
    mode: p.mode === "report" ? "report" : "enforce",
    gated: p.gated,
    ...(tier ? { tier } : {}),
    ai: p.ai === true,
    ...(str(p.signal) ? { signal: p.signal } : {}),
    ...(str(p.required) ? { required: p.required } : {}),
    approvedBy: Array.isArray(p.approvedBy) ? p.approvedBy.filter(str) : [],
    ...(str(p.overriddenBy) ? { overriddenBy: p.overriddenBy } : {}),
    ...(str(p.overrideReason) ? { overrideReason: p.overrideReason } : {}),
    unrecognised: Array.isArray(p.unrecognised)
      ? p.unrecognised.map(unrecognisedFrom).filter((u): u is UnrecognisedRecord => u !== undefined)
      : [],
  };
}

/** The record in a check run's text; undefined when there is none, or it is of another version or unreadable. */
export function readCheckRecord(text: string | null | undefined): CheckRecord | undefined {
  const match = text ? MARKER.exec(text) : null;
  if (!match?.[1]) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(match[1]);
  } catch {
    return undefined;
  }
  if (!obj(raw) || raw.v !== VERSION || !Array.isArray(raw.pulls)) return undefined;
  const pulls = raw.pulls.map(pullFrom);
  if (pulls.length === 0 || pulls.some((p) => p === undefined)) return undefined;
  const overrides = Array.isArray(raw.overrides) ? raw.overrides.map(overrideFrom) : [];
  return {
    v: VERSION,
    pulls: pulls as PullRecord[],
    overrides: overrides.filter((o): o is OverrideRecord => o !== undefined),
  };
}

/** What a check run's record says about one PR; undefined when it says nothing about it. */
export function pullRecordIn(text: string | null | undefined, pr: number): PullRecord | undefined {
  return readCheckRecord(text)?.pulls.find((p) => p.pr === pr);
}

/** The overrides kept on a check run (none when its record cannot be read: the gate stays closed). */
export function overridesIn(text: string | null | undefined): OverrideRecord[] {
  return readCheckRecord(text)?.overrides ?? [];
}

/** The override in a check's record that applies to one PR (one given on it, or one that names no PR). */
export function overrideFor(overrides: OverrideRecord[], pr: number): OverrideRecord | undefined {
  return overrides.find((o) => o.pr === undefined || o.pr === pr);
}
