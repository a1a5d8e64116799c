// A check run's record (src/core/check-record.ts) for one PR, as tests and benchmarks write it: the
// fields a verdict gives, the PR and its base, and the gate the verdict decides (gateOf) unless given.
import { gateOf, renderCheckRecord, type PullRecord } from "../../src/core/check-record.js";
import type { OverrideRecord } from "../../src/core/types.js";

export type RecordFields = Omit<PullRecord, "pr" | "base" | "gate" | "unrecognised"> &
  Partial<Pick<PullRecord, "base" | "gate" | "unrecognised">>;

export function pullRecord(pr: number, fields: RecordFields): PullRecord {
  return { pr, base: "main", gate: gateOf(fields), unrecognised: [], ...fields };
}

/** The text of a check run whose record covers one PR (on `main` unless `base` says otherwise). */
export function recordText(pr: number, fields: RecordFields, overrides: OverrideRecord[] = []): string {
  return renderCheckRecord({ pulls: [pullRecord(pr, fields)], overrides });
}

/** The text of our check run on a PR's head that keeps an override given on it (as an evaluation writes it). */
export function overrideText(pr: number, override: OverrideRecord): string {
  return recordText(
    pr,
    {
      outcome: "overridden",
      mode: "enforce",
      gated: true,
      ai: true,
      approvedBy: [],
      overriddenBy: override.by,
      overrideReason: override.reason,
    },
    [override],
  );
}
