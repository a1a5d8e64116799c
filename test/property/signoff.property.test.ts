// Invariants of same-diff and of signoff.require over generated pull requests, diffs and groups (fast-check):
// - same-diff never counts an approval that fresh_approval: false would not count;
// - same-diff never counts an approval across a change of the PR's own diff, and keeps it across base-only noise;
// - adding a group never makes a blocking PR pass.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decide, planEvaluation } from "../../src/core/decide.js";
import { compareDiffs, digestDiff, type DiffComparison, type DiffFile } from "../../src/core/same-diff.js";
import { PolicySchema, type Policy, type SignoffGroup } from "../../src/policy/schema.js";
import { validatePolicy } from "../../src/policy/validate.js";
import type { PullSnapshot, Verdict } from "../../src/core/types.js";
import { OLD, directory, policyArb, snapshotArb } from "./arbitraries.js";

const RUNS = { numRuns: 300 };
const PASSING = new Set(["not-gated", "approved", "overridden"]);
const passes = (v: Verdict) => PASSING.has(v.outcome);

function verdictOf(snapshot: PullSnapshot, policy: Policy, sameDiff?: Map<string, DiffComparison>): Verdict {
  return decide(snapshot, policy, planEvaluation(snapshot, policy), directory(), sameDiff ? { sameDiff } : {});
}

const withFresh = (policy: Policy, fresh: Policy["signoff"]["fresh_approval"]): Policy => ({
  ...policy,
  signoff: { ...policy.signoff, fresh_approval: fresh },
});
const counted = (v: Verdict) => v.reviews.filter((r) => r.counted && r.state === "APPROVED").map((r) => `${r.login}@${r.commitId}`);

describe("fresh_approval: same-diff", () => {
  it("never counts an approval that fresh_approval: false would not, nor passes a PR that false would block", () => {
    fc.assert(
      fc.property(snapshotArb, policyArb, fc.boolean(), (snapshot, policy, same) => {
        const comparisons = new Map([[OLD, { same, reason: same ? "the changes since are only the base branch" : "differs" }]]);
        const sameDiff = verdictOf(snapshot, withFresh(policy, "same-diff"), comparisons);
        const anyCommit = verdictOf(snapshot, withFresh(policy, false));
        const strict = verdictOf(snapshot, withFresh(policy, true));
        for (const approval of counted(sameDiff)) expect(counted(anyCommit)).toContain(approval);
        for (const approval of counted(strict)) expect(counted(sameDiff)).toContain(approval);
        if (passes(sameDiff)) expect(passes(anyCommit)).toBe(true);
      }),
      RUNS,
    );
  });

  // A PR's own diff, and the noise a base-branch update adds to it: hunks moved, their headings changed.
  const hunkArb = fc.tuple(
    fc.integer({ min: 1, max: 500 }),
    fc.array(fc.constantFrom(" ctx", "-old", "+new", "+retry()", "-x", "+ünïcode 🚀"), { minLength: 1, maxLength: 5 }),
  );
  const fileArb: fc.Arbitrary<DiffFile> = fc
    .record({
      path: fc.constantFrom("src/a.ts", "src/b.ts", "infra/main.tf", "README.md", "logo.png"),
      hunks: fc.array(hunkArb, { minLength: 1, maxLength: 3 }),
      renamedFrom: fc.option(fc.constantFrom("old/a.ts", "old/b.ts"), { nil: undefined }),
    })
    .map(({ path, hunks, renamedFrom }) => ({
      path,
      status: renamedFrom ? "renamed" : "modified",
      ...(renamedFrom ? { previousPath: renamedFrom } : {}),
      additions: 1,
      deletions: 1,
      patch: hunks.map(([at, lines]) => `@@ -${at},3 +${at},4 @@\n${lines.join("\n")}`).join("\n"),
    }));
  const diffArb = fc.uniqueArray(fileArb, { minLength: 1, maxLength: 4, selector: (f) => f.path });
  const baseNoise = (files: DiffFile[], shift: number): DiffFile[] =>
    files.map((f) => ({
      ...f,
      blobSha: String(shift).padStart(40, "0"),
      ...(f.patch === undefined
        ? {}
        : {
            patch: f.patch.replace(
              /@@ -(\d+),3 \+(\d+),4 @@/g,
              (_m, a, b) => `@@ -${Number(a) + shift},3 +${Number(b) + shift},4 @@ moved`,
            ),
          }),
    }));
  const mutationArb = fc.constantFrom("edit-line", "add-line", "add-file", "drop-file", "rename", "binary");
  function mutate(files: DiffFile[], how: string): DiffFile[] {
    const [first, ...rest] = files;
    switch (how) {
      case "edit-line":
        return [{ ...first!, patch: `${first!.patch!}X` }, ...rest];
      case "add-line":
        return [{ ...first!, patch: `${first!.patch!}\n+sneaky()` }, ...rest];
      case "add-file":
        return [...files, { path: "src/evil.ts", status: "added", additions: 1, deletions: 0, patch: "@@ -0,0 +1 @@\n+evil()" }];
      case "drop-file":
        return files.length > 1 ? rest : [{ ...first!, path: `${first!.path}.moved` }];
      case "rename":
        return [{ ...first!, status: "renamed", previousPath: `${first!.previousPath ?? "x"}/elsewhere` }, ...rest];
      default:
        return [{ ...first!, patch: undefined, additions: 0, deletions: 0 }, ...rest];
    }
  }

  it("never keeps an approval across a change of the PR's own diff, and keeps it across a base-only update", () => {
    fc.assert(
      fc.property(snapshotArb, policyArb, diffArb, mutationArb, fc.nat({ max: 300 }), (snapshot, policy, approved, how, shift) => {
        const changedHead = baseNoise(mutate(approved, how), shift);
        // The base's own change that moved the hunks: `shift` lines added at the top of every file.
        const base = new Map(
          [...approved, ...changedHead].map((f): [string, Array<[number, number, number, number]>] => [f.path, [[0, 0, 1, shift]]]),
        );
        const stale = compareDiffs(OLD, digestDiff(approved), digestDiff(changedHead), base);
        expect(stale.same).toBe(false);
        const verdict = verdictOf(snapshot, withFresh(policy, "same-diff"), new Map([[OLD, stale]]));
        expect(verdict.reviews.filter((r) => r.counted && r.state === "APPROVED" && r.commitId === OLD)).toEqual([]);

        expect(compareDiffs(OLD, digestDiff(approved), digestDiff(baseNoise(approved, shift)), base).same).toBe(true);
      }),
      RUNS,
    );
  });
});

describe("signoff.require", () => {
  const groupArb: fc.Arbitrary<SignoffGroup> = fc.record({
    reviewers: fc.uniqueArray(fc.constantFrom("@acme/seniors", "carol", "dave", "bob", "permission:admin", "permission:maintain"), {
      minLength: 1,
      maxLength: 2,
    }),
    approvals: fc.integer({ min: 1, max: 2 }),
    paths: fc.option(
      fc.uniqueArray(fc.constantFrom("infra/**", "**/*.tf", "src/**", "**/*.sql", "docs/**"), { minLength: 1, maxLength: 2 }),
      { nil: undefined },
    ),
  });
  // Valid lists only: at least one group without paths (the validator refuses the others).
  const groupsArb = fc
    .tuple(
      groupArb.map((g) => ({ reviewers: g.reviewers, approvals: g.approvals })),
      fc.array(groupArb, { maxLength: 3 }),
    )
    .map(([always, more]) => [always, ...more]);

  function withGroups(policy: Policy, groups: SignoffGroup[], inTier: boolean): Policy {
    const { reviewers: _r, approvals: _a, ...signoff } = policy.signoff;
    const input = inTier
      ? {
          ...policy,
          signoff: {
            ...policy.signoff,
            tiers: { low: { require: groups }, medium: { require: groups }, high: { require: groups }, critical: { require: groups } },
          },
        }
      : { ...policy, signoff: { ...signoff, tiers: {}, require: groups } };
    const result = validatePolicy(JSON.parse(JSON.stringify(input)));
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return PolicySchema.parse(result.policy);
  }

  it("adding a group never makes a blocking PR pass (at the top level or in the tiers)", () => {
    fc.assert(
      fc.property(
        snapshotArb,
        policyArb,
        groupsArb,
        groupArb,
        fc.boolean(),
        fc.nat({ max: 4 }),
        (snapshot, policy, groups, extra, inTier, at) => {
          const before = verdictOf(snapshot, withGroups(policy, groups, inTier));
          const more = [...groups];
          more.splice(Math.min(at, more.length), 0, extra);
          const after = verdictOf(snapshot, withGroups(policy, more, inTier));
          if (!passes(before)) expect(passes(after)).toBe(false);
        },
      ),
      RUNS,
    );
  });
});
