// Reads for `fresh_approval: same-diff`: the PR's own changes at a commit, as GitHub's compare API
// gives them (the diff of the commit against its merge base with the base branch). Digests are
// cached by (base SHA, commit SHA): commits are immutable, so a digest never goes out of date.
import type { Octokit } from "./octokit.js";
import { httpStatus } from "./octokit.js";
import { compareDiffs, digestDiff, type DiffComparison, type DiffDigest, type DiffFile } from "../core/same-diff.js";
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
    return digestDiff(files.map(toDiffFile));
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

/** For each approved earlier commit, whether its changes equal the head's: the head and each commit read once, in parallel. */
export async function compareWithHead(
  octokit: Octokit,
  target: PullDiffTarget,
  headSha: string,
  commits: string[],
  cache?: TtlCache<DiffDigest>,
): Promise<Map<string, DiffComparison>> {
  const [head, ...approved] = await Promise.all([headSha, ...commits].map((sha) => readDiffDigest(octokit, target, sha, cache)));
  return new Map(commits.map((sha, i) => [sha, compareDiffs(sha, approved[i]!, head!)]));
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
