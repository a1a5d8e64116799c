// How `countersign report` prints: a table whose first screen answers "are AI-assisted changes
// reverted more often than the rest, and who carries the review load", JSON, or CSV (one row per PR).
import type { RateRow, ReportRow, ReportTotals } from "../core/report.js";

export interface ReportHeader {
  scope: string;
  since: Date;
  until: Date;
  repos: number;
  /** The repositories read, "owner/name". */
  repoNames: string[];
  /** Repositories left out because the token may not read them. */
  skipped: string[];
  apiCalls: number;
  generatedAt: Date;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/*
 * Terminal control sequences: ESC-introduced CSI (colours, cursor moves, screen clears), OSC
 * (window titles, hyperlinks, clipboard writes), DCS/SOS/PM/APC strings, their 8-bit C1 forms, and
 * two-byte escapes. A PR title or an override reason is text someone else wrote; printed raw, it
 * could rewrite what the reader sees.
 */
const ESCAPE_SEQUENCE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[\u0020-\u002f]*[\u0030-\u007e]?/g;
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;
// C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a terminal shows.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

// The same, less tab and line breaks: what a CSV cell may keep (its quotes hold line breaks).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROLS_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text someone else wrote, safe in a CSV cell: escape sequences, controls and bidirectional overrides removed; tabs and line breaks kept. */
function cellSafe(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, "").replace(CONTROLS_BUT_LINES, "");
}

// What JSON.stringify leaves raw and a terminal or an editor may act on: DEL, the C1 controls (8-bit
// escape sequences), bidirectional overrides and the Unicode line separators.
const JSON_RAW = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** JSON text with those characters written as \u escapes: the same value once parsed, nothing shown raw. */
function jsonSafe(json: string): string {
  return json.replace(JSON_RAW, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Text someone else wrote, safe to print in one terminal line: escape sequences and controls removed, line breaks as spaces. */
export function terminalSafe(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, "").replace(LINE_BREAKS, " ").replace(CONTROLS, "");
}
const pct = (n: number, of: number) => (of === 0 ? "–" : `${((100 * n) / of).toFixed(1)}%`);

export function duration(seconds: number | undefined): string {
  if (seconds === undefined) return "–";
  if (seconds < 60) return `${seconds}s`;
  const m = Math.round(seconds / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Columns padded to their widest cell; the last column is not padded. */
function table(cells: string[][], indent = "  "): string[] {
  const rows = cells.map((r) => r.map(terminalSafe));
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? "")].length))) ?? [];
  return rows.map(
    (r) =>
      indent +
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + (cell.length - [...cell].length))))
        .join("  ")
        .trimEnd(),
  );
}

function rateCells(r: RateRow): string[] {
  return [
    r.tier,
    `${r.aiReverted}/${r.aiMerged}`,
    pct(r.aiReverted, r.aiMerged),
    `${r.otherReverted}/${r.otherMerged}`,
    pct(r.otherReverted, r.otherMerged),
  ];
}

export function renderReportTable(h: ReportHeader, rows: ReportRow[], t: ReportTotals): string {
  const out: string[] = [];
  const repos = h.scope.includes("/") ? "" : ` (${h.repos} active ${h.repos === 1 ? "repository" : "repositories"})`;
  // The range is [since, until): its last day is the one before until's instant.
  out.push(`Countersign report · ${h.scope}${repos} · merged ${day(h.since)} → ${day(new Date(h.until.getTime() - 1))}`);
  out.push(
    `${t.merged} merged pull requests · ${pct(t.aiAssisted, t.merged)} AI-assisted (${t.aiAssisted}) · ${t.gated} gated by Countersign`,
  );
  if (h.skipped.length > 0) out.push(`Left out, the token cannot read them: ${h.skipped.map((s) => s.split(":")[0]).join(", ")}`);
  out.push("");
  out.push("Reverted after merge, AI-assisted vs the rest, by tier");
  out.push(...table([["tier", "AI reverted", "rate", "others reverted", "rate"], ...t.reverts.map(rateCells)]));
  out.push("");
  out.push("Review load: sign-offs per reviewer");
  if (t.reviewers.length === 0) out.push("  No sign-offs in this range.");
  else {
    const top = t.reviewers.slice(0, 10);
    out.push(
      ...table([
        ["reviewer", "sign-offs", "share", "high/critical", "median wait", "< 1 min after push"],
        ...top.map((r) => [
          `@${r.login}`,
          String(r.signOffs),
          pct(
            r.signOffs,
            t.reviewers.reduce((n, x) => n + x.signOffs, 0),
          ),
          String(r.highOrCritical),
          duration(r.medianWaitSeconds),
          String(r.quickApprovals),
        ]),
      ]),
    );
    if (t.reviewers.length > top.length) out.push(`  … and ${t.reviewers.length - top.length} more reviewers (--json or --csv for all)`);
  }
  if (t.openRequests !== undefined) {
    out.push("");
    out.push("Waiting now: open review requests per person on open AI-assisted pull requests");
    if (t.openRequests.length === 0) out.push("  None.");
    else {
      const top = t.openRequests.slice(0, 10);
      out.push(...table([["reviewer", "open requests"], ...top.map((r) => [`@${r.login}`, String(r.open)])]));
      if (t.openRequests.length > top.length) out.push(`  … and ${t.openRequests.length - top.length} more (--json for all)`);
    }
  }
  out.push("");
  out.push("Wait for sign-off by tier (on the merged head)");
  if (t.waits.length === 0) out.push("  No gated pull request was signed off in this range.");
  else
    out.push(
      ...table([
        ["tier", "PRs", "median", "p90"],
        ...t.waits.map((w) => [w.tier, String(w.count), duration(w.medianSeconds), duration(w.p90Seconds)]),
      ]),
    );
  out.push("");
  out.push(
    `Overrides: ${t.overrides.length} · Bypasses: ${t.bypasses.length} · Approvals within a minute of the last push on high/critical PRs: ${t.quickApprovals.length}`,
  );
  for (const o of t.overrides) out.push(`  override  ${o.pull} by @${o.by}: ${o.reason}`);
  for (const b of t.bypasses) out.push(`  bypass    ${b.pull} (${b.tier}) merged without sign-off`);
  for (const q of t.quickApprovals) out.push(`  quick     ${q.pull} @${q.login} approved ${q.seconds}s after the last push (${q.tier})`);
  if (t.unrecognised.length > 0) {
    out.push("");
    out.push(
      `Unrecognised automation: ${t.unrecognised.length} bot account(s) no list knows (they gate nothing until the policy names them)`,
    );
    for (const u of t.unrecognised)
      out.push(`  bot       ${u.login} on ${u.pulls.join(", ")}: count it with ${u.policyKey}: [${JSON.stringify(u.value)}]`);
  }
  out.push("");
  out.push("Merged pull requests");
  if (rows.length === 0) out.push("  None in this range.");
  else {
    out.push(
      ...table([
        ["PR", "merged", "AI (signal)", "tier", "signed off by", "wait", "override", "bypass", "reverted by"],
        ...rows.map((r) => [
          `${r.repo}#${r.number}`,
          r.mergedAt.slice(0, 10),
          r.aiAssisted ? `yes (${r.signal || "?"})` : "no",
          r.tier,
          r.signedOffBy.map((l) => `@${l}`).join(" ") || "–",
          duration(r.waitSeconds),
          r.overriddenBy ? `@${r.overriddenBy}: ${terminalSafe(r.overrideReason ?? "").slice(0, 40)}` : "–",
          r.bypassed ? "BYPASSED" : "–",
          r.revertedBy ?? "–",
        ]),
      ]),
    );
  }
  return `${out.map(terminalSafe).join("\n")}\n`;
}

export function reportJson(h: ReportHeader, rows: ReportRow[], t: ReportTotals): string {
  return `${jsonSafe(
    JSON.stringify(
      {
        scope: h.scope,
        since: h.since.toISOString(),
        until: h.until.toISOString(),
        repositories: h.repos,
        skipped: h.skipped,
        apiCalls: h.apiCalls,
        totals: t,
        pulls: rows,
      },
      null,
      2,
    ),
  )}\n`;
}

const CSV_COLUMNS = [
  "repo",
  "number",
  "title",
  "author",
  "merged_at",
  "ai_assisted",
  "signal",
  "tier",
  "gated",
  "outcome",
  "signed_off_by",
  "wait_seconds",
  "overridden_by",
  "override_reason",
  "bypassed",
  "reverted_by",
  "quick_approvals",
  "url",
  "unrecognised_automation",
] as const;

function csvCell(value: string | number | boolean | undefined): string {
  const s = value === undefined ? "" : cellSafe(String(value));
  // Quote what needs it; a leading = + - @ is prefixed so a spreadsheet does not run it as a formula.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function reportCsv(rows: ReportRow[]): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const r of rows) {
    lines.push(
      [
        r.repo,
        r.number,
        r.title,
        r.author,
        r.mergedAt,
        r.aiAssisted,
        r.signal,
        r.tier,
        r.gated,
        r.outcome,
        r.signedOffBy.join(" "),
        r.waitSeconds,
        r.overriddenBy,
        r.overrideReason,
        r.bypassed,
        r.revertedBy,
        r.quickApprovals.map((q) => `${q.login}:${q.seconds}s`).join(" "),
        r.url,
        r.unrecognised.map((u) => `${u.login}=${u.policyKey}:${u.value}`).join(" "),
      ]
        .map(csvCell)
        .join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}
