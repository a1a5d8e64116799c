// The app's server process, started by main.ts (and by another composition of the app, such as the
// benchmark's baseline): reads .env and the environment, serves the setup page (no credentials yet) or
// the app, and on SIGTERM or SIGINT shuts down gracefully (see main.ts).
import { ConfigError, readServerConfig } from "./config.js";
import { createLog } from "./log.js";
import { startServer, type ServerOptions } from "./http.js";

function loadDotEnv(): void {
  try {
    // Values already in the environment win over .env.
    process.loadEnvFile(".env");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

/** The server process; `options` lets another composition of the app (the benchmark's baseline, bench/lib/naive-main.ts) run the same way. */
export async function runServer(options: (env: NodeJS.ProcessEnv) => ServerOptions = () => ({})): Promise<void> {
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
    server = await startServer(config, log, options(process.env));
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

/** Runs the server; a failure to start is written to stderr and exits 1. */
export function main(options?: (env: NodeJS.ProcessEnv) => ServerOptions): void {
  runServer(options).catch((err: unknown) => {
    process.stderr.write(`countersign: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
