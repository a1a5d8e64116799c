// Risk assessment: the blast radius of a pull request as one tier, with every rule that put it there.
//
// Globs follow picomatch 4 with { dot: true } on "/"-separated paths, case-sensitive like Git:
// - `*` stays inside one path segment; `**` spans any number of segments, including none, so
//   "**/*.tf" matches a root-level "main.tf" and "infra/prod/**" matches "infra/prod" itself;
// - a glob without a slash ("*.tf") matches at the root only (no gitignore-style basename matching);
// - braces are alternatives ("*.{yml,yaml}"); a negated class is "[^o]" (picomatch 4 reads "[!o]"
//   as "! or o"); a leading "!" negates the whole glob.
// Content regexes (JavaScript syntax, no flags: case-sensitive; run in linear time by src/core/safe-regex.ts,
// so lookarounds and backreferences are refused by policy validation) are tested against each added or
// removed line on its own: without its "+"/"-" marker and a final "\r", cut to 2000 characters,
// so `^` and `$` are the line's start and end and no match spans two lines.
//
// Cost (bench/risk.bench.ts: a 3000-file PR against 200 rules): everything is compiled once per
// policy object. Globs are matched segment by segment and looked up by what every path they match
// must contain (a literal segment or an extension); what a glob says about a directory is decided
// once per directory, so a file costs a few lookups and name tests. All content regexes scan each
// patch together, as one alternation, and each hit is confirmed on its own line.
import picomatch from "picomatch";
import { RISK_TIERS, type Policy, type RiskRule, type RiskTier } from "../policy/schema.js";
import { BUILTIN_RISK_RULES } from "./builtin-risk-rules.js";
import type { ChangedFile, PullSnapshot, RiskAssessment, RiskReason } from "./types.js";
import { compileSafeRegex } from "./safe-regex.js";

export const POLICY_PATH = ".github/countersign.yml";
const POLICY_PATHS: ReadonlySet<string> = new Set([POLICY_PATH, ".github/countersign.yaml"]);

/** How many matching paths or values a reason lists; matchCount has the total. */
const MAX_MATCHES = 5;
/** Changed lines are cut to this many characters before a content regex sees them, to bound its cost. */
const MAX_LINE = 2000;
const GLOB_OPTIONS = { dot: true, windows: false } as const;

export function tierRank(t: RiskTier): number {
  return RISK_TIERS.indexOf(t);
}

export function maxTier(a: RiskTier, b: RiskTier): RiskTier {
  return tierRank(b) > tierRank(a) ? b : a;
}

// ---------------------------------------------------------------------------------------------
// Globs

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

type NameTest = string | NamePattern | typeof ANY_NAME;
type Segment = NameTest | typeof GLOBSTAR;
type GlobMatcher = { segments: Segment[] } | { whole: RegExp };

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

/** "a.{yml,yaml}" → ["a.yml", "a.yaml"]; a glob with nested or escaped braces or ranges stays whole (picomatch reads it). */
function expandBraces(glob: string): string[] {
  if (glob.includes("\\")) return [glob];
  const open = glob.indexOf("{");
  if (open === -1) return [glob];
  const close = glob.indexOf("}", open);
  if (close === -1) return [glob];
  const inner = glob.slice(open + 1, close);
  if (inner.includes("{") || inner.includes("..") || !inner.includes(",")) return [glob];
  const head = glob.slice(0, open);
  const tails = expandBraces(glob.slice(close + 1));
  const out: string[] = [];
  for (const alt of inner.split(",")) for (const tail of tails) out.push(head + alt + tail);
  return out;
}

const LITERAL_SEGMENT = /^[A-Za-z0-9._~-]+$/;
const LITERAL_EXT = /\.([A-Za-z0-9_~-]+)$/;
const isLiteral = (s: string) => LITERAL_SEGMENT.test(s) && s !== "." && s !== "..";

/** A matcher for one brace-free glob, or null when picomatch cannot read it (it then matches nothing). */
function compileGlob(glob: string): GlobMatcher | null {
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

function segmentMatches(segment: NameTest, name: string): boolean {
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
const WHOLE_PATH = Symbol("whole path");
type Verdict = boolean | NameTest | typeof WHOLE_PATH;

function dirVerdict(matcher: GlobMatcher, dir: readonly string[]): Verdict {
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

function verdictHolds(verdict: Verdict, matcher: GlobMatcher, path: string, base: string): boolean {
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

interface GlobOwner {
  rule: number;
  /** The glob as the policy wrote it (before brace expansion), for the reason. */
  label: string;
}

interface GlobTable {
  matchers: GlobMatcher[];
  owners: GlobOwner[][];
  /** Globs by a literal segment that every path they match contains. */
  bySegment: Map<string, number[]>;
  /** Globs by the extension that every path they match ends with. */
  byExt: Map<string, number[]>;
  /** Globs that no key narrows down: tested against every path. */
  always: number[];
}

/**
 * What every path a brace-free glob matches must contain, to look it up by: its file name when
 * literal, else its longest literal directory segment (named directories are rarer than ".ts"),
 * else the extension it ends with. Literal segments match exactly one path segment, even around `**`.
 */
function globKey(glob: string): { segment: string } | { ext: string } | null {
  if (glob.startsWith("!") || /[(){}\\]/.test(glob)) return null;
  const parts = glob.split("/");
  const last = parts[parts.length - 1]!;
  if (isLiteral(last)) return { segment: last };
  let best: string | undefined;
  for (const part of parts) if (isLiteral(part) && (best === undefined || part.length >= best.length)) best = part;
  if (best !== undefined) return { segment: best };
  const ext = last.includes("**") ? null : LITERAL_EXT.exec(last);
  return ext?.[1] === undefined ? null : { ext: ext[1] };
}

function pushTo(map: Map<string, number[]>, key: string, id: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [id]);
  else list.push(id);
}

function compileGlobs(rules: readonly RiskRule[]): GlobTable {
  const table: GlobTable = { matchers: [], owners: [], bySegment: new Map(), byExt: new Map(), always: [] };
  const ids = new Map<string, number>();
  rules.forEach((rule, r) => {
    for (const label of new Set(rule.paths ?? [])) {
      for (const glob of expandBraces(label)) {
        let id = ids.get(glob);
        if (id === undefined) {
          const matcher = compileGlob(glob);
          if (matcher === null) continue;
          id = table.matchers.length;
          ids.set(glob, id);
          table.matchers.push(matcher);
          table.owners.push([]);
          const key = globKey(glob);
          if (key === null) table.always.push(id);
          else if ("segment" in key) pushTo(table.bySegment, key.segment, id);
          else pushTo(table.byExt, key.ext, id);
        }
        const owners = table.owners[id]!;
        if (!owners.some((o) => o.rule === r && o.label === label)) owners.push({ rule: r, label });
      }
    }
  });
  return table;
}

// ---------------------------------------------------------------------------------------------
// Content regexes

interface ContentPattern {
  id: number;
  source: string;
  /**
   * The regex as written, for confirming a hit on one changed line (without its marker and a final
   * "\r"): linear-time (safe-regex.ts) for every pattern a valid policy can hold.
   */
  line: { test(text: string): boolean };
  /** Global and multiline, with `^` taking the "+"/"-" marker too, for scanning a patch. */
  scan: RegExp;
  /**
   * "together": part of the one alternation that scans each patch once; "alone": its own scan
   * (backreferences and named groups do not survive being joined); "lines": tested line by line,
   * because a negative lookaround could see the neighbouring line in the patch.
   */
  how: "together" | "alone" | "lines";
}

interface ContentProgram {
  patterns: ContentPattern[];
  /** The alternation of every "together" pattern; null when there is none. */
  together: RegExp | null;
}

// Each file's patch is scanned as GitHub sends it, hunk headers and context lines included. A regex
// without a negative lookaround that matches a changed line alone also matches that line inside the
// patch, once `^` is read as "a line's start and its +/- marker" (with the m flag, `$` and `\b` see a
// line break as they see the end of a string). So the scan finds every line that can match, and more;
// each candidate that is a changed line is confirmed with the regex as written. (A line longer than
// MAX_LINE is confirmed on its first MAX_LINE characters; only there can a `$` differ.)
const NEGATIVE_LOOKAROUND = /\(\?<?!/;
const NUMBERED_OR_NAMED = /\\[1-9]|\\k<|\(\?<[^=!]/;

/** The regex source with each `^` outside a character class reading "a line's start and its +/- marker". */
function anchorAfterMarker(source: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\") {
      out += source.slice(i, i + 2);
      i++;
    } else if (inClass) {
      if (c === "]") inClass = false;
      out += c;
    } else if (c === "[") {
      inClass = true;
      out += c;
    } else {
      out += c === "^" ? "^[+-]" : c; // consumes the marker: cheaper to scan for than a lookbehind
    }
  }
  return out;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

function compilePattern(source: string, id: number): ContentPattern | null {
  // A policy's patterns run in linear time (safe-regex.ts), so no changed line can hang the event
  // loop: the native scan looks only for text that every match contains, and each candidate line is
  // confirmed by the linear-time engine; a pattern without such text is tested line by line.
  const safe = compileSafeRegex(source);
  if (safe.ok) {
    const { prefilter } = safe.pattern;
    if (prefilter.length === 0) return { id, source, line: safe.pattern, scan: /$^/gm, how: "lines" };
    return { id, source, line: safe.pattern, scan: new RegExp(prefilter.map(escapeRegExp).join("|"), "gm"), how: "together" };
  }
  // Lookarounds and backreferences: policy validation refuses them, so only direct callers get here.
  let line: RegExp;
  try {
    line = new RegExp(source);
  } catch {
    return null; // reported by the policy loader; here it matches nothing
  }
  let scan: RegExp | null = null;
  try {
    scan = new RegExp(anchorAfterMarker(source), "gm");
  } catch {
    // the rewritten form does not compile: test it line by line
  }
  if (scan === null || NEGATIVE_LOOKAROUND.test(source)) return { id, source, line, scan: line, how: "lines" };
  return { id, source, line, scan, how: NUMBERED_OR_NAMED.test(source) ? "alone" : "together" };
}

function compileContent(rules: readonly RiskRule[]): { program: ContentProgram; byRule: (ContentPattern[] | undefined)[] } {
  const patterns: ContentPattern[] = [];
  const bySource = new Map<string, ContentPattern | null>();
  const byRule = rules.map((rule) => {
    if (rule.content === undefined) return undefined;
    const list: ContentPattern[] = [];
    for (const source of rule.content) {
      let pattern = bySource.get(source);
      if (pattern === undefined) {
        pattern = compilePattern(source, patterns.length);
        if (pattern !== null) patterns.push(pattern);
        bySource.set(source, pattern);
      }
      if (pattern !== null && !list.includes(pattern)) list.push(pattern);
    }
    return list;
  });
  const joined = patterns.filter((p) => p.how === "together");
  let together: RegExp | null = null;
  if (joined.length > 0) {
    try {
      together = new RegExp(joined.map((p) => `(?:${p.scan.source})`).join("|"), "gm");
    } catch {
      for (const p of joined) p.how = "alone";
    }
  }
  return { program: { patterns, together }, byRule };
}

const PLUS = 43;
const MINUS = 45;
const CR = 13;

/** One file's patch, and where its first hunk starts (lines before it are "---"/"+++" headers). */
class Patch {
  private firstHunk = -1;

  constructor(readonly text: string) {}

  /** The changed line starting at `start` without its marker (and a final "\r"), or null for any other line. */
  changedLine(start: number, end: number): string | null {
    const text = this.text;
    const c = text.charCodeAt(start);
    if (c !== PLUS && c !== MINUS) return null;
    if (text.startsWith("+++", start) || text.startsWith("---", start)) {
      // A header only before the first hunk; after it, "---" is a removed line that began with "--".
      if (this.firstHunk === -1) this.firstHunk = text.startsWith("@@") ? 0 : text.indexOf("\n@@") + 1 || text.length;
      if (start < this.firstHunk) return null;
    }
    if (end > start + 1 && text.charCodeAt(end - 1) === CR) end--;
    return text.slice(start + 1, Math.min(end, start + 1 + MAX_LINE));
  }

  /** Start and end of the line holding `at`. */
  lineAround(at: number): [number, number] {
    const end = this.text.indexOf("\n", at);
    return [this.text.lastIndexOf("\n", at - 1) + 1, end === -1 ? this.text.length : end];
  }
}

/** Per content pattern, the files (indices, among those marked in `only`) with a changed line it matches. */
function searchContent(program: ContentProgram, files: readonly ChangedFile[], only: Uint8Array): Set<number>[] {
  const found = program.patterns.map(() => new Set<number>());
  const joined = program.patterns.filter((p) => p.how === "together");
  for (let f = 0; f < files.length; f++) {
    if (only[f] !== 1) continue;
    const text = files[f]!.patch;
    if (text === undefined || text === "") continue;
    const patch = new Patch(text);
    if (program.together !== null) {
      // One scan for all joinable patterns; at each hit, every one of them is tested on the hit's line.
      const re = program.together;
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        const [start, end] = patch.lineAround(m.index);
        const line = patch.changedLine(start, end);
        if (line !== null) for (const p of joined) if (!found[p.id]!.has(f) && p.line.test(line)) found[p.id]!.add(f);
        re.lastIndex = end + 1;
        if (re.lastIndex > text.length) break;
      }
    }
    for (const p of program.patterns) {
      if (p.how === "alone") {
        const re = p.scan;
        re.lastIndex = 0;
        for (let m = re.exec(text); m !== null; m = re.exec(text)) {
          const [start, end] = patch.lineAround(m.index);
          const line = patch.changedLine(start, end);
          if (line !== null && p.line.test(line)) {
            found[p.id]!.add(f);
            break;
          }
          re.lastIndex = end + 1;
          if (re.lastIndex > text.length) break;
        }
      } else if (p.how === "lines") {
        for (let start = 0; start < text.length; ) {
          const [, end] = patch.lineAround(start);
          const line = patch.changedLine(start, end);
          if (line !== null && p.line.test(line)) {
            found[p.id]!.add(f);
            break;
          }
          start = end + 1;
        }
      }
    }
  }
  return found;
}

/** A file whose content changed but whose diff GitHub did not send (binary, or too large). */
function unreadable(file: ChangedFile): boolean {
  if (file.patch !== undefined) return false;
  const contentUnchanged =
    file.additions === 0 && file.deletions === 0 && (file.status === "renamed" || file.status === "copied" || file.status === "unchanged");
  return !contentUnchanged;
}

// ---------------------------------------------------------------------------------------------
// Compiling a policy

interface CompiledRule {
  rule: RiskRule;
  /** Valid content patterns; an empty list never matches (the policy loader reports invalid regexes). */
  content: ContentPattern[] | undefined;
}

/** Compiled matchers for one policy: build with compileRisk, use through assessRisk. Opaque. */
export interface CompiledRisk {
  readonly defaultTier: RiskTier;
  readonly rules: readonly CompiledRule[];
  readonly globs: GlobTable;
  readonly components: readonly GlobMatcher[];
  readonly content: ContentProgram;
  readonly usesComponents: boolean;
}

const compiledByPolicy = new WeakMap<Policy, CompiledRisk>();

/**
 * Compile a policy's risk rules (the built-in ones first, unless `risk.builtin: false`) once; later
 * calls with the same policy object return the same result. A policy is treated as immutable.
 */
export function compileRisk(policy: Policy): CompiledRisk {
  const cached = compiledByPolicy.get(policy);
  if (cached !== undefined) return cached;
  const rules: RiskRule[] = [...(policy.risk.builtin ? BUILTIN_RISK_RULES : []), ...policy.risk.rules];
  const { program, byRule } = compileContent(rules);
  const compiled: CompiledRisk = {
    defaultTier: policy.risk.default,
    rules: rules.map((rule, i) => ({ rule, content: byRule[i] })),
    globs: compileGlobs(rules),
    components: policy.risk.components.flatMap(expandBraces).flatMap((g) => compileGlob(g) ?? []),
    content: program,
    usesComponents: rules.some((rule) => rule.components !== undefined),
  };
  compiledByPolicy.set(policy, compiled);
  return compiled;
}

// ---------------------------------------------------------------------------------------------
// Evaluating one snapshot

/** The globs that could match files in one directory, with what each says about them. */
interface DirEntry {
  segments: string[];
  /** Globs every file in the directory matches. */
  all: number[];
  /** Name tests (each once, though several globs may share one), and the globs a file matches when its name passes. */
  names: NameTest[];
  byName: number[][];
  /** Globs tested against each whole path. */
  whole: number[];
  /** Verdicts for globs looked up by file name or extension, decided on first use. */
  verdicts: Map<number, Verdict>;
}

interface PathHits {
  /** Per rule: matching file indices; ~index when only the previous path matched. */
  files: number[][];
  /** Per rule: the globs (as written) that matched. */
  globs: Set<string>[];
}

/** Path matching over one snapshot. Hot: written without closures (tsx's keepNames wraps each one per call). */
class PathMatcher {
  private readonly dirs = new Map<string, DirEntry>();
  private readonly lastFile: Int32Array;
  /** Per glob: whether its labels were recorded already. */
  private readonly labelled: Uint8Array;
  /** Per glob: the directory (by generation) that last took it as a candidate. */
  private readonly seen: Int32Array;
  private generation = 0;
  readonly hits: PathHits;

  constructor(private readonly table: GlobTable, rules: number) {
    this.lastFile = new Int32Array(rules).fill(-1);
    this.labelled = new Uint8Array(table.matchers.length);
    this.seen = new Int32Array(table.matchers.length);
    this.hits = { files: Array.from({ length: rules }, () => []), globs: Array.from({ length: rules }, () => new Set()) };
  }

  // GitHub lists files in path order: consecutive files mostly share their directory.
  private lastDir = "\0";
  private lastEntry: DirEntry | undefined;

  /** The directories seen, in order of first appearance. */
  directories(): Iterable<[string, DirEntry]> {
    return this.dirs.entries();
  }

  private dir(path: string, slash: number): DirEntry {
    if (this.lastEntry !== undefined && slash === this.lastDir.length && path.startsWith(this.lastDir)) return this.lastEntry;
    const dir = slash === -1 ? "" : path.slice(0, slash);
    let entry = this.dirs.get(dir);
    if (entry === undefined) {
      entry = this.newEntry(dir);
      this.dirs.set(dir, entry);
    }
    this.lastDir = dir;
    this.lastEntry = entry;
    return entry;
  }

  private newEntry(dir: string): DirEntry {
    const segments = dir === "" ? [] : dir.split("/");
    const entry: DirEntry = { segments, all: [], byName: [], names: [], whole: [], verdicts: new Map() };
    this.generation++;
    for (const segment of segments) this.addCandidates(entry, this.table.bySegment.get(segment));
    this.addCandidates(entry, this.table.always);
    return entry;
  }

  private addCandidates(entry: DirEntry, ids: readonly number[] | undefined): void {
    if (ids === undefined) return;
    for (const id of ids) {
      if (this.seen[id] === this.generation) continue; // keyed by two segments of this directory
      this.seen[id] = this.generation;
      const verdict = dirVerdict(this.table.matchers[id]!, entry.segments);
      if (verdict === true) entry.all.push(id);
      else if (verdict === WHOLE_PATH) entry.whole.push(id);
      else if (verdict !== false) {
        const at = entry.names.indexOf(verdict);
        if (at === -1) {
          entry.names.push(verdict);
          entry.byName.push([id]);
        } else entry.byName[at]!.push(id);
      }
    }
  }

  /** Record `hit` (a file index, or ~index for its previous path) for every rule with a glob matching `path`. */
  match(path: string, hit: number): void {
    const slash = path.lastIndexOf("/");
    const entry = this.dir(path, slash);
    const base = path.slice(slash + 1);
    for (const id of entry.all) this.record(id, hit);
    for (let i = 0; i < entry.names.length; i++) {
      if (segmentMatches(entry.names[i]!, base)) for (const id of entry.byName[i]!) this.record(id, hit);
    }
    for (const id of entry.whole) if (verdictHolds(WHOLE_PATH, this.table.matchers[id]!, path, base)) this.record(id, hit);
    this.lookUp(this.table.bySegment.get(base), entry, path, base, hit);
    const dot = base.lastIndexOf(".");
    if (dot !== -1) this.lookUp(this.table.byExt.get(base.slice(dot + 1)), entry, path, base, hit);
  }

  private lookUp(ids: readonly number[] | undefined, entry: DirEntry, path: string, base: string, hit: number): void {
    if (ids === undefined) return;
    for (const id of ids) {
      const matcher = this.table.matchers[id]!;
      let verdict = entry.verdicts.get(id);
      if (verdict === undefined) {
        verdict = dirVerdict(matcher, entry.segments);
        entry.verdicts.set(id, verdict);
      }
      if (verdictHolds(verdict, matcher, path, base)) this.record(id, hit);
    }
  }

  private record(id: number, hit: number): void {
    const file = hit < 0 ? ~hit : hit;
    const labelled = this.labelled[id] === 1;
    this.labelled[id] = 1;
    for (const { rule, label } of this.table.owners[id]!) {
      if (!labelled) this.hits.globs[rule]!.add(label);
      if (this.lastFile[rule] === file) continue;
      this.lastFile[rule] = file;
      this.hits.files[rule]!.push(hit);
    }
  }
}

/** Match every changed and previous path; also the directories seen, in order of first appearance. */
function matchPaths(compiled: CompiledRisk, files: readonly ChangedFile[]): { hits: PathHits; dirs: Iterable<[string, DirEntry]> } {
  const matcher = new PathMatcher(compiled.globs, compiled.rules.length);
  if (compiled.globs.matchers.length > 0 || compiled.usesComponents) {
    for (let i = 0; i < files.length; i++) {
      const file = files[i]!;
      matcher.match(file.path, i);
      if (file.previousPath !== undefined && file.previousPath !== file.path) matcher.match(file.previousPath, ~i);
    }
  }
  return { hits: matcher.hits, dirs: matcher.directories() };
}

/** The component a directory belongs to: itself or its deepest ancestor that a component glob matches. */
function componentOf(compiled: CompiledRisk, dir: string, segments: readonly string[], byDir: Map<string, string | null>): string | null {
  const known = byDir.get(dir);
  if (known !== undefined) return known;
  const parent = segments.slice(0, -1);
  const name = segments[segments.length - 1]!;
  let found: string | null = null;
  for (const matcher of compiled.components) if (verdictHolds(dirVerdict(matcher, parent), matcher, dir, name)) found = dir;
  if (found === null && parent.length > 0) found = componentOf(compiled, dir.slice(0, dir.lastIndexOf("/")), parent, byDir);
  byDir.set(dir, found);
  return found;
}

function matchesPath(matcher: GlobMatcher, path: string): boolean {
  const segments = path.split("/");
  const base = segments.pop()!;
  return verdictHolds(dirVerdict(matcher, segments), matcher, path, base);
}

/** The distinct components of the directories that changed files are in (root files have none). */
function touchedComponents(compiled: CompiledRisk, dirs: Iterable<[string, DirEntry]>): string[] {
  const byDir = new Map<string, string | null>();
  const touched = new Set<string>();
  for (const [dir, entry] of dirs) {
    const component = dir === "" ? null : componentOf(compiled, dir, entry.segments, byDir);
    if (component !== null) touched.add(component);
  }
  return [...touched];
}

const quote = (glob: string) => JSON.stringify(glob);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function listed(values: readonly string[], max: number): string {
  return values.length <= max ? values.join(", ") : `${values.slice(0, max).join(", ")}, …`;
}

function displayPath(files: readonly ChangedFile[], hit: number): string {
  if (hit >= 0) return files[hit]!.path;
  const file = files[~hit]!;
  return `${file.previousPath} → ${file.path}`;
}

/** What one evaluation knows about the snapshot, shared by the rules. */
interface Facts {
  files: readonly ChangedFile[];
  snapshot: PullSnapshot;
  changedLines: number;
  removed: number[];
  paths: PathHits;
  components: () => string[];
}

/** A rule whose conditions hold, with the files its content regexes matched. */
interface Holding {
  index: number;
  rule: RiskRule;
  contentFiles: number[];
  patterns: string[];
}

/** The reason for a rule that holds: which of its conditions did, with the values that made them hold. */
function reasonFor(facts: Facts, { index, rule, contentFiles, patterns }: Holding): RiskReason {
  const { files, snapshot, changedLines, removed } = facts;
  const pathHits = facts.paths.files[index]!;
  const clauses: string[] = [];
  let matches: string[] = [];
  let matchCount = 0;
  const use = (values: string[], count: number) => {
    if (matchCount === 0 && count > 0) [matches, matchCount] = [values, count];
  };
  if (rule.paths !== undefined) {
    const globs = rule.paths.filter((g) => facts.paths.globs[index]!.has(g));
    clauses.push(`paths match ${listed([...new Set(globs)].map(quote), MAX_MATCHES)}`);
  }
  if (rule.content !== undefined) {
    const more = contentFiles.length > 1 ? ` and ${plural(contentFiles.length - 1, "more file")}` : "";
    clauses.push(`content matches ${patterns.join(", ")} in ${files[contentFiles[0]!]!.path}${more}`);
    use(contentFiles.slice(0, MAX_MATCHES).map((f) => files[f]!.path), contentFiles.length);
  }
  if (rule.paths !== undefined) use(pathHits.slice(0, MAX_MATCHES).map((h) => displayPath(files, h)), pathHits.length);
  if (rule.deleted_files !== undefined) {
    clauses.push(`deletes at least ${rule.deleted_files} files (${removed.length})`);
    use(removed.slice(0, MAX_MATCHES).map((f) => files[f]!.path), removed.length);
  }
  if (rule.components !== undefined) {
    const names = facts.components();
    clauses.push(`touches at least ${rule.components} components (${names.length}: ${listed(names, 3)})`);
    use(names.slice(0, MAX_MATCHES), names.length);
  }
  if (rule.changed_files !== undefined) {
    clauses.push(`changes at least ${rule.changed_files} files (${snapshot.changedFilesTotal})`);
    use([`${plural(snapshot.changedFilesTotal, "file")} changed`], 1);
  }
  if (rule.changed_lines !== undefined) {
    clauses.push(`changes at least ${rule.changed_lines} lines (${changedLines})`);
    use([`${plural(changedLines, "line")} changed (+${snapshot.additions} -${snapshot.deletions})`], 1);
  }
  return { tier: rule.tier, rule: rule.reason ?? clauses.join(" and "), matches: matches.slice(0, MAX_MATCHES), matchCount };
}

/** Reasons that hold whatever the policy says: the policy guards itself, and what cannot be read is not low risk. */
function forcedReasons(snapshot: PullSnapshot, notes: string[]): RiskReason[] {
  const { files } = snapshot;
  const reasons: RiskReason[] = [];
  const policyFiles: string[] = [];
  for (const file of files) {
    if (POLICY_PATHS.has(file.path) && !policyFiles.includes(file.path)) policyFiles.push(file.path);
    const previous = file.previousPath;
    if (previous !== undefined && POLICY_PATHS.has(previous) && !policyFiles.includes(previous)) policyFiles.push(previous);
  }
  if (policyFiles.length > 0) {
    reasons.push({ tier: "critical", rule: "changes the Countersign policy file", matches: policyFiles, matchCount: policyFiles.length });
  }
  if (files.length < snapshot.changedFilesTotal) {
    const rule = `changes ${snapshot.changedFilesTotal} files, more than GitHub lets the app read (${files.length}), so the rest cannot be assessed`;
    reasons.push({ tier: "critical", rule, matches: [], matchCount: 0 });
    notes.push(`GitHub listed only ${files.length} of the ${snapshot.changedFilesTotal} changed files; the rules saw only those.`);
  }
  if (snapshot.commits.length < snapshot.commitsTotal) {
    const rule = `has ${snapshot.commitsTotal} commits, more than GitHub lets the app read (${snapshot.commits.length}), so the rest cannot be checked`;
    reasons.push({ tier: "critical", rule, matches: [], matchCount: 0 });
    notes.push(`GitHub listed only ${snapshot.commits.length} of the ${snapshot.commitsTotal} commits.`);
  }
  return reasons;
}

/** Assess the blast radius of a pull request: its tier, every rule that matched, and what could not be seen. */
export function assessRisk(snapshot: PullSnapshot, policy: Policy): RiskAssessment {
  const compiled = compileRisk(policy);
  const files = snapshot.files;
  const notes: string[] = [];
  const reasons = forcedReasons(snapshot, notes);

  const removed: number[] = [];
  for (let i = 0; i < files.length; i++) if (files[i]!.status === "removed") removed.push(i);
  const paths = matchPaths(compiled, files);
  let components: string[] | undefined;
  const facts: Facts = {
    files,
    snapshot,
    changedLines: snapshot.additions + snapshot.deletions,
    removed,
    paths: paths.hits,
    components: () => (components ??= touchedComponents(compiled, paths.dirs)),
  };

  // First every condition but content; then content, searched only in the files some rule needs.
  const holding: Holding[] = [];
  const scopes: (Set<number> | undefined)[] = [];
  compiled.rules.forEach(({ rule }, index) => {
    if (rule.changed_lines !== undefined && facts.changedLines < rule.changed_lines) return;
    if (rule.changed_files !== undefined && snapshot.changedFilesTotal < rule.changed_files) return;
    if (rule.deleted_files !== undefined && removed.length < rule.deleted_files) return;
    const pathHits = paths.hits.files[index]!;
    if (rule.paths !== undefined && pathHits.length === 0) return;
    if (rule.components !== undefined && facts.components().length < rule.components) return;
    holding.push({ index, rule, contentFiles: [], patterns: [] });
    // With paths, content is searched only in the files the paths matched.
    scopes.push(rule.content === undefined || rule.paths === undefined ? undefined : new Set(pathHits.map((h) => (h < 0 ? ~h : h))));
  });

  const searched = new Uint8Array(files.length);
  let searching = false;
  holding.forEach(({ rule }, i) => {
    if (rule.content === undefined) return;
    const scope = scopes[i];
    searching = true;
    if (scope === undefined) searched.fill(1);
    else for (const f of scope) searched[f] = 1;
  });
  const found = searching ? searchContent(compiled.content, files, searched) : [];

  for (let i = 0; i < holding.length; i++) {
    const h = holding[i]!;
    const patterns = compiled.rules[h.index]!.content;
    if (patterns !== undefined) {
      const scope = scopes[i];
      const inFiles = new Set<number>();
      for (const pattern of patterns) {
        let any = false;
        for (const f of found[pattern.id]!) {
          if (scope !== undefined && !scope.has(f)) continue;
          inFiles.add(f);
          any = true;
        }
        if (any) h.patterns.push(`/${pattern.source}/`);
      }
      if (inFiles.size === 0) continue;
      h.contentFiles = [...inFiles].sort((a, b) => a - b);
    }
    reasons.push(reasonFor(facts, h));
  }

  const names: string[] = [];
  for (let f = 0; f < files.length; f++) if (searched[f] === 1 && unreadable(files[f]!)) names.push(files[f]!.path);
  if (names.length > 0) {
    notes.push(
      `content rules could not read ${plural(names.length, "file")} without a diff (binary, or too large for GitHub to show): ${listed(names, MAX_MATCHES)}`,
    );
  }

  let tier = compiled.defaultTier;
  for (const reason of reasons) tier = maxTier(tier, reason.tier);
  // Highest tier first; within a tier, forced reasons, then built-in rules, then the policy's, in order (the sort is stable).
  reasons.sort((a, b) => tierRank(b.tier) - tierRank(a.tier));
  return { tier, reasons, notes };
}
