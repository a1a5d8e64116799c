// Coalesces a burst of events for one key into as few runs as possible, never two at once.
//
// While a run for a key is in flight, every further request for that key joins one follow-up run,
// which starts after the current one ends and so reads the latest state. A burst of 20 events is
// therefore evaluated at most twice, and an older evaluation can never finish after a newer one.
//
// With a quiet period (COALESCE_DELAY_MS), a run starts only once no request for its key has arrived
// for that long (but never later than QUIET_CAP_FACTOR times that after it was scheduled); requests
// arriving meanwhile join it. A burst spread over time then costs one run instead of one per gap
// between events, at the price of that much latency on every event.

interface Run {
  promise: Promise<unknown>;
  /** False while the run waits for its turn or its quiet period: requests may still join it. */
  started: boolean;
  /** When the last request joined it (the quiet period counts from here). */
  lastJoined: number;
}

/** A run waits for quiet at most this many quiet periods. */
export const QUIET_CAP_FACTOR = 10;

interface KeyState {
  current: Run;
  next?: Run;
}

export class Coalescer {
  private readonly keys = new Map<string, KeyState>();
  /** How many requests joined a run instead of starting one. */
  coalesced = 0;

  constructor(
    private readonly onCoalesced: () => void = () => {},
    private readonly delayMs = 0,
  ) {}

  /**
   * Resolves with the result of the run that serves this request (the first to start after it).
   * Every run for one key must resolve with the same type: the key's runs share their results.
   */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const state = this.keys.get(key);
    if (!state) {
      const current = this.launch(key, task);
      return current.promise as Promise<T>;
    }
    this.coalesced++;
    this.onCoalesced();
    if (!state.current.started) {
      state.current.lastJoined = performance.now();
      return state.current.promise as Promise<T>;
    }
    if (state.next) {
      state.next.lastJoined = performance.now();
      return state.next.promise as Promise<T>;
    }
    // The follow-up becomes the current run once the current one ends; later requests join it until it starts.
    state.next = this.launch(key, task, state.current.promise);
    return state.next.promise as Promise<T>;
  }

  /** True when a request for the key arrived after its current run started: that run's result is about to be superseded. */
  hasFollowUp(key: string): boolean {
    return this.keys.get(key)?.next !== undefined;
  }

  private launch<T>(key: string, task: () => Promise<T>, after?: Promise<unknown>): Run {
    const run: Run = { started: false, promise: Promise.resolve(), lastJoined: performance.now() };
    if (!after) this.keys.set(key, { current: run });
    if (!after && this.delayMs <= 0) {
      // Start at once, synchronously up to the task's first await, as a plain call would.
      run.started = true;
      run.promise = this.execute(key, run, task);
      return run;
    }
    run.promise = (async () => {
      if (after) {
        await after.catch(() => {});
        const state = this.keys.get(key);
        if (state?.next === run) {
          state.current = run;
          delete state.next;
        }
      }
      if (this.delayMs > 0) await this.quiet(run);
      run.started = true;
      return this.execute(key, run, task);
    })();
    return run;
  }

  /** Wait until no request joined the run for delayMs, or until the cap. */
  private async quiet(run: Run): Promise<void> {
    const deadline = performance.now() + this.delayMs * QUIET_CAP_FACTOR;
    for (;;) {
      const now = performance.now();
      const wait = Math.min(run.lastJoined + this.delayMs, deadline) - now;
      if (wait <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
    }
  }

  private async execute<T>(key: string, run: Run, task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } finally {
      const state = this.keys.get(key);
      // Only the last run for a key removes it; a queued follow-up keeps the key alive.
      if (state && state.current === run && !state.next) this.keys.delete(key);
    }
  }

  get inFlight(): number {
    return this.keys.size;
  }
}
