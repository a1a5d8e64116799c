// A new installation, or repositories added to one: evaluate their open PRs, a few at a time, as a
// background sweep. The same sweep checks the open PRs on start (handlers/reconcile.ts). Each PR is
// read once: the echoes of the sweep's own label writes are not evaluated again (handlers/durability.ts).
// A sweep gives way to live deliveries and is paced by the installation's rate limit: it leaves the
// reserve (SWEEP_RESERVE_PERCENT, default 20% of the limit) to live events and never runs into a 403.
import type { Context, Logger } from "probot";
import pLimit from "p-limit";
import { listOpenPullRequests, type OpenPull } from "../github/pulls.js";
import type { Octokit } from "../github/octokit.js";
import { evaluatePullRequest } from "./evaluate.js";
import { durabilityOf } from "./durability.js";
import type { Metrics } from "../metrics/metrics.js";
import type { WriteTurns } from "../github/write-turns.js";

/** What evaluating one PR takes: whatever handlers/evaluate.ts asks for (its gate, caches, metrics …). */
export type EvaluateDeps = Parameters<typeof evaluatePullRequest>[2];

/**
 * What a sweep uses: what evaluating a PR and pacing background work take (handlers/durability.ts),
 * the sweep's counter, and the write queue's backlog for its progress line.
 */
export type SweepDeps = EvaluateDeps &
  Parameters<typeof durabilityOf>[0] & {
    metrics: Pick<Metrics, "sweepPullRequests">;
    turns?: Pick<WriteTurns, "backlog"> | undefined;
  };

/** How many repositories, and PRs within one, are read at once: reads are cheap, writes are throttled anyway. */
const CONCURRENCY = 4;
/** The most requests one PR's evaluation makes in a sweep (a cold repository: the policy, notes, the PR's reads). */
export const SWEEP_COST_PER_PULL = 12;

export type SweepKind = "installation" | "reconcile";

export interface SweepOptions {
  owner: string;
  repos: string[];
  installation: string;
  kind: SweepKind;
  /** Whether a listed PR needs an evaluation (reconcile: its check is missing or older than the PR). Default: all do. */
  needsEvaluation?: (repo: string, pull: OpenPull) => Promise<boolean>;
  /** Stop after this many evaluations (the reconciliation's bound). */
  maxEvaluations?: number;
  /** Aborted: the PRs not started yet are skipped (the process is shutting down). */
  signal?: AbortSignal;
}

export interface SweepResult {
  evaluated: number;
  failed: number;
  current: number;
  skipped: number;
}

export async function sweepOpenPullRequests(
  octokit: Octokit,
  log: Logger,
  services: SweepDeps,
  options: SweepOptions,
): Promise<SweepResult> {
  const { owner, repos, installation, kind } = options;
  const { budget, live } = durabilityOf(services);
  const limit = pLimit(CONCURRENCY);
  const result: SweepResult = { evaluated: 0, failed: 0, current: 0, skipped: 0 };
  const unlisted: string[] = [];
  let reposDone = 0;
  let pullsSeen = 0;
  const started = performance.now();
  const count = (r: "evaluated" | "failed" | "current") => {
    result[r]++;
    services.metrics.sweepPullRequests.inc({ sweep: kind, result: r });
  };
  // One line per batch of repositories (and for the last), so an operator can follow a large installation draining.
  const progress = () => {
    reposDone++;
    if (reposDone % CONCURRENCY !== 0 && reposDone !== repos.length) return;
    const queued = services.turns?.backlog();
    const window = budget.window(installation);
    log.info(
      {
        owner,
        sweep: kind,
        repos: reposDone,
        of: repos.length,
        pulls: pullsSeen,
        ...result,
        ...(queued ? { queuedWrites: Object.values(queued).reduce((a, b) => a + b, 0) } : {}),
        ...(window ? { rateLimitRemaining: window.remaining } : {}),
        ms: Math.round(performance.now() - started),
      },
      "evaluating open pull requests: progress",
    );
  };
  /** One unit of background work: after the live deliveries, within the rate budget. */
  const paced = async <T>(work: () => Promise<T>): Promise<T> => {
    await live.quiet();
    const done = await budget.admit(installation, SWEEP_COST_PER_PULL);
    try {
      return await work();
    } finally {
      done();
    }
  };
  /** Evaluations started: the bound counts those, not those finished, since several run at once. */
  let begun = 0;
  const bounded = () => options.maxEvaluations !== undefined && begun >= options.maxEvaluations;

  async function sweepRepository(repo: string): Promise<void> {
    let pulls: OpenPull[];
    try {
      pulls = await paced(() => listOpenPullRequests(octokit, owner, repo));
    } catch (err) {
      // Go on with the other repositories; this one is reported below.
      log.error({ err, repo: `${owner}/${repo}` }, "could not list open pull requests");
      unlisted.push(repo);
      return;
    }
    pullsSeen += pulls.length;
    const prLimit = pLimit(CONCURRENCY);
    await Promise.all(
      pulls.map((pull) =>
        prLimit(async () => {
          if (bounded() || options.signal?.aborted) {
            result.skipped++;
            return;
          }
          await paced(async () => {
            try {
              if (options.needsEvaluation && !(await options.needsEvaluation(repo, pull))) {
                count("current");
                return;
              }
              if (bounded()) {
                result.skipped++;
                return;
              }
              begun++;
              await evaluatePullRequest(octokit, log, services, { owner, repo, number: pull.number }, { headShaHint: pull.headSha });
              count("evaluated");
            } catch {
              // One PR's failure is already a failing check on that PR; go on with the rest.
              count("failed");
            }
          });
        }),
      ),
    );
  }

  await Promise.all(
    repos.map((repo) =>
      limit(async () => {
        try {
          await sweepRepository(repo);
        } finally {
          progress();
        }
      }),
    ),
  );
  if (unlisted.length > 0) {
    // Their PRs keep whatever check they had: fail the delivery so it shows as failed and can be redelivered.
    throw new Error(
      `could not list the open pull requests of ${unlisted.map((r) => `${owner}/${r}`).join(", ")} (evaluated ${result.evaluated} in the others)`,
    );
  }
  return result;
}

/** The installation sweep of `repos` (kept for callers of the earlier name). */
export async function evaluateOpenPullRequests(
  context: Context,
  services: SweepDeps,
  owner: string,
  repos: string[],
): Promise<{ evaluated: number; failed: number }> {
  const installation = String((context.payload as { installation?: { id?: number } }).installation?.id ?? "default");
  const { evaluated, failed } = await sweepOpenPullRequests(context.octokit, context.log, services, {
    owner,
    repos,
    installation,
    kind: "installation",
  });
  return { evaluated, failed };
}

export function onInstallation(services: SweepDeps) {
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
