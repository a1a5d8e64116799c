// signoff.assign: whom to ask among the people who may sign off. Pure: the GitHub edge reads who owns
// the touched paths (CODEOWNERS at the base, then recent changers) and the shared load; this chooses.
import type { Policy } from "../policy/schema.js";
import type { SpecPeople } from "./candidates.js";
import { exclusionReason, matchSpecs, parseSpec } from "./eligibility.js";
import type { AskedReviewers, PullSnapshot, ReviewerDirectory, ReviewerSpec, Verdict } from "./types.js";

/** Why someone is a candidate: an owner of a touched path, or a member of a designated team. */
export interface Candidate {
  login: string;
  /** 0: CODEOWNERS entry, 1: recently changed a touched file, 2: member of a designated team (no ownership). */
  rank: 0 | 1 | 2;
  /** In words, e.g. "owns `infra/**`", "last changed `src/a.ts`", "member of @acme/seniors". */
  why: string;
}

export interface AssignInput {
  /** How many people the policy asks for (signoff.assign). */
  count: number;
  candidates: Candidate[];
  /** Open Countersign review requests per lower-case login across the installation. */
  load: Map<string, number>;
  /** Why a login can never sign off this PR (author, contributor, bot, AI, not in the reviewers); undefined if they may. */
  ineligible: (login: string) => string | undefined;
  /** People asked on this PR before (requested now, or in its request history): kept, never churned. */
  askedBefore: string[];
  /** Breaks ties between equally loaded candidates without favouring anyone: e.g. "acme/shop#7". */
  tiebreak?: string;
}

export interface Assignment {
  /** People to keep or ask now, with why. */
  chosen: Array<{ login: string; why: string; isNew: boolean }>;
  /** Candidates passed over because they may not sign off, with why (for the log and tests). */
  skipped: Array<{ login: string; why: string }>;
}

const lower = (s: string) => s.toLowerCase();
const plural = (n: number, word: string) => `${n} open ${word}${n === 1 ? "" : "s"}`;

/**
 * Choose `count` people. Those asked before who may still sign off are kept (re-evaluations never
 * churn); the rest are the eligible candidates: CODEOWNERS owners first, then recent changers, then
 * other people who may sign off; within each, the fewest open requests first, then a tie-break by a
 * hash of the PR and the login (stable for a PR, fair across people).
 */
export function chooseAssignees(input: AssignInput): Assignment {
  const skipped: Assignment["skipped"] = [];
  const best = new Map<string, Candidate>();
  for (const c of input.candidates) {
    const key = lower(c.login);
    const seen = best.get(key);
    if (seen === undefined || c.rank < seen.rank) best.set(key, { ...c, login: key });
  }
  const eligible: Candidate[] = [];
  for (const c of best.values()) {
    const why = input.ineligible(c.login);
    if (why === undefined) eligible.push(c);
    else skipped.push({ login: c.login, why });
  }
  const chosen: Assignment["chosen"] = [];
  const before = new Set(input.askedBefore.map(lower));
  for (const login of before) {
    if (chosen.length >= input.count) break;
    if (input.ineligible(login) !== undefined) continue;
    chosen.push({ login, why: `asked earlier on this PR (${plural(input.load.get(login) ?? 0, "request")})`, isNew: false });
  }
  const loadOf = (c: Candidate) => input.load.get(c.login) ?? 0;
  // Ties go by a hash of (PR, login): always the same for one PR, spread evenly over people (by login, the
  // first in the alphabet would take every tie).
  const tie = (login: string) => fnv1a(`${input.tiebreak ?? ""}:${login}`);
  const ordered = eligible
    .filter((c) => !before.has(c.login))
    .sort((a, b) => a.rank - b.rank || loadOf(a) - loadOf(b) || tie(a.login) - tie(b.login) || a.login.localeCompare(b.login));
  for (const c of ordered) {
    if (chosen.length >= input.count) break;
    chosen.push({ login: c.login, why: `${c.why}, ${plural(loadOf(c), "request")}`, isNew: true });
  }
  return { chosen, skipped };
}

/** FNV-1a, 32 bits: a cheap, stable hash for tie-breaking. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The summary's lines on who is asked and whether the PR was escalated. */
export function askedLines(asked: AskedReviewers | undefined): string[] {
  if (!asked) return [];
  const lines: string[] = [];
  if (asked.assigned && asked.assigned.length > 0) {
    lines.push(`Asked for review (signoff.assign): ${asked.assigned.map((a) => `@${a.login} (${a.why})`).join("; ")}.`);
  }
  if (asked.fallback) lines.push(`signoff.assign could choose nobody (${asked.fallback}), so the designated teams are asked.`);
  if (asked.escalated) lines.push(asked.escalated.note);
  return lines;
}

/** The people behind each listed spec (core/candidates.ts's SpecPeople), as the edge read them. */
export interface AssignFacts {
  /** Owners of the touched paths: CODEOWNERS users and recent changers. */
  owners: Candidate[];
  /** CODEOWNERS teams (as "@org/slug") and why they own, expanded through `listed`. */
  ownerTeams: Map<string, string>;
  /** Active members (or permission holders) per spec, for the owner teams and the designated reviewers. */
  listed: Map<string, SpecPeople>;
  load: Map<string, number>;
  /** Logins requested on the PR now or in its request history. */
  askedBefore: string[];
}

/** The designated reviewers still waited for: with groups, those of the groups that apply and wait. */
export function pendingReviewers(verdict: Verdict): ReviewerSpec[] {
  if (verdict.requirement.groups && verdict.groups) {
    return [...new Set(verdict.groups.filter((g) => g.applies && !g.satisfied).flatMap((g) => g.reviewers))];
  }
  return verdict.requirement.reviewers;
}

/** The facts about people that the listed specs give, for core/eligibility.ts's matchSpecs. */
function directoryFrom(listed: Map<string, SpecPeople>): ReviewerDirectory {
  const directory: ReviewerDirectory = new Map();
  const facts = (login: string) => {
    const key = lower(login);
    const found = directory.get(key) ?? { teams: new Map<string, boolean | undefined>() };
    directory.set(key, found);
    return found;
  };
  for (const [spec, people] of listed) {
    if (!people.ok) continue;
    const parsed = parseSpec(spec);
    for (const person of people.people) {
      if (parsed.kind === "team") facts(person.login).teams.set(parsed.key, true);
      if (parsed.kind === "permission") facts(person.login).permission = parsed.level;
    }
  }
  return directory;
}

/**
 * signoff.assign for a waiting PR: whom to ask, each with why, or why nobody could be chosen (then the
 * designated teams are asked). Eligibility is core/eligibility.ts's: never the author, a bot, an AI
 * identity or a contributor, and only people the pending reviewers include.
 */
export function planAssignment(
  snapshot: PullSnapshot,
  policy: Policy,
  verdict: Verdict,
  facts: AssignFacts,
): Pick<AskedReviewers, "assigned" | "fallback"> & { skipped: Assignment["skipped"] } {
  const count = policy.signoff.assign ?? 0;
  const pending = pendingReviewers(verdict);
  const directory = directoryFrom(facts.listed);
  const ineligible = (login: string) => {
    const excluded = exclusionReason({ login }, snapshot, policy);
    if (excluded) return excluded;
    const match = matchSpecs(login, pending, directory);
    return match.eligible ? undefined : match.reason;
  };
  const candidates: Candidate[] = [...facts.owners];
  for (const [team, why] of facts.ownerTeams) {
    const people = facts.listed.get(team);
    if (people?.ok) for (const p of people.people) candidates.push({ login: p.login, rank: 0, why });
  }
  for (const spec of pending) {
    const people = facts.listed.get(spec);
    const parsed = parseSpec(spec);
    if (parsed.kind === "user") candidates.push({ login: parsed.login, rank: 2, why: `listed as ${spec}` });
    else if (people?.ok) for (const p of people.people) candidates.push({ login: p.login, rank: 2, why: `may sign off (${spec})` });
  }
  const { chosen, skipped } = chooseAssignees({
    count,
    candidates,
    load: facts.load,
    ineligible,
    askedBefore: facts.askedBefore,
    tiebreak: `${snapshot.owner}/${snapshot.repo}#${snapshot.number}`.toLowerCase(),
  });
  if (chosen.length === 0) {
    return {
      fallback: candidates.length === 0 ? "no owner or designated reviewer could be listed" : "no candidate may sign off this PR",
      skipped,
    };
  }
  return { assigned: chosen.map(({ login, why }) => ({ login, why })), skipped };
}
