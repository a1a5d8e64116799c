// signoff.assign: whom to ask among the people who may sign off. Pure: the GitHub edge reads who owns
// the touched paths (CODEOWNERS at the base, then recent changers) and the shared load; this chooses.
import type { AskedReviewers } from "./types.js";

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
 * churn); the rest are the eligible candidates with the fewest open requests, owners before
 * recent changers before other team members when loads tie, then by login (deterministic).
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
  const ordered = eligible
    .filter((c) => !before.has(c.login))
    .sort((a, b) => loadOf(a) - loadOf(b) || a.rank - b.rank || a.login.localeCompare(b.login));
  for (const c of ordered) {
    if (chosen.length >= input.count) break;
    chosen.push({ login: c.login, why: `${c.why}, ${plural(loadOf(c), "request")}`, isNew: true });
  }
  return { chosen, skipped };
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
