// Write turns: per installation, one write at a time, each turn lasting the write spacing after it
// was sent; a write's guard is asked when its turn comes, so a superseded write never goes out.
// Time is the subject here, so the clock is vitest's: a turn's spacing is exact, and "at once" means
// without the clock moving at all.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import nock from "nock";
import { WriteTurns, type Turn } from "../../src/github/write-turns.js";
import { API, queuedOctokit, queuedPublisher } from "../helpers/queued-octokit.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A turn asked for now: whether it was granted yet, and the turn once it is. */
function ask(turns: WriteTurns, installation: string) {
  const asked = { granted: false, turn: undefined as Promise<Turn> | undefined };
  asked.turn = turns.acquire(installation).then((turn) => ((asked.granted = true), turn));
  return asked as { granted: boolean; turn: Promise<Turn> };
}

describe("WriteTurns", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "performance", "Date"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("gives one installation's writes their turns in order, each lasting the spacing after it was sent", async () => {
    const turns = new WriteTurns(40);
    const sent: number[] = [];
    const start = performance.now();
    const all = Promise.all(
      [0, 1, 2].map(async () => {
        const turn = await turns.acquire("4242");
        sent.push(performance.now() - start);
        turn.sent();
        await sleep(5); // the write itself
        turn.end();
      }),
    );
    await vi.advanceTimersByTimeAsync(85); // the last write is sent at 80 and done at 85
    await all;
    expect(sent).toEqual([0, 40, 80]);
    expect(turns.busy).toBe(1); // the last turn lasts its spacing
    await vi.advanceTimersByTimeAsync(34);
    expect(turns.busy).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(turns.busy).toBe(0);
  });

  it("ends a turn at once when its write was dropped before it was sent", async () => {
    const turns = new WriteTurns(1_000);
    const first = await turns.acquire("4242");
    first.end(); // dropped: never sent
    const second = ask(turns, "4242");
    await vi.advanceTimersByTimeAsync(0); // promises settle; the clock does not move
    expect(second.granted).toBe(true);
    (await second.turn).end();
  });

  it("does not make installations wait for each other", async () => {
    const turns = new WriteTurns(1_000);
    const a = await turns.acquire("1");
    a.sent();
    const b = ask(turns, "2");
    await vi.advanceTimersByTimeAsync(0);
    expect(b.granted).toBe(true);
    (await b.turn).sent();
    // Installation 1's turn still lasts: its next write waits the whole spacing.
    const again = ask(turns, "1");
    await vi.advanceTimersByTimeAsync(999);
    expect(again.granted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(again.granted).toBe(true);
  });

  it("with a spacing of 0, a turn ends when the write completes", async () => {
    const turns = new WriteTurns(0);
    const a = await turns.acquire("1");
    a.sent();
    const b = ask(turns, "1");
    await vi.advanceTimersByTimeAsync(60_000); // however long the write takes
    expect(b.granted).toBe(false);
    a.end();
    (await b.turn).end();
    expect(b.granted).toBe(true);
  });
});

describe("WriteTurns with publishers", () => {
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
