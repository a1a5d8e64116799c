// The other open pull requests whose head is the same commit, each judged by the same evaluation as
// the PR itself (core/evaluate-pull.ts): the check run on a commit may pass only if every one of
// them passes (core/shared-head.ts combines the views).
//
// Cost: only an evaluation whose own verdict would pass asks, with one read (the PRs of the commit,
// GET /repos/{o}/{r}/commits/{sha}/pulls; started early by the source when a pass is plausible). A
// waiting or failing verdict cannot let anything through, so it asks nothing. Each other PR found
// costs its own snapshot and what its evaluation reads; the common case, one PR per head, costs no more.
import type { Logger } from "probot";
import type { Octokit } from "../github/octokit.js";
import type { GitHubPullSource } from "../github/pull-source.js";
import type { LoadedPolicy } from "../github/policy-source.js";
import { readSignoffCandidates } from "../github/candidates.js";
import { evaluatePull, type PullEvaluation } from "../core/evaluate-pull.js";
import { describeProposedPolicy } from "../core/policy-change.js";
import { renderPart } from "../core/render.js";
import { combineHeadViews, type HeadPart, type HeadView } from "../core/shared-head.js";
import type { OverrideRecord } from "../core/types.js";
import type { Services } from "./services.js";

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
        ...renderPart(verdict, snapshot, { policySources: loaded.sources, freshApproval: policy.signoff.fresh_approval }),
        ...(verdict.override ? { override: verdict.override } : {}),
      };
    }),
  );
  return parts.filter((p): p is SiblingPart => p !== undefined);
}

/**
 * The check run's view for this head, given which label or review-request writes failed: this PR's
 * verdict (with who could sign off now, read only for a PR left waiting), and — before it may pass —
 * every other open PR with this head, which must pass too.
 */
export async function headViewFor(
  octokit: Octokit,
  log: Logger,
  people: { candidatesLimit: number; cache: Services["caches"]["people"] },
  loaded: Extract<LoadedPolicy, { ok: true }>,
  source: GitHubPullSource,
  { snapshot, kept, verdict }: Pick<PullEvaluation, "snapshot" | "kept" | "verdict">,
): Promise<(sideEffectErrors: string[]) => HeadView> {
  const { policy } = loaded;
  const headSha = snapshot.headSha;
  const ref = { owner: snapshot.owner, repo: snapshot.repo, number: snapshot.number };
  const proposed = await source.proposed();
  const candidates = await readSignoffCandidates(octokit, snapshot, policy, verdict, people.candidatesLimit, people.cache);
  const proposedPolicy = proposed === undefined ? undefined : describeProposedPolicy(proposed, snapshot, verdict);
  const render = (sideEffectErrors: string[]) =>
    renderPart(verdict, snapshot, {
      policySources: loaded.sources,
      freshApproval: policy.signoff.fresh_approval,
      ...(candidates ? { candidates } : {}),
      sideEffectErrors,
      ...(proposedPolicy ? { proposedPolicy } : {}),
    });
  // A check run belongs to the commit: before it may pass, every other open PR with this head must pass too.
  const siblings = render([]).record.gate === "pass" ? await judgeSiblings(log, source, loaded) : [];
  // Overrides given on other PRs with this head stay on the commit's check.
  const overrides = [
    verdict.override,
    ...siblings.map((s) => s.override),
    ...kept.filter((o) => o.sha === headSha && o.pr !== undefined && o.pr !== ref.number),
  ].filter((o): o is OverrideRecord => o !== undefined);
  return (errors) => combineHeadViews([render(errors), ...siblings], overrides);
}
