// The write guard's question, asked by each write right before it is sent (after waiting for its
// turn): is a newer event for this PR already queued, whose follow-up reads the latest state and
// publishes it? Then this write would spend a throttled second on a state about to be replaced.
import type { TtlCache } from "../github/ttl-cache.js";
import type { RunContext } from "./pull-gate.js";

/**
 * How many runs in a row may leave their writes to a follow-up, so a stream of events cannot starve
 * the check. The follow-up's check write takes the dropped one's place in the queue (write-turns.ts),
 * so yielding costs no wait; the bound only stops a pathological stream (events faster than a read).
 */
export const MAX_CONSECUTIVE_YIELDS = 10;

export interface YieldCounts {
  /** Per PR, how many runs in a row left their writes to a follow-up. */
  yields: TtlCache<number>;
  /** Counted each time a run yields. */
  onYield: () => void;
}

/**
 * True when this run should leave its writes to the queued follow-up; never more than
 * MAX_CONSECUTIVE_YIELDS times in a row for one PR — except a run whose check would pass (`opens`),
 * which always yields (issue #19 item 26). The newer event may close the gate, and its evaluation
 * cannot start before this run ends (one evaluation per PR at a time): a run past the bound that
 * kept its writes made the closing evaluation wait behind them — its passing check write, or its
 * label re-add, which ranks below every other PR's check write (up to 30 s under load). Waiting
 * behind a run whose check blocks never shows a pass (its own closing write goes first), so the
 * bound, which keeps a stream of events from starving the check, holds for those runs only; a
 * pass held back by a stream of events fails closed.
 */
export async function yieldToFollowUp(counts: YieldCounts, key: string, run: RunContext | undefined, opens = false): Promise<boolean> {
  if (!run) return false;
  const yields = counts.yields.get(key) ?? 0;
  if (yields >= MAX_CONSECUTIVE_YIELDS && !opens) return false;
  if (!(await run.superseded())) return false;
  counts.yields.set(key, yields + 1);
  counts.onYield();
  return true;
}

/** A run published: the next one may yield again. */
export function resetYields(counts: YieldCounts, key: string): void {
  counts.yields.delete(key);
}
