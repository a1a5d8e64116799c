// The writes of one evaluation, through its publisher and the write queue: a check write that closes
// the gate queues first and is sent even when its evaluation is superseded; an opening one is skipped
// instead (a value, not an error); labels wait behind check writes; the recheck acknowledgement is
// dropped when writes queue.
import nock from "nock";
import { describe, expect, it } from "vitest";
import { applyLabels, requestReviews, type CheckTarget } from "../../src/github/publish.js";
import { publishVerdict } from "../../src/handlers/publish-verdict.js";
import { WriteTurns } from "../../src/github/write-turns.js";
import { LabelRegistry } from "../../src/github/label-registry.js";
import { TtlCache } from "../../src/github/ttl-cache.js";
import { API, checkView, queuedOctokit, queuedPublisher } from "../helpers/queued-octokit.js";
import { until } from "../helpers/poll.js";

const target: CheckTarget = { owner: "acme", repo: "shop", headSha: "a".repeat(40), name: "Countersign" };
const octokit = () => queuedOctokit();
const view = checkView;
const passing = { id: 11, view: view("completed", "success") };

describe("one evaluation's writes in the queue", () => {
  it("a closing check write is sent although its evaluation was superseded; an opening one is dropped", async () => {
    const turns = new WriteTurns(0);
    const gh = octokit();
    const sent: string[] = [];
    nock(API)
      .post("/repos/acme/shop/check-runs", (b: { status: string }) => (sent.push(b.status), true))
      .reply(201, { id: 12 });
    const superseded = async () => true;

    const closing = await queuedPublisher(gh, turns, { guard: superseded }).writeCheck(target, view("in_progress"), passing);
    expect(closing).toMatchObject({ sent: true, value: { write: "created" } });
    const opening = queuedPublisher(gh, turns, { guard: superseded });
    expect(await opening.writeCheck(target, view("completed", "success"), { id: 12, view: view("in_progress") })).toEqual({
      sent: false,
      why: "superseded",
    });
    expect(opening.superseded).toBe(true);
    // Once superseded, the evaluation's later writes are skipped, but never a closing one.
    nock(API)
      .patch("/repos/acme/shop/check-runs/13", (b: { conclusion: string }) => (sent.push(b.conclusion), true))
      .reply(200, { id: 13 });
    expect(await opening.comment({ owner: "acme", repo: "shop", number: 7 }, "late")).toEqual({ sent: false, why: "superseded" });
    expect(await opening.writeCheck(target, view("completed", "failure"), { id: 13, view: view("completed", "success") })).toMatchObject({
      sent: true,
      value: { write: "updated" },
    });
    expect(sent).toEqual(["in_progress", "failure"]);
  });

  it("a closing check write queued behind label writes of other PRs reaches GitHub first", async () => {
    const turns = new WriteTurns(0);
    const gh = queuedPublisher(octokit(), turns);
    const order: string[] = [];
    nock(API)
      .post(/\/repos\/acme\/other\/issues\/\d+\/labels/)
      .times(3)
      .reply(200, (uri) => (order.push(`label ${uri.split("/")[5]}`), []));
    nock(API)
      .patch("/repos/acme/shop/check-runs/11")
      .reply(200, () => (order.push("close"), { id: 11 }));
    const holder = await turns.acquire("4242", { kind: "check" });
    const labels = [1, 2, 3].map((n) => gh.addLabels({ owner: "acme", repo: "other", number: n }, ["risk:low"]));
    const close = gh.writeCheck(target, view("completed", "failure"), passing);
    expect(await until(() => turns.queued("4242") === 4, 5_000)).toBe(true);
    expect(turns.backlog()).toMatchObject({ close: 1, label: 3 });
    holder.end();
    await Promise.all([...labels, close]);
    expect(order).toEqual(["close", "label 1", "label 2", "label 3"]);
  });

  it("skips the recheck acknowledgement when 3 or more writes wait, and sends it otherwise", async () => {
    const turns = new WriteTurns(0);
    const gh = queuedPublisher(octokit(), turns);
    const reactions: string[] = [];
    nock(API)
      .post("/repos/acme/shop/issues/comments/5/reactions", (b: { content: string }) => (reactions.push(b.content), true))
      .reply(201, {});
    nock(API)
      .post(/\/repos\/acme\/other\/issues\/\d+\/labels/)
      .times(3)
      .reply(200, []);
    const holder = await turns.acquire("4242", { kind: "check" });
    const labels = [1, 2, 3].map((n) => gh.addLabels({ owner: "acme", repo: "other", number: n }, ["x"]));
    expect(await until(() => turns.queued("4242") === 3, 5_000)).toBe(true);
    expect(await gh.acknowledge("acme", "shop", 5)).toEqual({ sent: false, why: "dropped" });
    holder.end();
    await Promise.all(labels);
    expect(await gh.acknowledge("acme", "shop", 5)).toEqual({ sent: true, value: undefined });
    expect(reactions).toEqual(["eyes"]);
  });
});

describe("a write the queue skipped is not an HTTP error", () => {
  const ref = { owner: "acme", repo: "shop", number: 7 };
  const names = { aiAssisted: "ai-assisted", riskPrefix: "risk:" };

  it("a superseded label write or review request is neither a write nor a 'Could not …' sentence; an HTTP error still is one", async () => {
    const turns = new WriteTurns(0);
    const gh = octokit();
    nock(API).get("/repos/acme/shop/labels/risk%3Alow").reply(200, { name: "risk:low" });
    const superseded = queuedPublisher(gh, turns, { guard: async () => true });
    expect(await applyLabels(superseded, ref, { add: ["risk:low"], remove: ["risk:high"], notes: [] }, names)).toEqual({
      errors: [],
      writes: 0,
    });
    expect(await requestReviews(superseded, ref, { users: ["carol"], teams: [] })).toEqual({ errors: [], writes: 0 });

    nock(API).get("/repos/acme/shop/labels/risk%3Alow").reply(200, { name: "risk:low" });
    nock(API).post("/repos/acme/shop/issues/7/labels").reply(403, { message: "Resource not accessible by integration" });
    const labels = await applyLabels(queuedPublisher(gh, turns), ref, { add: ["risk:low"], remove: [], notes: [] }, names);
    expect(labels.writes).toBe(0);
    expect(labels.errors).toEqual([expect.stringMatching(/^Could not add the label\(s\) `risk:low` \(GitHub answered 403/)]);
  });

  it("an evaluation superseded after its check write leaves its labels to the follow-up: no failure sentence, no second check write", async () => {
    const turns = new WriteTurns(0);
    const gh = octokit();
    const checkWrites: string[] = [];
    nock(API)
      .patch("/repos/acme/shop/check-runs/11", (b: { conclusion?: string }) => (checkWrites.push(b.conclusion ?? "none"), true))
      .reply(200, { id: 11 });
    nock(API).get("/repos/acme/shop/labels/risk%3Alow").reply(200, { name: "risk:low" });
    // The guard lets the check write go, then says a newer event for the PR is queued.
    let asked = 0;
    const publisher = queuedPublisher(gh, turns, { guard: async () => asked++ > 0, pr: "acme/shop#7" });
    const sentences: string[][] = [];
    const passed = view("completed", "success");
    const published = await publishVerdict(gh, publisher, {
      ref,
      target,
      existing: { id: 11, view: view("in_progress") },
      snapshot: {} as never,
      policy: { signoff: { request_reviews: false }, labels: { ai_assisted: "ai-assisted", risk_prefix: "risk:" } } as never,
      verdict: { labels: { add: ["risk:low"], remove: [] } } as never,
      viewFor: (errors) => {
        sentences.push(errors);
        return { view: errors.length > 0 ? view("completed", "failure") : passed, gate: errors.length > 0 ? "fail" : "pass" } as never;
      },
    });
    expect(publisher.superseded).toBe(true);
    expect(published).toMatchObject({ check: "updated", labelWrites: 0, reviewRequests: 0 });
    expect(sentences).toEqual([[]]);
    expect(checkWrites).toEqual(["success"]);
  });
});

describe("a label created once per repository", () => {
  it("when the evaluation creating it was superseded, another one waiting on that creation creates it itself", async () => {
    const turns = new WriteTurns(0);
    const gh = octokit();
    const registry = new LabelRegistry(new TtlCache<boolean>(60_000));
    const names = { aiAssisted: "ai-assisted", riskPrefix: "risk:" };
    const created: string[] = [];
    nock(API).get("/repos/acme/shop/labels/risk%3Alow").times(2).reply(404, { message: "Not Found" });
    nock(API)
      .post("/repos/acme/shop/labels", (b: { name: string }) => (created.push(b.name), true))
      .reply(201, {});
    const superseded = queuedPublisher(gh, turns, { guard: async () => true });
    const current = queuedPublisher(gh, turns);
    const [first, second] = await Promise.all([
      superseded.ensureLabel("acme", "shop", "risk:low", names, registry),
      current.ensureLabel("acme", "shop", "risk:low", names, registry),
    ]);
    expect(first).toEqual({ sent: false, why: "superseded" });
    expect(second).toEqual({ sent: true, value: undefined });
    expect(created).toEqual(["risk:low"]);
  });
});
