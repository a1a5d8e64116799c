// The periodic escalation sweep (scale/escalation-sweep.ts): re-evaluates the PRs whose signoff.escalate
// deadline has passed, so an escalation fires without a new event on the PR. Started by index.ts.
import type { Logger, Probot } from "probot";
import type { Octokit } from "../github/octokit.js";
import { instrumentOctokit } from "../github/instrument.js";
import { sweepEscalations, type EscalationTarget } from "../scale/escalation-sweep.js";
import { evaluatePullRequest } from "./evaluate.js";
import type { Services } from "./services.js";

/** What the sweep uses: the escalation board and clock, and what an evaluation needs. */
type SweepServices = Pick<Services, "seniors"> & Parameters<typeof evaluatePullRequest>[2];

/** One sweep; `octokitFor` gives an installation's client for a repository. Returns how many PRs were re-evaluated. */
export function runEscalationSweep(
  services: SweepServices,
  log: Logger,
  octokitFor: (target: EscalationTarget) => Promise<Octokit>,
): Promise<number> {
  return sweepEscalations({
    board: services.seniors.escalations,
    clock: services.seniors.clock,
    evaluate: async (target) => {
      const octokit = await octokitFor(target);
      await evaluatePullRequest(octokit, log, services, { owner: target.owner, repo: target.repo, number: target.number }).catch(
        (err: unknown) =>
          log.warn({ err, repo: `${target.owner}/${target.repo}`, pr: target.number }, "escalation sweep: evaluation failed"),
      );
    },
  });
}

/** The installation client for a repository, through the app's own authentication. */
export function appOctokitFor(app: Probot, services: Pick<Services, "requestHooks">) {
  return async (target: EscalationTarget): Promise<Octokit> => {
    const appClient = (await app.auth()) as unknown as Octokit;
    const { data } = await appClient.rest.apps.getRepoInstallation({ owner: target.owner, repo: target.repo });
    const octokit = (await app.auth(data.id)) as unknown as Octokit;
    instrumentOctokit(octokit, services.requestHooks, String(data.id));
    return octokit;
  };
}

/** Sweep every ESCALATION_SWEEP_SECONDS (default 300; 0 turns it off). The timer never keeps the process alive. */
export function startEscalationSweeps(app: Probot, services: SweepServices & Pick<Services, "requestHooks">, seconds: number): () => void {
  if (seconds <= 0) return () => undefined;
  const octokitFor = appOctokitFor(app, services);
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    runEscalationSweep(services, app.log, octokitFor)
      .catch((err: unknown) => app.log.warn({ err }, "escalation sweep failed"))
      .finally(() => (running = false));
  }, seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
