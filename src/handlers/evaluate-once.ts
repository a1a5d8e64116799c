// One evaluation of one pull request, orchestration only: round 1 (`readFirstRound`,
// github/pull-source.ts), the one pipeline (`evaluatePull`, core/evaluate-pull.ts) over the GitHub
// source, the head's view (handlers/shared-head.ts) and the guarded publish (handlers/guarded-publish.ts).
// Coalescing, retries and the gate around it: handlers/evaluate.ts. Round trips: docs/scaling.md.
import type { Logger } from "probot";
import type { Octokit } from "../github/octokit.js";
import type { PullRef } from "../github/snapshot.js";
import { gitHubPullSource, readFirstRound } from "../github/pull-source.js";
import { evaluatePull } from "../core/evaluate-pull.js";
import type { CheckTarget, CheckWrite } from "../github/publish.js";
import { publisherFor } from "./publisher-for.js";
import { hasLabel } from "../core/decide.js";
import { failClosed } from "./fail-closed.js";
import { renderInvalidPolicy } from "../core/render.js";
import { headViewFor } from "./shared-head.js";
import { afterPublish, publishUnlessSuperseded, pullKey } from "./guarded-publish.js";
import { sameOverride, type Actor, type OverrideRecord, type Outcome } from "../core/types.js";
import type { OverrideOutcome, RunContext } from "../scale/pull-gate.js";
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
  /** The newly accepted override this run carried, and what the check written says of it. */
  override?: OverrideOutcome;
}

export interface EvaluateOptions {
  /** A newly accepted override for the current head. */
  override?: OverrideRecord;
  /** The head SHA the event named: our check run on it is read in the first round, and it is where a failure is reported when the PR itself cannot be read. */
  headShaHint?: string;
  /** The event makes a pass plausible (an approval): what only a pass needs is read in the first round. */
  passPlausible?: boolean;
  /** The person whose approval or change request the event carries: their directory facts are read in the first round. */
  reviewer?: Actor;
}

/**
 * What one evaluation uses of the services: its own reads and writes, and what the seniors' step
 * (handlers/seniors.ts) asks for, whatever that is.
 */
type EvaluationServices = Pick<
  Services,
  "checkName" | "appId" | "metrics" | "policies" | "caches" | "candidatesLimit" | "turns" | "gate" | "waiting"
> &
  Parameters<typeof withAskedReviewers>[2] &
  Parameters<typeof recordAsked>[1];

/** Where our check run on a SHA of this PR's repository is. */
function checkTarget(services: Pick<Services, "checkName" | "appId">, ref: PullRef, headSha: string): CheckTarget {
  return { owner: ref.owner, repo: ref.repo, headSha, name: services.checkName, ...(services.appId ? { appId: services.appId } : {}) };
}

export async function evaluateOnce(
  octokit: Octokit,
  parentLog: Logger,
  services: EvaluationServices,
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
    const inputs = await readFirstRound(
      octokit,
      ref,
      { policies: services.policies, provenance: services.caches.provenance, checkFor: targetFor, directory: services.caches },
      {
        ...(hintSha ? { headSha: hintSha } : {}),
        ...(memo.aiLabel !== undefined ? { aiLabel: memo.aiLabel } : {}),
        ...(options.passPlausible ? { passPlausible: true } : {}),
        ...(options.reviewer ? { reviewer: options.reviewer } : {}),
      },
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
      const view = renderInvalidPolicy(loaded.problems, loaded.sources, inputs.snapshot);
      // No guard: this publisher never skips (a write dropped as "dropped" is only ever optional).
      const written = await publisherFor(octokit, services).writeCheck(target, view, await existingRead);
      const check = written.sent ? written.value.write : "superseded";
      outcome = "invalid-policy";
      tier = "none";
      log.warn({ outcome, problems: loaded.problems.length, check, ms: elapsed(started) }, "evaluated pull request");
      return { outcome: "invalid-policy", check, labelWrites: 0, headSha };
    }
    const policy = loaded.policy;
    // A newly accepted override (from the comment's request): the run that carries it must write it.
    const fresh = run?.override ?? options.override;
    // Rounds 2 and 3: only what the plan asks for. Each read adds to a new snapshot; none is changed in place.
    const source = gitHubPullSource(octokit, ref, inputs, services.caches);
    const evaluated = await evaluatePull(source, policy, fresh ? { override: fresh } : {});
    const { kept } = evaluated;
    const existing = await source.existing;
    // Seniors' time (handlers/seniors.ts): whom signoff.assign asks, and signoff.escalate.
    const { verdict, snapshot } = await withAskedReviewers(octokit, log, services, ref, key, evaluated.snapshot, policy, evaluated.verdict);
    outcome = verdict.outcome;
    tier = verdict.risk.tier;
    const viewFor = await headViewFor(
      octokit,
      log,
      { candidatesLimit: services.candidatesLimit, cache: services.caches.people },
      loaded,
      source,
      { snapshot, kept, verdict },
    );

    // Every write goes through this evaluation's publisher (github/publisher.ts): it waits for its turn in
    // the installation's write queue and, if a newer event for this PR was queued meanwhile, is skipped
    // ("superseded") so the follow-up writes.
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
    await afterPublish(log, services, key, { verdict, existing, published });
    await recordAsked(log, services, ref, key, verdict, published);
    const { check, labelWrites, reviewRequests } = published;
    const { mode, gated } = verdict;
    log.info({ outcome, mode, tier, gated, check, labelWrites, reviewRequests, ms: elapsed(started) }, "evaluated pull request");
    // Only now, with the check written, may the comment's reply say whether the override applied.
    const override = fresh ? { override: fresh, applied: sameOverride(verdict.override, fresh), passes: published.passes } : undefined;
    return { outcome: verdict.outcome, tier, check, labelWrites, headSha, aiLabel: verdict.aiLabel, ...(override ? { override } : {}) };
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

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
