// Invariants of detection and risk over generated pull requests and policies (fast-check):
// - detection is monotonic in its evidence: more commits, trailers, labels or description lines
//   never remove a signal (nor the finding);
// - the risk tier never falls when a file is added, or when a changed line is added to a patch;
// - a change to the policy file, or more files than could be read, is always critical.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { detectAiAssistance } from "../../src/core/detect.js";
import { assessRisk, tierRank } from "../../src/core/risk.js";
import { planEvaluation } from "../../src/core/decide.js";
import type { ChangedFile, PullSnapshot } from "../../src/core/types.js";
import { bodyLineArb, commitArb, fileArb, labelArb, policyArb, snapshotArb } from "./arbitraries.js";

const RUNS = { numRuns: 400 };

/** Each signal as id, evidence and (unless `anyCommit`) the commit it was found in. */
const keys = (snapshot: PullSnapshot, policy: Parameters<typeof detectAiAssistance>[1], anyCommit = false) =>
  detectAiAssistance(snapshot, policy).signals.map((s) => `${s.id}\u0000${s.evidence}\u0000${anyCommit ? "" : (s.commit ?? "")}`);

function withFile(snapshot: PullSnapshot, file: ChangedFile): PullSnapshot {
  return {
    ...snapshot,
    files: [...snapshot.files, file],
    additions: snapshot.additions + file.additions,
    deletions: snapshot.deletions + file.deletions,
    changedFilesTotal: snapshot.changedFilesTotal + 1,
  };
}

describe("detection (property-based)", () => {
  it("is monotonic in its evidence: added commits, trailers, labels and description lines never remove a signal", () => {
    fc.assert(
      fc.property(
        snapshotArb,
        policyArb,
        fc.array(commitArb, { maxLength: 3 }),
        fc.array(bodyLineArb, { maxLength: 3 }),
        fc.uniqueArray(labelArb, { maxLength: 2 }),
        (snapshot, policy, commits, lines, labels) => {
          const more: PullSnapshot = {
            ...snapshot,
            commits: [...snapshot.commits, ...commits],
            commitsTotal: snapshot.commitsTotal + commits.length,
            body: lines.length > 0 ? `${snapshot.body}\n${lines.join("\n")}` : snapshot.body,
            labels: [...new Set([...snapshot.labels, ...labels])],
          };
          const before = keys(snapshot, policy);
          const after = new Set(keys(more, policy));
          for (const k of before) expect(after.has(k)).toBe(true);
          if (detectAiAssistance(snapshot, policy).assisted) expect(detectAiAssistance(more, policy).assisted).toBe(true);
          // And the gate's view (detection plus the label memory) is monotonic too.
          if (planEvaluation(snapshot, policy).detection.assisted) expect(planEvaluation(more, policy).detection.assisted).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it("adding trailers to an existing commit's message never removes a signal", () => {
    fc.assert(
      fc.property(snapshotArb, policyArb, commitArb, (snapshot, policy, extra) => {
        fc.pre(snapshot.commits.length > 0);
        const [first, ...rest] = snapshot.commits;
        const trailers = extra.message.split("\n").slice(1).join("\n");
        const amended = { ...first!, message: `${first!.message}\n${trailers}` };
        // The same evidence may now be found first in the amended commit: compare without commits.
        const before = keys(snapshot, policy, true);
        const after = new Set(keys({ ...snapshot, commits: [amended, ...rest] }, policy, true));
        for (const k of before) expect(after.has(k)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe("risk (property-based)", () => {
  it("the tier never falls when a file is added", () => {
    fc.assert(
      fc.property(snapshotArb, policyArb, fileArb, (snapshot, policy, file) => {
        const before = assessRisk(snapshot, policy).tier;
        const after = assessRisk(withFile(snapshot, file), policy).tier;
        expect(tierRank(after)).toBeGreaterThanOrEqual(tierRank(before));
      }),
      RUNS,
    );
  });

  it("the tier never falls when a changed line is added to a file's patch", () => {
    fc.assert(
      fc.property(
        snapshotArb,
        policyArb,
        fc.nat(),
        fc.constantFrom("+DROP TABLE x;", "+force_destroy = true", "-secret_key = 1", "+ok"),
        (snapshot, policy, pick, line) => {
          const withPatch = snapshot.files.filter((f) => f.patch !== undefined);
          fc.pre(withPatch.length > 0);
          const target = withPatch[pick % withPatch.length]!;
          const grown = snapshot.files.map((f) =>
            f === target
              ? {
                  ...f,
                  patch: `${f.patch}\n${line}`,
                  additions: f.additions + (line.startsWith("+") ? 1 : 0),
                  deletions: f.deletions + (line.startsWith("-") ? 1 : 0),
                }
              : f,
          );
          const more = {
            ...snapshot,
            files: grown,
            additions: snapshot.additions + (line.startsWith("+") ? 1 : 0),
            deletions: snapshot.deletions + (line.startsWith("-") ? 1 : 0),
          };
          expect(tierRank(assessRisk(more, policy).tier)).toBeGreaterThanOrEqual(tierRank(assessRisk(snapshot, policy).tier));
        },
      ),
      RUNS,
    );
  });

  it("a change to the policy file, or more files or commits than could be read, is always critical", () => {
    fc.assert(
      fc.property(snapshotArb, policyArb, fc.constantFrom("policy", "files", "commits"), (snapshot, policy, how) => {
        let s = snapshot;
        if (how === "policy")
          s = withFile(snapshot, {
            path: ".github/countersign.yml",
            status: "modified",
            additions: 1,
            deletions: 1,
            patch: "@@ -1 +1 @@\n-mode: enforce\n+mode: report",
          });
        if (how === "files") s = { ...snapshot, changedFilesTotal: 3001 + snapshot.files.length };
        if (how === "commits") s = { ...snapshot, commitsTotal: 251 + snapshot.commits.length };
        expect(assessRisk(s, policy).tier).toBe("critical");
      }),
      RUNS,
    );
  });
});
