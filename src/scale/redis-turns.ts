// The write turn of an installation shared by every replica through Redis, so that the write that
// closes the gate goes first across replicas too (write-turns.ts orders each replica's own writes).
//
// Per installation, Redis holds a sorted set of the replicas that have writes waiting, each scored
// by its best waiting write (priority class, then arrival time), a hash of when each replica was
// last seen, and the turn itself (a key holding the replica that has it). A replica takes the turn
// only when it is first in the set and nobody holds the turn; a replica keeps its place while it
// holds the turn (it offers its next write first), and one that stopped asking (it died) is skipped
// once it was not seen for a few seconds. The turn lasts the write spacing after its write
// was sent (the key's expiry), or ends when the write was dropped. All keys of an installation share
// a hash tag, so the scripts also run on Redis Cluster.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { TurnCoordinator } from "../github/write-turns.js";

/**
 * Lua: put this replica's best waiting write (ARGV[1] replica, ARGV[2] score, ARGV[3] seenTtlMs) in the
 * queue and mark it alive; both keys expire after ARGV[keyTtlArg] ms. Leaves `now` (Redis time, ms) set.
 */
function enqueueScript(keyTtlArg: number): string {
  return `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], now + tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], ARGV[${keyTtlArg}])
redis.call('PEXPIRE', KEYS[2], ARGV[${keyTtlArg}])
`;
}

/**
 * Ask for the turn. KEYS: queue, seen, turn. ARGV: replica, score, seenTtlMs, holdMs, keyTtlMs.
 * Returns 1 when this replica now holds the turn.
 */
const TAKE = `
${enqueueScript(5)}if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
while true do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if not head then return 0 end
  if head == ARGV[1] then break end
  local seen = tonumber(redis.call('HGET', KEYS[2], head) or '0')
  if seen >= now then return 0 end
  redis.call('ZREM', KEYS[1], head)
  redis.call('HDEL', KEYS[2], head)
end
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[4])
redis.call('ZREM', KEYS[1], ARGV[1])
return 1`;

/** The write was sent: the turn lasts ARGV[2] ms more. KEYS: turn. ARGV: replica, ms. */
const SENT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** Compare-and-delete. KEYS: turn. ARGV: replica. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** This replica's best waiting write, or nothing ('' score). KEYS: queue, seen. ARGV: replica, score, seenTtlMs, keyTtlMs. */
const OFFER = `
if ARGV[2] == '' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  return 0
end
${enqueueScript(4)}return 1`;

export interface RedisTurnOptions {
  prefix: string;
  /** A replica that did not ask for this long is taken for dead and skipped. */
  seenTtlMs?: number;
  /** How long a taken turn lasts before its write is sent (the guard is asked meanwhile); a dead holder's turn ends then. */
  holdMs?: number;
}

export class RedisTurnCoordinator implements TurnCoordinator {
  /** This process, among the replicas. */
  readonly replica = randomUUID();
  private readonly seenTtlMs: number;
  private readonly holdMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisTurnOptions,
  ) {
    this.seenTtlMs = options.seenTtlMs ?? 3_000;
    this.holdMs = options.holdMs ?? 10_000;
  }

  private keys(installation: string): [string, string, string] {
    const base = `${this.options.prefix}{turns:${installation}}`;
    return [`${base}:queue`, `${base}:seen`, `${base}:turn`];
  }

  async tryTake(installation: string, score: number): Promise<boolean> {
    const taken = await this.redis.eval(TAKE, 3, ...this.keys(installation), this.replica, score, this.seenTtlMs, this.holdMs, 60_000);
    return Number(taken) === 1;
  }

  async sent(installation: string, ms: number): Promise<void> {
    await this.redis.eval(SENT, 1, this.keys(installation)[2], this.replica, Math.max(1, Math.round(ms)));
  }

  async release(installation: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.keys(installation)[2], this.replica);
  }

  async offer(installation: string, score: number | undefined): Promise<void> {
    const [queue, seen] = this.keys(installation);
    await this.redis.eval(OFFER, 2, queue, seen, this.replica, score === undefined ? "" : score, this.seenTtlMs, 60_000);
  }
}
