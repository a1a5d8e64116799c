// After the merge, pure: what a revert names, whether a merge bypassed the gate, and how older check runs are read.
import { describe, expect, it } from "vitest";
import { assessMerge, labelFacts, needsJudgement, parseRevert } from "../../src/core/after-merge.js";
import { readCheckRecord, renderCheckRecord } from "../../src/core/check-record.js";
import { findReverts, quantile, type MergedPull } from "../../src/core/report.js";

const NAMES = { aiAssisted: "ai-assisted", riskPrefix: "risk:" };
const SHA = "0123456789abcdef0123456789abcdef01234567";

describe("parseRevert", () => {
  it.each([
    [
      "the Revert button",
      'Revert "Add caching"',
      "Reverts acme/shop#12\n\nBroke it.",
      { kind: "pull", owner: "acme", repo: "shop", number: 12 },
    ],
    ["another repository", 'Revert "x"', "Reverts acme/api#3", { kind: "pull", owner: "acme", repo: "api", number: 3 }],
    ["a short reference", 'Revert "x"', "Reverts #9", { kind: "pull", owner: "acme", repo: "shop", number: 9 }],
    ["git revert", 'Revert "Tune"', `This reverts commit ${SHA}.`, { kind: "commit", sha: SHA }],
    ["git revert in the title only", `Revert: This reverts commit ${SHA.slice(0, 12)}`, "", { kind: "commit", sha: SHA.slice(0, 12) }],
    ["a mention mid-sentence", "Fix", "This PR partly reverts acme/shop#12 but not really", undefined],
    ["no revert", "Add caching", "Closes #4", undefined],
  ])("%s", (_name, title, body, expected) => {
    expect(parseRevert(title, body, "acme", "shop")).toEqual(expected);
  });

  it("reads `This reverts commit` from the PR's commit messages when the title and description say nothing", () => {
    expect(parseRevert("Fix checkout", "Made it worse.", "acme", "shop", ["Tidy", `Undo\n\nThis reverts commit ${SHA}.`])).toEqual({
      kind: "commit",
      sha: SHA,
    });
    expect(parseRevert("Fix checkout", "", "acme", "shop", ["Tidy"])).toBeUndefined();
  });
});

describe("needsJudgement", () => {
  const run = (status: "in_progress" | "completed", conclusion: string | undefined, gated: boolean) => ({
    status,
    conclusion,
    title: "…",
    summary: "…",
    text: renderCheckRecord({ outcome: gated ? "approved" : "not-gated", mode: "enforce", gated, ai: gated, approvedBy: [] }),
  });
  it.each([
    ["no check on the merged head", undefined, true],
    ["a pass written while the PR was not gated", run("completed", "success", false), true],
    ["a sign-off", run("completed", "success", true), false],
    ["a block", run("in_progress", undefined, true), false],
  ])("%s: %s", (_name, check, expected) => {
    expect(needsJudgement(check)).toBe(expected);
  });
});

describe("labelFacts", () => {
  it.each([
    [["ai-assisted", "risk:high"], { aiAssisted: true, tier: "high" }],
    [["AI-Assisted", "risk:low", "risk:critical"], { aiAssisted: true, tier: "critical" }],
    [["bug", "risk:extreme"], { aiAssisted: false, tier: "unknown" }],
  ])("%j", (labels, expected) => {
    expect(labelFacts(labels, NAMES)).toEqual(expected);
  });
});

describe("assessMerge", () => {
  const check = (status: "in_progress" | "completed", conclusion: string | undefined, title: string, text = "") => ({
    status,
    conclusion,
    title,
    summary: "",
    text,
  });
  it.each([
    ["signed off", check("completed", "success", "Signed off by @bob (risk high)"), false],
    ["overridden", check("completed", "success", "Overridden by @carol: INC-1"), false],
    ["report mode", check("completed", "neutral", "Report mode: would wait: Waiting for 1 approval from @x (0 of 1, risk high)"), false],
    ["waiting", check("in_progress", undefined, "Waiting for 1 approval from @acme/seniors (0 of 1, risk high)"), true],
    ["changes requested", check("completed", "failure", "Changes requested by @bob (risk medium)"), true],
    ["an invalid policy", check("completed", "failure", "Invalid policy: 2 problems"), true],
    ["an evaluation error", check("completed", "failure", "Could not evaluate: the gate stays closed"), true],
  ])("%s", (_name, c, bypassed) => {
    expect(assessMerge(c, [], NAMES).bypassed).toBe(bypassed);
  });

  it("says what was missing, from the verdict record", () => {
    const text = renderCheckRecord({
      outcome: "waiting",
      mode: "enforce",
      gated: true,
      ai: true,
      tier: "critical",
      required: "2 approvals from @acme/sre",
      approvedBy: [],
    });
    expect(assessMerge(check("in_progress", undefined, "Waiting…", text), [], NAMES)).toEqual({
      bypassed: true,
      tier: "critical",
      missing: "sign-off: 2 approvals from @acme/sre at risk critical; no eligible approval yet",
      checkSaid: "Waiting…",
    });
  });

  it("without our check, counts only PRs labelled AI-assisted", () => {
    expect(assessMerge(undefined, ["risk:low"], NAMES)).toEqual({ bypassed: false, why: "no-check" });
    expect(assessMerge(undefined, ["ai-assisted", "risk:high"], NAMES)).toMatchObject({ bypassed: true, tier: "high" });
  });
});

describe("readCheckRecord", () => {
  it.each([
    ["Signed off by @bob, @carol (risk high)", { outcome: "approved", tier: "high", approvedBy: ["bob", "carol"] }],
    ["Waiting for 2 approvals from @acme/sre (1 of 2, risk critical)", { outcome: "waiting", tier: "critical", gated: true }],
    ["Not AI-assisted: no sign-off needed (risk low)", { outcome: "not-gated", gated: false, ai: false }],
    ["Overridden by @carol: INC-42 checkout", { outcome: "overridden", overriddenBy: "carol", overrideReason: "INC-42 checkout" }],
    ["Report mode: would pass: Signed off by @bob (risk low)", { outcome: "approved", mode: "report" }],
  ])("reads a check from before the record: %s", (title, expected) => {
    expect(readCheckRecord({ title, summary: "", text: null })).toMatchObject(expected);
  });

  it("prefers the record, and ignores a broken one", () => {
    const text = renderCheckRecord({ outcome: "approved", mode: "enforce", gated: true, ai: true, tier: "low", approvedBy: ["dave"] });
    expect(readCheckRecord({ title: "Waiting for x (0 of 1, risk high)", summary: "", text })).toMatchObject({
      outcome: "approved",
      approvedBy: ["dave"],
    });
    expect(
      readCheckRecord({ title: "something else", summary: "", text: '<!-- countersign:verdict {"outcome":"nope"} -->' }),
    ).toBeUndefined();
  });
});

describe("report arithmetic", () => {
  it("quantiles by nearest rank", () => {
    expect(quantile([], 0.5)).toBeUndefined();
    expect(quantile([5, 1, 3], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
  });

  it("finds reverts by PR reference and by merge commit, never a PR reverting itself", () => {
    const pull = (number: number, o: Partial<MergedPull> = {}): MergedPull => ({
      repo: "acme/shop",
      number,
      title: "x",
      body: "",
      author: "a",
      url: "",
      mergedAt: "2026-11-01T00:00:00Z",
      headSha: "h",
      mergeCommitSha: undefined,
      labels: [],
      ...o,
    });
    const reverts = findReverts([
      pull(1, { mergeCommitSha: SHA }),
      pull(2),
      pull(3, { title: 'Revert "x"', body: `This reverts commit ${SHA.slice(0, 10)}.` }),
      pull(4, { title: 'Revert "y"', body: "Reverts acme/shop#2" }),
      pull(5, { title: 'Revert "z"', body: "Reverts acme/shop#5" }),
    ]);
    expect([...reverts]).toEqual([
      ["acme/shop#1", "acme/shop#3"],
      ["acme/shop#2", "acme/shop#4"],
    ]);
  });
});
