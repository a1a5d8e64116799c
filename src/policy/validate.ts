// Validates a policy — an object or a YAML text — into a Policy or a list of readable problems.
import { PolicySchema, type Policy } from "./schema.js";
import { BUILTIN_SIGNAL_IDS } from "../core/ai-catalogue.js";
import { locateProblems, parseYamlWithPositions, problemsFromZod, type PolicyProblem } from "./problems.js";

export type { PolicyProblem };

export type PolicyResult = { ok: true; policy: Policy } | { ok: false; problems: PolicyProblem[] };

/** What the schema alone cannot say: regular expressions compile, disabled signal ids exist. */
function semanticProblems(policy: Policy): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const known = new Set<string>(BUILTIN_SIGNAL_IDS);
  policy.detection.disable.forEach((id, i) => {
    if (!known.has(id)) {
      problems.push({ path: `detection.disable[${i}]`, message: `"${id}" is not a built-in signal; known ids: ${BUILTIN_SIGNAL_IDS.join(", ")}` });
    }
  });
  const check = (pattern: string, path: string) => {
    try {
      new RegExp(pattern, "i");
    } catch (err) {
      problems.push({ path, message: `is not a valid regular expression: ${(err as Error).message}` });
    }
  };
  policy.detection.body_patterns.forEach((p, i) => check(p, `detection.body_patterns[${i}]`));
  policy.risk.rules.forEach((rule, r) => rule.content?.forEach((p, i) => check(p, `risk.rules[${r}].content[${i}]`)));
  return problems;
}

/** Validate an already-parsed policy object (as Probot's config loader returns it). */
export function validatePolicy(raw: unknown): PolicyResult {
  if (raw === null || raw === undefined) return { ok: true, policy: PolicySchema.parse({}) };
  if (typeof raw !== "object" || Array.isArray(raw)) {
    return { ok: false, problems: [{ path: "", message: "the policy must be a mapping of keys (like `mode: enforce`), not a list or a single value" }] };
  }
  const parsed = PolicySchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: problemsFromZod(parsed.error, raw) };
  const problems = semanticProblems(parsed.data);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, policy: parsed.data };
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
