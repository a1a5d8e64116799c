// Who evaluates a pull request, and when: at most one evaluation per PR at a time, a burst of
// events folded into one follow-up at the latest state, and what the runs remember between them.
//
// LocalPullGate does this within one process; RedisPullGate (redis-gate.ts) across replicas. (The
// benchmark's baseline, bench/lib/naive-app.ts, brings its own gate that runs every request at once.)
import type { OverrideRecord } from "../core/types.js";
import type { Coalescer } from "./coalescer.js";
import { TtlCache } from "../github/ttl-cache.js";

/** What the last evaluation (or the newest event) said about a PR: hints that save round trips, never facts. */
export interface PullMemo {
  /** The newest head SHA seen: our check run on it can be read in the first round. */
  headSha?: string;
  /** Whether the PR carried the AI label at the last evaluation: if not, its label history is read in the first round. */
  aiLabel?: boolean;
}

export interface GateRequest {
  /** A newly accepted override: the run that picks it up applies it (a burst cannot swallow it). */
  override?: OverrideRecord;
  /** The head SHA the event named. */
  headSha?: string;
}

export interface RunContext {
  override?: OverrideRecord;
  memo: PullMemo;
  /** True when an event for this PR arrived after this run started: a follow-up will evaluate it again. */
  superseded(): Promise<boolean>;
}

/** The override a run carried, and what the check it wrote says of it (for the comment's reply). */
export interface OverrideOutcome {
  override: OverrideRecord;
  /** The check written keeps this override. */
  applied: boolean;
  /** The check written passes (with other PRs on the head, each must). */
  passes: boolean;
}

/** What one evaluation returns: what to remember for the next one, and what became of an override it carried. */
export interface RunResult extends PullMemo {
  override?: OverrideOutcome;
}

/** One evaluation. */
export type GatedTask = (run: RunContext) => Promise<RunResult | undefined>;

export interface PullGate {
  /**
   * Resolves once an evaluation that started after this request has finished (or rejects with its
   * error), with that evaluation's result; undefined when another replica ran it (or it was given up on).
   */
  run(key: string, task: GatedTask, request?: GateRequest): Promise<RunResult | undefined>;
  /** When the PR's check first went to waiting for sign-off; kept until approval. */
  markWaiting(key: string, at: number): Promise<void>;
  takeWaitingSince(key: string): Promise<number | undefined>;
  close(): Promise<void>;
}

/** The replicas could not agree who evaluates (Redis unreachable): the evaluation fails closed. */
export class CoordinationError extends Error {
  constructor(cause: unknown) {
    super(`could not coordinate with the other replicas through Redis (${(cause as Error)?.message ?? String(cause)})`, { cause });
    this.name = "CoordinationError";
  }
}

const MEMO_TTL_MS = 60 * 60 * 1000;
/** A PR may wait days for sign-off; an entry older than this is dropped (the histogram never sees it). */
export const WAITING_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** When each PR's check first went to waiting for sign-off, in this process (kept until approval). */
export class LocalWaitingMarks {
  private readonly waiting = new TtlCache<number>(WAITING_TTL_MS, 50_000);

  async markWaiting(key: string, at: number): Promise<void> {
    if (this.waiting.get(key) === undefined) this.waiting.set(key, at);
  }

  async takeWaitingSince(key: string): Promise<number | undefined> {
    const since = this.waiting.get(key);
    this.waiting.delete(key);
    return since;
  }
}

/** What a run's result leaves for the next run to know. */
export function memoOf(result: RunResult): PullMemo {
  return {
    ...(result.headSha !== undefined ? { headSha: result.headSha } : {}),
    ...(result.aiLabel !== undefined ? { aiLabel: result.aiLabel } : {}),
  };
}

/** Local memory for memos and waiting times. */
class LocalMemory extends LocalWaitingMarks {
  readonly memos = new TtlCache<PullMemo>(MEMO_TTL_MS, 20_000);

  noteHead(key: string, headSha: string | undefined): void {
    if (headSha) this.memos.set(key, { ...this.memos.get(key), headSha });
  }
}

/** One process: the Coalescer serialises runs per PR and folds bursts into one follow-up. */
export class LocalPullGate implements PullGate {
  private readonly memory = new LocalMemory();
  private readonly overrides = new Map<string, OverrideRecord>();

  constructor(readonly coalescer: Coalescer) {}

  run(key: string, task: GatedTask, request: GateRequest = {}): Promise<RunResult | undefined> {
    if (request.override) this.overrides.set(key, request.override);
    this.memory.noteHead(key, request.headSha);
    return this.coalescer.run(key, async () => {
      // Taken when the run starts: an override that arrives later belongs to the follow-up.
      const override = this.overrides.get(key);
      this.overrides.delete(key);
      const result = await task({
        ...(override ? { override } : {}),
        memo: this.memory.memos.get(key) ?? {},
        superseded: async () => this.coalescer.hasFollowUp(key),
      });
      if (result) this.remember(key, memoOf(result));
      return result;
    });
  }

  private remember(key: string, memo: PullMemo): void {
    // A newer event's head (noted while this run was in flight) wins over the head this run read.
    const current = this.memory.memos.get(key);
    const newer = this.coalescer.hasFollowUp(key) ? current?.headSha : undefined;
    this.memory.memos.set(key, { ...memo, ...(newer ? { headSha: newer } : {}) });
  }

  markWaiting(key: string, at: number): Promise<void> {
    return this.memory.markWaiting(key, at);
  }

  takeWaitingSince(key: string): Promise<number | undefined> {
    return this.memory.takeWaitingSince(key);
  }

  async close(): Promise<void> {}
}
