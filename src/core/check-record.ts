// What our check run says, machine-readable: a small record in the check's text, written with every
// verdict and read back after the merge (bypass detection) and by `countersign report`, so neither
// has to re-derive the gate's decision. Check runs written before the record existed are read from
// their title, which has said the outcome, the people and the tier from the start.
import type { Outcome, RiskTier, Verdict } from "./types.js";

/** One check run's verdict, as the app decided it. */
export interface CheckRecord {
  outcome: Outcome;
  mode: "enforce" | "report";
  gated: boolean;
  /** undefined: not known (an older check run, an invalid policy, an error). */
  tier?: RiskTier;
  ai: boolean;
  /** The strongest AI signal (the first found: author, commits, trailers, description, branch, label). */
  signal?: string;
  /** What sign-off needed: "2 approvals from @acme/sre". */
  required?: string;
  approvedBy: string[];
  overriddenBy?: string;
  overrideReason?: string;
}

const MARKER = /<!-- countersign:verdict (\{[^<>]*\}) -->/;
const TIERS: readonly RiskTier[] = ["low", "medium", "high", "critical"];
const OUTCOMES: readonly Outcome[] = ["not-gated", "approved", "waiting", "changes-requested", "overridden", "invalid-policy", "error"];

export function checkRecordOf(v: Verdict, required: string): CheckRecord {
  const first = v.detection.signals[0];
  const signal = first ? first.id : v.memoryNotes.length > 0 ? "label" : undefined;
  return {
    outcome: v.outcome,
    mode: v.mode,
    gated: v.gated,
    tier: v.risk.tier,
    ai: v.detection.assisted,
    ...(signal ? { signal } : {}),
    ...(v.gated ? { required } : {}),
    approvedBy: v.approvedBy,
    ...(v.override ? { overriddenBy: v.override.by, overrideReason: v.override.reason } : {}),
  };
}

/** JSON inside an HTML comment: "<" and ">" are escaped so no value can end the comment early. */
export function renderCheckRecord(record: CheckRecord): string {
  const json = JSON.stringify(record).replace(/</g, "\\u003c").replace(/>/g, "\\u003e");
  return `<!-- countersign:verdict ${json} -->`;
}

const str = (v: unknown): v is string => typeof v === "string";

function fromMarker(text: string): CheckRecord | undefined {
  const match = MARKER.exec(text);
  if (!match?.[1]) return undefined;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(match[1]) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!OUTCOMES.includes(raw.outcome as Outcome) || typeof raw.gated !== "boolean") return undefined;
  const tier = TIERS.includes(raw.tier as RiskTier) ? (raw.tier as RiskTier) : undefined;
  return {
    outcome: raw.outcome as Outcome,
    mode: raw.mode === "report" ? "report" : "enforce",
    gated: raw.gated,
    ...(tier ? { tier } : {}),
    ai: raw.ai === true,
    ...(str(raw.signal) ? { signal: raw.signal } : {}),
    ...(str(raw.required) ? { required: raw.required } : {}),
    approvedBy: Array.isArray(raw.approvedBy) ? raw.approvedBy.filter(str) : [],
    ...(str(raw.overriddenBy) ? { overriddenBy: raw.overriddenBy } : {}),
    ...(str(raw.overrideReason) ? { overrideReason: raw.overrideReason } : {}),
  };
}

const logins = (list: string) => [...list.matchAll(/@([A-Za-z0-9-]+(?:\[bot\])?)/g)].map((m) => m[1]!);

/** A check run from before the record: its title says the outcome (render.ts `headline`), the summary the tier. */
function fromTitle(title: string, summary: string): CheckRecord | undefined {
  const t = title.replace(/^Report mode: would (?:wait|pass): /, "");
  const mode = t === title ? "enforce" : "report";
  const tierMatch = /\(.*risk (low|medium|high|critical)\)$/.exec(t) ?? /#### Risk: (low|medium|high|critical)/.exec(summary);
  const tier = tierMatch?.[1] as RiskTier | undefined;
  const base = { mode, ...(tier ? { tier } : {}) } as const;
  const required = /Needs \*\*(\d+ approvals?)\*\* from (.+?) at risk/.exec(summary);
  const need = required ? { required: `${required[1]} from ${required[2]}` } : {};
  if (t.startsWith("Not AI-assisted")) return { ...base, outcome: "not-gated", gated: false, ai: false, approvedBy: [] };
  if (t.startsWith("Signed off by "))
    return { ...base, ...need, outcome: "approved", gated: true, ai: true, approvedBy: logins(t.slice(14).replace(/\(risk.*$/, "")) };
  if (t.startsWith("Waiting for ")) return { ...base, ...need, outcome: "waiting", gated: true, ai: true, approvedBy: [] };
  if (t.startsWith("Changes requested by "))
    return { ...base, ...need, outcome: "changes-requested", gated: true, ai: true, approvedBy: [] };
  const override = /^Overridden by @([^:]+): (.*)$/.exec(t);
  if (override)
    return {
      ...base,
      outcome: "overridden",
      gated: true,
      ai: true,
      approvedBy: [],
      overriddenBy: override[1]!,
      overrideReason: override[2]!,
    };
  if (t.startsWith("Invalid policy") || t.startsWith("The policy proposed in this PR is invalid"))
    return { ...base, outcome: "invalid-policy", gated: true, ai: false, approvedBy: [] };
  if (t.startsWith("Could not evaluate")) return { ...base, outcome: "error", gated: true, ai: false, approvedBy: [] };
  return undefined;
}

/** The record of a check run: its marker, else what its title says; undefined when neither can be read. */
export function readCheckRecord(run: { title: string; summary: string; text?: string | null }): CheckRecord | undefined {
  return fromMarker(run.text ?? "") ?? fromTitle(run.title, run.summary);
}
