// The pull gate across replicas: one evaluation per PR at a time in the whole deployment, and a
// burst of events (arriving at any replica) folded into one follow-up at the latest state.
//
// Per PR, Redis holds a hash {gen, done, override, head, ai, waiting_since} and a lock key:
// - every request increments `gen` (and records an override or the event's head) before anything else;
// - whoever takes the lock (SET NX PX, renewed while it runs) evaluates: it notes `gen` when it starts
//   reading GitHub, and when it ends it atomically records `done` and releases the lock only if `gen`
//   has not moved; if it has, it keeps the lock and runs once more, at the latest state;
// - a request that finds the lock taken waits until `done` reaches its generation (an evaluation that
//   started after its event has finished), or until the lock is free (the holder died) and takes it.
// Because the increment comes before the lock attempt and the release is conditional on `gen`, no
// event is ever left unevaluated, and no two replicas evaluate one PR at once.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "probot";
import type { OverrideRecord } from "../core/types.js";
import { QUIET_CAP_FACTOR } from "./coalescer.js";
import {
  CoordinationError,
  WAITING_TTL_MS,
  type GateRequest,
  type GatedTask,
  type PullGate,
  type PullMemo,
  type RunResult,
} from "./pull-gate.js";

export interface RedisGateOptions {
  /** Keys are namespaced per app so staging and production may share one Redis. */
  prefix: string;
  /** Where warnings go (read when one is logged: the app's logger is known only once Probot loads the app). */
  log?: () => Logger | undefined;
  /** Called with the number of requests that were answered by a run they did not start. */
  onCoalesced?: (count: number) => void;
  /** Quiet period before each run (COALESCE_DELAY_MS). */
  delayMs?: number;
  lockTtlMs?: number;
  /** A waiting request gives up after this long (the holder still owes it an evaluation). */
  maxWaitMs?: number;
}

/** Increment gen; remember an override and the event's head. KEYS: pr. ARGV: ttl, override, head. */
const MARK = `
local g = redis.call('HINCRBY', KEYS[1], 'gen', 1)
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'override', ARGV[2]) end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'head', ARGV[3]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return g`;

/** A run starts: the generation it covers, the override it takes, the memo. KEYS: pr. */
const BEGIN = `
local v = redis.call('HMGET', KEYS[1], 'gen', 'override', 'head', 'ai')
redis.call('HDEL', KEYS[1], 'override')
return {v[1] or '0', v[2] or '', v[3] or '', v[4] or ''}`;

/**
 * A run ended: record done, store the memo, release the lock unless gen moved.
 * KEYS: pr, lock. ARGV: token, startGen, lockTtl, prTtl, head, ai. Returns 1 released, 0 run again, -1 lock lost.
 */
const FINISH = `
local start = tonumber(ARGV[2])
local done = tonumber(redis.call('HGET', KEYS[1], 'done') or '0')
if start > done then redis.call('HSET', KEYS[1], 'done', start) end
local gen = tonumber(redis.call('HGET', KEYS[1], 'gen') or '0')
if gen <= start and ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'head', ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'ai', ARGV[6]) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
if gen <= start then
  redis.call('DEL', KEYS[2])
  return 1
end
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 0`;

/** Compare-and-delete. KEYS: lock. ARGV: token. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Compare-and-extend. KEYS: lock. ARGV: token, ttl. */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

const TAKE_WAITING = `
local v = redis.call('HGET', KEYS[1], 'waiting_since')
redis.call('HDEL', KEYS[1], 'waiting_since')
return v or ''`;

const MARK_WAITING = `
redis.call('HSETNX', KEYS[1], 'waiting_since', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

interface Waiter {
  gen: number;
  since: number;
  /** With the run's result when this process ran it; undefined when another replica did. */
  resolve: (result?: RunResult) => void;
  reject: (err: unknown) => void;
}

/** The local requests for one PR, served by one driver loop per process. */
interface KeyWork {
  waiters: Waiter[];
  /** The newest request's task (its octokit is the freshest). */
  task: GatedTask;
  driving: boolean;
}

/** FINISH's answers (and one of ours). */
const RUN_AGAIN = 0;
const LOCK_LOST = -1;
const NOT_RECORDED = -2;

const MIN_POLL_MS = 20;
const MAX_POLL_MS = 250;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RedisPullGate implements PullGate {
  private readonly work = new Map<string, KeyWork>();
  private readonly lockTtlMs: number;
  private readonly maxWaitMs: number;
  private readonly delayMs: number;
  /** The PR hash outlives a long wait for sign-off; gen and done share it, so they expire together. */
  private readonly prTtlMs = WAITING_TTL_MS;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisGateOptions,
  ) {
    this.lockTtlMs = options.lockTtlMs ?? 30_000;
    this.maxWaitMs = options.maxWaitMs ?? 10 * 60_000;
    this.delayMs = options.delayMs ?? 0;
  }

  private prKey(key: string): string {
    // The hash tag keeps both keys of a PR in one slot, so the scripts also work on Redis Cluster.
    return `${this.options.prefix}{${key}}:pr`;
  }

  private lockKey(key: string): string {
    return `${this.options.prefix}{${key}}:lock`;
  }

  async run(key: string, task: GatedTask, request: GateRequest = {}): Promise<RunResult | undefined> {
    let gen: number;
    try {
      const override = request.override ? JSON.stringify(request.override) : "";
      gen = Number(await this.redis.eval(MARK, 1, this.prKey(key), this.prTtlMs, override, request.headSha ?? ""));
    } catch (err) {
      throw new CoordinationError(err);
    }
    return new Promise<RunResult | undefined>((resolve, reject) => {
      let work = this.work.get(key);
      if (!work) {
        work = { waiters: [], task, driving: false };
        this.work.set(key, work);
      }
      work.task = task;
      work.waiters.push({ gen, since: Date.now(), resolve, reject });
      if (!work.driving) this.drive(key, work);
    });
  }

  /** One loop per PR and process: take the lock and evaluate, or wait for whoever holds it. Never throws. */
  private drive(key: string, work: KeyWork): void {
    work.driving = true;
    void (async () => {
      let pause = MIN_POLL_MS;
      try {
        while (work.waiters.length > 0) {
          // Covered already by a run that started after these requests (here or on another replica)?
          if (await this.settleDone(key, work)) continue;
          const token = randomUUID();
          const taken = (await this.redis.set(this.lockKey(key), token, "PX", this.lockTtlMs, "NX")) === "OK";
          if (taken) {
            await this.hold(key, work, token);
            pause = MIN_POLL_MS;
            continue;
          }
          this.giveUpWaiting(key, work);
          if (work.waiters.length === 0) break;
          await sleep(pause);
          pause = Math.min(pause * 2, MAX_POLL_MS);
        }
      } catch (err) {
        const error = err instanceof CoordinationError ? err : new CoordinationError(err);
        for (const waiter of work.waiters.splice(0)) waiter.reject(error);
      } finally {
        work.driving = false;
        if (work.waiters.length === 0) {
          if (this.work.get(key) === work) this.work.delete(key);
        } else {
          this.drive(key, work);
        }
      }
    })();
  }

  /** We hold the lock: evaluate until no request arrived during the last run. */
  private async hold(key: string, work: KeyWork, token: string): Promise<void> {
    const renew = setInterval(
      () => {
        this.redis.eval(RENEW, 1, this.lockKey(key), token, this.lockTtlMs).then(
          (kept) => {
            if (Number(kept) !== 1) this.options.log?.()?.warn({ key }, "lost the evaluation lock while evaluating");
          },
          (err: unknown) => this.options.log?.()?.warn({ err, key }, "could not renew the evaluation lock"),
        );
      },
      Math.max(1, Math.floor(this.lockTtlMs / 3)),
    );
    renew.unref();
    try {
      // The run we waited for may have finished just before we took the lock: nothing left to do.
      // (Waiters it did not cover go round the driver loop again.)
      if (await this.settleDone(key, work)) {
        await this.redis.eval(RELEASE, 1, this.lockKey(key), token);
        return;
      }
      for (;;) {
        await this.quiet(key);
        const [genText, overrideText, head, ai] = (await this.redis.eval(BEGIN, 1, this.prKey(key))) as [string, string, string, string];
        const startGen = Number(genText);
        const memo: PullMemo = { ...(head ? { headSha: head } : {}), ...(ai ? { aiLabel: ai === "1" } : {}) };
        const override = parseOverride(overrideText);
        let result: RunResult | undefined;
        try {
          result = await work.task({
            ...(override ? { override } : {}),
            memo,
            superseded: async () => {
              try {
                return Number(await this.redis.hget(this.prKey(key), "gen")) > startGen;
              } catch {
                return false;
              }
            },
          });
        } catch (err) {
          // The run failed (and failed closed). Free the lock: a waiting request, here or elsewhere, retries.
          await this.redis.eval(RELEASE, 1, this.lockKey(key), token).catch(() => undefined);
          this.settle(work, startGen, (w) => w.reject(err));
          return;
        }
        let state: number;
        try {
          state = Number(
            await this.redis.eval(
              FINISH,
              2,
              this.prKey(key),
              this.lockKey(key),
              token,
              startGen,
              this.lockTtlMs,
              this.prTtlMs,
              result?.headSha ?? "",
              result?.aiLabel === undefined ? "" : result.aiLabel ? "1" : "0",
            ),
          );
        } catch (err) {
          // The evaluation itself is done and published; the lock expires on its own.
          this.options.log?.()?.warn({ err, key }, "could not record the finished evaluation in Redis; its lock will expire");
          state = NOT_RECORDED;
        }
        const served = this.settle(work, startGen, (w) => w.resolve(result));
        if (served > 1) this.options.onCoalesced?.(served - 1);
        if (state === LOCK_LOST) this.options.log?.()?.warn({ key }, "the evaluation lock expired during the run");
        if (state !== RUN_AGAIN) return;
      }
    } finally {
      clearInterval(renew);
    }
  }

  /** COALESCE_DELAY_MS: start only once no event for the PR arrived (on any replica) for that long, within a cap. */
  private async quiet(key: string): Promise<void> {
    if (this.delayMs <= 0) return;
    const deadline = Date.now() + this.delayMs * QUIET_CAP_FACTOR;
    let gen = await this.redis.hget(this.prKey(key), "gen");
    for (;;) {
      const wait = Math.min(this.delayMs, deadline - Date.now());
      if (wait <= 0) return;
      await sleep(wait);
      const now = await this.redis.hget(this.prKey(key), "gen");
      if (now === gen) return;
      gen = now;
    }
  }

  /** Resolve the waiters that a finished run covers (done ≥ their generation); true if any were. */
  private async settleDone(key: string, work: KeyWork): Promise<boolean> {
    const done = Number((await this.redis.hget(this.prKey(key), "done")) ?? 0);
    const covered = this.settle(work, done, (w) => w.resolve());
    if (covered > 0) this.options.onCoalesced?.(covered);
    return covered > 0;
  }

  /** Settle the waiters whose generation is covered; returns how many. */
  private settle(work: KeyWork, upTo: number, how: (w: Waiter) => void): number {
    const covered = work.waiters.filter((w) => w.gen <= upTo);
    if (covered.length === 0) return 0;
    work.waiters = work.waiters.filter((w) => w.gen > upTo);
    for (const w of covered) how(w);
    return covered.length;
  }

  private giveUpWaiting(key: string, work: KeyWork): void {
    const now = Date.now();
    const expired = work.waiters.filter((w) => now - w.since > this.maxWaitMs);
    if (expired.length === 0) return;
    work.waiters = work.waiters.filter((w) => now - w.since <= this.maxWaitMs);
    this.options
      .log?.()
      ?.warn({ key, waiting: expired.length }, "gave up waiting for another replica's evaluation; its lock holder still owes it a run");
    for (const w of expired) w.resolve();
  }

  async markWaiting(key: string, at: number): Promise<void> {
    await this.redis.eval(MARK_WAITING, 1, this.prKey(key), at, this.prTtlMs);
  }

  async takeWaitingSince(key: string): Promise<number | undefined> {
    const since = (await this.redis.eval(TAKE_WAITING, 1, this.prKey(key))) as string;
    return since ? Number(since) : undefined;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

function parseOverride(text: string): OverrideRecord | undefined {
  if (!text) return undefined;
  try {
    const o = JSON.parse(text) as OverrideRecord;
    return typeof o.by === "string" && typeof o.sha === "string" ? o : undefined;
  } catch {
    return undefined;
  }
}
