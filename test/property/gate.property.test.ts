// Invariants of the gate over generated pull requests, policies and reviews (fast-check):
// - a gated PR never passes without enough distinct eligible approvals on its head;
// - adding an approval never turns a pass into a block; removing one never turns a block into a pass;
// - what the check says (rendered) passes a required check only when the verdict allows it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decide, planEvaluation } from "../../src/core/decide.js";
import { renderPart, renderVerdict, type CheckRunView } from "../../src/core/render.js";
import { combineHeadViews } from "../../src/core/shared-head.js";
import type { Policy } from "../../src/policy/schema.js";
import type { Actor, PullSnapshot, Review, Verdict } from "../../src/core/types.js";
import { AUTHOR, HEAD, PEOPLE, directory, policyArb, snapshotArb } from "./arbitraries.js";

/** What GitHub's branch protection reads: a required check passes when completed with success or neutral. */
const viewPasses = (view: CheckRunView) => view.status === "completed" && (view.conclusion === "success" || view.conclusion === "neutral");

const RUNS = { numRuns: 400 };

function verdictOf(snapshot: PullSnapshot, policy: Policy): Verdict {
  return decide(snapshot, policy, planEvaluation(snapshot, policy), directory());
}

const PASSING = new Set(["not-gated", "approved", "overridden"]);
/** Whether the check would let a required check pass (report mode is neutral, which passes too). */
function passes(v: Verdict): boolean {
  return v.mode === "report" || PASSING.has(v.outcome);
}

// ---- an independent oracle of who may sign off -------------------------------------------------

const AI_OR_BOT = new Set(["claude", "copilot", "openhands-agent", "coderabbitai", "copilot-swe-agent", "renovate"]);
const norm = (login: string) => login.toLowerCase().replace(/\[bot\]$/, "");

function contributors(snapshot: PullSnapshot): Set<string> {
  const logins = new Set<string>();
  for (const c of snapshot.commits) {
    for (const who of [c.author, c.committer]) if (who.account) logins.add(who.account.login.toLowerCase());
    for (const m of c.message.matchAll(/^co-authored-by:.*<\d+\+([a-z0-9-]+)@users\.noreply\.github\.com>/gim))
      logins.add(m[1]!.toLowerCase());
  }
  return logins;
}

function excluded(actor: Actor, snapshot: PullSnapshot, policy: Policy): boolean {
  if (actor.id === AUTHOR.id || norm(actor.login) === norm(AUTHOR.login)) return true;
  if (actor.type === "Bot" || /\[bot\]$/i.test(actor.login) || AI_OR_BOT.has(norm(actor.login))) return true;
  return !policy.signoff.allow_contributors && contributors(snapshot).has(actor.login.toLowerCase());
}

function matches(actor: Actor, reviewers: string[]): boolean {
  const facts = directory().get(actor.login.toLowerCase());
  return reviewers.some((spec) => {
    if (spec.startsWith("@")) return facts?.teams.get(spec.slice(1).toLowerCase()) === true && !facts.error;
    if (spec === "permission:admin") return facts?.permission === "admin";
    if (spec === "permission:maintain") return facts?.permission === "admin" || facts?.permission === "maintain";
    return spec.toLowerCase() === actor.login.toLowerCase();
  });
}

/** Per person (by id), their latest review that is not a comment or pending. */
function latestDecisive(reviews: Review[]): Map<number, Review> {
  const latest = new Map<number, Review>();
  const ordered = [...reviews].sort((a, b) => a.submittedAt.localeCompare(b.submittedAt) || a.id - b.id);
  for (const r of ordered) if (r.state !== "COMMENTED" && r.state !== "PENDING") latest.set(r.user.id ?? -1, r);
  return latest;
}

/** The people whose approval on the head counts, by the oracle. */
function eligibleApprovers(snapshot: PullSnapshot, policy: Policy, v: Verdict): Set<number> {
  const people = new Set<number>();
  for (const [id, r] of latestDecisive(snapshot.reviews)) {
    if (r.state !== "APPROVED") continue;
    if (policy.signoff.fresh_approval && r.commitId !== snapshot.headSha) continue;
    if (excluded(r.user, snapshot, policy) || !matches(r.user, v.requirement.reviewers)) continue;
    people.add(id);
  }
  return people;
}

function blockers(snapshot: PullSnapshot, policy: Policy, v: Verdict): number {
  let n = 0;
  for (const r of latestDecisive(snapshot.reviews).values()) {
    if (r.state === "CHANGES_REQUESTED" && !excluded(r.user, snapshot, policy) && matches(r.user, v.requirement.reviewers)) n++;
  }
  return n;
}

// ---- properties ----------------------------------------------------------------------------------

describe("the gate (property-based)", () => {
  it("a gated PR never passes without enough distinct eligible approvals on its head", () => {
    fc.assert(
      fc.property(snapshotArb, policyArb, (snapshot, policy) => {
        const v = verdictOf(snapshot, policy);
        const expectedApprovals = policy.signoff.tiers[v.risk.tier]?.approvals ?? policy.signoff.approvals;
        expect(v.requirement.approvals).toBe(expectedApprovals);
        if (!v.gated) {
          expect(policy.gate).toBe("ai-assisted");
          expect(v.detection.assisted).toBe(false);
          return;
        }
        if (v.outcome === "approved") {
          const approvers = eligibleApprovers(snapshot, policy, v);
          expect(approvers.size).toBeGreaterThanOrEqual(v.requirement.approvals);
          expect(blockers(snapshot, policy, v)).toBe(0);
          // Every login the verdict names as approving is one of the oracle's approvers.
          for (const login of v.approvedBy) {
            const person = PEOPLE.find((p) => p.login === login);
            expect(person && approvers.has(person.id ?? -1)).toBe(true);
          }
        }
        expect(v.outcome).not.toBe("overridden"); // no override was given
        if (v.outcome === "waiting") expect(eligibleApprovers(snapshot, policy, v).size).toBeLessThan(v.requirement.approvals);
      }),
      RUNS,
    );
  });

  it("what the check says passes a required check only when the verdict allows it", () => {
    fc.assert(
      fc.property(snapshotArb, policyArb, (snapshot, policy) => {
        const v = verdictOf(snapshot, policy);
        const view = renderVerdict(v, snapshot, { policySources: [] });
        const passing = view.status === "completed" && (view.conclusion === "success" || view.conclusion === "neutral");
        if (passing) expect(v.mode === "report" || PASSING.has(v.outcome)).toBe(true);
        if (view.conclusion === "neutral") expect(v.mode).toBe("report");
        if (v.mode === "enforce" && v.outcome === "waiting") expect(view.status).toBe("in_progress");
        if (v.mode === "enforce" && v.outcome === "changes-requested") expect(view.conclusion).toBe("failure");
      }),
      RUNS,
    );
  });

  // One check run, several pull requests: PRs sharing a head commit differ in their base branch, their
  // reviews, labels and description; the check on the commit combines what each would get alone.
  it("a check on a SHA passes only if every open PR with that head would pass alone", () => {
    const siblingArb = fc.record({
      base: fc.constantFrom("main", "release/1.0", "develop"),
      reviews: fc.subarray(PEOPLE.slice(), { maxLength: 4 }),
      state: fc.constantFrom("APPROVED", "CHANGES_REQUESTED", "COMMENTED"),
      labelled: fc.boolean(),
    });
    fc.assert(
      fc.property(snapshotArb, policyArb, fc.array(siblingArb, { minLength: 1, maxLength: 3 }), (base, policy, siblings) => {
        const parts = [
          base,
          ...siblings.map((s, i) => ({
            ...base,
            number: base.number + i + 1,
            baseRef: s.base,
            labels: s.labelled ? [...base.labels, "ai-assisted"] : base.labels,
            reviews: s.reviews.map((user, j) => ({
              id: 9000 + 10 * i + j,
              user,
              state: s.state as Review["state"],
              commitId: base.headSha,
              submittedAt: `2026-11-2${j}T10:00:00Z`,
            })),
          })),
        ].map((snapshot) => renderPart(verdictOf(snapshot, policy), snapshot, { policySources: [] }));
        const combined = combineHeadViews(parts);
        // The gate comes from the verdicts; what GitHub shows (status, conclusion) says the same.
        expect(combined.gate === "pass").toBe(parts.every((p) => p.record.gate === "pass"));
        expect(viewPasses(combined.view)).toBe(parts.every((p) => viewPasses(p.view)));
        expect(viewPasses(combined.view)).toBe(combined.gate === "pass");
        if (!viewPasses(combined.view))
          for (const p of parts.filter((x) => !viewPasses(x.view)))
            expect(combined.view.summary).toContain(`#${p.record.pr} → ${p.record.base}`);
      }),
      { numRuns: 200 },
    );
  });

  it("adding an approval never makes a passing PR block", () => {
    fc.assert(
      fc.property(snapshotArb, policyArb, fc.constantFrom(...PEOPLE), (snapshot, policy, who) => {
        const before = verdictOf(snapshot, policy);
        // A new approval is given on the current head, after every other review.
        const approval: Review = { id: 1_000_000, user: who, state: "APPROVED", commitId: HEAD, submittedAt: "2026-11-21T23:59:59Z" };
        const after = verdictOf({ ...snapshot, reviews: [...snapshot.reviews, approval] }, policy);
        if (passes(before)) expect(passes(after)).toBe(true);
        for (const login of before.approvedBy) expect(after.approvedBy).toContain(login);
      }),
      RUNS,
    );
  });

  it("removing an approval never makes a blocking PR pass", () => {
    fc.assert(
      fc.property(snapshotArb, policyArb, fc.nat(), (snapshot, policy, pick) => {
        const approvals = snapshot.reviews.filter((r) => r.state === "APPROVED");
        fc.pre(approvals.length > 0);
        const removed = approvals[pick % approvals.length]!;
        const before = verdictOf(snapshot, policy);
        const after = verdictOf({ ...snapshot, reviews: snapshot.reviews.filter((r) => r !== removed) }, policy);
        if (!passes(before)) expect(passes(after)).toBe(false);
        expect(after.approvedBy.length).toBeLessThanOrEqual(before.approvedBy.length);
      }),
      RUNS,
    );
  });

  it("an approval by the author, a bot or an AI account never changes the outcome", () => {
    const notEligible = PEOPLE.filter((p) => p.id === AUTHOR.id || p.type === "Bot" || p.login === "openhands-agent");
    fc.assert(
      fc.property(snapshotArb, policyArb, fc.constantFrom(...notEligible), (snapshot, policy, who) => {
        // Only their own, new approval is added; their earlier reviews are left out so none is replaced.
        const base = { ...snapshot, reviews: snapshot.reviews.filter((r) => r.user.id !== who.id) };
        const approval: Review = { id: 2_000_000, user: who, state: "APPROVED", commitId: HEAD, submittedAt: "2026-11-21T23:59:59Z" };
        const before = verdictOf(base, policy);
        const after = verdictOf({ ...base, reviews: [...base.reviews, approval] }, policy);
        expect(after.outcome).toBe(before.outcome);
        expect(after.approvedBy).toEqual(before.approvedBy);
      }),
      RUNS,
    );
  });

  it("generated reviews exercise every outcome (the generators are not vacuous)", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(snapshotArb, policyArb, (snapshot, policy) => {
        seen.add(verdictOf(snapshot, policy).outcome);
      }),
      { numRuns: 400, seed: 42 },
    );
    expect([...seen].sort()).toEqual(["approved", "changes-requested", "not-gated", "waiting"]);
  });
});
