// Writes take turns per installation before they enter Probot's write throttle, so that a write
// can still be dropped at the last moment — when its evaluation has been superseded by a newer
// event for the same PR while it waited — without spending a throttled second on it, and so that
// the write that closes the gate goes first.
//
// Probot's throttle (@octokit/plugin-throttling, one Bottleneck group per installation) admits one
// write a second, first come first served: a write cannot be recalled or reordered once queued
// there. Here the queue is ours, ordered by priority: a check write that takes a PR from passing to
// not passing (or a fail-closed failure) goes before every other waiting write of the installation;
// other check writes before labels, review requests and comments; reactions last. A write waits for
// its turn, asks its evaluation's guard whether it is still wanted, and only then goes to Probot's
// limiter, which by then is (nearly) free — so the order chosen here is the order GitHub sees.
//
// With Redis (a TurnCoordinator, src/scale/redis-turns.ts) one turn is shared by every replica of the
// installation and the replica whose waiting write ranks first takes it, so priorities hold across
// replicas too.
//
// Closing check writes that wait together ride together: the one whose turn it is takes the others
// waiting on this replica (`takeRiders`) and sends them all in one GraphQL request
// (github/check-batch.ts), so k gates closing in the same second cost one write slot, not k.
//
// The queue is used by one caller, github/publisher.ts, which turns its refusals (SupersededWrite,
// DroppedWrite) into values: no handler ever sees them.
import type { BatchableCheckWrite, CheckBatchResult } from "./check-batch.js";

/** Thrown instead of sending a write whose evaluation was superseded. Never reaches GitHub. */
export class SupersededWrite extends Error {
  constructor() {
    super("a newer event for this pull request is queued; its evaluation writes instead");
    this.name = "SupersededWrite";
  }
}

/** Thrown instead of sending a write that may be skipped when the queue is long (a command's 👀). Never reaches GitHub. */
export class DroppedWrite extends Error {
  constructor(queued: number) {
    super(`${queued} writes are waiting for this installation; this optional write is skipped`);
    this.name = "DroppedWrite";
  }
}

/**
 * What a write is, for its place in the queue and for `countersign_backlog_writes{kind}`.
 * `close`: a check write that takes the PR from passing to not passing, or a fail-closed failure.
 */
export const WRITE_KINDS = ["close", "check", "label", "review", "other", "reaction"] as const;
export type WriteKind = (typeof WRITE_KINDS)[number];

/** Lower goes first. */
const PRIORITY: Record<WriteKind, number> = { close: 0, check: 1, label: 2, review: 2, other: 2, reaction: 3 };

export interface WriteIntent {
  kind: WriteKind;
  /** The PR whose evaluation writes (`owner/repo#n`): a check write dropped as superseded leaves its place in the queue to the PR's next check write. */
  pr?: string;
  /** The check a check write is for (`owner/repo@sha`): an opening write never goes before a closing one for the same target. */
  target?: string;
  /** Skip the write (DroppedWrite) when at least this many writes already wait for the installation. */
  dropWhenQueued?: number;
  /** A closing check write GraphQL can make: it may ride in another closing write's request. */
  batch?: BatchableCheckWrite | undefined;
}

/** Asked right before an evaluation's write is sent: true drops it. */
export type WriteGuard = () => Promise<boolean>;

/**
 * The shared turn of an installation across replicas (Redis). `offer` tells the others this
 * replica's best waiting write (its score: lower goes first; undefined: nothing waits), also while
 * this replica holds the turn, so that nobody overtakes it when the turn ends; `tryTake` asks for
 * the turn; `sent` makes the turn last `ms` more; `release` ends it now. Calls on one installation
 * reach Redis in the order they are made.
 */
export interface TurnCoordinator {
  offer(installation: string, score: number | undefined): Promise<void>;
  tryTake(installation: string, score: number): Promise<boolean>;
  sent(installation: string, ms: number): Promise<void>;
  release(installation: string): Promise<void>;
}

export interface Turn {
  /** The write is being sent: the turn lasts `spacingMs` from now (or until `end()` when spacingMs is 0). */
  sent(): void;
  /** The write is done, dropped or failed: ends the turn unless it was sent (then the spacing ends it). */
  end(): void;
  /** The write is dropped as superseded: the turn ends, and the PR's next check write gets this one's place. */
  superseded(): void;
  /**
   * Set when another closing write took this one along in its request (this write has no turn of
   * its own): what GitHub answered for it. A failed result means it was not written: send it alone.
   */
  carried?: Promise<CheckBatchResult>;
}

/** A closing write taken along in the turn holder's request; `settle` hands it GitHub's answer. */
export interface Rider {
  write: BatchableCheckWrite;
  settle(result: CheckBatchResult): void;
}

/** A superseded check write's place in the queue, kept for the PR's next check write. */
interface Reservation {
  seq: number;
  enqueuedAt: number;
  at: number;
}

/** A reservation nobody took within this long is forgotten (the follow-up found nothing to write). */
const RESERVATION_MS = 5 * 60_000;

/** After a batched request failed for an installation, its closing writes go alone for this long. */
const BATCH_COOLDOWN_MS = 10 * 60_000;

const noop = () => {};

interface Waiting {
  intent: WriteIntent;
  priority: number;
  seq: number;
  enqueuedAt: number;
  guard?: WriteGuard | undefined;
  resolve: (turn: Turn) => void;
  reject: (err: unknown) => void;
}

interface Installation {
  waiting: Waiting[];
  holding: boolean;
  dispatching: boolean;
}

export interface WriteTurnsOptions {
  /**
   * How long a turn lasts after its write was sent: Probot's write spacing (one write a second per
   * installation). The next write is then sent when Probot's limiter admits it at once, so the
   * guard it asked a moment before is still true. A turn ends earlier only when its write was
   * dropped or failed before it was sent. With 0 a turn ends when its write completes (tests, where
   * Probot's throttling is off).
   */
  spacingMs?: number;
  /** A write below check priority that waited this long ranks with check writes (never with closing ones), so labels cannot starve. */
  promoteAfterMs?: number;
  /**
   * How often waiting writes ask their guard, so a superseded write leaves the queue (and its PR's
   * follow-up starts, and takes its place) without waiting for its turn: a closing event for a PR
   * whose previous evaluation still waits to write is then published within this much more.
   */
  guardPollMs?: number;
  /** Shares the turn with other replicas; absent: this process only. */
  coordinator?: TurnCoordinator | undefined;
  /** How often a replica asks the coordinator for the turn while it waits. */
  coordinatorPollMs?: number;
  /** Called when the coordinator fails; the write then takes its local turn only. */
  onCoordinatorError?: (err: unknown) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class WriteTurns {
  private readonly installations = new Map<string, Installation>();
  private readonly spacingMs: number;
  private readonly promoteAfterMs: number;
  private readonly guardPollMs: number;
  private readonly coordinatorPollMs: number;
  private readonly coordinator: TurnCoordinator | undefined;
  private readonly onCoordinatorError: (err: unknown) => void;
  private seq = 0;
  private sweeping: NodeJS.Timeout | undefined;
  private readonly reservations = new Map<string, Reservation>();
  private sweepRunning = false;
  private readonly batchOffUntil = new Map<string, number>();

  constructor(
    spacingOrOptions: number | WriteTurnsOptions = 1_000,
    private readonly now: () => number = Date.now,
  ) {
    const options = typeof spacingOrOptions === "number" ? { spacingMs: spacingOrOptions } : spacingOrOptions;
    this.spacingMs = options.spacingMs ?? 1_000;
    this.promoteAfterMs = options.promoteAfterMs ?? 30_000;
    this.guardPollMs = options.guardPollMs ?? 100;
    this.coordinatorPollMs = options.coordinatorPollMs ?? 25;
    this.coordinator = options.coordinator;
    this.onCoordinatorError = options.onCoordinatorError ?? (() => {});
  }

  /**
   * Wait for the installation's turn; waiting writes are served by priority (then first come first
   * served). Rejects with SupersededWrite when the guard says the write's evaluation was superseded
   * while it waited (never for a closing write), and with DroppedWrite for an optional write when
   * the queue is long.
   */
  acquire(installation: string, intent: WriteIntent = { kind: "other" }, guard?: WriteGuard): Promise<Turn> {
    const queued = this.queued(installation);
    if (intent.dropWhenQueued !== undefined && queued >= intent.dropWhenQueued) return Promise.reject(new DroppedWrite(queued));
    const state = this.stateOf(installation);
    if (intent.kind === "close" && intent.target) {
      // A check write for the same commit that waits is older than this closing one: it must not land after it.
      for (const w of state.waiting.filter((w) => w.intent.kind === "check" && w.intent.target === intent.target)) {
        state.waiting.splice(state.waiting.indexOf(w), 1);
        w.reject(new SupersededWrite());
      }
    }
    const place = this.takeReservation(intent) ?? { seq: this.seq++, enqueuedAt: this.now() };
    return new Promise<Turn>((resolve, reject) => {
      state.waiting.push({ intent, priority: PRIORITY[intent.kind], seq: place.seq, enqueuedAt: place.enqueuedAt, guard, resolve, reject });
      this.watchGuards();
      this.offer(installation, state);
      this.dispatch(installation, state);
    });
  }

  /**
   * Called by the holder of a closing write's turn: take up to `max` other closing writes that wait
   * on this replica and can ride in its GraphQL request, first ranked first. Each leaves the queue;
   * its own `acquire` resolves to a turn whose `carried` is settled by the holder.
   */
  takeRiders(installation: string, max: number): Rider[] {
    const state = this.installations.get(installation);
    if (!state || max <= 0 || (this.batchOffUntil.get(installation) ?? 0) > this.now()) return [];
    const taken = state.waiting
      .filter((w) => w.intent.kind === "close" && w.intent.batch)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, max);
    if (taken.length === 0) return [];
    for (const w of taken) state.waiting.splice(state.waiting.indexOf(w), 1);
    this.offer(installation, state);
    return taken.map((w) => {
      let settle: (result: CheckBatchResult) => void = noop;
      const carried = new Promise<CheckBatchResult>((resolve) => (settle = resolve));
      w.resolve({ sent: noop, end: noop, superseded: noop, carried });
      return { write: w.intent.batch!, settle: (result) => settle(result) };
    });
  }

  /** A batched request failed (wholly or in part): the installation's closing writes go alone for a while. */
  batchFailed(installation: string): void {
    this.batchOffUntil.set(installation, this.now() + BATCH_COOLDOWN_MS);
  }

  private isCheck(intent: WriteIntent): boolean {
    return intent.kind === "check" || intent.kind === "close";
  }

  private reserve(w: Pick<Waiting, "intent" | "seq" | "enqueuedAt">): void {
    if (!w.intent.pr || !this.isCheck(w.intent)) return;
    const held = this.reservations.get(w.intent.pr);
    // Keep the older place if the PR already has one.
    if (held && held.seq <= w.seq) return;
    this.reservations.set(w.intent.pr, { seq: w.seq, enqueuedAt: w.enqueuedAt, at: this.now() });
  }

  private takeReservation(intent: WriteIntent): { seq: number; enqueuedAt: number } | undefined {
    if (!intent.pr || !this.isCheck(intent)) return undefined;
    const held = this.reservations.get(intent.pr);
    if (!held) return undefined;
    this.reservations.delete(intent.pr);
    return this.now() - held.at <= RESERVATION_MS ? held : undefined;
  }

  /** Writes waiting for their turn, by kind (a turn being used is not counted). */
  backlog(): Record<WriteKind, number> {
    const counts = Object.fromEntries(WRITE_KINDS.map((k) => [k, 0])) as Record<WriteKind, number>;
    for (const state of this.installations.values()) for (const w of state.waiting) counts[w.intent.kind]++;
    return counts;
  }

  /** Writes waiting for one installation's turn. */
  queued(installation: string): number {
    return this.installations.get(installation)?.waiting.length ?? 0;
  }

  /** Installations with writes waiting or in flight. */
  get busy(): number {
    return this.installations.size;
  }

  private stateOf(installation: string): Installation {
    let state = this.installations.get(installation);
    if (!state) {
      state = { waiting: [], holding: false, dispatching: false };
      this.installations.set(installation, state);
    }
    return state;
  }

  /** The rank of a waiting write: its priority class (promoted after a long wait), then its arrival. */
  private rank(w: Waiting, now: number): number {
    return w.priority > PRIORITY.check && now - w.enqueuedAt >= this.promoteAfterMs ? PRIORITY.check : w.priority;
  }

  /** The write that goes next: best rank, then first come. */
  private best(state: Installation): Waiting | undefined {
    const now = this.now();
    let best: Waiting | undefined;
    let bestRank = Infinity;
    for (const w of state.waiting) {
      const r = this.rank(w, now);
      if (r < bestRank || (r === bestRank && best && w.seq < best.seq)) {
        best = w;
        bestRank = r;
      }
    }
    return best;
  }

  /** Score for the coordinator: the priority class, then the time of arrival (first come across replicas). */
  private score(w: Waiting): number {
    return this.rank(w, this.now()) * 1e13 + w.enqueuedAt;
  }

  /** Tell the other replicas what this one's best waiting write is now. */
  private offer(installation: string, state: Installation): void {
    if (!this.coordinator) return;
    const best = this.best(state);
    this.coordinator.offer(installation, best ? this.score(best) : undefined).catch((err: unknown) => this.onCoordinatorError(err));
  }

  private dispatch(installation: string, state: Installation): void {
    if (state.holding || state.dispatching) return;
    if (state.waiting.length === 0) {
      this.installations.delete(installation);
      this.offer(installation, state);
      return;
    }
    if (!this.coordinator) {
      this.grant(installation, state);
      return;
    }
    state.dispatching = true;
    void (async () => {
      try {
        for (;;) {
          const candidate = this.best(state);
          if (!candidate) break;
          let taken: boolean;
          try {
            taken = await this.coordinator!.tryTake(installation, this.score(candidate));
          } catch (err) {
            // Ordering across replicas is lost for this write, not the write: it takes its local turn.
            this.onCoordinatorError(err);
            taken = true;
          }
          if (taken) {
            // The best write now (a closing write may have arrived while we asked) gets the turn.
            if (state.waiting.length === 0) {
              await this.coordinator!.release(installation).catch((err: unknown) => this.onCoordinatorError(err));
              break;
            }
            state.dispatching = false;
            this.grant(installation, state, true);
            return;
          }
          await sleep(this.coordinatorPollMs);
        }
      } finally {
        if (state.dispatching) {
          state.dispatching = false;
          this.dispatch(installation, state);
        }
      }
    })();
  }

  private grant(installation: string, state: Installation, shared = false): void {
    const next = this.best(state);
    if (!next) return;
    state.waiting.splice(state.waiting.indexOf(next), 1);
    state.holding = true;
    // Before the turn can end, the others know what this replica has waiting next.
    if (shared) this.offer(installation, state);
    let done = false;
    let spaced = false;
    const finish = () => {
      if (done) return;
      done = true;
      state.holding = false;
      this.dispatch(installation, state);
    };
    const coordinator = shared ? this.coordinator : undefined;
    next.resolve({
      sent: () => {
        if (this.spacingMs <= 0 || spaced) return;
        spaced = true;
        coordinator?.sent(installation, this.spacingMs).catch((err: unknown) => this.onCoordinatorError(err));
        setTimeout(finish, this.spacingMs).unref();
      },
      end: () => {
        if (spaced || done) return;
        coordinator?.release(installation).catch((err: unknown) => this.onCoordinatorError(err));
        finish();
      },
      superseded: () => {
        this.reserve(next);
        if (spaced || done) return;
        coordinator?.release(installation).catch((err: unknown) => this.onCoordinatorError(err));
        finish();
      },
    });
  }

  /** While writes wait, ask their guards now and then: a superseded write leaves the queue early. */
  private watchGuards(): void {
    if (this.sweeping || this.guardPollMs <= 0) return;
    this.sweeping = setInterval(() => void this.sweep(), this.guardPollMs);
    this.sweeping.unref();
  }

  private async sweep(): Promise<void> {
    if (this.sweepRunning) return;
    this.sweepRunning = true;
    let any = false;
    try {
      for (const [installation, state] of this.installations) {
        if (state.waiting.length > 0) any = true;
        // A closing write is never dropped: the gate must close even while a newer evaluation runs.
        const asked = state.waiting.filter((w) => w.guard && w.intent.kind !== "close");
        const answers = await Promise.all(asked.map((w) => w.guard!().catch(() => false)));
        asked.forEach((w, n) => {
          const i = state.waiting.indexOf(w);
          if (!answers[n] || i < 0) return;
          state.waiting.splice(i, 1);
          this.reserve(w);
          w.reject(new SupersededWrite());
        });
        if (answers.some(Boolean)) this.offer(installation, state);
        if (!state.holding && !state.dispatching) this.dispatch(installation, state);
      }
    } finally {
      this.sweepRunning = false;
    }
    const now = this.now();
    for (const [pr, r] of this.reservations) if (now - r.at > RESERVATION_MS) this.reservations.delete(pr);
    if (!any && this.sweeping) {
      clearInterval(this.sweeping);
      this.sweeping = undefined;
    }
  }
}
