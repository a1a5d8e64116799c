// Who owns the paths a PR touches, for signoff.assign: the repository's CODEOWNERS at the base
// (.github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS — the first that exists, as GitHub reads it), and
// for touched files no rule owns, the people who most recently changed them (the commits API, a
// bounded number of reads). Both are cached by the base commit: they cannot change for it.
import type { Octokit } from "./octokit.js";
import { httpStatus } from "./octokit.js";
import { ownerRuleFor, parseCodeowners, type CodeownersRule } from "../core/codeowners.js";
import type { Candidate } from "../core/assign.js";
import type { PullSnapshot } from "../core/types.js";
import type { TtlCache } from "./ttl-cache.js";

export const CODEOWNERS_PATHS = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] as const;
/** At most this many touched files are looked up in the commits API per PR (the first ones no rule owns). */
export const MAX_CHANGER_READS = 3;
/** The most recent commits read per file. */
const COMMITS_PER_FILE = 5;

export interface OwnershipCaches {
  codeowners: TtlCache<CodeownersRule[]>;
  changers: TtlCache<string[]>;
}

async function readText(octokit: Octokit, owner: string, repo: string, path: string, ref: string): Promise<string | undefined> {
  try {
    const { data } = (await octokit.rest.repos.getContent({ owner, repo, path, ref })) as { data: unknown };
    const file = data as { type?: string; content?: string; encoding?: string };
    if (file.type !== "file" || file.encoding !== "base64" || typeof file.content !== "string") return undefined;
    return Buffer.from(file.content, "base64").toString("utf8");
  } catch (err) {
    if (httpStatus(err) === 404) return undefined;
    throw err;
  }
}

/** The CODEOWNERS rules at `ref` (empty when the repository has none). */
export async function readCodeowners(
  octokit: Octokit,
  owner: string,
  repo: string,
  ref: string,
  cache?: TtlCache<CodeownersRule[]>,
): Promise<CodeownersRule[]> {
  const load = async () => {
    for (const path of CODEOWNERS_PATHS) {
      const text = await readText(octokit, owner, repo, path, ref);
      if (text !== undefined) return parseCodeowners(text);
    }
    return [];
  };
  return cache ? cache.getOrLoad(`${owner}/${repo}@${ref}`.toLowerCase(), load) : load();
}

/** The authors (logins) of the most recent commits that changed `path` up to `ref`, newest first. */
export async function readRecentChangers(
  octokit: Octokit,
  owner: string,
  repo: string,
  path: string,
  ref: string,
  cache?: TtlCache<string[]>,
): Promise<string[]> {
  const load = async () => {
    const { data } = (await octokit.rest.repos.listCommits({ owner, repo, path, sha: ref, per_page: COMMITS_PER_FILE })) as {
      data: Array<{ author?: { login?: string; type?: string } | null }>;
    };
    const logins = data.flatMap((c) => (c.author?.login && c.author.type !== "Bot" ? [c.author.login.toLowerCase()] : []));
    return [...new Set(logins)];
  };
  return cache ? cache.getOrLoad(`${owner}/${repo}@${ref}:${path}`.toLowerCase(), load) : load();
}

const code = (s: string) => "`" + s + "`";

/**
 * The owners of the touched paths as candidates: CODEOWNERS entries (teams left as "@org/slug" for the
 * caller to expand), then the recent changers of touched files no rule owns. A failed read leaves its
 * owners out (the chooser falls back to the designated teams).
 */
export async function readPathOwners(
  octokit: Octokit,
  snapshot: PullSnapshot,
  caches?: OwnershipCaches,
): Promise<{ owners: Candidate[]; teams: Map<string, string>; errors: string[] }> {
  const ref = snapshot.baseSha ?? snapshot.baseRef;
  const errors: string[] = [];
  const owners: Candidate[] = [];
  /** Team owner spec → why, for the caller to expand to active members. */
  const teams = new Map<string, string>();
  let rules: CodeownersRule[] = [];
  try {
    rules = await readCodeowners(octokit, snapshot.owner, snapshot.repo, ref, caches?.codeowners);
  } catch (err) {
    errors.push(`CODEOWNERS could not be read (${httpStatus(err) ?? (err as Error).message})`);
  }
  const unowned: string[] = [];
  for (const file of snapshot.files) {
    const rule = ownerRuleFor(rules, file.path) ?? (file.previousPath ? ownerRuleFor(rules, file.previousPath) : undefined);
    if (!rule || rule.owners.length === 0) {
      unowned.push(file.path);
      continue;
    }
    for (const owner of rule.owners) {
      const why = `owns ${code(rule.pattern)}`;
      if (owner.startsWith("@")) {
        if (!teams.has(owner)) teams.set(owner, `${why} (${owner})`);
      } else owners.push({ login: owner, rank: 0, why });
    }
  }
  const lookups = unowned.slice(0, MAX_CHANGER_READS);
  const changers = await Promise.all(
    lookups.map((path) =>
      readRecentChangers(octokit, snapshot.owner, snapshot.repo, path, ref, caches?.changers).catch((err: unknown) => {
        errors.push(`the history of ${code(path)} could not be read (${httpStatus(err) ?? (err as Error).message})`);
        return [] as string[];
      }),
    ),
  );
  lookups.forEach((path, i) => {
    for (const login of changers[i] ?? []) owners.push({ login, rank: 1, why: `recently changed ${code(path)}` });
  });
  return { owners, teams, errors };
}
