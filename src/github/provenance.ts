// Reads the provenance records a PR carries: Agent Trace files it adds or changes (contents API, at
// the head) and Git AI notes of its commits (Git database API: the refs/notes/ai ref, its tree, the
// blob for each commit). Nothing is read for a PR that touches no .agent-trace/ file in a repository
// without the notes ref, beyond one look at the ref per repository while its absence is cached.
// A record that cannot be read never fails the evaluation, nor clears the PR: core/provenance.ts makes
// it a signal. A notes tree whose recursive listing GitHub cut short is read by each commit's exact
// note path instead. The notes ref's absence is cached only for a few minutes, and forgotten on
// `/countersign recheck`, so notes pushed later are read (GitHub sends no webhook for notes refs).
import type { Octokit } from "./octokit.js";
import type { TtlCache } from "./ttl-cache.js";
import type { PullSnapshot } from "../core/types.js";
import { MAX_PROVENANCE_BYTES, isAgentTraceFile, type ProvenanceInput } from "../core/provenance.js";

/** Git AI's notes ref (git notes --ref=ai). */
export const NOTES_REF = "notes/ai";
/** At most this many notes are read per evaluation (a PR lists at most 250 commits). */
const MAX_NOTES = 250;
/** A repository without a notes ref is asked again after at most this long, whatever NOTES_REF_CACHE_SECONDS says. */
export const NOTES_ABSENT_MAX_MS = 5 * 60 * 1000;
/** In a truncated notes tree, at most this many commits are looked up by exact path; beyond, the notes cannot be read. */
const MAX_EXACT_LOOKUPS = 100;

export interface ProvenanceCaches {
  /** Repositories ("owner/repo", lower-case) known to have no notes ref; webhooks never announce one. */
  notesAbsent: TtlCache<boolean>;
  /** Per notes commit SHA: commit SHA → note blob SHA (immutable, so cached by SHA). */
  notesIndex: TtlCache<NotesIndex>;
  /** Per blob SHA: the note's text (immutable). */
  noteText: TtlCache<string>;
}

export interface NotesIndex {
  blobs: Map<string, string>;
  /** GitHub cut the tree listing short: notes beyond it could not be seen. */
  truncated: boolean;
}

/** The notes ref's commit SHA; undefined when the repository has none; an Error when it could not be read. */
export async function readNotesRef(
  octokit: Octokit,
  owner: string,
  repo: string,
  caches: ProvenanceCaches,
): Promise<string | undefined | Error> {
  const key = `${owner}/${repo}`.toLowerCase();
  if (caches.notesAbsent.get(key)) return undefined;
  try {
    const { data } = await octokit.rest.git.getRef({ owner, repo, ref: NOTES_REF });
    return data.object.sha;
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 404 || status === 409) {
      // 409: an empty repository. Neither has notes. Asked again after a few minutes at most (services.ts caps the TTL).
      caches.notesAbsent.set(key, true);
      return undefined;
    }
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** Forget that a repository had no notes ref: `/countersign recheck` looks again. */
export function forgetNotesAbsence(caches: ProvenanceCaches, owner: string, repo: string): void {
  caches.notesAbsent.delete(`${owner}/${repo}`.toLowerCase());
}

/**
 * What the PR carries, for the pure core (summariseProvenance); undefined when it carries nothing
 * (no Agent Trace file changed, no notes ref, no note on its commits).
 */
export async function readProvenance(
  octokit: Octokit,
  snapshot: PullSnapshot,
  notesRef: string | undefined | Error,
  caches: ProvenanceCaches,
): Promise<ProvenanceInput | undefined> {
  const { owner, repo } = snapshot;
  const traceFiles = snapshot.files.filter(isAgentTraceFile);
  const problems: string[] = [];
  if (notesRef instanceof Error) problems.push(`Git AI notes (refs/${NOTES_REF}) could not be checked: ${reason(notesRef)}`);
  const [agentTrace, gitAiNotes] = await Promise.all([
    Promise.all(traceFiles.map((f) => readTraceFile(octokit, owner, repo, f.path, snapshot.headSha))),
    typeof notesRef === "string" ? readNotes(octokit, owner, repo, notesRef, snapshot, caches, problems) : Promise.resolve([]),
  ]);
  if (agentTrace.length === 0 && gitAiNotes.length === 0 && problems.length === 0) return undefined;
  return { agentTrace, gitAiNotes, problems };
}

async function readTraceFile(
  octokit: Octokit,
  owner: string,
  repo: string,
  path: string,
  ref: string,
): Promise<ProvenanceInput["agentTrace"][number]> {
  try {
    const { data } = (await octokit.rest.repos.getContent({ owner, repo, path, ref, mediaType: { format: "raw" } })) as { data: unknown };
    if (typeof data !== "string") return { path, error: "not a file" };
    if (data.length > MAX_PROVENANCE_BYTES) return { path, error: `larger than ${MAX_PROVENANCE_BYTES / 1024 / 1024} MB` };
    return { path, text: data };
  } catch (err) {
    return { path, error: reason(err) };
  }
}

async function readNotes(
  octokit: Octokit,
  owner: string,
  repo: string,
  notesCommit: string,
  snapshot: PullSnapshot,
  caches: ProvenanceCaches,
  problems: string[],
): Promise<ProvenanceInput["gitAiNotes"]> {
  let index: NotesIndex;
  try {
    index = await caches.notesIndex.getOrLoad(notesCommit, () => readNotesIndex(octokit, owner, repo, notesCommit));
  } catch (err) {
    // The notes exist and could not be listed: every commit's note may be there (fail closed, by exact path).
    index = { blobs: new Map(), truncated: true };
    problems.push(`Git AI notes (refs/${NOTES_REF}) could not be listed (${reason(err)}): read by each commit's note path instead`);
  }
  const wanted = snapshot.commits
    .map((c) => ({ commit: c.sha, blob: index.blobs.get(c.sha.toLowerCase()) }))
    .filter((c) => c.blob !== undefined);
  const read = (blob: string) =>
    caches.noteText.getOrLoad(blob, async () => {
      const { data } = await octokit.rest.git.getBlob({ owner, repo, file_sha: blob });
      if ((data.size ?? 0) > MAX_PROVENANCE_BYTES) throw new Error(`larger than ${MAX_PROVENANCE_BYTES / 1024 / 1024} MB`);
      return Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8").toString("utf8");
    });
  const listed = wanted.slice(0, MAX_NOTES).map(async ({ commit, blob }) => {
    try {
      return { commit, text: await read(blob!) };
    } catch (err) {
      return { commit, error: reason(err) };
    }
  });
  // GitHub cut the listing short: the commits not seen in it are looked up by their note's exact path.
  const unseen = index.truncated ? snapshot.commits.filter((c) => !index.blobs.has(c.sha.toLowerCase())).map((c) => c.sha) : [];
  const exact = unseen.slice(0, MAX_EXACT_LOOKUPS).map(async (commit) => {
    try {
      const text = await readNoteByPath(octokit, owner, repo, notesCommit, commit);
      return text === undefined ? undefined : { commit, text };
    } catch (err) {
      return { commit, error: `its note path could not be read: ${reason(err)}` };
    }
  });
  const notes: ProvenanceInput["gitAiNotes"] = [
    ...(await Promise.all(listed)),
    ...(await Promise.all(exact)).flatMap((n) => (n ? [n] : [])),
  ];
  for (const commit of unseen.slice(MAX_EXACT_LOOKUPS)) {
    notes.push({ commit, error: `GitHub listed only part of refs/${NOTES_REF}, and this PR has too many commits to look each note up` });
  }
  return notes;
}

/**
 * A commit's note read by its exact path in the notes tree at the notes commit (git's fan-out: flat,
 * "ab/cdef…", or "ab/cd/ef…"); undefined when none of them exists (404).
 */
async function readNoteByPath(
  octokit: Octokit,
  owner: string,
  repo: string,
  notesCommit: string,
  commit: string,
): Promise<string | undefined> {
  const sha = commit.toLowerCase();
  for (const path of [sha, `${sha.slice(0, 2)}/${sha.slice(2)}`, `${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha.slice(4)}`]) {
    try {
      const { data } = (await octokit.rest.repos.getContent({ owner, repo, path, ref: notesCommit, mediaType: { format: "raw" } })) as {
        data: unknown;
      };
      if (typeof data !== "string") throw new Error("not a file");
      if (data.length > MAX_PROVENANCE_BYTES) throw new Error(`larger than ${MAX_PROVENANCE_BYTES / 1024 / 1024} MB`);
      return data;
    } catch (err) {
      if ((err as { status?: number }).status !== 404) throw err;
    }
  }
  return undefined;
}

/** The notes tree: one entry per annotated commit, its path the commit SHA (with git's "ab/cdef…" fan-out). */
async function readNotesIndex(octokit: Octokit, owner: string, repo: string, notesCommit: string): Promise<NotesIndex> {
  const { data: commit } = await octokit.rest.git.getCommit({ owner, repo, commit_sha: notesCommit });
  const { data: tree } = await octokit.rest.git.getTree({ owner, repo, tree_sha: commit.tree.sha, recursive: "1" });
  const blobs = new Map<string, string>();
  for (const entry of tree.tree) {
    if (entry.type !== "blob" || !entry.path || !entry.sha) continue;
    const sha = entry.path.replace(/\//g, "").toLowerCase();
    if (/^[0-9a-f]{40}$/.test(sha)) blobs.set(sha, entry.sha);
  }
  return { blobs, truncated: tree.truncated };
}

function reason(err: unknown): string {
  const status = (err as { status?: number }).status;
  if (status !== undefined) return `GitHub answered ${status}`;
  return err instanceof Error ? err.message : String(err);
}
