// Who could sign off now: the people behind the reviewer specs of the groups still waiting, minus
// those who never may (the author, bots, AI identities, contributors) and those who already approved.
import type { Policy } from "../policy/schema.js";
import { exclusionReason } from "./eligibility.js";
import type { SignoffCandidates } from "./render.js";
import type { Actor, PullSnapshot, ReviewerSpec, Verdict } from "./types.js";

/** The people a reviewer spec stands for, as the GitHub edge listed them. */
export type SpecPeople = { ok: true; people: Actor[]; complete: boolean } | { ok: false; error: string };

/** The reviewer specs whose people are worth listing: those of the groups still waiting. */
export function specsToList(verdict: Verdict): ReviewerSpec[] {
  if (!verdict.gated || verdict.outcome !== "waiting") return [];
  const waiting = (verdict.groups ?? []).filter((g) => g.applies && !g.satisfied);
  return [...new Set(waiting.flatMap((g) => g.reviewers))];
}

/** Per group source, who could sign off now: sorted, capped at `limit`, with the total and what could not be listed. */
export function signoffCandidates(
  verdict: Verdict,
  snapshot: PullSnapshot,
  policy: Policy,
  listed: Map<ReviewerSpec, SpecPeople>,
  limit: number,
): Map<string, SignoffCandidates> {
  const result = new Map<string, SignoffCandidates>();
  const approved = new Set(verdict.approvedBy.map((l) => l.toLowerCase()));
  for (const group of (verdict.groups ?? []).filter((g) => g.applies && !g.satisfied)) {
    const people = new Map<string, string>();
    const errors: string[] = [];
    let incomplete = false;
    for (const spec of group.reviewers) {
      const entry = listed.get(spec);
      if (!entry) continue;
      if (!entry.ok) {
        errors.push(entry.error);
        continue;
      }
      if (!entry.complete) incomplete = true;
      for (const person of entry.people) {
        const key = person.login.toLowerCase();
        if (approved.has(key) || exclusionReason(person, snapshot, policy) !== undefined) continue;
        people.set(key, person.login);
      }
    }
    const all = [...people.values()].sort((a, b) => a.localeCompare(b));
    const logins = all.slice(0, limit);
    result.set(group.source, { logins, total: all.length, errors, ...(incomplete ? { incomplete } : {}) });
  }
  return result;
}
