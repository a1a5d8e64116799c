// What each handler needs from a webhook payload, checked before it makes any GitHub call: a signed
// payload with fields missing (a GitHub bug, a hand-made redelivery) is refused with one clear log
// line, never a TypeError, a 500 or a request to "/commits//check-runs".
import type { Logger } from "probot";

/** "string": a non-empty string; "number": a finite number; "array"; "object"; "present": anything but null/undefined. */
export type FieldKind = "string" | "number" | "array" | "object" | "present";

function at(payload: unknown, path: string): unknown {
  let value: unknown = payload;
  for (const key of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function fits(value: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case "string":
      return typeof value === "string" && value !== "";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "array":
      return Array.isArray(value);
    case "object":
      return value !== null && typeof value === "object" && !Array.isArray(value);
    default:
      return value !== null && value !== undefined;
  }
}

/** The dotted paths of `fields` that the payload lacks (or has with the wrong type). */
export function missingFields(payload: unknown, fields: Record<string, FieldKind>): string[] {
  return Object.entries(fields)
    .filter(([path, kind]) => !fits(at(payload, path), kind))
    .map(([path]) => path);
}

/**
 * True when the payload has every field; otherwise logs why the event is ignored (as a 422 would say
 * it: the payload is unprocessable) and returns false. The handler then makes no GitHub call.
 */
export function hasFields(log: Logger, event: string, payload: unknown, fields: Record<string, FieldKind>): boolean {
  const missing = missingFields(payload, fields);
  if (missing.length === 0) return true;
  log.warn({ event, missing, status: 422 }, `ignored a ${event} webhook: its payload lacks ${missing.join(", ")}`);
  return false;
}

export const REPOSITORY_FIELDS = { "repository.name": "string", "repository.owner.login": "string" } as const satisfies Record<
  string,
  FieldKind
>;
