// "/countersign recheck" and "/countersign override <reason>" in PR comments.
import type { Context } from "probot";
import { parseCommand } from "../core/commands.js";
import { lookupsFor, matchSpecs } from "../core/eligibility.js";
import { loadPolicy } from "../github/policy-source.js";
import { resolveDirectory } from "../github/directory.js";
import { evaluatePullRequest } from "./evaluate.js";
import type { Services } from "./services.js";

export function onComment(services: Services) {
  return async (context: Context<"issue_comment.created">): Promise<void> => {
    const { issue, comment } = context.payload;
    // Only new comments count: an edited comment could turn an old, refused line into a command.
    if (!issue.pull_request || issue.state !== "open") return;
    if (comment.user?.type === "Bot") return;
    const command = parseCommand(comment.body);
    if (!command) return;
    const owner = context.payload.repository.owner.login;
    const repo = context.payload.repository.name;
    const ref = { owner, repo, number: issue.number };
    const reply = (body: string) => context.octokit.rest.issues.createComment({ owner, repo, issue_number: issue.number, body });
    const login = comment.user?.login ?? "ghost";

    if (command.kind === "unknown") {
      await reply(`@${login} Countersign knows \`/countersign recheck\` and \`/countersign override <reason>\`, not \`${command.verb || "(nothing)"}\`.`);
      return;
    }
    if (command.kind === "recheck") {
      await context.octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: comment.id, content: "eyes" });
      await evaluatePullRequest(context.octokit, context.log, services, ref);
      return;
    }

    if (command.reason === "") {
      await reply(`@${login} An override needs a reason: \`/countersign override <reason>\`. The reason is shown on the check.`);
      return;
    }
    const [loaded, pr] = await Promise.all([
      loadPolicy(context.octokit, owner, repo),
      context.octokit.rest.pulls.get({ owner, repo, pull_number: issue.number }),
    ]);
    if (!loaded.ok) {
      await reply(`@${login} The override was not applied: the policy is invalid, so Countersign cannot tell who may override. Fix the policy first.`);
      return;
    }
    const allowed = loaded.policy.override.by;
    if (allowed.length === 0) {
      await reply(`@${login} The override was not applied: this repository's policy allows no overrides (\`override.by\` is empty).`);
      return;
    }
    const head = pr.data.head.sha;
    const actor = { login, ...(comment.user ? { id: comment.user.id, type: comment.user.type } : {}) };
    const author = { login: pr.data.user.login, id: pr.data.user.id };
    const excluded =
      actor.id === author.id || login.toLowerCase() === author.login.toLowerCase()
        ? "is the PR author; an override is a second person's decision"
        : undefined;
    const directory = excluded ? new Map() : await resolveDirectory(context.octokit, { owner, repo }, [login.toLowerCase()], lookupsFor([login], allowed), services.caches);
    const match = excluded ? { eligible: false, reason: excluded } : matchSpecs(login, allowed, directory);
    if (!match.eligible) {
      context.log.warn({ login, pr: issue.number }, "override refused");
      await reply(`@${login} The override was not applied: @${login} ${match.reason}. Only ${allowed.join(", ")} may override.`);
      return;
    }
    const override = { by: login, reason: command.reason.slice(0, 500), sha: head, at: comment.created_at };
    await evaluatePullRequest(context.octokit, context.log, services, ref, { override, headShaHint: head });
    context.log.warn({ login, pr: issue.number, sha: head }, "override applied");
    await reply(
      `Override by @${login} applied to ${head.slice(0, 7)}: ${override.reason}\n\nThe check passes for this commit only; a new push needs sign-off (or another override) again.`,
    );
  };
}
