// What the handlers share for the life of the app: names, caches, the gate that serialises and
// coalesces evaluations, metrics. Built once from env; docs/scaling.md describes every knob.
import { RetryScheduler } from "../scale/retry.js";
import type { Logger } from "probot";
import { Coalescer } from "../scale/coalescer.js";
import { TtlCache } from "../github/ttl-cache.js";
import { EtagCache } from "../github/etag-cache.js";
import { PolicyCache } from "../github/policy-cache.js";
import type { RequestHooks } from "../github/instrument.js";
import type { Permission } from "../github/directory.js";
import type { DiffDigest } from "../core/same-diff.js";
import type { Actor } from "../core/types.js";
import { NOTES_ABSENT_MAX_MS, type NotesIndex, type ProvenanceCaches } from "../github/provenance.js";
import { Metrics } from "../metrics/metrics.js";
import { InFlight } from "./in-flight.js";
import { LocalPullGate, type PullGate } from "../scale/pull-gate.js";
import { RedisPullGate } from "../scale/redis-gate.js";
import { createRedis, RedisLabelMemory, RedisPolicyEpochs } from "../scale/redis.js";
import { RedisTurnCoordinator } from "../scale/redis-turns.js";
import { WriteTurns } from "../github/write-turns.js";
import { LocalWaitingBoard, RedisWaitingBoard, type WaitingBoard } from "../scale/waiting-board.js";
import { LocalMergeLedger, RedisMergeLedger, type MergeLedger } from "../scale/merge-ledger.js";
import { LabelRegistry } from "../github/label-registry.js";
import { LocalReviewLoad, RedisReviewLoad, type ReviewLoad } from "../scale/review-load.js";
import { LocalEscalationBoard, RedisEscalationBoard, type EscalationBoard } from "../scale/escalation-sweep.js";
import type { CodeownersRule } from "../core/codeowners.js";
import type { ChangedSince } from "../core/path-scope.js";

export interface Services {
  checkName: string;
  appId: number | undefined;
  /** The local coalescer (the gate uses it when there is no Redis). */
  coalescer: Coalescer;
  /** Who evaluates a PR and when: one at a time per PR, bursts folded into one follow-up. */
  gate: PullGate;
  policies: PolicyCache;
  metrics: Metrics;
  /** Which PRs wait for sign-off now, by tier (shared through Redis when there is one). */
  waiting: WaitingBoard;
  /** Webhook deliveries and the handlers they started, still running (a graceful shutdown waits for them). */
  inFlight: InFlight;
  /** Merges already counted (shared through Redis when there is one): a redelivery is not counted twice. */
  merges: MergeLedger;
  /** Evaluations that failed on GitHub's side are tried again later (GitHub does not redeliver). */
  retries: RetryScheduler;
  /** What every installation octokit's request hook does: conditional requests, request counting, time-outs. */
  requestHooks: RequestHooks;
  /**
   * The installations' write queues, by priority (github/write-turns.ts), which every publisher
   * (github/publisher.ts) takes its turns in; undefined: writes are sent at once (a composition without them).
   */
  turns: WriteTurns | undefined;
  /** Called when a push changes a repository's policy (cached policies are dropped here, and on other replicas). */
  onPolicyChanged?: (owner: string, repo: string) => void;
  caches: {
    /** Active team membership per team and login. Short-lived: a senior removed from a team stops counting within this time. */
    membership: TtlCache<boolean>;
    permission: TtlCache<Permission>;
    /** Labels known to exist per repository; each missing one is created once (across replicas with Redis). */
    labels: LabelRegistry;
    /** Per PR, how many runs in a row left their writes to a follow-up (bounded, so a check is always written). */
    yields: TtlCache<number>;
    /** `same-diff` digests per (base SHA, commit SHA): commits are immutable, so only size bounds them. */
    diffs: TtlCache<DiffDigest>;
    /** The people behind a team or permission spec, for "could sign off now". As short-lived as membership. */
    people: TtlCache<{ people: Actor[]; complete: boolean }>;
    /** Git AI notes: which repositories have none (NOTES_REF_CACHE_SECONDS), and notes by SHA. */
    provenance: ProvenanceCaches;
    /** The accounts GitHub links to a commit's authors and co-authors, per SHA (they do not change). */
    coAuthors: TtlCache<Actor[]>;
    /** Path-scoped freshness: the paths changed between an approved commit and the head (immutable pairs). */
    changedSince: TtlCache<ChangedSince>;
  };
  /** Seniors' time (handlers/seniors.ts): open requests per person, the escalation board, ownership reads, the clock. */
  seniors: {
    load: ReviewLoad;
    escalations: EscalationBoard;
    codeowners: TtlCache<CodeownersRule[]>;
    changers: TtlCache<string[]>;
    /** Milliseconds now; tests replace it to let time pass without waiting. */
    clock: () => number;
  };
  /** ESCALATION_SWEEP_SECONDS: how often PRs past their signoff.escalate deadline are re-evaluated (0: never). */
  escalationSweepSeconds: number;
  /** SIGNOFF_CANDIDATES: how many people the summary names as able to sign off now (0: none, and no reads for it). */
  candidatesLimit: number;
  /** Give the services the app's logger (known once Probot loads the app). */
  useLogger(log: Logger): void;
  /** Whether this replica can take deliveries: with REDIS_URL, only while Redis answers (GET /ready). */
  checkReady(): Promise<{ ok: boolean; reason: string }>;
  /** Close connections (Redis); the process can exit afterwards. */
  close(): Promise<void>;
}

function number(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) && n >= 0 ? n : fallback;
}

/**
 * Parts a composition may replace; the app itself passes none. The benchmark's baseline
 * (bench/lib/naive-app.ts) composes the app without coalescing, caches or write turns this way.
 */
export interface ServiceParts {
  /** Who evaluates a PR and when; by default the coalescing gate (shared through Redis with REDIS_URL). */
  gate?: PullGate;
  /** False: writes go straight to Probot's throttle, without waiting for a write turn by priority. */
  writeTurns?: boolean;
  /** The lifetime in ms of every cache of GitHub's answers (ETags included), over the defaults and env knobs; 0 keeps nothing. */
  cacheMs?: number;
}

export function createServices(env: NodeJS.ProcessEnv = process.env, parts: ServiceParts = {}): Services {
  const ttl = (ms: number) => parts.cacheMs ?? ms;
  const membershipTtl = ttl(number(env.MEMBERSHIP_CACHE_SECONDS, 60) * 1000);
  const policyTtl = ttl(number(env.POLICY_CACHE_SECONDS, 300) * 1000);
  const labelTtl = ttl(60 * 60 * 1000);
  // No webhook announces a new refs/notes/ai: a repository without one is looked at again after this long (a few minutes at most).
  const notesAbsentTtl = ttl(Math.min(number(env.NOTES_REF_CACHE_SECONDS, 180) * 1000, NOTES_ABSENT_MAX_MS));
  const immutableTtl = ttl(24 * 60 * 60 * 1000);
  const etagBytes = parts.cacheMs === 0 ? 0 : number(env.ETAG_CACHE_MB, 32) * 1024 * 1024;
  const delayMs = number(env.COALESCE_DELAY_MS, 0);
  // Probot's write throttle admits one write a second per installation; writes take their turns here first.
  const writeSpacingMs = number(env.WRITE_SPACING_MS, 1000);
  const appId = Number(env.APP_ID);
  const validAppId = Number.isInteger(appId) && appId > 0 ? appId : undefined;

  let log: Logger | undefined;
  const currentLog = () => log;
  const metrics = new Metrics();
  const coalescer = new Coalescer(() => metrics.coalesced.inc(), delayMs);

  const redisUrl = env.REDIS_URL?.trim();
  const redis = redisUrl ? createRedis(redisUrl, currentLog) : undefined;
  // Keys are namespaced per app and check name, so staging and production may share one Redis.
  const prefix = `countersign:${validAppId ?? "app"}:${env.CHECK_NAME?.trim() || "Countersign"}:`;

  let gate: PullGate;
  if (parts.gate) gate = parts.gate;
  else if (redis) gate = new RedisPullGate(redis, { prefix, log: currentLog, delayMs, onCoalesced: (n) => metrics.coalesced.inc(n) });
  else gate = new LocalPullGate(coalescer);

  const waiting: WaitingBoard = redis ? new RedisWaitingBoard(redis, prefix) : new LocalWaitingBoard();
  metrics.watchWaiting((now) => waiting.counts(now));
  // Writes wait here by priority (closing check writes first); with Redis the turn is shared by the replicas.
  let coordinatorFailing = false;
  const turns =
    parts.writeTurns === false
      ? undefined
      : new WriteTurns({
          spacingMs: writeSpacingMs,
          coordinator: redis ? new RedisTurnCoordinator(redis, { prefix }) : undefined,
          onCoordinatorError: (err) => {
            if (coordinatorFailing) return;
            coordinatorFailing = true;
            log?.warn({ err }, "could not share the write turn through Redis; writes take this replica's turns only");
            setTimeout(() => (coordinatorFailing = false), 60_000).unref();
          },
        });
  if (turns) metrics.observeBacklog(() => turns.backlog());

  const policies = new PolicyCache(policyTtl, redis ? new RedisPolicyEpochs(redis, prefix) : undefined, (err) =>
    log?.warn({ err }, "could not read or bump the policy epoch in Redis; reading the policy from GitHub"),
  );

  // The escalation board's claims follow the services' clock, which tests may replace.
  const seniorsClock = () => services.seniors.clock();
  const services: Services = {
    checkName: env.CHECK_NAME?.trim() || "Countersign",
    appId: validAppId,
    coalescer,
    gate,
    policies,
    metrics,
    waiting,
    inFlight: new InFlight(),
    merges: redis ? new RedisMergeLedger(redis, prefix) : new LocalMergeLedger(),
    retries: new RetryScheduler({
      baseMs: number(env.RETRY_BASE_SECONDS, 30) * 1000,
      maxAttempts: number(env.RETRY_ATTEMPTS, 3),
      maxDelayMs: 15 * 60 * 1000,
    }),
    turns,
    requestHooks: {
      etags: etagBytes > 0 ? new EtagCache(5_000, etagBytes) : undefined,
      onRequest: (kind, status, answer) => metrics.countRequest(kind, status, answer),
      timeoutMs: number(env.REQUEST_TIMEOUT_SECONDS, 30) * 1000,
    },
    onPolicyChanged: (owner, repo) => void policies.invalidate(owner, repo),
    caches: {
      membership: new TtlCache<boolean>(membershipTtl),
      permission: new TtlCache<Permission>(membershipTtl),
      labels: new LabelRegistry(new TtlCache<boolean>(labelTtl), {
        shared: redis ? new RedisLabelMemory(redis, prefix) : undefined,
        onSharedError: (err) => log?.warn({ err }, "could not share label knowledge through Redis; this replica checks the label itself"),
      }),
      yields: new TtlCache<number>(10 * 60 * 1000),
      diffs: new TtlCache<DiffDigest>(immutableTtl, 5_000),
      people: new TtlCache<{ people: Actor[]; complete: boolean }>(membershipTtl, 1_000),
      provenance: {
        notesAbsent: new TtlCache<boolean>(notesAbsentTtl),
        notesIndex: new TtlCache<NotesIndex>(immutableTtl, 50),
        noteText: new TtlCache<string>(immutableTtl, 5_000),
      },
      // Not a cache of GitHub's answers: it is how a reply learns its override was written, not a saving.
      coAuthors: new TtlCache<Actor[]>(ttl(60 * 60 * 1000), 10_000),
      changedSince: new TtlCache<ChangedSince>(immutableTtl, 5_000),
    },
    seniors: {
      load: redis ? new RedisReviewLoad(redis, prefix) : new LocalReviewLoad(),
      escalations: redis ? new RedisEscalationBoard(redis, prefix) : new LocalEscalationBoard(() => seniorsClock()),
      // CODEOWNERS and recent changers are read at the base commit: they cannot change for it.
      codeowners: new TtlCache<CodeownersRule[]>(ttl(60 * 60 * 1000), 2_000),
      changers: new TtlCache<string[]>(ttl(60 * 60 * 1000), 10_000),
      clock: Date.now,
    },
    candidatesLimit: Math.floor(number(env.SIGNOFF_CANDIDATES, 10)),
    escalationSweepSeconds: number(env.ESCALATION_SWEEP_SECONDS, 300),
    useLogger(logger) {
      log = logger;
    },
    async checkReady() {
      if (!redis) return { ok: true, reason: "no Redis configured" };
      try {
        await redis.ping();
        return { ok: true, reason: "Redis answers" };
      } catch (err) {
        return { ok: false, reason: `Redis does not answer (${(err as Error).message})` };
      }
    },
    async close() {
      this.retries.close();
      await gate.close();
    },
  };
  return services;
}
