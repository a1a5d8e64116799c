// Recording who was asked, after the publish (handlers/seniors.ts recordAsked), called with only what
// it uses: a plain object of the open-request records and two counters, not the app's createServices().
import pino from "pino";
import { Counter, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { decide, planEvaluation } from "../../src/core/decide.js";
import type { AskedReviewers, Verdict } from "../../src/core/types.js";
import { recordAsked, type RecordAskedDeps } from "../../src/handlers/seniors.js";
import { PolicySchema } from "../../src/policy/schema.js";
import { LocalReviewLoad } from "../../src/scale/review-load.js";
import { makeSnapshot } from "../helpers/snapshot.js";

const log = pino({ level: "silent" });
const ref = { owner: "acme", repo: "shop", number: 7 };
const key = "acme/shop#7";

function deps() {
  const registers = [new Registry()];
  return {
    seniors: { load: new LocalReviewLoad() },
    metrics: {
      escalations: new Counter({ name: "escalations", help: "escalations", registers }),
      approvalsKeptByPath: new Counter({ name: "kept_by_path", help: "approvals kept by path", registers }),
    },
  } satisfies RecordAskedDeps;
}

async function total(counter: Counter): Promise<number> {
  return (await counter.get()).values.reduce((n, v) => n + v.value, 0);
}

function verdictAsking(asked: AskedReviewers): Verdict {
  const snapshot = makeSnapshot();
  const policy = PolicySchema.parse({ signoff: { reviewers: ["@acme/seniors"] } });
  return { ...decide(snapshot, policy, planEvaluation(snapshot, policy), new Map()), asked };
}

describe("recordAsked", () => {
  it("gives each person asked one more open request, once per PR however often it is recorded", async () => {
    const d = deps();
    const verdict = verdictAsking({
      assigned: [
        { login: "Carol", why: "owns src/" },
        { login: "dave", why: "changed src/ lately" },
      ],
    });
    await recordAsked(log, d, ref, key, verdict, { check: "created", reviewRequests: 1 });
    await recordAsked(log, d, ref, key, verdict, { check: "unchanged", reviewRequests: 0 });
    expect(await d.seniors.load.counts("acme", ["carol", "dave", "erin"])).toEqual(
      new Map([
        ["carol", 1],
        ["dave", 1],
        ["erin", 0],
      ]),
    );
    expect(await total(d.metrics.escalations)).toBe(0);
  });

  it("counts an escalation only once its review request was written", async () => {
    const d = deps();
    const verdict = verdictAsking({ escalated: { to: ["@acme/leads"], note: "waited 2d for sign-off" } });
    await recordAsked(log, d, ref, key, verdict, { check: "updated", reviewRequests: 0 });
    expect(await total(d.metrics.escalations)).toBe(0);
    await recordAsked(log, d, ref, key, verdict, { check: "updated", reviewRequests: 1 });
    expect(await total(d.metrics.escalations)).toBe(1);
  });
});
