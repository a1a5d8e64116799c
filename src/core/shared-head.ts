// One check run, several pull requests: a check run belongs to a commit, so when open PRs share a
// head SHA (one branch proposed to `main` and to `release/*`), the check on it passes only if each of
// them passes on its own, and its summary covers each one, saying which still waits.
import type { CheckRunView } from "./render.js";

export interface HeadPart {
  number: number;
  baseRef: string;
  /** What the check would say for this PR alone. */
  view: CheckRunView;
}

/** Whether a view lets a required check pass (GitHub: success and neutral do). */
export function viewPasses(view: CheckRunView): boolean {
  return view.status === "completed" && (view.conclusion === "success" || view.conclusion === "neutral");
}

/** Worse first: a failure blocks, a wait blocks until it is answered, a pass passes. */
function severity(view: CheckRunView): number {
  if (view.status === "completed" && view.conclusion === "failure") return 3;
  if (!viewPasses(view)) return 2;
  return view.conclusion === "neutral" ? 1 : 0;
}

const GITHUB_SUMMARY_LIMIT = 65_535;

function icon(view: CheckRunView): string {
  if (view.status === "completed" && view.conclusion === "failure") return "❌";
  if (!viewPasses(view)) return "⏳";
  return view.conclusion === "neutral" ? "ℹ️" : "✅";
}

/**
 * The check for a commit that is the head of several open PRs: the worst of their views decides the
 * status and conclusion (so it passes only if every one passes), the title names the PR that decides
 * it, and the summary lists each PR, then each PR's own summary. With one part, that part's view.
 */
export function combineHeadViews(parts: HeadPart[], text = ""): CheckRunView {
  if (parts.length === 0) throw new Error("combineHeadViews needs at least one pull request");
  const ordered = [...parts].sort((a, b) => a.number - b.number);
  if (ordered.length === 1) return { ...ordered[0]!.view, text: text || ordered[0]!.view.text };
  const worst = ordered.reduce((w, p) => (severity(p.view) > severity(w.view) ? p : w));
  const waiting = ordered.filter((p) => !viewPasses(p.view));
  const label = (p: HeadPart) => `#${p.number} → ${p.baseRef}`;
  const verdict =
    waiting.length === 0
      ? `Each of the ${ordered.length} pull requests with this head passes`
      : `${waiting.map(label).join(", ")} ${waiting.length === 1 ? "still waits" : "still wait"}: ${worst.view.title}`;
  const lines = [
    `### ${icon(worst.view)} ${verdict}`,
    "",
    `This commit is the head of ${ordered.length} open pull requests. A check run belongs to the commit, so it passes only when every one of them passes on its own:`,
    "",
    ...ordered.map((p) => `- ${icon(p.view)} **${label(p)}**: ${p.view.title}${viewPasses(p.view) ? "" : " — **still waits**"}`),
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
  return {
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
}
