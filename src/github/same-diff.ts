// Reads for `fresh_approval: same-diff`: the PR's own changes at a commit, as GitHub's compare API
// gives them (the diff of the commit against its merge base with the base branch). Digests are
// cached by (base SHA, commit SHA): commits are immutable, so a digest never goes out of date.
import type { Octokit } from "./octokit.js";
import { httpStatus } from "./octokit.js";
import {
  compareDiffs,
  digestDiff,
  hunkRanges,
  type BaseChanges,
  type DiffComparison,
  type DiffDigest,
  type DiffFile,
} from "../core/same-diff.js";
import type { TtlCache } from "./ttl-cache.js";
import type { DecisionFacts } from "../core/decide.js";
import type { PullSnapshot } from "../core/types.js";

/** The compare API lists at most this many files; a comparison that reaches it may be incomplete. */
export const COMPARE_MAX_FILES = 300;

export interface PullDiffTarget {
  owner: string;
  repo: string;
  /** The base branch's commit (or, when unknown, its name: then nothing is cached). */
  base: string;
  cacheable: boolean;
}

interface RawCompareFile {
  filename: string;
  previous_filename?: string;
  status: string;
  additions: number;
  deletions: number;
  sha?: string | null;
  patch?: string;
}

function toDiffFile(f: RawCompareFile): DiffFile {
  return {
    path: f.filename,
    ...(f.previous_filename ? { previousPath: f.previous_filename } : {}),
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
    ...(f.sha ? { blobSha: f.sha } : {}),
    ...(f.patch !== undefined ? { patch: f.patch } : {}),
  };
}

function describeFailure(sha: string, err: unknown): string {
  const status = httpStatus(err);
  if (status === 404)
    return `GitHub could not compare ${sha.slice(0, 7)} with the base branch (404: the commit is gone, or shares no history with it)`;
  return `GitHub could not compare ${sha.slice(0, 7)} with the base branch (${status ?? (err as Error)?.message ?? String(err)})`;
}

/** The digest of a commit's own changes, or why it could not be read. Never throws: a failure is a stale approval. */
export async function readDiffDigest(
  octokit: Octokit,
  target: PullDiffTarget,
  sha: string,
  cache?: TtlCache<DiffDigest>,
): Promise<DiffDigest> {
  const load = async (): Promise<DiffDigest> => {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
      owner: target.owner,
      repo: target.repo,
      basehead: `${target.base}...${sha}`,
    });
    const files = (data.files ?? []) as RawCompareFile[];
    if (files.length >= COMPARE_MAX_FILES) {
      return { ok: false, reason: `GitHub lists at most ${COMPARE_MAX_FILES} files of a comparison, and this one reached that limit` };
    }
    return digestDiff(files.map(toDiffFile), data.merge_base_commit?.sha);
  };
  try {
    if (!cache || !target.cacheable) return await load();
    const key = `${target.owner}/${target.repo}:${target.base}...${sha}`.toLowerCase();
    const digest = await cache.getOrLoad(key, load);
    return digest;
  } catch (err) {
    return { ok: false, reason: describeFailure(sha, err) };
  }
}

/**
 * The base branch's own changes between two merge bases (the approved commit's, then the head's), per
 * file, or undefined when they cannot be read whole: the earlier must be an ancestor of the later
 * (a base branch that was rewritten cannot carry a hunk anywhere), and every file needs its patch.
 */
async function readBaseChanges(
  octokit: Octokit,
  target: PullDiffTarget,
  from: string,
  to: string,
  paths: readonly string[],
): Promise<BaseChanges | undefined> {
  try {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
      owner: target.owner,
      repo: target.repo,
      basehead: `${from}...${to}`,
    });
    if (data.status !== "ahead" && data.status !== "identical") return undefined;
    const files = (data.files ?? []) as RawCompareFile[];
    if (files.length >= COMPARE_MAX_FILES) return undefined;
    const changes: BaseChanges = new Map();
    for (const file of files) {
      if (!paths.includes(file.filename)) continue;
      if (file.patch === undefined || file.previous_filename) return undefined;
      changes.set(file.filename, hunkRanges(file.patch));
    }
    return changes;
  } catch {
    return undefined; // the approval stays stale (fail closed)
  }
}

/**
 * For each approved earlier commit, whether its changes equal the head's: the head and each commit
 * read once, in parallel; where only the places of the hunks differ and the merge base moved, the
 * base's own changes in between are read (one compare) to see whether they carried the hunks there.
 */
export async function compareWithHead(
  octokit: Octokit,
  target: PullDiffTarget,
  headSha: string,
  commits: string[],
  cache?: TtlCache<DiffDigest>,
): Promise<Map<string, DiffComparison>> {
  const [head, ...approved] = await Promise.all([headSha, ...commits].map((sha) => readDiffDigest(octokit, target, sha, cache)));
  const result = new Map<string, DiffComparison>();
  for (const [i, sha] of commits.entries()) {
    const digest = approved[i]!;
    let comparison = compareDiffs(sha, digest, head!);
    const from = digest.ok ? digest.mergeBase : undefined;
    const to = head!.ok ? head!.mergeBase : undefined;
    if (comparison.needsBaseChanges && from && to && head!.ok) {
      const base = await readBaseChanges(octokit, target, from, to, Object.keys(head!.files));
      if (base) comparison = compareDiffs(sha, digest, head!, base);
    }
    result.set(sha, comparison);
  }
  return result;
}

/** `same-diff`: compare the approved earlier commits with the head, only when there are any (cached by SHA). */
export async function readSameDiffFacts(
  octokit: Octokit,
  snapshot: PullSnapshot,
  commits: string[],
  cache?: TtlCache<DiffDigest>,
): Promise<DecisionFacts> {
  if (commits.length === 0) return {};
  const target = {
    owner: snapshot.owner,
    repo: snapshot.repo,
    base: snapshot.baseSha ?? snapshot.baseRef,
    cacheable: snapshot.baseSha !== undefined,
  };
  return { sameDiff: await compareWithHead(octokit, target, snapshot.headSha, commits, cache) };
}
