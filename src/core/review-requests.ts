// Whom to ask for review when a PR is gated: each designated team or person at most once per PR.
import type { Policy } from "../policy/schema.js";
import { exclusionReason, parseSpec } from "./eligibility.js";
import type { PullSnapshot, Verdict } from "./types.js";

export interface ReviewRequestPlan {
  users: string[];
  /** Team slugs in the repository's organisation. */
  teams: string[];
  /** True when the PR's request history must be read before deciding (it was not in the snapshot). */
  needsHistory: boolean;
}

const NONE: ReviewRequestPlan = { users: [], teams: [], needsHistory: false };
const lower = (s: string) => s.toLowerCase();

/**
 * Ask the designated reviewers when the PR waits for them. Never on drafts or in report mode, never
 * the author or anyone who cannot sign off, never someone already asked, and never anyone asked
 * before on this PR: a request a human withdrew, or that GitHub's team assignment turned into
 * individual requests, stays withdrawn. Teams are requested as teams so GitHub's own team review
 * assignment can spread the load. `permission:` reviewers are never requested.
 */
export function planReviewRequests(snapshot: PullSnapshot, policy: Policy, verdict: Verdict): ReviewRequestPlan {
  if (!policy.signoff.request_reviews || policy.mode === "report" || snapshot.draft) return NONE;
  if (!verdict.gated || verdict.outcome !== "waiting") return NONE;

  const requestedUsers = new Set(snapshot.requestedReviewers.map(lower));
  const requestedTeams = new Set(snapshot.requestedTeams.map(lower));
  const reviewedHead = new Set(snapshot.reviews.filter((r) => r.commitId === snapshot.headSha).map((r) => lower(r.user.login)));
  const users: string[] = [];
  const teams: string[] = [];
  // With groups, only those that apply and still wait for sign-off are asked.
  const designated =
    verdict.requirement.groups && verdict.groups
      ? [...new Set(verdict.groups.filter((g) => g.applies && !g.satisfied).flatMap((g) => g.reviewers))]
      : verdict.requirement.reviewers;
  // signoff.assign chose people (core/assign.ts): ask them instead of the designated teams and users.
  // signoff.escalate fired (core/escalation.ts): ask its `to` as well; the history keeps it to once.
  const assigned = verdict.asked?.assigned ?? [];
  const pending = [...(assigned.length > 0 ? assigned.map((a) => a.login) : designated), ...(verdict.asked?.escalated?.to ?? [])];
  for (const spec of pending.map(parseSpec)) {
    if (spec.kind === "team" && lower(spec.org) === lower(snapshot.owner) && !requestedTeams.has(lower(spec.slug))) {
      teams.push(spec.slug);
    }
    if (spec.kind === "user" && !requestedUsers.has(spec.login) && !reviewedHead.has(spec.login)) {
      if (exclusionReason({ login: spec.login }, snapshot, policy) === undefined) users.push(spec.login);
    }
  }
  if (users.length === 0 && teams.length === 0) return NONE;
  const history = snapshot.reviewRequestEvents;
  if (history === undefined) return { users, teams, needsHistory: true };
  const askedBefore = new Set(history.filter((e) => e.action === "review_requested").map((e) => e.reviewer));
  return {
    users: users.filter((u) => !askedBefore.has(u)),
    teams: teams.filter((t) => !askedBefore.has(lower(`${snapshot.owner}/${t}`))),
    needsHistory: false,
  };
}
