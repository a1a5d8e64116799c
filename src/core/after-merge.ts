// After the merge, pure: was the merge a bypass of the gate (from our own check run on the merged
// head, and where that cannot say it, judged afresh from the merged head and the base it merged
// into), does the merged PR revert an earlier one, and what the reverted PR's labels say.
import type { Policy } from "../policy/schema.js";
import { pullRecordIn, type PullRecord } from "./check-record.js";
import { baseInScope, hasLabel, isGated } from "./decide.js";
import { detectAiAssistance } from "./detect.js";
import { assessRisk } from "./risk.js";
import type { PullSnapshot, RiskTier } from "./types.js";

export const BYPASSED_LABEL = "countersign:bypassed";
/** Ends our bypass comment, so a redelivered event that finds it does not comment twice. */
export const BYPASS_COMMENT_MARKER = "<!-- countersign:bypassed -->";

export interface LabelNaming {
  aiAssisted: string;
  riskPrefix: string;
}

/** Our check run on the merged head, as GitHub lists it. */
export interface MergedHeadCheck {
  status: "in_progress" | "completed";
  conclusion?: string | undefined;
  title: string;
  summary: string;
  text?: string | undefined;
}

/** The merged PR: its number and the base branch it merged into. */
export interface MergedInto {
  pr: number;
  /** undefined: not known (the report); the record is then trusted for any base. */
  base?: string | undefined;
}

/**
 * What our check's record says about the merged PR, for the base it merged into; undefined when it
 * says nothing about it (no record, an unreadable or older one, another PR, another base).
 */
export function recordForMerge(check: MergedHeadCheck | undefined, merged: MergedInto): PullRecord | undefined {
  const record = check ? pullRecordIn(check.text, merged.pr) : undefined;
  // Only a pass needs the base: a wait or a failure for any base did not let the merge through.
  return record && (merged.base === undefined || record.gate !== "pass" || record.base === merged.base) ? record : undefined;
}

export type MergeAssessment =
  | { bypassed: false; why: "passed" | "overridden" | "report-mode" | "not-gated" | "no-check" }
  | { bypassed: true; tier: RiskTier | "unknown"; missing: string; checkSaid?: string };

const TIERS: readonly RiskTier[] = ["low", "medium", "high", "critical"];
const has = (labels: string[], name: string) => labels.some((l) => l.toLowerCase() === name.toLowerCase());

/** The AI label and the risk tier a PR carries ("unknown" without a risk label). */
export function labelFacts(labels: string[], names: LabelNaming): { aiAssisted: boolean; tier: RiskTier | "unknown" } {
  const prefix = names.riskPrefix.toLowerCase();
  const tier = labels
    .map((l) => l.toLowerCase())
    .filter((l) => l.startsWith(prefix))
    .map((l) => l.slice(prefix.length) as RiskTier)
    .filter((t) => TIERS.includes(t))
    .sort((a, b) => TIERS.indexOf(b) - TIERS.indexOf(a))[0];
  return { aiAssisted: has(labels, names.aiAssisted), tier: tier ?? "unknown" };
}

function missingFor(record: PullRecord | undefined, tier: RiskTier | "unknown"): string {
  const at = tier === "unknown" ? "" : ` at risk ${tier}`;
  const signed = (r: PullRecord) =>
    r.approvedBy.length > 0 ? `; signed off so far: ${r.approvedBy.map((l) => `@${l}`).join(", ")}` : "; no eligible approval yet";
  switch (record?.outcome) {
    case "waiting":
      return `sign-off: ${record.required ?? "the required approvals"}${at}${signed(record)}`;
    case "changes-requested":
      return `sign-off: an eligible reviewer requested changes and had not approved since (needed: ${record.required ?? "the required approvals"}${at})`;
    case "invalid-policy":
      return "a valid policy: the repository's Countersign policy was invalid, so the gate stayed closed";
    case "error":
      return "an evaluation: Countersign could not evaluate the head, so the gate stayed closed";
    default:
      return "a passing Countersign check";
  }
}

/**
 * "Was gated", judged at merge time from the merged PR (its head, commits, labels) and the base it
 * merged into, under the policy in force (undefined: invalid, so the gate stayed closed). Used when
 * our check cannot say it for that head and base: none ran (the app was down, the merge came first),
 * or it passed only because the PR was not gated when it was written (another base, other evidence).
 */
export interface MergeJudgement {
  gated: boolean;
  /** AI evidence or the AI label at the merge. */
  aiAssisted: boolean;
  mode: "enforce" | "report";
  tier: RiskTier | "unknown";
  /** Why, in words: the AI evidence, the base outside `branches`, the invalid policy. */
  why: string;
}

export function judgeAtMerge(snapshot: PullSnapshot, policy: Policy | undefined): MergeJudgement {
  if (!policy)
    return { gated: true, aiAssisted: false, mode: "enforce", tier: "unknown", why: "the repository's Countersign policy is invalid" };
  const mode = policy.mode;
  if (!baseInScope(snapshot, policy)) {
    return {
      gated: false,
      aiAssisted: false,
      mode,
      tier: "unknown",
      why: `its base \`${snapshot.baseRef}\` is outside the policy's \`branches\``,
    };
  }
  const evidence = detectAiAssistance(snapshot, policy);
  const labelled = policy.labels.enabled && hasLabel(snapshot, policy.labels.ai_assisted);
  const gated = isGated(policy, true, evidence.assisted || labelled);
  const first = evidence.signals[0];
  const why = first
    ? `it is AI-assisted (${first.description}: ${first.evidence})`
    : labelled
      ? `it is labelled \`${policy.labels.ai_assisted}\``
      : policy.gate === "all"
        ? "the policy gates every pull request"
        : "it is not AI-assisted";
  let tier: RiskTier | "unknown" = "unknown";
  try {
    tier = assessRisk(snapshot, policy).tier;
  } catch {
    tier = "unknown";
  }
  return { gated, aiAssisted: evidence.assisted || labelled, mode, tier, why };
}

/**
 * Whether our check on the merged head can say on its own whether the merge bypassed the gate: it
 * cannot when there is none, when it passed because the PR was not gated when it was written (before
 * the AI commit), or when its record is not for this PR on the base it merged into (a sign-off or an
 * override given for `release` says nothing about `main`; an unreadable record says nothing): then
 * the merge is judged afresh (`judgeAtMerge`). A check that held a sign-off, an override, report mode or a block
 * speaks for itself.
 */
export function needsJudgement(check: MergedHeadCheck | undefined, merged: MergedInto): boolean {
  if (!check) return true;
  if (check.status !== "completed" || check.conclusion !== "success") return false;
  // A pass speaks for itself only when its record says it was for this PR on this base and it was gated.
  return recordForMerge(check, merged)?.gated !== true;
}

/**
 * A merge bypassed the gate when our check on the merged head had not passed and held no override.
 * Where that check cannot say it (`needsJudgement`), `judged` decides: gated at merge time and no
 * sign-off is a bypass. Without a judgement (none could be made), the PR counts as gated only when
 * it carries the AI label.
 */
export function assessMerge(
  check: MergedHeadCheck | undefined,
  merged: MergedInto,
  labels: string[],
  names: LabelNaming,
  judged?: MergeJudgement,
): MergeAssessment {
  const fromLabels = labelFacts(labels, names);
  if (judged && needsJudgement(check, merged)) {
    if (judged.mode === "report") return { bypassed: false, why: "report-mode" };
    if (!judged.gated) return { bypassed: false, why: check ? "not-gated" : "no-check" };
    const tier = judged.tier === "unknown" ? fromLabels.tier : judged.tier;
    const what = check
      ? "a Countersign sign-off: the passing check on the merged head was written while the PR was not gated (another base, or before this evidence), or for another base than the one it merged into"
      : "a Countersign check: none ran on the merged head";
    return { bypassed: true, tier, missing: `${what}, and at the merge ${judged.why}`, ...(check ? { checkSaid: check.title } : {}) };
  }
  if (!check) {
    if (!fromLabels.aiAssisted) return { bypassed: false, why: "no-check" };
    return {
      bypassed: true,
      tier: fromLabels.tier,
      missing: "a Countersign check: none ran on the merged head, and the PR is labelled AI-assisted",
    };
  }
  const record = recordForMerge(check, merged);
  if (record?.outcome === "overridden") return { bypassed: false, why: "overridden" };
  if (check.status === "completed" && check.conclusion === "neutral") return { bypassed: false, why: "report-mode" };
  if (check.status === "completed" && check.conclusion === "success")
    return { bypassed: false, why: record?.gated === false ? "not-gated" : "passed" };
  const tier = record?.tier ?? fromLabels.tier;
  return { bypassed: true, tier, missing: missingFor(record, tier), checkSaid: check.title };
}

export function renderBypassComment(o: {
  mergedBy: string;
  headSha: string;
  checkName: string;
  missing: string;
  checkSaid?: string | undefined;
}): string {
  return [
    `### ⚠️ Merged without ${o.checkName} sign-off`,
    "",
    `@${o.mergedBy} merged this pull request while the \`${o.checkName}\` check on its head \`${o.headSha.slice(0, 7)}\` had not passed.`,
    "",
    `**Missing:** ${o.missing}.`,
    ...(o.checkSaid ? ["", `The check said: _${o.checkSaid.replace(/[_*`]/g, "")}_`] : []),
    "",
    `It is labelled \`${BYPASSED_LABEL}\` and counted as a bypass in \`countersign report\`. If this was an emergency, say why in a comment here. ` +
      `To make the gate hold, require the \`${o.checkName}\` check in branch protection or a ruleset and keep bypass rights to the few who need them.`,
    "",
    BYPASS_COMMENT_MARKER,
  ].join("\n");
}

export type RevertTarget = { kind: "pull"; owner: string; repo: string; number: number } | { kind: "commit"; sha: string };

const REVERTS_PULL = /^\s*Reverts\s+(?:([A-Za-z0-9][\w.-]*)\/([\w.-]+))?#(\d+)\b/im;
const REVERTS_COMMIT = /\bThis reverts commit ([0-9a-f]{7,40})\b/i;

/**
 * What a merged PR reverts: GitHub's Revert button writes the title `Revert "…"` and the body
 * `Reverts owner/repo#N`; `git revert` writes `This reverts commit <sha>.` (a PR's merge commit) in
 * the commit message, which a hand-made PR may not repeat in its title or description: pass the PR's
 * commit messages too (`commitMessages`), read when the title and description name nothing.
 */
export function parseRevert(
  title: string,
  body: string | null | undefined,
  owner: string,
  repo: string,
  commitMessages: readonly string[] = [],
): RevertTarget | undefined {
  const text = body ?? "";
  const pull = REVERTS_PULL.exec(text);
  if (pull) return { kind: "pull", owner: pull[1] ?? owner, repo: pull[2] ?? repo, number: Number(pull[3]) };
  const commit = REVERTS_COMMIT.exec(text) ?? (/^Revert\b/i.test(title) ? REVERTS_COMMIT.exec(title) : null);
  if (commit) return { kind: "commit", sha: commit[1]!.toLowerCase() };
  for (const message of commitMessages) {
    const reverts = REVERTS_COMMIT.exec(message);
    if (reverts) return { kind: "commit", sha: reverts[1]!.toLowerCase() };
  }
  return undefined;
}
