// Local git repositories for the CLI tests: git sees only the test's own configuration, never the
// machine's, and commits carry fixed dates so their SHAs do not depend on the clock.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const gitEnv: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_DATE: "2025-01-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2025-01-01T00:00:00Z",
};

/** Run git in `cwd`; its output, untrimmed. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: gitEnv, encoding: "utf8" });
}

/** Write a file of the work tree, creating its folders. */
export function writeFile(dir: string, file: string, content: string | Buffer): void {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), content);
}

/** Make `dir` a repository: Alice Dev's "Initial commit" of `files` on main, then `branch` checked out from it. */
export function initRepo(dir: string, files: Record<string, string>, branch: string): void {
  git(dir, "init", "-q", "-b", "main");
  git(dir, "config", "user.name", "Alice Dev");
  git(dir, "config", "user.email", "alice@example.com");
  for (const [file, content] of Object.entries(files)) writeFile(dir, file, content);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "Initial commit");
  git(dir, "checkout", "-q", "-b", branch);
}
