// `countersign check` on a local branch reads the same provenance as the app: Agent Trace files the
// branch changes (at the head) and the local refs/notes/ai (Git AI notes) of its commits.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCheck } from "../../src/cli/check.js";
import { git, initRepo, writeFile } from "../helpers/local-git.js";

const dirs: string[] = [];
const write = writeFile;

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), "countersign-prov-"));
  dirs.push(dir);
  initRepo(dir, { "README.md": "hello\n" }, "feature/parser");
  write(dir, "src/parser.ts", Array.from({ length: 20 }, (_, i) => `export const a${i} = ${i};\n`).join(""));
  return dir;
}

async function check(dir: string): Promise<{ text: string; json: Record<string, unknown> }> {
  let text = "";
  let json = "";
  await runCheck(["--base", "main"], { cwd: dir, out: (t) => (text += t), err: () => undefined });
  await runCheck(["--base", "main", "--json"], { cwd: dir, out: (t) => (json += t), err: () => undefined });
  return { text, json: JSON.parse(json) as Record<string, unknown> };
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("countersign check reads local provenance", () => {
  it("an Agent Trace record on the branch: AI-assisted, with the share line", async () => {
    const dir = repo();
    const record = {
      version: "0.1.0",
      id: "7d9f0c1e-0000-4000-8000-000000000001",
      timestamp: "2026-01-23T14:30:00Z",
      tool: { name: "claude-code" },
      files: [
        {
          path: "src/parser.ts",
          conversations: [
            { contributor: { type: "ai", model_id: "anthropic/claude-sonnet-4-5" }, ranges: [{ start_line: 1, end_line: 10 }] },
          ],
        },
      ],
    };
    write(dir, ".agent-trace/traces.jsonl", `${JSON.stringify(record)}\n`);
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "Add the parser");

    const { text, json } = await check(dir);
    expect(text).toContain("agent-trace");
    expect(text).toContain("Provenance: 50% of added lines attributed to AI (Agent Trace: claude-code, anthropic/claude-sonnet-4-5)");
    expect(json).toMatchObject({ aiAssisted: true, provenance: { aiLines: 10, addedLines: 20, sources: ["Agent Trace"] } });
  });

  it("a Git AI note in the local refs/notes/ai on a branch commit: AI-assisted", async () => {
    const dir = repo();
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "Add the parser");
    const note = `src/parser.ts\n  s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-5\n---\n${JSON.stringify({
      schema_version: "authorship/3.0.0",
      base_commit_sha: "0".repeat(40),
      prompts: {},
      sessions: { s_c9883b05a2487d: { agent_id: { tool: "codex", id: "x", model: "gpt-5" } } },
    })}`;
    git(dir, "notes", "--ref=ai", "add", "-m", note, "HEAD");

    const { text, json } = await check(dir);
    expect(text).toContain("git-ai-note");
    expect(text).toContain("Provenance: 25% of added lines attributed to AI (Git AI: codex, gpt-5)");
    expect(json).toMatchObject({ aiAssisted: true });
  });

  it("without provenance: not AI-assisted and no provenance line", async () => {
    const dir = repo();
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "Add the parser");
    const { text, json } = await check(dir);
    expect(text).not.toContain("Provenance:");
    expect(json).toMatchObject({ aiAssisted: false });
    expect(json).not.toHaveProperty("provenance");
  });
});
