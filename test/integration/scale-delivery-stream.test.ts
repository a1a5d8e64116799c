// The delivery stream against a real redis-server: a delivery is handed to one consumer and
// acknowledged (and deleted) once its handler is done; what a consumer that died left pending is
// claimed by another after the idle time; a delivery handled before is acknowledged without
// running again; a full stream refuses rather than drops; a delivery that keeps killing its
// replicas is dropped after maxAttempts. Skipped, with the reason, when redis-server is missing.
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RedisDeliveryStream, StreamFull, type Delivery } from "../../src/scale/delivery-stream.js";
import { startRedisServer } from "../helpers/redis-server.js";
import { until } from "../helpers/poll.js";

const started = await startRedisServer();
if (!started.ok) console.warn(`[scale-delivery-stream] SKIPPED: ${started.reason}`);
const server = started.ok ? started.server : undefined;

/** A promise with its resolve function outside. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe.skipIf(!server)("the delivery stream through Redis", () => {
  const url = server?.url ?? "";
  let admin: Redis;
  const clients: Redis[] = [];
  const streams: RedisDeliveryStream[] = [];

  beforeAll(() => {
    admin = new Redis(url);
  });
  beforeEach(async () => {
    await admin.flushall();
  });
  afterEach(async () => {
    await Promise.all(streams.splice(0).map((s) => s.stop()));
    await Promise.all(clients.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
  });
  afterAll(async () => {
    await admin?.quit();
    await server?.stop();
  });

  function stream(options: Partial<ConstructorParameters<typeof RedisDeliveryStream>[1]> = {}) {
    const client = new Redis(url, { maxRetriesPerRequest: 1 });
    clients.push(client);
    const s = new RedisDeliveryStream(client, { prefix: "test:", blockMs: 200, ...options });
    streams.push(s);
    return s;
  }

  const delivery = (id: string): Delivery => ({
    id,
    name: "pull_request",
    payload: { action: "opened", number: Number(id.replace(/\D/g, "")) || 1 },
  });

  /** What a replica killed mid-delivery leaves: the entry read by its consumer, never acknowledged. */
  async function readByDeadReplica(key: string, group: string): Promise<string[]> {
    const answer = (await admin.xreadgroup("GROUP", group, "dead-replica", "COUNT", 100, "STREAMS", key, ">")) as Array<
      [string, Array<[string, string[]]>]
    >;
    return answer[0]![1].map(([id]) => id);
  }

  it("hands each delivery to one consumer, with its id, name and payload, and acknowledges and deletes it when done", async () => {
    const a = stream({ consumer: "a" });
    const b = stream({ consumer: "b" });
    const seen: Delivery[] = [];
    const all = deferred();
    const handler = async (d: Delivery) => {
      seen.push(d);
      if (seen.length === 20) all.resolve();
    };
    a.start(handler);
    b.start(handler);
    for (let i = 1; i <= 20; i++) await a.add(delivery(`d${i}`));
    await all.promise;
    expect(seen.map((d) => d.id).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `d${i + 1}`).sort());
    expect(seen.find((d) => d.id === "d7")).toEqual(delivery("d7"));
    // Acknowledged and deleted once the handlers are done: nothing pending, nothing left in the stream.
    await Promise.all([a, b].map((s) => Promise.all(s.handling)));
    const emptied = await until(async () => (await a.pending()) === 0, 20_000);
    expect(emptied).toBe(true);
    expect(await admin.xpending(a.key, a.group)).toEqual([0, null, null, null]);
  });

  it("claims what a replica that died left pending, after the idle time, and handles it once", async () => {
    const first = stream({ consumer: "first" });
    await first.add(delivery("d1"));
    await first.add(delivery("d2"));
    expect(await readByDeadReplica(first.key, first.group)).toHaveLength(2);

    const survivor = stream({ consumer: "survivor", minIdleMs: 200 });
    const handled: Array<{ id: string; redelivered: boolean }> = [];
    const both = deferred();
    survivor.start(async (d, attempt) => {
      handled.push({ id: d.id, redelivered: attempt.redelivered });
      if (handled.length === 2) both.resolve();
    });
    await both.promise;
    expect(handled.sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { id: "d1", redelivered: true },
      { id: "d2", redelivered: true },
    ]);
    expect(await until(async () => (await survivor.pending()) === 0, 20_000)).toBe(true);
  });

  it("acknowledges without running again a claimed delivery whose id was handled to the end already", async () => {
    const first = stream({ consumer: "first" });
    const done = deferred();
    first.start(async () => done.resolve());
    await first.add(delivery("d1"));
    await done.promise;
    await first.stop();
    expect(await until(async () => (await first.pending()) === 0, 20_000)).toBe(true);
    // The same delivery again (the replica died after its writes, before the XACK; or GitHub redelivered it) …
    await first.add(delivery("d1"));
    await readByDeadReplica(first.key, first.group);
    let ran = 0;
    const duplicate = deferred();
    const survivor = stream({ consumer: "survivor", minIdleMs: 100, onEvent: (e) => e === "duplicate" && duplicate.resolve() });
    survivor.start(async () => void ran++);
    await duplicate.promise;
    expect(await until(async () => (await survivor.pending()) === 0, 20_000)).toBe(true);
    expect(ran).toBe(0);
  });

  it("refuses a delivery when the stream is full, and drops nothing it holds", async () => {
    const s = stream({ maxLength: 2 });
    await s.add(delivery("d1"));
    await s.add(delivery("d2"));
    await expect(s.add(delivery("d3"))).rejects.toBeInstanceOf(StreamFull);
    expect(await admin.xlen(s.key)).toBe(2);
  });

  it("drops a delivery that every replica taking it died on, after maxAttempts claims", async () => {
    const s = stream({ consumer: "s", minIdleMs: 50, maxAttempts: 2 });
    await s.add(delivery("d1"));
    await readByDeadReplica(s.key, s.group);
    // It was already claimed once (attempt 1) by a replica that died too.
    const [entry] = (await admin.xrange(s.key, "-", "+")) as Array<[string, string[]]>;
    await admin.hset(`${s.key}:attempts`, entry![0], "1");
    let ran = 0;
    const dropped = deferred();
    const survivor = stream({
      consumer: "survivor",
      minIdleMs: 50,
      maxAttempts: 2,
      onEvent: (e) => e === "dropped" && dropped.resolve(),
    });
    survivor.start(async () => void ran++);
    await dropped.promise;
    expect(ran).toBe(0);
    expect(await until(async () => (await survivor.pending()) === 0, 20_000)).toBe(true);
  });
});
