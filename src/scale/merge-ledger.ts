// Which merges have been counted already, so a redelivered pull_request.closed is not counted twice
// in countersign_merged_pull_requests_total and countersign_reverts_total. With Redis the ledger is
// shared (SET NX PX): a redelivery that reaches another replica is not counted there either.
import type { Redis } from "ioredis";
import { TtlCache } from "../github/ttl-cache.js";

/** GitHub's redeliveries (manual, or an app's own) come within days; a day bounds the ledger. */
export const MERGE_LEDGER_TTL_MS = 24 * 60 * 60 * 1000;

export interface MergeLedger {
  /** True the first time a merge key is claimed (in this deployment); false for a repeat. */
  claim(key: string): Promise<boolean>;
  /** Give a claim back: counting failed halfway, and a redelivery should count the merge. */
  release(key: string): Promise<void>;
}

export class LocalMergeLedger implements MergeLedger {
  private readonly seen = new TtlCache<boolean>(MERGE_LEDGER_TTL_MS, 50_000);

  async claim(key: string): Promise<boolean> {
    if (this.seen.get(key)) return false;
    this.seen.set(key, true);
    return true;
  }

  async release(key: string): Promise<void> {
    this.seen.delete(key);
  }
}

export class RedisMergeLedger implements MergeLedger {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async claim(key: string): Promise<boolean> {
    return (await this.redis.set(this.keyOf(key), "1", "PX", MERGE_LEDGER_TTL_MS, "NX")) === "OK";
  }

  async release(key: string): Promise<void> {
    await this.redis.del(this.keyOf(key));
  }

  private keyOf(key: string): string {
    return `${this.prefix}merged:${key}`;
  }
}
