// Agent Trace records for tests: the unit tests of the reader, and the PRs of the integration and security tests.

/** An Agent Trace record (agent-trace.dev v0.1) as the reference implementation appends it. */
export function traceRecord(
  o: { id?: string; revision?: string; type?: string; path?: string; start?: number; end?: number; model?: string } = {},
) {
  return JSON.stringify({
    version: "0.1.0",
    id: o.id ?? "550e8400-e29b-41d4-a716-446655440000",
    timestamp: "2026-01-23T14:30:00Z",
    vcs: { type: "git", revision: o.revision ?? "0".repeat(40) },
    tool: { name: "cursor", version: "2.4.0" },
    files: [
      {
        path: o.path ?? "src/parser.ts",
        conversations: [
          {
            contributor: { type: o.type ?? "ai", model_id: o.model ?? "anthropic/claude-opus-4-5-20251101" },
            ranges: [{ start_line: o.start ?? 1, end_line: o.end ?? 30 }],
          },
        ],
      },
    ],
  });
}
