// "/countersign recheck" and "/countersign override <reason>" in PR comments.
import type { Context } from "probot";
import { parseCommand } from "../core/commands.js";
import { lookupsFor, matchSpecs } from "../core/eligibility.js";
import { isAiIdentity } from "../core/detect.js";
import { loadPolicy } from "../github/policy-source.js";
import { resolveDirectory } from "../github/directory.js";
import { evaluatePullRequest, overrideKey } from "./evaluate.js";
import { headChangedAfter } from "../github/head-history.js";
import { acknowledgeCommand, readCheckRun } from "../github/publish.js";
import { overrideFor, readCheckState } from "../core/render.js";
import { viewPasses } from "../core/shared-head.js";
import { sameOverride, type OverrideRecord } from "../core/types.js";
import type { PullRef } from "../github/snapshot.js";
import type { Services } from "./services.js";
import { hasFields, REPOSITORY_FIELDS } from "./payload.js";

export function onComment(services: Services) {
  return async (context: Context<"issue_comment.created">): Promise<void> => {
    const fields = { ...REPOSITORY_FIELDS, "issue.number": "number", "issue.state": "string", "comment.id": "number", "comment.user.login": "string", "comment.created_at": "string" } as const;
    if (!hasFields(context.log, context.name, context.payload, fields)) return;
    const { issue, comment } = context.payload;
    // Only new comments count: an edited comment could turn an old, refused line into a command.
    if (!issue.pull_request || issue.state !== "open") return;
    if (comment.user?.type === "Bot") return;
    const command = parseCommand(shownText(comment.body));
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
      // The acknowledgement costs no slot on the critical path: after the evaluation's writes, and skipped when writes queue.
      await evaluatePullRequest(context.octokit, context.log, services, ref);
      await acknowledgeCommand(context.octokit, owner, repo, comment.id);
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
    // Never the author (an override is a second person's decision), never an AI agent's account.
    const excluded =
      actor.id === author.id || login.toLowerCase() === author.login.toLowerCase()
        ? "is the PR author; an override is a second person's decision"
        : isAiIdentity(actor, loaded.policy)
          ? "is an AI identity; an override is a person's decision"
          : undefined;
    const directory = excluded ? new Map() : await resolveDirectory(context.octokit, { owner, repo }, [login.toLowerCase()], lookupsFor([login], allowed), services.caches);
    const match = excluded ? { eligible: false, reason: excluded } : matchSpecs(login, allowed, directory);
    if (!match.eligible) {
      context.log.warn({ login, pr: issue.number }, "override refused");
      await reply(`@${login} The override was not applied: @${login} ${match.reason}. Only ${allowed.join(", ")} may override.`);
      return;
    }
    // Bound to the head the comment was written on: a late or redelivered webhook must not carry it to a newer push.
    const since = await headChangedAfter(
      context.octokit,
      { owner, repo, headSha: head, headRef: pr.data.head.ref, fromFork: pr.data.head.repo?.full_name?.toLowerCase() !== `${owner}/${repo}`.toLowerCase() },
      comment.created_at,
    );
    if (since.changedAfter) {
      context.log.warn({ login, pr: issue.number, sha: head, commentAt: comment.created_at, headAt: since.at }, "override refused: the head changed after the comment");
      const when = since.at ? ` (${since.how === "push" ? "pushed" : "committed"} ${since.at})` : "";
      await reply(
        `@${login} The override was not applied: the head of this pull request is now ${head.slice(0, 7)}${when}, which came after your comment (${comment.created_at}). An override applies to the commit it was given on; if ${head.slice(0, 7)} should be overridden too, post the override again.`,
      );
      return;
    }
    const override = { by: login, reason: command.reason.slice(0, 500), sha: head, at: comment.created_at, comment: comment.id, pr: issue.number };
    await evaluatePullRequest(context.octokit, context.log, services, ref, { override, headShaHint: head });
    const written = await overrideWritten(context, services, ref, override);
    if (!written.applied) {
      context.log.warn({ login, pr: issue.number, sha: head }, "override not applied: the check written does not carry it");
      await reply(
        `@${login} The override was not applied: when Countersign evaluated the pull request, its head was no longer ${head.slice(0, 7)} (or another override replaced this one). Post the override again if the current head should pass.`,
      );
      return;
    }
    context.log.warn({ login, pr: issue.number, sha: head }, "override applied");
    const others = written.passes
      ? ""
      : `\n\nThe check on ${head.slice(0, 7)} still waits: it belongs to the commit, and another open pull request with this head has not passed yet (the check's summary names it).`;
    await reply(
      `Override by @${login} applied to ${head.slice(0, 7)}: ${override.reason}\n\nIt holds for this pull request on that commit only; when the pull request moves past it, the new head needs sign-off (or another override) again.${others}`,
    );
  };
}

/**
 * Whether the check now on the override's head carries this override. Known here when this replica
 * ran the evaluation; otherwise (another replica did, through Redis) our check run is read back.
 */
async function overrideWritten(context: Context<"issue_comment.created">, services: Services, ref: PullRef, override: OverrideRecord): Promise<{ applied: boolean; passes: boolean }> {
  const known = services.caches.overrides.get(overrideKey(ref, override));
  if (known !== undefined) return known;
  const target = { owner: ref.owner, repo: ref.repo, headSha: override.sha, name: services.checkName, ...(services.appId ? { appId: services.appId } : {}) };
  const check = await readCheckRun(context.octokit, target);
  const applied = sameOverride(overrideFor(readCheckState(check?.view.text), ref.number), override);
  return { applied, passes: check !== undefined && viewPasses(check.view) };
}

/**
 * The comment as GitHub shows it, as far as commands go: without HTML comments (not rendered: a pasted
 * template must not carry an invisible override) and without fenced code blocks (a command shown
 * there is documentation, not a request).
 */
export function shownText(body: string | null | undefined): string {
  if (!body) return "";
  const text = body.replace(/\r\n?/g, "\n");
  let visible = "";
  let pos = 0;
  for (let start = text.indexOf("<!--"); start >= 0; start = text.indexOf("<!--", pos)) {
    visible += text.slice(pos, start);
    const end = text.indexOf("-->", start + 4);
    pos = end < 0 ? text.length : end + 3;
  }
  visible += text.slice(pos);
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of visible.split("\n")) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined) {
      if (marker) fence = marker;
      else lines.push(line);
    } else if (marker && marker[0] === fence[0] && marker.length >= fence.length && /^ {0,3}[`~]+\s*$/.test(line)) {
      fence = undefined;
    }
  }
  return lines.join("\n");
}
