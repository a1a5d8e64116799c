import { describe, expect, it } from "vitest";
import { detectAiAssistance } from "../../src/core/detect.js";
import {
  addedLineIntervals,
  describeShare,
  parseAgentTraceFile,
  parseGitAiNote,
  summariseProvenance,
  type ProvenanceInput,
} from "../../src/core/provenance.js";
import type { ChangedFile } from "../../src/core/types.js";
import { PolicySchema } from "../../src/policy/schema.js";
import { makeCommit, makeSnapshot } from "../helpers/snapshot.js";
import { traceRecord } from "../support/agent-trace.js";

const COMMIT = makeCommit({ message: "Add parser" });

/** A PR adding 40 lines to src/parser.ts and appending the given trace lines to .agent-trace/traces.jsonl. */
function prWithTrace(traceLines: string[], o: { parserPatch?: boolean } = {}) {
  const parser: ChangedFile = {
    path: "src/parser.ts",
    status: "added",
    additions: 40,
    deletions: 0,
    ...(o.parserPatch === false ? {} : { patch: `@@ -0,0 +1,40 @@\n${Array.from({ length: 40 }, (_, i) => `+line ${i + 1}`).join("\n")}` }),
  };
  const trace: ChangedFile = {
    path: ".agent-trace/traces.jsonl",
    status: "modified",
    additions: traceLines.length,
    deletions: 0,
    patch: `@@ -1,1 +1,${traceLines.length + 1} @@\n {"old":"record"}\n${traceLines.map((l) => `+${l}`).join("\n")}`,
  };
  const input: ProvenanceInput = {
    agentTrace: [{ path: trace.path, text: [`{"old":"record"}`, ...traceLines].join("\n") }],
    gitAiNotes: [],
    problems: [],
  };
  return makeSnapshot({ files: [parser, trace], commits: [COMMIT], provenance: input });
}

const GIT_AI_NOTE = `src/main.rs
  s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-10,15-20
  h_31dce776f88375 21-30
src/lib.rs
  0123456789abcdef 1-4
---
{
  "schema_version": "authorship/3.0.0",
  "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b",
  "prompts": { "0123456789abcdef": { "agent_id": { "tool": "cursor", "id": "x", "model": "gpt-5" }, "total_additions": 4, "total_deletions": 0, "accepted_lines": 4, "overriden_lines": 0 } },
  "sessions": { "s_c9883b05a2487d": { "agent_id": { "tool": "claude", "id": "abc", "model": "claude-sonnet-4-5" } } }
}`;

describe("Agent Trace records", () => {
  it("reads JSON Lines, a single record and an array; malformed lines are reported, not fatal", () => {
    const { records, problems } = parseAgentTraceFile([traceRecord(), "not json", '{"version":"0.1.0"}'].join("\n"), "t.jsonl");
    expect(records).toHaveLength(1);
    expect(records[0]!.ai.get("src/parser.ts")).toEqual([[1, 30]]);
    expect(problems).toEqual(["t.jsonl line 2: not valid JSON", "t.jsonl line 3: no files array"]);
    expect(parseAgentTraceFile(`[${traceRecord()},${traceRecord({ id: "b" })}]`, "t.json").records).toHaveLength(2);
  });

  it("counts ai and mixed contributors, not human or unknown", () => {
    expect(parseAgentTraceFile(traceRecord({ type: "mixed" }), "t").records[0]!.ai.size).toBe(1);
    expect(parseAgentTraceFile(traceRecord({ type: "human" }), "t").records[0]!.ai.size).toBe(0);
    expect(parseAgentTraceFile(traceRecord({ type: "unknown" }), "t").records[0]!.ai.size).toBe(0);
  });

  it("a record the PR appends is a signal, and the share of added lines is in one line naming tool and model", () => {
    const snapshot = prWithTrace([traceRecord()]);
    const result = summariseProvenance(snapshot, snapshot.provenance!);
    expect(result.signals).toEqual([
      { id: "agent-trace", evidence: ".agent-trace/traces.jsonl: cursor, anthropic/claude-opus-4-5-20251101 for src/parser.ts" },
    ]);
    expect(result.summary).toMatchObject({ aiLines: 30, addedLines: 40 });
    expect(describeShare(result.summary!)).toBe(
      "75% of added lines attributed to AI (Agent Trace: cursor, anthropic/claude-opus-4-5-20251101)",
    );
  });

  it("an older record already in the file (not in the diff, no PR commit) does not count", () => {
    const old = traceRecord({ id: "older" });
    const snapshot = prWithTrace([]);
    snapshot.provenance!.agentTrace[0]!.text = old;
    expect(summariseProvenance(snapshot, snapshot.provenance!).signals).toEqual([]);
  });

  it("a record naming a PR commit counts even when its line is not in the diff", () => {
    const snapshot = prWithTrace([]);
    snapshot.provenance!.agentTrace[0]!.text = traceRecord({ id: "older", revision: COMMIT.sha });
    expect(summariseProvenance(snapshot, snapshot.provenance!).signals.map((s) => s.id)).toEqual(["agent-trace"]);
  });

  it("without the code file's diff the ranges count, capped at the file's added lines", () => {
    const snapshot = prWithTrace([traceRecord({ end: 500 })], { parserPatch: false });
    expect(summariseProvenance(snapshot, snapshot.provenance!).summary).toMatchObject({ aiLines: 40, addedLines: 40 });
  });

  it("an unreadable trace file whose added lines are in the patch: those lines are all the PR adds, and they are read", () => {
    const snapshot = prWithTrace([JSON.stringify(traceRecord())]);
    snapshot.provenance = {
      agentTrace: [{ path: ".agent-trace/traces.jsonl", error: "larger than 2 MB" }],
      gitAiNotes: [],
      problems: [],
    };
    expect(summariseProvenance(snapshot, snapshot.provenance).signals.map((s) => s.id)).toEqual(["agent-trace"]);
  });

  it("an unreadable trace file without a patch never clears the PR: it is a signal, and the summary names it", () => {
    const snapshot = prWithTrace([]);
    snapshot.files = snapshot.files.map((f) => (f.path.startsWith(".agent-trace/") ? { ...f, patch: undefined } : f));
    snapshot.provenance = {
      agentTrace: [{ path: ".agent-trace/traces.jsonl", error: "GitHub answered 500" }],
      gitAiNotes: [],
      problems: [],
    };
    const result = summariseProvenance(snapshot, snapshot.provenance);
    expect(result.signals).toEqual([
      {
        id: "agent-trace",
        evidence: "Agent Trace file .agent-trace/traces.jsonl could not be read (GitHub answered 500) (treated as AI-assisted)",
        unreadable: true,
      },
    ]);
    expect(result.summary?.problems).toEqual([
      "Agent Trace file .agent-trace/traces.jsonl could not be read (GitHub answered 500); the PR is treated as AI-assisted",
    ]);
  });

  it("a malformed line the PR adds to a JSON Lines trace never clears the PR", () => {
    const snapshot = prWithTrace(['{"version":"0.1.0","files":[']);
    const result = summariseProvenance(snapshot, snapshot.provenance!);
    expect(result.signals.map((s) => s.unreadable)).toEqual([true]);
    expect(result.summary?.problems[0]).toContain(".agent-trace/traces.jsonl line 2 could not be read (not valid JSON)");
  });
});

describe("Git AI notes", () => {
  it("counts AI session and legacy keys, not known humans, and names the agents", () => {
    const note = parseGitAiNote(GIT_AI_NOTE);
    expect(typeof note).toBe("object");
    if (typeof note === "string") return;
    expect(note.ai).toEqual(
      new Map([
        ["src/main.rs", 16],
        ["src/lib.rs", 4],
      ]),
    );
    expect([...note.tools]).toEqual(["claude", "cursor"]);
    expect([...note.models]).toEqual(["claude-sonnet-4-5", "gpt-5"]);
  });

  it.each([
    ["no divider", "src/a.rs\n  s_x::t_y 1-2", "no '---' divider between attestations and metadata"],
    ["bad JSON", "src/a.rs\n  s_x::t_y 1-2\n---\n{", "metadata is not valid JSON"],
    ["other schema", '---\n{"schema_version":"x/1"}', 'unknown schema_version "x/1"'],
  ])("malformed (%s) is reported", (_name, text, problem) => {
    expect(parseGitAiNote(text)).toBe(problem);
  });

  it("a note on a PR commit is the git-ai-note signal and feeds the share", () => {
    const files: ChangedFile[] = [
      { path: "src/main.rs", status: "modified", additions: 20, deletions: 0 },
      { path: "src/lib.rs", status: "modified", additions: 20, deletions: 0 },
    ];
    const snapshot = makeSnapshot({
      files,
      commits: [COMMIT],
      provenance: { agentTrace: [], gitAiNotes: [{ commit: COMMIT.sha, text: GIT_AI_NOTE }], problems: [] },
    });
    const detection = detectAiAssistance(snapshot, PolicySchema.parse({}));
    expect(detection.signals).toEqual([
      {
        id: "git-ai-note",
        description: "Git AI authorship note attributes lines of a commit to AI",
        evidence: "claude, cursor, claude-sonnet-4-5, gpt-5: 20 lines in src/main.rs, src/lib.rs",
        commit: COMMIT.sha,
      },
    ]);
    expect(detection.provenance).toMatchObject({ aiLines: 20, addedLines: 40, sources: ["Git AI"] });
  });

  it("a malformed note never clears the PR: it is gated, and the summary names the note", () => {
    const snapshot = makeSnapshot({
      commits: [COMMIT],
      provenance: { agentTrace: [], gitAiNotes: [{ commit: COMMIT.sha, text: "garbage" }], problems: [] },
    });
    const detection = detectAiAssistance(snapshot, PolicySchema.parse({}));
    expect(detection.assisted).toBe(true);
    expect(detection.provenance?.problems).toEqual([
      `Git AI note of ${COMMIT.sha.slice(0, 7)} could not be read (no '---' divider between attestations and metadata); the PR is treated as AI-assisted`,
    ]);
  });
});

describe("switches", () => {
  it("detection.provenance: false, or disabling the ids, switches the signals off", () => {
    const snapshot = prWithTrace([traceRecord()]);
    expect(detectAiAssistance(snapshot, PolicySchema.parse({})).signals.map((s) => s.id)).toEqual(["agent-trace"]);
    expect(detectAiAssistance(snapshot, PolicySchema.parse({ detection: { provenance: false } })).signals).toEqual([]);
    expect(detectAiAssistance(snapshot, PolicySchema.parse({ detection: { disable: ["agent-trace"] } })).signals).toEqual([]);
  });
});

describe("diff lines", () => {
  it("finds the head-side numbers of added lines", () => {
    expect(addedLineIntervals("@@ -1,3 +1,4 @@\n a\n-b\n+c\n+d\n e\n@@ -10,1 +11,2 @@\n f\n+g")).toEqual([
      [2, 3],
      [12, 12],
    ]);
  });
});

describe("the share line", () => {
  it("names both sources when both attribute lines, and rounds", () => {
    const share = describeShare({ aiLines: 1, addedLines: 3, sources: ["Agent Trace", "Git AI"], tools: [], models: [], problems: [] });
    expect(share).toBe("33% of added lines attributed to AI (Agent Trace and Git AI)");
  });

  it("is absent when no record attributed anything (only problems)", () => {
    expect(describeShare({ aiLines: 0, addedLines: 3, sources: [], tools: [], models: [], problems: ["x"] })).toBeUndefined();
  });
});
