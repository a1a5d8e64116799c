// Seniors' time, after the decision (issue #21): who is asked (signoff.assign), and whether a PR that
// waited too long asks more people (signoff.escalate). The choices are pure (core/assign.ts,
// core/escalation.ts); this reads what they need and keeps the shared records (the open requests per
// person, the escalation board). Called from evaluate.ts between the decision and the publish.
import type { Logger } from "probot";
import type { Octokit } from "../github/octokit.js";
import { readIssueHistory, type PullRef } from "../github/snapshot.js";
import { readPathOwners } from "../github/codeowners.js";
import { listSpecPeople } from "../github/candidates.js";
import { pendingReviewers, planAssignment } from "../core/assign.js";
import { escalationState } from "../core/escalation.js";
import type { SpecPeople } from "../core/candidates.js";
import type { AskedReviewers, PullSnapshot, Verdict } from "../core/types.js";
import type { Policy } from "../policy/schema.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Services } from "./services.js";

/** What choosing who is asked, and escalating, uses: the seniors' records and clock, and who is behind a team. */
export interface AskDeps {
  seniors: Services["seniors"];
  caches: Pick<Services["caches"], "people">;
}

/** What recording who was asked uses: the open requests per person, and the counters of escalations and kept approvals. */
export interface RecordAskedDeps {
  seniors: Pick<Services["seniors"], "load">;
  metrics: Pick<Metrics, "escalations" | "approvalsKeptByPath">;
}

const lower = (s: string) => s.toLowerCase();

/** The verdict with who is asked and any escalation, and the snapshot with the request history when it was read. */
export async function withAskedReviewers(
  octokit: Octokit,
  log: Logger,
  deps: AskDeps,
  ref: PullRef,
  key: string,
  snapshot: PullSnapshot,
  policy: Policy,
  verdict: Verdict,
): Promise<{ verdict: Verdict; snapshot: PullSnapshot }> {
  const { seniors } = deps;
  const waiting = verdict.gated && verdict.outcome === "waiting" && policy.mode === "enforce";
  if (!waiting) {
    // Not waiting any more: its requests are no longer open, and nothing escalates. Only under a policy
    // that uses them (no Redis calls for every other PR); a closed PR is released by waiting-closed.ts.
    if (policy.signoff.assign !== undefined || policy.signoff.escalate !== undefined) {
      await Promise.all([seniors.load.release(ref.owner, key), seniors.escalations.clear(key)]).catch((err: unknown) =>
        log.debug({ err }, "could not release the PR's open requests or escalation"),
      );
    }
    return { verdict, snapshot };
  }
  const asked: AskedReviewers = {};
  // Drafts and request_reviews: false ask nobody, so they do not escalate either.
  const mayAsk = policy.signoff.request_reviews && !snapshot.draft;
  if (policy.signoff.escalate && mayAsk) {
    const now = seniors.clock();
    const since = await seniors.escalations.since(key, now);
    const state = escalationState(policy, verdict, since, now);
    if (state.escalated) {
      asked.escalated = state.escalated;
      await seniors.escalations.unschedule(key);
    } else if (state.dueAt !== undefined) {
      await seniors.escalations.schedule(key, state.dueAt, { owner: ref.owner, repo: ref.repo, number: ref.number });
    }
  }
  let current = snapshot;
  if (policy.signoff.assign !== undefined && mayAsk) {
    if (current.reviewRequestEvents === undefined) {
      const { reviewRequestEvents } = await readIssueHistory(octokit, ref);
      current = { ...current, reviewRequestEvents };
    }
    const askedBefore = [
      ...current.requestedReviewers,
      ...(current.reviewRequestEvents ?? []).filter((e) => e.action === "review_requested" && !e.team).map((e) => e.reviewer),
    ].map(lower);
    const ownership = await readPathOwners(octokit, current, { codeowners: seniors.codeowners, changers: seniors.changers });
    const specs = [...new Set([...ownership.teams.keys(), ...pendingReviewers(verdict)])];
    const listed = await listSpecPeople(octokit, current, specs, deps.caches.people);
    const logins = [
      ...new Set([
        ...ownership.owners.map((o) => lower(o.login)),
        ...[...listed.values()].flatMap((p) => (p.ok ? p.people.map((x) => lower(x.login)) : [])),
        ...askedBefore,
      ]),
    ];
    const load = await seniors.load.counts(ref.owner, logins);
    const plan = planAssignment(current, policy, verdict, {
      owners: ownership.owners,
      ownerTeams: ownership.teams,
      listed: new Map<string, SpecPeople>(listed),
      load,
      askedBefore,
    });
    if (plan.assigned) asked.assigned = plan.assigned;
    if (plan.fallback) asked.fallback = [plan.fallback, ...ownership.errors].join("; ");
    if (plan.skipped.length > 0) log.debug({ skipped: plan.skipped.length }, "signoff.assign passed over candidates who may not sign off");
  }
  if (Object.keys(asked).length === 0) return { verdict, snapshot: current };
  return { verdict: { ...verdict, asked }, snapshot: current };
}

/** After the publish: the people asked now have one more open request (idempotent per PR). */
export async function recordAsked(
  log: Logger,
  deps: RecordAskedDeps,
  ref: PullRef,
  key: string,
  verdict: Verdict,
  published: { check: string; reviewRequests: number },
): Promise<void> {
  const assigned = verdict.asked?.assigned ?? [];
  // The escalation's request is written once (the request history keeps it from repeating).
  if (verdict.asked?.escalated && published.reviewRequests > 0) deps.metrics.escalations.inc();
  if (verdict.keptByPath && published.check !== "unchanged") deps.metrics.approvalsKeptByPath.inc(verdict.keptByPath.length);
  if (assigned.length === 0) return;
  await deps.seniors.load
    .add(
      ref.owner,
      key,
      assigned.map((a) => a.login),
    )
    .catch((err: unknown) => log.debug({ err }, "could not record the open review requests"));
}
