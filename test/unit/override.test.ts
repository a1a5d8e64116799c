// Whether an override may apply: core decides (core/override.ts), the comment handler only reads what
// it asks for and words the answer. Each refusal is typed.
import { describe, expect, it } from "vitest";
import { mayOverride, overrideLookups } from "../../src/core/override.js";
import { validatePolicy } from "../../src/policy/validate.js";
import type { Policy } from "../../src/policy/schema.js";

function policy(by: string[]): Policy {
  const parsed = validatePolicy({ override: { by } });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.policy;
}

const carol = { login: "carol", id: 3, type: "User" };
const alice = { login: "alice", id: 1, type: "User" };
const member = new Map([["carol", { teams: new Map([["acme/incident-commanders", true]]), permission: "write" as const }]]);

describe("mayOverride", () => {
  it("allows an active member of override.by, on the head the comment was written on", () => {
    const p = policy(["@acme/incident-commanders"]);
    expect(overrideLookups(p, carol, alice)).toEqual({
      logins: ["carol"],
      lookups: { teams: ["acme/incident-commanders"], permission: false },
    });
    expect(mayOverride({ policy: p, actor: carol, author: alice, directory: member })).toEqual({ ok: true });
    expect(mayOverride({ policy: p, actor: carol, author: alice, directory: member, headMoved: { changedAfter: false } })).toEqual({
      ok: true,
    });
  });

  it.each([
    ["the policy is invalid", undefined, carol, { ok: false, reason: "invalid-policy" }],
    ["the policy allows no overrides", policy([]), carol, { ok: false, reason: "none-allowed" }],
    ["the author overrides their own PR", policy(["@acme/incident-commanders"]), alice, { ok: false, reason: "not-allowed" }],
  ])("refuses when %s, asking nothing about the commenter", (_name, p, actor, expected) => {
    expect(overrideLookups(p, actor, alice)).toBeUndefined();
    expect(mayOverride({ policy: p, actor, author: alice, directory: new Map() })).toMatchObject(expected);
  });

  it("refuses someone outside override.by, naming who may", () => {
    const p = policy(["@acme/incident-commanders"]);
    const decision = mayOverride({ policy: p, actor: { login: "dave", id: 4, type: "User" }, author: alice, directory: new Map() });
    expect(decision).toMatchObject({ ok: false, reason: "not-allowed", allowed: ["@acme/incident-commanders"] });
  });

  it("refuses an override whose head moved after the comment (stale-head), saying how and when", () => {
    const p = policy(["@acme/incident-commanders"]);
    const move = { how: "push" as const, at: "2026-11-21T12:00:00Z" };
    expect(mayOverride({ policy: p, actor: carol, author: alice, directory: member, headMoved: { changedAfter: true, move } })).toEqual({
      ok: false,
      reason: "stale-head",
      move,
    });
  });
});
