// The report in plain words: the paragraph at the top of the HTML page and the Markdown summary for
// a job summary. Every number here is one the data supports: a revert ratio only when both groups
// have at least MIN_PRS_TO_COMPARE PRs, a p90 only from MIN_WAITS_FOR_P90 waits; otherwise it says so.
import {
  compareReverts,
  MIN_PRS_TO_COMPARE,
  MIN_WAITS_FOR_P90,
  type RateRow,
  type ReportRow,
  type ReportTotals,
  type WaitRow,
} from "../core/report.js";
import { terminalSafe, type ReportHeader } from "./report-format.js";

/** A duration as people say it: "25 min", "2.5 h", "19 h", "3.2 days". */
export function spoken(seconds: number | undefined): string {
  if (seconds === undefined) return "–";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  const hours = seconds / 3600;
  if (hours < 10) return `${Number(hours.toFixed(1))} h`;
  if (hours < 48) return `${Math.round(hours)} h`;
  return `${Number((hours / 24).toFixed(1))} days`;
}

export const percent = (n: number, of: number) => (of === 0 ? "–" : `${Math.round((100 * n) / of)}%`);
const listWords = (xs: string[]) => (xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The comparison in a few words, for a table cell: "2.1×", "about the same", or why there is no ratio. */
export function revertWords(r: RateRow): string {
  const c = compareReverts(r);
  switch (c.kind) {
    case "too-few":
      return "too few to compare";
    case "none-reverted":
      return "none reverted";
    case "others-none":
      return "only AI-assisted PRs reverted";
    case "ratio":
      return c.ratio >= 0.9 && c.ratio <= 1.1 ? "about the same" : `${c.ratio.toFixed(1)}×`;
  }
}

const counts = (r: RateRow) => `${r.aiReverted} of ${r.aiMerged} vs ${r.otherReverted} of ${r.otherMerged}`;

/** The comparison at one tier, inside a sentence about AI-assisted PRs. */
function tierWords(r: RateRow): string {
  const c = compareReverts(r);
  if (c.kind === "ratio") return c.ratio >= 0.9 && c.ratio <= 1.1 ? "about the same rate" : `${c.ratio.toFixed(1)}× the rate`;
  if (c.kind === "none-reverted") return "none reverted";
  return `${percent(r.aiReverted, r.aiMerged)} against none of the others`;
}

/** The revert comparison as a sentence about AI-assisted PRs ("their"), overall or at one tier. */
function revertSentence(r: RateRow): string {
  const where = r.tier === "all" ? "" : ` at ${r.tier} risk`;
  const c = compareReverts(r);
  switch (c.kind) {
    case "too-few":
      return `Too few PRs${where} to compare revert rates (${r.aiMerged} AI-assisted, ${r.otherMerged} other; at least ${MIN_PRS_TO_COMPARE} of each needed).`;
    case "none-reverted":
      return `No PR${where} was reverted, AI-assisted or not (${counts(r)}).`;
    case "others-none":
      return `${percent(r.aiReverted, r.aiMerged)} of them${where} were reverted, and none of the other PRs (${counts(r)}).`;
    case "ratio":
      return c.ratio >= 0.9 && c.ratio <= 1.1
        ? `Their revert rate${where} was about the same as that of other PRs (${counts(r)}).`
        : `Their revert rate${where} was ${c.ratio.toFixed(1)}× that of other PRs (${counts(r)}).`;
  }
}

function waitWords(w: WaitRow): string {
  if (w.count >= MIN_WAITS_FOR_P90)
    return `at ${w.tier} risk p50 ${spoken(w.medianSeconds)} and p90 ${spoken(w.p90Seconds)} (${plural(w.count, "PR")})`;
  return `at ${w.tier} risk a median of ${spoken(w.medianSeconds)} over only ${plural(w.count, "PR")} (too few for a p90)`;
}

/** The load on seniors: the busiest, against the mean. */
export function loadWords(t: ReportTotals): string | undefined {
  const total = t.reviewers.reduce((n, r) => n + r.signOffs, 0);
  const top = t.reviewers[0];
  if (!top) return undefined;
  if (t.reviewers.length === 1) return `@${top.login} gave all ${plural(total, "sign-off")}.`;
  const mean = total / t.reviewers.length;
  return `${t.reviewers.length} reviewers gave ${plural(total, "sign-off")}; the busiest, @${top.login}, gave ${top.signOffs} (${percent(top.signOffs, total)}), ${(top.signOffs / mean).toFixed(1)}× the mean of ${Number(mean.toFixed(1))}.`;
}

/** The summary paragraph, as plain-text sentences (escape them for the medium they go into). */
export function summarySentences(t: ReportTotals): string[] {
  if (t.merged === 0) return ["No pull request was merged in this range."];
  const out: string[] = [];
  out.push(`${percent(t.aiAssisted, t.merged)} of the ${t.merged} merged pull requests were AI-assisted (${t.aiAssisted}).`);
  if (t.aiAssisted > 0) {
    const all = t.reverts.find((r) => r.tier === "all");
    if (all) out.push(revertSentence(all));
    // By tier only where both groups are large enough; the rest in one clause.
    const tiers = t.reverts.filter((r) => r.tier !== "all" && r.aiMerged > 0);
    const compared = tiers.filter((r) => compareReverts(r).kind !== "too-few");
    if (compared.length > 0) out.push(`By tier: ${listWords(compared.map((r) => `at ${r.tier} risk ${tierWords(r)} (${counts(r)})`))}.`);
    const tooFew = tiers.filter((r) => compareReverts(r).kind === "too-few").map((r) => r.tier);
    if (tooFew.length > 0 && all && compareReverts(all).kind !== "too-few")
      out.push(`At ${listWords(tooFew)} risk there are too few PRs to compare (fewer than ${MIN_PRS_TO_COMPARE} in a group).`);
  }
  const waits = t.waits.filter((w) => w.tier !== "unknown");
  if (waits.length > 0) out.push(`Sign-off took ${waits.slice(0, 2).map(waitWords).join("; ")}.`);
  const load = loadWords(t);
  if (load) out.push(load);
  const overrides = t.overrides.length;
  const bypasses = t.bypasses.length;
  out.push(
    overrides + bypasses === 0
      ? "No PR was overridden or merged past the gate."
      : `${plural(overrides, "override")} and ${plural(bypasses, "bypass", "bypasses")} (merged without sign-off), each listed below.`,
  );
  return out;
}

/** Markdown-safe text from someone else: no controls, no markup, no mentions that ping. */
export function markdownSafe(text: string): string {
  return (
    terminalSafe(text)
      // Mid-line, only these start markup (links, emphasis, code, tables, HTML, entities).
      .replace(/[\\`*_[\]|<>~&]/g, (c) => `\\${c}`)
      .replace(/@/g, "@\u200b")
  );
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** The short Markdown summary for a job summary: the paragraph, the revert table with its counts, and the exceptions. */
export function reportMarkdown(h: ReportHeader, rows: ReportRow[], t: ReportTotals): string {
  const out: string[] = [];
  const last = day(new Date(h.until.getTime() - 1));
  out.push(`### Countersign report · ${markdownSafe(h.scope)} · merged ${day(h.since)} → ${last}`);
  out.push("");
  out.push(summarySentences(t).map(markdownSafe).join(" "));
  out.push("");
  if (t.merged > 0) {
    out.push("| tier | AI-assisted reverted | other PRs reverted | comparison |");
    out.push("|---|---|---|---|");
    for (const r of t.reverts)
      out.push(
        `| ${r.tier} | ${r.aiReverted} of ${r.aiMerged} (${percent(r.aiReverted, r.aiMerged)}) | ${r.otherReverted} of ${r.otherMerged} (${percent(r.otherReverted, r.otherMerged)}) | ${revertWords(r)} |`,
      );
    out.push("");
  }
  const byRef = new Map(rows.map((r) => [`${r.repo}#${r.number}`, r]));
  const link = (ref: string) => {
    const row = byRef.get(ref);
    return row && /^https:\/\//.test(row.url) ? `[${markdownSafe(ref)}](${encodeURI(row.url)})` : markdownSafe(ref);
  };
  for (const o of t.overrides.slice(0, 20))
    out.push(`- override ${link(o.pull)} by ${markdownSafe(`@${o.by}`)}: ${markdownSafe(o.reason)}`);
  for (const b of t.bypasses.slice(0, 20)) out.push(`- bypass ${link(b.pull)} (${b.tier}): merged without sign-off`);
  const more = Math.max(0, t.overrides.length - 20) + Math.max(0, t.bypasses.length - 20);
  if (more > 0) out.push(`- … and ${more} more in the HTML report`);
  if (t.overrides.length + t.bypasses.length > 0) out.push("");
  out.push(
    `${plural(h.repos, "repository", "repositories")} read · ${h.apiCalls} GitHub requests · generated ${h.generatedAt.toISOString()}`,
  );
  return `${out.join("\n")}\n`;
}
