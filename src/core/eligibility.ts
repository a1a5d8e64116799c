// Who may sign off: reviewer specs matched against facts the GitHub edge looked up.
import type { Policy, RiskTier } from "../policy/schema.js";
import type { Actor, ReviewerDirectory, ReviewerSpec, Requirement, PullSnapshot } from "./types.js";
import { contributorLogins, isAiIdentity } from "./detect.js";
import { requirementGroups, type ChangedPaths } from "./signoff-groups.js";

export type ParsedSpec =
  | { kind: "team"; org: string; slug: string; key: string; spec: ReviewerSpec }
  | { kind: "user"; login: string; spec: ReviewerSpec }
  | { kind: "permission"; level: "maintain" | "admin"; spec: ReviewerSpec };

export function parseSpec(spec: ReviewerSpec): ParsedSpec {
  if (spec.startsWith("permission:")) return { kind: "permission", level: spec.slice(11) as "maintain" | "admin", spec };
  if (spec.startsWith("@")) {
    const [org = "", slug = ""] = spec.slice(1).split("/");
    return { kind: "team", org, slug, key: `${org}/${slug}`.toLowerCase(), spec };
  }
  return { kind: "user", login: spec.toLowerCase(), spec };
}

/**
 * The reviewers and approvals that apply at a tier: signoff.tiers.<tier> overrides key by key.
 * A `require` list (the tier's, else the top level's when the tier sets no reviewers/approvals)
 * replaces them; `changes` decides which of its groups apply (without it, every group does).
 */
export function requirementFor(tier: RiskTier, policy: Policy, changes?: ChangedPaths): Requirement {
  const override = policy.signoff.tiers[tier];
  const tierKeys = override?.reviewers !== undefined || override?.approvals !== undefined;
  const groupList = override?.require
    ? { list: override.require, source: `signoff.tiers.${tier}.require` }
    : !tierKeys && policy.signoff.require
      ? { list: policy.signoff.require, source: "signoff.require" }
      : undefined;
  if (groupList) {
    const groups = requirementGroups(groupList.list, groupList.source, changes);
    const applying = groups.filter((g) => g.applies);
    return {
      tier,
      reviewers: [...new Set(applying.flatMap((g) => g.reviewers))],
      approvals: Math.max(0, ...applying.map((g) => g.approvals)),
      source: groupList.source,
      groups,
    };
  }
  const reviewers = override?.reviewers ?? policy.signoff.reviewers;
  const approvals = override?.approvals ?? policy.signoff.approvals;
  const from = (key: "reviewers" | "approvals") => (override?.[key] !== undefined ? `signoff.tiers.${tier}.${key}` : `signoff.${key}`);
  return { tier, reviewers, approvals, source: `${from("reviewers")}, ${from("approvals")}` };
}

const key = (login: string) => login.toLowerCase();

function sameActor(a: Actor, b: Actor): boolean {
  if (a.id !== undefined && b.id !== undefined) return a.id === b.id;
  return key(a.login) === key(b.login);
}

/**
 * Why someone can never override this PR, whatever `override.by` says; undefined if they may. Never
 * the author (an override is a second person's decision), never an AI agent's account.
 */
export function overrideExclusion(actor: Actor, author: Actor, policy: Policy): string | undefined {
  if (actor.id === author.id || key(actor.login) === key(author.login))
    return "is the PR author; an override is a second person's decision";
  if (isAiIdentity(actor, policy)) return "is an AI identity; an override is a person's decision";
  return undefined;
}

/** Why someone can never sign off this PR, whatever the reviewer list says; undefined if they may. */
export function exclusionReason(actor: Actor, snapshot: PullSnapshot, policy: Policy): string | undefined {
  if (sameActor(actor, snapshot.author)) return "is the PR author, who cannot sign off their own change";
  if (actor.type === "Bot" || /\[bot\]$/i.test(actor.login)) return "is a bot; bots cannot sign off";
  if (isAiIdentity(actor, policy)) return "is an AI identity; AI cannot sign off";
  if (!policy.signoff.allow_contributors && contributorLogins(snapshot).includes(key(actor.login))) {
    return "authored or committed commits of this PR, and signoff.allow_contributors is false";
  }
  if (!policy.signoff.allow_contributors && snapshot.coAuthorAccounts?.some((a) => sameActor(a, actor))) {
    return "is a co-author of a commit of this PR (Co-authored-by, an email GitHub links to this account), and signoff.allow_contributors is false";
  }
  return undefined;
}

export interface SpecMatch {
  eligible: boolean;
  /** Which spec made them eligible, or why none did. */
  reason: string;
}

/** Whether a person matches one of the specs, by the facts in the directory. Unknown facts never match. */
export function matchSpecs(login: string, specs: ReviewerSpec[], directory: ReviewerDirectory): SpecMatch {
  const facts = directory.get(key(login));
  const unknown: string[] = [];
  for (const parsed of specs.map(parseSpec)) {
    if (parsed.kind === "user" && parsed.login === key(login)) return { eligible: true, reason: `listed as ${parsed.spec}` };
    if (parsed.kind === "team") {
      const member = facts?.teams.get(parsed.key);
      if (member === true) return { eligible: true, reason: `active member of ${parsed.spec}` };
      if (member === undefined) unknown.push(parsed.spec);
    }
    if (parsed.kind === "permission") {
      const permission = facts?.permission;
      if (permission === "admin" || (parsed.level === "maintain" && permission === "maintain")) {
        return { eligible: true, reason: `has ${permission} permission on the repository` };
      }
      if (permission === undefined) unknown.push(parsed.spec);
    }
  }
  if (facts?.error) return { eligible: false, reason: `could not be checked (${facts.error}), so does not count` };
  if (unknown.length > 0) return { eligible: false, reason: `could not be checked against ${unknown.join(", ")}, so does not count` };
  return { eligible: false, reason: `is not one of ${specs.join(", ")}` };
}

/** The lookups the GitHub edge must make before deciding whether these people may sign off. */
export function lookupsFor(logins: string[], specs: ReviewerSpec[]): { teams: string[]; permission: boolean } {
  const parsed = specs.map(parseSpec);
  const teams = parsed.filter((p) => p.kind === "team").map((p) => p.key);
  const permission = parsed.some((p) => p.kind === "permission");
  return logins.length === 0 ? { teams: [], permission: false } : { teams: [...new Set(teams)], permission };
}
