// A small in-memory cache whose entries expire, bounded in size; the clock is injectable for tests.

export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  private readonly loading = new Map<string, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** False when the TTL is zero: nothing is ever kept (a cache switched off). */
  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      // Map keeps insertion order: the first key is the oldest.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
  }

  /**
   * The cached value, or the loader's. Concurrent callers for one key share one load (a burst of
   * evaluations asks GitHub once); a failed load is not cached, and every waiting caller sees its error.
   */
  async getOrLoad(key: string, load: () => Promise<V>, options: { refreshAhead?: number } = {}): Promise<V> {
    const cached = this.get(key);
    if (cached !== undefined) {
      // Refresh ahead (`refreshAhead`: the fraction of the lifetime left at which to reload): a value
      // about to expire is still handed out (it is within its lifetime), and its reload starts now,
      // so the next caller does not wait for it. A value is never kept past its lifetime; errors are not cached.
      const entry = this.entries.get(key);
      const within = (options.refreshAhead ?? 0) * this.ttlMs;
      if (within > 0 && entry && entry.expires - this.now() <= within && !this.loading.has(key)) this.loadShared(key, load).catch(() => {});
      return cached;
    }
    if (this.ttlMs <= 0) return load();
    return this.loading.get(key) ?? this.loadShared(key, load);
  }

  /** One load per key at a time; its value is kept unless the key was deleted meanwhile. */
  private async loadShared(key: string, load: () => Promise<V>): Promise<V> {
    const promise = load().then((value) => {
      // A delete() while loading means the value may already be stale: hand it out, do not keep it.
      if (this.loading.get(key) === promise) this.set(key, value);
      return value;
    });
    this.loading.set(key, promise);
    try {
      return await promise;
    } finally {
      if (this.loading.get(key) === promise) this.loading.delete(key);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
    this.loading.delete(key);
  }

  /** Drop every key that starts with the prefix (e.g. one repository's entries). */
  deletePrefix(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
    for (const key of this.loading.keys()) if (key.startsWith(prefix)) this.loading.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.loading.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
