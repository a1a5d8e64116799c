// Path-scoped freshness: an approval that satisfied a `require` group with `paths` stays valid across
// pushes that change none of that group's paths (nor a renamed file's old path). What changed between
// the approved commit and the head is read by the GitHub edge (github/path-scope.ts); when it could
// not be read, the approval is not kept (fail closed).
import type { Policy } from "../policy/schema.js";
import { matchesGlob } from "./glob-match.js";
import { exclusionReason, matchSpecs } from "./eligibility.js";
import type { GroupAssessment, PullSnapshot, RequirementGroup, Review, ReviewerDirectory } from "./types.js";

/** The paths a push changed since an approved commit (each renamed file's old path too), or why they are unknown. */
export type ChangedSince = { ok: true; paths: string[] } | { ok: false; reason: string };

/** An approval kept for one group because nothing since touched the group's paths. */
export interface KeptApproval {
  login: string;
  commitId: string;
  group: string;
  paths: string[];
}

const lower = (s: string) => s.toLowerCase();

/**
 * The earlier commits whose changes up to the head must be read: approvals, not on the head, by people
 * who are not excluded, when an applying group has paths and fresh_approval would not keep them anyway.
 */
export function approvalsToScope(
  snapshot: PullSnapshot,
  policy: Policy,
  groups: RequirementGroup[] | undefined,
  decisive: Review[],
): string[] {
  if (policy.signoff.fresh_approval === false) return [];
  if (!groups?.some((g) => g.applies && g.paths !== undefined)) return [];
  const stale = decisive.filter(
    (r) =>
      r.state === "APPROVED" &&
      r.commitId !== "" &&
      r.commitId !== snapshot.headSha &&
      exclusionReason(r.user, snapshot, policy) === undefined,
  );
  return [...new Set(stale.map((r) => r.commitId))];
}

/**
 * Each applying group with paths, with the earlier approvals its paths keep: the approver matches the
 * group's reviewers and no path changed since the approved commit matches the group's globs. Pure.
 */
export function keepApprovalsByPath(
  groups: GroupAssessment[],
  staleApprovals: Review[],
  changedSince: Map<string, ChangedSince> | undefined,
  directory: ReviewerDirectory,
): { groups: GroupAssessment[]; kept: KeptApproval[]; notKept: string[] } {
  const kept: KeptApproval[] = [];
  const notKept: string[] = [];
  const updated = groups.map((group) => {
    if (!group.applies || group.paths === undefined || group.satisfied) return group;
    const globs = group.paths;
    const extra: string[] = [];
    for (const review of staleApprovals) {
      if (group.approvedBy.some((l) => lower(l) === lower(review.user.login))) continue;
      if (!matchSpecs(review.user.login, group.reviewers, directory).eligible) continue;
      const since = changedSince?.get(review.commitId);
      if (since === undefined) continue;
      if (!since.ok) {
        notKept.push(
          `@${review.user.login}'s approval on ${review.commitId.slice(0, 7)} was not kept for ${group.source}: ${since.reason}`,
        );
        continue;
      }
      const touched = since.paths.find((p) => globs.some((g) => matchesGlob(g, p)));
      if (touched !== undefined) {
        notKept.push(
          `@${review.user.login}'s approval on ${review.commitId.slice(0, 7)} is stale for ${group.source}: \`${touched}\` changed since, inside its paths`,
        );
        continue;
      }
      extra.push(review.user.login);
      kept.push({ login: review.user.login, commitId: review.commitId, group: group.source, paths: globs });
    }
    if (extra.length === 0) return group;
    const approvedBy = [...group.approvedBy, ...extra];
    return { ...group, approvedBy, satisfied: approvedBy.length >= group.approvals };
  });
  return { groups: updated, kept, notKept };
}

/** The summary's line for a kept approval. */
export function describeKept(k: KeptApproval): string {
  const globs = k.paths.map((p) => "`" + p + "`").join(", ");
  return `@${k.login}'s approval on \`${k.commitId.slice(0, 7)}\` is kept for ${k.group}: the pushes since change none of its paths (${globs}).`;
}
