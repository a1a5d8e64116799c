// Validates a policy — an object or a YAML text — into a Policy or a list of readable problems.
import { PolicySchema, type Policy } from "./schema.js";
import { BUILTIN_SIGNAL_IDS } from "./signals.js";
import { isAiReviewer } from "./ai-identities.js";
import { closestKey } from "./keys.js";
import { compileSafeRegex } from "./safe-regex.js";
import { unmatchableGlob } from "./glob-problems.js";
import { branchProblems, signoffGlobs, signoffProblems } from "./signoff-problems.js";
import { matchesPolicyEmail } from "./email-pattern.js";
import {
  formatPath,
  formatProblem as formatOneProblem,
  locateProblems,
  nearValue,
  parseYamlWithPositions,
  problemsFromZod,
  type PolicyProblem,
} from "./problems.js";

export type { PolicyProblem };

/** Warnings: valid but almost certainly not meant (the policy still applies). */
export type PolicyResult =
  | { ok: true; policy: Policy; warnings?: PolicyProblem[] }
  | { ok: false; problems: PolicyProblem[]; warnings?: PolicyProblem[] };

/** GitHub's private commit emails are <id>+<login>@users.noreply.github.com, for every user who hides their address. */
export const NOREPLY_DOMAIN = "users.noreply.github.com";

/** What is valid but would not do what its author meant. */
export function policyWarnings(raw: unknown): PolicyProblem[] {
  const warnings: PolicyProblem[] = [];
  asArray(at(at(raw, "detection"), "emails")).forEach((pattern, i) => {
    if (typeof pattern !== "string") return;
    // Two unrelated people's private addresses: a pattern that matches both matches everyone's.
    if (
      matchesPolicyEmail(`1234567+someone@${NOREPLY_DOMAIN}`, [pattern]) &&
      matchesPolicyEmail(`7654321+another@${NOREPLY_DOMAIN}`, [pattern])
    ) {
      warnings.push({
        path: `detection.emails[${i}]`,
        message: `"${pattern}" matches every GitHub user who keeps their email private (<id>+<login>@${NOREPLY_DOMAIN}), so it would mark most pull requests as AI-assisted; list the agents' own addresses instead (e.g. "198982749+Copilot@${NOREPLY_DOMAIN}")`,
      });
    }
  });
  return warnings;
}

/**
 * Limits that keep one evaluation cheap whatever the policy says: every pattern and glob runs
 * against every changed line or path of every pull request, and a policy is read on every event.
 * Generous for real policies (the benchmarks use 200 rules); a policy past them is refused quickly,
 * before it is parsed in full or compiled.
 */
export const POLICY_LIMITS = {
  /** Bytes of a policy file's text (a PR's proposed file, the CLI). */
  textBytes: 256 * 1024,
  /** Items in any one list. */
  listItems: 1000,
  /** Characters in any one text value. */
  textChars: 2000,
  /** risk.rules. */
  rules: 500,
  /** Regular expressions in all: detection.body_patterns and every risk.rules[].content. */
  patterns: 500,
  /** `*` wildcards in one path segment of a glob (each one multiplies the cost of matching a long name). */
  starsPerSegment: 3,
} as const;

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const at = (value: unknown, key: string): unknown =>
  value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;

/** Problems with the size of the policy: too long a list or text, too many rules or patterns. */
function sizeProblems(raw: unknown): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const walk = (value: unknown, path: PropertyKey[], depth: number) => {
    if (problems.length >= 20 || depth > 8) return;
    if (typeof value === "string" && value.length > POLICY_LIMITS.textChars) {
      problems.push({
        path: formatPath(path),
        message: `is ${value.length} characters long; at most ${POLICY_LIMITS.textChars} are allowed`,
      });
    } else if (Array.isArray(value)) {
      if (value.length > POLICY_LIMITS.listItems) {
        problems.push({ path: formatPath(path), message: `has ${value.length} items; at most ${POLICY_LIMITS.listItems} are allowed` });
        return;
      }
      value.forEach((item, i) => walk(item, [...path, i], depth + 1));
    } else if (value !== null && typeof value === "object") {
      const entries = Object.entries(value);
      if (entries.length > POLICY_LIMITS.listItems) {
        problems.push({ path: formatPath(path), message: `has ${entries.length} keys; at most ${POLICY_LIMITS.listItems} are allowed` });
        return;
      }
      for (const [key, item] of entries) walk(item, [...path, key], depth + 1);
    }
  };
  walk(raw, [], 0);
  const rules = asArray(at(at(raw, "risk"), "rules"));
  if (rules.length > POLICY_LIMITS.rules) {
    problems.push({ path: "risk.rules", message: `has ${rules.length} rules; at most ${POLICY_LIMITS.rules} are allowed` });
  }
  const patterns =
    asArray(at(at(raw, "detection"), "body_patterns")).length +
    rules.reduce<number>((n, rule) => n + asArray(at(rule, "content")).length, 0);
  if (patterns > POLICY_LIMITS.patterns) {
    problems.push({
      path: "",
      message: `the policy has ${patterns} regular expressions (detection.body_patterns and risk.rules[].content); at most ${POLICY_LIMITS.patterns} are allowed, because each one runs on every pull request`,
    });
  }
  return problems;
}

/** Why a glob cannot be matched quickly enough against a long path, or undefined. */
function globProblem(glob: string): string | undefined {
  const extglob = /([+*@?!])\(/.exec(glob);
  if (extglob) {
    return `uses an extglob (\`${extglob[0]}…)\`), which Countersign does not support because matching a long path against it can take exponential time; list the alternatives with braces instead ("{a,b}")`;
  }
  for (const segment of glob.split("/")) {
    if (segment === "**") continue;
    const stars = (segment.replace(/\\./g, "").match(/\*+/g) ?? []).length;
    if (stars > POLICY_LIMITS.starsPerSegment) {
      return `has ${stars} \`*\` wildcards in the path segment "${segment}"; at most ${POLICY_LIMITS.starsPerSegment} are allowed, because each one multiplies the cost of matching a long file name`;
    }
  }
  return undefined;
}

/**
 * What the schema alone cannot say: regular expressions compile and run in linear time, globs can
 * be matched quickly, disabled signal ids exist. Works on the raw input, so these problems are
 * reported together with the schema's.
 */
function semanticProblems(raw: unknown): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const known = new Set<string>(BUILTIN_SIGNAL_IDS);
  asArray(at(at(raw, "detection"), "disable")).forEach((id, i) => {
    if (typeof id === "string" && !known.has(id)) {
      const prefixed = BUILTIN_SIGNAL_IDS.filter((known) => known.startsWith(id.toLowerCase()));
      const near =
        closestKey(id, BUILTIN_SIGNAL_IDS) ?? nearValue(id, BUILTIN_SIGNAL_IDS) ?? (prefixed.length === 1 ? prefixed[0] : undefined);
      problems.push({
        path: `detection.disable[${i}]`,
        message: `"${id}" is not a built-in signal; ${near ? `did you mean "${near}"? ` : ""}known ids: ${BUILTIN_SIGNAL_IDS.join(", ")}`,
      });
    }
  });
  // Patterns run in linear time (src/policy/safe-regex.ts): one that needs backtracking is refused here.
  const check = (pattern: unknown, path: string, ignoreCase: boolean) => {
    if (typeof pattern !== "string") return;
    const compiled = compileSafeRegex(pattern, { ignoreCase });
    if (!compiled.ok) problems.push({ path, message: compiled.problem });
  };
  const checkGlob = (glob: unknown, path: string) => {
    const problem = typeof glob === "string" ? (globProblem(glob) ?? unmatchableGlob(glob)) : undefined;
    if (problem) problems.push({ path, message: problem });
  };
  asArray(at(at(raw, "detection"), "body_patterns")).forEach((p, i) => check(p, `detection.body_patterns[${i}]`, true));
  asArray(at(at(raw, "risk"), "components")).forEach((g, i) => checkGlob(g, `risk.components[${i}]`));
  asArray(at(at(raw, "risk"), "rules")).forEach((rule, r) => {
    asArray(at(rule, "content")).forEach((p, i) => check(p, `risk.rules[${r}].content[${i}]`, false));
    asArray(at(rule, "paths")).forEach((g, i) => checkGlob(g, `risk.rules[${r}].paths[${i}]`));
  });
  for (const { glob, path } of signoffGlobs(raw)) checkGlob(glob, path);
  problems.push(...signoffProblems(raw), ...branchProblems(raw), ...aiReviewerProblems(at(raw, "signoff"), "signoff"));
  return problems;
}

export const AI_REVIEWER_MESSAGE =
  "is an AI identity; an AI identity can never sign off (its approval never counts): name the people or teams who review for it";

/** Every `reviewers` list under signoff (top level, tiers, require groups) that names an AI tool's account. */
function aiReviewerProblems(node: unknown, path: string): PolicyProblem[] {
  if (node === null || typeof node !== "object") return [];
  const problems: PolicyProblem[] = [];
  const entries: Array<[string | number, unknown]> = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
  for (const [key, value] of entries) {
    const here = typeof key === "number" ? `${path}[${key}]` : `${path}.${key}`;
    if (key === "reviewers" && Array.isArray(value)) {
      value.forEach((spec, i) => {
        if (typeof spec === "string" && isAiReviewer(spec)) problems.push({ path: `${here}[${i}]`, message: AI_REVIEWER_MESSAGE });
      });
    } else {
      problems.push(...aiReviewerProblems(value, here));
    }
  }
  return problems;
}

/** Validate an already-parsed policy object (as Probot's config loader returns it). */
export function validatePolicy(raw: unknown): PolicyResult {
  if (raw === null || raw === undefined) return { ok: true, policy: PolicySchema.parse({}) };
  if (typeof raw !== "object" || Array.isArray(raw)) {
    return {
      ok: false,
      problems: [{ path: "", message: "the policy must be a mapping of keys (like `mode: enforce`), not a list or a single value" }],
    };
  }
  // A policy too large to evaluate cheaply is refused before the schema and the patterns see it.
  const oversized = sizeProblems(raw);
  if (oversized.length > 0) return { ok: false, problems: oversized };
  const parsed = PolicySchema.safeParse(raw);
  const semantic = semanticProblems(raw);
  // An AI account named "…[bot]" is also a bot to the schema: say the one reason that matters.
  const ai = new Set(semantic.filter((p) => p.message === AI_REVIEWER_MESSAGE).map((p) => p.path));
  const schema = parsed.success ? [] : problemsFromZod(parsed.error, raw).filter((p) => !ai.has(p.path));
  const problems = [...schema, ...semantic];
  const warnings = policyWarnings(raw);
  const extra = warnings.length > 0 ? { warnings } : {};
  if (!parsed.success || problems.length > 0) return { ok: false, problems, ...extra };
  return { ok: true, policy: parsed.data, ...extra };
}

/** Validate the text of a policy file; every problem carries the line it is on. */
export function validatePolicyText(text: string): PolicyResult {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > POLICY_LIMITS.textBytes) {
    const size = bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
    return {
      ok: false,
      problems: [
        {
          path: "",
          message: `the policy file is ${size}; Countersign reads policy files of at most ${POLICY_LIMITS.textBytes / 1024} KB`,
          line: 1,
        },
      ],
    };
  }
  const yaml = parseYamlWithPositions(text);
  if (yaml.problems.length > 0) return { ok: false, problems: yaml.problems };
  const result = validatePolicy(yaml.value ?? {});
  const warnings = result.warnings ? { warnings: locateProblems(result.warnings, yaml.doc, yaml.lines) } : {};
  if (result.ok) return { ...result, ...warnings };
  const located = locateProblems(result.problems, yaml.doc, yaml.lines);
  return { ok: false, problems: located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)), ...warnings };
}

/** One line per problem: "line 4: `risk.rules[0].tier` must be one of …" (problems.ts). */
export function formatProblem(problem: PolicyProblem): string {
  return formatOneProblem(problem);
}
