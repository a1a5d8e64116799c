// "/countersign recheck" and "/countersign override <reason>" in PR comments.
import type { Context } from "probot";
import { parseCommand, shownText } from "../core/commands.js";
import { forgetNotesAbsence } from "../github/provenance.js";
import { mayOverride, overrideLookups, type OverrideRefusal } from "../core/override.js";
import { loadPolicy } from "../github/policy-source.js";
import { resolveDirectory } from "../github/directory.js";
import { evaluatePullRequest } from "./evaluate.js";
import { headChangedAfter } from "../github/head-history.js";
import { readCheckRun } from "../github/publish.js";
import { publisherFor, type PublisherServices } from "./publisher-for.js";
import { renderCommandReply, type CommandReply } from "../core/render.js";
import { overrideFor, readCheckRecord } from "../core/check-record.js";
import { sameOverride, type OverrideRecord } from "../core/types.js";
import type { PullRef } from "../github/snapshot.js";
import type { Services } from "./services.js";
import { hasFields, REPOSITORY_FIELDS } from "./payload.js";

/** What the comment handler uses: its own ledger, caches and names, the publisher's needs, and what an evaluation needs. */
type CommentServices = Pick<Services, "merges" | "caches" | "checkName" | "appId"> &
  PublisherServices &
  Parameters<typeof evaluatePullRequest>[2];

export function onComment(services: CommentServices) {
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
    // This event's writes (the reply, the 👀): no guard, so only the reaction may be skipped (dropped when writes queue).
    const publisher = publisherFor(context.octokit, services);
    const reply = async (r: CommandReply) => {
      const key = `reply:${owner}/${repo}#${comment.id}`.toLowerCase();
      if (!(await services.merges.claim(key).catch(() => true))) {
        context.log.info({ pr: issue.number, comment: comment.id }, "this command was answered already; not replying again");
        return;
      }
      try {
        await publisher.comment(ref, renderCommandReply(r));
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
      const ack = await publisher.acknowledge(owner, repo, comment.id);
      if (!ack.sent) context.log.debug({ pr: issue.number, why: ack.why }, "recheck not acknowledged: writes are waiting");
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
    // Core decides whether the override may apply (core/override.ts); this handler reads what it asks for and replies.
    const head = pr.data.head.sha;
    const policy = loaded.ok ? loaded.policy : undefined;
    const actor = { login, ...(comment.user ? { id: comment.user.id, type: comment.user.type } : {}) };
    const author = { login: pr.data.user.login, id: pr.data.user.id };
    const asks = overrideLookups(policy, actor, author);
    const directory = asks
      ? await resolveDirectory(context.octokit, { owner, repo }, asks.logins, asks.lookups, services.caches)
      : new Map();
    const facts = { policy, actor, author, directory };
    let decision = mayOverride(facts);
    if (decision.ok) {
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
      const move = since.at ? { how: since.how, at: since.at } : undefined;
      decision = mayOverride({ ...facts, headMoved: { changedAfter: since.changedAfter, ...(move ? { move } : {}) } });
    }
    if (!decision.ok) {
      refuseOverride(context, decision, { login, head, commentAt: comment.created_at });
      await reply(refusalReply(decision, { login, head, commentAt: comment.created_at }));
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
    // The run that carries the override resolves with what its check says of it (another replica's run: read back).
    const result = await evaluatePullRequest(context.octokit, context.log, services, ref, { override, headShaHint: head });
    const carried = result?.override && sameOverride(result.override.override, override) ? result.override : undefined;
    const written = carried ?? (await overrideWritten(context, services, ref, override));
    if (!written.applied) {
      context.log.warn({ login, pr: issue.number, sha: head }, "override not applied: the check written does not carry it");
      await reply({ kind: "override-not-written", login, head });
      return;
    }
    context.log.warn({ login, pr: issue.number, sha: head }, "override applied");
    await reply({ kind: "override-applied", login, head, reason: override.reason, passes: written.passes });
  };
}

/** The log line for a refused override (the reply says the same to the commenter). */
function refuseOverride(
  context: Context<"issue_comment.created">,
  refusal: OverrideRefusal,
  o: { login: string; head: string; commentAt: string },
): void {
  const pr = context.payload.issue.number;
  if (refusal.reason === "not-allowed") context.log.warn({ login: o.login, pr }, "override refused");
  if (refusal.reason === "stale-head")
    context.log.warn(
      { login: o.login, pr, sha: o.head, commentAt: o.commentAt, headAt: refusal.move?.at },
      "override refused: the head changed after the comment",
    );
}

/** Core's refusal, as the reply that words it (core/render.ts). */
function refusalReply(refusal: OverrideRefusal, o: { login: string; head: string; commentAt: string }): CommandReply {
  switch (refusal.reason) {
    case "invalid-policy":
      return { kind: "override-invalid-policy", login: o.login };
    case "none-allowed":
      return { kind: "override-none-allowed", login: o.login };
    case "not-allowed":
      return { kind: "override-refused", login: o.login, why: refusal.why, allowed: refusal.allowed };
    case "stale-head":
      return {
        kind: "override-head-moved",
        login: o.login,
        head: o.head,
        ...(refusal.move?.at ? { headAt: { how: refusal.move.how, at: refusal.move.at } } : {}),
        commentAt: o.commentAt,
      };
  }
}

/** Whether the check now on the override's head carries this override, read back (another replica ran the evaluation). */
async function overrideWritten(
  context: Context<"issue_comment.created">,
  services: Pick<Services, "checkName" | "appId">,
  ref: PullRef,
  override: OverrideRecord,
): Promise<{ applied: boolean; passes: boolean }> {
  const target = {
    owner: ref.owner,
    repo: ref.repo,
    headSha: override.sha,
    name: services.checkName,
    ...(services.appId ? { appId: services.appId } : {}),
  };
  const check = await readCheckRun(context.octokit, target);
  // The record says it (core/check-record.ts): an unreadable one carries no override and passes nothing.
  const record = readCheckRecord(check?.view.text);
  const applied = sameOverride(overrideFor(record?.overrides ?? [], ref.number), override);
  return { applied, passes: record !== undefined && record.pulls.every((p) => p.gate === "pass") };
}
