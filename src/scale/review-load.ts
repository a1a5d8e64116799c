// How many open Countersign review requests each person has across the installation (account), for
// signoff.assign's "fewest open requests first". A request is open from the evaluation that asked
// until the PR stops waiting (signed off, not gated, closed). With Redis every replica shares one
// board per account: a set of PR keys per person, and per PR the people it asked.
import type { Redis } from "ioredis";

export interface ReviewLoad {
  /** Open requests per lower-case login (0 for people with none). */
  counts(account: string, logins: string[]): Promise<Map<string, number>>;
  /** The PR asked these people (idempotent). */
  add(account: string, pr: string, logins: string[]): Promise<void>;
  /** The PR no longer waits: its requests are no longer open. */
  release(account: string, pr: string): Promise<void>;
}

const lower = (s: string) => s.toLowerCase();

export class LocalReviewLoad implements ReviewLoad {
  private readonly byPerson = new Map<string, Set<string>>();
  private readonly byPull = new Map<string, Set<string>>();

  async counts(account: string, logins: string[]): Promise<Map<string, number>> {
    return new Map(logins.map((l) => [lower(l), this.byPerson.get(`${lower(account)}:${lower(l)}`)?.size ?? 0]));
  }

  async add(account: string, pr: string, logins: string[]): Promise<void> {
    const asked = this.byPull.get(pr) ?? new Set<string>();
    this.byPull.set(pr, asked);
    for (const login of logins.map(lower)) {
      const key = `${lower(account)}:${login}`;
      asked.add(key);
      const set = this.byPerson.get(key) ?? new Set<string>();
      set.add(pr);
      this.byPerson.set(key, set);
    }
  }

  async release(_account: string, pr: string): Promise<void> {
    for (const key of this.byPull.get(pr) ?? []) this.byPerson.get(key)?.delete(pr);
    this.byPull.delete(pr);
  }
}

/** Requests older than this are forgotten (a PR closed while no replica was listening). */
export const OPEN_REQUEST_TTL_MS = 14 * 24 * 60 * 60 * 1000;

export class RedisReviewLoad implements ReviewLoad {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
  ) {}

  // One hash tag per account: a PR's people and their sets share a Cluster slot.
  private personKey(account: string, login: string): string {
    return `${this.prefix}{load:${lower(account)}}:person:${lower(login)}`;
  }

  private pullKey(account: string, pr: string): string {
    return `${this.prefix}{load:${lower(account)}}:pr:${pr}`;
  }

  async counts(account: string, logins: string[]): Promise<Map<string, number>> {
    const since = this.now() - OPEN_REQUEST_TTL_MS;
    const counts = await Promise.all(
      logins.map(async (login) => {
        const key = this.personKey(account, login);
        await this.redis.zremrangebyscore(key, "-inf", `(${since}`);
        return this.redis.zcard(key);
      }),
    );
    return new Map(logins.map((l, i) => [lower(l), counts[i] ?? 0]));
  }

  async add(account: string, pr: string, logins: string[]): Promise<void> {
    if (logins.length === 0) return;
    const at = this.now();
    const multi = this.redis.multi();
    for (const login of logins) multi.zadd(this.personKey(account, login), "NX", at, pr);
    multi.sadd(this.pullKey(account, pr), ...logins.map(lower));
    multi.pexpire(this.pullKey(account, pr), OPEN_REQUEST_TTL_MS);
    await multi.exec();
  }

  async release(account: string, pr: string): Promise<void> {
    const logins = await this.redis.smembers(this.pullKey(account, pr));
    if (logins.length === 0) return;
    const multi = this.redis.multi();
    for (const login of logins) multi.zrem(this.personKey(account, login), pr);
    multi.del(this.pullKey(account, pr));
    await multi.exec();
  }
}
