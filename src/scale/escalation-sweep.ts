// signoff.escalate without a new event: every waiting PR with an escalation has a deadline on one
// board (a sorted set by deadline, shared through Redis); a periodic sweep re-evaluates only the PRs
// whose deadline has passed, so it costs one range read however many PRs are open. Across replicas
// one sweep runs per account at a time (SET NX PX), and the board records since when each PR waits.
import type { Redis } from "ioredis";

export interface EscalationTarget {
  owner: string;
  repo: string;
  number: number;
  installation?: number;
}

export interface EscalationBoard {
  /** Since when the PR waits for sign-off (ms): the first call for a PR sets it to `now`. */
  since(key: string, now: number): Promise<number>;
  /** The PR escalates at `dueAt` unless it stops waiting first. */
  schedule(key: string, dueAt: number, target: EscalationTarget): Promise<void>;
  /** The PR escalated already, or no longer waits: off the deadline board. */
  unschedule(key: string): Promise<void>;
  /** The PR no longer waits: forget its waiting time and deadline. */
  clear(key: string): Promise<void>;
  /** PRs whose deadline has passed, oldest first, at most `limit`. */
  due(now: number, limit: number): Promise<Array<{ key: string; target: EscalationTarget }>>;
  /** Take the sweep for an account for `ms` (across replicas); false if another replica holds it. */
  claim(account: string, ms: number): Promise<boolean>;
}

export class LocalEscalationBoard implements EscalationBoard {
  private readonly waiting = new Map<string, number>();
  private readonly deadlines = new Map<string, { dueAt: number; target: EscalationTarget }>();
  private readonly claims = new Map<string, number>();

  constructor(private readonly clock: () => number = Date.now) {}

  async since(key: string, now: number): Promise<number> {
    const at = this.waiting.get(key);
    if (at !== undefined) return at;
    this.waiting.set(key, now);
    return now;
  }

  async schedule(key: string, dueAt: number, target: EscalationTarget): Promise<void> {
    this.deadlines.set(key, { dueAt, target });
  }

  async unschedule(key: string): Promise<void> {
    this.deadlines.delete(key);
  }

  async clear(key: string): Promise<void> {
    this.waiting.delete(key);
    this.deadlines.delete(key);
  }

  async due(now: number, limit: number): Promise<Array<{ key: string; target: EscalationTarget }>> {
    return [...this.deadlines]
      .filter(([, d]) => d.dueAt <= now)
      .sort((a, b) => a[1].dueAt - b[1].dueAt)
      .slice(0, limit)
      .map(([key, d]) => ({ key, target: d.target }));
  }

  async claim(account: string, ms: number): Promise<boolean> {
    const now = this.clock();
    const until = this.claims.get(account);
    if (until !== undefined && until > now) return false;
    this.claims.set(account, now + ms);
    return true;
  }
}

export class RedisEscalationBoard implements EscalationBoard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get since_(): string {
    return `${this.prefix}{escalate}:since`;
  }
  private get deadlines(): string {
    return `${this.prefix}{escalate}:due`;
  }
  private get targets(): string {
    return `${this.prefix}{escalate}:target`;
  }

  async since(key: string, now: number): Promise<number> {
    await this.redis.hsetnx(this.since_, key, String(now));
    const at = Number(await this.redis.hget(this.since_, key));
    return Number.isFinite(at) ? at : now;
  }

  async schedule(key: string, dueAt: number, target: EscalationTarget): Promise<void> {
    await this.redis.multi().zadd(this.deadlines, dueAt, key).hset(this.targets, key, JSON.stringify(target)).exec();
  }

  async unschedule(key: string): Promise<void> {
    await this.redis.multi().zrem(this.deadlines, key).hdel(this.targets, key).exec();
  }

  async clear(key: string): Promise<void> {
    await this.redis.multi().hdel(this.since_, key).zrem(this.deadlines, key).hdel(this.targets, key).exec();
  }

  async due(now: number, limit: number): Promise<Array<{ key: string; target: EscalationTarget }>> {
    const keys = await this.redis.zrangebyscore(this.deadlines, "-inf", now, "LIMIT", 0, limit);
    if (keys.length === 0) return [];
    const raw = await this.redis.hmget(this.targets, ...keys);
    return keys.flatMap((key, i) => {
      const text = raw[i];
      return text ? [{ key, target: JSON.parse(text) as EscalationTarget }] : [];
    });
  }

  async claim(account: string, ms: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}escalate-sweep:${account.toLowerCase()}`, "1", "PX", ms, "NX")) === "OK";
  }
}

export interface SweepDeps {
  board: EscalationBoard;
  clock: () => number;
  /** Re-evaluate one PR (the evaluation escalates it and takes it off the board). */
  evaluate: (target: EscalationTarget) => Promise<void>;
  /** How long one account's sweep is held across replicas (ms). */
  holdMs?: number;
  /** At most this many PRs re-evaluated per sweep (the rest wait for the next). */
  limit?: number;
}

/** One sweep: the PRs past their deadline, one account at a time under its claim. Returns how many were re-evaluated. */
export async function sweepEscalations(deps: SweepDeps): Promise<number> {
  const now = deps.clock();
  const due = await deps.board.due(now, deps.limit ?? 200);
  const byAccount = new Map<string, Array<{ key: string; target: EscalationTarget }>>();
  for (const entry of due) {
    const account = entry.target.owner.toLowerCase();
    byAccount.set(account, [...(byAccount.get(account) ?? []), entry]);
  }
  let evaluated = 0;
  for (const [account, entries] of byAccount) {
    if (!(await deps.board.claim(account, deps.holdMs ?? 60_000))) continue;
    for (const { key, target } of entries) {
      // Off the board first: the evaluation schedules it again if it still does not escalate.
      await deps.board.unschedule(key);
      await deps.evaluate(target).catch(() => undefined);
      evaluated++;
    }
  }
  return evaluated;
}
