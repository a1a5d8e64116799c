// pull_request.closed with merged: true — was the gate bypassed, and does this merge revert an earlier PR?
//
// Reads: our check run on the merged head (always, one read); for a bypass only, the PR's current
// labels and comments; for a revert only, the reverted PR (one read). Writes: only for a bypass.
import type { Context } from "probot";
import { assessMerge, BYPASSED_LABEL, labelFacts, parseRevert, renderBypassComment, type LabelNaming } from "../core/after-merge.js";
import {
  markBypassed,
  readCurrentLabels,
  readMergedHeadCheck,
  readRevertedPull,
  type IssueRef,
  type RevertedPull,
} from "../github/after-merge.js";
import type { Octokit } from "../github/octokit.js";
import type { Logger } from "probot";
import type { Services } from "./services.js";

function labelNaming(services: Services, owner: string, repo: string): LabelNaming {
  // The cached policy's names when there is one; a merged PR is not worth reading the policy for.
  const cached = services.policies.peek(owner, repo);
  const labels = cached?.ok ? cached.policy.labels : undefined;
  return { aiAssisted: labels?.ai_assisted ?? "ai-assisted", riskPrefix: labels?.risk_prefix ?? "risk:" };
}

export function onPullRequestMerged(services: Services) {
  return async (context: Context<"pull_request.closed">): Promise<void> => {
    const pr = context.payload.pull_request;
    if (!pr.merged) return;
    const owner = context.payload.repository.owner.login;
    const repo = context.payload.repository.name;
    const ref: IssueRef = { owner, repo, number: pr.number };
    const log = context.log.child({ repo: `${owner}/${repo}`, pr: pr.number, sha: pr.head.sha });
    const names = labelNaming(services, owner, repo);
    const labels = pr.labels.map((l) => l.name);

    // A redelivered event (to this replica or, through Redis, another) is not counted again.
    const key = `${owner}/${repo}#${pr.number}@${pr.merge_commit_sha ?? pr.head.sha}`.toLowerCase();
    const firstSight = await services.merges.claim(key).catch((err: unknown) => {
      log.debug({ err }, "could not consult the merge ledger; counting this merge");
      return true;
    });
    // The merge and its revert are counted together once the reverted PR was read; if that read
    // fails, the claim is given back, so a redelivery of the event counts them.
    const countMerge = async () => {
      let reverted: RevertedPull | undefined;
      try {
        reverted = await findReverted(context.octokit, log, ref, { title: pr.title, body: pr.body });
      } catch (err) {
        await services.merges.release(key).catch(() => undefined);
        throw err;
      }
      const facts = labelFacts(labels, names);
      services.metrics.mergedPullRequests.inc({ ai_assisted: String(facts.aiAssisted), tier: facts.tier });
      if (reverted) countRevert(log, services, reverted, names);
    };

    await Promise.all([
      checkBypass(context.octokit, log, services, ref, {
        headSha: pr.head.sha,
        mergedBy: pr.merged_by?.login ?? context.payload.sender.login,
        labels,
        names,
      }),
      firstSight ? countMerge() : Promise.resolve(),
    ]);
  };
}

async function checkBypass(
  octokit: Octokit,
  log: Logger,
  services: Services,
  ref: IssueRef,
  merge: { headSha: string; mergedBy: string; labels: string[]; names: LabelNaming },
): Promise<void> {
  const check = await readMergedHeadCheck(octokit, {
    owner: ref.owner,
    repo: ref.repo,
    headSha: merge.headSha,
    name: services.checkName,
    ...(services.appId ? { appId: services.appId } : {}),
  });
  const assessment = assessMerge(check, merge.labels, merge.names);
  if (!assessment.bypassed) {
    log.debug({ why: assessment.why }, "merged pull request did not bypass the gate");
    return;
  }
  // The payload's labels are those of the original delivery: the current ones say whether this is done.
  const current = await readCurrentLabels(octokit, ref);
  if (current.some((l) => l.toLowerCase() === BYPASSED_LABEL)) {
    log.debug("bypass already recorded on the pull request");
    return;
  }
  const comment = renderBypassComment({
    mergedBy: merge.mergedBy,
    headSha: merge.headSha,
    checkName: services.checkName,
    missing: assessment.missing,
    checkSaid: assessment.checkSaid,
  });
  const { commented } = await markBypassed(octokit, ref, comment, merge.names, services.caches.labels);
  services.metrics.bypassedMerges.inc({ tier: assessment.tier });
  log.warn(
    { mergedBy: merge.mergedBy, tier: assessment.tier, missing: assessment.missing, commented },
    "pull request merged without Countersign sign-off",
  );
}

/** The earlier PR this merge reverts, when it names one we can read (one read). */
async function findReverted(
  octokit: Octokit,
  log: Logger,
  ref: IssueRef,
  pr: { title: string; body: string | null },
): Promise<RevertedPull | undefined> {
  const target = parseRevert(pr.title, pr.body, ref.owner, ref.repo);
  if (!target) return undefined;
  const reverted = await readRevertedPull(octokit, ref.owner, ref.repo, target);
  if (!reverted) log.debug({ target }, "revert names no merged pull request we can read");
  return reverted;
}

function countRevert(log: Logger, services: Services, reverted: RevertedPull, names: LabelNaming): void {
  const facts = labelFacts(reverted.labels, names);
  services.metrics.reverts.inc({ ai_assisted: String(facts.aiAssisted), tier: facts.tier });
  log.info(
    { reverted: `${reverted.owner}/${reverted.repo}#${reverted.number}`, aiAssisted: facts.aiAssisted, tier: facts.tier },
    "merged pull request reverts an earlier one",
  );
}
