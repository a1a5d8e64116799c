// Re-run requests on our check, and the merge queue.
import type { Context } from "probot";
import { evaluatePullRequest } from "./evaluate.js";
import { openPullRequestsForSha } from "../github/pulls.js";
import { readCheckRun } from "../github/publish.js";
import { publisherFor, type PublisherServices } from "./publisher-for.js";
import { renderMergeGroup } from "../core/render.js";
import type { EvaluateDeps } from "./installation.js";
import type { Services } from "./services.js";
import { hasFields, REPOSITORY_FIELDS } from "./payload.js";

/** Which check run is ours: its name, and the app that writes it (undefined: the app id is not configured). */
export type OurCheck = Pick<Services, "checkName" | "appId">;

/** "Re-run" on our check (or on the whole suite): GitHub does not redeliver lost webhooks, this is the way back. */
export function onRerunRequested(services: OurCheck & EvaluateDeps) {
  return async (context: Context<"check_run.rerequested"> | Context<"check_suite.rerequested">): Promise<void> => {
    const payload = context.payload;
    const which = "check_run" in payload ? "check_run" : "check_suite";
    const fields = { ...REPOSITORY_FIELDS, [`${which}.head_sha`]: "string", [`${which}.pull_requests`]: "array" } as const;
    if (!hasFields(context.log, context.name, payload, fields)) return;
    let headSha: string;
    let numbers: number[];
    if ("check_run" in payload) {
      const run = payload.check_run;
      if (run.name !== services.checkName) return;
      if (services.appId !== undefined && run.app?.id !== services.appId) return;
      headSha = run.head_sha;
      numbers = run.pull_requests.map((p) => p.number);
    } else {
      const suite = payload.check_suite;
      if (services.appId !== undefined && suite.app?.id !== services.appId) return;
      headSha = suite.head_sha;
      numbers = suite.pull_requests.map((p) => p.number);
    }
    const owner = payload.repository.owner.login;
    const repo = payload.repository.name;
    // Pull requests from forks are not listed on check runs: find them by head SHA.
    if (numbers.length === 0) numbers = await openPullRequestsForSha(context.octokit, owner, repo, headSha);
    if (numbers.length === 0) {
      context.log.info({ sha: headSha }, "re-run requested, but no open pull request has this head");
      return;
    }
    await Promise.all(
      numbers.map((number) =>
        evaluatePullRequest(context.octokit, context.log, services, { owner, repo, number }, { headShaHint: headSha }),
      ),
    );
  };
}

/** The merge queue's temporary head: every PR in it passed on its own head already. */
export function onMergeGroup(services: OurCheck & PublisherServices) {
  return async (context: Context<"merge_group.checks_requested">): Promise<void> => {
    if (!hasFields(context.log, context.name, context.payload, { ...REPOSITORY_FIELDS, "merge_group.head_sha": "string" })) return;
    const { owner, repo } = context.repo();
    const target = {
      owner,
      repo,
      headSha: context.payload.merge_group.head_sha,
      name: services.checkName,
      ...(services.appId ? { appId: services.appId } : {}),
    };
    const existing = await readCheckRun(context.octokit, target);
    const written = await publisherFor(context.octokit, services).writeCheck(target, renderMergeGroup(), existing);
    const check = written.sent ? written.value.write : written.why;
    context.log.info({ sha: target.headSha, check, outcome: "merge-group" }, "merge group checked");
  };
}
