// What a policy proposed in a pull request would change for that same pull request.
import type { Policy } from "../policy/schema.js";
import { isGated, planEvaluation } from "./decide.js";
import type { PullSnapshot, Verdict } from "./types.js";
import { describeRequirement as describeReq, type ProposedPolicy } from "./render.js";
import { POLICY_PATH } from "../policy/paths.js";
import type { PolicyProblem } from "../policy/problems.js";

/** Sentences such as "tier would go from high to low"; empty when nothing this PR sees would change. */
export function proposedPolicyChanges(snapshot: PullSnapshot, current: Verdict, proposed: Policy): string[] {
  const plan = planEvaluation(snapshot, proposed);
  const changes: string[] = [];
  if (proposed.mode !== current.mode) changes.push(`mode would go from ${current.mode} to ${proposed.mode}`);
  // A PR gated only by its label memory (the `ai-assisted` label put back after a removal) stays gated
  // under any policy: the memory is not evidence a proposal could remove.
  const gatedByMemory = current.detection.assisted && current.detection.signals.length === 0;
  const wouldGate = isGated(proposed, plan.inScope, plan.detection.assisted || gatedByMemory);
  if (wouldGate !== current.gated) changes.push(wouldGate ? "this PR would be gated" : "this PR would no longer be gated");
  if (plan.risk.tier !== current.risk.tier) changes.push(`risk tier would go from ${current.risk.tier} to ${plan.risk.tier}`);
  const before = describeReq(current.requirement);
  const after = describeReq(plan.requirement);
  if (before !== after) changes.push(`sign-off would need ${after} instead of ${before}`);
  const signalsBefore = current.detection.signals.length;
  const signalsAfter = plan.detection.signals.length;
  if (signalsBefore !== signalsAfter) changes.push(`AI signals found would go from ${signalsBefore} to ${signalsAfter}`);
  return changes;
}

/** The proposed policy's section of the summary: its problems, or what it would change for this PR. */
export function describeProposedPolicy(
  proposed: { problems: PolicyProblem[]; policy?: Policy; note?: string },
  snapshot: PullSnapshot,
  verdict: Verdict,
): ProposedPolicy {
  if (!proposed.policy) return { path: POLICY_PATH, problems: proposed.problems, changes: [] };
  const changes = proposedPolicyChanges(snapshot, verdict, proposed.policy);
  return { path: POLICY_PATH, problems: [], changes: proposed.note ? [...changes, proposed.note] : changes };
}
