// The committed JSON Schema and policy reference must be what the zod schema generates today.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  GENERATE_COMMAND,
  REFERENCE_FILE,
  policyReferenceMarkdown,
  readmeWithBuiltins,
  README_FILE,
} from "../../scripts/policy-reference.js";
import { SCHEMA_FILE, policyJsonSchema, policyJsonSchemaText, schemaKeys } from "../../src/policy/json-schema.js";
import { validatePolicy } from "../../src/policy/validate.js";

const root = join(import.meta.dirname, "..", "..");

function committed(file: string): string | undefined {
  try {
    return readFileSync(join(root, file), "utf8");
  } catch {
    return undefined;
  }
}

describe("generated policy files", () => {
  it.each([
    [SCHEMA_FILE, policyJsonSchemaText],
    [REFERENCE_FILE, policyReferenceMarkdown],
  ] as const)("%s matches the schema", (file, generate) => {
    const text = committed(file);
    const hint = `${file} is out of date with src/policy/schema.ts: run \`${GENERATE_COMMAND}\` and commit the result`;
    expect(text, hint).toBeDefined();
    // Compare whole texts so the diff shows what changed; the message says how to fix it.
    expect(text, hint).toBe(generate());
  });
});

describe("the README's built-in tables", () => {
  it("match the catalogue and the built-in risk rules", () => {
    const readme = committed(README_FILE) ?? "";
    const hint = `the built-in tables in ${README_FILE} are out of date: run \`${GENERATE_COMMAND}\` and commit the result`;
    expect(readme, hint).toBe(readmeWithBuiltins(readme));
    expect(readme).toContain("| `author-app` |");
    expect(readme).toContain("changes database migrations");
  });
});

describe("policy JSON Schema", () => {
  const schema = policyJsonSchema();

  it("has an id, a title and a description", () => {
    expect(schema.$id).toMatch(/\S/);
    expect(schema.title).toMatch(/\S/);
    expect(schema.description).toMatch(/\S/);
  });

  it("describes every key", () => {
    const keys = schemaKeys(schema);
    expect(keys.length).toBeGreaterThan(30);
    const undescribed = keys.filter(({ node }) => typeof node.description !== "string" || node.description.trim() === "");
    expect(undescribed.map((k) => k.path)).toEqual([]);
  });

  it("allows _extends and rejects unknown keys in every mapping", () => {
    expect(schema.properties?._extends?.type).toBe("string");
    expect(schema.additionalProperties).toBe(false);
    const mappings = [schema, ...schemaKeys(schema).flatMap(({ node }) => [node, ...(node.items ? [node.items] : [])])].filter(
      (node) => node.type === "object",
    );
    expect(mappings.length).toBeGreaterThan(5);
    for (const node of mappings) expect(node.additionalProperties).toBe(false);
  });

  it("documents the same defaults the schema applies", () => {
    const defaults = validatePolicy({});
    expect(defaults.ok).toBe(true);
    if (!defaults.ok) return;
    for (const { path, node } of schemaKeys(schema)) {
      if (node.default === undefined || path.includes("[]") || node.type === "object") continue;
      const value = path.split(".").reduce<unknown>((obj, key) => (obj as Record<string, unknown>)[key], defaults.policy);
      expect(value, path).toEqual(node.default);
    }
  });
});
