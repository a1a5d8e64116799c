// `countersign check` lists unrecognised automation (bot accounts in the branch's commits that no
// list knows) with the policy key that would count them; they do not gate on their own.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCheck } from "../../src/cli/check.js";
import { git, initRepo, writeFile } from "../helpers/local-git.js";

const dirs: string[] = [];

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), "countersign-unrec-"));
  dirs.push(dir);
  initRepo(dir, { "README.md": "hello\n" }, "feature/tidy");
  return dir;
}

async function check(dir: string): Promise<{ text: string; json: { aiAssisted: boolean; notes: string[] } }> {
  let text = "";
  let json = "";
  await runCheck(["--base", "main"], { cwd: dir, out: (t) => (text += t), err: () => undefined });
  await runCheck(["--base", "main", "--json"], { cwd: dir, out: (t) => (json += t), err: () => undefined });
  return { text, json: JSON.parse(json) };
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("countersign check lists unrecognised automation", () => {
  it("a commit co-authored by an unknown bot: listed with detection.emails, not AI-assisted", async () => {
    const dir = repo();
    writeFile(dir, "src/a.ts", "export const a = 1;\n");
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "Tidy\n\nCo-authored-by: mystery-helper[bot] <42+mystery-helper[bot]@users.noreply.github.com>");
    const { text, json } = await check(dir);
    expect(json.aiAssisted).toBe(false);
    expect(json.notes.filter((n) => n.startsWith("Unrecognised automation"))).toHaveLength(1);
    expect(text).toContain("Unrecognised automation: mystery-helper[bot]");
    expect(text).toContain('add "42+mystery-helper[bot]@users.noreply.github.com" to detection.emails');
  });

  it("a branch of people only lists nothing", async () => {
    const dir = repo();
    writeFile(dir, "src/a.ts", "export const a = 1;\n");
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "Tidy");
    const { text, json } = await check(dir);
    expect(json.notes.filter((n) => n.startsWith("Unrecognised automation"))).toEqual([]);
    expect(text).not.toContain("Unrecognised automation");
  });
});
