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
  return cache ? cache.getOrLoad(`${team}@${login}`, lookup) : lookup();
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
  return cache ? cache.getOrLoad(`${owner}/${repo}@${login}`, lookup) : lookup();
}

function describeError(what: string, err: unknown): string {
  const status = httpStatus(err);
  if (status === 403) return `${what}: GitHub refused (403); the app needs the "Members: read" organisation permission`;
  return `${what}: GitHub answered ${status ?? (err as Error).message}`;
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
): Promise<ReviewerDirectory> {
  const directory: ReviewerDirectory = new Map();
  await Promise.all(
    logins.map(async (login) => {
      const facts: ReviewerFacts = { teams: new Map() };
      const errors: string[] = [];
      await Promise.all([
        ...lookups.teams.map(async (team) => {
          try {
            facts.teams.set(team, await teamMembership(octokit, team, login, caches.membership));
          } catch (err) {
            facts.teams.set(team, undefined);
            errors.push(describeError(`membership of @${team}`, err));
          }
        }),
        ...(lookups.permission
          ? [
              repoPermission(octokit, repo.owner, repo.repo, login, caches.permission).then(
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
