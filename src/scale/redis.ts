// The app's own Redis connection (Probot opens another for its shared throttle): coordination of
// evaluations across replicas, and the policy-cache epoch. Commands fail fast when Redis is away,
// so an event fails closed within seconds instead of hanging.
import { Redis } from "ioredis";
import type { PolicyEpochs } from "../github/policy-cache.js";
import type { SharedLabelMemory } from "../github/label-registry.js";

/** What the connection says about itself: Probot's logger and pino's both fit. */
interface RedisLog {
  error(obj: object, msg: string): void;
  info(msg: string): void;
}

export function createRedis(url: string, log: () => RedisLog | undefined = () => undefined): Redis {
  const redis = new Redis(url, {
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    maxRetriesPerRequest: 1,
    // Keep reconnecting in the background; each command waits at most one retry.
    retryStrategy: (times) => Math.min(times * 100, 2_000),
    lazyConnect: false,
  });
  let reported = false;
  redis.on("error", (err: Error) => {
    // ioredis repeats the same connection error on every retry: say it once per outage.
    if (reported) return;
    reported = true;
    log()?.error({ err }, "Redis connection error; evaluations fail closed until it is back");
  });
  redis.on("ready", () => {
    if (reported) log()?.info("Redis connection is back");
    reported = false;
  });
  return redis;
}

export class RedisPolicyEpochs implements PolicyEpochs {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async current(owner: string): Promise<string> {
    return (await this.redis.get(`${this.prefix}policy-epoch:${owner}`)) ?? "0";
  }

  async bump(owner: string): Promise<void> {
    await this.redis.incr(`${this.prefix}policy-epoch:${owner}`);
  }
}

/** Labels known to exist, and who creates a missing one, shared by the replicas (label-registry.ts). */
export class RedisLabelMemory implements SharedLabelMemory {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs = 60 * 60 * 1000,
    private readonly claimMs = 15_000,
  ) {}

  private keyOf(key: string): string {
    return `${this.prefix}label:${key}`;
  }

  async known(key: string): Promise<boolean> {
    return (await this.redis.exists(this.keyOf(key))) === 1;
  }

  async remember(key: string): Promise<void> {
    await this.redis.set(this.keyOf(key), "1", "PX", this.ttlMs);
  }

  async claim(key: string): Promise<boolean> {
    return (await this.redis.set(`${this.keyOf(key)}:creating`, "1", "PX", this.claimMs, "NX")) === "OK";
  }

  async release(key: string): Promise<void> {
    await this.redis.del(`${this.keyOf(key)}:creating`);
  }
}
