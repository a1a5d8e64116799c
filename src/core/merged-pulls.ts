// AI code arriving sideways (DESIGN.md "Built-in AI signals"; issue #19 items 6, 7), pure:
// - a PR whose commits include the merge of another PR (GitHub's "Merge pull request #N" merge
//   commit, or a squash commit "… (#N)") carries that PR's AI evidence: AI-assisted code merged into
//   a stacked branch outside `branches` is still AI-assisted when that branch is proposed to a gated base;
// - a revert of a revert re-lands the original change: it carries the original PR's AI evidence.
// Which commits and PRs to look at is decided here; the GitHub edge (github/merged-pulls.ts) reads
// them and hands back the PRs found (`CarriedPull`); `carriedSignals` turns their evidence into signals.
import type { Policy } from "../policy/schema.js";
import type { Actor, AiSignal, Detection, PullSnapshot } from "./types.js";

/** At most this many merged PRs and reverts are looked up per evaluation (each is one or two reads). */
export const MAX_CARRIED_LOOKUPS = 10;

export type CarriedReference =
  /** A commit of the PR that is the merge (or squash) of PR `number`. */
  | { kind: "merge"; sha: string; number: number }
  /** The PR (its description or a commit) reverts this commit, or this PR of the same repository. */
  | { kind: "revert-commit"; sha: string; commit?: string }
  | { kind: "revert-pull"; number: number };

/** A merged PR whose AI evidence this PR carries, as the edge read it. */
export interface CarriedPull {
  number: number;
  title: string;
  body: string;
  author: Actor;
  headRef: string;
  labels: string[];
  /** "merged into this PR's branch" or "re-landed by a revert of its revert (#R)". */
  via: string;
  /** The commit of this PR that carries it, when one does. */
  commit?: string;
}

const MERGE_COMMIT = /^Merge pull request #(\d+) from \S+/;
const SQUASH_COMMIT = /\(#(\d+)\)\s*$/;
const REVERTS_COMMIT = /\bThis reverts commit ([0-9a-f]{7,40})\b/gi;
const REVERTS_PULL = /^\s*Reverts\s+(?:([A-Za-z0-9][\w.-]*)\/([\w.-]+))?#(\d+)\b/im;

/** The merges and reverts among the PR's commits and description worth looking up, at most MAX_CARRIED_LOOKUPS. */
export function carriedReferences(snapshot: PullSnapshot): CarriedReference[] {
  const refs: CarriedReference[] = [];
  const seen = new Set<string>();
  const add = (ref: CarriedReference, key: string) => {
    if (seen.has(key) || refs.length >= MAX_CARRIED_LOOKUPS) return;
    seen.add(key);
    refs.push(ref);
  };
  for (const commit of snapshot.commits) {
    const first = commit.message.split("\n", 1)[0] ?? "";
    const merged = MERGE_COMMIT.exec(first) ?? SQUASH_COMMIT.exec(first);
    const number = merged ? Number(merged[1]) : undefined;
    if (number !== undefined && number !== snapshot.number) add({ kind: "merge", sha: commit.sha, number }, `pull:${number}`);
    for (const m of commit.message.matchAll(REVERTS_COMMIT)) {
      add({ kind: "revert-commit", sha: m[1]!.toLowerCase(), commit: commit.sha }, `commit:${m[1]!.toLowerCase()}`);
    }
  }
  const pull = REVERTS_PULL.exec(snapshot.body);
  const sameRepo = (owner?: string, repo?: string) =>
    (owner ?? snapshot.owner).toLowerCase() === snapshot.owner.toLowerCase() &&
    (repo ?? snapshot.repo).toLowerCase() === snapshot.repo.toLowerCase();
  if (pull && sameRepo(pull[1], pull[2])) add({ kind: "revert-pull", number: Number(pull[3]) }, `revert:${pull[3]}`);
  for (const m of snapshot.body.matchAll(REVERTS_COMMIT))
    add({ kind: "revert-commit", sha: m[1]!.toLowerCase() }, `commit:${m[1]!.toLowerCase()}`);
  return refs;
}

/** What a PR (title and description, or a commit message) says it reverts: a PR number, a commit, or nothing. */
export function revertTarget(text: string): { number: number } | { sha: string } | undefined {
  const pull = REVERTS_PULL.exec(text);
  if (pull) return { number: Number(pull[3]) };
  const commit = new RegExp(REVERTS_COMMIT.source, "i").exec(text);
  return commit ? { sha: commit[1]!.toLowerCase() } : undefined;
}

/**
 * The AI evidence the carried PRs bring (signal `merged-pull`): a PR labelled AI-assisted, or one
 * whose own author, description or branch is AI evidence (`detect`, run on what the edge read).
 */
export function carriedSignals(
  snapshot: PullSnapshot,
  policy: Policy,
  detect: (snapshot: PullSnapshot, policy: Policy) => Detection,
): Array<Pick<AiSignal, "evidence" | "commit">> {
  const out: Array<Pick<AiSignal, "evidence" | "commit">> = [];
  for (const pull of snapshot.carriedPulls ?? []) {
    const label = policy.labels.ai_assisted.toLowerCase();
    let why: string | undefined = pull.labels.some((l) => l.toLowerCase() === label) ? policy.labels.ai_assisted : undefined;
    if (why === undefined) {
      const own: PullSnapshot = {
        ...snapshot,
        number: pull.number,
        title: pull.title,
        body: pull.body,
        author: pull.author,
        headRef: pull.headRef,
        labels: pull.labels,
        files: [],
        commits: [],
        commitsTotal: 0,
        reviews: [],
        labelEvents: [],
        carriedPulls: [],
      };
      delete own.provenance;
      const first = detect(own, policy).signals[0];
      if (first) why = `${first.description}: ${first.evidence}`;
    }
    if (why !== undefined)
      out.push({ evidence: `carries #${pull.number} (${why}), ${pull.via}`, ...(pull.commit ? { commit: pull.commit } : {}) });
  }
  return out;
}
