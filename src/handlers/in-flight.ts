// The work the process has accepted and not finished (webhook requests, the evaluations they
// started), so that a shutdown can wait for it — for a bounded time — before the process exits.

export class InFlight {
  private readonly running = new Set<Promise<unknown>>();
  private readonly waiters = new Set<() => void>();

  /** How many tracked tasks are running now. */
  get size(): number {
    return this.running.size;
  }

  /** Track a task until it settles; returns the same promise (its outcome is the caller's). */
  track<T>(task: Promise<T>): Promise<T> {
    this.running.add(task);
    const done = () => {
      this.running.delete(task);
      if (this.running.size === 0) for (const wake of [...this.waiters]) wake();
    };
    task.then(done, done);
    return task;
  }

  /**
   * Resolves true once nothing is running (tasks started meanwhile are waited for too), or false
   * after `timeoutMs` with work still running.
   */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.running.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        resolve(this.running.size === 0);
      }, timeoutMs);
      this.waiters.add(wake);
    });
  }
}
