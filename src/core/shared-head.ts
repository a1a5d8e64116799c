// One check run, several pull requests: a check run belongs to a commit, so when open PRs share a
// head SHA (one branch proposed to `main` and to `release/*`), the check on it passes only if each of
// them passes on its own, and its summary covers each one, saying which still waits.
// Pass, wait or fail comes from each PR's record (its verdict's gate), never from a view's words.
import type { CheckRunView } from "./render.js";
import { renderCheckRecord, type Gate, type PullRecord } from "./check-record.js";
import type { OverrideRecord } from "./types.js";

export interface HeadPart {
  /** What the check would say for this PR alone. */
  view: CheckRunView;
  /** Its verdict, for its base: the gate decides. */
  record: PullRecord;
}

/** The check on the head, and whether it passes, waits or fails (the worst of its PRs). */
export interface HeadView {
  view: CheckRunView;
  gate: Gate;
}

/** Worse first: a failure blocks, a wait blocks until it is answered, a pass passes (report mode last). */
function severity(p: HeadPart): number {
  if (p.record.gate === "fail") return 3;
  if (p.record.gate === "wait") return 2;
  return p.record.mode === "report" ? 1 : 0;
}

const GITHUB_SUMMARY_LIMIT = 65_535;

function icon(p: HeadPart): string {
  if (p.record.gate === "fail") return "❌";
  if (p.record.gate === "wait") return "⏳";
  return p.record.mode === "report" ? "ℹ️" : "✅";
}

/**
 * The check for a commit that is the head of several open PRs: the worst of their views decides the
 * status and conclusion (so it passes only if every one passes), the title names the PR that decides
 * it, and the summary lists each PR, then each PR's own summary. With one part, that part's view.
 */
export function combineHeadViews(parts: HeadPart[], overrides: OverrideRecord[] = []): HeadView {
  if (parts.length === 0) throw new Error("combineHeadViews needs at least one pull request");
  // The record: the PR evaluated first, then the others; with the overrides kept on the commit.
  const text = renderCheckRecord({ pulls: parts.map((p) => p.record), overrides });
  const ordered = [...parts].sort((a, b) => a.record.pr - b.record.pr);
  if (ordered.length === 1) return { view: { ...ordered[0]!.view, text }, gate: ordered[0]!.record.gate };
  const worst = ordered.reduce((w, p) => (severity(p) > severity(w) ? p : w));
  const waiting = ordered.filter((p) => p.record.gate !== "pass");
  const label = (p: HeadPart) => `#${p.record.pr} → ${p.record.base}`;
  const verdict =
    waiting.length === 0
      ? `Each of the ${ordered.length} pull requests with this head passes`
      : `${waiting.map(label).join(", ")} ${waiting.length === 1 ? "still waits" : "still wait"}: ${worst.view.title}`;
  const lines = [
    `### ${icon(worst)} ${verdict}`,
    "",
    `This commit is the head of ${ordered.length} open pull requests. A check run belongs to the commit, so it passes only when every one of them passes on its own:`,
    "",
    ...ordered.map((p) => `- ${icon(p)} **${label(p)}**: ${p.view.title}${p.record.gate === "pass" ? "" : " — **still waits**"}`),
    "",
    ...ordered.flatMap((p) => [
      `<details${p === worst ? " open" : ""}><summary>${label(p)}</summary>`,
      "",
      p.view.summary,
      "",
      "</details>",
      "",
    ]),
  ];
  let summary = lines.join("\n");
  if (summary.length > GITHUB_SUMMARY_LIMIT) summary = `${summary.slice(0, GITHUB_SUMMARY_LIMIT - 80)}\n\n… (cut to fit GitHub's limit)`;
  const view: CheckRunView = {
    status: worst.view.status,
    ...(worst.view.conclusion ? { conclusion: worst.view.conclusion } : {}),
    title: (waiting.length === 0
      ? `All ${ordered.length} PRs on this commit pass`
      : `${label(worst)} still waits: ${worst.view.title}`
    ).slice(0, 250),
    summary,
    text,
    ...(worst.view.annotations ? { annotations: worst.view.annotations } : {}),
  };
  return { view, gate: worst.record.gate };
}
