// pull_request.closed with merged: true — was the gate bypassed, and does this merge revert an earlier PR?
//
// Reads: our check run on the merged head (always, one read); where that check cannot say whether the
// PR was gated at the merge (none ran, or it passed as "not gated" — written for another base or
// before the AI commit), the merged PR, the PRs it carries, its provenance records and the policy, to judge it afresh from the merged head and the
// base it merged into; the PR's commit messages when its title and description name no revert; for a
// revert, the reverted PR (one read). Writes: only for a bypass.
//
// A redelivery is recognised by the merge ledger (this PR's merge, shared through Redis), never by a
// label: anyone can add or remove `countersign:bypassed`, so a label put on beforehand suppresses
// nothing and one removed afterwards does not make a redelivery count twice.
import type { Context } from "probot";
import {
  assessMerge,
  judgeAtMerge,
  labelFacts,
  needsJudgement,
  parseRevert,
  renderBypassComment,
  type LabelNaming,
  type MergeAssessment,
  type MergeJudgement,
  type MergedInto,
} from "../core/after-merge.js";
import {
  markBypassed,
  readMergedHeadCheck,
  readPullCommitMessages,
  readRevertedPull,
  type IssueRef,
  type RevertedPull,
} from "../github/after-merge.js";
import { readSnapshot } from "../github/snapshot.js";
import { readCarriedPulls } from "../github/merged-pulls.js";
import { readNotesRef, readProvenance } from "../github/provenance.js";
import type { Octokit } from "../github/octokit.js";
import type { Logger } from "probot";
import type { PullSnapshot } from "../core/types.js";
import type { Services } from "./services.js";
import { publisherFor, type PublisherServices } from "./publisher-for.js";

/** What the merged-PR handler uses of the services. */
type MergedServices = Pick<Services, "checkName" | "appId" | "policies" | "merges" | "metrics" | "caches"> & PublisherServices;

function labelNaming(services: Pick<Services, "policies">, owner: string, repo: string): LabelNaming {
  // The cached policy's names when there is one; a merged PR is not worth reading the policy for.
  const cached = services.policies.peek(owner, repo);
  const labels = cached?.ok ? cached.policy.labels : undefined;
  return { aiAssisted: labels?.ai_assisted ?? "ai-assisted", riskPrefix: labels?.risk_prefix ?? "risk:" };
}

export function onPullRequestMerged(services: MergedServices) {
  return async (context: Context<"pull_request.closed">): Promise<void> => {
    const pr = context.payload.pull_request;
    if (!pr.merged) return;
    const owner = context.payload.repository.owner.login;
    const repo = context.payload.repository.name;
    const ref: IssueRef = { owner, repo, number: pr.number };
    const log = context.log.child({ repo: `${owner}/${repo}`, pr: pr.number, sha: pr.head.sha });
    const names = labelNaming(services, owner, repo);
    const labels = pr.labels.map((l) => l.name);

    // A redelivered event (to this replica or, through Redis, another) is not counted or written again.
    const key = `${owner}/${repo}#${pr.number}@${pr.merge_commit_sha ?? pr.head.sha}`.toLowerCase();
    const firstSight = await services.merges.claim(key).catch((err: unknown) => {
      log.debug({ err }, "could not consult the merge ledger; counting this merge");
      return true;
    });
    if (!firstSight) {
      log.debug("merge already handled (a redelivery)");
      return;
    }
    // Everything is read and written first and counted last: if any of it fails, the claim is given
    // back, so a redelivery finishes the work (the bypass comment is not repeated) and counts it once.
    let outcome: { bypass: Bypass | undefined; reverted: RevertedPull | undefined; aiAssisted: boolean };
    try {
      const into = { pr: pr.number, base: pr.base.ref };
      const judged = await judgeIfNeeded(context.octokit, log, services, ref, pr.head.sha, into);
      const bypass = await checkBypass(context.octokit, log, services, ref, {
        headSha: pr.head.sha,
        mergedBy: pr.merged_by?.login ?? context.payload.sender.login,
        into,
        labels,
        names,
        judged,
      });
      const messages = judged.snapshot?.commits.map((c) => c.message);
      const reverted = await findReverted(context.octokit, log, ref, { title: pr.title, body: pr.body }, messages);
      outcome = { bypass, reverted, aiAssisted: judged.judgement?.aiAssisted === true };
    } catch (err) {
      await services.merges.release(key).catch(() => undefined);
      throw err;
    }
    const facts = labelFacts(labels, names);
    services.metrics.mergedPullRequests.inc({ ai_assisted: String(facts.aiAssisted || outcome.aiAssisted), tier: facts.tier });
    if (outcome.bypass) {
      const { assessment, commented, mergedBy } = outcome.bypass;
      services.metrics.bypassedMerges.inc({ tier: assessment.tier });
      log.warn(
        { mergedBy, tier: assessment.tier, missing: assessment.missing, commented },
        "pull request merged without Countersign sign-off",
      );
    }
    if (outcome.reverted) countRevert(log, services, outcome.reverted, names);
  };
}

interface Bypass {
  assessment: Extract<MergeAssessment, { bypassed: true }>;
  commented: boolean;
  mergedBy: string;
}

interface Judged {
  check: Awaited<ReturnType<typeof readMergedHeadCheck>>;
  judgement?: MergeJudgement;
  snapshot?: PullSnapshot;
}

/**
 * Our check on the merged head and, when it cannot say whether the PR was gated at the merge, the
 * judgement made now from the merged PR and the policy in force (the merged head and its base).
 */
async function judgeIfNeeded(
  octokit: Octokit,
  log: Logger,
  services: Pick<Services, "checkName" | "appId" | "policies" | "caches">,
  ref: IssueRef,
  headSha: string,
  into: MergedInto,
): Promise<Judged> {
  const check = await readMergedHeadCheck(octokit, {
    owner: ref.owner,
    repo: ref.repo,
    headSha,
    name: services.checkName,
    ...(services.appId ? { appId: services.appId } : {}),
  });
  if (!needsJudgement(check, into)) return { check };
  const [read, loaded] = await Promise.all([readSnapshot(octokit, ref), services.policies.load(octokit, ref.owner, ref.repo)]);
  // PRs merged into this one (stacked branches) or re-landed by a revert of a revert carry their evidence here too.
  const carriedPulls = await readCarriedPulls(octokit, read);
  let snapshot = carriedPulls.length > 0 ? { ...read, carriedPulls } : read;
  // Provenance records the PR carries (Agent Trace, Git AI notes), as an evaluation reads them.
  if (loaded.ok && loaded.policy.detection.builtin && loaded.policy.detection.provenance) {
    const notesRef = await readNotesRef(octokit, ref.owner, ref.repo, services.caches.provenance);
    const provenance = await readProvenance(octokit, snapshot, notesRef, services.caches.provenance);
    if (provenance) snapshot = { ...snapshot, provenance };
  }
  const judgement = judgeAtMerge(snapshot, loaded.ok ? loaded.policy : undefined);
  log.debug({ gated: judgement.gated, why: judgement.why }, "judged the merged pull request afresh");
  return { check, judgement, snapshot };
}

async function checkBypass(
  octokit: Octokit,
  log: Logger,
  services: Pick<Services, "checkName" | "caches"> & PublisherServices,
  ref: IssueRef,
  merge: { headSha: string; mergedBy: string; into: MergedInto; labels: string[]; names: LabelNaming; judged: Judged },
): Promise<Bypass | undefined> {
  const assessment = assessMerge(merge.judged.check, merge.into, merge.labels, merge.names, merge.judged.judgement);
  if (!assessment.bypassed) {
    log.debug({ why: assessment.why }, "merged pull request did not bypass the gate");
    return undefined;
  }
  const comment = renderBypassComment({
    mergedBy: merge.mergedBy,
    headSha: merge.headSha,
    checkName: services.checkName,
    missing: assessment.missing,
    checkSaid: assessment.checkSaid,
  });
  const publisher = publisherFor(octokit, services);
  const { commented } = await markBypassed(octokit, publisher, ref, comment, merge.names, services.caches.labels);
  return { assessment, commented, mergedBy: merge.mergedBy };
}

/**
 * The earlier PR this merge reverts, when it names one we can read (one read). A hand-made revert may
 * say so only in its commits (`This reverts commit <sha>`): their messages are read when the title
 * and description name nothing.
 */
async function findReverted(
  octokit: Octokit,
  log: Logger,
  ref: IssueRef,
  pr: { title: string; body: string | null },
  known: string[] | undefined,
): Promise<RevertedPull | undefined> {
  let target = parseRevert(pr.title, pr.body, ref.owner, ref.repo);
  if (!target) target = parseRevert(pr.title, pr.body, ref.owner, ref.repo, known ?? (await readPullCommitMessages(octokit, ref)));
  if (!target) return undefined;
  const reverted = await readRevertedPull(octokit, ref.owner, ref.repo, target);
  if (!reverted) log.debug({ target }, "revert names no merged pull request we can read");
  return reverted;
}

function countRevert(log: Logger, services: Pick<Services, "metrics">, reverted: RevertedPull, names: LabelNaming): void {
  const facts = labelFacts(reverted.labels, names);
  services.metrics.reverts.inc({ ai_assisted: String(facts.aiAssisted), tier: facts.tier });
  log.info(
    { reverted: `${reverted.owner}/${reverted.repo}#${reverted.number}`, aiAssisted: facts.aiAssisted, tier: facts.tier },
    "merged pull request reverts an earlier one",
  );
}
