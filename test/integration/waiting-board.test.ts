// countersign_waiting_pull_requests: the board of PRs waiting for sign-off, per tier, shared by replicas through Redis.
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { LocalWaitingBoard, RedisWaitingBoard, type WaitingBoard } from "../../src/scale/waiting-board.js";
import { WAITING_TTL_MS } from "../../src/scale/pull-gate.js";
import { Metrics } from "../../src/metrics/metrics.js";
import { startRedisServer } from "../helpers/redis-server.js";

const started = await startRedisServer();
if (!started.ok) console.warn(`[waiting-board] Redis tests SKIPPED: ${started.reason}`);
const server = started.ok ? started.server : undefined;
const clients: Redis[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
  await server?.stop();
});

async function scenario(a: WaitingBoard, b: WaitingBoard) {
  const now = 1_000_000_000_000;
  await a.mark("acme/shop#1", "low", now);
  await b.mark("acme/shop#2", "critical", now);
  await b.mark("acme/shop#1", "high", now + 1); // the tier moved: counted once, at the new tier
  await a.mark("acme/shop#3", "low", now - WAITING_TTL_MS - 1); // not seen waiting for too long
  expect(await a.counts(now)).toEqual({ low: 0, medium: 0, high: 1, critical: 1 });
  await a.clear("acme/shop#2");
  expect(await b.counts(now)).toEqual({ low: 0, medium: 0, high: 1, critical: 0 });
}

describe("the waiting board", () => {
  it("counts each waiting PR once, at its latest tier, and forgets cleared and long-unseen ones (one process)", async () => {
    const board = new LocalWaitingBoard();
    await scenario(board, board);
  });

  it.skipIf(!server)("gives every replica the deployment's count through Redis", async () => {
    const [one, two] = [new Redis(server!.url), new Redis(server!.url)];
    clients.push(one, two);
    await one.flushall();
    await scenario(new RedisWaitingBoard(one, "test:"), new RedisWaitingBoard(two, "test:"));
  });

  it("is what GET /metrics reports", async () => {
    const metrics = new Metrics();
    const board = new LocalWaitingBoard();
    metrics.watchWaiting((now) => board.counts(now));
    await board.mark("acme/shop#9", "medium", Date.now());
    const { body } = await metrics.render();
    expect(body).toContain('countersign_waiting_pull_requests{tier="medium"} 1');
    expect(body).toContain('countersign_waiting_pull_requests{tier="low"} 0');
  });
});
