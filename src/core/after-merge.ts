// After the merge, pure: was the merge a bypass of the gate (from our own check run on the merged
// head), does the merged PR revert an earlier one, and what the reverted PR's labels say.
import { readCheckRecord, type CheckRecord } from "./check-record.js";
import type { RiskTier } from "./types.js";

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

function missingFor(record: CheckRecord | undefined, tier: RiskTier | "unknown"): string {
  const at = tier === "unknown" ? "" : ` at risk ${tier}`;
  const signed = (r: CheckRecord) =>
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
 * A merge bypassed the gate when our check on the merged head had not passed and held no override.
 * Without any check of ours, the PR counts as gated only when it carries the AI label (fail closed
 * on what is known, without re-evaluating a merged PR).
 */
export function assessMerge(check: MergedHeadCheck | undefined, labels: string[], names: LabelNaming): MergeAssessment {
  const fromLabels = labelFacts(labels, names);
  if (!check) {
    if (!fromLabels.aiAssisted) return { bypassed: false, why: "no-check" };
    return {
      bypassed: true,
      tier: fromLabels.tier,
      missing: "a Countersign check: none ran on the merged head, and the PR is labelled AI-assisted",
    };
  }
  const record = readCheckRecord(check);
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
 * `Reverts owner/repo#N`; `git revert` writes `This reverts commit <sha>.` (a PR's merge commit).
 */
export function parseRevert(title: string, body: string | null | undefined, owner: string, repo: string): RevertTarget | undefined {
  const text = body ?? "";
  const pull = REVERTS_PULL.exec(text);
  if (pull) return { kind: "pull", owner: pull[1] ?? owner, repo: pull[2] ?? repo, number: Number(pull[3]) };
  const commit = REVERTS_COMMIT.exec(text) ?? (/^Revert\b/i.test(title) ? REVERTS_COMMIT.exec(title) : null);
  if (commit) return { kind: "commit", sha: commit[1]!.toLowerCase() };
  return undefined;
}
