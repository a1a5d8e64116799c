// The sign-off rules of DESIGN.md, one table row each.
import { describe, expect, it } from "vitest";
import { decide, latestDecisiveReviews, needsLabelHistory, planEvaluation } from "../../src/core/decide.js";
import { matchSpecs, requirementFor } from "../../src/core/eligibility.js";
import { PolicySchema, type PolicyInput } from "../../src/policy/schema.js";
import type { Actor, LabelEvent, PullSnapshot, Review, ReviewerDirectory, ReviewerFacts } from "../../src/core/types.js";
import { makeCommit, makeIdentity, makeSnapshot } from "../helpers/snapshot.js";

const HEAD = "a".repeat(40);
const OLD = "b".repeat(40);
const AI_COMMIT = makeCommit({ message: "Fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>" });

const user = (login: string, id: number, type = "User"): Actor => ({ login, id, type });
const BOB = user("bob", 2);
const CAROL = user("carol", 3);
const DAVE = user("dave", 4);

let nextId = 1;
function rev(who: Actor, state: Review["state"], o: { commitId?: string; at?: string } = {}): Review {
  return {
    id: nextId++,
    user: who,
    state,
    commitId: o.commitId ?? HEAD,
    submittedAt: o.at ?? `2026-11-21T10:00:${String(nextId % 60).padStart(2, "0")}Z`,
  };
}

function facts(o: {
  teams?: Record<string, boolean | undefined>;
  permission?: ReviewerFacts["permission"];
  error?: string;
}): ReviewerFacts {
  return {
    teams: new Map(Object.entries(o.teams ?? {})),
    ...(o.permission ? { permission: o.permission } : {}),
    ...(o.error ? { error: o.error } : {}),
  };
}

function run(snapshot: PullSnapshot, input: PolicyInput = {}, directory: ReviewerDirectory = new Map()) {
  const policy = PolicySchema.parse(input);
  const plan = planEvaluation(snapshot, policy);
  return { plan, verdict: decide(snapshot, policy, plan, directory) };
}

const seniors = { signoff: { reviewers: ["@acme/seniors"] } } satisfies PolicyInput;
const seniorDir = (...logins: string[]): ReviewerDirectory => new Map(logins.map((l) => [l, facts({ teams: { "acme/seniors": true } })]));

describe("gating", () => {
  it.each([
    ["no AI evidence, gate ai-assisted", [], "ai-assisted", "not-gated", false],
    ["no AI evidence, gate all", [], "all", "waiting", true],
    ["AI evidence, gate ai-assisted", [AI_COMMIT], "ai-assisted", "waiting", true],
  ] as const)("%s → %s", (_name, commits, gate, outcome, gated) => {
    const { verdict } = run(makeSnapshot({ commits: [...commits] }), { gate });
    expect(verdict.outcome).toBe(outcome);
    expect(verdict.gated).toBe(gated);
  });
});

describe("whose review counts", () => {
  const snapshot = (reviews: Review[], extra: Partial<PullSnapshot> = {}) => makeSnapshot({ commits: [AI_COMMIT], reviews, ...extra });

  it.each<[string, Review[], ReviewerDirectory, string, string[]]>([
    ["an active senior's approval on the head", [rev(BOB, "APPROVED")], seniorDir("bob"), "approved", ["bob"]],
    ["an approval on an older commit (fresh_approval)", [rev(BOB, "APPROVED", { commitId: OLD })], seniorDir("bob"), "waiting", []],
    ["a dismissed approval", [rev(BOB, "APPROVED"), rev(BOB, "DISMISSED")], seniorDir("bob"), "waiting", []],
    [
      "a comment after an approval keeps the approval",
      [rev(BOB, "APPROVED"), rev(BOB, "COMMENTED")],
      seniorDir("bob"),
      "approved",
      ["bob"],
    ],
    [
      "an approval after changes requested replaces them",
      [rev(BOB, "CHANGES_REQUESTED"), rev(BOB, "APPROVED")],
      seniorDir("bob"),
      "approved",
      ["bob"],
    ],
    [
      "changes requested after an approval block",
      [rev(BOB, "APPROVED"), rev(BOB, "CHANGES_REQUESTED")],
      seniorDir("bob"),
      "changes-requested",
      [],
    ],
    ["a pending team member", [rev(BOB, "APPROVED")], new Map([["bob", facts({ teams: { "acme/seniors": false } })]]), "waiting", []],
    [
      "membership that could not be checked",
      [rev(BOB, "APPROVED")],
      new Map([["bob", facts({ teams: { "acme/seniors": undefined }, error: "403" })]]),
      "waiting",
      [],
    ],
    ["someone never looked up", [rev(BOB, "APPROVED")], new Map(), "waiting", []],
    ["the PR author", [rev(user("alice", 1), "APPROVED")], seniorDir("alice"), "waiting", []],
    ["the PR author under another login case", [rev(user("ALICE", 1), "APPROVED")], seniorDir("alice"), "waiting", []],
    ["a bot", [rev(user("helper[bot]", 9, "Bot"), "APPROVED")], seniorDir("helper[bot]"), "waiting", []],
    ["an AI identity", [rev(user("claude", 209825114), "APPROVED")], seniorDir("claude"), "waiting", []],
    [
      "a non-senior requesting changes does not block",
      [rev(CAROL, "CHANGES_REQUESTED"), rev(BOB, "APPROVED")],
      seniorDir("bob"),
      "approved",
      ["bob"],
    ],
  ])("%s", (_name, reviews, directory, outcome, approvedBy) => {
    const { verdict } = run(snapshot(reviews), seniors, directory);
    expect(verdict.outcome).toBe(outcome);
    expect(verdict.approvedBy).toEqual(approvedBy);
  });

  it("does not count a senior who committed to the PR, unless allow_contributors", () => {
    const bobsCommit = makeCommit({ message: "tweak", author: makeIdentity("Bob", "bob@acme.test", BOB) });
    const s = makeSnapshot({ commits: [AI_COMMIT, bobsCommit], reviews: [rev(BOB, "APPROVED")] });
    const strict = run(s, seniors, seniorDir("bob")).verdict;
    expect(strict.outcome).toBe("waiting");
    expect(strict.reviews[0]?.reason).toContain("authored or committed");
    const relaxed = run(s, { signoff: { reviewers: ["@acme/seniors"], allow_contributors: true } }, seniorDir("bob")).verdict;
    expect(relaxed.outcome).toBe("approved");
  });

  it("counts an older approval when fresh_approval is off", () => {
    const s = snapshot([rev(BOB, "APPROVED", { commitId: OLD })]);
    expect(run(s, { signoff: { reviewers: ["@acme/seniors"], fresh_approval: false } }, seniorDir("bob")).verdict.outcome).toBe("approved");
  });

  it("needs N distinct people for N approvals", () => {
    const twice = snapshot([rev(BOB, "APPROVED"), rev(BOB, "APPROVED")]);
    const policy = { signoff: { reviewers: ["@acme/seniors"], approvals: 2 } };
    expect(run(twice, policy, seniorDir("bob")).verdict.outcome).toBe("waiting");
    const two = snapshot([rev(BOB, "APPROVED"), rev(DAVE, "APPROVED")]);
    expect(run(two, policy, seniorDir("bob", "dave")).verdict.approvedBy).toEqual(["bob", "dave"]);
  });

  it.each<[string, ReviewerFacts["permission"], string, boolean]>([
    ["maintain satisfies permission:maintain", "maintain", "permission:maintain", true],
    ["admin satisfies permission:maintain", "admin", "permission:maintain", true],
    ["write does not satisfy permission:maintain", "write", "permission:maintain", false],
    ["maintain does not satisfy permission:admin", "maintain", "permission:admin", false],
  ])("%s", (_name, permission, spec, eligible) => {
    const directory: ReviewerDirectory = new Map([["bob", facts({ ...(permission ? { permission } : {}) })]]);
    expect(matchSpecs("bob", [spec], directory).eligible).toBe(eligible);
  });

  it("matches a listed login case-insensitively, with no lookup", () => {
    expect(matchSpecs("Bob", ["bob"], new Map()).eligible).toBe(true);
  });
});

describe("the requirement by tier", () => {
  const policy = PolicySchema.parse({
    signoff: {
      reviewers: ["@acme/seniors"],
      approvals: 1,
      tiers: { critical: { approvals: 2, reviewers: ["@acme/principals", "@acme/sre"] }, high: { approvals: 2 } },
    },
  });
  it.each([
    ["low", ["@acme/seniors"], 1, "signoff.reviewers, signoff.approvals"],
    ["high", ["@acme/seniors"], 2, "signoff.reviewers, signoff.tiers.high.approvals"],
    ["critical", ["@acme/principals", "@acme/sre"], 2, "signoff.tiers.critical.reviewers, signoff.tiers.critical.approvals"],
  ] as const)("%s", (tier, reviewers, approvals, source) => {
    expect(requirementFor(tier, policy)).toEqual({ tier, reviewers, approvals, source });
  });
});

describe("the ai-assisted label as memory", () => {
  const removal = (actor: Actor): LabelEvent[] => [
    { action: "labeled", label: "ai-assisted", actor: user("countersign[bot]", 50, "Bot"), at: "2026-11-20T00:00:00Z" },
    { action: "unlabeled", label: "ai-assisted", actor, at: "2026-11-21T00:00:00Z" },
  ];

  it("keeps a PR gated while the label is on, with no other evidence", () => {
    const { verdict } = run(makeSnapshot({ labels: ["ai-assisted"] }));
    expect(verdict.gated).toBe(true);
    expect(verdict.memoryNotes.join()).toContain("keeps this PR gated");
  });

  it("puts the label back when someone who may not sign off removed it", () => {
    const { verdict, plan } = run(
      makeSnapshot({ labelEvents: removal(CAROL) }),
      seniors,
      new Map([["carol", facts({ teams: { "acme/seniors": false } })]]),
    );
    expect(plan.lookupLogins).toEqual(["carol"]);
    expect(verdict.gated).toBe(true);
    expect(verdict.labels.add).toContain("ai-assisted");
    expect(verdict.memoryNotes[0]).toContain("@carol removed the `ai-assisted` label");
  });

  it("puts the label back when the PR author removed it, even a senior one", () => {
    const { verdict } = run(makeSnapshot({ labelEvents: removal(user("alice", 1)) }), seniors, seniorDir("alice"));
    expect(verdict.gated).toBe(true);
    expect(verdict.memoryNotes[0]).toContain("is the PR author");
  });

  it("accepts removal by a designated reviewer and records it", () => {
    const { verdict } = run(makeSnapshot({ labelEvents: removal(BOB) }), seniors, seniorDir("bob"));
    expect(verdict.gated).toBe(false);
    expect(verdict.labels.add).not.toContain("ai-assisted");
    expect(verdict.memoryNotes[0]).toContain("accepted");
  });

  it("gates again when current evidence finds AI after an accepted removal", () => {
    const { verdict } = run(makeSnapshot({ commits: [AI_COMMIT], labelEvents: removal(BOB) }), seniors, seniorDir("bob"));
    expect(verdict.gated).toBe(true);
    expect(verdict.labels.add).toContain("ai-assisted");
  });

  it("reads the label history only when the label is missing and nothing else finds AI", () => {
    const policy = PolicySchema.parse({});
    expect(needsLabelHistory(makeSnapshot(), policy)).toBe(true);
    expect(needsLabelHistory(makeSnapshot({ labels: ["ai-assisted"] }), policy)).toBe(false);
    expect(needsLabelHistory(makeSnapshot({ commits: [AI_COMMIT] }), policy)).toBe(false);
    expect(needsLabelHistory(makeSnapshot(), PolicySchema.parse({ labels: { enabled: false } }))).toBe(false);
  });
});

describe("labels", () => {
  it.each([
    ["adds the tier label and the AI label", [], [AI_COMMIT], ["ai-assisted", "risk:low"], []],
    ["swaps a stale tier label", ["risk:high", "ai-assisted"], [AI_COMMIT], ["risk:low"], ["risk:high"]],
    ["writes nothing when labels are right", ["risk:low", "ai-assisted"], [AI_COMMIT], [], []],
    ["labels risk on a PR that is not gated", [], [], ["risk:low"], []],
  ])("%s", (_name, labels, commits, add, remove) => {
    const { verdict } = run(makeSnapshot({ labels, commits }));
    expect(verdict.labels.add).toEqual(add);
    expect(verdict.labels.remove).toEqual(remove);
  });

  it("writes no labels when labels are disabled", () => {
    const { verdict } = run(makeSnapshot({ commits: [AI_COMMIT], labels: ["risk:high"] }), { labels: { enabled: false } });
    expect(verdict.labels).toEqual({ add: [], remove: [], notes: [] });
  });
});

describe("override and report mode", () => {
  it("an override on the head passes; on another commit it does not", () => {
    const on = makeSnapshot({ commits: [AI_COMMIT], override: { by: "ic", reason: "outage", sha: HEAD, at: "now" } });
    expect(run(on).verdict.outcome).toBe("overridden");
    const old = makeSnapshot({ commits: [AI_COMMIT], override: { by: "ic", reason: "outage", sha: OLD, at: "now" } });
    expect(run(old).verdict.outcome).toBe("waiting");
  });

  it("report mode keeps the outcome enforce would reach", () => {
    const { verdict } = run(makeSnapshot({ commits: [AI_COMMIT] }), { mode: "report" });
    expect(verdict).toMatchObject({ mode: "report", outcome: "waiting" });
  });
});

describe("latestDecisiveReviews", () => {
  it("orders by time, keeps the last non-comment per person, ignores pending", () => {
    const reviews = [
      rev(BOB, "APPROVED", { at: "2026-11-21T10:00:02Z" }),
      rev(BOB, "CHANGES_REQUESTED", { at: "2026-11-21T10:00:01Z" }),
      rev(CAROL, "COMMENTED", { at: "2026-11-21T10:00:03Z" }),
      rev(DAVE, "PENDING", { at: "2026-11-21T10:00:04Z" }),
    ];
    const { decisive, commentOnly } = latestDecisiveReviews(reviews);
    expect(decisive.map((r) => [r.user.login, r.state])).toEqual([["bob", "APPROVED"]]);
    expect(commentOnly.map((r) => r.user.login)).toEqual(["carol"]);
  });
});
