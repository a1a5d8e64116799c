// One evaluation of one pull request: fetch → evaluate (pure core) → publish. Orchestration only.
//
// Round trips on the way to a decision (docs/scaling.md): round 1 reads the PR, its files, commits
// and reviews, the policy (cached), our check run on the head the event named and, when the PR is
// known to lack the AI label, its label history — all at once. Round 2, only when needed: team
// membership and permission (cached briefly), the check run again if the head moved, the proposed
// policy of a PR that changes it. Round 3, only when it matters: same-diff's compare reads (cached
// by SHA) and, for a PR left waiting, who could sign off. Then the writes, and only those that change something.
// Round 1 is github/evaluation-inputs.ts; rounds 2 and 3 are github/decision-inputs.ts.
import type { Logger } from "probot";
import type { Octokit } from "../github/octokit.js";
import type { PullRef } from "../github/snapshot.js";
import { readEvaluationInputs } from "../github/evaluation-inputs.js";
import { readDecisionInputs, type DecisionInputs } from "../github/decision-inputs.js";
import type { LoadedPolicy } from "../github/policy-source.js";
import { writeCheckRun, type CheckTarget, type CheckWrite, type ExistingCheckRun } from "../github/publish.js";
import { publishVerdict, type Published, type VerdictToPublish } from "./publish-verdict.js";
import { decide, hasLabel } from "../core/decide.js";
import { readSignoffCandidates } from "../github/candidates.js";
import { failClosed } from "./fail-closed.js";
import { renderInvalidPolicy, renderVerdict, stateText, type CheckRunView } from "../core/render.js";
import { combineHeadViews, viewPasses } from "../core/shared-head.js";
import { judgeSiblings } from "./shared-head.js";
import { describeProposedPolicy } from "../core/policy-change.js";
import { sameOverride, type OverrideRecord, type Outcome, type Verdict } from "../core/types.js";
import { CoordinationError, type PullMemo, type RunContext } from "../scale/pull-gate.js";
import { SupersededWrite, withWriteGuard } from "../github/write-turns.js";
import { resetYields, yieldToFollowUp, type YieldCounts } from "../scale/yield-to-follow-up.js";
import { recordSignoffWait } from "../scale/signoff-wait.js";
import type { Services } from "./services.js";
import { recordAsked, withAskedReviewers } from "./seniors.js";

export interface EvaluationResult {
  outcome: Outcome;
  tier?: string;
  /** "superseded": a newer event for the PR was queued, so this run left the writing to its follow-up. */
  check: CheckWrite | "superseded";
  labelWrites: number;
  headSha: string;
  /** Whether the PR carries the AI label once this evaluation's label writes are done. */
  aiLabel?: boolean;
}

export interface EvaluateOptions {
  /** A newly accepted override for the current head. */
  override?: OverrideRecord;
  /** The head SHA the event named: our check run on it is read in the first round, and it is where a failure is reported when the PR itself cannot be read. */
  headShaHint?: string;
}

export function pullKey(ref: PullRef): string {
  return `${ref.owner}/${ref.repo}#${ref.number}`.toLowerCase();
}

/** Where the outcome of one accepted override is kept for the comment's reply. */
export function overrideKey(ref: PullRef, override: OverrideRecord): string {
  return `${pullKey(ref)}@${override.sha}:${override.by}:${override.at}:${override.comment ?? ""}`;
}

/**
 * Evaluate one PR, coalesced with other events for the same PR (on this replica, and on the others
 * through Redis): resolves once an evaluation that started after this call has finished.
 */
export function evaluatePullRequest(
  octokit: Octokit,
  log: Logger,
  services: Services,
  ref: PullRef,
  options: EvaluateOptions = {},
): Promise<void> {
  const request = {
    ...(options.override ? { override: options.override } : {}),
    ...(options.headShaHint ? { headSha: options.headShaHint } : {}),
  };
  const hint = options.headShaHint ? { headShaHint: options.headShaHint } : {};
  return services.gate
    .run(pullKey(ref), async (run) => memoOf(await evaluateOnce(octokit, log, services, ref, hint, run)), request)
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

const yieldCounts = (services: Services): YieldCounts => ({
  yields: services.caches.yields,
  onYield: () => services.metrics.supersededPublishes.inc(),
});

/** Where our check run on a SHA of this PR's repository is. */
function checkTarget(services: Services, ref: PullRef, headSha: string): CheckTarget {
  return { owner: ref.owner, repo: ref.repo, headSha, name: services.checkName, ...(services.appId ? { appId: services.appId } : {}) };
}

function memoOf(result: EvaluationResult | undefined): PullMemo | undefined {
  if (!result) return undefined;
  return { headSha: result.headSha, ...(result.aiLabel !== undefined ? { aiLabel: result.aiLabel } : {}) };
}

export async function evaluateOnce(
  octokit: Octokit,
  parentLog: Logger,
  services: Services,
  ref: PullRef,
  options: EvaluateOptions = {},
  run?: RunContext,
): Promise<EvaluationResult | undefined> {
  const started = performance.now();
  const { metrics } = services;
  metrics.inFlight.inc();
  const key = pullKey(ref);
  const memo = run?.memo ?? {};
  const hintSha = memo.headSha ?? options.headShaHint;
  let log = parentLog.child({ repo: `${ref.owner}/${ref.repo}`, pr: ref.number });
  let headSha = hintSha;
  let outcome = "error";
  let tier = "unknown";
  const targetFor = (sha: string) => checkTarget(services, ref, sha);
  try {
    // Round 1: the snapshot and the policy, plus what the last evaluation says will be needed.
    const inputs = await readEvaluationInputs(
      octokit,
      ref,
      { policies: services.policies, provenance: services.caches.provenance, checkFor: targetFor },
      { ...(hintSha ? { headSha: hintSha } : {}), ...(memo.aiLabel !== undefined ? { aiLabel: memo.aiLabel } : {}) },
    );
    if (inputs.kind === "not-found") {
      // The PR (or its repository) no longer exists: nothing to gate, and no check to write on a SHA nobody proposes.
      outcome = "not-found";
      tier = "none";
      log.info({ outcome, ms: elapsed(started) }, "pull request not found (404); nothing to gate, nothing written");
      return undefined;
    }
    headSha = inputs.snapshot.headSha;
    log = log.child({ sha: headSha });
    if (inputs.kind === "closed") {
      // Closed or merged since the event was sent: nothing left to gate, nothing to write.
      outcome = "closed";
      tier = "none";
      log.info({ outcome, merged: inputs.snapshot.merged, ms: elapsed(started) }, "pull request is closed; nothing to gate");
      return undefined;
    }
    const { loaded, existing: existingRead } = inputs;
    const { repositoryId } = inputs.snapshot;
    const target = { ...targetFor(headSha), ...(repositoryId ? { repositoryId } : {}) };
    if (!loaded.ok) {
      const check = await writeCheckRun(octokit, target, renderInvalidPolicy(loaded.problems, loaded.sources), await existingRead);
      outcome = "invalid-policy";
      tier = "none";
      log.warn({ outcome, problems: loaded.problems.length, check, ms: elapsed(started) }, "evaluated pull request");
      return { outcome: "invalid-policy", check, labelWrites: 0, headSha };
    }
    const policy = loaded.policy;
    // A newly accepted override (from the comment's request): the run that carries it must write it.
    const fresh = run?.override ?? options.override;
    // Rounds 2 and 3: only what the plan asks for. Each read adds to a new snapshot; none is changed in place.
    const decision = await readDecisionInputs(octokit, ref, inputs, policy, services.caches, fresh);
    const { existing } = decision;
    const decided = decide(decision.snapshot, policy, decision.plan, decision.directory, decision.facts);
    // Seniors' time (handlers/seniors.ts): whom signoff.assign asks, and signoff.escalate.
    const { verdict, snapshot } = await withAskedReviewers(octokit, log, services, ref, key, decision.snapshot, policy, decided);
    outcome = verdict.outcome;
    tier = verdict.risk.tier;
    const viewFor = await headViewFor(octokit, log, services, ref, loaded, { ...decision, snapshot }, verdict);

    // Every write first waits for its turn in the installation's write queue; if a newer event for this
    // PR has been queued meanwhile, they are dropped (SupersededWrite) and the follow-up writes.
    const toPublish = { ref, target, existing, snapshot, policy, verdict, viewFor, labels: services.caches.labels };
    const published = await publishUnlessSuperseded(octokit, services, key, run, fresh, toPublish);
    if (published === "superseded") {
      log.info(
        { outcome, tier, check: "superseded", ms: elapsed(started) },
        "evaluated pull request; a newer event is queued, its follow-up publishes",
      );
      return {
        outcome: verdict.outcome,
        tier,
        check: "superseded",
        labelWrites: 0,
        headSha,
        aiLabel: hasLabel(snapshot, policy.labels.ai_assisted),
      };
    }
    await afterPublish(log, services, key, { ref, fresh, verdict, existing, published });
    await recordAsked(log, services, ref, key, verdict, published);
    const { check, labelWrites, reviewRequests } = published;
    const { mode, gated } = verdict;
    log.info({ outcome, mode, tier, gated, check, labelWrites, reviewRequests, ms: elapsed(started) }, "evaluated pull request");
    return { outcome: verdict.outcome, tier, check, labelWrites, headSha, aiLabel: verdict.aiLabel };
  } catch (err) {
    outcome = "error";
    await failClosed(octokit, log, services, ref, headSha, err);
    throw err;
  } finally {
    metrics.inFlight.dec();
    metrics.evaluations.inc({ outcome, tier });
    metrics.evaluationSeconds.observe({ outcome }, (performance.now() - started) / 1000);
  }
}

/**
 * The check run's view for this head, given which label or review-request writes failed: this PR's
 * verdict (with who could sign off now, read only for a PR left waiting), and — before it may pass —
 * every other open PR with this head, which must pass too.
 */
async function headViewFor(
  octokit: Octokit,
  log: Logger,
  services: Services,
  ref: PullRef,
  loaded: Extract<LoadedPolicy, { ok: true }>,
  { snapshot, state, proposed, listed }: DecisionInputs,
  verdict: Verdict,
): Promise<(sideEffectErrors: string[]) => CheckRunView> {
  const { policy } = loaded;
  const headSha = snapshot.headSha;
  const candidates = await readSignoffCandidates(octokit, snapshot, policy, verdict, services.candidatesLimit, services.caches.people);
  const proposedPolicy = proposed === undefined ? undefined : describeProposedPolicy(proposed, snapshot, verdict);
  const render = (sideEffectErrors: string[]) =>
    renderVerdict(verdict, snapshot, {
      policySources: loaded.sources,
      freshApproval: policy.signoff.fresh_approval,
      ...(candidates ? { candidates } : {}),
      sideEffectErrors,
      ...(proposedPolicy ? { proposedPolicy } : {}),
    });
  // A check run belongs to the commit: before it may pass, every other open PR with this head must pass too.
  const siblings = viewPasses(render([])) ? await judgeSiblings(octokit, log, services, ref, headSha, loaded, state, listed) : [];
  // Overrides given on other PRs with this head stay on the commit's check.
  const kept = [
    verdict.override,
    ...siblings.map((s) => s.override),
    ...(state.overrides ?? (state.override ? [state.override] : [])).filter(
      (o) => o.sha === headSha && o.pr !== undefined && o.pr !== ref.number,
    ),
  ];
  const text = stateText(kept.filter((o): o is OverrideRecord => o !== undefined));
  return (errors) => combineHeadViews([{ number: ref.number, baseRef: snapshot.baseRef, view: render(errors) }, ...siblings], text);
}

/** Publish, unless a newer event for this PR is queued: then its follow-up writes, and this run's writes are dropped. */
async function publishUnlessSuperseded(
  octokit: Octokit,
  services: Services,
  key: string,
  run: RunContext | undefined,
  fresh: OverrideRecord | undefined,
  toPublish: VerdictToPublish,
): Promise<Published | "superseded"> {
  let yielded = false;
  // A run carrying a new override never yields: a follow-up would not know it, and the override would be lost.
  const guard = async () => !fresh && (yielded || (yielded = await yieldToFollowUp(yieldCounts(services), key, run)));
  try {
    return await withWriteGuard(guard, () => publishVerdict(octokit, toPublish), key);
  } catch (err) {
    if (!(err instanceof SupersededWrite)) throw err;
    return "superseded";
  }
}

/** What follows a publish: the yield count, the override's reply, the sign-off waiting time, the approvals metric. */
async function afterPublish(
  log: Logger,
  services: Services,
  key: string,
  {
    ref,
    fresh,
    verdict,
    existing,
    published,
  }: {
    ref: PullRef;
    fresh: OverrideRecord | undefined;
    verdict: Verdict;
    existing: ExistingCheckRun | undefined;
    published: Published;
  },
): Promise<void> {
  resetYields(yieldCounts(services), key);
  // Only now, with the check written, may the comment's reply say whether the override applied.
  if (fresh)
    services.caches.overrides.set(overrideKey(ref, fresh), { applied: sameOverride(verdict.override, fresh), passes: published.passes });
  await recordSignoffWait(
    {
      gate: services.gate,
      waiting: services.waiting,
      observe: (t, seconds) => services.metrics.signoffWaitSeconds.observe({ tier: t }, seconds),
    },
    key,
    verdict,
  ).catch((err: unknown) => log.debug({ err }, "could not record the sign-off waiting time"));
  // Once per head that becomes signed off: not again when an already passing check is rewritten.
  const passedBefore = existing?.view.status === "completed" && existing.view.conclusion === "success";
  if (published.check !== "unchanged" && !passedBefore) services.metrics.countApprovals(verdict);
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
