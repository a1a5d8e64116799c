// The only writes Countersign makes for a verdict: one check run per head SHA, and labels where they differ.
// Each write says what it is (write-turns.ts), so a check write that closes the gate goes first.
import type { Octokit } from "./octokit.js";
import { httpStatus } from "./octokit.js";
import { sameView, type CheckRunView } from "../core/render.js";
import type { LabelPlan } from "../core/types.js";
import { BYPASSED_LABEL } from "../core/after-merge.js";
import type { LabelRegistry } from "./label-registry.js";
import { DroppedWrite, withWriteIntent } from "./write-turns.js";
import type { BatchableCheckWrite, CheckWriteBody } from "./check-batch.js";

export interface ExistingCheckRun {
  id: number;
  /** Its GraphQL id, so a closing update can ride in a batched request (github/check-batch.ts). */
  nodeId?: string;
  view: CheckRunView;
}

export interface CheckTarget {
  owner: string;
  repo: string;
  headSha: string;
  name: string;
  /** Our own app id: check runs by other apps with the same name are not ours to read or update. */
  appId?: number;
  /** The repository's GraphQL id, so a closing write can ride in a batched request (github/check-batch.ts). */
  repositoryId?: string;
}

/** Our latest check run on this commit, if any. */
export async function readCheckRun(octokit: Octokit, t: CheckTarget): Promise<ExistingCheckRun | undefined> {
  const { data } = await octokit.rest.checks.listForRef({
    owner: t.owner,
    repo: t.repo,
    ref: t.headSha,
    check_name: t.name,
    filter: "latest",
    per_page: 20,
    ...(t.appId !== undefined ? { app_id: t.appId } : {}),
  });
  const ours = data.check_runs
    .filter((run) => run.name === t.name && run.head_sha === t.headSha && (t.appId === undefined || run.app?.id === t.appId))
    .sort((a, b) => b.id - a.id)[0];
  if (!ours) return undefined;
  const status = ours.status === "completed" ? "completed" : "in_progress";
  const conclusion = ours.conclusion;
  return {
    id: ours.id,
    ...(typeof ours.node_id === "string" ? { nodeId: ours.node_id } : {}),
    view: {
      status,
      ...(status === "completed" && (conclusion === "success" || conclusion === "failure" || conclusion === "neutral")
        ? { conclusion }
        : {}),
      title: ours.output.title ?? "",
      summary: ours.output.summary ?? "",
      text: ours.output.text ?? "",
    },
  };
}

export type CheckWrite = "created" | "updated" | "unchanged";

/** A required check passes when it is completed with success or neutral (GitHub lets both through). */
export function passes(view: Pick<CheckRunView, "status" | "conclusion"> | undefined): boolean {
  return view?.status === "completed" && (view.conclusion === "success" || view.conclusion === "neutral");
}

/**
 * Whether writing `view` closes the gate: the check on the commit passes now and will not; or a
 * fail-closed failure, written without reading what is there (`unread`). Such a write goes before
 * every other waiting write of the installation and is never dropped as superseded. A commit with
 * no check yet (a new head) blocks already: its first check, even a failure, is not a closing write.
 */
export function closesGate(view: CheckRunView, existing: ExistingCheckRun | undefined, unread = false): boolean {
  if (passes(view)) return false;
  if (unread) return true;
  return existing !== undefined && passes(existing.view);
}

/**
 * Write the check run only when what it says changes. A completed run cannot go back to
 * in_progress, so that transition creates a new run (the latest run of a name is the one that counts).
 */
export async function writeCheckRun(
  octokit: Octokit,
  t: CheckTarget,
  view: CheckRunView,
  existing: ExistingCheckRun | undefined,
  options: { unread?: boolean } = {},
): Promise<CheckWrite> {
  return (await publishCheckRun(octokit, t, view, existing, options)).write;
}

/** writeCheckRun, also returning the check run as it now stands (for a second write on the same head). */
export async function publishCheckRun(
  octokit: Octokit,
  t: CheckTarget,
  view: CheckRunView,
  existing: ExistingCheckRun | undefined,
  options: { unread?: boolean } = {},
): Promise<{ write: CheckWrite; run: ExistingCheckRun | undefined }> {
  if (existing && sameView(existing.view, view)) return { write: "unchanged", run: existing };
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
  const intent = {
    kind,
    target: `${t.owner}/${t.repo}@${t.headSha}`.toLowerCase(),
    batch: kind === "close" ? batchable(t, update, { name: t.name, head_sha: t.headSha, ...state, output }) : undefined,
  };
  return withWriteIntent(intent, async () => {
    if (update) {
      await octokit.rest.checks.update({ owner: t.owner, repo: t.repo, check_run_id: update.id, ...state, output });
      return { write: "updated" as const, run: { ...update, view } };
    }
    const { data } = await octokit.rest.checks.create({
      owner: t.owner,
      repo: t.repo,
      name: t.name,
      head_sha: t.headSha,
      ...state,
      output,
    });
    const run =
      typeof data?.id === "number"
        ? { id: data.id, ...(typeof data.node_id === "string" ? { nodeId: data.node_id } : {}), view }
        : undefined;
    return { write: "created" as const, run };
  });
}

/** The same write as a GraphQL mutation, when the ids it needs are known (else it goes alone, by REST). */
function batchable(t: CheckTarget, update: ExistingCheckRun | undefined, body: CheckWriteBody): BatchableCheckWrite | undefined {
  if (!t.repositoryId) return undefined;
  if (!update) return { op: "create", repositoryId: t.repositoryId, body };
  return update.nodeId ? { op: "update", repositoryId: t.repositoryId, checkRunId: update.nodeId, body } : undefined;
}

const LABEL_LOOKS: Record<string, { color: string; description: string }> = {
  low: { color: "0e8a16", description: "Countersign: low blast radius" },
  medium: { color: "fbca04", description: "Countersign: medium blast radius" },
  high: { color: "d93f0b", description: "Countersign: high blast radius; senior sign-off scaled up" },
  critical: { color: "b60205", description: "Countersign: critical blast radius; the strictest sign-off applies" },
};

export interface LabelNames {
  aiAssisted: string;
  riskPrefix: string;
}

function looksFor(label: string, names: LabelNames): { color: string; description: string } {
  if (label === BYPASSED_LABEL)
    return { color: "5c0011", description: "Countersign: merged without a passing Countersign check or an override" };
  if (label.toLowerCase() === names.aiAssisted.toLowerCase()) {
    return { color: "8250df", description: "Countersign found AI assistance: a designated senior must sign off" };
  }
  const tier = label.slice(names.riskPrefix.length);
  return LABEL_LOOKS[tier] ?? { color: "ededed", description: "Countersign" };
}

/** Make sure the repository has the label, with a colour and a description that say what it means. */
export async function ensureLabel(
  octokit: Octokit,
  owner: string,
  repo: string,
  label: string,
  names: LabelNames,
  registry?: LabelRegistry,
) {
  const create = async () => {
    try {
      await octokit.rest.issues.getLabel({ owner, repo, name: label });
      return;
    } catch (err) {
      if (httpStatus(err) !== 404) throw err;
    }
    try {
      await octokit.rest.issues.createLabel({ owner, repo, name: label, ...looksFor(label, names) });
    } catch (createErr) {
      // 422: someone created it meanwhile; that is what we wanted (and it is remembered: never asked again).
      if (httpStatus(createErr) !== 422) throw createErr;
    }
  };
  if (registry) await registry.ensure(owner, repo, label, create);
  else await create();
}

/**
 * Apply a label plan. Failures are returned as sentences for the summary and never change the verdict.
 */
export async function applyLabels(
  octokit: Octokit,
  ref: { owner: string; repo: string; number: number },
  plan: LabelPlan,
  names: LabelNames,
  registry?: LabelRegistry,
): Promise<{ errors: string[]; writes: number }> {
  const errors: string[] = [];
  let writes = 0;
  const describe = (what: string, err: unknown) =>
    `Could not ${what} (GitHub answered ${httpStatus(err) ?? "with an error"}: ${(err as Error).message}). The verdict does not depend on labels.`;
  if (plan.add.length > 0) {
    try {
      for (const label of plan.add) await ensureLabel(octokit, ref.owner, ref.repo, label, names, registry);
      await octokit.rest.issues.addLabels({ owner: ref.owner, repo: ref.repo, issue_number: ref.number, labels: plan.add });
      writes++;
    } catch (err) {
      errors.push(describe(`add the label(s) ${plan.add.map((l) => `\`${l}\``).join(", ")}`, err));
    }
  }
  for (const label of plan.remove) {
    try {
      await octokit.rest.issues.removeLabel({ owner: ref.owner, repo: ref.repo, issue_number: ref.number, name: label });
      writes++;
    } catch (err) {
      if (httpStatus(err) !== 404) errors.push(describe(`remove the label \`${label}\``, err));
    }
  }
  return { errors, writes };
}

/** Ask for review; a failure (e.g. a team without access to the repository) becomes a sentence for the summary. */
export async function requestReviews(
  octokit: Octokit,
  ref: { owner: string; repo: string; number: number },
  who: { users: string[]; teams: string[] },
): Promise<{ errors: string[]; writes: number }> {
  if (who.users.length === 0 && who.teams.length === 0) return { errors: [], writes: 0 };
  const names = [...who.teams.map((t) => `@${ref.owner}/${t}`), ...who.users.map((u) => `@${u}`)].join(", ");
  try {
    await octokit.rest.pulls.requestReviewers({
      owner: ref.owner,
      repo: ref.repo,
      pull_number: ref.number,
      reviewers: who.users,
      team_reviewers: who.teams,
    });
    return { errors: [], writes: 1 };
  } catch (err) {
    const status = httpStatus(err);
    const hint = status === 422 ? " A team needs access to the repository, and a person must be a collaborator." : "";
    return { errors: [`Could not request review from ${names} (GitHub answered ${status ?? (err as Error).message}).${hint}`], writes: 0 };
  }
}

/** Skip a command's acknowledgement (👀) when at least this many writes wait: it would only delay them. */
export const ACKNOWLEDGE_MAX_QUEUED = 3;

/**
 * React 👀 to a command comment, last in the queue; skipped (false) when the installation's write
 * queue is long. Called after the command's evaluation, so it never delays the check.
 */
export async function acknowledgeCommand(octokit: Octokit, owner: string, repo: string, commentId: number): Promise<boolean> {
  try {
    await withWriteIntent({ kind: "reaction", dropWhenQueued: ACKNOWLEDGE_MAX_QUEUED }, () =>
      octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: commentId, content: "eyes" }),
    );
    return true;
  } catch (err) {
    if (err instanceof DroppedWrite) return false;
    throw err;
  }
}
