// Re-evaluates a PR later when GitHub failed us: GitHub does not redeliver, and a rate-limited
// fail-closed write can leave a head with no check at all. Bounded attempts, retry-after honoured.
import { httpStatus } from "../github/octokit.js";

export interface RetryPolicy {
  /** First delay when GitHub gave none; doubled on each further attempt. */
  baseMs: number;
  /** Attempts per PR before giving up (recheck and re-run still work). */
  maxAttempts: number;
  /** No delay is longer than this, whatever retry-after says. */
  maxDelayMs: number;
}

interface Pending {
  timer: NodeJS.Timeout;
  done: Promise<void>;
}

/** The delay GitHub asked for: retry-after seconds, or until x-ratelimit-reset when the quota is spent. */
export function requestedDelayMs(err: unknown, now: number): number | undefined {
  const headers = (err as { response?: { headers?: Record<string, string | number | undefined> } } | null)?.response?.headers ?? {};
  const retryAfter = Number(headers["retry-after"]);
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return retryAfter * 1000;
  const reset = Number(headers["x-ratelimit-reset"]);
  if (String(headers["x-ratelimit-remaining"]) === "0" && Number.isFinite(reset)) return Math.max(0, reset * 1000 - now);
  return undefined;
}

/** Worth trying again later: GitHub or the network failed, not "this PR is gone". */
export function isRetryable(err: unknown): boolean {
  const status = httpStatus(err);
  return status === undefined || status >= 500 || status === 403 || status === 429 || status === 408;
}

export class RetryScheduler {
  private readonly pending = new Map<string, Pending>();
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly policy: RetryPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Schedule one more try of `task` for this key, unless one is already scheduled or the attempts
   * are spent. Returns the delay, or undefined when nothing was scheduled.
   */
  schedule(key: string, err: unknown, task: () => Promise<unknown>): number | undefined {
    if (this.pending.has(key) || !isRetryable(err)) return undefined;
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    if (attempt > this.policy.maxAttempts) return undefined;
    this.attempts.set(key, attempt);
    const fallback = this.policy.baseMs * 2 ** (attempt - 1);
    const delay = Math.min(this.policy.maxDelayMs, requestedDelayMs(err, this.now()) ?? fallback);
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const timer = setTimeout(() => {
      this.pending.delete(key);
      task()
        .then(
          () => this.attempts.delete(key),
          () => {}, // the task's own failure path schedules the next attempt
        )
        .finally(release);
    }, delay);
    timer.unref();
    this.pending.set(key, { timer, done });
    return delay;
  }

  /** Resolves when every scheduled try has run (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending.values()].map((p) => p.done));
  }

  close(): void {
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  get scheduled(): number {
    return this.pending.size;
  }
}
