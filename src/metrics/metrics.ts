// Prometheus metrics: what operators watch (evaluations, latency, GitHub calls by kind, coalescing,
// how long PRs wait for sign-off) plus the default process metrics, served at GET /metrics.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { RequestKind } from "../github/instrument.js";
import type { Verdict } from "../core/types.js";

/** Process metrics (CPU, memory, event loop) are per process, not per app instance: one registry. */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export class Metrics {
  readonly registry = new Registry();

  readonly evaluations = new Counter({
    name: "countersign_evaluations_total",
    help: "Evaluations of pull requests, by outcome (not-gated, waiting, approved, changes-requested, overridden, invalid-policy, error) and risk tier.",
    labelNames: ["outcome", "tier"] as const,
    registers: [this.registry],
  });

  /** signoff.escalate: PRs that waited past `after` and asked `to` (counted when the request was written). */
  readonly escalations = new Counter({
    name: "countersign_escalations_total",
    help: "Pull requests that waited for sign-off longer than signoff.escalate.after and asked its reviewers too (once per PR).",
    registers: [this.registry],
  });

  /** Path-scoped freshness: earlier approvals kept because the pushes since touched none of their group's paths. */
  readonly approvalsKeptByPath = new Counter({
    name: "countersign_approvals_kept_by_path_total",
    help: "Approvals on an earlier commit kept for a signoff.require group with paths, because the changes since touched none of its paths (counted per evaluation that published).",
    registers: [this.registry],
  });

  readonly evaluationSeconds = new Histogram({
    name: "countersign_evaluation_duration_seconds",
    help: "Time from the start of an evaluation to its published result, including waits in Probot's write throttle.",
    labelNames: ["outcome"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });

  readonly githubRequests = new Counter({
    name: "countersign_github_requests_total",
    help: "Requests to the GitHub API by kind: read (GET), write (throttled, one a second per installation), graphql (throttled like writes), auth (installation tokens).",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });

  readonly githubNotModified = new Counter({
    name: "countersign_github_not_modified_total",
    help: "Reads answered 304 Not Modified thanks to a remembered ETag (free of rate limit).",
    registers: [this.registry],
  });

  readonly coalesced = new Counter({
    name: "countersign_coalesced_events_total",
    help: "Events that did not need an evaluation of their own: a run that started after them covered them.",
    registers: [this.registry],
  });

  readonly supersededPublishes = new Counter({
    name: "countersign_superseded_publishes_total",
    help: "Evaluations that skipped their writes because a newer event for the same PR was already queued (its follow-up writes instead).",
    registers: [this.registry],
  });

  readonly signoffWaitSeconds = new Histogram({
    name: "countersign_signoff_wait_seconds",
    help: "Time a pull request waited for sign-off, by risk tier (at sign-off): from the first evaluation that left it waiting to the one that found it approved or overridden.",
    labelNames: ["tier"] as const,
    buckets: [60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 604800],
    registers: [this.registry],
  });

  /** Where the waiting count comes from (the shared board, when there is Redis): set once the services exist. */
  private waitingSource?: (now: number) => Promise<Record<string, number>>;

  readonly waitingPullRequests = new Gauge({
    name: "countersign_waiting_pull_requests",
    help: "Pull requests waiting for sign-off now, by risk tier. With Redis, every replica reports the whole deployment's count (aggregate with max, not sum).",
    labelNames: ["tier"] as const,
    registers: [this.registry],
    collect: async () => {
      if (!this.waitingSource) return;
      try {
        const counts = await this.waitingSource(Date.now());
        for (const [tier, n] of Object.entries(counts)) this.waitingPullRequests.set({ tier }, n);
      } catch {
        // Redis is away: the scrape keeps the last known values rather than failing.
      }
    },
  });

  readonly approvals = new Counter({
    name: "countersign_approvals_total",
    help: "Approvals that signed off a head (counted when its passing check is written), by risk tier and basis: head (given on the head commit), same_diff (given on an earlier commit and kept because the changes since are only the base branch), older_commit (fresh_approval: false).",
    labelNames: ["tier", "basis"] as const,
    registers: [this.registry],
  });

  /** The approvals that signed off a head, once per check written for it: on the head, or kept by same-diff. */
  countApprovals(verdict: Verdict): void {
    if (verdict.outcome !== "approved" || verdict.mode !== "enforce") return;
    for (const review of verdict.reviews) {
      if (!review.counted || review.state !== "APPROVED") continue;
      const basis = review.basis === "same-diff" ? "same_diff" : review.basis === "older-commit" ? "older_commit" : "head";
      this.approvals.inc({ tier: verdict.risk.tier, basis });
    }
  }

  readonly mergedPullRequests = new Counter({
    name: "countersign_merged_pull_requests_total",
    help: "Merged pull requests, by whether they carried the AI label and by their risk label (the denominator of the revert rate).",
    labelNames: ["ai_assisted", "tier"] as const,
    registers: [this.registry],
  });

  readonly bypassedMerges = new Counter({
    name: "countersign_bypassed_merges_total",
    help: "Gated pull requests merged without a passing Countersign check or an override (labelled countersign:bypassed), by tier.",
    labelNames: ["tier"] as const,
    registers: [this.registry],
  });

  readonly reverts = new Counter({
    name: "countersign_reverts_total",
    help: "Merged pull requests that revert an earlier PR, by the reverted PR's AI label and risk label.",
    labelNames: ["ai_assisted", "tier"] as const,
    registers: [this.registry],
  });

  readonly inFlight = new Gauge({
    name: "countersign_evaluations_in_flight",
    help: "Evaluations running now in this process.",
    registers: [this.registry],
  });

  readonly handlerFailures = new Counter({
    name: "countersign_handler_failures_total",
    help: 'Webhook handlers that failed outside an evaluation (an evaluation\'s own failures are countersign_evaluations_total{outcome="error"}), by event.',
    labelNames: ["event"] as const,
    registers: [this.registry],
  });

  readonly githubResponses = new Counter({
    name: "countersign_github_responses_total",
    help: 'Answers from the GitHub API by request kind and status class (2xx, 3xx, 4xx, 5xx; "none": no answer, e.g. a timeout).',
    labelNames: ["kind", "status_class"] as const,
    registers: [this.registry],
  });

  readonly rateLimitRemaining = new Gauge({
    name: "countersign_github_rate_limit_remaining",
    help: "The installation's remaining REST API rate limit, from the x-ratelimit-remaining header of its latest answer.",
    labelNames: ["installation"] as const,
    registers: [this.registry],
  });

  readonly deliveries = new Counter({
    name: "countersign_deliveries_total",
    help: "Verified webhook deliveries by what became of them: accepted (stored before the 2xx), refused (the stream was full: 503), handled, claimed (taken over from a replica that died), duplicate (handled before; acknowledged only), dropped (claimed too often), echo (the app's own label write coming back; not evaluated).",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  private deliveriesPendingSource?: () => Promise<number>;

  readonly deliveriesPending = new Gauge({
    name: "countersign_delivery_stream_pending",
    help: "Deliveries accepted (answered 2xx) and not yet handled to the end. With Redis, the whole deployment's stream (aggregate with max, not sum).",
    registers: [this.registry],
    collect: async () => {
      if (!this.deliveriesPendingSource) return;
      try {
        this.deliveriesPending.set(await this.deliveriesPendingSource());
      } catch {
        // Redis is away: keep the last known value.
      }
    },
  });

  /** Report the delivery stream's pending count at every scrape. */
  watchDeliveries(source: () => Promise<number>): void {
    this.deliveriesPendingSource = source;
  }

  readonly sweepPullRequests = new Counter({
    name: "countersign_sweep_pull_requests_total",
    help: "Open pull requests seen by a background sweep (installation: a new installation or repositories added; reconcile: the check-up on start), by result: evaluated, current (the check was up to date; reconcile only), failed.",
    labelNames: ["sweep", "result"] as const,
    registers: [this.registry],
  });

  readonly sweepRateLimitWaits = new Counter({
    name: "countersign_sweep_rate_limit_waits_total",
    help: "Times a background sweep waited for the rate-limit window to reset, to leave the reserve to live events.",
    registers: [this.registry],
  });

  /** Errors an evaluation already counted (as outcome "error"), so a handler failing with one is not counted twice. */
  private readonly evaluationErrors = new WeakSet<object>();

  readonly backlogWrites = new Gauge({
    name: "countersign_backlog_writes",
    help: "Throttled writes waiting for their turn in this process, by kind: close (a check write that closes the gate; goes first), check, label, review, other, reaction.",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });

  /** Read the write queue at each scrape. */
  observeBacklog(read: () => Record<string, number>): void {
    this.backlog = read;
  }

  private backlog: (() => Record<string, number>) | undefined;

  constructor() {
    // Every kind is exported from the start (at 0), so a scrape before the first event already shows the series.
    for (const kind of ["read", "write", "graphql", "auth"] as const) this.githubRequests.inc({ kind }, 0);
    this.deliveriesPending.set(0);
    for (const tier of ["low", "medium", "high", "critical"] as const) {
      this.signoffWaitSeconds.zero({ tier });
      this.waitingPullRequests.set({ tier }, 0);
      this.bypassedMerges.inc({ tier }, 0);
    }
  }

  /** Report the waiting pull requests from this board at every scrape. */
  watchWaiting(source: (now: number) => Promise<Record<string, number>>): void {
    this.waitingSource = source;
  }

  countRequest(
    kind: RequestKind,
    status: number | undefined,
    answer: { installation?: string | undefined; rateLimitRemaining?: number | undefined } = {},
  ): void {
    this.githubRequests.inc({ kind });
    if (status === 304) this.githubNotModified.inc();
    this.githubResponses.inc({ kind, status_class: statusClass(status) });
    if (answer.installation !== undefined && answer.rateLimitRemaining !== undefined) {
      this.rateLimitRemaining.set({ installation: answer.installation }, answer.rateLimitRemaining);
    }
  }

  /** An evaluation failed with this error (and counted it); see countHandlerFailure. */
  noteEvaluationError(err: unknown): void {
    if (err !== null && typeof err === "object") this.evaluationErrors.add(err);
  }

  /** A webhook handler failed: counted unless the failure was an evaluation's, already counted as such. */
  countHandlerFailure(event: string, err: unknown): void {
    if (err !== null && typeof err === "object" && this.evaluationErrors.has(err)) return;
    this.handlerFailures.inc({ event });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    if (this.backlog) for (const [kind, n] of Object.entries(this.backlog())) this.backlogWrites.set({ kind }, n);
    const [own, process] = await Promise.all([this.registry.metrics(), processMetrics().metrics()]);
    return { contentType: this.registry.contentType, body: `${own}\n${process}` };
  }
}

/** "2xx" … "5xx" for an HTTP status; "none" when there was no answer. */
export function statusClass(status: number | undefined): string {
  return status === undefined || status < 100 || status > 599 ? "none" : `${Math.floor(status / 100)}xx`;
}

/** A handler for Probot's server: GET /metrics; anything else is left to the next handler. */
export function metricsHandler(metrics: Metrics) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = req.url?.split("?")[0] ?? "";
    if (req.method !== "GET" || path !== "/metrics") return false;
    const { contentType, body } = await metrics.render();
    res.writeHead(200, { "content-type": contentType }).end(body);
    return true;
  };
}
