// A push to the default branch that changes the policy: re-evaluate the open PRs it governs.
import type { Context } from "probot";
import pLimit from "p-limit";
import { loadPolicy, POLICY_PATH } from "../github/policy-source.js";
import { evaluateOpenPullRequests } from "./installation.js";
import type { Services } from "./services.js";

const ORG_POLICY_REPO = ".github";

/** True when the push touched the policy file (added, modified or removed in any of its commits). */
export function pushChangesPolicy(commits: ReadonlyArray<{ added?: string[]; modified?: string[]; removed?: string[] }>): boolean {
  return commits.some((c) => [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])].includes(POLICY_PATH));
}

export function onPush(services: Services) {
  return async (context: Context<"push">): Promise<void> => {
    const { ref, commits, repository } = context.payload;
    if (ref !== `refs/heads/${repository.default_branch}` || !pushChangesPolicy(commits)) return;
    const owner = repository.owner?.login;
    if (!owner) return;
    services.onPolicyChanged?.(owner, repository.name);

    if (repository.name !== ORG_POLICY_REPO) {
      const result = await evaluateOpenPullRequests(context as unknown as Context, services, owner, [repository.name]);
      context.log.info({ repo: repository.full_name, ...result }, "policy changed; re-evaluated open pull requests");
      return;
    }
    // The organisation's policy: every repository of the installation that inherits it.
    const repos = await context.octokit.paginate(context.octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
    const limit = pLimit(4);
    const users = (
      await Promise.all(
        repos
          .filter((r) => r.owner.login.toLowerCase() === owner.toLowerCase())
          .map((r) =>
            limit(async () => {
              const loaded = await loadPolicy(context.octokit, owner, r.name);
              return loaded.sources.some((s) => s.toLowerCase().startsWith(`${owner}/${ORG_POLICY_REPO}:`.toLowerCase())) ? r.name : undefined;
            }),
          ),
      )
    ).filter((name): name is string => name !== undefined);
    const result = await evaluateOpenPullRequests(context as unknown as Context, services, owner, users);
    context.log.info({ owner, repos: users.length, ...result }, "organisation policy changed; re-evaluated open pull requests of the repositories that use it");
  };
}
