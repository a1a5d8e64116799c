// signoff.require: groups of reviewers that must all sign off; a group with paths applies only
// when the PR touches them. Which groups apply, and which are satisfied by the counted approvals.
import type { SignoffGroup } from "../policy/schema.js";
import { matchesGlob } from "./glob-match.js";
import { matchSpecs } from "./eligibility.js";
import type { ChangedFile, GroupAssessment, RequirementGroup, ReviewerDirectory } from "./types.js";

export interface ChangedPaths {
  files: ChangedFile[];
  changedFilesTotal: number;
}

const code = (s: string) => "`" + s + "`";

/** Why a group with paths applies, or not: every changed path and every renamed file's old path count. */
function applicability(paths: string[] | undefined, changes: ChangedPaths | undefined): { applies: boolean; why: string } {
  if (paths === undefined) return { applies: true, why: "always applies" };
  if (changes === undefined) return { applies: true, why: `applies when a changed path matches ${paths.map(code).join(", ")}` };
  for (const file of changes.files) {
    for (const path of [file.path, ...(file.previousPath !== undefined ? [file.previousPath] : [])]) {
      const glob = paths.find((g) => matchesGlob(g, path));
      if (glob !== undefined) {
        const renamed = path === file.previousPath ? ` (renamed to ${code(file.path)})` : "";
        return { applies: true, why: `applies: ${code(path)}${renamed} matches ${code(glob)}` };
      }
    }
  }
  // A path GitHub did not list may match: fail closed.
  if (changes.changedFilesTotal > changes.files.length) {
    return {
      applies: true,
      why: `applies: only ${changes.files.length} of ${changes.changedFilesTotal} changed files could be read, so an unread one may match`,
    };
  }
  return { applies: false, why: `does not apply: no changed path matches ${paths.map(code).join(", ")}` };
}

export function requirementGroups(groups: SignoffGroup[], source: string, changes?: ChangedPaths): RequirementGroup[] {
  return groups.map((group, i) => ({
    source: `${source}[${i}]`,
    reviewers: group.reviewers,
    approvals: group.approvals,
    ...(group.paths !== undefined ? { paths: group.paths } : {}),
    ...applicability(group.paths, changes),
  }));
}

/**
 * Who satisfied each group: a counted approver satisfies every applying group whose reviewers
 * they match (one person may satisfy several). A group that does not apply is satisfied by definition.
 */
export function assessGroups(groups: RequirementGroup[], approvers: string[], directory: ReviewerDirectory): GroupAssessment[] {
  return groups.map((group) => {
    const approvedBy = group.applies ? approvers.filter((login) => matchSpecs(login, group.reviewers, directory).eligible) : [];
    return { ...group, approvedBy, satisfied: !group.applies || approvedBy.length >= group.approvals };
  });
}

/** All groups hold; with no applying group at all (a policy the validator refuses), nothing holds: fail closed. */
export function groupsHold(groups: GroupAssessment[]): boolean {
  return groups.some((g) => g.applies) && groups.every((g) => g.satisfied);
}

/**
 * Why the requirement needs nobody's sign-off (`approvals: 0` at the top level, in the tier, or in every
 * group that applies), or undefined when someone must sign off.
 */
export function exemptionOf(requirement: {
  tier: string;
  approvals: number;
  source: string;
  groups?: RequirementGroup[];
}): string | undefined {
  if (requirement.groups) {
    const applying = requirement.groups.filter((g) => g.applies);
    if (applying.length === 0 || applying.some((g) => g.approvals > 0)) return undefined;
    return `the policy exempts this PR: every group that applies at risk ${requirement.tier} needs 0 approvals (${applying.map((g) => g.source).join(", ")})`;
  }
  if (requirement.approvals > 0) return undefined;
  const key = requirement.source.split(", ").find((s) => s.endsWith(".approvals")) ?? requirement.source;
  return `the policy exempts risk ${requirement.tier} from sign-off (${key}: 0)`;
}
