// Probot's throttling and retry plugins pass every request through Bottleneck queues (one per
// event's octokit, one per installation, one per request). Bottleneck's in-process datastore yields
// to the event loop with setTimeout(0) — clamped by Node to at least 1 ms — several times per request,
// one request after another per queue: the reads of one round left ~3 ms apart, and ~12 ms between a
// webhook and its first read (measured with bench/app.bench.ts, issue #24). setImmediate yields just
// as well (after pending I/O) without the clamp. Spacing is untouched: minTime, reservoirs and
// retries wait on their own timers (the yield is only ever asked for with t = 0 on that path).
// @ts-expect-error light.js (the build Probot's plugins use) ships no types; it is the same class as "bottleneck"
import BottleneckLight from "bottleneck/light.js";
import type BottleneckClass from "bottleneck";

const Bottleneck = BottleneckLight as typeof BottleneckClass;

interface Datastore {
  Promise: PromiseConstructor;
  yieldLoop(t?: number): Promise<void>;
}

/** Make Bottleneck's local datastore yield with setImmediate instead of a 0 ms timer (once per process; idempotent). */
export function yieldQueuesWithoutTimers(): void {
  const limiter = new Bottleneck() as unknown as { _store: Datastore };
  const datastore = Object.getPrototypeOf(limiter._store) as Datastore & { immediateYields?: true };
  if (datastore.immediateYields) return;
  datastore.yieldLoop = function (this: Datastore, t = 0) {
    return new this.Promise<void>((resolve) => (t > 0 ? setTimeout(resolve, t) : setImmediate(resolve)));
  };
  datastore.immediateYields = true;
}
