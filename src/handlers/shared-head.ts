// The other open pull requests whose head is the same commit, each judged by the same evaluation as
// the PR itself (core/evaluate-pull.ts): the check run on a commit may pass only if every one of
// them passes (core/shared-head.ts combines the views).
//
// Cost: only an evaluation whose own verdict would pass asks, with one read (the PRs of the commit,
// GET /repos/{o}/{r}/commits/{sha}/pulls; started early by the source when a pass is plausible). A
// waiting or failing verdict cannot let anything through, so it asks nothing. Each other PR found
// costs its own snapshot and what its evaluation reads; the common case, one PR per head, costs no more.
import type { Logger } from "probot";
import type { GitHubPullSource } from "../github/pull-source.js";
import type { LoadedPolicy } from "../github/policy-source.js";
import { evaluatePull } from "../core/evaluate-pull.js";
import { renderVerdict } from "../core/render.js";
import type { HeadPart } from "../core/shared-head.js";
import type { OverrideRecord } from "../core/types.js";

export interface SiblingPart extends HeadPart {
  override?: OverrideRecord;
}

/** The other open PRs with this head, each with the view it would get alone. */
export async function judgeSiblings(
  log: Logger,
  source: GitHubPullSource,
  loaded: Extract<LoadedPolicy, { ok: true }>,
): Promise<SiblingPart[]> {
  const self = source.snapshot.number;
  const numbers = (await source.siblings()).filter((n) => n !== self);
  if (numbers.length > 0) log.info({ siblings: numbers }, "other open pull requests share this head; each must pass");
  const { policy } = loaded;
  const parts = await Promise.all(
    numbers.map(async (number): Promise<SiblingPart | undefined> => {
      const sibling = await source.forSibling(number);
      if (!sibling) return undefined;
      const { verdict, snapshot } = await evaluatePull(sibling, policy);
      return {
        number,
        baseRef: snapshot.baseRef,
        view: renderVerdict(verdict, snapshot, { policySources: loaded.sources, freshApproval: policy.signoff.fresh_approval }),
        ...(verdict.override ? { override: verdict.override } : {}),
      };
    }),
  );
  return parts.filter((p): p is SiblingPart => p !== undefined);
}
