// pull_request and pull_request_review events: re-evaluate the PR they name.
import type { Context } from "probot";
import { evaluatePullRequest, type EvaluateServices } from "./evaluate.js";
import { hasFields, REPOSITORY_FIELDS } from "./payload.js";

export const PULL_REQUEST_ACTIONS = [
  "pull_request.opened",
  "pull_request.reopened",
  "pull_request.synchronize",
  "pull_request.edited",
  "pull_request.ready_for_review",
  "pull_request.labeled",
  "pull_request.unlabeled",
] as const;

export const REVIEW_ACTIONS = ["pull_request_review.submitted", "pull_request_review.edited", "pull_request_review.dismissed"] as const;

type PullEventContext = Context<"pull_request"> | Context<"pull_request_review">;

export function onPullRequestEvent(services: EvaluateServices) {
  return async (context: PullEventContext): Promise<void> => {
    const fields = {
      ...REPOSITORY_FIELDS,
      "pull_request.number": "number",
      "pull_request.state": "string",
      "pull_request.head.sha": "string",
    } as const;
    if (!hasFields(context.log, context.name, context.payload, fields)) return;
    const pr = context.payload.pull_request;
    if (pr.state === "closed") {
      context.log.debug({ pr: pr.number }, "pull request is closed; nothing to gate");
      return;
    }
    const ref = { owner: context.payload.repository.owner.login, repo: context.payload.repository.name, number: pr.number };
    // An approval makes a pass plausible: what only a pass needs is read in the first round. An
    // approval or change request counts only if its author may sign off: their facts join round 1 too.
    const review = "review" in context.payload ? context.payload.review : undefined;
    const state = review?.state?.toLowerCase();
    const passPlausible = state === "approved";
    const user = review?.user;
    const reviewer =
      (state === "approved" || state === "changes_requested") && typeof user?.login === "string"
        ? { login: user.login, ...(typeof user.id === "number" ? { id: user.id } : {}), ...(user.type ? { type: user.type } : {}) }
        : undefined;
    await evaluatePullRequest(context.octokit, context.log, services, ref, {
      headShaHint: pr.head.sha,
      ...(passPlausible ? { passPlausible } : {}),
      ...(reviewer ? { reviewer } : {}),
    });
  };
}
