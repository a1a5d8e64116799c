// "/countersign recheck" and "/countersign override <reason>" in PR comments.
import type { Context } from "probot";
import { parseCommand, shownText } from "../core/commands.js";
import { forgetNotesAbsence } from "../github/provenance.js";
import { lookupsFor, matchSpecs, overrideExclusion } from "../core/eligibility.js";
import { loadPolicy } from "../github/policy-source.js";
import { resolveDirectory } from "../github/directory.js";
import { evaluatePullRequest } from "./evaluate.js";
import { overrideKey } from "./guarded-publish.js";
import { headChangedAfter } from "../github/head-history.js";
import { acknowledgeCommand, readCheckRun } from "../github/publish.js";
import { overrideFor, readCheckState, renderCommandReply, type CommandReply } from "../core/render.js";
import { viewPasses } from "../core/shared-head.js";
import { sameOverride, type OverrideRecord } from "../core/types.js";
import type { PullRef } from "../github/snapshot.js";
import type { Services } from "./services.js";
import { hasFields, REPOSITORY_FIELDS } from "./payload.js";

export function onComment(services: Services) {
  return async (context: Context<"issue_comment.created">): Promise<void> => {
    const fields = {
      ...REPOSITORY_FIELDS,
      "issue.number": "number",
      "issue.state": "string",
      "comment.id": "number",
      "comment.user.login": "string",
      "comment.created_at": "string",
    } as const;
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
    const login = comment.user?.login ?? "ghost";
    // One reply per command comment: a delivery handled again (claimed from a replica that died, or
    // redelivered) does not reply twice. Claimed in the merge ledger (shared through Redis), given back on failure.
    const reply = async (r: CommandReply) => {
      const key = `reply:${owner}/${repo}#${comment.id}`.toLowerCase();
      if (!(await services.merges.claim(key).catch(() => true))) {
        context.log.info({ pr: issue.number, comment: comment.id }, "this command was answered already; not replying again");
        return;
      }
      try {
        await context.octokit.rest.issues.createComment({ owner, repo, issue_number: issue.number, body: renderCommandReply(r) });
      } catch (err) {
        await services.merges.release(key).catch(() => undefined);
        throw err;
      }
    };

    if (command.kind === "unknown") {
      await reply({ kind: "unknown-command", login, verb: command.verb });
      return;
    }
    if (command.kind === "recheck") {
      forgetNotesAbsence(services.caches.provenance, owner, repo); // notes pushed since are read now
      // The acknowledgement costs no slot on the critical path: after the evaluation's writes, and skipped when writes queue.
      await evaluatePullRequest(context.octokit, context.log, services, ref);
      await acknowledgeCommand(context.octokit, owner, repo, comment.id);
      return;
    }

    if (command.reason === "") {
      await reply({ kind: "override-needs-reason", login });
      return;
    }
    const [loaded, pr] = await Promise.all([
      loadPolicy(context.octokit, owner, repo),
      context.octokit.rest.pulls.get({ owner, repo, pull_number: issue.number }),
    ]);
    if (!loaded.ok) {
      await reply({ kind: "override-invalid-policy", login });
      return;
    }
    const allowed = loaded.policy.override.by;
    if (allowed.length === 0) {
      await reply({ kind: "override-none-allowed", login });
      return;
    }
    const head = pr.data.head.sha;
    const actor = { login, ...(comment.user ? { id: comment.user.id, type: comment.user.type } : {}) };
    const author = { login: pr.data.user.login, id: pr.data.user.id };
    const excluded = overrideExclusion(actor, author, loaded.policy);
    const directory = excluded
      ? new Map()
      : await resolveDirectory(context.octokit, { owner, repo }, [login.toLowerCase()], lookupsFor([login], allowed), services.caches);
    const match = excluded ? { eligible: false, reason: excluded } : matchSpecs(login, allowed, directory);
    if (!match.eligible) {
      context.log.warn({ login, pr: issue.number }, "override refused");
      await reply({ kind: "override-refused", login, why: match.reason, allowed });
      return;
    }
    // Bound to the head the comment was written on: a late or redelivered webhook must not carry it to a newer push.
    const since = await headChangedAfter(
      context.octokit,
      {
        owner,
        repo,
        headSha: head,
        headRef: pr.data.head.ref,
        fromFork: pr.data.head.repo?.full_name?.toLowerCase() !== `${owner}/${repo}`.toLowerCase(),
      },
      comment.created_at,
    );
    if (since.changedAfter) {
      context.log.warn(
        { login, pr: issue.number, sha: head, commentAt: comment.created_at, headAt: since.at },
        "override refused: the head changed after the comment",
      );
      await reply({
        kind: "override-head-moved",
        login,
        head,
        ...(since.at ? { headAt: { how: since.how, at: since.at } } : {}),
        commentAt: comment.created_at,
      });
      return;
    }
    const override = {
      by: login,
      reason: command.reason.slice(0, 500),
      sha: head,
      at: comment.created_at,
      comment: comment.id,
      pr: issue.number,
    };
    await evaluatePullRequest(context.octokit, context.log, services, ref, { override, headShaHint: head });
    const written = await overrideWritten(context, services, ref, override);
    if (!written.applied) {
      context.log.warn({ login, pr: issue.number, sha: head }, "override not applied: the check written does not carry it");
      await reply({ kind: "override-not-written", login, head });
      return;
    }
    context.log.warn({ login, pr: issue.number, sha: head }, "override applied");
    await reply({ kind: "override-applied", login, head, reason: override.reason, passes: written.passes });
  };
}

/**
 * Whether the check now on the override's head carries this override. Known here when this replica
 * ran the evaluation; otherwise (another replica did, through Redis) our check run is read back.
 */
async function overrideWritten(
  context: Context<"issue_comment.created">,
  services: Services,
  ref: PullRef,
  override: OverrideRecord,
): Promise<{ applied: boolean; passes: boolean }> {
  const known = services.caches.overrides.get(overrideKey(ref, override));
  if (known !== undefined) return known;
  const target = {
    owner: ref.owner,
    repo: ref.repo,
    headSha: override.sha,
    name: services.checkName,
    ...(services.appId ? { appId: services.appId } : {}),
  };
  const check = await readCheckRun(context.octokit, target);
  const applied = sameOverride(overrideFor(readCheckState(check?.view.text), ref.number), override);
  return { applied, passes: check !== undefined && viewPasses(check.view) };
}
