// What Countersign writes for a verdict, and reads back: our check run on a head SHA (read here; written
// by github/publisher.ts), whether a write closes the gate, and the label plan and review request turned
// into the publisher's writes, with any HTTP failure as a sentence for the summary.
import type { Octokit } from "./octokit.js";
import { httpStatus } from "./octokit.js";
import type { CheckRunView } from "../core/render.js";
import type { LabelPlan } from "../core/types.js";
import { BYPASSED_LABEL } from "../core/after-merge.js";
import type { LabelRegistry } from "./label-registry.js";
import type { Publisher } from "./publisher.js";

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

/** The colour and description a label of ours is created with. */
export function looksFor(label: string, names: LabelNames): { color: string; description: string } {
  if (label === BYPASSED_LABEL)
    return { color: "5c0011", description: "Countersign: merged without a passing Countersign check or an override" };
  if (label.toLowerCase() === names.aiAssisted.toLowerCase()) {
    return { color: "8250df", description: "Countersign found AI assistance: a designated senior must sign off" };
  }
  const tier = label.slice(names.riskPrefix.length);
  return LABEL_LOOKS[tier] ?? { color: "ededed", description: "Countersign" };
}

/**
 * Apply a label plan. HTTP failures are returned as sentences for the summary and never change the
 * verdict; a write the queue skipped (the evaluation was superseded) is neither a write nor a failure.
 */
export async function applyLabels(
  publisher: Publisher,
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
      let created = true;
      for (const label of plan.add) {
        if (!created) break;
        created = (await publisher.ensureLabel(ref.owner, ref.repo, label, names, registry)).sent;
      }
      if (created && (await publisher.addLabels(ref, plan.add)).sent) writes++;
    } catch (err) {
      errors.push(describe(`add the label(s) ${plan.add.map((l) => `\`${l}\``).join(", ")}`, err));
    }
  }
  for (const label of plan.remove) {
    try {
      if ((await publisher.removeLabel(ref, label)).sent) writes++;
    } catch (err) {
      if (httpStatus(err) !== 404) errors.push(describe(`remove the label \`${label}\``, err));
    }
  }
  return { errors, writes };
}

/**
 * Ask for review; an HTTP failure (e.g. a team without access to the repository) becomes a sentence
 * for the summary; a request the queue skipped is neither.
 */
export async function requestReviews(
  publisher: Publisher,
  ref: { owner: string; repo: string; number: number },
  who: { users: string[]; teams: string[] },
): Promise<{ errors: string[]; writes: number }> {
  if (who.users.length === 0 && who.teams.length === 0) return { errors: [], writes: 0 };
  const names = [...who.teams.map((t) => `@${ref.owner}/${t}`), ...who.users.map((u) => `@${u}`)].join(", ");
  try {
    return { errors: [], writes: (await publisher.requestReviewers(ref, who)).sent ? 1 : 0 };
  } catch (err) {
    const status = httpStatus(err);
    const hint = status === 422 ? " A team needs access to the repository, and a person must be a collaborator." : "";
    return { errors: [`Could not request review from ${names} (GitHub answered ${status ?? (err as Error).message}).${hint}`], writes: 0 };
  }
}
