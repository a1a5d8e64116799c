// Writes the policy's JSON Schema and Markdown reference from the zod schema: `npm run generate`.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SCHEMA_FILE, policyJsonSchemaText } from "../src/policy/json-schema.js";
import { README_FILE, REFERENCE_FILE, policyReferenceMarkdown, readmeWithBuiltins } from "./policy-reference.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

for (const [file, text] of [
  [SCHEMA_FILE, policyJsonSchemaText()],
  [REFERENCE_FILE, policyReferenceMarkdown()],
  [README_FILE, readmeWithBuiltins(readFileSync(join(root, README_FILE), "utf8"))],
] as const) {
  const path = join(root, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(`wrote ${file}`);
}
