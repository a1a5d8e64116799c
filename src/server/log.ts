// The process's logger: pino, as Probot's own, with two differences. Each JSON line has every key
// once (pino appends a child's bindings to its parent's, so Probot's `name: "probot"` and then
// `name: "event"` gave two `name` keys, which log collectors read inconsistently: here the
// innermost wins), flush() lets a shutdown wait until every line is written, and an error never
// carries a webhook payload into the log (serializeError).
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

/** Keys of an error (or of its `event`) that hold a delivery's body: never logged. */
const PAYLOAD_KEYS = new Set(["payload", "body", "rawBody", "data"]);

type SerializedError = Record<string, unknown> & { type?: string; message?: string; stack?: string };

function withoutPayload(value: SerializedError): SerializedError {
  const out: SerializedError = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === "event") {
      // @octokit/webhooks attaches the delivery to its errors ({ id, name, payload, signature }): keep who it was.
      const event = (v ?? {}) as Record<string, unknown>;
      out.event = { id: event.id, name: event.name };
    } else if (key === "aggregateErrors" && Array.isArray(v)) {
      out.aggregateErrors = v.map((e) => (e && typeof e === "object" ? withoutPayload(e as SerializedError) : e));
    } else if (key === "cause" && v && typeof v === "object") {
      out.cause = withoutPayload(v as SerializedError);
    } else if (!PAYLOAD_KEYS.has(key)) {
      out[key] = v;
    }
  }
  // The stack's first line is the message when the error was made: @octokit/webhooks replaces a
  // JSON.parse error's message (which quotes the body) with "Invalid JSON", but not its stack.
  if (typeof out.stack === "string" && typeof out.message === "string") {
    const frames = out.stack.indexOf("\n    at ");
    const head = `${out.type ?? "Error"}: ${out.message}`;
    if (!out.stack.startsWith(head)) out.stack = frames < 0 ? head : head + out.stack.slice(frames);
  }
  return out;
}

/**
 * pino's error serializer without a webhook payload: @octokit/webhooks puts the delivery (a bad
 * signature's whole raw body, or a handler error's parsed payload) on the errors that Probot and its
 * middleware log, and pino's own serializer writes every property. Used for every `err` the process logs.
 */
export function serializeError(err: unknown): unknown {
  const serialized = pino.stdSerializers.err(err as Error) as unknown;
  return serialized && typeof serialized === "object" ? withoutPayload(serialized as SerializedError) : serialized;
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
  const log = pino(
    { level: options.level, name: "countersign", messageKey: options.messageKey, serializers: { err: serializeError } },
    dedupe,
  );
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
