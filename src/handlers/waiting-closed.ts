// pull_request.closed: a closed PR no longer waits for sign-off (the waiting gauge forgets it).
import type { Context } from "probot";
import { pullKey } from "./guarded-publish.js";
import type { WaitingBoard } from "../scale/waiting-board.js";
import type { ReviewLoad } from "../scale/review-load.js";
import type { EscalationBoard } from "../scale/escalation-sweep.js";

/** What forgetting a closed PR uses: the waiting board, and the seniors' open requests and escalations. */
export interface ClosedWaitingDeps {
  waiting: Pick<WaitingBoard, "clear">;
  seniors: { load: Pick<ReviewLoad, "release">; escalations: Pick<EscalationBoard, "clear"> };
}

export function onPullRequestClosedWaiting(services: ClosedWaitingDeps) {
  return async (context: Context<"pull_request.closed">): Promise<void> => {
    const ref = {
      owner: context.payload.repository.owner.login,
      repo: context.payload.repository.name,
      number: context.payload.pull_request.number,
    };
    try {
      await services.waiting.clear(pullKey(ref));
      // Its review requests are no longer open, and it no longer escalates (handlers/seniors.ts).
      await Promise.all([services.seniors.load.release(ref.owner, pullKey(ref)), services.seniors.escalations.clear(pullKey(ref))]);
    } catch (err) {
      context.log.debug({ err, pr: ref.number }, "could not clear the PR's waiting mark");
    }
  };
}
