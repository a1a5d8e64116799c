// Check-run states of DESIGN.md's table, and the summary a reviewer reads.
import { describe, expect, it } from "vitest";
import { decide, planEvaluation } from "../../src/core/decide.js";
import { renderError, renderInvalidPolicy, renderVerdict, sameView } from "../../src/core/render.js";
import { overridesIn, pullRecordIn } from "../../src/core/check-record.js";
import { PolicySchema, type PolicyInput } from "../../src/policy/schema.js";
import type { Outcome, PullSnapshot } from "../../src/core/types.js";
import { makeCommit, makeSnapshot } from "../helpers/snapshot.js";

const AI = makeCommit({ message: "x\n\nCo-Authored-By: Claude <noreply@anthropic.com>" });

function view(snapshot: PullSnapshot, input: PolicyInput = {}) {
  const policy = PolicySchema.parse(input);
  const plan = planEvaluation(snapshot, policy);
  const verdict = decide(snapshot, policy, plan, new Map([["bob", { teams: new Map(), permission: "maintain" as const }]]));
  return { verdict, view: renderVerdict(verdict, snapshot, { policySources: [] }) };
}

const approvedBy = (login: string, state: "APPROVED" | "CHANGES_REQUESTED" = "APPROVED") => [
  { id: 1, user: { login, id: 2, type: "User" }, state, commitId: "a".repeat(40), submittedAt: "2026-11-21T00:00:00Z" },
];

describe("check-run states", () => {
  it.each<[string, Partial<PullSnapshot>, PolicyInput, Outcome, string, string | undefined]>([
    ["not gated", {}, {}, "not-gated", "completed", "success"],
    ["gated, waiting", { commits: [AI] }, {}, "waiting", "in_progress", undefined],
    ["gated, approved", { commits: [AI], reviews: approvedBy("bob") }, {}, "approved", "completed", "success"],
    [
      "gated, changes requested",
      { commits: [AI], reviews: approvedBy("bob", "CHANGES_REQUESTED") },
      {},
      "changes-requested",
      "completed",
      "failure",
    ],
    ["report mode never blocks", { commits: [AI] }, { mode: "report" }, "waiting", "completed", "neutral"],
    [
      "override",
      { commits: [AI], override: { by: "ic", reason: "outage", sha: "a".repeat(40), at: "t" } },
      {},
      "overridden",
      "completed",
      "success",
    ],
  ])("%s", (_name, snap, policy, outcome, status, conclusion) => {
    const { verdict, view: v } = view(makeSnapshot(snap), policy);
    expect(verdict.outcome).toBe(outcome);
    expect(v.status).toBe(status);
    expect(v.conclusion).toBe(conclusion);
  });

  it("never uses neutral or skipped for something that should block in enforce mode", () => {
    for (const snap of [{ commits: [AI] }, { commits: [AI], reviews: approvedBy("bob", "CHANGES_REQUESTED") }]) {
      expect(view(makeSnapshot(snap)).view.conclusion).not.toBe("neutral");
    }
    expect(renderError("boom").conclusion).toBe("failure");
    expect(renderInvalidPolicy([{ path: "mode", message: "bad" }], []).conclusion).toBe("failure");
    // The record says it too (for the report and after the merge): the gate failed, and why.
    expect(pullRecordIn(renderError("boom", { number: 3 }).text, 3)).toMatchObject({ gate: "fail", outcome: "error", base: "" });
    expect(pullRecordIn(renderInvalidPolicy([{ path: "mode", message: "bad" }], [], { number: 3, baseRef: "main" }).text, 3)).toMatchObject(
      {
        gate: "fail",
        outcome: "invalid-policy",
        base: "main",
      },
    );
  });
});

describe("the summary", () => {
  it("puts the verdict first, then evidence, risk, who may sign off and the reviews", () => {
    const { view: v } = view(makeSnapshot({ commits: [AI] }), { signoff: { reviewers: ["@acme/seniors"] } });
    const order = [
      "### ⏳ Waiting for 1 approval from @acme/seniors",
      "#### AI assistance",
      "#### Risk: low",
      "#### Sign-off",
      "#### Reviews",
    ];
    const positions = order.map((s) => v.summary.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it("report mode says what enforce mode would require", () => {
    const { view: v } = view(makeSnapshot({ commits: [AI] }), { mode: "report" });
    expect(v.title).toMatch(/^Report mode: would wait: Waiting for 1 approval/);
    expect(v.summary).toContain("Report mode, nothing is blocked. In enforce mode:");
  });

  it("lists invalid-policy problems with line and key", () => {
    const v = renderInvalidPolicy(
      [{ path: "risk.rules[0].tier", message: "must be one of …", line: 4 }],
      ["acme/shop:.github/countersign.yml"],
    );
    expect(v.summary).toContain("- line 4: `risk.rules[0].tier` must be one of …");
    expect(v.title).toBe("Invalid policy: 1 problem");
  });
});

describe("state kept on the check run", () => {
  it("round-trips an override and ignores garbage", () => {
    const override = { by: "ic", reason: "outage", sha: "a".repeat(40), at: "t" };
    const { view: v } = view(makeSnapshot({ commits: [AI], override }));
    expect(overridesIn(v.text)).toEqual([override]);
    expect(overridesIn("<!-- countersign:record {nope} -->")).toEqual([]);
    expect(overridesIn(v.text.replace('"by":"ic"', '"by":1'))).toEqual([]);
    // The state marker of the older format is not read: no override is remembered, the PR waits again.
    expect(overridesIn(`<!-- countersign:state ${JSON.stringify({ override })} -->`)).toEqual([]);
    expect(overridesIn(null)).toEqual([]);
  });

  it("keeps an override whose reason contains an HTML comment end", () => {
    const override = { by: "ic", reason: "rollback } --> <!-- now", sha: "a".repeat(40), at: "t" };
    const { view: v } = view(makeSnapshot({ commits: [AI], override }));
    expect(v.text).not.toContain("rollback } -->");
    // One comment (the record, with the verdict and the override), ended exactly once.
    expect(v.text.match(/-->/g)).toHaveLength(1);
    expect(overridesIn(v.text)).toEqual([override]);
    expect(pullRecordIn(v.text, makeSnapshot({}).number)).toMatchObject({
      outcome: "overridden",
      overriddenBy: "ic",
      overrideReason: override.reason,
    });
  });

  it("compares views field by field", () => {
    const a = renderError("x");
    expect(sameView(a, { ...a })).toBe(true);
    expect(sameView(a, { ...a, summary: "y" })).toBe(false);
    expect(sameView(a, { ...a, conclusion: "success" })).toBe(false);
  });
});
