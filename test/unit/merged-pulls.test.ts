// AI code arriving sideways, pure: which commits and descriptions name a merged PR or a revert, and
// what the PRs found carry.
import { describe, expect, it } from "vitest";
import { MAX_CARRIED_LOOKUPS, carriedReferences, carriedSignals, type CarriedPull } from "../../src/core/merged-pulls.js";
import { detectAiAssistance } from "../../src/core/detect.js";
import { PolicySchema } from "../../src/policy/schema.js";
import { makeCommit, makeSnapshot } from "../helpers/snapshot.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";

describe("carriedReferences", () => {
  it.each([
    ["GitHub's merge commit", "Merge pull request #3 from acme/feat-b\n\nAdd B", [{ kind: "merge", number: 3 }]],
    ["a squash commit", "Add retry (#12)", [{ kind: "merge", number: 12 }]],
    ["a mention that is not a squash title", "Fix #12 properly", []],
    ["the PR's own number", "Add retry (#7)", []],
    ["git revert", `Bring it back\n\nThis reverts commit ${SHA}.`, [{ kind: "revert-commit", sha: SHA }]],
  ])("%s", (_name, message, expected) => {
    const commit = makeCommit({ message });
    const refs = carriedReferences(makeSnapshot({ commits: [commit] }));
    expect(refs).toMatchObject(expected);
  });

  it("reads `Reverts #N` of the description, and stops at MAX_CARRIED_LOOKUPS", () => {
    expect(carriedReferences(makeSnapshot({ body: "Reverts acme/shop#4" }))).toEqual([{ kind: "revert-pull", number: 4 }]);
    expect(carriedReferences(makeSnapshot({ body: "Reverts other/repo#4" }))).toEqual([]);
    const commits = Array.from({ length: 30 }, (_, i) => makeCommit({ message: `Step ${i} (#${100 + i})` }));
    expect(carriedReferences(makeSnapshot({ commits }))).toHaveLength(MAX_CARRIED_LOOKUPS);
  });
});

describe("carriedSignals", () => {
  const pull = (o: Partial<CarriedPull> = {}): CarriedPull => ({
    number: 3,
    title: "Add retry",
    body: "",
    author: { login: "alice", id: 1 },
    headRef: "feat/retry",
    labels: [],
    via: "merged into this PR's branch",
    ...o,
  });
  const policy = PolicySchema.parse({});

  it.each([
    ["labelled ai-assisted", pull({ labels: ["ai-assisted"] }), /carries #3 \(ai-assisted\), merged into this PR's branch/],
    [
      "opened by an AI app",
      pull({ author: { login: "Copilot", id: 198982749, type: "Bot" } }),
      /carries #3 \(Pull request opened by a known AI app/,
    ],
    ["on an agent's branch", pull({ headRef: "claude/retry" }), /carries #3 \(Head branch uses an AI agent's prefix/],
  ])("a merged PR %s is carried", (_name, carried, evidence) => {
    const detection = detectAiAssistance(makeSnapshot({ carriedPulls: [carried] }), policy);
    expect(detection.assisted).toBe(true);
    expect(detection.signals.map((s) => `${s.id}: ${s.evidence}`).join("\n")).toMatch(evidence);
  });

  it("a human PR carries nothing, and detection.disable: [merged-pull] switches it off", () => {
    expect(carriedSignals(makeSnapshot({ carriedPulls: [pull()] }), policy, detectAiAssistance)).toEqual([]);
    const off = PolicySchema.parse({ detection: { disable: ["merged-pull"] } });
    expect(detectAiAssistance(makeSnapshot({ carriedPulls: [pull({ labels: ["ai-assisted"] })] }), off).assisted).toBe(false);
  });
});
