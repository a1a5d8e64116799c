#!/usr/bin/env node
// The app's process: `npm start`, the Docker image's CMD, `countersign-server`. Reads .env and the
// environment, serves the setup page (no credentials yet) or the app, and on SIGTERM or SIGINT
// shuts down gracefully: no new deliveries, the ones in flight finish (at most
// SHUTDOWN_GRACE_SECONDS), logs flushed, Redis closed, exit 0. A second signal exits at once.
import { ConfigError, readServerConfig } from "./config.js";
import { createLog } from "./log.js";
import { startServer } from "./http.js";

function loadDotEnv(): void {
  try {
    // Values already in the environment win over .env.
    process.loadEnvFile(".env");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

async function main(): Promise<void> {
  loadDotEnv();
  let config;
  try {
    config = readServerConfig(process.env, process.cwd());
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`countersign: ${err.message}\n`);
    process.exit(1);
  }
  const { log, flush } = await createLog(config.log);
  let server;
  try {
    server = await startServer(config, log);
  } catch (err) {
    log.fatal({ err }, "the server could not start");
    await flush();
    process.exit(1);
  }
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      log.warn(`${signal} again: exiting without waiting`);
      void flush().finally(() => process.exit(1));
      return;
    }
    signalled = true;
    server.shutdown(signal).then(
      async () => {
        await flush();
        process.exit(0);
      },
      async (err: unknown) => {
        log.error({ err }, "shutdown failed");
        await flush();
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

main().catch((err: unknown) => {
  process.stderr.write(`countersign: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
