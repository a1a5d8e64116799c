// One pull request's evaluation as the handlers ask for it: coalesced per PR by the gate (on this
// replica, and on the others through Redis), failed closed and retried when it fails; resolves with
// the evaluation's result. The evaluation itself: handlers/evaluate-once.ts.
import type { Logger } from "probot";
import type { Octokit } from "../github/octokit.js";
import type { PullRef } from "../github/snapshot.js";
import { failClosed } from "./fail-closed.js";
import { pullKey } from "./guarded-publish.js";
import { CoordinationError, type RunResult } from "../scale/pull-gate.js";
import type { Services } from "./services.js";
import { evaluateOnce, type EvaluateOptions, type EvaluationResult } from "./evaluate-once.js";

/**
 * What evaluating a PR uses: the gate, metrics and retries here, and whatever the evaluation itself
 * and the fail-closed write take (their own parameter types, so this narrows when they do).
 */
export type EvaluateServices = Pick<Services, "gate" | "metrics" | "retries"> &
  Parameters<typeof evaluateOnce>[2] &
  Parameters<typeof failClosed>[2];

/**
 * Evaluate one PR, coalesced with other events for the same PR (on this replica, and on the others
 * through Redis): resolves once an evaluation that started after this call has finished.
 */
export function evaluatePullRequest(
  octokit: Octokit,
  log: Logger,
  services: EvaluateServices,
  ref: PullRef,
  options: EvaluateOptions = {},
): Promise<RunResult | undefined> {
  const request = {
    ...(options.override ? { override: options.override } : {}),
    ...(options.headShaHint ? { headSha: options.headShaHint } : {}),
  };
  const hint = {
    ...(options.headShaHint ? { headShaHint: options.headShaHint } : {}),
    ...(options.passPlausible ? { passPlausible: true } : {}),
    ...(options.reviewer ? { reviewer: options.reviewer } : {}),
  };
  return services.gate
    .run(pullKey(ref), async (run) => runResultOf(await evaluateOnce(octokit, log, services, ref, hint, run)), request)
    .catch(async (err: unknown) => {
      services.metrics.noteEvaluationError(err);
      if (err instanceof CoordinationError) {
        // No evaluation ran: a stale success must not stand. Fail the check on the head the event named.
        services.metrics.evaluations.inc({ outcome: "error", tier: "unknown" });
        await failClosed(octokit, log.child({ repo: `${ref.owner}/${ref.repo}`, pr: ref.number }), services, ref, options.headShaHint, err);
      }
      // The check already fails closed; try again later so the PR does not wait for a human to re-run it.
      const delay = services.retries.schedule(pullKey(ref), err, () => evaluatePullRequest(octokit, log, services, ref, options));
      if (delay !== undefined)
        log.warn({ repo: `${ref.owner}/${ref.repo}`, pr: ref.number, retryInMs: delay }, "evaluation failed; will try again");
      throw err;
    });
}

/** What the gate hands back: what the next run should know, and the override's outcome for the comment's reply. */
function runResultOf(result: EvaluationResult | undefined): RunResult | undefined {
  if (!result) return undefined;
  return {
    headSha: result.headSha,
    ...(result.aiLabel !== undefined ? { aiLabel: result.aiLabel } : {}),
    ...(result.override ? { override: result.override } : {}),
  };
}
