// The JSON Schema that editors use and `countersign validate` must agree: the same good and bad
// policies go to both (ajv with the committed schema; validatePolicy), and they may disagree only
// in the documented cases (SCHEMA_LIMITATIONS, where the schema accepts what validate refuses).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { BUILTIN_SIGNAL_IDS } from "../../src/policy/signals.js";
import { POLICY_LIMITS, validatePolicy } from "../../src/policy/validate.js";
import { SCHEMA_FILE, SCHEMA_LIMITATIONS, type SchemaLimitation } from "../../src/policy/json-schema.js";
import { allKeyPaths } from "../../src/policy/keys.js";

const root = join(import.meta.dirname, "..", "..");
const schema = JSON.parse(readFileSync(join(root, SCHEMA_FILE), "utf8")) as object;
const ajv = new Ajv({ allErrors: true, strict: false });
const schemaAccepts = ajv.compile(schema);

interface Case {
  name: string;
  policy: unknown;
  valid: boolean;
  /** validate refuses it, the schema cannot tell: which documented limitation. */
  limitation?: SchemaLimitation;
}

const many = (n: number, make: (i: number) => unknown) => Array.from({ length: n }, (_, i) => make(i));
const firstSignal = BUILTIN_SIGNAL_IDS[0]!;

const CASES: Case[] = [
  { name: "empty", policy: {}, valid: true },
  {
    name: "the README's example",
    policy: {
      mode: "enforce",
      gate: "ai-assisted",
      detection: { disable: ["branch-prefix"], emails: ["*@agents.acme.example"], ignore_authors: ["acme-release-bot"] },
      risk: {
        components: ["services/*", "packages/*"],
        rules: [
          { tier: "critical", paths: ["infra/prod/**"], reason: "production infrastructure" },
          { tier: "high", paths: ["**/migrations/**"] },
          { tier: "critical", components: 3 },
          { tier: "critical", content: ["DROP TABLE", "force_destroy\\s*=\\s*true"] },
        ],
      },
      signoff: {
        reviewers: ["@acme/senior-engineers"],
        approvals: 1,
        tiers: { critical: { approvals: 2, reviewers: ["@acme/principal-engineers", "@acme/sre"] } },
      },
      override: { by: ["@acme/incident-commanders"] },
    },
    valid: true,
  },
  { name: "every built-in signal disabled", policy: { detection: { disable: [...BUILTIN_SIGNAL_IDS] } }, valid: true },
  {
    name: "a glob with three wildcards in a segment",
    policy: { risk: { rules: [{ tier: "high", paths: ["src/*a*b*c.ts"] }] } },
    valid: true,
  },
  { name: "extends", policy: { _extends: "acme/.github:policies/base.yml" }, valid: true },
  { name: "unknown top-level key", policy: { banana: 1 }, valid: false },
  { name: "misspelt nested key", policy: { signoff: { fresh_approvals: true } }, valid: false },
  { name: "bad mode", policy: { mode: "enforced" }, valid: false },
  { name: "approvals 0 (an exemption)", policy: { signoff: { approvals: 0 } }, valid: true },
  { name: "approvals -1", policy: { signoff: { approvals: -1 } }, valid: false },
  { name: "assign 2", policy: { signoff: { assign: 2 } }, valid: true },
  { name: "assign 0", policy: { signoff: { assign: 0 } }, valid: false },
  { name: "escalate after 24h", policy: { signoff: { escalate: { after: "24h", to: ["@acme/principals"] } } }, valid: true },
  { name: "branches as names", policy: { branches: ["main", "release/**"] }, valid: true },
  { name: "a branch written as a ref", policy: { branches: ["refs/heads/main"] }, valid: false },
  { name: "a branch in ruleset syntax", policy: { branches: ["~DEFAULT_BRANCH"] }, valid: false },
  { name: "an extglob in branches", policy: { branches: ["+(a|b)"] }, valid: false },
  {
    name: "an extglob in a group's paths",
    policy: { signoff: { require: [{ reviewers: ["@acme/a"] }, { reviewers: ["@acme/b"], paths: ["+(a|b)/**"] }] } },
    valid: false,
  },
  { name: "approvals 11", policy: { signoff: { approvals: 11 } }, valid: false },
  { name: "approvals 1.5", policy: { signoff: { approvals: 1.5 } }, valid: false },
  { name: "a reviewer that is not a team, login or permission", policy: { signoff: { reviewers: ["@acme"] } }, valid: false },
  { name: "no reviewers", policy: { signoff: { reviewers: [] } }, valid: false },
  { name: "a risk rule without a condition", policy: { risk: { rules: [{ tier: "high", reason: "why" }] } }, valid: false },
  { name: "a risk rule with an unknown tier", policy: { risk: { rules: [{ tier: "severe", paths: ["a"] }] } }, valid: false },
  { name: "an unknown signal id", policy: { detection: { disable: [`${firstSignal}-typo`] } }, valid: false },
  { name: "an extglob", policy: { risk: { rules: [{ tier: "high", paths: ["src/+(a|b)/**"] }] } }, valid: false },
  { name: "four wildcards in a segment", policy: { risk: { components: ["*a*b*c*"] } }, valid: false },
  { name: "four escaped stars (not wildcards)", policy: { risk: { components: ["\\*a\\*b\\*c\\*d"] } }, valid: true },
  { name: "four wildcards, one segment separated by an escape", policy: { risk: { components: ["*a\\x*b*c*"] } }, valid: false },
  { name: "runs that only an escape separates count once", policy: { risk: { components: ["*\\x*a*b*c"] } }, valid: true },
  { name: "four wildcards over two segments", policy: { risk: { components: ["*a*b/*c*d"] } }, valid: true },
  { name: "an empty glob", policy: { risk: { rules: [{ tier: "high", paths: [""] }] } }, valid: false },
  { name: "a label too long", policy: { labels: { ai_assisted: "x".repeat(51) } }, valid: false },
  { name: "a text too long", policy: { detection: { authors: ["x".repeat(POLICY_LIMITS.textChars + 1)] } }, valid: false },
  { name: "a list too long", policy: { detection: { authors: many(POLICY_LIMITS.listItems + 1, (i) => `user${i}`) } }, valid: false },
  {
    name: "too many rules",
    policy: { risk: { rules: many(POLICY_LIMITS.rules + 1, () => ({ tier: "low", changed_lines: 1 })) } },
    valid: false,
  },
  { name: "a list where a mapping belongs", policy: { signoff: ["@acme/seniors"] }, valid: false },
  { name: "a number where a boolean belongs", policy: { labels: { enabled: 1 } }, valid: false },
  // Where JSON Schema cannot follow (documented):
  { name: "a lookahead (not RE2)", policy: { detection: { body_patterns: ["(?=ai)"] } }, valid: false, limitation: "re2" },
  {
    name: "a backreference (not RE2)",
    policy: { risk: { rules: [{ tier: "high", content: ["(a)\\1"] }] } },
    valid: false,
    limitation: "re2",
  },
  {
    name: "too many regular expressions in all",
    policy: {
      detection: { body_patterns: many(300, (i) => `p${i}`) },
      risk: { rules: [{ tier: "high", content: many(201, (i) => `c${i}`) }] },
    },
    valid: false,
    limitation: "pattern-count",
  },
];

describe("the JSON Schema and validate agree", () => {
  it.each(CASES)("$name", ({ policy, valid, limitation }) => {
    expect(validatePolicy(policy).ok, "validatePolicy").toBe(valid);
    const accepted = schemaAccepts(policy);
    if (limitation === undefined) {
      expect(accepted, `the schema ${accepted ? "accepts" : "refuses"} it: ${JSON.stringify(schemaAccepts.errors?.slice(0, 3))}`).toBe(
        valid,
      );
    } else {
      expect(SCHEMA_LIMITATIONS[limitation]).toBeDefined();
      // Disagreement in the documented direction only, or agreement.
      expect(accepted || !valid).toBe(true);
    }
  });

  it("agree on the fixture policy files", () => {
    const dir = join(root, "test", "fixtures", "policies");
    const files = readdirSync(dir).filter((f) => f.endsWith(".yml") && f !== "syntax-error.yml");
    expect(files.length).toBeGreaterThan(2);
    for (const file of files) {
      const policy = parseYaml(readFileSync(join(dir, file), "utf8")) as unknown;
      const ours = validatePolicy(policy).ok;
      // bad-regex.yml: an RE2 case.
      if (file === "bad-regex.yml") expect([ours, schemaAccepts(policy)], file).toEqual([false, true]);
      else expect(schemaAccepts(policy), file).toBe(ours);
    }
  });

  it("lists every built-in signal id in the schema's enum, from the catalogue", () => {
    const disable = (schema as { properties: { detection: { properties: { disable: { items: { enum: string[] } } } } } }).properties
      .detection.properties.disable;
    expect(disable.items.enum).toEqual([...BUILTIN_SIGNAL_IDS]);
  });
});

describe("the JSON Schema and validate agree on generated policies", () => {
  // Leaf keys of the schema (from zod), each given values of every kind: right and wrong types,
  // bounds, enum members and non-members, empty and non-empty lists.
  const leaves = allKeyPaths().filter(
    (path) => !allKeyPaths().some((other) => other.startsWith(`${path}.`) || other.startsWith(`${path}[].`)),
  );
  const values: unknown[] = [
    true,
    false,
    0,
    1,
    2,
    11,
    1.5,
    -1,
    "",
    "x",
    "low",
    "critical",
    "enforce",
    "report",
    "all",
    "@acme/seniors",
    "permission:admin",
    "octocat",
    firstSignal,
    "src/**",
    [],
    ["x"],
    [""],
    [firstSignal],
    ["@acme/seniors"],
    ["low"],
    [1],
    {},
    { a: 1 },
    null,
  ];

  const setAt = (policy: Record<string, unknown>, path: string, value: unknown) => {
    const parts = path.split(".");
    let node: Record<string, unknown> = policy;
    parts.forEach((part, i) => {
      const list = part.endsWith("[]");
      const key = list ? part.slice(0, -2) : part;
      if (i === parts.length - 1) {
        node[key] = value;
        return;
      }
      if (list) {
        const items = (Array.isArray(node[key]) ? node[key] : (node[key] = [{ tier: "high" }])) as Record<string, unknown>[];
        node = items[0]!;
      } else {
        node = (node[key] !== null && typeof node[key] === "object" && !Array.isArray(node[key]) ? node[key] : (node[key] = {})) as Record<
          string,
          unknown
        >;
      }
    });
  };

  it("for random combinations of keys and values", () => {
    const seen = { valid: 0, invalid: 0 };
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...leaves), fc.constantFrom(...values)), { minLength: 1, maxLength: 4 }),
        (assignments) => {
          const policy: Record<string, unknown> = {};
          for (const [path, value] of assignments) setAt(policy, path, structuredClone(value));
          const ours = validatePolicy(policy).ok;
          seen[ours ? "valid" : "invalid"]++;
          const theirs = schemaAccepts(policy);
          expect(
            theirs,
            `${JSON.stringify(policy)}: validate says ${ours}, the schema ${theirs} (${JSON.stringify(schemaAccepts.errors?.slice(0, 2))})`,
          ).toBe(ours);
        },
      ),
      { numRuns: 400, seed: 13 },
    );
    // Both kinds were tried.
    expect(seen.valid).toBeGreaterThan(5);
    expect(seen.invalid).toBeGreaterThan(20);
  });
});
