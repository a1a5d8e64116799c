// Validation messages a person can act on: every enum and union of values lists what is allowed
// (with the nearest one), an AI tool's account is refused as a reviewer wherever reviewers are
// listed, an unknown signal id or CLI command gets the nearest known one.
import { describe, expect, it } from "vitest";
import { AGENT_BOT_APPS, AGENT_LOGINS, AI_APPS, REVIEW_ONLY_AI_BOTS } from "../../src/core/ai-catalogue.js";
import { isAiReviewer } from "../../src/policy/ai-identities.js";
import { validatePolicy, validatePolicyText } from "../../src/policy/validate.js";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = join(import.meta.dirname, "..", "..");
const TSX = pathToFileURL(join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;

const problemsOf = (raw: unknown) => {
  const result = validatePolicy(raw);
  return result.ok ? [] : result.problems.map((p) => `${p.path} ${p.message}`);
};

describe("values outside an enum or a union of values", () => {
  it('fresh_approval: same_diff lists true, false and "same-diff", and suggests "same-diff"', () => {
    const result = validatePolicyText("signoff:\n  fresh_approval: same_diff\n");
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      {
        path: "signoff.fresh_approval",
        message: 'must be one of true, false, "same-diff", but is the text "same_diff"; did you mean "same-diff"?',
        line: 2,
        column: 3,
      },
    ]);
  });

  it.each([
    [{ mode: "enforc" }, 'mode must be one of "enforce", "report", but is the text "enforc"; did you mean "enforce"?'],
    [{ gate: "everything" }, 'gate must be one of "ai-assisted", "all", but is the text "everything"'],
    [
      { risk: { default: "hgih" } },
      'risk.default must be one of "low", "medium", "high", "critical", but is the text "hgih"; did you mean "high"?',
    ],
    [{ signoff: { fresh_approval: 3 } }, 'signoff.fresh_approval must be one of true, false, "same-diff", but is the number 3'],
  ])("%o", (raw, message) => {
    expect(problemsOf(raw)).toContain(message);
  });

  it('no message anywhere is zod\'s bare "Invalid input"', () => {
    for (const raw of [{ signoff: { fresh_approval: "yes" } }, { mode: 1 }, { risk: { rules: [{ tier: "x", paths: ["a"] }] } }]) {
      for (const line of problemsOf(raw)) expect(line).not.toMatch(/Invalid input/);
    }
  });
});

describe("AI identities as reviewers", () => {
  it.each([
    ["Copilot", "signoff.reviewers[0]"],
    ["claude[bot]", "signoff.reviewers[0]"],
    ["coderabbitai", "signoff.reviewers[0]"],
    ["copilot-pull-request-reviewer[bot]", "signoff.reviewers[0]"],
    ["COPILOT-SWE-AGENT", "signoff.reviewers[0]"],
  ])("refuses %s with the one reason that matters", (login, path) => {
    expect(problemsOf({ signoff: { reviewers: [login] } })).toEqual([
      `${path} is an AI identity; an AI identity can never sign off (its approval never counts): name the people or teams who review for it`,
    ]);
  });

  it("refuses them in tiers and in require groups too", () => {
    const problems = problemsOf({
      signoff: {
        tiers: { critical: { reviewers: ["@acme/sre", "Copilot"] } },
        require: [{ reviewers: ["gemini-code-assist[bot]"] }],
      },
    });
    expect(problems.map((p) => p.split(" ")[0])).toEqual(["signoff.tiers.critical.reviewers[1]", "signoff.require[0].reviewers[0]"]);
  });

  it("accepts people and teams, including people whose login is also a tool's name", () => {
    expect(problemsOf({ signoff: { reviewers: ["@acme/seniors", "alice", "claude", "cursor", "permission:admin"] } })).toEqual([]);
  });

  it("knows every AI account of the detection's catalogue (src/core/ai-catalogue.ts)", () => {
    for (const { login } of AI_APPS) expect(isAiReviewer(login), login).toBe(true);
    for (const login of [...AGENT_LOGINS, ...REVIEW_ONLY_AI_BOTS]) {
      expect(isAiReviewer(login), login).toBe(true);
      expect(isAiReviewer(`${login}[bot]`), `${login}[bot]`).toBe(true);
    }
    // The agents' bot apps are refused as bots; the same name as a person's login is a person.
    for (const login of AGENT_BOT_APPS) {
      expect(isAiReviewer(`${login}[bot]`), `${login}[bot]`).toBe(true);
      expect(isAiReviewer(login), login).toBe(false);
    }
    expect(isAiReviewer("claude"), "a person called claude").toBe(false);
  });
});

describe("did you mean", () => {
  it.each([
    ["branch-prefx", "branch-prefix"],
    ["co-author", "co-author-trailer"],
    ["Commit-Marker", "commit-marker"],
  ])("detection.disable: %s → %s", (id, near) => {
    expect(problemsOf({ detection: { disable: [id] } })[0]).toMatch(new RegExp(`did you mean "${near}"\\? known ids: `));
  });

  it("an unrelated id gets no suggestion, only the list", () => {
    expect(problemsOf({ detection: { disable: ["zzzz"] } })[0]).toMatch(/is not a built-in signal; known ids: author-app/);
  });

  it.each([
    ["valdate", "validate"],
    ["chekc", "check"],
    ["reprot", "report"],
  ])("countersign %s → %s", (command, near) => {
    const result = spawnSync(process.execPath, ["--import", TSX, join(ROOT, "src", "cli", "main.ts"), command], { encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`unknown command "${command}"; did you mean "${near}"?`);
  });
});
