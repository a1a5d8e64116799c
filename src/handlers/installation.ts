// A new installation, or repositories added to one: evaluate their open PRs, a few at a time.
import type { Context } from "probot";
import pLimit from "p-limit";
import { listOpenPullRequests } from "../github/pulls.js";
import { evaluatePullRequest } from "./evaluate.js";
import type { Services } from "./services.js";

/** How many repositories, and PRs within one, are read at once: reads are cheap, writes are throttled anyway. */
const CONCURRENCY = 4;

export async function evaluateOpenPullRequests(
  context: Context,
  services: Services,
  owner: string,
  repos: string[],
): Promise<{ evaluated: number; failed: number }> {
  const limit = pLimit(CONCURRENCY);
  let evaluated = 0;
  let failed = 0;
  const unlisted: string[] = [];
  let reposDone = 0;
  const started = performance.now();
  // One line per batch of repositories (and for the last), so an operator can follow a large installation draining.
  const progress = () => {
    reposDone++;
    if (reposDone % CONCURRENCY !== 0 && reposDone !== repos.length) return;
    const queued = services.requestHooks.turns?.backlog();
    context.log.info(
      {
        owner,
        repos: reposDone,
        of: repos.length,
        evaluated,
        failed,
        ...(queued ? { queuedWrites: Object.values(queued).reduce((a, b) => a + b, 0) } : {}),
        ms: Math.round(performance.now() - started),
      },
      "evaluating open pull requests: progress",
    );
  };
  await Promise.all(
    repos.map((repo) =>
      limit(async () => {
        try {
          await evaluateRepository(repo);
        } finally {
          progress();
        }
      }),
    ),
  );
  async function evaluateRepository(repo: string): Promise<void> {
    let pulls: Awaited<ReturnType<typeof listOpenPullRequests>>;
    try {
      pulls = await listOpenPullRequests(context.octokit, owner, repo);
    } catch (err) {
      // Go on with the other repositories; this one is reported below.
      context.log.error({ err, repo: `${owner}/${repo}` }, "could not list open pull requests");
      unlisted.push(repo);
      return;
    }
    const prLimit = pLimit(CONCURRENCY);
    await Promise.all(
      pulls.map((pull) =>
        prLimit(() =>
          evaluatePullRequest(
            context.octokit,
            context.log,
            services,
            { owner, repo, number: pull.number },
            { headShaHint: pull.headSha },
          ).then(
            () => void evaluated++,
            // One PR's failure is already a failing check on that PR; go on with the rest.
            () => void failed++,
          ),
        ),
      ),
    );
  }
  if (unlisted.length > 0) {
    // Their PRs keep whatever check they had: fail the delivery so it shows as failed and can be redelivered.
    throw new Error(
      `could not list the open pull requests of ${unlisted.map((r) => `${owner}/${r}`).join(", ")} (evaluated ${evaluated} in the others)`,
    );
  }
  return { evaluated, failed };
}

export function onInstallation(services: Services) {
  return async (context: Context<"installation.created"> | Context<"installation_repositories.added">): Promise<void> => {
    const payload = context.payload;
    const owner = payload.installation.account && "login" in payload.installation.account ? payload.installation.account.login : undefined;
    const repos = "repositories_added" in payload ? payload.repositories_added : (payload.repositories ?? []);
    if (!owner || repos.length === 0) return;
    const result = await evaluateOpenPullRequests(
      context as unknown as Context,
      services,
      owner,
      repos.map((r) => r.name),
    );
    context.log.info({ owner, repos: repos.length, ...result }, "evaluated open pull requests of new repositories");
  };
}
