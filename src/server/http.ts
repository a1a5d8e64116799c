// The HTTP server around the Probot app: webhooks, /ping, /ready, /metrics, the policy's JSON
// Schema, the setup page when there are no credentials yet, quiet access logs, and a graceful
// shutdown that lets the deliveries in flight finish. src/server/main.ts starts it from the
// environment; tests start it in-process or as a child process.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Probot } from "probot";
import { pinoHttp } from "pino-http";
import type { Logger } from "pino";
import { createCountersign } from "../index.js";
import { createServices, type Services } from "../handlers/services.js";
import { policyJsonSchemaText } from "../policy/json-schema.js";
import { isSetupMode, type ServerConfig } from "./config.js";
import { setupHandler, updateEnvFile } from "./setup.js";
import { startIntake, type Intake } from "./intake.js";
import { serializeError } from "./log.js";
import { statusHandler } from "./status.js";
import { readCappedBody, refuseTooLarge } from "./webhook-body.js";

/** Where the app serves the policy's JSON Schema (for `# yaml-language-server: $schema=https://<host>/schema/countersign.schema.json`). */
export const SCHEMA_PATH = "/schema/countersign.schema.json";

/** Requests that probes and scrapers make every few seconds: logged at debug, not info. */
const QUIET_PATHS = new Set(["/ping", "/ready", "/metrics"]);

type Handler = (req: IncomingMessage, res: ServerResponse) => boolean | void | Promise<boolean | void>;

export interface ServerOptions {
  env?: NodeJS.ProcessEnv;
  /** Where the setup flow writes .env. */
  cwd?: string;
  services?: Services;
  /** Options for Probot (tests: its Octokit). */
  probot?: Partial<ConstructorParameters<typeof Probot>[0]>;
  /** The setup flow's GitHub API (tests). */
  setupRequest?: { fetch?: typeof fetch };
}

export interface ShutdownResult {
  /** Every delivery and evaluation in flight finished within the grace period. */
  finished: boolean;
  /** How many were still running when the grace period ended. */
  abandoned: number;
}

export interface AppServer {
  readonly url: string;
  readonly port: number;
  readonly setupMode: boolean;
  readonly services: Services | undefined;
  /** Stop accepting deliveries, wait for those in flight (at most the grace period), close Redis. */
  shutdown(reason?: string): Promise<ShutdownResult>;
}

function httpLogger(log: Logger) {
  return pinoHttp({
    logger: log.child({ name: "http" }),
    // Headers are left out: they are noise (and a delivery's signature) in every line.
    serializers: {
      req: (req: { id?: unknown; method?: string; url?: string; headers?: Record<string, unknown> }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
        ...(req.headers?.["x-github-event"] ? { event: req.headers["x-github-event"] } : {}),
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      // pino-http installs its own error serializer on its child logger unless given one.
      err: serializeError,
    },
    customLogLevel: (req, res, err) => {
      if (err || res.statusCode >= 500) return "error";
      if (QUIET_PATHS.has((req.url ?? "").split("?")[0] ?? "")) return "debug";
      return res.statusCode >= 400 ? "warn" : "info";
    },
    customSuccessMessage: (req, res, ms) => `${req.method} ${req.url} ${res.statusCode} - ${Math.round(ms)}ms`,
    customErrorMessage: (req, res) => `${req.method} ${req.url} ${res.statusCode}`,
    genReqId: (req) => {
      const id = req.headers["x-github-delivery"] ?? req.headers["x-request-id"];
      return typeof id === "string" && id !== "" ? id : crypto.randomUUID();
    },
  });
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(err.code === "EADDRINUSE" ? Object.assign(err, { message: `port ${port} is already in use: set PORT to another one` }) : err);
    };
    server.once("error", onError);
    server.listen({ port, host }, () => {
      server.off("error", onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** smee.io forwarding for a laptop (WEBHOOK_PROXY_URL); smee-client is a devDependency. */
async function startWebhookProxy(source: string, target: string, log: Logger): Promise<(() => Promise<void>) | undefined> {
  try {
    const { SmeeClient } = (await import("smee-client")) as typeof import("smee-client");
    const smee = new SmeeClient({ source, target, logger: { info: (m: string) => log.debug(m), error: (m: string) => log.error(m) } });
    await smee.start();
    log.info(`forwarding webhooks from ${source} to ${target}`);
    return () => smee.stop();
  } catch (err) {
    log.error(
      { err },
      "WEBHOOK_PROXY_URL is set but smee.io forwarding could not start (smee-client is a devDependency: run `npm ci` in a development checkout)",
    );
    return undefined;
  }
}

/** Setup mode on a laptop: a smee.io channel so the new app's webhooks can reach it (as Probot's setup does). */
async function createWebhookChannel(env: NodeJS.ProcessEnv, cwd: string, log: Logger): Promise<void> {
  if (env.WEBHOOK_PROXY_URL || env.NO_SMEE_SETUP === "true") return;
  try {
    const { SmeeClient } = (await import("smee-client")) as typeof import("smee-client");
    // Bounded: an unreachable smee.io must not keep the setup page from starting.
    const url = await Promise.race([
      SmeeClient.createChannel(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("smee.io did not answer within 10 s")), 10_000).unref()),
    ]);
    env.WEBHOOK_PROXY_URL = url;
    updateEnvFile(cwd, { WEBHOOK_PROXY_URL: url });
    log.info(`created the smee.io channel ${url} for local webhooks (WEBHOOK_PROXY_URL in .env)`);
  } catch (err) {
    log.warn({ err }, "could not create a smee.io channel; the app will be registered with webhooks to this server's address");
  }
}

export async function startServer(config: ServerConfig, log: Logger, options: ServerOptions = {}): Promise<AppServer> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const setupMode = isSetupMode(config);
  const schemaText = policyJsonSchemaText();
  const handlers: Handler[] = [];
  let services: Services | undefined;
  let intake: Intake | undefined;
  let stopping = false;

  if (setupMode) {
    if (!config.production) await createWebhookChannel(env, cwd, log);
    handlers.push(
      setupHandler({
        log: log.child({ name: "setup" }),
        env,
        cwd,
        webhookPath: config.webhookPath,
        ...(options.setupRequest ? { request: options.setupRequest } : {}),
      }),
    );
  } else {
    services = options.services ?? createServices(env);
    const probot = new Probot({
      appId: config.appId,
      privateKey: config.privateKey,
      secret: config.secret,
      baseUrl: config.baseUrl,
      redisConfig: config.redisUrl,
      webhookPath: config.webhookPath,
      log: log as never,
      ...options.probot,
    });
    const added: Handler[] = [];
    await probot.load(createCountersign(services), { cwd, addHandler: (handler: Handler) => void added.push(handler) });
    const webhooks = await probot.getNodeMiddleware({ path: config.webhookPath });
    // Verified deliveries are stored (Redis stream, or in memory) before the 2xx; see intake.ts.
    intake = startIntake({ probot, services, log, env, redisUrl: config.redisUrl });
    const tracker = services.inFlight;
    handlers.push(async (req, res) => {
      if ((req.url ?? "").split("?")[0] !== config.webhookPath) return false;
      if (stopping) {
        // The load balancer should have stopped sending here (readiness fails first); say so plainly.
        res
          .writeHead(503, { "content-type": "text/plain", "retry-after": "5", connection: "close" })
          .end("shutting down; deliver to another replica");
        return true;
      }
      return tracker.track(
        (async () => {
          // GitHub's 25 MB cap, before anything reads the body or checks its signature.
          if (req.method === "POST") {
            const body = await readCappedBody(req);
            if (body === "too-large") {
              refuseTooLarge(res);
              return true;
            }
            // @octokit/webhooks' middleware takes a string body as the payload instead of reading the stream.
            (req as IncomingMessage & { body?: string }).body = body;
          }
          return webhooks(req, res) as Promise<boolean>;
        })(),
      );
    });
    handlers.push(...added);
    const status = statusHandler({
      app: async () => (await (await probot.auth()).request("GET /app")).data ?? {},
      ready: () => ready(),
    });
    handlers.push(async (req, res) => {
      if ((req.method !== "GET" && req.method !== "HEAD") || (req.url ?? "").split("?")[0] !== "/") return false;
      await status(req, res);
      return true;
    });
  }

  const ready = async (): Promise<{ ok: boolean; reason: string }> => {
    if (stopping) return { ok: false, reason: "shutting down" };
    if (!services) return { ok: true, reason: "setup mode" };
    return services.checkReady();
  };

  const logRequest = httpLogger(log);
  const server = createServer(async (req, res) => {
    logRequest(req, res);
    if (stopping) res.setHeader("connection", "close");
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    try {
      if (req.method === "GET" || req.method === "HEAD") {
        if (path === "/ping") return void res.writeHead(200, { "content-type": "text/plain" }).end("PONG");
        if (path === "/ready") {
          const state = await ready();
          return void res
            .writeHead(state.ok ? 200 : 503, { "content-type": "text/plain" })
            .end(state.ok ? "READY" : `NOT READY: ${state.reason}`);
        }
        if (path === SCHEMA_PATH) {
          return void res
            .writeHead(200, {
              "content-type": "application/schema+json; charset=utf-8",
              "cache-control": "public, max-age=300",
              "access-control-allow-origin": "*",
            })
            .end(schemaText);
        }
      }
      for (const handler of handlers) if (await handler(req, res)) return;
      res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
    } catch (err) {
      log.error({ err }, `${req.method} ${path} failed`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end();
    }
  });
  // Probot's webhook middleware answers within 10 s (202 after 9 s); keep sockets for at most a little longer.
  server.requestTimeout = 30_000;

  const address = await listen(server, config.port, config.host);
  const printable = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${printable === "0.0.0.0" || printable === "[::]" ? "localhost" : printable}:${address.port}`;
  if (setupMode) {
    log.info(`setup mode: no APP_ID / private key yet. Open ${url} to register the GitHub App from app.yml; restart when .env is written.`);
  } else {
    log.info(`Countersign listening on ${url} (webhooks at ${config.webhookPath})`);
  }
  const stopProxy =
    !setupMode && config.webhookProxy
      ? await startWebhookProxy(config.webhookProxy, `http://127.0.0.1:${address.port}${config.webhookPath}`, log)
      : undefined;

  let stopped: Promise<ShutdownResult> | undefined;
  const shutdown = (reason = "shutdown"): Promise<ShutdownResult> => {
    stopped ??= (async () => {
      stopping = true;
      const running = services?.inFlight.size ?? 0;
      log.info(
        { reason, inFlight: running, graceMs: config.shutdownGraceMs },
        "shutting down: no new deliveries; waiting for the ones in flight",
      );
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await stopProxy?.();
      await intake?.stop();
      const finished = services ? await services.inFlight.idle(config.shutdownGraceMs) : true;
      const abandoned = services?.inFlight.size ?? 0;
      if (!finished) {
        log.warn(
          { abandoned },
          `the ${config.shutdownGraceMs / 1000} s grace period is over with ${abandoned} deliveries or evaluations still running; they are abandoned (their checks can be re-run)`,
        );
      }
      server.closeAllConnections();
      try {
        await intake?.close();
        await services?.close();
      } catch (err) {
        log.warn({ err }, "closing the services (Redis) failed");
      }
      await closed;
      log.info({ finished, abandoned }, "stopped");
      return { finished, abandoned };
    })();
    return stopped;
  };

  return { url, port: address.port, setupMode, services, shutdown };
}
