// Validates a policy — an object or a YAML text — into a Policy or a list of readable problems.
import { PolicySchema, type Policy } from "./schema.js";
import { BUILTIN_SIGNAL_IDS } from "../core/ai-catalogue.js";
import { locateProblems, parseYamlWithPositions, problemsFromZod, type PolicyProblem } from "./problems.js";

export type { PolicyProblem };

export type PolicyResult = { ok: true; policy: Policy } | { ok: false; problems: PolicyProblem[] };

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const at = (value: unknown, key: string): unknown => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined);

/**
 * What the schema alone cannot say: regular expressions compile, disabled signal ids exist.
 * Works on the raw input, so these problems are reported together with the schema's.
 */
function semanticProblems(raw: unknown): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const known = new Set<string>(BUILTIN_SIGNAL_IDS);
  asArray(at(at(raw, "detection"), "disable")).forEach((id, i) => {
    if (typeof id === "string" && !known.has(id)) {
      problems.push({ path: `detection.disable[${i}]`, message: `"${id}" is not a built-in signal; known ids: ${BUILTIN_SIGNAL_IDS.join(", ")}` });
    }
  });
  const check = (pattern: unknown, path: string) => {
    if (typeof pattern !== "string") return;
    try {
      new RegExp(pattern, "i");
    } catch (err) {
      problems.push({ path, message: `is not a valid regular expression: ${(err as Error).message}` });
    }
  };
  asArray(at(at(raw, "detection"), "body_patterns")).forEach((p, i) => check(p, `detection.body_patterns[${i}]`));
  asArray(at(at(raw, "risk"), "rules")).forEach((rule, r) => asArray(at(rule, "content")).forEach((p, i) => check(p, `risk.rules[${r}].content[${i}]`)));
  return problems;
}

/** Validate an already-parsed policy object (as Probot's config loader returns it). */
export function validatePolicy(raw: unknown): PolicyResult {
  if (raw === null || raw === undefined) return { ok: true, policy: PolicySchema.parse({}) };
  if (typeof raw !== "object" || Array.isArray(raw)) {
    return { ok: false, problems: [{ path: "", message: "the policy must be a mapping of keys (like `mode: enforce`), not a list or a single value" }] };
  }
  const parsed = PolicySchema.safeParse(raw);
  const problems = [...(parsed.success ? [] : problemsFromZod(parsed.error, raw)), ...semanticProblems(raw)];
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  return { ok: true, policy: parsed.data };
}

/** Validate the text of a policy file; every problem carries the line it is on. */
export function validatePolicyText(text: string): PolicyResult {
  const yaml = parseYamlWithPositions(text);
  if (yaml.problems.length > 0) return { ok: false, problems: yaml.problems };
  const result = validatePolicy(yaml.value ?? {});
  if (result.ok) return result;
  const located = locateProblems(result.problems, yaml.doc, yaml.lines);
  return { ok: false, problems: located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)) };
}

/** One line per problem: "line 4: risk.rules[0].tier must be one of …". */
export function formatProblem(problem: PolicyProblem): string {
  const where = problem.line !== undefined ? `line ${problem.line}: ` : "";
  const key = problem.path === "" ? "" : `\`${problem.path}\` `;
  return `${where}${key}${problem.message}`;
}
