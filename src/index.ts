// The Probot app: which events go to which handler, and GET /metrics. Nothing else lives here.
import type { ApplicationFunctionOptions, Probot } from "probot";
import { createServices, type Services } from "./handlers/services.js";
import { onPullRequestEvent, PULL_REQUEST_ACTIONS, REVIEW_ACTIONS } from "./handlers/pull-request.js";
import { onMergeGroup, onRerunRequested } from "./handlers/checks.js";
import { onInstallation } from "./handlers/installation.js";
import { onComment } from "./handlers/comment.js";
import { onPush } from "./handlers/push.js";
import { onPullRequestMerged } from "./handlers/merged.js";
import { onPullRequestClosedWaiting } from "./handlers/waiting-closed.js";
import { instrumentOctokit } from "./github/instrument.js";
import { watchRateLimit } from "./handlers/durability.js";
import type { Octokit } from "./github/octokit.js";
import { metricsHandler } from "./metrics/metrics.js";
import { startEscalationSweeps } from "./handlers/escalation-sweep.js";
import { yieldQueuesWithoutTimers } from "./github/queue-yields.js";

/** The app with explicit services, so tests can give each app its own caches and clock. */
export function createCountersign(services: Services = createServices()) {
  return (app: Probot, options?: ApplicationFunctionOptions): void => register(app, services, options);
}

export default function countersign(app: Probot, options?: ApplicationFunctionOptions): void {
  register(app, createServices(), options);
}

function register(app: Probot, services: Services, options?: ApplicationFunctionOptions): void {
  services.useLogger(app.log);
  // Probot's request queues yield without a 1 ms timer each time (github/queue-yields.ts).
  yieldQueuesWithoutTimers();
  // Every event's octokit counts its requests and revalidates repeat reads, before any handler uses it.
  // The handler's run is tracked (a graceful shutdown waits for it) and its failure counted.
  const instrumented =
    <C extends { octokit: Octokit; payload: unknown; name: string }>(handler: (context: C) => Promise<void>) =>
    (context: C) => {
      const installation = (context.payload as { installation?: { id?: number } }).installation?.id;
      instrumentOctokit(context.octokit, services.requestHooks, installation === undefined ? undefined : String(installation));
      // The rate limit background sweeps are paced by.
      watchRateLimit(context.octokit, services, installation === undefined ? "default" : String(installation));
      const action = (context.payload as { action?: unknown }).action;
      const event = typeof action === "string" ? `${context.name}.${action}` : context.name;
      return services.inFlight.track(
        handler(context).catch((err: unknown) => {
          services.metrics.countHandlerFailure(event, err);
          throw err;
        }),
      );
    };
  app.on([...PULL_REQUEST_ACTIONS], instrumented(onPullRequestEvent(services)));
  app.on([...REVIEW_ACTIONS], instrumented(onPullRequestEvent(services)));
  app.on(["check_run.rerequested", "check_suite.rerequested"], instrumented(onRerunRequested(services)));
  app.on("merge_group.checks_requested", instrumented(onMergeGroup(services)));
  app.on(["installation.created", "installation_repositories.added"], instrumented(onInstallation(services)));
  app.on("issue_comment.created", instrumented(onComment(services)));
  app.on("push", instrumented(onPush(services)));
  app.on("pull_request.closed", instrumented(onPullRequestMerged(services)));
  app.on("pull_request.closed", onPullRequestClosedWaiting(services));
  serveMetrics(services, options);
  // signoff.escalate fires without a new event: PRs past their deadline are re-evaluated periodically.
  const stop = startEscalationSweeps(app, services, services.escalationSweepSeconds);
  const close = services.close.bind(services);
  services.close = async () => {
    stop();
    await close();
  };
}

/** GET /metrics on Probot's own server (next to /ping). Without a server (tests, serverless) there is nothing to add to. */
function serveMetrics(services: Services, options: ApplicationFunctionOptions | undefined): void {
  try {
    options?.addHandler(metricsHandler(services.metrics));
  } catch {
    // Probot.load without a server: its addHandler throws "No server instance".
  }
}
