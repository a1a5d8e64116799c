// One glob: compiling it and matching a path with it, segment by segment. A policy's globs are indexed
// in ./glob-index.ts and one snapshot's paths matched against the index in ./path-matcher.ts.
//
// Globs follow picomatch 4 with { dot: true } on "/"-separated paths, case-sensitive like Git:
// - `*` stays inside one path segment; `**` spans any number of segments, including none, so
//   "**/*.tf" matches a root-level "main.tf" and "infra/prod/**" matches "infra/prod" itself;
// - a glob without a slash ("*.tf") matches at the root only (no gitignore-style basename matching);
// - CODEOWNERS forms mean what they mean there (policy/glob-problems.ts): a leading "/" anchors at the repository root (every
//   glob is anchored there anyway, so "/infra/prod/**" is "infra/prod/**"), and a trailing "/" is the
//   directory and everything under it ("infra/prod/" is "infra/prod/**"); see `codeownersForm`;
// - braces are alternatives ("*.{yml,yaml}"); a negated class is "[^o]" (picomatch 4 reads "[!o]"
//   as "! or o"); a leading "!" negates the whole glob.
//
// Cost (bench/risk.bench.ts): globs are matched segment by segment and looked up by what every path
// they match must contain (a literal segment or an extension); what a glob says about a directory is
// decided once per directory, so a file costs a few lookups and name tests.
import picomatch from "picomatch";
import { codeownersForm } from "../policy/glob-problems.js";

const GLOB_OPTIONS = { dot: true, windows: false } as const;

/**
 * One brace-free glob, matched segment by segment: a literal segment is compared as a string, a
 * wildcard segment with picomatch's regex for that one segment (tens of nanoseconds on a file name,
 * where picomatch's whole-path regex costs about half a microsecond), and `**` spans segments.
 * Globs this cannot express (negation, extglobs, escapes, `**` inside a segment) keep picomatch's
 * whole-path regex. The unit tests check both against picomatch itself.
 */
const GLOBSTAR = Symbol("**");
/** A lone `*`: any one segment (picomatch's regex for it, minus the regex call). */
const ANY_NAME = Symbol("*");

/**
 * A wildcard segment. "prefix*suffix" (the usual "*.ts", "Dockerfile*") is checked with string
 * operations; anything else with picomatch's regex for the segment, after a cheap check for a
 * literal run every match contains.
 */
class NamePattern {
  private constructor(
    private readonly re: RegExp | null,
    private readonly prefix: string,
    private readonly suffix: string,
    private readonly contains: string,
  ) {}

  static of(segment: string): NamePattern | null {
    const simple = /^([A-Za-z0-9._~-]*)\*([A-Za-z0-9._~-]*)$/.exec(segment);
    if (simple !== null) return new NamePattern(null, simple[1]!, simple[2]!, "");
    const re = globRegex(segment);
    if (re === null) return null;
    // The longest literal run outside brackets and braces: a match contains it.
    const runs = segment.replace(/\[[^\]]*\]|\{[^}]*\}/g, "*").split(/[^A-Za-z0-9._~-]+/);
    const contains = /[\\!+@()]/.test(segment) ? "" : runs.reduce((a, b) => (b.length > a.length ? b : a), "");
    return new NamePattern(re, "", "", contains);
  }

  test(name: string): boolean {
    if (this.re !== null) return (this.contains === "" || name.includes(this.contains)) && this.re.test(name);
    // picomatch: a name starting with the wildcard is never "." or "..".
    if (this.prefix === "" && (name === "." || name === "..")) return false;
    return name.length >= this.prefix.length + this.suffix.length && name.startsWith(this.prefix) && name.endsWith(this.suffix);
  }
}

export type NameTest = string | NamePattern | typeof ANY_NAME;
type Segment = NameTest | typeof GLOBSTAR;
export type GlobMatcher = { segments: Segment[] } | { whole: RegExp };

/** Globs compiled across policies (a policy is re-read on every event); bounded, the set is small. */
const globRegexCache = new Map<string, RegExp | null>();
const GLOB_CACHE_LIMIT = 20_000;

function globRegex(glob: string): RegExp | null {
  let re = globRegexCache.get(glob);
  if (re !== undefined) return re;
  try {
    re = picomatch.makeRe(glob, GLOB_OPTIONS);
  } catch {
    re = null; // a glob picomatch cannot read matches nothing
  }
  if (globRegexCache.size >= GLOB_CACHE_LIMIT) globRegexCache.clear();
  globRegexCache.set(glob, re);
  return re;
}

/**
 * "a.{yml,yaml}" → ["a.yml", "a.yaml"], after reading CODEOWNERS forms (`codeownersForm`); a glob with
 * nested or escaped braces or ranges stays whole (picomatch reads it).
 */
export function expandBraces(written: string): string[] {
  return expand(codeownersForm(written));
}

function expand(glob: string): string[] {
  if (glob.includes("\\")) return [glob];
  const open = glob.indexOf("{");
  if (open === -1) return [glob];
  const close = glob.indexOf("}", open);
  if (close === -1) return [glob];
  const inner = glob.slice(open + 1, close);
  if (inner.includes("{") || inner.includes("..") || !inner.includes(",")) return [glob];
  const head = glob.slice(0, open);
  const tails = expand(glob.slice(close + 1));
  const out: string[] = [];
  for (const alt of inner.split(",")) for (const tail of tails) out.push(head + alt + tail);
  return out;
}

const LITERAL_SEGMENT = /^[A-Za-z0-9._~-]+$/;
export const LITERAL_EXT = /\.([A-Za-z0-9_~-]+)$/;
export const isLiteral = (s: string) => LITERAL_SEGMENT.test(s) && s !== "." && s !== "..";

/** A matcher for one brace-free glob, or null when picomatch cannot read it (it then matches nothing). */
export function compileGlob(glob: string): GlobMatcher | null {
  const parts = glob.split("/");
  const segmentWise =
    !glob.startsWith("!") &&
    !/[(){}\\]/.test(glob) && // extglobs, braces expandBraces left (nested), escapes
    parts.every((part) => part !== "" && part !== "." && part !== ".." && (part === "**" || !part.includes("**")));
  if (!segmentWise) {
    const whole = globRegex(glob);
    return whole === null ? null : { whole };
  }
  const segments: Segment[] = [];
  for (const part of parts) {
    if (part === "**") {
      if (segments[segments.length - 1] !== GLOBSTAR) segments.push(GLOBSTAR);
    } else if (isLiteral(part)) {
      segments.push(part);
    } else if (part === "*") {
      segments.push(ANY_NAME);
    } else {
      const pattern = NamePattern.of(part);
      if (pattern === null) return null;
      segments.push(pattern);
    }
  }
  return { segments };
}

export function segmentMatches(segment: NameTest, name: string): boolean {
  if (typeof segment === "string") return segment === name;
  if (segment === ANY_NAME) return name !== "." && name !== "..";
  return segment.test(name);
}

/** Whether glob[g..gEnd) matches exactly path[p..pEnd). */
function matchRange(glob: readonly Segment[], g: number, gEnd: number, path: readonly string[], p: number, pEnd: number): boolean {
  for (; g < gEnd; g++, p++) {
    const segment = glob[g]!;
    if (segment === GLOBSTAR) {
      if (g === gEnd - 1) return true; // a trailing ** matches the rest, even nothing
      for (let rest = p; rest <= pEnd; rest++) if (matchRange(glob, g + 1, gEnd, path, rest, pEnd)) return true;
      return false;
    }
    if (p >= pEnd || !segmentMatches(segment, path[p]!)) return false;
  }
  return p === pEnd;
}

/**
 * What a glob says about the files of one directory, decided once per directory: none of them
 * (false), all of them (true), those whose file name matches a segment, or WHOLE_PATH (test each
 * path with picomatch's regex).
 */
export const WHOLE_PATH = Symbol("whole path");
export type Verdict = boolean | NameTest | typeof WHOLE_PATH;

export function dirVerdict(matcher: GlobMatcher, dir: readonly string[]): Verdict {
  if ("whole" in matcher) return WHOLE_PATH;
  const glob = matcher.segments;
  const n = glob.length;
  const last = glob[n - 1]!;
  if (last !== GLOBSTAR) return matchRange(glob, 0, n - 1, dir, 0, dir.length) && last;
  // "P/**": every file here when P matches the directory or one of its ancestors; otherwise only a
  // file that P matches whole (P's last segment is not **: consecutive ones were collapsed).
  for (let m = 0; m <= dir.length; m++) if (matchRange(glob, 0, n - 1, dir, 0, m)) return true;
  const named = glob[n - 2];
  return named !== undefined && named !== GLOBSTAR && matchRange(glob, 0, n - 2, dir, 0, dir.length) && named;
}

export function verdictHolds(verdict: Verdict, matcher: GlobMatcher, path: string, base: string): boolean {
  if (typeof verdict === "boolean") return verdict;
  if (verdict === WHOLE_PATH) return "whole" in matcher && matcher.whole.test(path);
  return segmentMatches(verdict, base);
}

/** Whether a glob (as a policy writes it) matches a path, with the semantics the rules use. */
export function matchesGlob(glob: string, path: string): boolean {
  return expandBraces(glob).some((g) => {
    const matcher = compileGlob(g);
    return matcher !== null && matchesPath(matcher, path);
  });
}

function matchesPath(matcher: GlobMatcher, path: string): boolean {
  const segments = path.split("/");
  const base = segments.pop()!;
  return verdictHolds(dirVerdict(matcher, segments), matcher, path, base);
}
