// How long PRs wait for sign-off: the time from the first evaluation that left a PR waiting to the
// one that found it signed off (a histogram per tier), and which PRs wait now (the waiting board).
import type { Verdict } from "../core/types.js";
import type { PullGate } from "./pull-gate.js";
import type { WaitingBoard } from "./waiting-board.js";

export interface SignoffWaitRecorder {
  gate: Pick<PullGate, "markWaiting" | "takeWaitingSince">;
  waiting: WaitingBoard;
  observe: (tier: Verdict["risk"]["tier"], seconds: number) => void;
}

/** Record what the verdict says about waiting; `now` is the clock (ms). Failures are the caller's to log. */
export async function recordSignoffWait(
  recorder: SignoffWaitRecorder,
  key: string,
  verdict: Verdict,
  now: () => number = Date.now,
): Promise<void> {
  const { gate, waiting } = recorder;
  if (verdict.outcome === "waiting" && verdict.mode === "enforce") {
    await Promise.all([gate.markWaiting(key, now()), waiting.mark(key, verdict.risk.tier, now())]);
  } else if (verdict.outcome === "approved" || verdict.outcome === "overridden") {
    const [since] = await Promise.all([gate.takeWaitingSince(key), waiting.clear(key)]);
    if (since !== undefined) recorder.observe(verdict.risk.tier, Math.max(0, now() - since) / 1000);
  } else {
    // Not gated, changes requested, report mode: not waiting for sign-off now.
    await Promise.all([verdict.outcome === "not-gated" ? gate.takeWaitingSince(key) : undefined, waiting.clear(key)]);
  }
}
