// When an evaluation fails: a failing check on the head, so the gate never passes by accident.
import type { Logger } from "probot";
import type { Octokit } from "../github/octokit.js";
import { httpStatus } from "../github/octokit.js";
import type { PullRef } from "../github/snapshot.js";
import type { CheckTarget } from "../github/publish.js";
import { explainFailure, renderError, type CheckRunView, type EvaluationFailure } from "../core/render.js";
import { CoordinationError } from "../scale/pull-gate.js";
import type { Services } from "./services.js";
import { publisherFor } from "./publisher-for.js";

/** What kind of failure this was; render.ts words it. */
function failureOf(err: unknown): EvaluationFailure {
  if (err instanceof CoordinationError) return { kind: "coordination", message: err.message };
  const message = (err as Error)?.message ?? String(err);
  const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError" || /aborted|timeout/i.test(message));
  return { kind: "request", status: httpStatus(err), message, timedOut };
}

/** Leave a failing check on the head so the gate never passes by accident; best effort. */
export async function failClosed(
  octokit: Octokit,
  log: Logger,
  services: Pick<Services, "checkName" | "turns" | "metrics">,
  ref: PullRef,
  headSha: string | undefined,
  err: unknown,
) {
  log.error({ err, outcome: "error" }, "evaluation failed");
  if (!headSha) return;
  const target: CheckTarget = { owner: ref.owner, repo: ref.repo, headSha, name: services.checkName };
  const view: CheckRunView = renderError(explainFailure(failureOf(err)), ref);
  try {
    // Not read: whatever is there, this failure goes before every other waiting write (it may close the gate).
    // A closing write: never skipped by the queue (and this publisher has no guard).
    await publisherFor(octokit, services).writeCheck(target, view, undefined, { unread: true });
  } catch (writeErr) {
    log.error({ err: writeErr }, "could not write the failing check either");
  }
}
