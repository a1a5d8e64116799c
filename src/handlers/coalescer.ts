// Coalesces a burst of events for one key into as few runs as possible, never two at once.
//
// While a run for a key is in flight, every further request for that key joins one follow-up run,
// which starts after the current one ends and so reads the latest state. A burst of 20 events is
// therefore evaluated at most twice, and an older evaluation can never finish after a newer one.

interface KeyState {
  running: Promise<void>;
  followUp?: Promise<void>;
}

export class Coalescer {
  private readonly keys = new Map<string, KeyState>();
  /** How many requests joined a run instead of starting one. */
  coalesced = 0;

  constructor(private readonly onCoalesced: () => void = () => {}) {}

  run(key: string, task: () => Promise<void>): Promise<void> {
    const state = this.keys.get(key);
    if (!state) return this.start(key, task);
    this.coalesced++;
    this.onCoalesced();
    if (state.followUp) return state.followUp;
    // The follow-up becomes the running task; later requests queue a new follow-up behind it.
    const followUp = state.running.then(
      () => this.start(key, task),
      () => this.start(key, task),
    );
    state.followUp = followUp;
    return followUp;
  }

  private start(key: string, task: () => Promise<void>): Promise<void> {
    const running = this.execute(key, task);
    this.keys.set(key, { running });
    return running;
  }

  private async execute(key: string, task: () => Promise<void>): Promise<void> {
    try {
      await task();
    } finally {
      const state = this.keys.get(key);
      // Only the last run for a key removes it; a queued follow-up keeps the key alive.
      if (state && !state.followUp) this.keys.delete(key);
    }
  }

  get inFlight(): number {
    return this.keys.size;
  }
}
