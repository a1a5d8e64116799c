// What surrounds one evaluation's publish: the keys a PR's evaluation is known by, the guarded
// publish (dropped when a newer event for the PR is queued) and what follows it.
import type { Logger } from "probot";
import type { Octokit } from "../github/octokit.js";
import type { PullRef } from "../github/snapshot.js";
import type { ExistingCheckRun } from "../github/publish.js";
import type { OverrideRecord, Verdict } from "../core/types.js";
import type { RunContext } from "../scale/pull-gate.js";
import { resetYields, yieldToFollowUp, type YieldCounts } from "../scale/yield-to-follow-up.js";
import { recordSignoffWait } from "../scale/signoff-wait.js";
import { publishVerdict, type Published, type VerdictToPublish } from "./publish-verdict.js";
import type { Services } from "./services.js";
import { publisherFor } from "./publisher-for.js";

/** The key of one PR's evaluations (the gate, the waiting board). */
export function pullKey(ref: PullRef): string {
  return `${ref.owner}/${ref.repo}#${ref.number}`.toLowerCase();
}

const yieldCounts = (services: Pick<Services, "caches" | "metrics">): YieldCounts => ({
  yields: services.caches.yields,
  onYield: () => services.metrics.supersededPublishes.inc(),
});

/**
 * Publish, unless a newer event for this PR is queued: then its follow-up writes, and this run's
 * remaining writes are skipped (the publisher asks `guard` right before each write).
 */
export async function publishUnlessSuperseded(
  octokit: Octokit,
  services: Pick<Services, "caches" | "metrics" | "turns">,
  key: string,
  run: RunContext | undefined,
  fresh: OverrideRecord | undefined,
  toPublish: VerdictToPublish,
): Promise<Published | "superseded"> {
  let yielded = false;
  // A run whose check would pass yields past the bound: the follow-up may close the gate (scale/yield-to-follow-up.ts).
  const opens = toPublish.viewFor([]).gate === "pass";
  // A run carrying a new override never yields: a follow-up would not know it, and the override would be lost.
  const guard = async () => !fresh && (yielded || (yielded = await yieldToFollowUp(yieldCounts(services), key, run, opens)));
  const publisher = publisherFor(octokit, services, { guard, pr: key });
  const published = await publishVerdict(octokit, publisher, toPublish);
  return publisher.superseded ? "superseded" : published;
}

/** What follows a publish: the yield count, the sign-off waiting time, the approvals metric. */
export async function afterPublish(
  log: Logger,
  services: Pick<Services, "caches" | "metrics" | "gate" | "waiting">,
  key: string,
  { verdict, existing, published }: { verdict: Verdict; existing: ExistingCheckRun | undefined; published: Published },
): Promise<void> {
  resetYields(yieldCounts(services), key);
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
