// Background work (the installation sweep, the reconciliation on start) spends the installation's
// rate limit only where live events are left enough of it, and gives way to live events.
//
// RateBudget reads x-ratelimit-limit / -remaining / -reset from every answer GitHub gives the app
// and admits one unit of background work (one PR's reads, at most `cost` requests) only while the
// remaining requests, less what admitted work may still spend, stay above the reserve (a fraction
// of the limit, 20% by default). Otherwise the work waits for the window to reset. So a sweep never
// runs the installation into a 403, and live events always find the reserve. While the window is
// unknown (before the first answer, or once a reset has passed) one unit goes ahead and its first
// answer tells the new window; the others wait for that answer instead of all starting blind.
//
// LiveTraffic counts the live deliveries being handled; background work waits while there are
// `busyAt` or more (at most `maxYieldMs` at a time, so a steady stream of events cannot starve it).

export interface RateWindow {
  limit: number;
  remaining: number;
  /** When the window resets, in ms since the epoch. */
  resetAt: number;
}

export interface RateBudgetOptions {
  /** The share of the limit background work never spends (default 0.2). */
  reserveFraction?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Called when background work waits for a reset. */
  onWait?: (installation: string, ms: number, window: RateWindow) => void;
}

function header(headers: unknown, name: string): number | undefined {
  const value = (headers as Record<string, unknown> | null | undefined)?.[name];
  const n = typeof value === "string" || typeof value === "number" ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** The longest a unit waits for the first answer of an unknown window before it asks again. */
const PROBE_WAIT_MS = 1_000;

export class RateBudget {
  private readonly windows = new Map<string, RateWindow>();
  /** Per installation whose window is unknown: the unit of work sent ahead to learn it. */
  private readonly probes = new Map<string, symbol>();
  /** Units waiting for the next answer of an installation. */
  private readonly waiting = new Map<string, Array<() => void>>();
  private readonly admitted = new Map<string, number>();
  private readonly reserveFraction: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: RateBudgetOptions = {}) {
    this.reserveFraction = options.reserveFraction ?? 0.2;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** An answer's headers (a response's, or an error's response's). Answers of the REST core resource only. */
  observe(installation: string, headers: unknown): void {
    const limit = header(headers, "x-ratelimit-limit");
    const remaining = header(headers, "x-ratelimit-remaining");
    const reset = header(headers, "x-ratelimit-reset");
    const resource = (headers as Record<string, unknown> | null | undefined)?.["x-ratelimit-resource"];
    if (limit === undefined || remaining === undefined || reset === undefined) return;
    if (resource !== undefined && resource !== "core") return;
    const resetAt = reset * 1000;
    const known = this.windows.get(installation);
    // Answers of one window arrive out of order: the lowest remaining is the latest; a late answer of an older window tells nothing.
    if (known && (resetAt < known.resetAt || (known.resetAt === resetAt && known.remaining <= remaining))) return;
    this.windows.set(installation, { limit, remaining, resetAt });
    // The window is known: the units waiting for it look again.
    this.endProbe(installation);
  }

  /** No unit is sent ahead any more (an answer came, or the one sent ahead ended): the waiting units look again. */
  private endProbe(installation: string): void {
    this.probes.delete(installation);
    const woken = this.waiting.get(installation);
    this.waiting.delete(installation);
    for (const wake of woken ?? []) wake();
  }

  private nextAnswer(installation: string): Promise<void> {
    return new Promise((resolve) => {
      const list = this.waiting.get(installation) ?? [];
      list.push(resolve);
      this.waiting.set(installation, list);
    });
  }

  window(installation: string): RateWindow | undefined {
    return this.windows.get(installation);
  }

  /**
   * Wait until one unit of background work that makes at most `cost` requests may start; returns
   * the function that ends it. While the window is unknown, one unit goes ahead (its first answer
   * tells the window) and the others wait for that answer.
   */
  async admit(installation: string, cost: number): Promise<() => void> {
    let probe: symbol | undefined;
    for (;;) {
      const w = this.windows.get(installation);
      const now = this.now();
      // The reset passed: what remains is unknown until the next answer.
      if (w && now >= w.resetAt) this.windows.delete(installation);
      const known = w && now < w.resetAt ? w : undefined;
      if (!known) {
        if (!this.probes.has(installation)) {
          probe = Symbol(installation);
          this.probes.set(installation, probe);
          break;
        }
        await Promise.race([this.nextAnswer(installation), this.sleep(PROBE_WAIT_MS)]);
        continue;
      }
      const inUse = this.admitted.get(installation) ?? 0;
      if (known.remaining - inUse - cost >= Math.ceil(known.limit * this.reserveFraction)) break;
      const ms = known.resetAt - now + 1_000;
      this.options.onWait?.(installation, ms, known);
      await this.sleep(ms);
    }
    this.admitted.set(installation, (this.admitted.get(installation) ?? 0) + cost);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const left = (this.admitted.get(installation) ?? cost) - cost;
      if (left > 0) this.admitted.set(installation, left);
      else this.admitted.delete(installation);
      // A probe that ends without an answer (its work made no request) lets the next unit ask.
      if (probe && this.probes.get(installation) === probe) this.endProbe(installation);
    };
  }
}

export class LiveTraffic {
  private live = 0;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly busyAt = 4,
    private readonly maxYieldMs = 5_000,
  ) {}

  get count(): number {
    return this.live;
  }

  /** A live delivery starts; call the returned function when it is done. */
  begin(): () => void {
    this.live++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.live--;
      if (this.live < this.busyAt) for (const wake of this.waiters.splice(0)) wake();
    };
  }

  /** Resolves at once when live traffic is light, else when it becomes light (or after maxYieldMs). */
  async quiet(): Promise<void> {
    if (this.live < this.busyAt) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.maxYieldMs);
      timer.unref?.();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }
}
