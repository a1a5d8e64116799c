// Write turns: per installation, one write at a time, each turn lasting the write spacing after it
// was sent; a write's guard is asked when its turn comes, so a superseded write never goes out.
import { describe, expect, it } from "vitest";
import nock from "nock";
import { WriteTurns } from "../../src/github/write-turns.js";
import { API, queuedOctokit, queuedPublisher } from "../helpers/queued-octokit.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("WriteTurns", () => {
  it("gives one installation's writes their turns in order, each lasting the spacing after it was sent", async () => {
    const turns = new WriteTurns(40);
    const sent: number[] = [];
    const start = performance.now();
    await Promise.all(
      [0, 1, 2].map(async () => {
        const turn = await turns.acquire("4242");
        sent.push(performance.now() - start);
        turn.sent();
        await sleep(5); // the write itself
        turn.end();
      }),
    );
    expect(sent[0]).toBeLessThan(20);
    expect(sent[1]! - sent[0]!).toBeGreaterThanOrEqual(38);
    expect(sent[2]! - sent[1]!).toBeGreaterThanOrEqual(38);
    expect(turns.busy).toBe(1); // the last turn lasts its spacing
    await sleep(60);
    expect(turns.busy).toBe(0);
  });

  it("ends a turn at once when its write was dropped before it was sent", async () => {
    const turns = new WriteTurns(1_000);
    const first = await turns.acquire("4242");
    first.end(); // dropped: never sent
    const started = performance.now();
    const second = await turns.acquire("4242");
    expect(performance.now() - started).toBeLessThan(50);
    second.end();
  });

  it("does not make installations wait for each other", async () => {
    const turns = new WriteTurns(1_000);
    const a = await turns.acquire("1");
    a.sent();
    const started = performance.now();
    const b = await turns.acquire("2");
    expect(performance.now() - started).toBeLessThan(50);
    b.sent();
  });

  it("with a spacing of 0, a turn ends when the write completes", async () => {
    const turns = new WriteTurns(0);
    const a = await turns.acquire("1");
    a.sent();
    let second = false;
    const b = turns.acquire("1").then((t) => ((second = true), t));
    await sleep(5);
    expect(second).toBe(false);
    a.end();
    (await b).end();
    expect(second).toBe(true);
  });

  it("an evaluation's guard applies to the writes of its publisher, and only to those", async () => {
    const turns = new WriteTurns(0);
    const gh = queuedOctokit();
    const sent: string[] = [];
    nock(API)
      .post("/repos/acme/shop/issues/7/comments", (b: { body: string }) => (sent.push(b.body), true))
      .reply(201, {});
    const guarded = queuedPublisher(gh, turns, { guard: async () => true });
    const other = queuedPublisher(gh, turns);
    expect(await guarded.comment({ owner: "acme", repo: "shop", number: 7 }, "superseded")).toEqual({ sent: false, why: "superseded" });
    expect(await other.comment({ owner: "acme", repo: "shop", number: 7 }, "sent")).toEqual({ sent: true, value: undefined });
    expect(guarded.superseded).toBe(true);
    expect(other.superseded).toBe(false);
    expect(sent).toEqual(["sent"]);
  });
});
