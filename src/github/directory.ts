// Looks up the facts that decide who may sign off: active team membership and repository permission.
import type { Octokit } from "./octokit.js";
import { httpStatus } from "./octokit.js";
import type { ReviewerDirectory, ReviewerFacts } from "../core/types.js";
import type { TtlCache } from "./ttl-cache.js";

export type Permission = NonNullable<ReviewerFacts["permission"]>;

/** Cached lookups; values are facts (true/false, a permission), never errors. */
export interface DirectoryCaches {
  membership?: TtlCache<boolean>;
  permission?: TtlCache<Permission>;
}

/**
 * A fact in use is read again when a fifth of its lifetime is left, while the cached value is still
 * handed out: a PR's reviewers stay warm, and an evaluation does not wait a round trip for a fact that
 * just expired. Never served past its lifetime (a senior removed from a team stops counting within it).
 */
const REFRESH_AHEAD = 0.2;

/**
 * One evaluation's directory reads, memoised: a fact started early (round 1, `prefetchDirectory`)
 * is the one the decision gets; nothing is read twice.
 */
export type DirectoryReads = Map<string, Promise<unknown>>;

function once<T>(reads: DirectoryReads | undefined, key: string, read: () => Promise<T>): Promise<T> {
  if (!reads) return read();
  let p = reads.get(key) as Promise<T> | undefined;
  if (!p) {
    p = read();
    p.catch(() => {});
    reads.set(key, p);
  }
  return p;
}

async function teamMembership(octokit: Octokit, team: string, login: string, cache?: TtlCache<boolean>): Promise<boolean> {
  const [org = "", slug = ""] = team.split("/");
  const lookup = async (): Promise<boolean> => {
    try {
      const { data } = await octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: slug, username: login });
      // A pending invitation is not membership: only "active" members may sign off.
      return data.state === "active";
    } catch (err) {
      if (httpStatus(err) !== 404) throw err;
      return false;
    }
  };
  // Concurrent evaluations that need the same fact share one request; errors are never cached.
  return cache ? cache.getOrLoad(`${team}@${login}`, lookup, { refreshAhead: REFRESH_AHEAD }) : lookup();
}

function toPermission(data: {
  permission: string;
  role_name?: string;
  user?: { permissions?: Record<string, boolean> } | null;
}): Permission {
  const p = data.user?.permissions;
  if (p?.admin) return "admin";
  if (p?.maintain) return "maintain";
  if (p?.push) return "write";
  if (p?.triage) return "triage";
  if (p?.pull) return "read";
  const role = (data.role_name ?? data.permission) as Permission;
  return ["admin", "maintain", "write", "triage", "read"].includes(role) ? role : "none";
}

async function repoPermission(
  octokit: Octokit,
  owner: string,
  repo: string,
  login: string,
  cache?: TtlCache<Permission>,
): Promise<Permission> {
  const lookup = async (): Promise<Permission> => {
    try {
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: login });
      return toPermission(data);
    } catch (err) {
      if (httpStatus(err) !== 404) throw err;
      return "none";
    }
  };
  return cache ? cache.getOrLoad(`${owner}/${repo}@${login}`, lookup, { refreshAhead: REFRESH_AHEAD }) : lookup();
}

function describeError(what: string, err: unknown): string {
  const status = httpStatus(err);
  if (status === 403) return `${what}: GitHub refused (403); the app needs the "Members: read" organisation permission`;
  return `${what}: GitHub answered ${status ?? (err as Error).message}`;
}

const teamKey = (team: string, login: string) => `team:${team}@${login.toLowerCase()}`;
const permissionKey = (login: string) => `permission:${login.toLowerCase()}`;

/**
 * Start the lookups of these people now (round 1) into `reads`, before the plan asks for them; each
 * one not already cached costs one request, which `resolveDirectory` with the same `reads` then
 * answers from. A failed early lookup is forgotten, so the decision's own lookup tries again.
 */
export function prefetchDirectory(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  logins: string[],
  lookups: { teams: string[]; permission: boolean },
  caches: DirectoryCaches,
  reads: DirectoryReads,
): void {
  const early = <T>(key: string, read: () => Promise<T>) => {
    if (reads.has(key)) return;
    const p = once(reads, key, read);
    p.catch(() => {
      if (reads.get(key) === p) reads.delete(key);
    });
  };
  for (const login of logins) {
    for (const team of lookups.teams) early(teamKey(team, login), () => teamMembership(octokit, team, login, caches.membership));
    if (lookups.permission) early(permissionKey(login), () => repoPermission(octokit, repo.owner, repo.repo, login, caches.permission));
  }
}

/**
 * Facts for each login, all lookups in parallel. A lookup that fails leaves the fact unknown,
 * which the core treats as "not eligible" and says so: the gate fails closed, per person.
 */
export async function resolveDirectory(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  logins: string[],
  lookups: { teams: string[]; permission: boolean },
  caches: DirectoryCaches = {},
  reads?: DirectoryReads,
): Promise<ReviewerDirectory> {
  const directory: ReviewerDirectory = new Map();
  await Promise.all(
    logins.map(async (login) => {
      const facts: ReviewerFacts = { teams: new Map() };
      const errors: string[] = [];
      await Promise.all([
        ...lookups.teams.map(async (team) => {
          try {
            facts.teams.set(team, await once(reads, teamKey(team, login), () => teamMembership(octokit, team, login, caches.membership)));
          } catch (err) {
            facts.teams.set(team, undefined);
            errors.push(describeError(`membership of @${team}`, err));
          }
        }),
        ...(lookups.permission
          ? [
              once(reads, permissionKey(login), () => repoPermission(octokit, repo.owner, repo.repo, login, caches.permission)).then(
                (p) => void (facts.permission = p),
                (err: unknown) => void errors.push(describeError("repository permission", err)),
              ),
            ]
          : []),
      ]);
      if (errors.length > 0) facts.error = errors.join("; ");
      directory.set(login.toLowerCase(), facts);
    }),
  );
  return directory;
}
