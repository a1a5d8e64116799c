// One request hook per installation octokit: counts GitHub calls by kind and, for selected GETs,
// turns repeat reads into conditional requests (If-None-Match → 304 → the remembered answer).
import type { Octokit } from "./octokit.js";
import { httpStatus } from "./octokit.js";
import { EtagCache, isConditionalCandidate, type CachedResponse } from "./etag-cache.js";
import { checkBatchRequest, checkBatchResults, MAX_BATCH, type BatchableCheckWrite, type CheckBatchResult } from "./check-batch.js";
import {
  DroppedWrite,
  SupersededWrite,
  currentWriteGuard,
  currentWriteIntent,
  currentWritePr,
  kindOfPath,
  type WriteTurns,
} from "./write-turns.js";

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
  /** Absent: writes go straight to Probot's throttle (a composition without write turns). */
  turns?: WriteTurns | undefined;
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

const instrumented = new WeakSet<object>();

type RequestOptions = Parameters<Octokit["request"]["endpoint"]["parse"]>[0];
type Response = Awaited<ReturnType<Octokit["request"]>>;

/**
 * Install the hook once per octokit instance (Probot makes one per webhook event); later calls do
 * nothing. `installation` names the queue its writes take turns in.
 */
export function instrumentOctokit(octokit: Octokit, hooks: RequestHooks, installation = "default"): void {
  if (instrumented.has(octokit)) return;
  instrumented.add(octokit);
  const { etags, turns, timeoutMs } = hooks;
  const onRequest = hooks.onRequest
    ? (kind: RequestKind, status: number | undefined, headers: unknown) =>
        hooks.onRequest?.(kind, status, { installation, rateLimitRemaining: rateLimitRemaining(headers) })
    : undefined;

  octokit.hook.wrap("request", async (request, options) => {
    // The clock starts when the request is really sent (inside fetch), not while it waits its turn
    // in the write queue or Probot's throttle: a burst must not time out the writes it queues.
    if (timeoutMs) options.request = { ...options.request, fetch: withTimeout(options.request?.fetch ?? globalThis.fetch, timeoutMs) };
    const parsed = octokit.request.endpoint.parse(options as RequestOptions);
    const kind = requestKind(parsed.method, parsed.url);
    if (kind === "write" && turns) {
      // Our turn first (by priority: a closing check write goes first), then the evaluation's last
      // word, then Probot's throttle (nearly free by now). A closing write is never dropped.
      const guard = currentWriteGuard();
      const pr = currentWritePr();
      const intent = {
        ...(currentWriteIntent() ?? { kind: kindOfPath(new URL(parsed.url, "http://github.invalid").pathname) }),
        ...(pr ? { pr } : {}),
      };
      let turn = await turns.acquire(installation, intent, guard);
      if (turn.carried) {
        // Another closing write took this one along in its GraphQL request.
        const result = await turn.carried;
        if (result.ok) return carriedResponse(parsed.method, parsed.url, result.data);
        // It was not written: it goes alone, first in line (it is still a closing write).
        turn = await turns.acquire(installation, { ...intent, batch: undefined }, guard);
      }
      try {
        if (guard && intent.kind !== "close" && (await guard())) {
          turn.superseded();
          throw new SupersededWrite();
        }
        turn.sent();
        const riders = intent.batch ? turns.takeRiders(installation, MAX_BATCH - 1) : [];
        if (intent.batch && riders.length > 0) {
          const own = await sendCheckBatch(octokit, [intent.batch, ...riders.map((r) => r.write)]);
          riders.forEach((rider, i) => rider.settle(own[i + 1]!));
          if (own.some((r) => !r.ok)) turns.batchFailed(installation);
          if (own[0]!.ok) return carriedResponse(parsed.method, parsed.url, own[0]!.data);
          // Not written by the batch: this write goes alone now (Probot's throttle spaces it after the batch).
        }
        const response = (await request(options)) as Response;
        onRequest?.(kind, response.status, response.headers);
        return response;
      } catch (err) {
        if (!(err instanceof SupersededWrite) && !(err instanceof DroppedWrite)) onRequest?.(kind, httpStatus(err), errorHeaders(err));
        throw err;
      } finally {
        turn.end();
      }
    }
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

/**
 * Send closing check writes as one GraphQL request. It is a request of its own through the whole hook
 * chain (counted here as graphql, then Probot's throttle, where it takes one write slot, and the
 * installation's token); the turn it uses is the caller's. One result per write.
 */
async function sendCheckBatch(octokit: Octokit, writes: BatchableCheckWrite[]): Promise<CheckBatchResult[]> {
  // GitHub Enterprise Server answers GraphQL at /api/graphql, beside /api/v3.
  const baseUrl = octokit.request.endpoint.DEFAULTS.baseUrl.replace(/\/api\/v3\/?$/, "/api");
  try {
    // Inside the try: whatever goes wrong, every write gets a result (a rider waits for its own).
    const { query, variables } = checkBatchRequest(writes);
    const response = await octokit.request("POST /graphql", { baseUrl, query, variables });
    return checkBatchResults(response.data, writes.length);
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return writes.map(() => ({ ok: false as const, error }));
  }
}

/** The answer a carried write's caller gets, shaped like the REST answer it would have had. */
function carriedResponse(method: string, url: string, data: { id: number; node_id: string }): Response {
  return { status: method === "POST" ? 201 : 200, url, headers: {}, data } as unknown as Response;
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
