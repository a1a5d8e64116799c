// Content-regex scanning for risk rules: which changed lines of each file's patch the policy's regexes match.
//
// Content regexes (JavaScript syntax, no flags: case-sensitive; run in linear time by src/policy/safe-regex.ts,
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
   * "together": part of the one alternation that scans each patch once; "alone": its own scan
   * (backreferences and named groups do not survive being joined); "lines": tested line by line,
   * because a negative lookaround could see the neighbouring line in the patch.
   */
  how: "together" | "alone" | "lines";
}

export interface ContentProgram {
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

export function compileContent(rules: readonly RiskRule[]): { program: ContentProgram; byRule: (ContentPattern[] | undefined)[] } {
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

/**
 * A file without a diff whose content the edge read instead, as a patch in which every line changed:
 * added at the head, or removed (a removed file's content is read at the base).
 */
function contentAsPatch(file: ChangedFile): string | undefined {
  if (file.content === undefined || !("text" in file.content)) return undefined;
  const marker = file.status === "removed" ? "-" : "+";
  return `@@ content @@\n${file.content.text.replace(/\r\n?/g, "\n").split("\n").map((line) => marker + line).join("\n")}`;
}

/** A file whose content changed but whose diff GitHub did not send (binary, or too large), nor could its content be read. */
export function unreadable(file: ChangedFile): boolean {
  if (file.patch !== undefined) return false;
  if (file.content !== undefined && "text" in file.content) return false;
  const contentUnchanged =
    file.additions === 0 && file.deletions === 0 && (file.status === "renamed" || file.status === "copied" || file.status === "unchanged");
  return !contentUnchanged;
}
