// Seniors' time across replicas: the open review requests per person and the escalation board are
// shared through Redis, and one escalation sweep runs per account at a time.
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { LocalReviewLoad, RedisReviewLoad, type ReviewLoad } from "../../src/scale/review-load.js";
import {
  LocalEscalationBoard,
  RedisEscalationBoard,
  sweepEscalations,
  type EscalationBoard,
  type EscalationTarget,
} from "../../src/scale/escalation-sweep.js";
import { startRedisServer } from "../helpers/redis-server.js";

const started = await startRedisServer();
if (!started.ok) console.warn(`[seniors-redis] Redis tests SKIPPED: ${started.reason}`);
const server = started.ok ? started.server : undefined;
const clients: Redis[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
  await server?.stop();
});

async function loadScenario(a: ReviewLoad, b: ReviewLoad) {
  await a.add("acme", "acme/shop#1", ["Carol", "dave"]);
  await b.add("acme", "acme/shop#2", ["carol"]);
  await b.add("acme", "acme/shop#2", ["carol"]); // a re-evaluation: counted once
  await b.add("other", "other/x#1", ["carol"]); // another account
  expect(await a.counts("acme", ["carol", "dave", "erin"])).toEqual(
    new Map([
      ["carol", 2],
      ["dave", 1],
      ["erin", 0],
    ]),
  );
  await b.release("acme", "acme/shop#1");
  expect(await a.counts("acme", ["carol", "dave"])).toEqual(
    new Map([
      ["carol", 1],
      ["dave", 0],
    ]),
  );
}

async function boardScenario(a: EscalationBoard, b: EscalationBoard) {
  const t0 = 1_000_000_000_000;
  expect(await a.since("acme/shop#1", t0)).toBe(t0);
  expect(await b.since("acme/shop#1", t0 + 5)).toBe(t0); // the first waiting time stands
  const target: EscalationTarget = { owner: "acme", repo: "shop", number: 1 };
  await a.schedule("acme/shop#1", t0 + 100, target);
  expect(await b.due(t0 + 99, 10)).toEqual([]);
  expect(await b.due(t0 + 100, 10)).toEqual([{ key: "acme/shop#1", target }]);
  expect(await a.claim("acme", 60_000)).toBe(true);
  expect(await b.claim("acme", 60_000)).toBe(false); // another replica sweeps this account now
  await b.clear("acme/shop#1");
  expect(await a.due(t0 + 1000, 10)).toEqual([]);
  expect(await a.since("acme/shop#1", t0 + 2000)).toBe(t0 + 2000);
}

describe("open review requests per person", () => {
  it("counts each PR's request once per person and releases it when the PR stops waiting (one process)", async () => {
    const load = new LocalReviewLoad();
    await loadScenario(load, load);
  });

  it.skipIf(!server)("is the same for every replica through Redis", async () => {
    const [one, two] = [new Redis(server!.url), new Redis(server!.url)];
    clients.push(one, two);
    await one.flushall();
    await loadScenario(new RedisReviewLoad(one, "test:"), new RedisReviewLoad(two, "test:"));
  });
});

describe("the escalation board", () => {
  it("keeps the first waiting time, gives the PRs past their deadline, and one sweep per account (one process)", async () => {
    const board = new LocalEscalationBoard(() => 0);
    await boardScenario(board, board);
  });

  it.skipIf(!server)("is shared by the replicas through Redis, with one sweep per account (SET NX PX)", async () => {
    const [one, two] = [new Redis(server!.url), new Redis(server!.url)];
    clients.push(one, two);
    await one.flushall();
    await boardScenario(new RedisEscalationBoard(one, "test:"), new RedisEscalationBoard(two, "test:"));
  });

  it.skipIf(!server)("two replicas sweeping at once re-evaluate each due PR once", async () => {
    const [one, two] = [new Redis(server!.url), new Redis(server!.url)];
    clients.push(one, two);
    await one.flushall();
    const a = new RedisEscalationBoard(one, "test:");
    const b = new RedisEscalationBoard(two, "test:");
    for (let n = 1; n <= 5; n++) await a.schedule(`acme/shop#${n}`, 10, { owner: "acme", repo: "shop", number: n });
    const evaluated: number[] = [];
    const evaluate = async (t: EscalationTarget) => void evaluated.push(t.number);
    const counts = await Promise.all([
      sweepEscalations({ board: a, clock: () => 100, evaluate }),
      sweepEscalations({ board: b, clock: () => 100, evaluate }),
    ]);
    expect(evaluated.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(counts.sort()).toEqual([0, 5]);
  });
});
