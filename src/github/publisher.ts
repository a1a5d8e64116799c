// The only place Countersign writes to GitHub. One Publisher per evaluation or event, made with what
// its writes need: the installation's client and id, the installation's write queue (write-turns.ts),
// and for an evaluation its guard and PR key. Every write here:
//   1. queues: takes the installation's turn by priority (a closing check write first, reactions last);
//   2. is superseded or not: right before sending, asks the evaluation's guard whether a newer event for
//      the PR took over (a closing write is never dropped); once superseded, the rest of the
//      evaluation's writes are skipped too;
//   3. batches: a closing check write takes the other closing writes waiting on this replica along in one
//      GraphQL request (check-batch.ts); a write carried that way gets its own result.
// What the queue decides is a value ({ sent: false, why }), never an exception: an HTTP error is an
// error, a skipped write is not. Label writes are noted in `echoes` before they are sent, so their
// webhooks are not evaluated again (handlers/durability.ts).
import type { Octokit } from "./octokit.js";
import { httpStatus } from "./octokit.js";
import { sameView, type CheckRunView } from "../core/render.js";
import {
  checkBatchRequest,
  checkBatchResults,
  MAX_BATCH,
  type BatchableCheckWrite,
  type CheckBatchResult,
  type CheckWriteBody,
} from "./check-batch.js";
import {
  DroppedWrite,
  SupersededWrite,
  type Turn,
  type WriteGuard,
  type WriteIntent,
  type WriteKind,
  type WriteTurns,
} from "./write-turns.js";
import { closesGate, looksFor, type CheckTarget, type CheckWrite, type ExistingCheckRun, type LabelNames } from "./publish.js";
import type { LabelRegistry } from "./label-registry.js";

/** A write the queue did not send: its evaluation was superseded, or it was optional and the queue was long. */
export interface Skipped {
  sent: false;
  why: "superseded" | "dropped";
}

export type WriteOutcome<T> = { sent: true; value: T } | Skipped;

const SUPERSEDED: Skipped = { sent: false, why: "superseded" };
const DROPPED: Skipped = { sent: false, why: "dropped" };
const sent = <T>(value: T): WriteOutcome<T> => ({ sent: true, value });

/** One label change the app makes on a PR, whose webhook (its echo) is the app's own. */
export interface LabelChange {
  owner: string;
  repo: string;
  number: number;
  action: "labeled" | "unlabeled";
  label: string;
}

/** Where the app notes its own label changes before sending them, and forgets those that were not made. */
export interface LabelEchoes {
  expect(change: LabelChange): Promise<void>;
  forget(change: LabelChange): Promise<void>;
}

export interface IssueRef {
  owner: string;
  repo: string;
  number: number;
}

export interface PublisherOptions {
  octokit: Octokit;
  /** The installation whose write queue the writes take turns in. */
  installation: string;
  /** The installation write queues; absent: every write is sent at once (a composition without write turns). */
  turns?: WriteTurns | undefined;
  /** The evaluation's last word, asked right before each write is sent: true skips it and every later one. */
  guard?: WriteGuard | undefined;
  /** The PR whose evaluation writes (`owner/repo#n`): a superseded check write's place goes to its follow-up. */
  pr?: string | undefined;
  echoes?: LabelEchoes | undefined;
}

/** Skip a command's acknowledgement (👀) when at least this many writes wait: it would only delay them. */
export const ACKNOWLEDGE_MAX_QUEUED = 3;

/** The ids a check write answers with (REST, or the GraphQL batch's share). */
interface CheckRunIds {
  id: number;
  node_id?: string | undefined;
}

export class Publisher {
  private skipRest = false;

  constructor(private readonly o: PublisherOptions) {}

  /** Whether the evaluation was superseded: its remaining writes are skipped, a newer event's follow-up writes. */
  get superseded(): boolean {
    return this.skipRest;
  }

  /**
   * Write the check run only when what it says changes. A completed run cannot go back to
   * in_progress, so that transition creates a new run (the latest run of a name is the one that
   * counts). A closing write (closesGate; `unread`: a fail-closed failure) goes first and is never dropped.
   */
  async writeCheck(
    t: CheckTarget,
    view: CheckRunView,
    existing: ExistingCheckRun | undefined,
    options: { unread?: boolean } = {},
  ): Promise<WriteOutcome<{ write: CheckWrite; run: ExistingCheckRun | undefined }>> {
    if (existing && sameView(existing.view, view)) return sent({ write: "unchanged", run: existing });
    const output = {
      title: view.title,
      summary: view.summary,
      ...(view.text ? { text: view.text } : {}),
      ...(view.annotations && view.annotations.length > 0 ? { annotations: view.annotations.slice(0, 50) } : {}),
    };
    const state =
      view.status === "completed"
        ? { status: "completed" as const, conclusion: view.conclusion ?? "failure" }
        : { status: "in_progress" as const };
    const kind = closesGate(view, existing, options.unread) ? ("close" as const) : ("check" as const);
    const update = existing && !(existing.view.status === "completed" && view.status !== "completed") ? existing : undefined;
    const { octokit } = this.o;
    const intent: WriteIntent = {
      kind,
      target: `${t.owner}/${t.repo}@${t.headSha}`.toLowerCase(),
      batch: kind === "close" ? batchable(t, update, { name: t.name, head_sha: t.headSha, ...state, output }) : undefined,
    };
    const outcome = await this.sendCheck(intent, async (): Promise<CheckRunIds> => {
      if (update) {
        await octokit.rest.checks.update({ owner: t.owner, repo: t.repo, check_run_id: update.id, ...state, output });
        return { id: update.id, node_id: update.nodeId };
      }
      const { data } = await octokit.rest.checks.create({
        owner: t.owner,
        repo: t.repo,
        name: t.name,
        head_sha: t.headSha,
        ...state,
        output,
      });
      return data;
    });
    if (!outcome.sent) return outcome;
    if (update) return sent({ write: "updated", run: { ...update, view } });
    const data = outcome.value;
    const run =
      typeof data?.id === "number"
        ? { id: data.id, ...(typeof data.node_id === "string" ? { nodeId: data.node_id } : {}), view }
        : undefined;
    return sent({ write: "created", run });
  }

  /**
   * Make sure the repository has the label, with a colour and a description that say what it means:
   * read it, and create it when it is missing (a write like any other; skipped, it is not remembered).
   */
  async ensureLabel(owner: string, repo: string, label: string, names: LabelNames, registry?: LabelRegistry): Promise<WriteOutcome<void>> {
    let outcome: WriteOutcome<void> | undefined;
    const create = async () => {
      outcome = await this.createLabelIfMissing(owner, repo, label, names);
      // Skipped: LabelRegistry.ensure must not remember the label as there.
      if (!outcome.sent) throw new LabelNotCreated();
    };
    try {
      if (registry) await registry.ensure(owner, repo, label, create);
      else await create();
    } catch (err) {
      if (!(err instanceof LabelNotCreated)) throw err;
      // Another evaluation's creation of this label (shared while in flight) was skipped: this one tries itself.
      if (!outcome) outcome = await this.createLabelIfMissing(owner, repo, label, names);
    }
    return outcome ?? sent(undefined);
  }

  private async createLabelIfMissing(owner: string, repo: string, label: string, names: LabelNames): Promise<WriteOutcome<void>> {
    try {
      await this.o.octokit.rest.issues.getLabel({ owner, repo, name: label });
      return sent(undefined);
    } catch (err) {
      if (httpStatus(err) !== 404) throw err;
    }
    return this.send({ kind: "label" }, async () => {
      try {
        await this.o.octokit.rest.issues.createLabel({ owner, repo, name: label, ...looksFor(label, names) });
      } catch (createErr) {
        // 422: someone created it meanwhile; that is what we wanted (and it is remembered: never asked again).
        if (httpStatus(createErr) !== 422) throw createErr;
      }
    });
  }

  async addLabels(ref: IssueRef, labels: string[]): Promise<WriteOutcome<void>> {
    const changes = labels.map((label): LabelChange => ({ ...ref, action: "labeled", label }));
    return this.send({ kind: "label" }, () =>
      this.withEchoes(changes, async () => {
        await this.o.octokit.rest.issues.addLabels({ owner: ref.owner, repo: ref.repo, issue_number: ref.number, labels });
      }),
    );
  }

  async removeLabel(ref: IssueRef, label: string): Promise<WriteOutcome<void>> {
    return this.send({ kind: "label" }, () =>
      this.withEchoes([{ ...ref, action: "unlabeled", label }], async () => {
        await this.o.octokit.rest.issues.removeLabel({ owner: ref.owner, repo: ref.repo, issue_number: ref.number, name: label });
      }),
    );
  }

  async requestReviewers(ref: IssueRef, who: { users: string[]; teams: string[] }): Promise<WriteOutcome<void>> {
    return this.send({ kind: "review" }, async () => {
      await this.o.octokit.rest.pulls.requestReviewers({
        owner: ref.owner,
        repo: ref.repo,
        pull_number: ref.number,
        reviewers: who.users,
        team_reviewers: who.teams,
      });
    });
  }

  async comment(ref: IssueRef, body: string): Promise<WriteOutcome<void>> {
    return this.send({ kind: "other" }, async () => {
      await this.o.octokit.rest.issues.createComment({ owner: ref.owner, repo: ref.repo, issue_number: ref.number, body });
    });
  }

  /** React 👀 to a command comment, last in the queue; dropped when ACKNOWLEDGE_MAX_QUEUED writes already wait. */
  async acknowledge(owner: string, repo: string, commentId: number): Promise<WriteOutcome<void>> {
    return this.send({ kind: "reaction", dropWhenQueued: ACKNOWLEDGE_MAX_QUEUED }, async () => {
      await this.o.octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: commentId, content: "eyes" });
    });
  }

  /** Wait for the installation's turn; the queue's refusals become values. A closing write is never skipped. */
  private async turn(intent: WriteIntent, turns: WriteTurns): Promise<Turn | Skipped> {
    if (this.skipRest && intent.kind !== "close") return SUPERSEDED;
    try {
      return await turns.acquire(this.o.installation, { ...intent, ...(this.o.pr ? { pr: this.o.pr } : {}) }, this.o.guard);
    } catch (err) {
      if (err instanceof SupersededWrite) {
        this.skipRest = true;
        return SUPERSEDED;
      }
      if (err instanceof DroppedWrite) return DROPPED;
      throw err;
    }
  }

  /** In our turn, right before sending: the evaluation's last word. A closing write is never dropped. */
  private async stillWanted(turn: Turn, kind: WriteKind): Promise<boolean> {
    if (this.o.guard && kind !== "close" && (await this.o.guard())) {
      this.skipRest = true;
      turn.superseded();
      return false;
    }
    turn.sent();
    return true;
  }

  /** One write in its turn (no turns: at once). */
  private async send<T>(intent: WriteIntent, write: () => Promise<T>): Promise<WriteOutcome<T>> {
    const { turns } = this.o;
    if (!turns) return sent(await write());
    const turn = await this.turn(intent, turns);
    if (!isTurn(turn)) return turn;
    try {
      if (!(await this.stillWanted(turn, intent.kind))) return SUPERSEDED;
      return sent(await write());
    } finally {
      turn.end();
    }
  }

  /** A check write in its turn: a closing one may be carried by another's batch, or carry the others waiting. */
  private async sendCheck(intent: WriteIntent, write: () => Promise<CheckRunIds>): Promise<WriteOutcome<CheckRunIds>> {
    const { turns, installation } = this.o;
    if (!turns) return sent(await write());
    let turn = await this.turn(intent, turns);
    if (!isTurn(turn)) return turn;
    if (turn.carried) {
      // Another closing write took this one along in its GraphQL request.
      const result = await turn.carried;
      if (result.ok) return sent(result.data);
      // It was not written: it goes alone, first in line (it is still a closing write).
      turn = await this.turn({ ...intent, batch: undefined }, turns);
      if (!isTurn(turn)) return turn;
    }
    try {
      if (!(await this.stillWanted(turn, intent.kind))) return SUPERSEDED;
      const riders = intent.batch ? turns.takeRiders(installation, MAX_BATCH - 1) : [];
      if (intent.batch && riders.length > 0) {
        const results = await this.sendCheckBatch([intent.batch, ...riders.map((r) => r.write)]);
        riders.forEach((rider, i) => rider.settle(results[i + 1]!));
        if (results.some((r) => !r.ok)) turns.batchFailed(installation);
        const own = results[0]!;
        if (own.ok) return sent(own.data);
        // Not written by the batch: this write goes alone now (Probot's throttle spaces it after the batch).
      }
      return sent(await write());
    } finally {
      turn.end();
    }
  }

  /**
   * Closing check writes as one GraphQL request (its own request through the hooks: counted as graphql,
   * one write slot in Probot's throttle); the turn it uses is the caller's. One result per write.
   */
  private async sendCheckBatch(writes: BatchableCheckWrite[]): Promise<CheckBatchResult[]> {
    const { octokit } = this.o;
    // GitHub Enterprise Server answers GraphQL at /api/graphql, beside /api/v3.
    const baseUrl = octokit.request.endpoint.DEFAULTS.baseUrl.replace(/\/api\/v3\/?$/, "/api");
    try {
      // Inside the try: whatever goes wrong, every write gets a result (a rider waits for its own).
      const { query, variables } = checkBatchRequest(writes);
      const response = await octokit.request("POST /graphql", { baseUrl, query, variables });
      return checkBatchResults(response.data, writes.length);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      return writes.map(() => ({ ok: false as const, error }));
    }
  }

  /** Note the label changes before they are sent (their echoes may arrive before the answer); forget them when not made. */
  private async withEchoes(changes: LabelChange[], write: () => Promise<void>): Promise<void> {
    const { echoes } = this.o;
    if (!echoes) return write();
    await Promise.all(changes.map((c) => echoes.expect(c).catch(() => undefined)));
    try {
      await write();
    } catch (err) {
      await Promise.all(changes.map((c) => echoes.forget(c).catch(() => undefined)));
      throw err;
    }
  }
}

/** A label skipped by the queue: LabelRegistry.ensure must not remember it as created. */
class LabelNotCreated extends Error {}

function isTurn(t: Turn | Skipped): t is Turn {
  return typeof t.sent === "function";
}

/** The same write as a GraphQL mutation, when the ids it needs are known (else it goes alone, by REST). */
function batchable(t: CheckTarget, update: ExistingCheckRun | undefined, body: CheckWriteBody): BatchableCheckWrite | undefined {
  if (!t.repositoryId) return undefined;
  if (!update) return { op: "create", repositoryId: t.repositoryId, body };
  return update.nodeId ? { op: "update", repositoryId: t.repositoryId, checkRunId: update.nodeId, body } : undefined;
}
