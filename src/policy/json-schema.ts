// The policy's JSON Schema, generated from the zod schema plus what validate.ts checks that JSON Schema
// can express; pure. The server serves it; scripts/generate-schema.ts commits it and the docs built on it.
import { z } from "zod";
import { POLICY_PATH } from "./paths.js";
import { PolicySchema, RiskRuleSchema } from "./schema.js";
import { BUILTIN_SIGNAL_IDS } from "./signals.js";
import { POLICY_LIMITS } from "./validate.js";

/** Where the schema is committed (scripts/generate-schema.ts writes it; test/unit/schema-drift.test.ts compares). */
export const SCHEMA_FILE = "schema/countersign.schema.json";
/** A stable identifier, not a download address: editors are pointed at the file itself (see docs/policy.md). */
export const SCHEMA_ID = "urn:countersign:policy-schema";

/** The subset of JSON Schema that z.toJSONSchema produces for the policy. */
export interface JsonSchemaNode {
  $schema?: string;
  $id?: string;
  title?: string;
  description?: string;
  type?: string;
  enum?: unknown[];
  default?: unknown;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  additionalProperties?: boolean | JsonSchemaNode;
  items?: JsonSchemaNode;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  [key: string]: unknown;
}

/**
 * The JSON Schema of the policy file as people write it (defaults optional). Draft-07, because that
 * is the draft YAML editors (yaml-language-server, JetBrains) support fully.
 */
export function policyJsonSchema(): JsonSchemaNode {
  const generated = z.toJSONSchema(PolicySchema, { io: "input", target: "draft-07" }) as JsonSchemaNode;
  const { $schema, title: _title, description, ...rest } = generated;
  return withValidateChecks(
    withoutSafeIntegerBounds({
      $schema,
      $id: SCHEMA_ID,
      title: `Countersign policy (${POLICY_PATH})`,
      description,
      ...rest,
    }),
  );
}

/**
 * What `countersign validate` refuses and JSON Schema cannot say; test/unit/schema-agreement.test.ts
 * feeds both the same policies and allows them to disagree only here (the schema then accepts what
 * validate refuses). Listed in docs/policy.md.
 */
export const SCHEMA_LIMITATIONS = {
  re2: "regular expressions (detection.body_patterns, risk.rules[].content) must compile as RE2 and run in linear time: JSON Schema's regexes are ECMAScript",
  "pattern-count": `at most ${POLICY_LIMITS.patterns} regular expressions in all (a count across two lists)`,
  "text-bytes": `a policy file of at most ${POLICY_LIMITS.textBytes / 1024} KB`,
} as const;
export type SchemaLimitation = keyof typeof SCHEMA_LIMITATIONS;

/**
 * A glob that uses an extglob, or more than POLICY_LIMITS.starsPerSegment runs of `*` in one path
 * segment, counted as validate.ts counts them: escaped characters (`\\x`) left out, so runs that only
 * escapes separate are one run.
 */
const STAR_RUN = String.raw`\*(?:\\.|\*)*`;
const SEPARATOR = String.raw`(?:\\.)*[^/*\\](?:\\.|[^/*\\])*`;
const SLOW_GLOB = String.raw`[+*@?!]\(|(^|/)(?:\\.|[^/*\\])*` + `${STAR_RUN}(?:${SEPARATOR}${STAR_RUN}){${POLICY_LIMITS.starsPerSegment}}`;

/**
 * Adds to the generated schema what validate.ts checks beyond zod's types, wherever JSON Schema can
 * express it: signal ids as an enum (from the catalogue, so new signals appear by themselves), a
 * risk rule needs a condition (the keys of RiskRuleSchema other than tier and reason), size limits,
 * and the globs refused as too slow to match.
 */
function withValidateChecks(schema: JsonSchemaNode): JsonSchemaNode {
  const walk = (node: JsonSchemaNode, path: string): void => {
    if (node.type === "string" && node.maxLength === undefined) node.maxLength = POLICY_LIMITS.textChars;
    if (node.type === "array" && node.maxItems === undefined)
      node.maxItems = path === "risk.rules" ? POLICY_LIMITS.rules : POLICY_LIMITS.listItems;
    for (const [key, child] of Object.entries(node.properties ?? {})) walk(child, path === "" ? key : `${path}.${key}`);
    if (node.items) walk(node.items, `${path}[]`);
  };
  walk(schema, "");
  const props = (node: JsonSchemaNode | undefined, key: string) => node?.properties?.[key];
  const disable = props(props(schema, "detection"), "disable");
  if (disable?.items) disable.items.enum = [...BUILTIN_SIGNAL_IDS];
  const risk = props(schema, "risk");
  const rule = props(risk, "rules")?.items;
  if (rule?.properties) {
    const conditions = Object.keys(RiskRuleSchema.shape).filter((key) => key !== "tier" && key !== "reason");
    rule.anyOf = conditions.map((key) => ({ required: [key] }));
  }
  const signoff = props(schema, "signoff");
  const levels = [signoff, ...Object.values(props(signoff, "tiers")?.properties ?? {})];
  const groupPaths = levels.map((level) => props(props(level, "require")?.items, "paths"));
  for (const globs of [props(risk, "components"), props(rule, "paths"), ...groupPaths]) {
    if (globs?.items) globs.items.not = { pattern: SLOW_GLOB };
  }
  // branches: slow globs, and refs or ruleset syntax, which name no branch (signoff-problems.ts).
  const branches = props(schema, "branches");
  if (branches?.items) branches.items.not = { pattern: `^(?:refs/|~)|${SLOW_GLOB}` };
  return schema;
}

/** z.int() says "at most 2^53 - 1": true, but noise in an editor's hover and in the docs. */
function withoutSafeIntegerBounds(node: JsonSchemaNode): JsonSchemaNode {
  const out: JsonSchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if ((key === "maximum" || key === "minimum") && Math.abs(value as number) === Number.MAX_SAFE_INTEGER) continue;
    if (key === "properties") {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, JsonSchemaNode>).map(([k, v]) => [k, withoutSafeIntegerBounds(v)]),
      );
    } else if (key === "items" && typeof value === "object" && value !== null) {
      out.items = withoutSafeIntegerBounds(value as JsonSchemaNode);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Every key the schema defines, with its dotted path ("risk.rules[].tier"), depth first. */
export function schemaKeys(schema: JsonSchemaNode = policyJsonSchema()): { path: string; node: JsonSchemaNode }[] {
  const keys: { path: string; node: JsonSchemaNode }[] = [];
  const visit = (node: JsonSchemaNode, prefix: string) => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const path = prefix === "" ? key : `${prefix}.${key}`;
      keys.push({ path, node: child });
      visit(child, path);
      if (child.items) visit(child.items, `${path}[]`);
    }
  };
  visit(schema, "");
  return keys;
}

/** The committed text of the schema file. */
export function policyJsonSchemaText(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}
