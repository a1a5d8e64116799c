// signoff.escalate: a PR still waiting for sign-off after `after` also asks `to`, once (the request
// history keeps it from being asked twice), and the summary says so. Pure: the clock and the time the
// PR started waiting come from the caller (scale/escalation-sweep.ts keeps both).
import { parseDuration } from "../policy/duration.js";
import type { Policy } from "../policy/schema.js";
import type { AskedReviewers, Verdict } from "./types.js";

export interface EscalationState {
  /** When the PR escalates (ms), or undefined when escalation does not apply. */
  dueAt?: number;
  /** Set once the PR has waited past `after`. */
  escalated?: NonNullable<AskedReviewers["escalated"]>;
}

/** Whether escalation applies to this verdict at all: enforce mode, gated, waiting, escalate configured. */
export function escalationApplies(policy: Policy, verdict: Pick<Verdict, "outcome" | "gated" | "mode">): boolean {
  return policy.signoff.escalate !== undefined && policy.mode === "enforce" && verdict.gated && verdict.outcome === "waiting";
}

const describe = (specs: string[]) => specs.map((s) => (s.startsWith("@") ? s : `@${s}`)).join(", ");

/** Hours and minutes, for the summary: "1d 2h", "90m" → "1h 30m". */
export function formatWait(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return [d ? `${d}d` : "", h ? `${h}h` : "", m || (!d && !h) ? `${m}m` : ""].filter(Boolean).join(" ");
}

/** The escalation of a waiting PR that has waited since `since` (ms), at `now` (ms). */
export function escalationState(
  policy: Policy,
  verdict: Pick<Verdict, "outcome" | "gated" | "mode">,
  since: number,
  now: number,
): EscalationState {
  const escalate = policy.signoff.escalate;
  if (!escalate || !escalationApplies(policy, verdict)) return {};
  const after = parseDuration(escalate.after);
  if (after === undefined) return {};
  const dueAt = since + after;
  if (now < dueAt) return { dueAt };
  return {
    dueAt,
    escalated: {
      to: escalate.to,
      note: `Waiting for sign-off for ${formatWait(now - since)}, longer than signoff.escalate.after (${escalate.after}): ${describe(escalate.to)} asked too.`,
    },
  };
}
