// What the schema alone cannot say about sign-off: `require` replaces reviewers/approvals at its
// level, and a list of groups must leave no gated pull request without anyone to sign off.
import type { PolicyProblem } from "./problems.js";

const at = (value: unknown, key: string): unknown =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;

function levelProblems(level: unknown, path: string): PolicyProblem[] {
  const require = at(level, "require");
  if (require === undefined) return [];
  const problems: PolicyProblem[] = [];
  const both = (["reviewers", "approvals"] as const).filter((k) => at(level, k) !== undefined);
  if (both.length > 0) {
    problems.push({
      path: `${path}.require`,
      message: `is used instead of ${both.map((k) => `${path}.${k}`).join(" and ")}, not with ${both.length > 1 ? "them" : "it"}: put those reviewers in a group of require (a group without paths always applies), or remove require. With _extends, the extended file's keys count too.`,
    });
  }
  if (Array.isArray(require) && require.length > 0 && require.every((group) => at(group, "paths") !== undefined)) {
    problems.push({
      path: `${path}.require`,
      message:
        'needs at least one group without paths: otherwise a gated pull request that touches none of the paths would need nobody\'s sign-off. Add a group such as { reviewers: ["@org/seniors"] }.',
    });
  }
  return problems;
}

/** Problems of signoff.require at the top of signoff and in each signoff.tiers.<tier>. */
export function signoffProblems(raw: unknown): PolicyProblem[] {
  const signoff = at(raw, "signoff");
  const problems = levelProblems(signoff, "signoff");
  const tiers = at(signoff, "tiers");
  if (tiers !== null && typeof tiers === "object" && !Array.isArray(tiers)) {
    for (const [tier, level] of Object.entries(tiers)) {
      problems.push(...levelProblems(level, `signoff.tiers.${tier}`));
      // approvals alone would fall back to signoff.reviewers, which the top level's require replaces.
      if (
        at(signoff, "require") !== undefined &&
        at(level, "approvals") !== undefined &&
        at(level, "reviewers") === undefined &&
        at(level, "require") === undefined
      ) {
        problems.push({
          path: `signoff.tiers.${tier}.approvals`,
          message: `would fall back to signoff.reviewers, which signoff.require replaces: give this tier its own reviewers, or its own require (e.g. the top-level groups with more approvals)`,
        });
      }
    }
  }
  return problems;
}

/** The globs of group paths and of branches, with their key paths, for the glob checks. */
export function signoffGlobs(raw: unknown): Array<{ glob: unknown; path: string }> {
  const globs: Array<{ glob: unknown; path: string }> = [];
  const list = (value: unknown) => (Array.isArray(value) ? value : []);
  list(at(raw, "branches")).forEach((glob, i) => globs.push({ glob, path: `branches[${i}]` }));
  const signoff = at(raw, "signoff");
  const levels: Array<[unknown, string]> = [[signoff, "signoff"]];
  const tiers = at(signoff, "tiers");
  if (tiers !== null && typeof tiers === "object" && !Array.isArray(tiers)) {
    for (const [tier, level] of Object.entries(tiers)) levels.push([level, `signoff.tiers.${tier}`]);
  }
  for (const [level, path] of levels) {
    list(at(level, "require")).forEach((group, g) =>
      list(at(group, "paths")).forEach((glob, i) => globs.push({ glob, path: `${path}.require[${g}].paths[${i}]` })),
    );
  }
  return globs;
}

/**
 * `branches` globs are matched against branch names ("main"), as GitHub gives a PR's base. A glob
 * written the way rulesets name refs ("refs/heads/main", "~DEFAULT_BRANCH") would match no branch,
 * and every PR would silently leave the gate: that is an invalid policy, not an open gate.
 */
export function branchProblems(raw: unknown): PolicyProblem[] {
  const branches = at(raw, "branches");
  if (!Array.isArray(branches)) return [];
  const problems: PolicyProblem[] = [];
  branches.forEach((glob, i) => {
    if (typeof glob !== "string") return;
    if (/^refs\//.test(glob)) {
      problems.push({
        path: `branches[${i}]`,
        message: `names a ref; branches are matched against branch names: write ${JSON.stringify(glob.replace(/^refs\/(?:heads\/)?/, ""))}`,
      });
    } else if (glob.startsWith("~")) {
      problems.push({
        path: `branches[${i}]`,
        message: `is ruleset syntax, which branches does not read: write the branch names, e.g. "main"`,
      });
    }
  });
  return problems;
}
