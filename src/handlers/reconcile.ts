// On start, the open PRs whose Countersign check may not say what it should: a replica that died
// lost the deliveries it held in memory (without Redis), and GitHub does not redeliver by itself.
// Every installation's open PRs are listed; a PR whose head has no check of ours, or whose check
// was written before the PR last changed (GitHub's updated_at against the check's completed_at or
// started_at), is evaluated again. It is a background sweep (handlers/installation.ts): each PR
// read once, after the live deliveries, within the rate budget, and at most `maxEvaluations` in all.
import type { Logger } from "probot";
import type { Octokit } from "../github/octokit.js";
import type { OpenPull } from "../github/pulls.js";
import { sweepOpenPullRequests, type SweepDeps, type SweepResult } from "./installation.js";
import type { OurCheck } from "./checks.js";

export interface ReconcileOptions {
  /** The app's octokit (no id) or an installation's. */
  auth(installationId?: number): Promise<Octokit>;
  /** Give an installation's octokit the app's request hooks. */
  instrument(octokit: Octokit, installation: string): void;
  /** At most this many evaluations in all (RECONCILE_MAX_PULLS). */
  maxEvaluations: number;
  signal?: AbortSignal;
}

/** Whether our check on the PR's head is missing or older than the PR's last change. */
export async function checkIsStale(octokit: Octokit, ours: OurCheck, owner: string, repo: string, pull: OpenPull): Promise<boolean> {
  const { data } = await octokit.rest.checks.listForRef({
    owner,
    repo,
    ref: pull.headSha,
    check_name: ours.checkName,
    ...(ours.appId ? { app_id: ours.appId } : {}),
    per_page: 1,
  });
  const check = data.check_runs[0];
  if (!check) return true;
  if (!pull.updatedAt) return false;
  const written = Math.max(Date.parse(check.completed_at ?? "") || 0, Date.parse(check.started_at ?? "") || 0);
  return written < Date.parse(pull.updatedAt);
}

/** What the start-up sweep uses: the sweep's own needs, and which check is ours (to find the stale ones). */
export type ReconcileDeps = SweepDeps & OurCheck;

export async function reconcileOpenPullRequests(log: Logger, services: ReconcileDeps, options: ReconcileOptions): Promise<SweepResult> {
  const started = performance.now();
  const total: SweepResult = { evaluated: 0, failed: 0, current: 0, skipped: 0 };
  const app = await options.auth();
  const installations = await app.paginate(app.rest.apps.listInstallations, { per_page: 100 });
  log.info({ installations: installations.length }, "reconciling open pull requests: checks missing or older than their PR");
  for (const installation of installations) {
    const left = options.maxEvaluations - total.evaluated - total.failed;
    if (left <= 0 || options.signal?.aborted) break;
    const id = String(installation.id);
    try {
      const octokit = await options.auth(installation.id);
      options.instrument(octokit, id);
      const repos = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 100 });
      // One installation is one account, but group by owner anyway: the sweep is per owner.
      const byOwner = new Map<string, string[]>();
      for (const r of repos as Array<{ name: string; owner: { login: string }; archived?: boolean }>) {
        if (r.archived) continue;
        byOwner.set(r.owner.login, [...(byOwner.get(r.owner.login) ?? []), r.name]);
      }
      for (const [owner, names] of byOwner) {
        const result = await sweepOpenPullRequests(octokit, log, services, {
          owner,
          repos: names,
          installation: id,
          kind: "reconcile",
          maxEvaluations: options.maxEvaluations - total.evaluated - total.failed,
          ...(options.signal ? { signal: options.signal } : {}),
          needsEvaluation: (repo, pull) => checkIsStale(octokit, services, owner, repo, pull),
        });
        total.evaluated += result.evaluated;
        total.failed += result.failed;
        total.current += result.current;
        total.skipped += result.skipped;
      }
    } catch (err) {
      log.error({ err, installation: id }, "could not reconcile an installation's open pull requests; go on with the others");
    }
  }
  log.info({ ...total, ms: Math.round(performance.now() - started) }, "reconciled open pull requests");
  return total;
}
