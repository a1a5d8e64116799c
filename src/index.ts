// The Probot app: which events go to which handler. Nothing else lives here.
import type { Probot } from "probot";
import { createServices, type Services } from "./handlers/services.js";
import { onPullRequestEvent, PULL_REQUEST_ACTIONS, REVIEW_ACTIONS } from "./handlers/pull-request.js";
import { onMergeGroup, onRerunRequested } from "./handlers/checks.js";
import { onInstallation } from "./handlers/installation.js";
import { onComment } from "./handlers/comment.js";
import { onPush } from "./handlers/push.js";

/** The app with explicit services, so tests can give each app its own caches and clock. */
export function createCountersign(services: Services = createServices()) {
  return (app: Probot): void => register(app, services);
}

export default function countersign(app: Probot): void {
  register(app, createServices());
}

function register(app: Probot, services: Services): void {
  app.on([...PULL_REQUEST_ACTIONS], onPullRequestEvent(services));
  app.on([...REVIEW_ACTIONS], onPullRequestEvent(services));
  app.on(["check_run.rerequested", "check_suite.rerequested"], onRerunRequested(services));
  app.on("merge_group.checks_requested", onMergeGroup(services));
  app.on(["installation.created", "installation_repositories.added"], onInstallation(services));
  app.on("issue_comment.created", onComment(services));
  app.on("push", onPush(services));
}
