// The durable delivery path (docs/scaling.md, "The delivery path, and what happens on a crash").
// After Probot's middleware has checked a delivery's signature, the delivery is stored — in the
// Redis stream with REDIS_URL, else handed to the in-memory stream — before the 2xx answer; the
// stream hands it to the app (probot.receive) and acknowledges it once the handlers are done. The
// echo of one of the app's own label writes is recognised here and not evaluated. On start, one
// replica (under a lock in Redis) reconciles the open PRs whose check is missing or out of date.
import type { Logger } from "pino";
import type { Probot } from "probot";
import type { Redis } from "ioredis";
import { instrumentOctokit } from "../github/instrument.js";
import type { Octokit } from "../github/octokit.js";
import { isOwnEcho, useDurability, watchRateLimit } from "../handlers/durability.js";
import { reconcileOpenPullRequests } from "../handlers/reconcile.js";
import type { Services } from "../handlers/services.js";
import { LocalDeliveryStream, RedisDeliveryStream, StreamFull, type Delivery, type DeliveryStream } from "../scale/delivery-stream.js";
import { RedisEchoLedger } from "../scale/echo-ledger.js";
import { createRedis } from "../scale/redis.js";

/** Events that start background work (a sweep): they do not count as live traffic a sweep gives way to. */
const BACKGROUND_EVENTS = new Set(["installation", "installation_repositories", "push"]);

export interface Intake {
  readonly stream: DeliveryStream;
  /** The reconciliation started on start (resolves when it is done, skipped or failed). */
  readonly reconciled: Promise<void>;
  /** Stop taking deliveries from the stream and stop the reconciliation; deliveries being handled go on. */
  stop(): Promise<void>;
  /** Close the intake's Redis connection (after the deliveries in flight are done). */
  close(): Promise<void>;
}

export interface IntakeOptions {
  probot: Probot;
  services: Services;
  log: Logger;
  env: NodeJS.ProcessEnv;
  redisUrl: string | undefined;
}

function number(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value.trim() !== "" && Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** An error Probot's middleware turns into the answer's status (it reads the first of `errors`). */
function answerWith(status: number, message: string): AggregateError {
  return new AggregateError([Object.assign(new Error(message), { status })], message);
}

/**
 * Route Probot's verified deliveries through the delivery stream. Call after `probot.getNodeMiddleware`
 * (its Webhooks exist then); the middleware keeps its own checks and answers.
 */
export function startIntake({ probot, services, log, env, redisUrl }: IntakeOptions): Intake {
  const ilog = log.child({ name: "deliveries" });
  const redis: Redis | undefined = redisUrl ? createRedis(redisUrl, () => ilog) : undefined;
  const prefix = `countersign:${services.appId ?? "app"}:${services.checkName}:`;
  if (redis) useDurability(services, { echoes: new RedisEchoLedger(redis, prefix) });
  const { metrics } = services;
  const stream: DeliveryStream = redis
    ? new RedisDeliveryStream(redis, {
        prefix,
        minIdleMs: number(env.DELIVERY_CLAIM_IDLE_SECONDS, 60) * 1000,
        maxLength: number(env.DELIVERY_STREAM_MAX, 10_000),
        concurrency: number(env.DELIVERY_CONCURRENCY, 32),
        log: () => ilog,
        onEvent: (event) => metrics.deliveries.inc({ outcome: event }),
      })
    : new LocalDeliveryStream();
  metrics.watchDeliveries(() => stream.pending());

  const live = () => useDurability(services, {}).live;
  stream.start(async (delivery: Delivery, { redelivered }) => {
    const end = BACKGROUND_EVENTS.has(delivery.name) ? () => undefined : live().begin();
    try {
      if (redelivered)
        ilog.info({ delivery: delivery.id, event: delivery.name }, "handling a delivery another replica accepted and left unfinished");
      await services.inFlight.track(probot.receive(delivery as never));
    } finally {
      end();
      metrics.deliveries.inc({ outcome: "handled" });
    }
  });

  const webhooks = probot.webhooks;
  const verifyAndReceive = webhooks.verifyAndReceive;
  webhooks.verifyAndReceive = async (event) => {
    const verified = await webhooks.verify(event.payload, event.signature).catch(() => false);
    let payload: unknown;
    try {
      payload = verified ? JSON.parse(event.payload) : undefined;
    } catch {
      payload = undefined;
    }
    // A bad signature or body: Probot's own path refuses it, with its own answer.
    if (payload === undefined) return verifyAndReceive(event);
    if (await isOwnEcho(services, event.name, payload)) {
      metrics.deliveries.inc({ outcome: "echo" });
      ilog.debug({ delivery: event.id }, "the echo of the app's own label write; not evaluated");
      return;
    }
    const delivery = { id: event.id, name: event.name, payload };
    if (stream.kind === "memory") {
      metrics.deliveries.inc({ outcome: "accepted" });
      // Handled before the answer, as Probot does: a handler's failure is the answer's 500.
      return stream.add(delivery);
    }
    try {
      await stream.add(delivery);
    } catch (err) {
      metrics.deliveries.inc({ outcome: "refused" });
      ilog.error({ err, delivery: event.id }, "could not store a delivery; refused with 503 (GitHub shows it failed: redeliver it)");
      throw answerWith(503, err instanceof StreamFull ? err.message : "the delivery could not be stored");
    }
    metrics.deliveries.inc({ outcome: "accepted" });
  };

  const aborted = new AbortController();
  const reconciled = reconcileOnStart();

  async function reconcileOnStart(): Promise<void> {
    if (env.RECONCILE_ON_START?.trim() === "false") return;
    // Let the server answer first; the reconciliation is background work.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      if (redis) {
        // One replica reconciles; the others (and restarts within the lock's lifetime) leave it to that one.
        const lockMs = number(env.RECONCILE_LOCK_SECONDS, 600) * 1000;
        const owner = redis.options.connectionName ?? String(process.pid);
        if ((await redis.set(`${prefix}reconcile`, owner, "PX", lockMs, "NX")) !== "OK") {
          ilog.info("another replica reconciled the open pull requests recently; skipped");
          return;
        }
      }
      await reconcileOpenPullRequests(ilog as never, services, {
        auth: async (id) => (await probot.auth(id)) as unknown as Octokit,
        instrument: (octokit, installation) => {
          instrumentOctokit(octokit, services.requestHooks, installation);
          watchRateLimit(octokit, services, installation);
        },
        maxEvaluations: number(env.RECONCILE_MAX_PULLS, 2_000),
        signal: aborted.signal,
      });
    } catch (err) {
      ilog.error({ err }, "could not reconcile the open pull requests on start");
    }
  }

  return {
    stream,
    reconciled,
    async stop() {
      aborted.abort();
      await stream.stop();
    },
    async close() {
      await redis?.quit().catch(() => redis.disconnect());
    },
  };
}
