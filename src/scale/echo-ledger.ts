// The app's own label writes come back as `labeled` / `unlabeled` webhooks. Evaluating those echoes
// reads the PR again to find what the app just wrote: the largest share of an installation sweep's
// reads. The ledger remembers each label write the app makes (per PR, label and direction) for a
// short while; a delivery whose sender is a bot and whose label change is one the ledger holds is
// the echo, and is consumed without an evaluation. A person's label change is never an echo (its
// sender is not a bot), nor is a bot's change the app did not make. With Redis the ledger is
// shared: the echo of a write made on one replica may reach another.
import type { Redis } from "ioredis";
import { TtlCache } from "../github/ttl-cache.js";

/** GitHub sends the echo within seconds; a write queued behind the throttle is recorded when it is sent. */
export const ECHO_TTL_MS = 10 * 60 * 1000;

export type LabelChange = "labeled" | "unlabeled";

export function echoKey(owner: string, repo: string, number: number, change: LabelChange, label: string): string {
  return `${owner}/${repo}#${number}:${change}:${label}`.toLowerCase();
}

export interface EchoLedger {
  /** The app is about to make this label change. */
  expect(key: string): Promise<void>;
  /** The write failed or was dropped: no echo will come. */
  forget(key: string): Promise<void>;
  /** True once for each expected change: this delivery is its echo. */
  consume(key: string): Promise<boolean>;
}

export class LocalEchoLedger implements EchoLedger {
  private readonly expected = new TtlCache<number>(ECHO_TTL_MS, 50_000);

  async expect(key: string): Promise<void> {
    this.expected.set(key, (this.expected.get(key) ?? 0) + 1);
  }

  async forget(key: string): Promise<void> {
    const n = (this.expected.get(key) ?? 0) - 1;
    if (n > 0) this.expected.set(key, n);
    else this.expected.delete(key);
  }

  async consume(key: string): Promise<boolean> {
    const n = this.expected.get(key) ?? 0;
    if (n <= 0) return false;
    await this.forget(key);
    return true;
  }
}

/** DECR only when positive, so a late echo can never drive the count below zero. */
const CONSUME = `local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n <= 0 then return 0 end
if n == 1 then redis.call('DEL', KEYS[1]) else redis.call('DECR', KEYS[1]) end
return 1`;

export class RedisEchoLedger implements EchoLedger {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private keyOf(key: string): string {
    return `${this.prefix}echo:${key}`;
  }

  async expect(key: string): Promise<void> {
    await this.redis.multi().incr(this.keyOf(key)).pexpire(this.keyOf(key), ECHO_TTL_MS).exec();
  }

  async forget(key: string): Promise<void> {
    await this.redis.eval(CONSUME, 1, this.keyOf(key));
  }

  async consume(key: string): Promise<boolean> {
    return (await this.redis.eval(CONSUME, 1, this.keyOf(key))) === 1;
  }
}
