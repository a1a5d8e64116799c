// Writes take turns per installation before they enter Probot's write throttle, so that a write
// can still be dropped at the last moment — when its evaluation has been superseded by a newer
// event for the same PR while it waited — without spending a throttled second on it.
//
// Probot's throttle (Bottleneck) admits one write a second per installation; a burst of
// evaluations queues its writes there, and a write cannot be recalled once queued. Here the
// queue is ours: a write waits for its turn, asks its evaluation's guard whether it is still
// wanted, and only then goes to Probot's limiter, which by then is (nearly) free.
import { AsyncLocalStorage } from "node:async_hooks";

/** Thrown instead of sending a write whose evaluation was superseded. Never reaches GitHub. */
export class SupersededWrite extends Error {
  constructor() {
    super("a newer event for this pull request is queued; its evaluation writes instead");
    this.name = "SupersededWrite";
  }
}

/** Asked right before an evaluation's write is sent: true drops it. */
export type WriteGuard = () => Promise<boolean>;

const guards = new AsyncLocalStorage<WriteGuard>();

/** Run `publish` so that every write it makes is dropped once `guard` says its evaluation is superseded. */
export function withWriteGuard<T>(guard: WriteGuard, publish: () => Promise<T>): Promise<T> {
  return guards.run(guard, publish);
}

export function currentWriteGuard(): WriteGuard | undefined {
  return guards.getStore();
}

export class WriteTurns {
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * @param spacingMs How long a turn lasts after its write was sent: Probot's write spacing (one
   *   write a second per installation). The next write is then sent when Probot's limiter admits it
   *   at once, so the guard it asked a moment before is still true. A turn ends earlier only when
   *   its write was dropped or failed before it was sent. With 0 a turn ends when its write completes
   *   (tests, where Probot's throttling is off).
   */
  constructor(private readonly spacingMs = 1_000) {}

  /**
   * Wait for the installation's turn. The returned `sent()` marks the write as sent (the turn then
   * lasts `spacingMs` from now, or until `end()` when spacingMs is 0); `end()` ends it otherwise.
   */
  async acquire(installation: string): Promise<{ sent: () => void; end: () => void }> {
    const previous = this.tails.get(installation) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(installation, tail);
    void tail.then(() => {
      if (this.tails.get(installation) === tail) this.tails.delete(installation);
    });
    await previous;
    let done = false;
    let spaced = false;
    const finish = () => {
      if (done) return;
      done = true;
      release();
    };
    return {
      sent: () => {
        if (this.spacingMs <= 0 || spaced) return;
        spaced = true;
        setTimeout(finish, this.spacingMs).unref();
      },
      end: () => {
        if (!spaced) finish();
      },
    };
  }

  /** Installations with writes waiting or in flight. */
  get busy(): number {
    return this.tails.size;
  }
}
