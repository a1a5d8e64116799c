// The pure parts of seniors' time: the chooser, CODEOWNERS, durations, escalation timing, exemptions.
import { describe, expect, it } from "vitest";
import { chooseAssignees, type Candidate } from "../../src/core/assign.js";
import { ownerRuleFor, parseCodeowners } from "../../src/core/codeowners.js";
import { parseDuration } from "../../src/policy/duration.js";
import { escalationState, formatWait } from "../../src/core/escalation.js";
import { exemptionOf } from "../../src/core/signoff-groups.js";
import { PolicySchema } from "../../src/policy/schema.js";

const owner = (login: string, rank: Candidate["rank"] = 0): Candidate => ({ login, rank, why: `owns x` });

describe("chooseAssignees", () => {
  const base = { count: 1, load: new Map<string, number>(), ineligible: () => undefined, askedBefore: [] as string[] };

  it("takes the owner with the fewest open requests", () => {
    const load = new Map([
      ["carol", 2],
      ["dave", 1],
    ]);
    expect(chooseAssignees({ ...base, load, candidates: [owner("carol"), owner("dave")] }).chosen.map((c) => c.login)).toEqual(["dave"]);
  });

  it("prefers a CODEOWNERS owner over a recent changer and a team member, even when busier", () => {
    const load = new Map([["carol", 3]]);
    const candidates = [owner("erin", 2), owner("dave", 1), owner("carol", 0)];
    expect(chooseAssignees({ ...base, load, candidates }).chosen.map((c) => c.login)).toEqual(["carol"]);
  });

  it("never chooses someone who may not sign off, and says why they were skipped", () => {
    const ineligible = (login: string) => (login === "carol" ? "authored or committed commits of this PR" : undefined);
    const result = chooseAssignees({ ...base, ineligible, candidates: [owner("carol"), owner("dave")] });
    expect(result.chosen.map((c) => c.login)).toEqual(["dave"]);
    expect(result.skipped).toEqual([{ login: "carol", why: "authored or committed commits of this PR" }]);
  });

  it("keeps the people asked before and adds none while they are enough", () => {
    const result = chooseAssignees({ ...base, askedBefore: ["erin"], candidates: [owner("carol")] });
    expect(result.chosen).toEqual([{ login: "erin", why: "asked earlier on this PR (0 open requests)", isNew: false }]);
  });

  it("chooses nobody when nobody may sign off", () => {
    expect(chooseAssignees({ ...base, ineligible: () => "is a bot", candidates: [owner("x[bot]")] }).chosen).toEqual([]);
  });

  it("spreads ties over people by PR, not by the alphabet", () => {
    const firsts = new Set<string>();
    for (let n = 1; n <= 20; n++) {
      const r = chooseAssignees({ ...base, tiebreak: `acme/shop#${n}`, candidates: [owner("ana"), owner("ben"), owner("chen")] });
      firsts.add(r.chosen[0]!.login);
    }
    expect(firsts.size).toBe(3);
  });
});

describe("CODEOWNERS", () => {
  const rules = parseCodeowners(
    "# comment\n*  @acme/everyone\n/infra/ @Carol\ndocs/ @dave # trailing\n*.tf @erin user@example.com\n/empty/\n",
  );

  it.each([
    ["infra/main.go", ["carol"]],
    ["infra/net.tf", ["erin"]], // the last matching rule wins
    ["src/docs/a.md", ["dave"]], // unanchored: any depth
    ["src/app.ts", ["@acme/everyone"]],
    ["empty/x", []], // a rule without owners: nobody owns it
  ])("%s is owned by %j", (path, owners) => {
    expect(ownerRuleFor(rules, path)?.owners).toEqual(owners);
  });
});

describe("durations", () => {
  it.each([
    ["90m", 90 * 60_000],
    ["24h", 24 * 3_600_000],
    ["2d", 2 * 86_400_000],
    ["1h30m", 90 * 60_000],
  ])("%s is %d ms", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["", "soon", "0m", "24", "1.5h", "-1h"])("%j is not a duration", (text) => expect(parseDuration(text)).toBeUndefined());

  it("the policy says what a duration looks like", () => {
    const result = PolicySchema.safeParse({ signoff: { escalate: { after: "a day", to: ["@acme/principals"] } } });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('must be a duration such as \\"90m\\"');
  });
});

describe("escalationState", () => {
  const policy = PolicySchema.parse({ signoff: { escalate: { after: "24h", to: ["@acme/principals"] } } });
  const waiting = { outcome: "waiting" as const, gated: true, mode: "enforce" as const };

  it("is due only once `after` has passed", () => {
    expect(escalationState(policy, waiting, 0, 24 * 3_600_000 - 1)).toEqual({ dueAt: 24 * 3_600_000 });
    expect(escalationState(policy, waiting, 0, 24 * 3_600_000).escalated?.to).toEqual(["@acme/principals"]);
  });

  it("does not apply to a PR that does not wait", () => {
    expect(escalationState(policy, { ...waiting, outcome: "approved" }, 0, 1e12)).toEqual({});
  });

  it("words the wait", () => {
    expect(formatWait(25 * 3_600_000)).toBe("1d 1h");
    expect(formatWait(90 * 60_000)).toBe("1h 30m");
    expect(formatWait(0)).toBe("0m");
  });
});

describe("exemptionOf", () => {
  it("exempts approvals: 0 and names the key", () => {
    expect(exemptionOf({ tier: "low", approvals: 0, source: "signoff.reviewers, signoff.tiers.low.approvals" })).toBe(
      "the policy exempts risk low from sign-off (signoff.tiers.low.approvals: 0)",
    );
    expect(exemptionOf({ tier: "low", approvals: 1, source: "signoff.reviewers, signoff.approvals" })).toBeUndefined();
  });

  it("exempts groups only when every applying group needs 0", () => {
    const group = (approvals: number, applies: boolean) => ({ source: "g", reviewers: ["x"], approvals, applies, why: "" });
    expect(exemptionOf({ tier: "low", approvals: 0, source: "r", groups: [group(0, true), group(1, false)] })).toBeDefined();
    expect(exemptionOf({ tier: "low", approvals: 1, source: "r", groups: [group(0, true), group(1, true)] })).toBeUndefined();
  });
});
