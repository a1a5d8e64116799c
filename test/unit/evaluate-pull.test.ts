// The one pipeline (core/evaluate-pull.ts) over a PullSource of plain values: what it asks the
// source for, and what an approval or override given before a retarget means.
import { describe, expect, it } from "vitest";
import { evaluatePull, type PullHistory, type PullSource } from "../../src/core/evaluate-pull.js";
import { validatePolicyText } from "../../src/policy/validate.js";
import type { OverrideRecord, PullSnapshot, Review } from "../../src/core/types.js";
import { makeCommit, makeSnapshot } from "../helpers/snapshot.js";

const HEAD = "a".repeat(40);
const CLAUDE = makeCommit({ message: "Add retry\n\nCo-Authored-By: Claude <noreply@anthropic.com>" });

function policyOf(text: string) {
  const result = validatePolicyText(text);
  if (!result.ok) throw new Error("valid policy expected");
  return result.policy;
}
const POLICY = policyOf("signoff:\n  reviewers: ['carol']\n  request_reviews: false\n");

const approval = (at: string): Review => ({
  id: 1,
  user: { login: "carol", id: 3, type: "User" },
  state: "APPROVED",
  commitId: HEAD,
  submittedAt: at,
});

/** A source of plain values that records what was asked. */
function plainSource(snapshot: PullSnapshot, o: { baseChanges?: string[]; override?: OverrideRecord } = {}) {
  const asked: string[] = [];
  const history: PullHistory = { labelEvents: [], reviewRequestEvents: [], baseChanges: o.baseChanges ?? [] };
  const source: PullSource = {
    snapshot,
    provenance: async () => (asked.push("provenance"), undefined),
    carriedPulls: async () => (asked.push("carriedPulls"), []),
    changedSince: async () => (asked.push("changedSince"), undefined),
    history: async () => (asked.push("history"), history),
    contents: async (s) => (asked.push("contents"), s),
    directory: async () => (asked.push("directory"), new Map()),
    coAuthors: async () => (asked.push("coAuthors"), []),
    keptOverrides: async () => (asked.push("keptOverrides"), o.override ? [o.override] : []),
    sameDiff: async () => (asked.push("sameDiff"), {}),
  };
  return { source, asked };
}

describe("evaluatePull", () => {
  const snapshot = (reviews: Review[]) => makeSnapshot({ headSha: HEAD, commits: [CLAUDE], reviews });

  it("counts an approval given after the last retarget, and reads the history to know", async () => {
    const { source, asked } = plainSource(snapshot([approval("2026-11-21T11:00:00Z")]), { baseChanges: ["2026-11-21T10:00:00Z"] });
    const { verdict } = await evaluatePull(source, POLICY);
    expect(verdict.outcome).toBe("approved");
    expect(asked).toContain("history");
  });

  it("does not count an approval given before the last retarget, on the same head", async () => {
    const { source } = plainSource(snapshot([approval("2026-11-21T09:00:00Z")]), { baseChanges: ["2026-11-21T10:00:00Z"] });
    const { verdict } = await evaluatePull(source, POLICY);
    expect(verdict.outcome).toBe("waiting");
    expect(verdict.reviews[0]?.reason).toContain("approved before the base was changed to main");
  });

  it("does not apply an override given before the last retarget", async () => {
    const override = { by: "carol", reason: "hotfix", sha: HEAD, at: "2026-11-21T09:00:00Z" };
    const { source } = plainSource(snapshot([]), { baseChanges: ["2026-11-21T10:00:00Z"], override });
    const { verdict } = await evaluatePull(source, POLICY);
    expect(verdict.outcome).toBe("waiting");
    expect(verdict.override).toBeUndefined();
  });

  it("asks for the history only when an approval or override could count", async () => {
    const { source, asked } = plainSource(snapshot([]));
    const { verdict } = await evaluatePull(source, POLICY);
    expect(verdict.outcome).toBe("waiting");
    expect(asked).not.toContain("history");
  });
});
