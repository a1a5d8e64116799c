// Remembers GitHub's answers to selected GETs with their ETag, so a repeat read can be a
// conditional request: a 304 costs no rate limit and carries no body, and the remembered answer
// stands in for it. Bounded by entry count and by (estimated) bytes; least recently used goes first.

export interface CachedResponse {
  status: number;
  url: string;
  headers: Record<string, string | number | undefined>;
  data: unknown;
}

interface Entry {
  etag: string;
  response: CachedResponse;
  bytes: number;
}

/**
 * The reads worth revalidating: the PR and its files, commits and reviews, our check runs on a
 * commit, file contents (the policy), the PR's issue events, and the open-PR list. Membership and
 * permission lookups are not here: they have their own short TTL (who may sign off must stay fresh).
 */
const SELECTED =
  /\/repos\/[^/]+\/[^/]+\/(?:pulls(?:\/\d+(?:\/(?:files|commits|reviews))?)?|commits\/[^/]+\/check-runs|contents\/.+|issues\/\d+\/events)$/;

export function isConditionalCandidate(method: string, url: string): boolean {
  if (method !== "GET") return false;
  return SELECTED.test(pathOf(url));
}

function pathOf(url: string): string {
  try {
    return new URL(url, "http://github.invalid").pathname;
  } catch {
    return url.split("?")[0] ?? url;
  }
}

export class EtagCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  /** Reads answered 304 from this cache. */
  hits = 0;

  constructor(
    private readonly maxEntries = 5_000,
    private readonly maxBytes = 32 * 1024 * 1024,
  ) {}

  /** The cache key: the full URL (with query) and the media type, since GitHub varies the body on Accept. */
  static key(url: string, accept: string | undefined): string {
    return `${url} ${accept ?? ""}`;
  }

  etag(key: string): string | undefined {
    return this.entries.get(key)?.etag;
  }

  /** The remembered answer for a 304, as a fresh copy: callers may reshape what they receive. */
  revalidated(key: string): CachedResponse | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.hits++;
    return { ...entry.response, headers: { ...entry.response.headers }, data: structuredClone(entry.response.data) };
  }

  remember(key: string, etag: string, response: CachedResponse): void {
    this.forget(key);
    const bytes = estimateBytes(response);
    if (bytes > this.maxBytes / 4) return; // one huge answer must not evict everything else
    this.entries.set(key, { etag, response, bytes });
    this.bytes += bytes;
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.forget(oldest);
    }
  }

  forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }
}

function estimateBytes(response: CachedResponse): number {
  // Not content-length: with gzip it counts compressed bytes. Parsed objects are larger than their JSON.
  if (typeof response.data === "string") return response.data.length * 2;
  try {
    return JSON.stringify(response.data).length * 2;
  } catch {
    return 1024;
  }
}
