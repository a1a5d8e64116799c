// One request hook per installation octokit, and only for what every request shares: it counts GitHub
// calls by kind, status and rate limit left (metrics), turns repeat reads into conditional requests
// (If-None-Match → 304 → the remembered answer) and gives each attempt a time-out. It never decides
// whether or when a write is sent: that is github/publisher.ts, the only place that writes.
import type { Octokit } from "./octokit.js";
import { httpStatus } from "./octokit.js";
import { EtagCache, isConditionalCandidate, type CachedResponse } from "./etag-cache.js";

/**
 * Reads are cheap; writes and GraphQL queries share Probot's per-installation throttle (one a second);
 * "auth" is the installation token (once an hour per installation), which the throttle also sets apart.
 */
export type RequestKind = "read" | "write" | "graphql" | "auth";

/** The requests that mint tokens, as @octokit/plugin-throttling tells them apart. */
const AUTH = /^\/(?:app\/installations\/[^/]+\/access_tokens|applications\/[^/]+\/token(?:\/scoped)?|login\/oauth\/access_token)$/;

export interface RequestHooks {
  /** Absent: no conditional requests (a composition without ETags). */
  etags?: EtagCache | undefined;
  /**
   * Called once per request that reached GitHub, with its HTTP status (undefined: no answer), the
   * installation whose token it used and the rate limit GitHub says that installation has left.
   */
  onRequest?: ((kind: RequestKind, status: number | undefined, answer: RequestAnswer) => void) | undefined;
  /** Each attempt at a request is abandoned after this long, so a hung connection cannot hold a PR's queue (0: no limit). */
  timeoutMs?: number | undefined;
}

/** What an answer says about the installation's budget. */
export interface RequestAnswer {
  installation: string;
  /** x-ratelimit-remaining, when the answer carried it. */
  rateLimitRemaining?: number | undefined;
}

/** x-ratelimit-remaining of a response or of an error's response. */
export function rateLimitRemaining(headers: unknown): number | undefined {
  const value = (headers as Record<string, unknown> | null | undefined)?.["x-ratelimit-remaining"];
  const n = typeof value === "string" || typeof value === "number" ? Number(value) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

const errorHeaders = (err: unknown): unknown => (err as { response?: { headers?: unknown } } | null)?.response?.headers;

export function requestKind(method: string, url: string): RequestKind {
  let path = url;
  try {
    path = new URL(url, "http://github.invalid").pathname;
  } catch {
    // keep the raw URL
  }
  if (path.endsWith("/graphql")) return "graphql";
  if (method !== "GET" && AUTH.test(path.replace(/^\/api\/v3(?=\/)/, ""))) return "auth";
  return method === "GET" || method === "HEAD" ? "read" : "write";
}

/** The installation each instrumented octokit writes for: its publisher takes that installation's write turns. */
const installations = new WeakMap<object, string>();

/** The installation an octokit was instrumented for ("default" when it was not). */
export function installationOf(octokit: Octokit): string {
  return installations.get(octokit) ?? "default";
}

type RequestOptions = Parameters<Octokit["request"]["endpoint"]["parse"]>[0];
type Response = Awaited<ReturnType<Octokit["request"]>>;

/**
 * Install the hook once per octokit instance (Probot makes one per webhook event); later calls do
 * nothing. `installation` is the installation whose token the octokit uses (for the metrics).
 */
export function instrumentOctokit(octokit: Octokit, hooks: RequestHooks, installation = "default"): void {
  if (installations.has(octokit)) return;
  installations.set(octokit, installation);
  const { etags, timeoutMs } = hooks;
  const onRequest = hooks.onRequest
    ? (kind: RequestKind, status: number | undefined, headers: unknown) =>
        hooks.onRequest?.(kind, status, { installation, rateLimitRemaining: rateLimitRemaining(headers) })
    : undefined;

  octokit.hook.wrap("request", async (request, options) => {
    // The clock starts when the request is really sent (inside fetch), not while it waits in
    // Probot's throttle: a burst must not time out the writes it queues.
    if (timeoutMs) options.request = { ...options.request, fetch: withTimeout(options.request?.fetch ?? globalThis.fetch, timeoutMs) };
    const parsed = octokit.request.endpoint.parse(options as RequestOptions);
    const kind = requestKind(parsed.method, parsed.url);
    const key = etags && isConditionalCandidate(parsed.method, parsed.url) ? EtagCache.key(parsed.url, parsed.headers.accept) : undefined;
    const etag = key ? etags?.etag(key) : undefined;
    if (etag) options.headers = { ...options.headers, "if-none-match": etag };
    try {
      const response = (await request(options)) as Response;
      onRequest?.(kind, response.status, response.headers);
      if (key && etags) {
        const fresh = typeof response.headers.etag === "string" ? response.headers.etag : undefined;
        if (fresh) etags.remember(key, fresh, snapshotOf(response));
        else etags.forget(key);
      }
      return response;
    } catch (err) {
      const status = httpStatus(err);
      onRequest?.(kind, status, errorHeaders(err));
      if (status === 304 && key && etags) {
        const remembered = etags.revalidated(key);
        if (remembered) return remembered as Response;
      }
      throw err;
    }
  });
}

type Fetch = typeof globalThis.fetch;

/** A fetch that gives up after `ms`, keeping any abort signal the caller passed. */
function withTimeout(fetch: Fetch, ms: number): Fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(ms);
    return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
  };
}

/** What the cache keeps of a response: its own copy of the fields, so later reshaping (paginate) cannot reach it. */
function snapshotOf(response: Response): CachedResponse {
  return { status: response.status, url: response.url, headers: { ...response.headers } as CachedResponse["headers"], data: response.data };
}
