// Policy validation: every problem says where (key path, line) and what, in plain words.
import { describe, expect, it } from "vitest";
import { formatProblem, validatePolicy, validatePolicyText } from "../../src/policy/validate.js";
import { DEFAULT_POLICY } from "../../src/policy/schema.js";

describe("valid policies", () => {
  it.each([
    ["an empty file", ""],
    ["only a comment", "# nothing yet\n"],
    [
      "the example from DESIGN.md",
      `mode: enforce
gate: ai-assisted
detection:
  disable: [branch-prefix]
  emails: ["*@agents.acme.test"]
risk:
  components: ["services/*", "packages/*"]
  rules:
    - { tier: critical, paths: ["**/*.tf", "infra/prod/**"] }
    - { tier: high, changed_lines: 1000 }
    - { tier: critical, content: ["DROP TABLE", "force_destroy\\\\s*=\\\\s*true"] }
signoff:
  reviewers: ["@acme/senior-engineers"]
  tiers:
    critical: { approvals: 2, reviewers: ["@acme/principal-engineers", "@acme/sre"] }
override:
  by: ["@acme/incident-commanders"]
`,
    ],
  ])("%s", (_name, text) => {
    const result = validatePolicyText(text);
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
  });

  it("applies the documented defaults", () => {
    expect(DEFAULT_POLICY).toMatchObject({
      mode: "enforce",
      gate: "ai-assisted",
      risk: { default: "low", builtin: true },
      signoff: { reviewers: ["permission:maintain"], approvals: 1, fresh_approval: true, allow_contributors: false, request_reviews: true },
      override: { by: [] },
    });
  });
});

describe("invalid policies", () => {
  it.each([
    [
      "an unknown tier",
      "risk:\n  rules:\n    - { tier: extreme, paths: [a] }\n",
      'line 3: `risk.rules[0].tier` must be one of "low", "medium", "high", "critical", but is the text "extreme"',
    ],
    ["a rule without a condition", "risk:\n  rules:\n    - tier: high\n", "line 3: `risk.rules[0]` a rule needs at least one condition"],
    ["a wrong type", "signoff:\n  approvals: two\n", 'line 2: `signoff.approvals` must be a number, but is the text "two"'],
    ["negative approvals", "signoff:\n  approvals: -1\n", "line 2: `signoff.approvals` must be at least 0"],
    [
      "an escalation after no duration",
      "signoff:\n  escalate: { after: soon, to: ['@acme/principals'] }\n",
      '`signoff.escalate.after` must be a duration such as "90m"',
    ],
    ["an unknown key", "mode: enforce\nfoo: 1\n", 'line 2: `foo` unknown key "foo"'],
    [
      "a renamed key",
      "signoff:\n  required_approvals: 2\n",
      'line 2: `signoff.required_approvals` unknown key "required_approvals": it is called signoff.approvals now',
    ],
    ["a bad reviewer", "signoff:\n  reviewers: ['@acme senior']\n", 'line 2: `signoff.reviewers[0]` must be a team ("@org/team-slug")'],
    [
      "a bad regular expression",
      "detection:\n  body_patterns: ['(unclosed']\n",
      "line 2: `detection.body_patterns[0]` is not a valid regular expression",
    ],
    ["broken YAML", "mode: [enforce\n", "YAML syntax error"],
    ["a list instead of a mapping", "- mode: enforce\n", "the policy must be a mapping of keys"],
    ["duplicate keys", "mode: enforce\nmode: report\n", "line 2: YAML syntax error: Map keys must be unique"],
  ])("%s", (_name, text, expected) => {
    const result = validatePolicyText(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map(formatProblem).join("\n")).toContain(expected);
  });

  it("reports every problem at once, in line order", () => {
    const result = validatePolicyText("mode: x\ngate: y\nsignoff:\n  approvals: -1\n");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.line)).toEqual([1, 2, 4]);
  });

  it("reports schema and regular-expression problems together", () => {
    const result = validatePolicyText("mode: x\ndetection:\n  body_patterns: ['(unclosed']\n");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.path)).toEqual(["mode", "detection.body_patterns[0]"]);
  });

  it("validates an already-parsed object without lines", () => {
    const result = validatePolicy({ mode: "x" });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatchObject({ path: "mode" });
  });
});

describe("semantic checks", () => {
  it("names unknown signal ids in detection.disable and lists the known ones", () => {
    const result = validatePolicyText("detection:\n  disable: [branch-prefix, branch-prefixes]\n");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems).toHaveLength(1);
      expect(formatProblem(result.problems[0]!)).toMatch(
        /^line 2: `detection.disable\[1\]` "branch-prefixes" is not a built-in signal; did you mean "branch-prefix"\? known ids: .*branch-prefix/,
      );
    }
  });
});
