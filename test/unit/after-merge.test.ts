// After the merge, pure: what a revert names, whether a merge bypassed the gate, and how check runs' records are read.
import { describe, expect, it } from "vitest";
import { assessMerge, labelFacts, needsJudgement, parseRevert } from "../../src/core/after-merge.js";
import { pullRecordIn, readCheckRecord, renderCheckRecord } from "../../src/core/check-record.js";
import { recordText } from "../support/check-record.js";
import { renderInvalidPolicy } from "../../src/core/render.js";
import { findReverts, quantile, type MergedPull } from "../../src/core/report.js";

const NAMES = { aiAssisted: "ai-assisted", riskPrefix: "risk:" };
/** The merged PR: #1 into main. */
const MERGED = { pr: 1, base: "main" };
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
  const run = (
    status: "in_progress" | "completed",
    conclusion: string | undefined,
    gated: boolean,
    o: { pr?: number; base?: string } = {},
  ) => ({
    status,
    conclusion,
    title: "…",
    summary: "…",
    text: recordText(o.pr ?? 1, {
      outcome: gated ? "approved" : "not-gated",
      mode: "enforce",
      gated,
      ai: gated,
      approvedBy: [],
      base: o.base ?? "main",
    }),
  });
  it.each([
    ["no check on the merged head", undefined, true],
    ["a pass written while the PR was not gated", run("completed", "success", false), true],
    ["a sign-off", run("completed", "success", true), false],
    ["a sign-off given for another base", run("completed", "success", true, { base: "release" }), true],
    ["a sign-off recorded for another PR only", run("completed", "success", true, { pr: 2 }), true],
    [
      "a pass without a readable record",
      { status: "completed" as const, conclusion: "success", title: "Signed off by @bob", summary: "" },
      true,
    ],
    ["a block", run("in_progress", undefined, true), false],
  ])("%s: %s", (_name, check, expected) => {
    expect(needsJudgement(check, MERGED)).toBe(expected);
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
    expect(assessMerge(c, MERGED, [], NAMES).bypassed).toBe(bypassed);
  });

  it("says what was missing, from the verdict record", () => {
    const text = recordText(1, {
      outcome: "waiting",
      mode: "enforce",
      gated: true,
      ai: true,
      tier: "critical",
      required: "2 approvals from @acme/sre",
      approvedBy: [],
    });
    expect(assessMerge(check("in_progress", undefined, "Waiting…", text), MERGED, [], NAMES)).toEqual({
      bypassed: true,
      tier: "critical",
      missing: "sign-off: 2 approvals from @acme/sre at risk critical; no eligible approval yet",
      checkSaid: "Waiting…",
    });
  });

  it("says what was missing for a check that could not judge the PR, whatever base it was written for", () => {
    const invalid = renderInvalidPolicy([{ path: "mode", message: "bad" }], [], { number: 1, baseRef: "release" });
    expect(assessMerge({ ...invalid, summary: "" }, MERGED, ["risk:high"], NAMES)).toMatchObject({
      bypassed: true,
      tier: "high",
      missing: "a valid policy: the repository's Countersign policy was invalid, so the gate stayed closed",
    });
  });

  it("without our check, counts only PRs labelled AI-assisted", () => {
    expect(assessMerge(undefined, MERGED, ["risk:low"], NAMES)).toEqual({ bypassed: false, why: "no-check" });
    expect(assessMerge(undefined, MERGED, ["ai-assisted", "risk:high"], NAMES)).toMatchObject({ bypassed: true, tier: "high" });
  });
});

describe("readCheckRecord", () => {
  // One versioned record; titles are words: a check from before it has no record (and nothing is guessed from its title).
  it.each([
    "Signed off by @bob, @carol (risk high)",
    "Waiting for 2 approvals from @acme/sre (1 of 2, risk critical)",
    "Not AI-assisted: no sign-off needed (risk low)",
    "Overridden by @carol: INC-42 checkout",
    "Report mode: would pass: Signed off by @bob (risk low)",
  ])("a check from before the record has none: %s", (title) => {
    expect(readCheckRecord(title)).toBeUndefined();
    expect(pullRecordIn(title, 1)).toBeUndefined();
  });

  it("reads the record, and ignores a broken one, an older version and the old verdict marker", () => {
    const text = recordText(4, { outcome: "approved", mode: "enforce", gated: true, ai: true, tier: "low", approvedBy: ["dave"] });
    expect(pullRecordIn(`Waiting for x (0 of 1, risk high)\n${text}`, 4)).toMatchObject({
      pr: 4,
      base: "main",
      gate: "pass",
      outcome: "approved",
      approvedBy: ["dave"],
    });
    expect(pullRecordIn(text, 5)).toBeUndefined();
    expect(readCheckRecord('<!-- countersign:record {"v":2,"pulls":[{"pr":1,"outcome":"nope"}]} -->')).toBeUndefined();
    expect(readCheckRecord(text.replace('"v":2', '"v":1'))).toBeUndefined();
    expect(
      readCheckRecord('<!-- countersign:verdict {"outcome":"approved","mode":"enforce","gated":true,"ai":true,"approvedBy":[]} -->'),
    ).toBeUndefined();
  });

  it("keeps the overrides, one per PR, and the unrecognised automation", () => {
    const override = { by: "carol", reason: "INC-1 <b>", sha: SHA, at: "2026-11-01T00:00:00Z", comment: 3, pr: 4 };
    const text = renderCheckRecord({
      pulls: [
        {
          pr: 4,
          base: "main",
          gate: "pass",
          outcome: "overridden",
          mode: "enforce",
          gated: true,
          ai: true,
          approvedBy: [],
          unrecognised: [{ login: "helper[bot]", policyKey: "detection.authors", value: "helper[bot]" }],
        },
      ],
      overrides: [override, { ...override, by: "dave" }],
    });
    expect(text).not.toContain("<b>");
    expect(readCheckRecord(text)).toEqual({
      v: 2,
      pulls: [expect.objectContaining({ unrecognised: [{ login: "helper[bot]", policyKey: "detection.authors", value: "helper[bot]" }] })],
      overrides: [override],
    });
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
