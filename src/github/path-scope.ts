// Reads for path-scoped freshness (core/path-scope.ts): the paths changed between an approved commit
// and the head, from GitHub's compare API (`approved...head`), with each renamed file's old path.
// Cached by the SHA pair (commits are immutable). Anything that cannot be read for sure — an error,
// a head that does not descend from the approved commit (a force-push), a list at GitHub's 300-file
// limit — is `ok: false`, and the approval is not kept (fail closed).
import type { Octokit } from "./octokit.js";
import { httpStatus } from "./octokit.js";
import { COMPARE_MAX_FILES } from "./same-diff.js";
import type { ChangedSince } from "../core/path-scope.js";
import type { TtlCache } from "./ttl-cache.js";

export async function readChangedSince(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  approvedSha: string,
  headSha: string,
  cache?: TtlCache<ChangedSince>,
): Promise<ChangedSince> {
  const load = async (): Promise<ChangedSince> => {
    try {
      const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
        owner: repo.owner,
        repo: repo.repo,
        basehead: `${approvedSha}...${headSha}`,
      });
      if (data.status !== "ahead" && data.status !== "identical") {
        return {
          ok: false,
          reason: `the head does not build on ${approvedSha.slice(0, 7)} (${data.status}: a force-push or rebase), so what changed since cannot be told`,
        };
      }
      const files = (data.files ?? []) as Array<{ filename: string; previous_filename?: string }>;
      if (files.length >= COMPARE_MAX_FILES) {
        return {
          ok: false,
          reason: `GitHub lists at most ${COMPARE_MAX_FILES} files of a comparison, and the changes since reached that limit`,
        };
      }
      return { ok: true, paths: files.flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename])) };
    } catch (err) {
      return { ok: false, reason: `the changes since could not be read (GitHub answered ${httpStatus(err) ?? (err as Error).message})` };
    }
  };
  if (!cache) return load();
  const key = `${repo.owner}/${repo.repo}:${approvedSha}...${headSha}`.toLowerCase();
  const cached = cache.get(key);
  if (cached) return cached;
  const result = await load();
  // A failure is not remembered: the next evaluation tries again.
  if (result.ok) cache.set(key, result);
  return result;
}

/** Per approved earlier commit, what changed up to the head: read in parallel, only for the commits asked. */
export async function readPathScopeFacts(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  headSha: string,
  commits: string[],
  cache?: TtlCache<ChangedSince>,
): Promise<Map<string, ChangedSince> | undefined> {
  if (commits.length === 0) return undefined;
  const read = await Promise.all(commits.map((sha) => readChangedSince(octokit, repo, sha, headSha, cache)));
  return new Map(commits.map((sha, i) => [sha, read[i]!]));
}
