// Turns zod issues and YAML errors into problems a person can act on: key path, plain words, line.
import type { z } from "zod";
import { isMap, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import { closest, distance } from "fastest-levenshtein";
import { allowedKeys, closestKey, elsewhere } from "./keys.js";

/**
 * Among a few allowed values, a value two edits away (a transposition: "hgih") is still a typo of
 * one of them, when both are longer than three characters.
 */
export function nearValue(found: string, allowed: readonly string[]): string | undefined {
  if (allowed.length === 0 || found.length <= 3) return undefined;
  const best = closest(found.toLowerCase(), [...allowed]);
  return best.length > 3 && distance(found.toLowerCase(), best) <= 2 ? best : undefined;
}

/** `; did you mean "x"?` when the value is a text close to one of the allowed texts. */
function didYouMean(found: unknown, allowed: readonly unknown[]): string {
  if (typeof found !== "string") return "";
  const texts = allowed.filter((v): v is string => typeof v === "string");
  const near = closestKey(found, texts) ?? nearValue(found, texts);
  return near !== undefined && near !== found ? `; did you mean ${JSON.stringify(near)}?` : "";
}

type Issue = z.core.$ZodIssue;

/**
 * The values a union of literals and booleans allows (`fresh_approval: true | false | "same-diff"`),
 * read from the issues of each of its branches; undefined when a branch is anything else.
 */
function unionValues(branches: Issue[][]): unknown[] | undefined {
  const values: unknown[] = [];
  for (const issues of branches) {
    if (issues.length !== 1) return undefined;
    const issue = issues[0]!;
    if (issue.path.length > 0) return undefined;
    if (issue.code === "invalid_value") values.push(...issue.values);
    else if (issue.code === "invalid_type" && issue.expected === "boolean") values.push(true, false);
    else return undefined;
  }
  return values.length > 0 ? values : undefined;
}

export interface PolicyProblem {
  /** Dotted key path, e.g. "risk.rules[2].tier"; "" for the whole file. */
  path: string;
  message: string;
  /** 1-based line in the file, when the problem came from a YAML text. */
  line?: number;
  column?: number;
}

/**
 * The one way a policy problem is written on one line. Without `file` (the check run, the validate
 * API): "line 4: `risk.rules[0].tier` must be one of …", the key shown with `code`. With `file` (a
 * terminal, like a compiler): "policy.yml:4: risk.rules[0].tier must be one of …".
 */
export function formatProblem(problem: PolicyProblem, file?: string, code: (text: string) => string = (text) => `\`${text}\``): string {
  if (file !== undefined) {
    const where = problem.line !== undefined ? `${file}:${problem.line}` : file;
    return `${where}: ${problem.path === "" ? "" : `${problem.path} `}${problem.message}`;
  }
  const where = problem.line !== undefined ? `line ${problem.line}: ` : "";
  const key = problem.path === "" ? "" : `${code(problem.path)} `;
  return `${where}${key}${problem.message}`;
}

/** Keys that were renamed or never existed in this form, and the key to use instead. */
export const RENAMED_KEYS: Record<string, string> = {
  required_approvals: "signoff.approvals",
  "signoff.required_approvals": "signoff.approvals",
  "signoff.count": "signoff.approvals",
  "signoff.approvers": "signoff.reviewers",
  reviewers: "signoff.reviewers",
  approvals: "signoff.approvals",
  "risk.default_tier": "risk.default",
  "risk.paths": "risk.rules[].paths",
  "detection.ignore": "detection.ignore_authors",
  "detection.bots": "detection.authors",
  "override.allowed": "override.by",
  enforce: "mode: enforce | report",
};

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value === "number" ? "the number" : "the value"} ${String(value)}`;
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key as string];
  }
  return cur;
}

const TYPE_WORDS: Record<string, string> = {
  string: "a text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping of keys",
};

/** "unknown key", with the allowed key it is closest to, or where a key of that name belongs. */
function unknownKeyMessage(key: string, at: ReadonlyArray<PropertyKey>, path: string): string {
  const where = path === "" ? "" : ` under ${path}`;
  const allowed = allowedKeys(at);
  const suggestion = closestKey(key, allowed);
  if (suggestion !== undefined) return `unknown key "${key}"${where}; did you mean "${suggestion}"?`;
  const schemaPath = formatPath(at.map((k) => (typeof k === "number" ? "[]" : k)))
    .replace(/\.\[\]/g, "[]")
    .replace(/\[\[\]\]/g, "[]");
  const other = elsewhere(key, schemaPath).sort((a, b) => a.length - b.length);
  if (other.length > 0) {
    const named = other.slice(0, 2).join(" or ");
    return `unknown key "${key}"${where}; did you mean ${named}${other.length > 2 ? " (or another level)" : ""}? The key belongs there, not here`;
  }
  return `unknown key "${key}"${where}; the keys allowed here are ${allowed.join(", ")}`;
}

/** One zod issue in plain words, with the key path it concerns. */
export function problemsFromZod(error: z.ZodError, raw: unknown): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  for (const issue of error.issues) {
    const path = formatPath(issue.path);
    switch (issue.code) {
      case "unrecognized_keys": {
        for (const key of issue.keys) {
          const full = path === "" ? key : `${path}.${key}`;
          const renamed = RENAMED_KEYS[full];
          problems.push({
            path: full,
            message: renamed ? `unknown key "${key}": it is called ${renamed} now` : unknownKeyMessage(key, issue.path, path),
          });
        }
        break;
      }
      case "invalid_type": {
        const found = valueAt(raw, issue.path);
        const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
        problems.push({ path, message: `must be ${expected}, but is ${describeValue(found)}` });
        break;
      }
      case "invalid_value": {
        const found = valueAt(raw, issue.path);
        const allowed = issue.values.map((v) => JSON.stringify(v)).join(", ");
        problems.push({ path, message: `must be one of ${allowed}, but is ${describeValue(found)}${didYouMean(found, issue.values)}` });
        break;
      }
      case "invalid_union": {
        const found = valueAt(raw, issue.path);
        const values = unionValues(issue.errors);
        if (values) {
          const allowed = values.map((v) => JSON.stringify(v)).join(", ");
          problems.push({ path, message: `must be one of ${allowed}, but is ${describeValue(found)}${didYouMean(found, values)}` });
        } else {
          problems.push({
            path,
            message: `${issue.message === "Invalid input" ? "is not one of the allowed forms" : issue.message}, but is ${describeValue(found)}`,
          });
        }
        break;
      }
      case "too_small": {
        const what = issue.origin === "array" ? "item(s)" : issue.origin === "string" ? "character(s)" : "";
        problems.push({ path, message: `must be at least ${String(issue.minimum)}${what ? ` ${what}` : ""}` });
        break;
      }
      case "too_big": {
        const what = issue.origin === "array" ? "item(s)" : issue.origin === "string" ? "character(s)" : "";
        problems.push({ path, message: `must be at most ${String(issue.maximum)}${what ? ` ${what}` : ""}` });
        break;
      }
      default:
        problems.push({ path, message: issue.message });
    }
  }
  return problems;
}

/** Fill in line/column for each problem from the YAML document it came from. */
export function locateProblems(problems: PolicyProblem[], doc: Document, lines: LineCounter): PolicyProblem[] {
  return problems.map((problem) => {
    if (problem.line !== undefined) return problem;
    const offset = offsetOf(doc, problem.path);
    if (offset === undefined) return problem;
    const pos = lines.linePos(offset);
    return { ...problem, line: pos.line, column: pos.col };
  });
}

function parsePathKeys(path: string): Array<string | number> {
  const keys: Array<string | number> = [];
  for (const part of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (part[2] !== undefined) keys.push(Number(part[2]));
    else if (part[1] !== undefined) keys.push(part[1]);
  }
  return keys;
}

/** The offset of the deepest node on the path that exists (the key itself for unknown keys). */
function offsetOf(doc: Document, path: string): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = (node as { range?: [number] } | null)?.range?.[0];
  for (const key of parsePathKeys(path)) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === key);
      if (!pair) return offset;
      offset = (pair.key as { range?: [number] } | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === "number") {
      const item = node.items[key];
      if (!item) return offset;
      offset = (item as { range?: [number] }).range?.[0] ?? offset;
      node = item;
    } else {
      return offset;
    }
  }
  return offset;
}

export interface ParsedYaml {
  value: unknown;
  doc: Document;
  lines: LineCounter;
  problems: PolicyProblem[];
}

/** Parse YAML text keeping positions, so later problems can be given a line. */
export function parseYamlWithPositions(text: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const problems: PolicyProblem[] = doc.errors.map((err) => {
    const pos = err.linePos?.[0];
    return {
      path: "",
      message: `YAML syntax error: ${(err.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "")}`,
      ...(pos ? { line: pos.line, column: pos.col } : {}),
    };
  });
  let value: unknown;
  if (problems.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    } catch (err) {
      // "Excessive alias count": anchors and aliases nested to expand into an enormous document.
      problems.push({
        path: "",
        message: `YAML that cannot be read: ${(err as Error).message}. Write the policy out without nested aliases.`,
      });
    }
  }
  return { value, doc, lines, problems };
}
