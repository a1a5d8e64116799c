// Which pull requests wait for sign-off now, by tier, for the countersign_waiting_pull_requests
// gauge. With Redis every replica reads the same board (one sorted set per tier, scored by when the
// PR was last found waiting), so the gauge is the deployment's count, not one replica's.
import type { Redis } from "ioredis";
import { RISK_TIERS, type RiskTier } from "../policy/schema.js";
import { WAITING_TTL_MS } from "./pull-gate.js";

export interface WaitingBoard {
  /** The PR waits for sign-off at this tier (moves it from any other tier). */
  mark(key: string, tier: RiskTier, at: number): Promise<void>;
  /** The PR no longer waits: signed off, not gated, closed. */
  clear(key: string): Promise<void>;
  /** PRs waiting now per tier; an entry not seen waiting for WAITING_TTL_MS is forgotten (a PR closed while the app was away). */
  counts(now: number): Promise<Record<RiskTier, number>>;
}

const zero = (): Record<RiskTier, number> => ({ low: 0, medium: 0, high: 0, critical: 0 });

export class LocalWaitingBoard implements WaitingBoard {
  private readonly entries = new Map<string, { tier: RiskTier; at: number }>();

  async mark(key: string, tier: RiskTier, at: number): Promise<void> {
    this.entries.set(key, { tier, at });
  }

  async clear(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async counts(now: number): Promise<Record<RiskTier, number>> {
    const counts = zero();
    for (const [key, entry] of this.entries) {
      if (now - entry.at > WAITING_TTL_MS) this.entries.delete(key);
      else counts[entry.tier]++;
    }
    return counts;
  }
}

/** Remove the PR from every tier, then add it to one. KEYS: the tier sets, the target last. ARGV: member, score. */
const MARK = `
for i = 1, #KEYS - 1 do redis.call('ZREM', KEYS[i], ARGV[1]) end
redis.call('ZADD', KEYS[#KEYS], ARGV[2], ARGV[1])
return 1`;

export class RedisWaitingBoard implements WaitingBoard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  // One hash tag for the board: the script touches every tier set, which must share a Cluster slot.
  private tierKey(tier: RiskTier): string {
    return `${this.prefix}{waiting}:${tier}`;
  }

  async mark(key: string, tier: RiskTier, at: number): Promise<void> {
    const others = RISK_TIERS.filter((t) => t !== tier).map((t) => this.tierKey(t));
    await this.redis.eval(MARK, others.length + 1, ...others, this.tierKey(tier), key, at);
  }

  async clear(key: string): Promise<void> {
    await Promise.all(RISK_TIERS.map((t) => this.redis.zrem(this.tierKey(t), key)));
  }

  async counts(now: number): Promise<Record<RiskTier, number>> {
    const counts = zero();
    const since = now - WAITING_TTL_MS;
    await Promise.all(
      RISK_TIERS.map(async (tier) => {
        await this.redis.zremrangebyscore(this.tierKey(tier), "-inf", `(${since}`);
        counts[tier] = await this.redis.zcard(this.tierKey(tier));
      }),
    );
    return counts;
  }
}
