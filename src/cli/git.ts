// Local git reads for `countersign check`: commits, changed files and patches between two refs.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { ChangedFile, CommitInfo, FileStatus } from "../core/types.js";
import type { DiffFile } from "../core/same-diff.js";

const run = promisify(execFile);

/** A git command failed or a ref does not resolve; the message says what to do. */
export class GitError extends Error {
  override name = "GitError";
}

/** Diffs of large branches are large; git's output is read whole. */
const MAX_OUTPUT = 512 * 1024 * 1024;

/** Options that make git's output the same whatever the user's configuration says. */
const DIFF_OPTIONS = ["--no-color", "--no-ext-diff", "--no-textconv", "-M", "--src-prefix=a/", "--dst-prefix=b/"];

export async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run("git", args, {
      cwd,
      maxBuffer: MAX_OUTPUT,
      encoding: "utf8",
      env: { ...process.env, GIT_OPTIONAL_LOCKS: "0", GIT_PAGER: "cat", GIT_TERMINAL_PROMPT: "0" },
    });
    return stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === "ENOENT") throw new GitError("git is not installed or not on the PATH");
    const detail = (e.stderr ?? e.message).trim().split("\n")[0] ?? "";
    throw new GitError(`git ${args[0] ?? ""} failed: ${detail}`);
  }
}

/** The top directory of the work tree that contains `dir`. */
export async function repoRoot(dir: string): Promise<string> {
  try {
    return (await git(dir, ["rev-parse", "--show-toplevel"])).trim();
  } catch (err) {
    if (err instanceof GitError) throw new GitError(`${dir} is not inside a git repository (use --repo DIR)`);
    throw err;
  }
}

/** The commit a ref names, or undefined when it names none. */
export async function tryResolveCommit(root: string, ref: string): Promise<string | undefined> {
  try {
    return (await git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])).trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function resolveCommit(root: string, ref: string, flag: string): Promise<string> {
  const sha = await tryResolveCommit(root, ref);
  if (sha === undefined) throw new GitError(`${flag} ${ref} does not name a commit in ${root}`);
  return sha;
}

/** What a pull request would most likely be opened against: origin/HEAD, else main, else master. */
export async function defaultBase(root: string): Promise<string> {
  for (const ref of ["origin/HEAD", "main", "master"]) {
    if ((await tryResolveCommit(root, ref)) !== undefined) return ref;
  }
  throw new GitError("found no base to compare with (none of origin/HEAD, main, master exists): pass --base REF");
}

/** The branch a ref names ("refs/remotes/origin/x" → "x"); "" for a detached HEAD, a tag or a SHA. */
export async function branchName(root: string, ref: string): Promise<string> {
  const full = (await git(root, ["rev-parse", "--symbolic-full-name", ref])).trim();
  if (full.startsWith("refs/heads/")) return full.slice("refs/heads/".length);
  if (full.startsWith("refs/remotes/")) {
    const rest = full.slice("refs/remotes/".length);
    const remotes = (await git(root, ["remote"])).split("\n").filter(Boolean);
    const remote = remotes.sort((a, b) => b.length - a.length).find((r) => rest.startsWith(`${r}/`));
    return remote === undefined ? rest : rest.slice(remote.length + 1);
  }
  return "";
}

const FIELD = "\x00";
const RECORD = "\x1e";

/** The commits in base..head, oldest first, as the pull request's commit list would have them. */
export async function readCommits(root: string, base: string, head: string): Promise<CommitInfo[]> {
  const format = ["%H", "%an", "%ae", "%cn", "%ce", "%B"].join("%x00") + "%x1e";
  const out = await git(root, ["log", "--no-color", "--no-show-signature", "--reverse", `--format=${format}`, `${base}..${head}`, "--"]);
  const commits: CommitInfo[] = [];
  for (const record of out.split(RECORD)) {
    const fields = record.replace(/^\n/, "").split(FIELD);
    if (fields.length < 6) continue;
    const [sha = "", authorName = "", authorEmail = "", committerName = "", committerEmail = ""] = fields;
    commits.push({
      sha,
      message: fields.slice(5).join(FIELD).replace(/\n+$/, ""),
      author: { name: authorName, email: authorEmail },
      committer: { name: committerName, email: committerEmail },
    });
  }
  return commits;
}

const STATUS: Record<string, FileStatus> = {
  A: "added",
  D: "removed",
  M: "modified",
  R: "renamed",
  C: "copied",
  T: "changed",
};

interface NameStatus {
  status: FileStatus;
  path: string;
  previousPath?: string;
}

function parseNameStatus(out: string): NameStatus[] {
  const tokens = out.split("\0");
  const entries: NameStatus[] = [];
  for (let i = 0; i < tokens.length; ) {
    const code = tokens[i++] ?? "";
    if (code === "") continue;
    const status = STATUS[code[0]!] ?? "changed";
    if (code[0] === "R" || code[0] === "C") {
      const previousPath = tokens[i++] ?? "";
      entries.push({ status, path: tokens[i++] ?? "", previousPath });
    } else {
      entries.push({ status, path: tokens[i++] ?? "" });
    }
  }
  return entries;
}

interface NumStat {
  path: string;
  additions: number;
  deletions: number;
  binary: boolean;
}

function parseNumstat(out: string): NumStat[] {
  const tokens = out.split("\0");
  const entries: NumStat[] = [];
  for (let i = 0; i < tokens.length; ) {
    const token = tokens[i++] ?? "";
    if (token === "") continue;
    const m = /^(\d+|-)\t(\d+|-)\t(.*)$/s.exec(token);
    if (!m) throw new GitError(`could not read git diff --numstat output near ${JSON.stringify(token.slice(0, 80))}`);
    let path = m[3]!;
    if (path === "") {
      i++; // the previous path of a rename or copy
      path = tokens[i++] ?? "";
    }
    const binary = m[1] === "-";
    entries.push({ path, binary, additions: binary ? 0 : Number(m[1]), deletions: binary ? 0 : Number(m[2]) });
  }
  return entries;
}

/** The diff of each file, hunks only (as GitHub's `patch`); "" where there is no hunk (an empty file, a mode change, a pure rename). */
function splitPatches(out: string): string[] {
  const chunks = out.split(/^(?=diff --git )/m).filter((chunk) => chunk.startsWith("diff --git "));
  return chunks.map((chunk) => {
    const hunk = /^@@/m.exec(chunk);
    return hunk === null ? "" : chunk.slice(hunk.index).replace(/\n$/, "");
  });
}

/**
 * The files changed between the merge base of base and head, and head (what a pull request shows),
 * with rename detection. git lists each file in the same order in every diff format.
 */
export async function readChangedFiles(root: string, base: string, head: string): Promise<ChangedFile[]> {
  const range = `${base}...${head}`;
  const [numstat, nameStatus, patch] = await Promise.all([
    git(root, ["diff", ...DIFF_OPTIONS, "--numstat", "-z", range, "--"]),
    git(root, ["diff", ...DIFF_OPTIONS, "--name-status", "-z", range, "--"]),
    git(root, ["diff", ...DIFF_OPTIONS, range, "--"]),
  ]);
  const stats = parseNumstat(numstat);
  const statuses = parseNameStatus(nameStatus);
  const patches = splitPatches(patch);
  if (stats.length !== statuses.length || patches.length !== statuses.length) {
    throw new GitError(
      `git listed ${statuses.length} changed files but ${stats.length} line counts and ${patches.length} diffs; cannot pair them`,
    );
  }
  return statuses.map((entry, i) => {
    const stat = stats[i]!;
    if (stat.path !== entry.path) throw new GitError(`git listed changed files in different orders (${stat.path}, ${entry.path})`);
    const file: ChangedFile = { path: entry.path, status: entry.status, additions: stat.additions, deletions: stat.deletions };
    if (entry.previousPath !== undefined) file.previousPath = entry.previousPath;
    // Binary files have no patch, as on GitHub: content rules say they could not read them.
    if (!stat.binary) file.patch = patches[i]!;
    return file;
  });
}

/** A file's text at a commit, or undefined when the commit has no such file. */
export async function readFileAt(root: string, commit: string, path: string): Promise<string | undefined> {
  const listed = await git(root, ["ls-tree", "--name-only", "-z", commit, "--", path]);
  if (listed.split("\0")[0] !== path) return undefined;
  return git(root, ["cat-file", "blob", `${commit}:${path}`]);
}

/**
 * Blob per path from `git diff --raw -z` (":old-mode new-mode old-sha new-sha status\0path[\0path]"):
 * the new blob, or for a removed file the blob it removed (as GitHub's compare API gives them).
 */
function parseRawBlobs(out: string): Map<string, string> {
  const tokens = out.split("\0");
  const blobs = new Map<string, string>();
  for (let i = 0; i < tokens.length; ) {
    const meta = tokens[i++] ?? "";
    if (!meta.startsWith(":")) continue;
    const [, , oldSha = "", newSha = "", status = ""] = meta.slice(1).split(" ");
    if (status.startsWith("R") || status.startsWith("C")) i++; // the previous path
    const path = tokens[i++] ?? "";
    const blob = status.startsWith("D") ? oldSha : newSha;
    if (!/^0+$/.test(blob)) blobs.set(path, blob);
  }
  return blobs;
}

/**
 * A commit's own changes against its merge base with `base` (what GitHub's compare API gives for
 * `base...commit`), for `fresh_approval: same-diff`: the files with their patches and new blobs.
 */
export async function readDiffFiles(root: string, base: string, commit: string): Promise<DiffFile[]> {
  const [files, raw] = await Promise.all([
    readChangedFiles(root, base, commit),
    git(root, ["diff", ...DIFF_OPTIONS, "--raw", "-z", "--abbrev=40", `${base}...${commit}`, "--"]),
  ]);
  const blobs = parseRawBlobs(raw);
  return files.map((f) => {
    const blobSha = blobs.get(f.path);
    return { ...f, ...(blobSha ? { blobSha } : {}) };
  });
}

/**
 * Git AI notes (refs/notes/ai) of the given commits, when the repository has the notes ref:
 * `git notes --ref=ai list` pairs notes with commits, then each note blob is read.
 */
export async function readLocalNotes(root: string, commits: string[]): Promise<Array<{ commit: string; text?: string; error?: string }>> {
  const ref = await tryResolveCommit(root, "refs/notes/ai");
  if (ref === undefined) return [];
  const listed = await git(root, ["notes", "--ref=ai", "list"]);
  const blobs = new Map<string, string>();
  for (const line of listed.split("\n")) {
    const [blob, commit] = line.trim().split(/\s+/);
    if (blob && commit) blobs.set(commit.toLowerCase(), blob);
  }
  const wanted = commits.filter((c) => blobs.has(c.toLowerCase()));
  return Promise.all(
    wanted.map(async (commit) => {
      try {
        return { commit, text: await git(root, ["cat-file", "blob", blobs.get(commit.toLowerCase())!]) };
      } catch (err) {
        return { commit, error: (err as Error).message };
      }
    }),
  );
}
