// Reads for core/merged-pulls.ts: the PRs merged into this PR's branch (a merge or squash commit of
// the PR names them) and the original PR that a revert of a revert re-lands. GitHub's
// `GET /repos/{o}/{r}/commits/{sha}/pulls` says which merged PR a commit is the merge of, so a commit
// message that merely mentions "(#N)" carries nothing. At most MAX_CARRIED_LOOKUPS references, each one
// or two reads; none at all for a PR without such commits. A read that fails throws: the evaluation
// fails closed and is retried.
import type { Octokit } from "./octokit.js";
import { httpStatus } from "./octokit.js";
import { carriedReferences, revertTarget, type CarriedPull } from "../core/merged-pulls.js";
import type { PullSnapshot } from "../core/types.js";

interface RawPull {
  number: number;
  title: string;
  body?: string | null;
  user?: { login: string; id?: number; type?: string } | null;
  head: { ref: string };
  labels: Array<{ name?: string } | string>;
  merged_at?: string | null;
  merge_commit_sha?: string | null;
}

function carried(p: RawPull, via: string, commit?: string): CarriedPull {
  return {
    number: p.number,
    title: p.title,
    body: p.body ?? "",
    author: p.user
      ? { login: p.user.login, ...(p.user.id ? { id: p.user.id } : {}), ...(p.user.type ? { type: p.user.type } : {}) }
      : { login: "ghost" },
    headRef: p.head.ref,
    labels: p.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))),
    via,
    ...(commit ? { commit } : {}),
  };
}

/** The merged PR whose merge (or squash) commit `sha` is; undefined when none (or the commit is gone). */
async function mergedPullOf(octokit: Octokit, snapshot: PullSnapshot, sha: string): Promise<RawPull | undefined> {
  try {
    const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
      owner: snapshot.owner,
      repo: snapshot.repo,
      commit_sha: sha,
    });
    const merged = (data as unknown as RawPull[]).filter((p) => p.merged_at && p.number !== snapshot.number);
    return merged.find((p) => p.merge_commit_sha?.toLowerCase().startsWith(sha.toLowerCase())) ?? merged[0];
  } catch (err) {
    if (httpStatus(err) === 404 || httpStatus(err) === 422) return undefined;
    throw err;
  }
}

async function pullOf(octokit: Octokit, snapshot: PullSnapshot, number: number): Promise<RawPull | undefined> {
  try {
    const { data } = await octokit.rest.pulls.get({ owner: snapshot.owner, repo: snapshot.repo, pull_number: number });
    return data as unknown as RawPull;
  } catch (err) {
    if (httpStatus(err) === 404) return undefined;
    throw err;
  }
}

/** The PRs whose AI evidence this PR carries (core/merged-pulls.ts decides what counts). */
export async function readCarriedPulls(octokit: Octokit, snapshot: PullSnapshot): Promise<CarriedPull[]> {
  const found = await Promise.all(
    carriedReferences(snapshot).map(async (ref): Promise<CarriedPull | undefined> => {
      if (ref.kind === "merge") {
        const merged = await mergedPullOf(octokit, snapshot, ref.sha);
        return merged && merged.number === ref.number ? carried(merged, "merged into this PR's branch", ref.sha) : undefined;
      }
      // A revert: only a revert of a revert re-lands code, that of the PR the first revert reverted.
      const first =
        ref.kind === "revert-pull" ? await pullOf(octokit, snapshot, ref.number) : await mergedPullOf(octokit, snapshot, ref.sha);
      if (!first?.merged_at) return undefined;
      const target = revertTarget(`${first.body ?? ""}\n${first.title}`);
      if (!target) return undefined;
      const original =
        "number" in target ? await pullOf(octokit, snapshot, target.number) : await mergedPullOf(octokit, snapshot, target.sha);
      if (!original?.merged_at || original.number === snapshot.number) return undefined;
      return carried(
        original,
        `re-landed by a revert of its revert #${first.number}`,
        ref.kind === "revert-commit" ? ref.commit : undefined,
      );
    }),
  );
  return found.filter((p): p is CarriedPull => p !== undefined);
}
