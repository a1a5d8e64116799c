// Write priorities across replicas, against a real redis-server started here: replicas share one
// write turn per installation, the replica whose waiting write ranks first takes it (a closing check
// write on one replica goes before label writes queued earlier on another), a replica that died is
// skipped, an unreachable Redis leaves each replica its own (still ordered) turns, and closing writes
// waiting on one replica ride with the one that takes the turn.
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RedisTurnCoordinator } from "../../src/scale/redis-turns.js";
import { WriteTurns, type WriteIntent } from "../../src/github/write-turns.js";
import { LabelRegistry } from "../../src/github/label-registry.js";
import { TtlCache } from "../../src/github/ttl-cache.js";
import { RedisLabelMemory } from "../../src/scale/redis.js";
import { startRedisServer } from "../helpers/redis-server.js";
import { until } from "../helpers/poll.js";

/** How long a write itself lasts in its turn; no assertion depends on it. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Priority classes of the scores replicas offer in Redis (write-turns.ts: class × 1e13 + arrival). */
const CLOSE = 0;
const CHECK = 1;
const LABEL = 2;

const started = await startRedisServer();
if (!started.ok) console.warn(`[write-turns-redis] SKIPPED: ${started.reason}`);
const server = started.ok ? started.server : undefined;

describe.skipIf(!server)("write turns shared through Redis", () => {
  const url = server?.url ?? "";
  let admin: Redis;
  const clients: Redis[] = [];

  beforeAll(() => {
    admin = new Redis(url);
  });
  beforeEach(async () => {
    await admin.flushall();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
  });
  afterAll(async () => {
    await admin?.quit();
    await server?.stop();
  });

  /** One replica: its own connection and its own turns, as a separate process would have. */
  function replica(spacingMs = 0, client = new Redis(url, { maxRetriesPerRequest: 1 })) {
    clients.push(client);
    const coordinator = new RedisTurnCoordinator(client, { prefix: "test:", seenTtlMs: 500 });
    const errors: unknown[] = [];
    const turns = new WriteTurns({ spacingMs, coordinator, coordinatorPollMs: 5, onCoordinatorError: (err) => errors.push(err) });
    return { turns, coordinator, errors, client };
  }

  /**
   * The priority class of the best waiting write a replica has told Redis about (in the installation's
   * queue, src/scale/redis-turns.ts), or undefined when it offers none: what the other replicas see of it.
   */
  async function offered(r: { coordinator: RedisTurnCoordinator }, installation = "4242"): Promise<number | undefined> {
    const score = await admin.zscore(`test:{turns:${installation}}:queue`, r.coordinator.replica);
    return score === null ? undefined : Math.floor(Number(score) / 1e13);
  }

  /** Wait until Redis holds these replicas' offers (a failure, not a pass, is bounded by the deadline). */
  async function untilOffered(...expected: Array<[{ coordinator: RedisTurnCoordinator }, number]>): Promise<void> {
    const ranks = () => Promise.all(expected.map(([r]) => offered(r)));
    const want = expected.map(([, rank]) => rank);
    await until(async () => (await ranks()).every((rank, i) => rank === want[i]), 10_000, 5);
    expect(await ranks()).toEqual(want);
  }

  /** Redis's own clock (the one that expires a turn), in ms. */
  async function redisMs(): Promise<number> {
    const [seconds, micros] = await admin.time();
    return Number(seconds) * 1000 + Number(micros) / 1000;
  }

  /** Acquire a turn, record its place, hold it briefly. */
  function write(turns: WriteTurns, name: string, intent: WriteIntent, order: string[], installation = "4242") {
    return turns.acquire(installation, intent).then(async (turn) => {
      order.push(name);
      turn.sent();
      await sleep(10);
      turn.end();
    });
  }

  it("one turn per installation for all replicas: two replicas' writes never overlap", async () => {
    const a = replica();
    const b = replica();
    let active = 0;
    let maxActive = 0;
    const one = (turns: WriteTurns) =>
      turns.acquire("4242", { kind: "check" }).then(async (turn) => {
        active++;
        maxActive = Math.max(maxActive, active);
        turn.sent();
        await sleep(15);
        active--;
        turn.end();
      });
    await Promise.all([one(a.turns), one(b.turns), one(a.turns), one(b.turns), one(a.turns), one(b.turns)]);
    expect(maxActive).toBe(1);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it("a closing write on one replica goes before the label writes another replica queued first", async () => {
    const a = replica();
    const b = replica();
    const order: string[] = [];
    // Replica A holds the installation's turn.
    const holder = await a.turns.acquire("4242", { kind: "check" });
    const labels = [write(b.turns, "b: label 1", { kind: "label" }, order), write(b.turns, "b: label 2", { kind: "label" }, order)];
    await untilOffered([b, LABEL]); // B is asking for the turn meanwhile
    const close = write(a.turns, "a: close", { kind: "close", target: "acme/shop@aaa" }, order);
    const check = write(b.turns, "b: check", { kind: "check", target: "acme/shop@bbb" }, order);
    await untilOffered([a, CLOSE], [b, CHECK]);
    holder.end();
    await Promise.all([...labels, close, check]);
    expect(order).toEqual(["a: close", "b: check", "b: label 1", "b: label 2"]);
  });

  it("the replica holding the turn keeps its place: a closing write it queued goes before another replica's check", async () => {
    const a = replica();
    const b = replica();
    const order: string[] = [];
    const holder = await a.turns.acquire("4242", { kind: "check" });
    const close = write(a.turns, "a: close", { kind: "close", target: "acme/shop@aaa" }, order);
    const check = write(b.turns, "b: check", { kind: "check", target: "acme/shop@bbb" }, order);
    await untilOffered([a, CLOSE], [b, CHECK]); // A offers its closing write while it holds the turn
    holder.end();
    await Promise.all([close, check]);
    expect(order).toEqual(["a: close", "b: check"]);
  });

  it("closing writes waiting on one replica ride with the one that takes the shared turn; the other replica's label goes after", async () => {
    const a = replica();
    const b = replica();
    const order: string[] = [];
    const batch = (n: number) => ({
      op: "update" as const,
      repositoryId: "R_1",
      checkRunId: `CR_${n}`,
      body: { status: "completed" as const, conclusion: "failure", output: { title: "t", summary: "s" } },
    });
    const holder = await b.turns.acquire("4242", { kind: "check" });
    const label = write(b.turns, "b: label", { kind: "label" }, order);
    await untilOffered([b, LABEL]);
    const closes = [1, 2, 3].map((n) =>
      a.turns.acquire("4242", { kind: "close", target: `acme/shop@${n}`, batch: batch(n) }).then(async (turn) => {
        if (turn.carried) {
          order.push(`a: close ${n} carried (${(await turn.carried).ok ? "written" : "not written"})`);
          return;
        }
        const riders = a.turns.takeRiders("4242", 9);
        order.push(`a: close ${n} with ${riders.length} riders`);
        turn.sent();
        await sleep(10);
        for (const rider of riders) rider.settle({ ok: true, data: { id: 1, node_id: "CR_1" } });
        turn.end();
      }),
    );
    expect(a.turns.queued("4242")).toBe(3); // all three wait on A
    await untilOffered([a, CLOSE], [b, LABEL]);
    holder.end();
    await Promise.all([label, ...closes]);
    expect(order).toEqual(["a: close 1 with 2 riders", "a: close 2 carried (written)", "a: close 3 carried (written)", "b: label"]);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
  });

  it("a turn lasts the write spacing after its write was sent, across replicas", async () => {
    const a = replica(120);
    const b = replica(120);
    // When each replica had the turn, on Redis's clock: the one that expires the turn, so the bound is exact.
    const at: number[] = [];
    const one = (turns: WriteTurns) =>
      turns.acquire("4242", { kind: "check" }).then(async (turn) => {
        at.push(await redisMs());
        turn.sent();
        turn.end();
      });
    await Promise.all([one(a.turns), one(b.turns)]);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(120);
  });

  it("skips a replica that died with a write waiting", async () => {
    const dead = new Redis(url, { maxRetriesPerRequest: 1 });
    clients.push(dead);
    await new RedisTurnCoordinator(dead, { prefix: "test:", seenTtlMs: 100 }).offer("4242", 0); // best rank, then gone
    const b = replica();
    const order: string[] = [];
    await write(b.turns, "b: label", { kind: "label" }, order);
    expect(order).toEqual(["b: label"]);
  });

  it("with Redis unreachable, a replica's writes still go out, in priority order, and the failure is reported", async () => {
    const broken = new Redis("redis://127.0.0.1:1", {
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    broken.on("error", () => {});
    const r = replica(0, broken);
    const order: string[] = [];
    const holder = await r.turns.acquire("4242", { kind: "check" });
    const writes = [
      write(r.turns, "label", { kind: "label" }, order),
      write(r.turns, "close", { kind: "close", target: "acme/shop@aaa" }, order),
    ];
    expect(await until(() => r.turns.queued("4242") === 2, 5_000)).toBe(true);
    holder.end();
    await Promise.all(writes);
    expect(order).toEqual(["close", "label"]);
    expect(r.errors.length).toBeGreaterThan(0);
  });

  it("a missing label is created once per repository, however many replicas and evaluations ask at once", async () => {
    const created: string[] = [];
    const registries = [0, 1, 2].map(() => {
      const client = new Redis(url, { maxRetriesPerRequest: 1 });
      clients.push(client);
      return new LabelRegistry(new TtlCache<boolean>(60_000), { shared: new RedisLabelMemory(client, "test:"), pollMs: 10 });
    });
    const ensure = (name: string) => async () => {
      await sleep(30); // the read and the create
      created.push(name);
    };
    await Promise.all(registries.flatMap((r) => [1, 2, 3].map(() => r.ensure("acme", "svc-01", "ai-assisted", ensure("ai-assisted")))));
    expect(created).toEqual(["ai-assisted"]);
    // Remembered: a later evaluation on any replica asks nothing.
    await registries[2]!.ensure("acme", "svc-01", "ai-assisted", ensure("again"));
    expect(created).toEqual(["ai-assisted"]);
  });
});
