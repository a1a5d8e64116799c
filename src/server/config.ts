// The server's settings, read once from the environment (the same variables `probot run` reads,
// plus SHUTDOWN_GRACE_SECONDS). docs/deployment.md and .env.example describe each one.
import { getPrivateKey } from "@probot/get-private-key";

export interface ServerConfig {
  /** Absent (with privateKey): setup mode, the page that registers the app from app.yml. */
  appId: number | undefined;
  privateKey: string | undefined;
  secret: string | undefined;
  host: string;
  port: number;
  webhookPath: string;
  webhookProxy: string | undefined;
  redisUrl: string | undefined;
  /** The REST API base URL (GitHub Enterprise Server: https://<GHE_HOST>/api/v3). */
  baseUrl: string;
  production: boolean;
  log: {
    level: string;
    format: "json" | "pretty";
    levelInString: boolean;
    messageKey: string;
    sentryDsn: string | undefined;
  };
  /** How long a shutdown waits for deliveries and evaluations in flight before it gives up on them. */
  shutdownGraceMs: number;
}

/** A problem with the configuration: the process says it and exits, instead of starting half-configured. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

export const DEFAULT_SHUTDOWN_GRACE_SECONDS = 20;
export const DEFAULT_WEBHOOK_PATH = "/api/github/webhooks";
const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new ConfigError(`${name} must be a number of seconds (0 or more), not ${JSON.stringify(raw)}`);
  return n;
}

export function readServerConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ServerConfig {
  const production = env.NODE_ENV === "production";
  let privateKey: string | undefined;
  try {
    privateKey = getPrivateKey({ env, cwd }) ?? undefined;
  } catch (err) {
    throw new ConfigError(`the private key cannot be read: ${(err as Error).message}`);
  }
  const appIdText = env.APP_ID?.trim();
  const appId = appIdText ? Number(appIdText) : undefined;
  if (appId !== undefined && !(Number.isInteger(appId) && appId > 0))
    throw new ConfigError(`APP_ID must be the app's numeric id, not ${JSON.stringify(appIdText)}`);
  if (production && appId === undefined) {
    throw new ConfigError("APP_ID is missing, and is required with NODE_ENV=production (the setup page only runs in development)");
  }
  if (production && privateKey === undefined) {
    throw new ConfigError("the private key is missing, and is required with NODE_ENV=production: set PRIVATE_KEY or PRIVATE_KEY_PATH");
  }
  if (production && !env.WEBHOOK_SECRET) {
    // Probot would fall back to the secret "development": anyone could sign deliveries.
    throw new ConfigError("WEBHOOK_SECRET is missing, and is required with NODE_ENV=production (the app's webhook secret on GitHub)");
  }
  const level = env.LOG_LEVEL?.trim() || "info";
  if (!LOG_LEVELS.includes(level)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, not ${JSON.stringify(level)}`);
  const format = env.LOG_FORMAT?.trim() ? (env.LOG_FORMAT.trim() === "pretty" ? "pretty" : "json") : production ? "json" : "pretty";
  const port = env.PORT?.trim() ? Number(env.PORT) : 3000;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`PORT must be a port number, not ${JSON.stringify(env.PORT)}`);
  const webhookPath = env.WEBHOOK_PATH?.trim() || DEFAULT_WEBHOOK_PATH;
  if (!webhookPath.startsWith("/")) throw new ConfigError(`WEBHOOK_PATH must start with "/", not ${JSON.stringify(webhookPath)}`);
  return {
    appId,
    privateKey,
    secret: env.WEBHOOK_SECRET || undefined,
    host: env.HOST?.trim() || "localhost",
    port,
    webhookPath,
    webhookProxy: env.WEBHOOK_PROXY_URL?.trim() || undefined,
    redisUrl: env.REDIS_URL?.trim() || undefined,
    baseUrl: env.GHE_HOST?.trim() ? `${env.GHE_PROTOCOL?.trim() || "https"}://${env.GHE_HOST.trim()}/api/v3` : "https://api.github.com",
    production,
    log: {
      level,
      format,
      levelInString: env.LOG_LEVEL_IN_STRING === "true",
      messageKey: env.LOG_MESSAGE_KEY?.trim() || "msg",
      sentryDsn: env.SENTRY_DSN?.trim() || undefined,
    },
    shutdownGraceMs: seconds(env, "SHUTDOWN_GRACE_SECONDS", DEFAULT_SHUTDOWN_GRACE_SECONDS) * 1000,
  };
}

/** Setup mode: no credentials yet, outside production. */
export function isSetupMode(config: ServerConfig): boolean {
  return config.appId === undefined || config.privateKey === undefined;
}
