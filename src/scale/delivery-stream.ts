// Where a verified webhook delivery waits between its 2xx and the end of its handlers, so that
// nothing the app accepted is lost with the replica that accepted it (docs/scaling.md, "The
// delivery path"). With Redis: a stream with a consumer group. The delivery is XADDed before the
// answer; every replica reads from the group (XREADGROUP), hands the delivery to the app and
// XACKs (and XDELs) it once the handlers are done; what a dead replica left pending is claimed by
// another one with XAUTOCLAIM after `minIdleMs`. A replica that is alive keeps its deliveries'
// idle time low while it works on them (XCLAIM … JUSTID), so a long one (an installation sweep) is
// never taken from a living replica. Without Redis (one process) the same interface runs in memory:
// the delivery is handled at once, as Probot does, and the reconciliation on start covers a crash.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Redis } from "ioredis";

export interface Delivery {
  id: string;
  name: string;
  payload: unknown;
}

/** Handle one delivery; resolves (or rejects) once its handlers' writes are done. */
export type DeliveryHandler = (delivery: Delivery, attempt: { redelivered: boolean }) => Promise<void>;

/** The stream holds as many deliveries as it may: the delivery is refused (503) rather than accepted and dropped. */
export class StreamFull extends Error {
  override name = "StreamFull";
}

export interface DeliveryStream {
  readonly kind: "redis" | "memory";
  /** Store a verified delivery. Redis: resolves once it is in the stream. Memory: once it is handled. */
  add(delivery: Delivery): Promise<void>;
  /** Start handing deliveries to `handler` (the first call only). */
  start(handler: DeliveryHandler): void;
  /** Stop taking deliveries; those being handled go on (their handler promises are the caller's to wait for). */
  stop(): Promise<void>;
  /** Deliveries accepted and not yet done (with Redis: across the deployment). */
  pending(): Promise<number>;
}

/** One process: the delivery is handled as it is added; a crash loses it, and the reconciliation on start makes up for it. */
export class LocalDeliveryStream implements DeliveryStream {
  readonly kind = "memory" as const;
  private handler: DeliveryHandler | undefined;
  private active = 0;
  private stopped = false;

  start(handler: DeliveryHandler): void {
    this.handler ??= handler;
  }

  async add(delivery: Delivery): Promise<void> {
    if (!this.handler || this.stopped) throw new StreamFull("not taking deliveries");
    this.active++;
    try {
      await this.handler(delivery, { redelivered: false });
    } finally {
      this.active--;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  async pending(): Promise<number> {
    return this.active;
  }
}

export interface RedisStreamOptions {
  /** Key prefix (the app's namespace, as the other Redis keys). */
  prefix: string;
  /** This replica's consumer name (default: host, pid and a random suffix). */
  consumer?: string;
  /** A pending delivery idle this long belongs to a replica presumed dead and is claimed. */
  minIdleMs?: number;
  /** At most this many deliveries in the stream (accepted, not yet done): beyond it a delivery is refused. */
  maxLength?: number;
  /** Deliveries handled at once by this replica. */
  concurrency?: number;
  /** A delivery claimed this many times (it keeps killing its replica) is dropped, and said so. */
  maxAttempts?: number;
  /** How long one XREADGROUP blocks. */
  blockMs?: number;
  log?: () => StreamLog | undefined;
  onEvent?: (event: "claimed" | "dropped" | "duplicate") => void;
}

export interface StreamLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

type Entry = [id: string, fields: string[] | null];

/** How long a done delivery id is remembered, so a redelivered entry is acknowledged without running again. */
const DONE_TTL_MS = 24 * 60 * 60 * 1000;

export class RedisDeliveryStream implements DeliveryStream {
  readonly kind = "redis" as const;
  readonly key: string;
  readonly group = "countersign";
  readonly consumer: string;
  private readonly minIdleMs: number;
  private readonly maxLength: number;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly blockMs: number;
  private reader: Redis | undefined;
  private handler: DeliveryHandler | undefined;
  private running = false;
  private readonly active = new Map<string, Promise<void>>();
  private timers: NodeJS.Timeout[] = [];
  private groupReady: Promise<void> | undefined;
  private loopDone: Promise<void> | undefined;
  private wakeLoop: (() => void) | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisStreamOptions,
  ) {
    this.key = `${options.prefix}deliveries`;
    this.consumer = options.consumer ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.minIdleMs = options.minIdleMs ?? 60_000;
    this.maxLength = options.maxLength ?? 10_000;
    this.concurrency = options.concurrency ?? 32;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.blockMs = options.blockMs ?? 1_000;
  }

  private ensureGroup(): Promise<void> {
    this.groupReady ??= this.redis.xgroup("CREATE", this.key, this.group, "0", "MKSTREAM").then(
      () => undefined,
      (err: Error) => {
        if (String(err.message).includes("BUSYGROUP")) return;
        this.groupReady = undefined;
        throw err;
      },
    );
    return this.groupReady;
  }

  async add(delivery: Delivery): Promise<void> {
    await this.ensureGroup();
    // Never trimmed by length: a trim could drop a delivery nobody handled. A full stream refuses instead.
    if ((await this.redis.xlen(this.key)) >= this.maxLength) throw new StreamFull(`the delivery stream holds ${this.maxLength} deliveries`);
    await this.redis.xadd(this.key, "*", "id", delivery.id, "name", delivery.name, "payload", JSON.stringify(delivery.payload));
  }

  start(handler: DeliveryHandler): void {
    if (this.handler) return;
    this.handler = handler;
    this.running = true;
    // Blocking reads get a connection of their own, so they never hold up the app's other commands.
    this.reader = this.redis.duplicate({ commandTimeout: this.blockMs + 5_000 });
    this.reader.on("error", () => undefined);
    this.loopDone = this.readLoop();
    const claimEvery = Math.max(250, Math.floor(this.minIdleMs / 2));
    const touchEvery = Math.max(100, Math.floor(this.minIdleMs / 3));
    this.timers.push(
      setInterval(() => void this.claimAbandoned().catch((err) => this.warn(err, "could not claim abandoned deliveries")), claimEvery),
    );
    this.timers.push(
      setInterval(() => void this.touch().catch((err) => this.warn(err, "could not renew the claim on deliveries")), touchEvery),
    );
    for (const t of this.timers) t.unref();
    // Whatever a replica that died before this one started left behind.
    void this.claimAbandoned().catch((err) => this.warn(err, "could not claim abandoned deliveries"));
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.wakeLoop?.();
    this.reader?.disconnect();
    await this.loopDone?.catch(() => undefined);
    // The deliveries being handled go on; one not acknowledged when the process ends stays pending and is claimed elsewhere.
  }

  async pending(): Promise<number> {
    return this.redis.xlen(this.key);
  }

  /** Ids being handled on this replica now (tests, and the idle-time renewal). */
  get handling(): string[] {
    return [...this.active.keys()];
  }

  private async readLoop(): Promise<void> {
    while (this.running) {
      const free = this.concurrency - this.active.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.wakeLoop = resolve));
        continue;
      }
      let answer: unknown;
      try {
        await this.ensureGroup();
        answer = await this.reader!.xreadgroup(
          "GROUP",
          this.group,
          this.consumer,
          "COUNT",
          free,
          "BLOCK",
          this.blockMs,
          "STREAMS",
          this.key,
          ">",
        );
      } catch (err) {
        if (!this.running) return;
        if (String((err as Error).message).includes("NOGROUP")) this.groupReady = undefined;
        this.warn(err, "could not read the delivery stream; trying again");
        await new Promise((r) => setTimeout(r, 1_000).unref());
        continue;
      }
      const streams = answer as Array<[string, Entry[]]> | null;
      for (const [, entries] of streams ?? []) for (const entry of entries) this.dispatch(entry, false);
    }
  }

  /** XAUTOCLAIM what idled past minIdleMs: its replica died (or lost Redis for that long). */
  async claimAbandoned(): Promise<number> {
    if (!this.running) return 0;
    await this.ensureGroup();
    let cursor = "0-0";
    let claimed = 0;
    do {
      const free = this.concurrency - this.active.size;
      if (free <= 0) break;
      const [next, entries, deleted] = (await this.redis.xautoclaim(
        this.key,
        this.group,
        this.consumer,
        this.minIdleMs,
        cursor,
        "COUNT",
        free,
      )) as [string, Entry[], string[]?];
      cursor = next;
      for (const id of deleted ?? []) await this.redis.xack(this.key, this.group, id);
      for (const entry of entries) {
        if (!entry[1]) {
          await this.redis.xack(this.key, this.group, entry[0]);
          continue;
        }
        claimed++;
        this.options.onEvent?.("claimed");
        this.dispatch(entry, true);
      }
    } while (cursor !== "0-0" && this.running);
    return claimed;
  }

  /** Keep the deliveries this replica works on from looking abandoned. */
  private async touch(): Promise<void> {
    const ids = [...this.active.keys()];
    if (ids.length === 0) return;
    await this.redis.xclaim(this.key, this.group, this.consumer, 0, ...ids, "JUSTID");
  }

  private dispatch([entryId, fields]: Entry, redelivered: boolean): void {
    if (this.active.has(entryId) || !fields) return;
    const work = this.handle(entryId, fields, redelivered)
      .catch((err) => this.warn(err, "could not acknowledge a delivery; it stays pending and is claimed again"))
      .finally(() => {
        this.active.delete(entryId);
        const wake = this.wakeLoop;
        this.wakeLoop = undefined;
        wake?.();
      });
    this.active.set(entryId, work);
  }

  private async handle(entryId: string, fields: string[], redelivered: boolean): Promise<void> {
    const field = (name: string) => {
      const i = fields.indexOf(name);
      return i >= 0 && i % 2 === 0 ? fields[i + 1] : undefined;
    };
    const id = field("id") ?? entryId;
    const name = field("name") ?? "";
    const doneKey = `${this.key}:done:${id}`;
    if (redelivered) {
      // Handled already (the replica died between its writes and the XACK): acknowledge only.
      if ((await this.redis.exists(doneKey)) === 1) {
        this.options.onEvent?.("duplicate");
        await this.finish(entryId);
        return;
      }
      const attempts = await this.redis.hincrby(`${this.key}:attempts`, entryId, 1);
      if (attempts >= this.maxAttempts) {
        this.options.onEvent?.("dropped");
        this.options
          .log?.()
          ?.error(
            { delivery: id, event: name, attempts },
            "a delivery was claimed again after every replica that took it died; dropped (re-run its check, or /countersign recheck)",
          );
        await this.finish(entryId);
        return;
      }
    }
    let payload: unknown;
    try {
      payload = JSON.parse(field("payload") ?? "null");
    } catch {
      this.options.log?.()?.error({ delivery: id, event: name }, "a delivery in the stream is not JSON; dropped");
      await this.finish(entryId);
      return;
    }
    try {
      await this.handler!({ id, name, payload }, { redelivered });
    } catch {
      // The handlers failed after writing what they could (an evaluation fails closed, and is retried by the app):
      // running the delivery again would not do better.
    }
    await this.redis.set(doneKey, "1", "PX", DONE_TTL_MS);
    await this.finish(entryId);
  }

  private async finish(entryId: string): Promise<void> {
    await this.redis.multi().xack(this.key, this.group, entryId).xdel(this.key, entryId).hdel(`${this.key}:attempts`, entryId).exec();
  }

  private warn(err: unknown, msg: string): void {
    if (this.running) this.options.log?.()?.warn({ err }, msg);
  }
}
