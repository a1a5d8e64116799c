// Regular expressions from a policy (detection.body_patterns, risk content rules), run in linear time.
//
// Policies write patterns in JavaScript syntax, but V8's backtracking engine can take exponential
// time on a pattern like `(a+)+b` against a line that the pull request's author controls: one such
// line would hang the event loop, and with it every evaluation of every repository. So a pattern is
// compiled with re2js, a pure-JavaScript port of RE2 whose matching is linear in the input. RE2 has
// no lookarounds and no backreferences (neither can run in linear time): a pattern that uses them is
// refused with a problem that says so. Before the automaton runs, a native substring test skips every
// line that lacks the text all matches must contain (e.g. "DROP TABLE", or one of "password" and
// "secret"), which keeps the cost of common patterns close to that of the native engine.
import { RE2JS } from "re2js";

export interface SafePattern {
  /** The pattern as the policy wrote it. */
  readonly source: string;
  /** Texts of which every match contains one (lower-case when the pattern ignores case); [] when none is known. */
  readonly prefilter: readonly string[];
  /** Whether the pattern matches somewhere in the text. Linear in the text's length. */
  test(text: string): boolean;
}

export type SafeCompileResult = { ok: true; pattern: SafePattern } | { ok: false; problem: string };

export interface SafeRegexOptions {
  /** Match regardless of case (detection.body_patterns); content rules are case-sensitive. */
  ignoreCase?: boolean;
}

const WHY = "which Countersign does not support because patterns must run in linear time";

/** JavaScript's `\s` (RE2's is ASCII-only): tab, line breaks, vertical tab, form feed, and the Unicode spaces. */
const JS_SPACE = "\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}";

/**
 * The first construct in a JavaScript pattern that RE2 cannot run in linear time, in words, or
 * undefined. Character classes and escapes are skipped, so `[(?=]` and `\(?=` are not lookaheads.
 */
export function unsupportedConstruct(source: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") {
      const next = source[i + 1] ?? "";
      if (!inClass && /[1-9]/.test(next)) return `a backreference (\`\\${next}\`)`;
      if (!inClass && next === "k" && source[i + 2] === "<") return "a named backreference (`\\k<…>`)";
      i++;
    } else if (inClass) {
      if (c === "]") inClass = false;
    } else if (c === "[") {
      inClass = true;
      if (source[i + 1] === "^") i++;
    } else if (c === "(" && source[i + 1] === "?") {
      const rest = source.slice(i + 2, i + 4);
      if (rest.startsWith("=")) return "a lookahead (`(?=`)";
      if (rest.startsWith("!")) return "a negative lookahead (`(?!`)";
      if (rest === "<=") return "a lookbehind (`(?<=`)";
      if (rest === "<!") return "a negative lookbehind (`(?<!`)";
    }
  }
  return undefined;
}

/** RE2 syntax for a JavaScript pattern, with JavaScript's meaning of `\s` and `\S`. */
function toRe2(source: string): string {
  const translated = RE2JS.translateRegExp(source);
  let out = "";
  let inClass = false;
  for (let i = 0; i < translated.length; i++) {
    const c = translated[i]!;
    if (c === "\\") {
      const next = translated[i + 1] ?? "";
      if (next === "s") out += inClass ? JS_SPACE : `[${JS_SPACE}]`;
      else if (next === "S" && !inClass) out += `[^${JS_SPACE}]`;
      else out += c + next;
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
    } else if (c === "[") {
      inClass = true;
      out += c;
      if (translated[i + 1] === "^") out += translated[++i];
      if (translated[i + 1] === "]") out += translated[++i]; // a leading "]" is a literal in RE2
      continue;
    }
    out += c;
  }
  return out;
}

/** Where a `{n}`, `{n,}` or `{n,m}` quantifier starting at `i` ends (its "}"), with its minimum; undefined when the "{" is a literal. */
function braceQuantifier(source: string, i: number): { end: number; min: number } | undefined {
  const m = /^\{(\d+)(,\d*)?\}/.exec(source.slice(i, i + 24));
  return m ? { end: i + m[0].length - 1, min: Number(m[1]) } : undefined;
}

/** Where an escape whose letter is at `i` ends (the letter itself for `\d`, `\b`, `\n`, …). */
function escapeEnd(source: string, i: number): number {
  const letter = source[i];
  const rest = source.slice(i + 1);
  let m: RegExpExecArray | null = null;
  if (letter === "x") m = /^[0-9A-Fa-f]{0,2}/.exec(rest);
  else if (letter === "u") m = /^(?:\{[0-9A-Fa-f]*\}|[0-9A-Fa-f]{0,4})/.exec(rest);
  else if (letter === "c") m = /^[A-Za-z]?/.exec(rest);
  else if (letter === "p" || letter === "P") m = /^(?:\{[^}]*\})?/.exec(rest);
  else if (letter === "0") m = /^[0-7]{0,2}/.exec(rest);
  return i + (m?.[0].length ?? 0);
}

/** Where the group or class starting at `i` ends, skipping escapes and nested groups and classes. */
function skipGroupOrClass(source: string, i: number): number {
  let depth = 0;
  let inClass = false;
  for (let j = i; j < source.length; j++) {
    const c = source[j]!;
    if (c === "\\") j++;
    else if (inClass) {
      if (c === "]") {
        inClass = false;
        if (depth === 0) return j;
      }
    } else if (c === "[") {
      inClass = true;
      if (source[j + 1] === "^") j++;
      if (source[j + 1] === "]") j++;
    } else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return j;
  }
  return source.length;
}

/** Split `source[from, to)` at its top-level `|` (outside groups, classes and escapes). */
function branches(source: string, from: number, to: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = from;
  for (let i = from; i < to; i++) {
    const c = source[i]!;
    if (c === "\\") i++;
    else if (c === "(" || c === "[") i = skipGroupOrClass(source, i);
    else if (c === "|") {
      out.push([start, i]);
      start = i + 1;
    }
  }
  out.push([start, to]);
  return out;
}

/** How good a requirement is for skipping lines: its shortest text, then fewer alternatives. */
function better(a: string[], b: string[] | undefined): boolean {
  if (b === undefined) return true;
  const shortest = (x: string[]) => Math.min(...x.map((t) => t.length));
  return shortest(a) > shortest(b) || (shortest(a) === shortest(b) && a.length < b.length);
}

/** What every match of the alternation in `source[from, to)` contains: one of these texts; undefined when unknown. */
function requiredInAlternation(source: string, from: number, to: number): string[] | undefined {
  const texts = new Set<string>();
  for (const [a, b] of branches(source, from, to)) {
    const required = requiredInSequence(source, a, b);
    if (required === undefined) return undefined;
    for (const t of required) texts.add(t);
  }
  return [...texts];
}

/**
 * What every match of the sequence `source[from, to)` contains. Candidates are runs of plain ASCII
 * characters that no quantifier makes optional, and groups that must match (whose every branch has
 * a requirement); the best one is kept.
 */
function requiredInSequence(source: string, from: number, to: number): string[] | undefined {
  let best: string[] | undefined;
  let run = "";
  const offer = (candidate: string[] | undefined) => {
    if (candidate !== undefined && candidate.length > 0 && candidate.every((t) => t.length > 0) && better(candidate, best))
      best = candidate;
  };
  const endRun = () => {
    if (run) offer([run]);
    run = "";
  };
  for (let i = from; i < to; i++) {
    const c = source[i]!;
    let atom: string | undefined; // a literal character, or undefined for anything else
    let group: string[] | undefined;
    let last = i;
    if (c === "\\") {
      const next = source[i + 1] ?? "";
      last = i + 1;
      atom = /[!-/:-@[-`{-~]/.test(next) ? next : undefined; // escaped ASCII punctuation is itself
      if (atom === undefined) last = escapeEnd(source, i + 1); // \x41, \u{1F600}, \cJ, \p{L}, \0: none of it is literal
    } else if (c === "(") {
      last = skipGroupOrClass(source, i);
      // The group's body: after "(", "(?:" or "(?<name>" (lookarounds are refused before this runs).
      const head = /^\((?:\?:|\?<[A-Za-z_$][\w$]*>)?/.exec(source.slice(i, last))?.[0] ?? "(";
      group = requiredInAlternation(source, i + head.length, last);
    } else if (c === "[") {
      last = skipGroupOrClass(source, i);
    } else if (c === "{" && braceQuantifier(source, i) === undefined) {
      atom = c;
    } else if (!".^$*+?{)".includes(c) && c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) < 0x7f) {
      atom = c;
    }
    // A quantifier after the atom: optional ones drop it, repeating ones end the run after it.
    const q = source[last + 1];
    let optional = false;
    let repeats = false;
    if (q === "*" || q === "?") {
      optional = true;
      last++;
    } else if (q === "+") {
      repeats = true;
      last++;
    } else if (q === "{") {
      const brace = braceQuantifier(source, last + 1);
      if (brace) {
        optional = brace.min === 0;
        repeats = !optional;
        last = brace.end;
      }
    }
    if ((optional || repeats) && source[last + 1] === "?") last++; // lazy
    if (atom === undefined || optional) {
      endRun();
      if (!optional) offer(group);
    } else {
      run += atom;
      if (repeats) endRun();
    }
    i = last;
  }
  endRun();
  return best;
}

/**
 * Texts of which every match contains at least one (e.g. ["DROP TABLE"], or ["password", "secret"]
 * for `(?:password|secret)\s*=`), or [] when none is known. Conservative: plain ASCII characters only,
 * outside classes, never made optional by a quantifier.
 */
export function requiredText(source: string): string[] {
  return requiredInAlternation(source, 0, source.length) ?? [];
}

/** Lower-case, with the two non-ASCII letters that RE2's case folding maps onto ASCII ones (ſ → s, K → k). */
function foldCase(text: string): string {
  const lower = text.toLowerCase();
  return /[\u017f\u212a]/.test(lower) ? lower.replace(/\u017f/g, "s").replace(/\u212a/g, "k") : lower;
}

function contains(text: string, texts: readonly string[]): boolean {
  for (const t of texts) if (text.includes(t)) return true;
  return false;
}

const cache = new Map<string, SafeCompileResult>();
const CACHE_LIMIT = 5_000;

/**
 * Compile a pattern written in JavaScript syntax for linear-time matching. The result is cached per
 * source and flags. Problems are sentences that follow the pattern's key path in a policy problem.
 */
export function compileSafeRegex(source: string, options: SafeRegexOptions = {}): SafeCompileResult {
  const ignoreCase = options.ignoreCase === true;
  const key = `${ignoreCase ? "i" : "-"}${source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const result = compile(source, ignoreCase);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, result);
  return result;
}

/**
 * RE2's flag groups (`(?i)`, `(?-i)`, `(?i:…)`, `(?s)`, `(?m)`, `(?U)`), which the policy docs promise
 * ("RE2 syntax") and JavaScript before Node 23 refuses. Outside classes and escapes.
 */
const FLAG_GROUP = /\(\?[imsU]*(?:-[imsU]*)?(?=[):])/g;

/** The pattern with RE2's flag groups made plain groups, for JavaScript's syntax check; and whether it had any. */
function withoutFlagGroups(source: string): { js: string; flags: boolean } {
  let js = "";
  let flags = false;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") {
      js += c + (source[i + 1] ?? "");
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
    } else if (c === "[") inClass = true;
    else if (c === "(") {
      FLAG_GROUP.lastIndex = i;
      const m = FLAG_GROUP.exec(source);
      if (m && m.index === i && m[0].length > 2) {
        flags = true;
        const close = source[i + m[0].length];
        if (close === ")") {
          i += m[0].length; // `(?i)`: sets flags for the rest of the group, matches nothing
          continue;
        }
        js += "(?";
        i += m[0].length - 1; // `(?i:`: a non-capturing group; the ":" follows
        continue;
      }
    }
    js += c;
  }
  return { js, flags };
}

function compile(source: string, ignoreCase: boolean): SafeCompileResult {
  const { js, flags } = withoutFlagGroups(source);
  try {
    new RegExp(js, ignoreCase ? "i" : "");
  } catch (err) {
    return { ok: false, problem: `is not a valid regular expression: ${(err as Error).message}` };
  }
  const construct = unsupportedConstruct(js);
  if (construct) return { ok: false, problem: `uses ${construct}, ${WHY}` };
  let re: RE2JS;
  try {
    re = RE2JS.compile(toRe2(source), ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (err) {
    const detail = (err as Error).message.replace(/^error parsing regexp: /, "");
    const count = /^invalid repeat count: (`.*`)$/.exec(detail);
    if (count) return { ok: false, problem: `uses a repetition count above 1000 (${count[1]}), ${WHY}` };
    return { ok: false, problem: `uses syntax that RE2 rejects (${detail}), ${WHY}` };
  }
  // A flag group can change case-sensitivity part-way: no text is then known to be required as written.
  const required = flags ? [] : requiredText(source);
  const prefilter = ignoreCase ? [...new Set(required.map((t) => t.toLowerCase()))] : required;
  const one = prefilter.length === 1 ? prefilter[0]! : undefined;
  let test: (text: string) => boolean;
  if (prefilter.length === 0) test = (text) => re.test(text);
  else if (ignoreCase) test = (text) => contains(foldCase(text), prefilter) && re.test(text);
  else if (one !== undefined) test = (text) => text.includes(one) && re.test(text);
  else test = (text) => contains(text, prefilter) && re.test(text);
  return { ok: true, pattern: { source, prefilter, test } };
}

/** The patterns that compile; the others are skipped (the policy loader reports them). */
export function compileSafeRegexes(sources: readonly string[], options: SafeRegexOptions = {}): SafePattern[] {
  const patterns: SafePattern[] = [];
  for (const source of sources) {
    const result = compileSafeRegex(source, options);
    if (result.ok) patterns.push(result.pattern);
  }
  return patterns;
}
