// signoff.require groups, branches and same-diff as decide sees them; and the policy errors around them.
import { describe, expect, it } from "vitest";
import { approvalsToCompare, decide, planEvaluation } from "../../src/core/decide.js";
import { planReviewRequests } from "../../src/core/review-requests.js";
import { renderVerdict } from "../../src/core/render.js";
import { proposedPolicyChanges } from "../../src/core/policy-change.js";
import { SAME_DIFF_REASON } from "../../src/core/same-diff.js";
import { PolicySchema, type PolicyInput } from "../../src/policy/schema.js";
import { validatePolicy, validatePolicyText } from "../../src/policy/validate.js";
import type { Actor, ChangedFile, Review, ReviewerDirectory } from "../../src/core/types.js";
import { makeCommit, makeSnapshot } from "../helpers/snapshot.js";

const HEAD = "a".repeat(40);
const OLD = "b".repeat(40);
const AI_COMMIT = makeCommit({ message: "Fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>" });
const BOB: Actor = { login: "bob", id: 2, type: "User" };
const CAROL: Actor = { login: "carol", id: 3, type: "User" };
const DAVE: Actor = { login: "dave", id: 4, type: "User" };

let nextId = 1;
const rev = (who: Actor, state: Review["state"], commitId = HEAD): Review => ({
  id: nextId++,
  user: who,
  state,
  commitId,
  submittedAt: `2026-11-21T10:00:${String(nextId % 60).padStart(2, "0")}Z`,
});
const file = (path: string, previousPath?: string): ChangedFile => ({
  path,
  status: previousPath ? "renamed" : "modified",
  additions: 1,
  deletions: 1,
  patch: "@@ -1 +1 @@\n-a\n+b",
  ...(previousPath ? { previousPath } : {}),
});

/** bob: sre and principal; carol: principal; dave: sre. */
const DIRECTORY: ReviewerDirectory = new Map([
  [
    "bob",
    {
      teams: new Map([
        ["acme/sre", true],
        ["acme/principals", true],
      ]),
    },
  ],
  [
    "carol",
    {
      teams: new Map([
        ["acme/sre", false],
        ["acme/principals", true],
      ]),
    },
  ],
  [
    "dave",
    {
      teams: new Map([
        ["acme/sre", true],
        ["acme/principals", false],
      ]),
    },
  ],
]);

const TWO_GROUPS: PolicyInput = {
  signoff: {
    require: [{ reviewers: ["@acme/sre"], paths: ["infra/**", "**/*.tf"] }, { reviewers: ["@acme/principals"] }],
  },
};

function run(input: PolicyInput, o: { files?: ChangedFile[]; reviews?: Review[]; baseRef?: string } = {}, facts = {}) {
  const policy = PolicySchema.parse(input);
  const snapshot = makeSnapshot({
    commits: [AI_COMMIT],
    files: o.files ?? [file("src/app.ts")],
    reviews: o.reviews ?? [],
    ...(o.baseRef ? { baseRef: o.baseRef } : {}),
  });
  const plan = planEvaluation(snapshot, policy);
  return { policy, snapshot, plan, verdict: decide(snapshot, policy, plan, DIRECTORY, facts) };
}

describe("signoff.require groups", () => {
  it.each<[string, PolicyInput, ChangedFile[], Review[], string, boolean[]]>([
    [
      "path-scoped group does not apply; the principal suffices",
      TWO_GROUPS,
      [file("src/app.ts")],
      [rev(CAROL, "APPROVED")],
      "approved",
      [false, true],
    ],
    [
      "path-scoped group applies: AND waits for the SRE",
      TWO_GROUPS,
      [file("infra/main.tf")],
      [rev(CAROL, "APPROVED")],
      "waiting",
      [true, true],
    ],
    [
      "both groups by two people",
      TWO_GROUPS,
      [file("infra/main.tf")],
      [rev(CAROL, "APPROVED"), rev(DAVE, "APPROVED")],
      "approved",
      [true, true],
    ],
    ["one person satisfies two groups", TWO_GROUPS, [file("infra/main.tf")], [rev(BOB, "APPROVED")], "approved", [true, true]],
    [
      "a renamed file's old path makes the group apply",
      TWO_GROUPS,
      [file("legacy/main.rb", "infra/main.rb")],
      [rev(CAROL, "APPROVED")],
      "waiting",
      [true, true],
    ],
    [
      "a group needing two approvals counts distinct people",
      { signoff: { require: [{ reviewers: ["@acme/principals"], approvals: 2 }] } },
      [file("a")],
      [rev(BOB, "APPROVED"), rev(CAROL, "APPROVED")],
      "approved",
      [true],
    ],
    [
      "the SRE alone does not satisfy the principal group",
      TWO_GROUPS,
      [file("infra/main.tf")],
      [rev(DAVE, "APPROVED")],
      "waiting",
      [true, true],
    ],
    [
      "a designated reviewer's changes requested block",
      TWO_GROUPS,
      [file("a")],
      [rev(CAROL, "CHANGES_REQUESTED"), rev(BOB, "APPROVED")],
      "changes-requested",
      [false, true],
    ],
  ])("%s", (_name, input, files, reviews, outcome, applies) => {
    const { verdict } = run(input, { files, reviews });
    expect(verdict.outcome).toBe(outcome);
    expect(verdict.groups?.map((g) => g.applies)).toEqual(applies);
  });

  it("says which path made a group apply and who satisfied each", () => {
    const { verdict } = run(TWO_GROUPS, { files: [file("infra/main.tf")], reviews: [rev(BOB, "APPROVED")] });
    expect(verdict.groups?.[0]).toMatchObject({ source: "signoff.require[0]", approvedBy: ["bob"], satisfied: true });
    expect(verdict.groups?.[0]?.why).toBe("applies: `infra/main.tf` matches `infra/**`");
    expect(verdict.groups?.[1]).toMatchObject({ source: "signoff.require[1]", approvedBy: ["bob"], why: "always applies" });
  });

  it("a tier's require replaces the top level's, and a tier with reviewers uses them", () => {
    const input: PolicyInput = {
      risk: { rules: [{ tier: "critical", paths: ["infra/**"] }] },
      signoff: {
        require: [{ reviewers: ["@acme/principals"] }],
        tiers: {
          critical: { require: [{ reviewers: ["@acme/sre"] }, { reviewers: ["@acme/principals"] }] },
          high: { reviewers: ["@acme/sre"] },
        },
      },
    };
    const critical = run(input, { files: [file("infra/x.yml")], reviews: [rev(CAROL, "APPROVED")] }).verdict;
    expect(critical.requirement.source).toBe("signoff.tiers.critical.require");
    expect(critical.outcome).toBe("waiting");
    const low = run(input, { files: [file("src/x.ts")], reviews: [rev(CAROL, "APPROVED")] }).verdict;
    expect(low.requirement.source).toBe("signoff.require");
    expect(low.outcome).toBe("approved");
  });

  it("requests review only from the groups still unsatisfied", () => {
    const { policy, snapshot, verdict } = run(TWO_GROUPS, { files: [file("infra/main.tf")], reviews: [rev(CAROL, "APPROVED")] });
    const plan = planReviewRequests({ ...snapshot, reviewRequestEvents: [] }, policy, verdict);
    expect(plan.teams).toEqual(["sre"]);
  });

  it("the summary lists each group, whether it applies and why, and who satisfied it", () => {
    const { snapshot, verdict } = run(TWO_GROUPS, { files: [file("src/app.ts")], reviews: [rev(CAROL, "APPROVED")] });
    const { summary } = renderVerdict(verdict, snapshot, { policySources: [] });
    expect(summary).toContain(
      "- ➖ 1 approval from @acme/sre: does not apply: no changed path matches `infra/**`, `**/*.tf` (signoff.require[0]).",
    );
    expect(summary).toContain("- ✅ 1 approval from @acme/principals: signed off by @carol; always applies (signoff.require[1]).");
  });

  it("the waiting title names the groups still needed", () => {
    const { snapshot, verdict } = run(TWO_GROUPS, { files: [file("infra/main.tf")], reviews: [rev(CAROL, "APPROVED")] });
    expect(renderVerdict(verdict, snapshot, { policySources: [] }).title).toBe(
      "Waiting for 1 approval from @acme/sre (1 of 2 groups signed off, risk high)",
    );
  });
});

describe("branches", () => {
  it.each<[string, string[] | undefined, string, string]>([
    ["absent: every branch", undefined, "develop", "waiting"],
    ["a listed branch", ["main", "release/**"], "main", "waiting"],
    ["a glob", ["main", "release/**"], "release/2.1", "waiting"],
    ["outside", ["main", "release/**"], "feature/stack-1", "not-gated"],
  ])("%s", (_name, branches, baseRef, outcome) => {
    const { verdict } = run({ ...(branches ? { branches } : {}) }, { baseRef });
    expect(verdict.outcome).toBe(outcome);
  });

  it("a PR into another branch passes saying why, and still gets its labels", () => {
    const { snapshot, verdict, plan } = run({ branches: ["main"] }, { baseRef: "feature/base", reviews: [rev(BOB, "APPROVED")] });
    expect(verdict.outOfScope).toEqual({ baseRef: "feature/base", branches: ["main"] });
    expect(verdict.labels.add).toEqual(["ai-assisted", "risk:low"]);
    expect(plan.lookupLogins).toEqual([]);
    const view = renderVerdict(verdict, snapshot, { policySources: [] });
    expect(view).toMatchObject({ status: "completed", conclusion: "success" });
    expect(view.title).toBe("Not gated: the base branch feature/base is outside the policy's branches (risk low)");
    expect(view.summary).toContain(
      "Not required: this PR merges into `feature/base`, and the policy's `branches` (`main`) do not include it.",
    );
  });
});

describe("a proposed policy with branches or groups", () => {
  it("says the PR would no longer be gated, or would need the groups", () => {
    const { snapshot, verdict } = run({});
    expect(proposedPolicyChanges(snapshot, verdict, PolicySchema.parse({ branches: ["release/**"] }))).toContain(
      "this PR would no longer be gated",
    );
    expect(proposedPolicyChanges(snapshot, verdict, PolicySchema.parse(TWO_GROUPS))).toContain(
      "sign-off would need 1 approval from @acme/principals instead of 1 approval from anyone with maintain or admin permission",
    );
  });
});

describe("fresh_approval: same-diff in decide", () => {
  const sameDiff = { signoff: { reviewers: ["@acme/sre"], fresh_approval: "same-diff" } } satisfies PolicyInput;

  it("asks to compare only eligible approvals on earlier commits", () => {
    const { snapshot, plan, policy } = run(sameDiff, {
      reviews: [rev(DAVE, "APPROVED", OLD), rev(CAROL, "APPROVED", "c".repeat(40)), rev(BOB, "APPROVED")],
    });
    expect(approvalsToCompare(snapshot, policy, plan, DIRECTORY)).toEqual([OLD]);
  });

  it.each<[string, PolicyInput]>([
    ["fresh_approval true", { signoff: { reviewers: ["@acme/sre"] } }],
    ["fresh_approval false", { signoff: { reviewers: ["@acme/sre"], fresh_approval: false } }],
  ])("compares nothing with %s", (_name, input) => {
    const { snapshot, plan, policy } = run(input, { reviews: [rev(DAVE, "APPROVED", OLD)] });
    expect(approvalsToCompare(snapshot, policy, plan, DIRECTORY)).toEqual([]);
  });

  it("compares nothing for a PR that is not gated", () => {
    const policy = PolicySchema.parse(sameDiff);
    const snapshot = makeSnapshot({ commits: [makeCommit({ message: "plain human change" })], reviews: [rev(DAVE, "APPROVED", OLD)] });
    expect(approvalsToCompare(snapshot, policy, planEvaluation(snapshot, policy), DIRECTORY)).toEqual([]);
  });

  it("compares nothing when every approval is on the head", () => {
    const { snapshot, plan, policy } = run(sameDiff, { reviews: [rev(DAVE, "APPROVED")] });
    expect(approvalsToCompare(snapshot, policy, plan, DIRECTORY)).toEqual([]);
  });

  it.each<[string, Map<string, { same: boolean; reason: string }> | undefined, string, RegExp]>([
    [
      "the same diff keeps the approval",
      new Map([[OLD, { same: true, reason: SAME_DIFF_REASON }]]),
      "approved",
      /approved on bbbbbbb; the changes since are only the base branch \(active member of @acme\/sre\)/,
    ],
    [
      "a different diff makes it stale",
      new Map([[OLD, { same: false, reason: "the change to `a.ts` differs from the one approved" }]]),
      "waiting",
      /now stale: the change to `a.ts` differs/,
    ],
    ["no comparison makes it stale", undefined, "waiting", /now stale: its changes were not compared/],
  ])("%s", (_name, comparisons, outcome, reason) => {
    const { verdict, snapshot } = run(sameDiff, { reviews: [rev(DAVE, "APPROVED", OLD)] }, comparisons ? { sameDiff: comparisons } : {});
    expect(verdict.outcome).toBe(outcome);
    expect(verdict.reviews[0]?.reason).toMatch(reason);
    const summary = renderVerdict(verdict, snapshot, { policySources: [], freshApproval: "same-diff" }).summary;
    if (outcome === "approved")
      expect(summary.split("\n")[2]).toBe("@dave approved on `bbbbbbb`; the changes since are only the base branch.");
    expect(verdict.reviews[0]?.basis).toBe(outcome === "approved" ? "same-diff" : undefined);
  });
});

describe("policy errors around require", () => {
  it.each<[string, unknown, string, RegExp]>([
    [
      "require with reviewers at the top",
      { signoff: { reviewers: ["@acme/a"], require: [{ reviewers: ["@acme/b"] }] } },
      "signoff.require",
      /instead of signoff.reviewers, not with it/,
    ],
    [
      "require with approvals in a tier",
      { signoff: { tiers: { high: { approvals: 2, require: [{ reviewers: ["@acme/b"] }] } } } },
      "signoff.tiers.high.require",
      /instead of signoff.tiers.high.approvals/,
    ],
    [
      "a tier's approvals alone under a top-level require",
      { signoff: { require: [{ reviewers: ["@acme/b"] }], tiers: { critical: { approvals: 2 } } } },
      "signoff.tiers.critical.approvals",
      /falls? back to signoff.reviewers, which signoff.require replaces/,
    ],
    [
      "only path-scoped groups",
      { signoff: { require: [{ reviewers: ["@acme/b"], paths: ["infra/**"] }] } },
      "signoff.require",
      /at least one group without paths/,
    ],
    [
      "an extglob in a group's paths",
      { signoff: { require: [{ reviewers: ["@acme/b"] }, { reviewers: ["@acme/c"], paths: ["+(a|b)/**"] }] } },
      "signoff.require[1].paths[0]",
      /extglob/,
    ],
    ["a group without reviewers", { signoff: { require: [{ approvals: 1 }] } }, "signoff.require[0].reviewers", /./],
    ["a branch written as a ref", { branches: ["refs/heads/main"] }, "branches[0]", /matched against branch names: write "main"/],
    ["a branch in ruleset syntax", { branches: ["main", "~DEFAULT_BRANCH"] }, "branches[1]", /ruleset syntax/],
    ["fresh_approval of another word", { signoff: { fresh_approval: "same-files" } }, "signoff.fresh_approval", /./],
  ])("%s", (_name, raw, path, message) => {
    const result = validatePolicy(raw);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const problem = result.problems.find((p) => p.path === path);
    expect(problem?.message).toMatch(message);
  });

  it("reports the line of a require that clashes with reviewers", () => {
    const result = validatePolicyText("signoff:\n  reviewers: ['@acme/a']\n  require:\n    - reviewers: ['@acme/b']\n");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatchObject({ path: "signoff.require", line: 3 });
  });

  it("accepts groups, branches and same-diff together", () => {
    expect(validatePolicy({ branches: ["main"], signoff: { fresh_approval: "same-diff", ...TWO_GROUPS.signoff } }).ok).toBe(true);
  });
});
