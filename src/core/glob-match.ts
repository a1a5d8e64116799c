// Glob matching for risk rules: compiling globs, matching paths segment by segment, and indexing globs by what they contain.
//
// Globs follow picomatch 4 with { dot: true } on "/"-separated paths, case-sensitive like Git:
// - `*` stays inside one path segment; `**` spans any number of segments, including none, so
//   "**/*.tf" matches a root-level "main.tf" and "infra/prod/**" matches "infra/prod" itself;
// - a glob without a slash ("*.tf") matches at the root only (no gitignore-style basename matching);
// - braces are alternatives ("*.{yml,yaml}"); a negated class is "[^o]" (picomatch 4 reads "[!o]"
//   as "! or o"); a leading "!" negates the whole glob.
//
// Cost (bench/risk.bench.ts): globs are matched segment by segment and looked up by what every path
// they match must contain (a literal segment or an extension); what a glob says about a directory is
// decided once per directory, so a file costs a few lookups and name tests.
import picomatch from "picomatch";
import type { RiskRule } from "../policy/schema.js";

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

type NameTest = string | NamePattern | typeof ANY_NAME;
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

/** "a.{yml,yaml}" → ["a.yml", "a.yaml"]; a glob with nested or escaped braces or ranges stays whole (picomatch reads it). */
export function expandBraces(glob: string): string[] {
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

function matchesPath(matcher: GlobMatcher, path: string): boolean {
  const segments = path.split("/");
  const base = segments.pop()!;
  return verdictHolds(dirVerdict(matcher, segments), matcher, path, base);
}

// ---------------------------------------------------------------------------------------------
// Indexing a policy's globs

interface GlobOwner {
  rule: number;
  /** The glob as the policy wrote it (before brace expansion), for the reason. */
  label: string;
}

export interface GlobTable {
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

export function compileGlobs(rules: readonly RiskRule[]): GlobTable {
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
// Matching one snapshot's paths

/** The globs that could match files in one directory, with what each says about them. */
export interface DirEntry {
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

export interface PathHits {
  /** Per rule: matching file indices; ~index when only the previous path matched. */
  files: number[][];
  /** Per rule: the globs (as written) that matched. */
  globs: Set<string>[];
}

/** Path matching over one snapshot. Hot: written without closures (tsx's keepNames wraps each one per call). */
export class PathMatcher {
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

/** The component a directory belongs to: itself or its deepest ancestor that a component glob matches. */
function componentOf(components: readonly GlobMatcher[], dir: string, segments: readonly string[], byDir: Map<string, string | null>): string | null {
  const known = byDir.get(dir);
  if (known !== undefined) return known;
  const parent = segments.slice(0, -1);
  const name = segments[segments.length - 1]!;
  let found: string | null = null;
  for (const matcher of components) if (verdictHolds(dirVerdict(matcher, parent), matcher, dir, name)) found = dir;
  if (found === null && parent.length > 0) found = componentOf(components, dir.slice(0, dir.lastIndexOf("/")), parent, byDir);
  byDir.set(dir, found);
  return found;
}

/** The distinct components of the directories that changed files are in (root files have none). */
export function touchedComponents(components: readonly GlobMatcher[], dirs: Iterable<[string, DirEntry]>): string[] {
  const byDir = new Map<string, string | null>();
  const touched = new Set<string>();
  for (const [dir, entry] of dirs) {
    const component = dir === "" ? null : componentOf(components, dir, entry.segments, byDir);
    if (component !== null) touched.add(component);
  }
  return [...touched];
}
