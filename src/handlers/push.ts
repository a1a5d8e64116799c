// A push to the default branch that changes the policy: re-evaluate the open PRs it governs.
import type { Context } from "probot";
import pLimit from "p-limit";
import { loadPolicy } from "../github/policy-source.js";
import { ORG_POLICY_REPO, POLICY_PATH } from "../policy/paths.js";
import { evaluateOpenPullRequests, type SweepDeps } from "./installation.js";
import type { PolicyCache } from "../github/policy-cache.js";
import type { Services } from "./services.js";
import { hasFields, REPOSITORY_FIELDS } from "./payload.js";

type PushCommits = ReadonlyArray<{ added?: string[]; modified?: string[]; removed?: string[] }>;

/** Every path the push added, modified or removed, in any of its commits. */
function changedPaths(commits: PushCommits): Set<string> {
  return new Set(commits.flatMap((c) => [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])]));
}

/** True when the push touched the policy file (added, modified or removed in any of its commits). */
export function pushChangesPolicy(commits: PushCommits): boolean {
  return changedPaths(commits).has(POLICY_PATH);
}

/**
 * Files of the organisation's .github repository that may be policies: the default one, and any YAML
 * file named after Countersign, which a repository can `_extends` (".github:policies/countersign-strict.yml").
 */
export function orgPolicyFilesChanged(commits: PushCommits): string[] {
  return [...changedPaths(commits)].filter(
    (p) => p === POLICY_PATH || (/\.ya?ml$/i.test(p) && /countersign/i.test(p) && !p.startsWith(".github/workflows/")),
  );
}

/** What a push uses: which repositories read the changed files, how to drop their cached policies, and the sweep. */
export type PushDeps = SweepDeps & {
  policies: Pick<PolicyCache, "readersOf" | "filesReadIn">;
  onPolicyChanged?: Services["onPolicyChanged"];
};

export function onPush(services: PushDeps) {
  return async (context: Context<"push">): Promise<void> => {
    const fields = { ...REPOSITORY_FIELDS, ref: "string", commits: "array", "repository.default_branch": "string" } as const;
    if (!hasFields(context.log, context.name, context.payload, fields)) return;
    const { ref, commits, repository } = context.payload;
    if (ref !== `refs/heads/${repository.default_branch}`) return;
    const owner = repository.owner?.login;
    if (!owner) return;

    if (repository.name !== ORG_POLICY_REPO) {
      // This repository's policy, and any repository of the owner whose loaded policy reads a changed file
      // (an `_extends` target kept here, such as policies/base.yml).
      const paths = [...changedPaths(commits)];
      const readers = paths.flatMap((path) => services.policies.readersOf(owner, repository.name, path));
      const repos = new Set(readers.filter((r) => r.startsWith(`${owner.toLowerCase()}/`)).map((r) => r.slice(owner.length + 1)));
      if (pushChangesPolicy(commits)) repos.add(repository.name);
      if (repos.size === 0) return;
      for (const name of repos) services.onPolicyChanged?.(owner, name);
      const result = await evaluateOpenPullRequests(context as unknown as Context, services, owner, [...repos]);
      context.log.info({ repo: repository.full_name, repos: [...repos], ...result }, "policy changed; re-evaluated open pull requests");
      return;
    }

    // The organisation's policies: every repository of the installation that uses one of them.
    // Also any file a loaded policy is known to read (an `_extends` target such as policies/base.yml).
    const read = new Set(services.policies.filesReadIn(owner, ORG_POLICY_REPO));
    const changed = [...new Set([...orgPolicyFilesChanged(commits), ...[...changedPaths(commits)].filter((p) => read.has(p))])];
    if (changed.length === 0) return;
    services.onPolicyChanged?.(owner, repository.name);
    const changedSources = new Set(changed.map((path) => `${owner}/${ORG_POLICY_REPO}:${path}`.toLowerCase()));
    const defaultChanged = changed.includes(POLICY_PATH);
    const repos = await context.octokit.paginate(context.octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
    const limit = pLimit(4);
    const users = (
      await Promise.all(
        repos
          .filter((r) => r.owner.login.toLowerCase() === owner.toLowerCase())
          .map((r) =>
            limit(async () => {
              let sources: string[];
              try {
                sources = (await loadPolicy(context.octokit, owner, r.name)).sources;
              } catch (err) {
                // Cannot tell: re-evaluate, and the evaluation fails closed if the error persists.
                context.log.warn({ err, repo: `${owner}/${r.name}` }, "could not load the policy of a repository; re-evaluating it anyway");
                return r.name;
              }
              if (sources.some((s) => changedSources.has(s.toLowerCase()))) return r.name;
              // No policy file found (the organisation's was removed) or one that cannot be parsed:
              // such a repository may have used the organisation's policy until this push.
              if (defaultChanged && sources.length === 0) return r.name;
              return undefined;
            }),
          ),
      )
    ).filter((name): name is string => name !== undefined);
    const result = await evaluateOpenPullRequests(context as unknown as Context, services, owner, users);
    context.log.info(
      { owner, repos: users.length, ...result },
      "organisation policy changed; re-evaluated open pull requests of the repositories that use it",
    );
  };
}
