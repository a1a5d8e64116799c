// The process's logger: pino, as Probot's own, with two differences. Each JSON line has every key
// once (pino appends a child's bindings to its parent's, so Probot's `name: "probot"` and then
// `name: "event"` gave two `name` keys, which log collectors read inconsistently: here the
// innermost wins), and flush() lets a shutdown wait until every line is written.
import { once } from "node:events";
import { Transform } from "node:stream";
import { getTransformStream } from "@probot/pino";
import { pino, type Logger } from "pino";
import type { ServerConfig } from "./config.js";

export interface ProcessLog {
  log: Logger;
  /** Resolves when every line logged so far has reached stdout. Log nothing afterwards. */
  flush(): Promise<void>;
}

/** One log line with each key once: JSON.parse keeps the last of duplicated keys, the most specific binding. */
export function dedupeLine(line: string): string {
  try {
    return JSON.stringify(JSON.parse(line));
  } catch {
    return line;
  }
}

export async function createLog(options: ServerConfig["log"]): Promise<ProcessLog> {
  const dedupe = new Transform({
    objectMode: true,
    transform(chunk: Buffer | string, _encoding, callback) {
      const line = chunk.toString().trim();
      callback(null, line === "" ? undefined : `${dedupeLine(line)}\n`);
    },
  });
  // Probot's own formatting: pretty or JSON, the level as a word if asked, errors to Sentry if configured.
  const format = await getTransformStream({
    logFormat: options.format,
    logLevelInString: options.levelInString,
    sentryDsn: options.sentryDsn,
  });
  const out = pino.destination({ fd: 1, sync: true });
  dedupe.pipe(format);
  format.pipe(out as unknown as NodeJS.WritableStream, { end: false });
  const log = pino({ level: options.level, name: "countersign", messageKey: options.messageKey }, dedupe);
  return {
    log,
    async flush() {
      const ended = once(format, "end");
      dedupe.end();
      await ended;
      out.flushSync();
    },
  };
}
