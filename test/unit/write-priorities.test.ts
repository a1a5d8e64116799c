// The order of an installation's writes: a check write that closes the gate goes before every other
// waiting write, an opening write never goes before a closing one for the same commit, a closing
// write is never dropped, optional writes are skipped when the queue is long, labels cannot starve.
import nock from "nock";
import { describe, expect, it } from "vitest";
import { DroppedWrite, SupersededWrite, WriteTurns, type WriteIntent } from "../../src/github/write-turns.js";
import { API, queuedOctokit, queuedPublisher } from "../helpers/queued-octokit.js";
import { until } from "../helpers/poll.js";
import { closesGate, passes } from "../../src/github/publish.js";
import type { CheckRunView } from "../../src/core/render.js";

/** The next turn of the event loop: a write in flight lets the others run. */
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Queue writes while a first write holds the turn; returns the order in which they got their turns. */
async function orderOf(turns: WriteTurns, intents: Array<[string, WriteIntent]>, installation = "4242") {
  const first = await turns.acquire(installation, { kind: "check" });
  const order: string[] = [];
  const rejected: string[] = [];
  const all = intents.map(([name, intent]) =>
    turns.acquire(installation, intent).then(
      async (turn) => {
        order.push(name);
        turn.sent();
        await tick(); // the write itself
        turn.end();
      },
      (err: unknown) => void rejected.push(`${name}: ${(err as Error).name}`),
    ),
  );
  // Every write waits for its turn (or was refused) before the first one ends.
  expect(await until(() => turns.queued(installation) + rejected.length === intents.length, 5_000)).toBe(true);
  first.sent();
  first.end();
  await Promise.all(all);
  return { order, rejected };
}

describe("write priorities", () => {
  it("a closing check write queued behind label writes, review requests and other checks goes first", async () => {
    const turns = new WriteTurns(0);
    const { order } = await orderOf(turns, [
      ["label 1", { kind: "label" }],
      ["review", { kind: "review" }],
      ["check of another PR", { kind: "check", target: "acme/shop@bbb" }],
      ["label 2", { kind: "label" }],
      ["close", { kind: "close", target: "acme/shop@aaa" }],
      ["reaction", { kind: "reaction" }],
    ]);
    expect(order).toEqual(["close", "check of another PR", "label 1", "review", "label 2", "reaction"]);
  });

  it("closing writes of several PRs keep their order of arrival among themselves", async () => {
    const turns = new WriteTurns(0);
    const { order } = await orderOf(turns, [
      ["label", { kind: "label" }],
      ["close a", { kind: "close", target: "acme/shop@aaa" }],
      ["close b", { kind: "close", target: "acme/shop@bbb" }],
    ]);
    expect(order).toEqual(["close a", "close b", "label"]);
  });

  it("an opening write queued after a closing one for the same commit never overtakes it", async () => {
    const turns = new WriteTurns(0);
    const { order } = await orderOf(turns, [
      ["close", { kind: "close", target: "acme/shop@aaa" }],
      ["open", { kind: "check", target: "acme/shop@aaa" }],
    ]);
    expect(order).toEqual(["close", "open"]);
  });

  it("an opening write that was waiting when a closing one for the same commit arrives is dropped: it cannot land after it", async () => {
    const turns = new WriteTurns(0);
    const { order, rejected } = await orderOf(turns, [
      ["open", { kind: "check", target: "acme/shop@aaa" }],
      ["open elsewhere", { kind: "check", target: "acme/shop@bbb" }],
      ["close", { kind: "close", target: "acme/shop@aaa" }],
    ]);
    expect(order).toEqual(["close", "open elsewhere"]);
    expect(rejected).toEqual(["open: SupersededWrite"]);
  });

  it("drops a superseded write while it waits, but never a closing one", async () => {
    const turns = new WriteTurns({ spacingMs: 0, guardPollMs: 10 });
    const holder = await turns.acquire("4242", { kind: "check" });
    const superseded = async () => true;
    const label = turns.acquire("4242", { kind: "label" }, superseded);
    const close = turns.acquire("4242", { kind: "close", target: "acme/shop@aaa" }, superseded);
    await expect(label).rejects.toBeInstanceOf(SupersededWrite);
    expect(turns.queued("4242")).toBe(1); // the closing write still waits
    holder.end();
    const turn = await close;
    turn.end();
  });

  it("the follow-up's check write takes the place a superseded check write of the same PR left, so yielding never costs a PR its turn", async () => {
    const turns = new WriteTurns({ spacingMs: 0, guardPollMs: 10 });
    const holder = await turns.acquire("4242", { kind: "check" });
    let supersededA = false;
    const order: string[] = [];
    const queue = (name: string, intent: WriteIntent, guard?: () => Promise<boolean>) =>
      turns.acquire("4242", intent, guard).then(
        (t) => {
          order.push(name);
          t.end();
        },
        (err: unknown) => void order.push(`${name}: ${(err as Error).name}`),
      );
    const a1 = queue("a, first run", { kind: "check", pr: "acme/shop#1" }, async () => supersededA);
    const b = queue("b", { kind: "check", pr: "acme/shop#2" });
    supersededA = true; // a newer event for PR 1 arrived: its first run's write leaves the queue
    await a1;
    const a2 = queue("a, follow-up", { kind: "check", pr: "acme/shop#1" });
    holder.end();
    await Promise.all([a2, b]);
    expect(order).toEqual(["a, first run: SupersededWrite", "a, follow-up", "b"]);
  });

  it("skips an optional write (a command's 👀) when enough writes wait, and queues it last otherwise", async () => {
    const turns = new WriteTurns(0);
    const holder = await turns.acquire("4242", { kind: "check" });
    const waiting = [turns.acquire("4242", { kind: "label" }), turns.acquire("4242", { kind: "label" })];
    await expect(turns.acquire("4242", { kind: "reaction", dropWhenQueued: 2 })).rejects.toBeInstanceOf(DroppedWrite);
    const ack = turns.acquire("4242", { kind: "reaction", dropWhenQueued: 3 });
    expect(turns.backlog()).toMatchObject({ label: 2, reaction: 1, close: 0, check: 0 });
    holder.end();
    for (const w of waiting) (await w).end();
    (await ack).end();
    expect(turns.backlog()).toMatchObject({ label: 0, reaction: 0 });
  });

  it("a label write that waited long ranks with check writes (so labels cannot starve), never with closing ones", async () => {
    let now = 0;
    const turns = new WriteTurns({ spacingMs: 0, promoteAfterMs: 30_000 }, () => now);
    const holder = await turns.acquire("4242", { kind: "check" });
    const order: string[] = [];
    const queue = (name: string, intent: WriteIntent) =>
      turns.acquire("4242", intent).then((t) => {
        order.push(name);
        t.end();
      });
    const old = queue("old label", { kind: "label" });
    now = 31_000;
    const rest = [queue("check", { kind: "check", target: "acme/shop@bbb" }), queue("close", { kind: "close", target: "acme/shop@aaa" })];
    holder.end();
    await Promise.all([old, ...rest]);
    expect(order).toEqual(["close", "old label", "check"]);
  });

  it("each of the publisher's writes queues as what it is: check, label (create, add, remove), review, other, reaction", async () => {
    const turns = new WriteTurns(0);
    const publisher = queuedPublisher(queuedOctokit(), turns);
    const ref = { owner: "acme", repo: "shop", number: 7 };
    nock(API).post("/repos/acme/shop/check-runs").reply(201, { id: 12 });
    nock(API).get("/repos/acme/shop/labels/risk%3Alow").reply(404, { message: "Not Found" });
    nock(API).post("/repos/acme/shop/labels").reply(201, {});
    nock(API).post("/repos/acme/shop/issues/7/labels").reply(200, []);
    nock(API).delete("/repos/acme/shop/issues/7/labels/risk%3Ahigh").reply(200, []);
    nock(API).post("/repos/acme/shop/pulls/7/requested_reviewers").reply(201, {});
    nock(API).post("/repos/acme/shop/issues/7/comments").reply(201, {});
    nock(API).post("/repos/acme/shop/issues/comments/5/reactions").reply(201, {});
    const holder = await turns.acquire("4242", { kind: "check" });
    const target = { owner: "acme", repo: "shop", headSha: "a".repeat(40), name: "Countersign" };
    const writes = [
      // First, while the queue is short: an acknowledgement is dropped when 3 writes wait.
      publisher.acknowledge("acme", "shop", 5),
      publisher.writeCheck(target, view("in_progress"), undefined),
      publisher.ensureLabel("acme", "shop", "risk:low", { aiAssisted: "ai-assisted", riskPrefix: "risk:" }),
      publisher.addLabels(ref, ["risk:low"]),
      publisher.removeLabel(ref, "risk:high"),
      publisher.requestReviewers(ref, { users: ["carol"], teams: [] }),
      publisher.comment(ref, "hello"),
    ];
    expect(await until(() => turns.queued("4242") === 7, 5_000)).toBe(true);
    expect(turns.backlog()).toEqual({ close: 0, check: 1, label: 3, review: 1, other: 1, reaction: 1 });
    holder.end();
    expect((await Promise.all(writes)).every((w) => w.sent)).toBe(true);
  });
});

const view = (status: CheckRunView["status"], conclusion?: CheckRunView["conclusion"]): CheckRunView => ({
  status,
  ...(conclusion ? { conclusion } : {}),
  title: "t",
  summary: "s",
  text: "",
});

describe("which check write closes the gate", () => {
  it.each([
    ["success → waiting (an approval dismissed)", view("completed", "success"), view("in_progress"), true],
    ["success → failure (changes requested)", view("completed", "success"), view("completed", "failure"), true],
    ["neutral (report mode) → failure", view("completed", "neutral"), view("completed", "failure"), true],
    ["waiting → success (opens)", view("in_progress"), view("completed", "success"), false],
    ["waiting → failure (already closed)", view("in_progress"), view("completed", "failure"), false],
    ["success → success (a new summary)", view("completed", "success"), view("completed", "success"), false],
    ["nothing there → waiting (a new head: the missing check blocks already)", undefined, view("in_progress"), false],
    ["nothing there → failure (a new head with changes requested: blocks already)", undefined, view("completed", "failure"), false],
  ])("%s", (_name, existing, next, closes) => {
    expect(closesGate(next, existing ? { id: 1, view: existing } : undefined)).toBe(closes);
  });

  it("a fail-closed failure written without reading what is there closes the gate", () => {
    expect(closesGate(view("completed", "failure"), undefined, true)).toBe(true);
    expect(closesGate(view("completed", "success"), undefined, true)).toBe(false);
  });

  it("counts success and neutral as passing, as a required check does", () => {
    expect(passes(view("completed", "success"))).toBe(true);
    expect(passes(view("completed", "neutral"))).toBe(true);
    expect(passes(view("completed", "failure"))).toBe(false);
    expect(passes(view("in_progress"))).toBe(false);
    expect(passes(undefined)).toBe(false);
  });
});

describe("countersign_backlog_writes", () => {
  it("shows the writes waiting for their turn, by kind, at each scrape", async () => {
    const { Metrics } = await import("../../src/metrics/metrics.js");
    const metrics = new Metrics();
    const turns = new WriteTurns(0);
    metrics.observeBacklog(() => turns.backlog());
    const holder = await turns.acquire("4242", { kind: "check" });
    const waiting = [
      turns.acquire("4242", { kind: "close", target: "acme/shop@aaa" }),
      turns.acquire("4242", { kind: "label" }),
      turns.acquire("4242", { kind: "label" }),
    ];
    const { body } = await metrics.render();
    expect(body).toContain('countersign_backlog_writes{kind="close"} 1');
    expect(body).toContain('countersign_backlog_writes{kind="label"} 2');
    expect(body).toContain('countersign_backlog_writes{kind="check"} 0');
    holder.end();
    for (const w of waiting) (await w).end();
    expect((await metrics.render()).body).toContain('countersign_backlog_writes{kind="label"} 0');
  });
});

describe("closing writes riding together", () => {
  const batch = (n: number) => ({
    op: "update" as const,
    repositoryId: "R_1",
    checkRunId: `CR_${n}`,
    body: { status: "completed" as const, output: { title: "t", summary: "s" } },
  });

  it("the turn holder takes the other waiting closing writes GraphQL can make, first come first, up to the limit; the rest keep waiting", async () => {
    const turns = new WriteTurns(0);
    const holder = await turns.acquire("4242", { kind: "close", target: "acme/shop@aaa", batch: batch(1) });
    const waiting = [
      turns.acquire("4242", { kind: "label" }),
      turns.acquire("4242", { kind: "close", target: "acme/shop@bbb", batch: batch(2) }),
      turns.acquire("4242", { kind: "close", target: "acme/shop@ccc" }),
      turns.acquire("4242", { kind: "check", target: "acme/shop@ddd", batch: batch(4) }),
      turns.acquire("4242", { kind: "close", target: "acme/shop@eee", batch: batch(5) }),
      turns.acquire("4242", { kind: "close", target: "acme/shop@fff", batch: batch(6) }),
    ];
    expect(await until(() => turns.queued("4242") === 6, 5_000)).toBe(true);
    const riders = turns.takeRiders("4242", 2);
    expect(riders.map((r) => (r.write.op === "update" ? r.write.checkRunId : ""))).toEqual(["CR_2", "CR_5"]);
    // Only a closing write with a GraphQL form rides; the others, and the one over the limit, still wait.
    expect(turns.backlog()).toMatchObject({ close: 2, check: 1, label: 1 });
    expect(turns.takeRiders("other-installation", 5)).toEqual([]);

    riders.forEach((r) => r.settle({ ok: true, data: { id: 1, node_id: "CR_1" } }));
    const carried = await waiting[1]!;
    expect(await carried.carried).toEqual({ ok: true, data: { id: 1, node_id: "CR_1" } });
    holder.end();
    const next = await Promise.race([waiting[2]!, waiting[5]!]);
    expect(next.carried).toBeUndefined();
    next.end();
  });

  it("after a batch failed, nobody rides for that installation for a while", async () => {
    let now = 0;
    const turns = new WriteTurns({ spacingMs: 0 }, () => now);
    const holder = await turns.acquire("4242", { kind: "close", batch: batch(1) });
    void turns.acquire("4242", { kind: "close", batch: batch(2) });
    expect(await until(() => turns.queued("4242") === 1, 5_000)).toBe(true);
    turns.batchFailed("4242");
    expect(turns.takeRiders("4242", 9)).toEqual([]);
    now += 10 * 60_000 + 1;
    expect(turns.takeRiders("4242", 9)).toHaveLength(1);
    holder.end();
  });
});
