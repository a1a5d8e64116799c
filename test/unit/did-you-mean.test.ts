// "did you mean" for every misspelt key: the keys come from the zod schema itself (src/policy/keys.ts),
// so a key another issue adds is covered without touching this test.
import { describe, expect, it } from "vitest";
import { allKeyPaths, allowedKeys, closestKey } from "../../src/policy/keys.js";
import { validatePolicy, validatePolicyText } from "../../src/policy/validate.js";

/** The policy object with `key` written at `path` (segments; "[]" is a list of one mapping). */
function policyWith(parents: string[], key: string): Record<string, unknown> {
  let value: Record<string, unknown> = { [key]: 1 };
  for (const segment of [...parents].reverse()) value = segment.endsWith("[]") ? { [segment.slice(0, -2)]: [value] } : { [segment]: value };
  return value;
}

/** A typo: one letter left out from the middle. */
const typo = (key: string) => key.slice(0, Math.floor(key.length / 2)) + key.slice(Math.floor(key.length / 2) + 1);

const paths = allKeyPaths();

describe("did you mean", () => {
  it("knows the schema's keys at every level", () => {
    expect(allowedKeys([])).toEqual(expect.arrayContaining(["mode", "gate", "detection", "risk", "signoff", "override", "labels"]));
    expect(allowedKeys(["risk", "rules", 0])).toEqual(expect.arrayContaining(["tier", "paths", "content"]));
    expect(allowedKeys(["signoff", "tiers", "critical"])).toEqual(expect.arrayContaining(["reviewers", "approvals"]));
    expect(paths.length).toBeGreaterThan(30);
  });

  it.each(paths.filter((path) => path.slice(path.lastIndexOf(".") + 1).length >= 4))("suggests %s for a one-letter typo", (path) => {
    const parents = path.split(".");
    const key = parents.pop()!;
    const misspelt = typo(key);
    const result = validatePolicy(policyWith(parents, misspelt));
    expect(result.ok).toBe(false);
    const messages = result.ok ? [] : result.problems.map((p) => p.message);
    expect(
      messages.find((m) => m.includes(`unknown key "${misspelt}"`)),
      messages.join("\n"),
    ).toContain(`did you mean "${key}"?`);
  });

  it("suggests the key for other case, dashes and swapped letters, and nothing for unrelated words", () => {
    const keys = allowedKeys(["signoff"]);
    expect(closestKey("Fresh-Approval", keys)).toBe("fresh_approval");
    expect(closestKey("apporvals", keys)).toBe("approvals");
    expect(closestKey("banana", keys)).toBeUndefined();
  });

  it("names where a key belongs when it is written at the wrong level", () => {
    const result = validatePolicyText("detection:\n  request_reviews: false\n");
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.problems[0]!.message).toContain("did you mean signoff.request_reviews");
  });

  it("lists the allowed keys when nothing is close", () => {
    const result = validatePolicyText("labels:\n  colour: red\n");
    expect(result.ok ? "" : result.problems[0]!.message).toBe(
      'unknown key "colour" under labels; the keys allowed here are enabled, ai_assisted, risk_prefix',
    );
  });
});
