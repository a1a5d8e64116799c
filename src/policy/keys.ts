// The keys the policy schema allows, read from the zod schema itself (no list to keep in step), and
// the "did you mean" suggestion for a misspelt one.
import { closest, distance } from "fastest-levenshtein";
import type { z } from "zod";
import { PolicySchema } from "./schema.js";

interface ZodDef {
  type: string;
  shape?: Record<string, unknown>;
  element?: unknown;
  innerType?: unknown;
  in?: unknown;
}

const defOf = (schema: unknown): ZodDef | undefined => (schema as { _zod?: { def?: ZodDef } } | null)?._zod?.def;

/** The schema under optional/default/prefault/nullable/readonly/catch/pipe wrappers. */
function unwrap(schema: unknown): unknown {
  let current = schema;
  for (let i = 0; i < 20; i++) {
    const def = defOf(current);
    if (def?.innerType !== undefined) current = def.innerType;
    else if (def?.type === "pipe" && def.in !== undefined) current = def.in;
    else return current;
  }
  return current;
}

/** The object schema at a path of keys and list indices, or undefined. */
function objectAt(root: z.ZodType, path: ReadonlyArray<PropertyKey>): Record<string, unknown> | undefined {
  let current: unknown = unwrap(root);
  for (const key of path) {
    const def = defOf(current);
    if (typeof key === "number") {
      if (def?.type !== "array") return undefined;
      current = unwrap(def.element);
    } else {
      const child = def?.type === "object" ? def.shape?.[String(key)] : undefined;
      if (child === undefined) return undefined;
      current = unwrap(child);
    }
  }
  const def = defOf(current);
  return def?.type === "object" ? def.shape : undefined;
}

/** The keys allowed in the mapping at `path` (e.g. ["risk", "rules", 0]). */
export function allowedKeys(path: ReadonlyArray<PropertyKey>, root: z.ZodType = PolicySchema): string[] {
  return Object.keys(objectAt(root, path) ?? {});
}

/** Every key path in the schema ("signoff.approvals", "risk.rules[].tier"), for a key written at the wrong level. */
export function allKeyPaths(root: z.ZodType = PolicySchema): string[] {
  const out: string[] = [];
  const visit = (schema: unknown, prefix: string, depth: number) => {
    if (depth > 6) return;
    const def = defOf(unwrap(schema));
    if (def?.type === "array") return visit(def.element, `${prefix}[]`, depth + 1);
    if (def?.type !== "object") return;
    for (const [key, child] of Object.entries(def.shape ?? {})) {
      const path = prefix === "" ? key : `${prefix}.${key}`;
      out.push(path);
      visit(child, path, depth + 1);
    }
  };
  visit(root, "", 0);
  return out;
}

const normalise = (key: string) => key.toLowerCase().replace(/[-\s]/g, "_");

/**
 * The allowed key closest to a misspelt one: same words with other case or dashes, or within a
 * small edit distance (about one typo per four characters). Undefined when nothing is close.
 */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  if (allowed.length === 0) return undefined;
  const wanted = normalise(key);
  const same = allowed.find((candidate) => normalise(candidate) === wanted);
  if (same !== undefined) return same;
  const best = closest(wanted, allowed.map(normalise));
  const index = allowed.map(normalise).indexOf(best);
  const limit = Math.max(1, Math.floor(Math.max(wanted.length, best.length) / 4));
  return distance(wanted, best) <= limit ? allowed[index] : undefined;
}

/** Where a key of this name is allowed elsewhere in the schema (a key written at the wrong level). */
export function elsewhere(key: string, here: string, root: z.ZodType = PolicySchema): string[] {
  return allKeyPaths(root).filter((path) => {
    const last = path.slice(path.lastIndexOf(".") + 1);
    const parent = path.slice(0, Math.max(0, path.lastIndexOf(".")));
    return last === key && parent !== here;
  });
}
