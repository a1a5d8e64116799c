// What the command-line tool prints: compiler-style policy problems, and the check's report for people or as JSON.
import { formatProblem, type PolicyProblem } from "../policy/problems.js";
import type { Detection, Requirement, RiskAssessment } from "../core/types.js";
import { describeShare } from "../core/provenance.js";

/** Where a command reads and writes; main.ts passes the process's, nothing else touches them. */
export interface Io {
  cwd: string;
  out: (text: string) => void;
  err: (text: string) => void;
  /** The whole of standard input, for `validate -` (absent: there is none to read). */
  readStdin?: () => Promise<string>;
}

/** A problem the user can fix (a bad flag, a missing file, a bad ref): printed without a stack, exit 2. */
export class CliError extends Error {
  override name = "CliError";
}

export const EXIT_OK = 0;
export const EXIT_INVALID_POLICY = 1;
export const EXIT_ERROR = 2;

export const plural = (n: number, word: string, words = `${word}s`) => `${n} ${n === 1 ? word : words}`;
export const shortSha = (sha: string) => sha.slice(0, 7);

/** "file:line: key message", like a compiler; without a line, "file: key message" (policy/problems.ts). */
export function problemLine(file: string, problem: PolicyProblem): string {
  return formatProblem(problem, file);
}

import { describeRequirement } from "../core/render.js";

/** Where the policy came from. */
export type PolicyOrigin =
  | { source: "repo"; path: string; ref: string }
  | { source: "file"; path: string }
  | { source: "defaults"; ref: string };

export function describePolicyOrigin(origin: PolicyOrigin): string {
  switch (origin.source) {
    case "repo":
      return `${origin.path} at ${origin.ref}`;
    case "file":
      return `${origin.path} (--policy)`;
    case "defaults":
      return `built-in defaults (no .github/countersign.yml at ${origin.ref})`;
  }
}

/** `--approved REF`: whether an approval given there would still count at the head, and why. */
export interface ApprovalCheck {
  ref: string;
  sha: string;
  counts: boolean;
  reason: string;
}

/** Everything `countersign check` found, before it is printed. */
export interface CheckReport {
  range: {
    base: string;
    head: string;
    baseSha: string;
    headSha: string;
    /** The head's branch name; "" when head is not a branch. */
    headBranch: string;
    commits: number;
    files: number;
    additions: number;
    deletions: number;
  };
  policy: PolicyOrigin;
  mode: "enforce" | "report";
  gate: "ai-assisted" | "all";
  gated: boolean;
  detection: Detection;
  risk: RiskAssessment;
  requirement: Requirement;
  /** Set when the base branch is outside the policy's `branches`. */
  outOfScope?: { baseRef: string; branches: string[] };
  approvals?: ApprovalCheck[];
  /** What the local check could not see or did differently from the app. */
  notes: string[];
}

function signOffSummary(report: CheckReport): string {
  if (report.outOfScope) return `not required (the base branch ${report.outOfScope.baseRef} is outside branches)`;
  if (!report.gated) return "not required (not AI-assisted; gate: ai-assisted)";
  const needed = describeRequirement(report.requirement);
  return report.mode === "report" ? `${needed} (mode: report, so it never blocks)` : needed;
}

/** The verdict at a glance: "AI-assisted: yes (3 signals) · risk: high · sign-off: 2 approvals from @acme/sre". */
export function verdictLine(report: CheckReport): string {
  const { detection, risk } = report;
  const ai = detection.assisted ? `yes (${plural(detection.signals.length, "signal")})` : "no";
  return `AI-assisted: ${ai} · risk: ${risk.tier} · sign-off: ${signOffSummary(report)}`;
}

/** The report for a person at a terminal: the verdict first, then the evidence. */
export function renderCheckReport(report: CheckReport): string {
  const { range, detection, risk, requirement } = report;
  const head = range.headBranch || range.head;
  const lines = [
    `countersign check: ${range.base}...${head} · ${plural(range.commits, "commit")} · ${plural(range.files, "file")} (+${range.additions} -${range.deletions})`,
    `policy: ${describePolicyOrigin(report.policy)}`,
    "",
    verdictLine(report),
  ];

  if (detection.signals.length > 0) {
    lines.push("", "AI signals");
    const width = Math.max(...detection.signals.map((s) => s.id.length));
    for (const signal of detection.signals) {
      lines.push(`  ${signal.id.padEnd(width)}  ${signal.description}`);
      lines.push(`  ${" ".repeat(width)}    ${signal.evidence}${signal.commit ? `  (${shortSha(signal.commit)})` : ""}`);
    }
  }

  if (detection.provenance) {
    const share = describeShare(detection.provenance);
    if (share) lines.push("", `Provenance: ${share}`);
    for (const problem of detection.provenance.problems) lines.push(`  ! ${problem}`);
  }

  lines.push("", `Risk: ${risk.tier}`);
  if (risk.reasons.length === 0) lines.push(`  no rule matched; ${risk.tier} is the default tier (risk.default)`);
  const width = Math.max(0, ...risk.reasons.map((r) => r.tier.length));
  for (const reason of risk.reasons) {
    lines.push(`  ${reason.tier.padEnd(width)}  ${reason.rule}`);
    const more = reason.matchCount > reason.matches.length ? [`and ${reason.matchCount - reason.matches.length} more`] : [];
    for (const match of [...reason.matches, ...more]) lines.push(`  ${" ".repeat(width)}    ${match}`);
  }

  lines.push("", `Sign-off at ${requirement.tier}: ${describeRequirement(requirement)}`, `  from ${requirement.source}`);
  for (const group of requirement.groups ?? []) {
    lines.push(`  ${group.applies ? "applies " : "skipped "}  ${group.source}: ${describeRequirement(group)}; ${group.why}`);
  }
  for (const approval of report.approvals ?? []) {
    lines.push(
      `  an approval on ${approval.ref} (${shortSha(approval.sha)}) ${approval.counts ? "would count" : "would not count"}: ${approval.reason}`,
    );
  }
  if (report.outOfScope) {
    lines.push(
      `  not required here: the base branch ${report.outOfScope.baseRef} is not one of branches (${report.outOfScope.branches.join(", ")})`,
    );
  } else if (!report.gated) lines.push("  not required here: the change is not AI-assisted and the policy gates only AI-assisted changes");
  else if (report.mode === "report") lines.push("  mode: report — Countersign would say this is required, but never blocks");

  const notes = [...risk.notes, ...report.notes];
  if (notes.length > 0) {
    lines.push("", "Notes");
    for (const note of notes) lines.push(`  - ${note}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The report as one JSON object, for scripts and CI. */
export function checkReportJson(report: CheckReport): string {
  const { detection, risk, requirement } = report;
  return `${JSON.stringify(
    {
      aiAssisted: detection.assisted,
      gated: report.gated,
      mode: report.mode,
      signals: detection.signals,
      ...(detection.provenance ? { provenance: detection.provenance } : {}),
      risk: { tier: risk.tier, reasons: risk.reasons, notes: risk.notes },
      requirement: {
        tier: requirement.tier,
        reviewers: requirement.reviewers,
        approvals: requirement.approvals,
        source: requirement.source,
        ...(requirement.groups ? { groups: requirement.groups } : {}),
      },
      ...(report.outOfScope ? { outOfScope: report.outOfScope } : {}),
      ...(report.approvals ? { approvals: report.approvals } : {}),
      policy: report.policy,
      range: report.range,
      notes: report.notes,
    },
    null,
    2,
  )}\n`;
}
