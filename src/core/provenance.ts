// Provenance records a PR carries — Agent Trace records (agent-trace.dev, v0.1) and Git AI
// authorship notes (Git AI Standard v3, refs/notes/ai) — parsed and summarised; pure.
// A record that is missing or malformed never fails the evaluation, and never clears the PR either:
// a record the PR adds or changes that cannot be read (too large, cut short, malformed, a note that
// could not be listed) makes the PR AI-assisted, and the summary names the record (DESIGN.md
// "Provenance that cannot be read never clears a PR"). Records the PR adds are read from its patch
// (the added lines of a JSON Lines trace file) before the file itself, so a large log is no hiding place.
import type { ChangedFile, PullSnapshot } from "./types.js";

/** Where Agent Trace records live in a repository (the reference implementation appends to traces.jsonl). */
export const AGENT_TRACE_DIR = ".agent-trace/";
/** Files larger than this are not parsed (a trace file is a log; this bounds one evaluation's work). */
export const MAX_PROVENANCE_BYTES = 2 * 1024 * 1024;

/** What the GitHub edge (or the CLI) read, handed to the pure core on the snapshot. */
export interface ProvenanceInput {
  /** Agent Trace files the PR adds or changes, read at the head. */
  agentTrace: Array<{ path: string; text?: string; error?: string }>;
  /** Git AI notes of the PR's commits that have one. */
  gitAiNotes: Array<{ commit: string; text?: string; error?: string }>;
  /** What could not be read at all (e.g. the notes ref), in words. */
  problems: string[];
}

/** The AI share of the PR's added lines, and where it came from. */
export interface ProvenanceSummary {
  aiLines: number;
  addedLines: number;
  /** "Agent Trace", "Git AI". */
  sources: string[];
  tools: string[];
  models: string[];
  /** Records left out, in words, for the summary. */
  problems: string[];
}

export interface ProvenanceSignal {
  id: "agent-trace" | "git-ai-note";
  /** The record could not be read: the PR is taken to be AI-assisted (fail closed). */
  unreadable?: boolean;
  evidence: string;
  commit?: string;
}

export interface ProvenanceResult {
  signals: ProvenanceSignal[];
  summary?: ProvenanceSummary;
}

type Interval = [number, number];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);
const lineNumber = (v: unknown): number | undefined => (typeof v === "number" && Number.isInteger(v) && v >= 1 ? v : undefined);

/** Whether a changed file is an Agent Trace file the PR adds or changes (not one it deletes). */
export function isAgentTraceFile(file: ChangedFile): boolean {
  return file.path.startsWith(AGENT_TRACE_DIR) && /\.jsonl?$/i.test(file.path) && file.status !== "removed";
}

// ---- Agent Trace ------------------------------------------------------------------------------

interface TraceRecord {
  id?: string;
  revision?: string;
  tool?: string;
  /** AI (or mixed) line ranges per file path. */
  ai: Map<string, Interval[]>;
  models: Set<string>;
}

function parseTraceRecord(value: unknown): TraceRecord | string {
  if (!isObject(value)) return "not an object";
  if (!Array.isArray(value.files)) return "no files array";
  const record: TraceRecord = { ai: new Map(), models: new Set() };
  const id = str(value.id);
  if (id) record.id = id;
  const vcs = value.vcs;
  if (isObject(vcs) && str(vcs.revision)) record.revision = str(vcs.revision)!.toLowerCase();
  if (isObject(value.tool) && str(value.tool.name)) record.tool = str(value.tool.name);
  for (const file of value.files) {
    if (!isObject(file) || !str(file.path) || !Array.isArray(file.conversations)) continue;
    const path = str(file.path)!.replace(/^\.\//, "");
    for (const conversation of file.conversations) {
      if (!isObject(conversation) || !Array.isArray(conversation.ranges)) continue;
      const base = isObject(conversation.contributor) ? conversation.contributor : undefined;
      for (const range of conversation.ranges) {
        if (!isObject(range)) continue;
        // A range may override its conversation's contributor (an agent handoff).
        const contributor = isObject(range.contributor) ? range.contributor : base;
        const type = str(contributor?.type)?.toLowerCase();
        if (type !== "ai" && type !== "mixed") continue;
        const start = lineNumber(range.start_line);
        const end = lineNumber(range.end_line);
        if (start === undefined || end === undefined || end < start) continue;
        const model = str(contributor?.model_id);
        if (model) record.models.add(model);
        const list = record.ai.get(path) ?? [];
        list.push([start, end]);
        record.ai.set(path, list);
      }
    }
  }
  return record;
}

/** The records of one Agent Trace file: JSON Lines, or one JSON record, or a JSON array of records. */
export function parseAgentTraceFile(text: string, path: string): { records: Array<TraceRecord & { line: string }>; problems: string[] } {
  const records: Array<TraceRecord & { line: string }> = [];
  const problems: string[] = [];
  const trimmed = text.trim();
  const take = (value: unknown, where: string, line: string) => {
    const parsed = parseTraceRecord(value);
    if (typeof parsed === "string") problems.push(`${path} ${where}: ${parsed}`);
    else records.push({ ...parsed, line });
  };
  if (trimmed === "") return { records, problems };
  if (trimmed.startsWith("[") || (trimmed.startsWith("{") && !trimmed.includes("\n{"))) {
    try {
      const value: unknown = JSON.parse(trimmed);
      // The record's own line is not needed for a document: no JSON.stringify, which throws on deeply nested values.
      for (const [i, item] of (Array.isArray(value) ? value : [value]).entries()) take(item, `record ${i + 1}`, "");
      return { records, problems };
    } catch {
      // Not one JSON document: read it as JSON Lines below.
    }
  }
  trimmed.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      take(JSON.parse(line), `line ${i + 1}`, line);
    } catch {
      problems.push(`${path} line ${i + 1}: not valid JSON`);
    }
  });
  return { records, problems };
}

// ---- Git AI -----------------------------------------------------------------------------------

export interface GitAiNote {
  /** AI-attributed lines per file path (in the file as of that commit). */
  ai: Map<string, number>;
  tools: Set<string>;
  models: Set<string>;
}

/** Counts "1-4,9,12-20" as 14 lines; undefined when malformed. */
function countLineSpec(spec: string): number | undefined {
  let total = 0;
  for (const part of spec.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return undefined;
    const start = Number(m[1]);
    const end = m[2] === undefined ? start : Number(m[2]);
    if (start < 1 || end < start) return undefined;
    total += end - start + 1;
  }
  return total;
}

/** A Git AI authorship log: the attestation section, `---`, then JSON metadata. */
export function parseGitAiNote(text: string): GitAiNote | string {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const divider = lines.indexOf("---");
  if (divider < 0) return "no '---' divider between attestations and metadata";
  let metadata: unknown;
  try {
    metadata = JSON.parse(lines.slice(divider + 1).join("\n"));
  } catch {
    return "metadata is not valid JSON";
  }
  if (!isObject(metadata)) return "metadata is not a JSON object";
  const schema = str(metadata.schema_version);
  if (!schema?.startsWith("authorship/")) return `unknown schema_version ${JSON.stringify(metadata.schema_version ?? null)}`;
  const sessions = isObject(metadata.sessions) ? metadata.sessions : {};
  const prompts = isObject(metadata.prompts) ? metadata.prompts : {};
  const note: GitAiNote = { ai: new Map(), tools: new Set(), models: new Set() };
  let path: string | undefined;
  for (const line of lines.slice(0, divider)) {
    if (line.trim() === "") continue;
    if (!line.startsWith(" ")) {
      path = line.startsWith('"') && line.endsWith('"') ? line.slice(1, -1) : line;
      continue;
    }
    const m = /^ {2}(\S+) (\S+)$/.exec(line);
    if (!m || path === undefined) continue;
    const key = m[1]!;
    // h_ keys are known humans; s_ keys (session::trace) and bare legacy hashes are AI sessions.
    if (key.startsWith("h_")) continue;
    const count = countLineSpec(m[2]!);
    if (count === undefined) continue;
    const record = key.startsWith("s_") ? sessions[key.split("::")[0]!] : prompts[key];
    const agent = isObject(record) && isObject(record.agent_id) ? record.agent_id : undefined;
    if (str(agent?.tool)) note.tools.add(str(agent!.tool)!);
    if (str(agent?.model)) note.models.add(str(agent!.model)!);
    note.ai.set(path, (note.ai.get(path) ?? 0) + count);
  }
  return note;
}

// ---- Lines ------------------------------------------------------------------------------------

/** The head-side line numbers a unified diff adds, as sorted intervals. */
export function addedLineIntervals(patch: string): Interval[] {
  const out: Interval[] = [];
  let line = 0;
  let inHunk = false;
  for (const raw of patch.split("\n")) {
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(raw);
    if (hunk) {
      line = Number(hunk[1]);
      inHunk = true;
      continue;
    }
    // A local diff starts with "diff --git", "--- a/…", "+++ b/…": not lines of the file.
    if (!inHunk) continue;
    if (raw.startsWith("+")) {
      const last = out[out.length - 1];
      if (last && last[1] === line - 1) last[1] = line;
      else out.push([line, line]);
      line++;
    } else if (raw.startsWith(" ") || raw === "") line++;
    // "-" lines and "\ No newline" do not move the head side.
  }
  return out;
}

function merge(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: Interval[] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1] + 1) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

function size(intervals: Interval[]): number {
  return intervals.reduce((n, [s, e]) => n + e - s + 1, 0);
}

/** Lines in both interval lists (each merged and sorted). */
function overlap(a: Interval[], b: Interval[]): number {
  let n = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const lo = Math.max(a[i]![0], b[j]![0]);
    const hi = Math.min(a[i]![1], b[j]![1]);
    if (lo <= hi) n += hi - lo + 1;
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return n;
}

/** The record ids ("id": "…") on the lines a diff adds: the records the PR itself appended. */
/** The lines a patch adds, with their line numbers in the new file. */
function patchAddedLines(patch: string): Array<{ line: string; at: number }> {
  const out: Array<{ line: string; at: number }> = [];
  let at = 0;
  for (const line of patch.split("\n")) {
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)/.exec(line);
    if (hunk) {
      at = Number(hunk[1]);
      continue;
    }
    if (line.startsWith("+")) out.push({ line: line.slice(1).replace(/\r$/, ""), at: at++ });
    else if (line.startsWith(" ")) at++;
  }
  return out;
}

function idsOnAddedLines(patch: string): Set<string> {
  const ids = new Set<string>();
  for (const line of patch.split("\n")) {
    if (!line.startsWith("+")) continue;
    for (const m of line.matchAll(/"id"\s*:\s*"([^"\\]{1,200})"/g)) ids.add(m[1]!);
  }
  return ids;
}

// ---- Summary ----------------------------------------------------------------------------------

const short = (sha: string) => sha.slice(0, 7);
const named = (tool: string | undefined, models: Iterable<string>) => {
  const list = [...models];
  return [tool, list.length > 0 ? list.join(", ") : undefined].filter(Boolean).join(", ");
};

/**
 * The provenance signals and the AI share of the PR's added lines. Agent Trace records count when
 * the PR adds them (their line is in the file's diff) or when they name one of the PR's commits;
 * Git AI notes count for the PR's commits. Per file, the larger of the two attributions counts,
 * never more than the file's added lines.
 */
export function summariseProvenance(snapshot: PullSnapshot, input: ProvenanceInput): ProvenanceResult {
  const signals: ProvenanceSignal[] = [];
  const problems = [...input.problems];
  const commits = new Set(snapshot.commits.map((c) => c.sha.toLowerCase()));
  const files = new Map(snapshot.files.map((f) => [f.path, f]));
  const traceLines = new Map<string, Interval[]>();
  const noteLines = new Map<string, number>();
  const tools = new Set<string>();
  const models = new Set<string>();
  const sources = new Set<string>();

  // A record that cannot be read never clears the PR: it is a signal of its own, naming the record.
  const unreadable = (id: ProvenanceSignal["id"], what: string, commit?: string) => {
    problems.push(`${what}; the PR is treated as AI-assisted`);
    signals.push({ id, evidence: `${what} (treated as AI-assisted)`, unreadable: true, ...(commit ? { commit } : {}) });
  };
  const countRecord = (path: string, record: TraceRecord) => {
    sources.add("Agent Trace");
    if (record.tool) tools.add(record.tool);
    for (const m of record.models) models.add(m);
    for (const [p, ranges] of record.ai) traceLines.set(p, [...(traceLines.get(p) ?? []), ...ranges]);
    const paths = [...record.ai.keys()];
    signals.push({
      id: "agent-trace",
      evidence: `${path}: ${named(record.tool, record.models) || "AI contributor"} for ${paths.slice(0, 3).join(", ")}${paths.length > 3 ? ` and ${paths.length - 3} more` : ""}`,
    });
  };

  for (const file of input.agentTrace) {
    const changed = files.get(file.path);
    // JSON Lines: the records the PR adds or changes are its patch's added lines, read there first
    // (whatever the file's size), each of which must be a record.
    const lines = changed?.patch !== undefined && /\.jsonl$/i.test(file.path) ? patchAddedLines(changed.patch) : undefined;
    const fromPatch = new Set<string>();
    if (lines) {
      for (const { line, at } of lines) {
        if (line.trim() === "") continue;
        fromPatch.add(line.trim());
        let parsed: TraceRecord | string;
        try {
          parsed = parseTraceRecord(JSON.parse(line));
        } catch {
          parsed = "not valid JSON";
        }
        if (typeof parsed === "string")
          unreadable("agent-trace", `Agent Trace record added at ${file.path} line ${at} could not be read (${parsed})`);
        else if (parsed.ai.size > 0) countRecord(file.path, parsed);
      }
    }
    if (file.text === undefined) {
      // Without the file, its added lines (when the patch had them) were all there was to read.
      if (!lines) unreadable("agent-trace", `Agent Trace file ${file.path} could not be read${file.error ? ` (${file.error})` : ""}`);
      continue;
    }
    const { records, problems: bad } = parseAgentTraceFile(file.text, file.path);
    const added = changed?.patch !== undefined ? idsOnAddedLines(changed.patch) : undefined;
    const whole = changed?.status === "added";
    if (!lines) {
      // A whole file the PR adds, or one without a patch: its malformed records may be the PR's own.
      for (const p of bad) {
        if (whole) unreadable("agent-trace", `Agent Trace record ${p.replace(/: /, " could not be read (")})`);
        else problems.push(`Agent Trace record ignored: ${p}`);
      }
    }
    let counted = 0;
    for (const record of records) {
      if (lines && fromPatch.has(record.line.trim())) continue; // counted from the patch
      const ours =
        (!lines && whole) ||
        (record.revision !== undefined && commits.has(record.revision)) ||
        (!lines && added !== undefined && record.id !== undefined && added.has(record.id));
      if (!ours || record.ai.size === 0) continue;
      counted++;
      countRecord(file.path, record);
    }
    if (counted === 0 && changed?.patch === undefined && !whole && records.length > 0) {
      problems.push(`Agent Trace file ${file.path}: GitHub gave no diff, so only records naming a commit of this PR were counted`);
    }
  }

  for (const note of input.gitAiNotes) {
    if (note.text === undefined) {
      unreadable(
        "git-ai-note",
        `Git AI note of ${short(note.commit)} could not be read${note.error ? ` (${note.error})` : ""}`,
        note.commit,
      );
      continue;
    }
    const parsed = parseGitAiNote(note.text);
    if (typeof parsed === "string") {
      unreadable("git-ai-note", `Git AI note of ${short(note.commit)} could not be read (${parsed})`, note.commit);
      continue;
    }
    if (parsed.ai.size === 0) continue;
    sources.add("Git AI");
    for (const t of parsed.tools) tools.add(t);
    for (const m of parsed.models) models.add(m);
    let lines = 0;
    for (const [path, n] of parsed.ai) {
      noteLines.set(path, (noteLines.get(path) ?? 0) + n);
      lines += n;
    }
    signals.push({
      id: "git-ai-note",
      evidence: `${named([...parsed.tools].join(", ") || undefined, parsed.models) || "AI"}: ${lines} line${lines === 1 ? "" : "s"} in ${[...parsed.ai.keys()].slice(0, 3).join(", ")}`,
      commit: note.commit,
    });
  }

  if (sources.size === 0 && problems.length === 0) return { signals };
  // The share of the PR's added lines; the trace files themselves are not code.
  let addedLines = 0;
  let aiLines = 0;
  for (const f of snapshot.files) {
    if (f.path.startsWith(AGENT_TRACE_DIR)) continue;
    addedLines += f.additions;
    const ranges = merge(traceLines.get(f.path) ?? []);
    const fromTrace = f.patch !== undefined ? overlap(ranges, addedLineIntervals(f.patch)) : size(ranges);
    aiLines += Math.min(f.additions, Math.max(fromTrace, noteLines.get(f.path) ?? 0));
  }
  return {
    signals,
    summary: { aiLines, addedLines, sources: [...sources], tools: [...tools], models: [...models], problems },
  };
}

/** "42% of added lines attributed to AI (Agent Trace: cursor, anthropic/claude-opus-4-5)". */
export function describeShare(summary: ProvenanceSummary): string | undefined {
  if (summary.sources.length === 0) return undefined;
  const percent = summary.addedLines === 0 ? 0 : Math.round((100 * summary.aiLines) / summary.addedLines);
  const who = [...summary.tools, ...summary.models];
  return `${percent}% of added lines attributed to AI (${summary.sources.join(" and ")}${who.length > 0 ? `: ${who.join(", ")}` : ""})`;
}
