// Whether an override may apply, decided here and nowhere else: the comment handler reads what this
// asks for (the policy, the commenter's team membership and permission, whether the head moved after
// the comment) and replies with what it answers. A refusal is typed; its words are in render.ts.
import type { Policy } from "../policy/schema.js";
import { lookupsFor, matchSpecs, overrideExclusion } from "./eligibility.js";
import type { Actor, ReviewerDirectory } from "./types.js";

/** The head moved after the comment: the override was for a commit that is no longer the head. */
export interface HeadMove {
  how: "push" | "commit";
  /** When, if GitHub said. */
  at?: string;
}

export type OverrideRefusal =
  | { ok: false; reason: "invalid-policy" }
  | { ok: false; reason: "none-allowed" }
  | { ok: false; reason: "not-allowed"; why: string; allowed: string[] }
  | { ok: false; reason: "stale-head"; move?: HeadMove };

export type OverrideDecision = { ok: true } | OverrideRefusal;

export interface OverrideFacts {
  /** The policy in force; undefined when it is invalid (nobody can tell who may override). */
  policy: Policy | undefined;
  actor: Actor;
  author: Actor;
  /** The commenter's team memberships and permission, as `overrideLookups` asked. */
  directory: ReviewerDirectory;
  /** Whether the head moved after the comment; undefined: not read yet (asked only once the rest allows it). */
  headMoved?: { changedAfter: boolean; move?: HeadMove };
}

/** What must be read about the commenter before `mayOverride` can answer; undefined when nothing need be. */
export function overrideLookups(
  policy: Policy | undefined,
  actor: Actor,
  author: Actor,
): { logins: string[]; lookups: { teams: string[]; permission: boolean } } | undefined {
  if (!policy || policy.override.by.length === 0 || overrideExclusion(actor, author, policy)) return undefined;
  return { logins: [actor.login.toLowerCase()], lookups: lookupsFor([actor.login], policy.override.by) };
}

/** Whether an override by `actor` may apply to the PR's head: yes, or why not. */
export function mayOverride(facts: OverrideFacts): OverrideDecision {
  const { policy, actor, author } = facts;
  if (!policy) return { ok: false, reason: "invalid-policy" };
  const allowed = policy.override.by;
  if (allowed.length === 0) return { ok: false, reason: "none-allowed" };
  const excluded = overrideExclusion(actor, author, policy);
  const match = excluded ? { eligible: false, reason: excluded } : matchSpecs(actor.login, allowed, facts.directory);
  if (!match.eligible) return { ok: false, reason: "not-allowed", why: match.reason, allowed };
  // Bound to the head the comment was written on: a late or redelivered webhook must not carry it to a newer push.
  if (facts.headMoved?.changedAfter)
    return { ok: false, reason: "stale-head", ...(facts.headMoved.move ? { move: facts.headMoved.move } : {}) };
  return { ok: true };
}
