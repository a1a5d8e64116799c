// The fault schedule: deterministic rules that make the simulator answer with errors, rate limits,
// extra delay, dropped connections or GraphQL partial errors, with counters of what was injected.

import type { Reply } from "./router.js";

export type CallKind = "read" | "write" | "graphql" | "token";

/** What one request looks like to a rule. */
export interface RequestInfo {
  method: string;
  /** Path without the /api/v3 prefix and without the query, e.g. /repos/acme/shop/pulls/7. */
  path: string;
  /** The route's name, e.g. "pulls.get", "checks.create" (see the route table); "unknown" when none matched. */
  route: string;
  kind: CallKind;
}

export type FaultAction =
  /** Answer with this status (and body) instead of the real answer. */
  | { type: "status"; status: number; message?: string; headers?: Record<string, string> }
  /** A primary rate limit: 403 (or 429) with x-ratelimit-remaining: 0 and x-ratelimit-reset in `resetInSeconds`. */
  | { type: "rate-limit"; status?: 403 | 429; resetInSeconds?: number }
  /** A secondary rate limit: 403 (or 429) with retry-after and GitHub's "secondary rate limit" message. */
  | { type: "secondary-rate-limit"; status?: 403 | 429; retryAfterSeconds?: number }
  /** Answer normally, but this much later (on top of the per-call latency). */
  | { type: "delay"; ms: number }
  /**
   * Answer normally (read from the model when the request arrives), but only once `until` settles: a
   * request that is "still in flight" for exactly as long as a test needs, where a delay would be a guess.
   */
  | { type: "hold"; until: Promise<unknown> }
  /** Never answer; destroy the connection after `afterMs` (a timeout or reset, as the client sees it). */
  | { type: "drop"; afterMs?: number }
  /** GraphQL only: answer normally, and add these errors next to the data (a partial answer). */
  | { type: "graphql-errors"; errors?: Array<{ message: string; type?: string; path?: string[] }>; nullData?: boolean };

export interface FaultRule {
  /** A name for the counters; generated when missing. */
  id?: string;
  /** Which requests the rule looks at; every field given must match. An empty match means all requests. */
  match?: {
    route?: string | RegExp;
    method?: string;
    path?: string | RegExp;
    kind?: CallKind | CallKind[];
  };
  /** Inject on every Nth matching request (1 = every one). Default 1. */
  every?: number;
  /** Let the first N matching requests through untouched. Default 0. */
  after?: number;
  /** Inject at most this many times, then stop. Default unlimited. */
  times?: number;
  action: FaultAction;
}

interface ActiveRule {
  id: string;
  rule: FaultRule;
  seen: number;
  injected: number;
}

/** The counters of one rule: how many requests it matched and how many it changed. */
export interface FaultCount {
  id: string;
  action: FaultAction["type"];
  matched: number;
  injected: number;
}

function matches(value: string, pattern: string | RegExp | undefined): boolean {
  if (pattern === undefined) return true;
  return typeof pattern === "string" ? value === pattern : pattern.test(value);
}

export class FaultSchedule {
  private rules: ActiveRule[] = [];
  private counter = 0;

  /** Add a rule; returns its id. Rules are consulted in the order added; the first that fires wins. */
  add(rule: FaultRule): string {
    const id = rule.id ?? `fault-${++this.counter}`;
    this.rules.push({ id, rule, seen: 0, injected: 0 });
    return id;
  }

  remove(id: string): void {
    this.rules = this.rules.filter((r) => r.id !== id);
  }

  clear(): void {
    this.rules = [];
  }

  /** The action to apply to this request, if a rule fires; advances the rules' counters. */
  decide(info: RequestInfo): { id: string; action: FaultAction } | undefined {
    let fired: { id: string; action: FaultAction } | undefined;
    for (const active of this.rules) {
      const m = active.rule.match ?? {};
      const kinds = m.kind === undefined ? undefined : Array.isArray(m.kind) ? m.kind : [m.kind];
      if (!matches(info.route, m.route) || !matches(info.path, m.path)) continue;
      if (m.method !== undefined && m.method.toUpperCase() !== info.method) continue;
      if (kinds && !kinds.includes(info.kind)) continue;
      active.seen++;
      if (fired) continue;
      const every = Math.max(1, active.rule.every ?? 1);
      const after = active.rule.after ?? 0;
      const exhausted = active.rule.times !== undefined && active.injected >= active.rule.times;
      if (active.seen <= after || exhausted || (active.seen - after) % every !== 0) continue;
      active.injected++;
      fired = { id: active.id, action: active.rule.action };
    }
    return fired;
  }

  counts(): FaultCount[] {
    return this.rules.map((r) => ({ id: r.id, action: r.rule.action.type, matched: r.seen, injected: r.injected }));
  }

  get totalInjected(): number {
    return this.rules.reduce((n, r) => n + r.injected, 0);
  }
}

function rateLimited(status: number | undefined, message: string, anchor: string, headers: Record<string, string>): Reply {
  const documentation_url = `https://docs.github.com/rest/overview/rate-limits-for-the-rest-api${anchor}`;
  return { status: status ?? 403, body: { message, documentation_url }, headers };
}

/** The answer a status or rate-limit fault gives instead of the real one (both transports). */
export function faultReply(action: Exclude<FaultAction, { type: "delay" | "hold" | "drop" | "graphql-errors" }>): Reply {
  const now = Math.floor(Date.now() / 1000);
  switch (action.type) {
    case "status":
      return {
        status: action.status,
        body: { message: action.message ?? `Simulated ${action.status}` },
        ...(action.headers ? { headers: action.headers } : {}),
      };
    case "rate-limit":
      return rateLimited(action.status, "API rate limit exceeded for installation.", "", {
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": String(now + (action.resetInSeconds ?? 60)),
      });
    case "secondary-rate-limit":
      return rateLimited(
        action.status,
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        "#about-secondary-rate-limits",
        { "retry-after": String(action.retryAfterSeconds ?? 60) },
      );
  }
}

/** A GraphQL answer with the fault's errors next to (or instead of) its data. */
export function withGraphqlErrors(reply: Reply, action: Extract<FaultAction, { type: "graphql-errors" }>): Reply {
  const current = (reply.body ?? {}) as { data?: unknown; errors?: unknown[] };
  const errors = action.errors ?? [{ type: "SERVICE_UNAVAILABLE", message: "Simulated partial failure", path: [] }];
  return { ...reply, body: { data: action.nullData ? null : (current.data ?? null), errors: [...(current.errors ?? []), ...errors] } };
}
