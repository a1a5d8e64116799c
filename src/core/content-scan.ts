// Content-regex scanning for risk rules: which changed lines of each file's patch the policy's regexes match.
//
// Content regexes (RE2 syntax, case-insensitive unless the pattern says `(?-i)`: `DROP TABLE` also finds
// `drop table`, as SQL, Terraform and shell keywords are written either way; run in linear time by src/policy/safe-regex.ts,
// so lookarounds and backreferences are refused by policy validation) are tested against each added or
// removed line on its own: without its "+"/"-" marker and a final "\r", cut to 2000 characters,
// so `^` and `$` are the line's start and end and no match spans two lines.
//
// Cost (bench/risk.bench.ts): all content regexes scan each patch together, as one alternation, and
// each hit is confirmed on its own line.
import type { RiskRule } from "../policy/schema.js";
import type { ChangedFile } from "./types.js";
import { compileSafeRegex } from "../policy/safe-regex.js";

/** Changed lines are cut to this many characters before a content regex sees them, to bound its cost. */
const MAX_LINE = 2000;

export interface ContentPattern {
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
   * "together": its required text is part of the one alternation that scans each patch once;
   * "lines": no text every match contains, so it is tested line by line.
   */
  how: "together" | "lines";
}

export interface ContentProgram {
  patterns: ContentPattern[];
  /** The alternation of every "together" pattern; null when there is none. */
  together: RegExp | null;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** A policy's pattern that cannot run in linear time: validation refuses it, so only a direct caller can get here. */
export interface RefusedPattern {
  source: string;
  problem: string;
}

function compilePattern(source: string, id: number): ContentPattern | RefusedPattern {
  // A policy's patterns run in linear time (safe-regex.ts), so no changed line can hang the event
  // loop: the native scan looks only for text that every match contains (escaped literals), and each
  // candidate line is confirmed by the linear-time engine; a pattern without such text is tested line
  // by line. A pattern that needs backtracking is never run by the native engine: it is refused, and
  // the rule holding it is taken to hold (risk.ts), failing closed.
  const safe = compileSafeRegex(source, { ignoreCase: true });
  if (!safe.ok) return { source, problem: safe.problem };
  const { prefilter } = safe.pattern;
  if (prefilter.length === 0) return { id, source, line: safe.pattern, scan: /$^/gm, how: "lines" };
  return { id, source, line: safe.pattern, scan: new RegExp(prefilter.map(escapeRegExp).join("|"), "gimu"), how: "together" };
}

export function compileContent(rules: readonly RiskRule[]): {
  program: ContentProgram;
  byRule: (ContentPattern[] | undefined)[];
  /** Per rule, its patterns that cannot run in linear time (empty for every rule of a valid policy). */
  refusedByRule: RefusedPattern[][];
} {
  const patterns: ContentPattern[] = [];
  const bySource = new Map<string, ContentPattern | RefusedPattern>();
  const refusedByRule: RefusedPattern[][] = rules.map(() => []);
  const byRule = rules.map((rule, r) => {
    if (rule.content === undefined) return undefined;
    const list: ContentPattern[] = [];
    for (const source of rule.content) {
      let pattern = bySource.get(source);
      if (pattern === undefined) {
        pattern = compilePattern(source, patterns.length);
        if ("id" in pattern) patterns.push(pattern);
        bySource.set(source, pattern);
      }
      if (!("id" in pattern)) refusedByRule[r]!.push(pattern);
      else if (!list.includes(pattern)) list.push(pattern);
    }
    return list;
  });
  const joined = patterns.filter((p) => p.how === "together");
  // Escaped literal text only: the alternation always compiles.
  const together = joined.length > 0 ? new RegExp(joined.map((p) => `(?:${p.scan.source})`).join("|"), "gimu") : null;
  return { program: { patterns, together }, byRule, refusedByRule };
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
export function searchContent(program: ContentProgram, files: readonly ChangedFile[], only: Uint8Array): Set<number>[] {
  const found = program.patterns.map(() => new Set<number>());
  const joined = program.patterns.filter((p) => p.how === "together");
  for (let f = 0; f < files.length; f++) {
    if (only[f] !== 1) continue;
    const text = files[f]!.patch ?? contentAsPatch(files[f]!);
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
      if (p.how === "lines") {
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

/**
 * A file without a diff whose content the edge read instead, as a patch in which every line changed:
 * added at the head, or removed (a removed file's content is read at the base).
 */
function contentAsPatch(file: ChangedFile): string | undefined {
  if (file.content === undefined || !("text" in file.content)) return undefined;
  const marker = file.status === "removed" ? "-" : "+";
  return `@@ content @@\n${file.content.text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => marker + line)
    .join("\n")}`;
}

/** A file whose content changed but whose diff GitHub did not send (binary, or too large), nor could its content be read. */
export function unreadable(file: ChangedFile): boolean {
  if (file.patch !== undefined) return false;
  if (file.content !== undefined && "text" in file.content) return false;
  const contentUnchanged =
    file.additions === 0 && file.deletions === 0 && (file.status === "renamed" || file.status === "copied" || file.status === "unchanged");
  return !contentUnchanged;
}
