// The report's plain words: no number the data does not support (a ratio only from 20+ PRs in each
// group, a p90 only from 10+ waits), and the text-safety of what is printed or written.
import { describe, expect, it } from "vitest";
import { terminalSafe } from "../../src/cli/report-format.js";
import { axis, esc, renderReportHtml } from "../../src/cli/report-html.js";
import { markdownSafe, spoken, summarySentences } from "../../src/cli/report-summary.js";
import { buildReport, type RateRow, type ReportTotals, weeklySeries, type ReportRow } from "../../src/core/report.js";

function totals(o: Partial<ReportTotals> & { reverts: RateRow[] }): ReportTotals {
  const all = o.reverts.find((r) => r.tier === "all")!;
  const merged = all.aiMerged + all.otherMerged;
  return {
    merged,
    aiAssisted: all.aiMerged,
    aiShare: all.aiMerged / merged,
    gated: all.aiMerged,
    reviewers: [],
    waits: [],
    quickApprovals: [],
    overrides: [],
    bypasses: [],
    unrecognised: [],
    ...o,
  };
}

describe("the summary paragraph", () => {
  it("gives the ratio with the counts behind it when both groups are large enough", () => {
    const words = summarySentences(
      totals({
        reverts: [
          { tier: "all", aiMerged: 185, aiReverted: 9, otherMerged: 265, otherReverted: 7 },
          { tier: "high", aiMerged: 120, aiReverted: 7, otherMerged: 145, otherReverted: 4 },
          { tier: "critical", aiMerged: 12, aiReverted: 2, otherMerged: 3, otherReverted: 0 },
        ],
        waits: [{ tier: "critical", count: 34, medianSeconds: 7200, p90Seconds: 19 * 3600 }],
        reviewers: [
          { login: "maria", signOffs: 40, highOrCritical: 20, quickApprovals: 0, medianWaitSeconds: 3600 },
          { login: "kenji", signOffs: 10, highOrCritical: 2, quickApprovals: 0, medianWaitSeconds: 600 },
        ],
      }),
    );
    expect(words).toEqual([
      "41% of the 450 merged pull requests were AI-assisted (185).",
      "Their revert rate was 1.8× that of other PRs (9 of 185 vs 7 of 265).",
      "By tier: at high risk 2.1× the rate (7 of 120 vs 4 of 145).",
      "At critical risk there are too few PRs to compare (fewer than 20 in a group).",
      "Sign-off took at critical risk p50 2 h and p90 19 h (34 PRs).",
      "2 reviewers gave 50 sign-offs; the busiest, @maria, gave 40 (80%), 1.6× the mean of 25.",
      "No PR was overridden or merged past the gate.",
    ]);
  });

  it.each([
    [
      "fewer than 20 in a group",
      { tier: "all", aiMerged: 19, aiReverted: 5, otherMerged: 300, otherReverted: 1 },
      "Too few PRs to compare revert rates (19 AI-assisted, 300 other; at least 20 of each needed).",
    ],
    [
      "no other PR reverted",
      { tier: "all", aiMerged: 40, aiReverted: 2, otherMerged: 40, otherReverted: 0 },
      "5% of them were reverted, and none of the other PRs (2 of 40 vs 0 of 40).",
    ],
    [
      "nothing reverted",
      { tier: "all", aiMerged: 40, aiReverted: 0, otherMerged: 40, otherReverted: 0 },
      "No PR was reverted, AI-assisted or not (0 of 40 vs 0 of 40).",
    ],
    [
      "nearly equal rates",
      { tier: "all", aiMerged: 100, aiReverted: 5, otherMerged: 200, otherReverted: 10 },
      "Their revert rate was about the same as that of other PRs (5 of 100 vs 10 of 200).",
    ],
  ] as Array<[string, RateRow, string]>)("says no more than the counts support: %s", (_, row, sentence) => {
    const words = summarySentences(totals({ reverts: [row] }));
    expect(words[1]).toBe(sentence);
    expect(words.join(" ")).not.toMatch(/\d×/);
  });

  it("gives no p90 from fewer than 10 waits", () => {
    const words = summarySentences(
      totals({
        reverts: [{ tier: "all", aiMerged: 3, aiReverted: 0, otherMerged: 3, otherReverted: 0 }],
        waits: [{ tier: "critical", count: 9, medianSeconds: 5400, p90Seconds: 80_000 }],
      }),
    );
    expect(words).toContain("Sign-off took at critical risk a median of 1.5 h over only 9 PRs (too few for a p90).");
    expect(words.join(" ")).not.toContain("p90 22");
  });

  it("says when nothing was merged", () => {
    expect(summarySentences(totals({ reverts: [{ tier: "all", aiMerged: 0, aiReverted: 0, otherMerged: 0, otherReverted: 0 }] }))).toEqual([
      "No pull request was merged in this range.",
    ]);
  });

  it.each([
    [45, "45 s"],
    [1500, "25 min"],
    [9000, "2.5 h"],
    [19 * 3600, "19 h"],
    [3.2 * 86400, "3.2 days"],
  ])("speaks %i seconds as %s", (seconds, words) => expect(spoken(seconds)).toBe(words));
});

describe("text from PRs", () => {
  it.each([
    ["CSI colours and a screen clear", "a\u001b[2J\u001b[1;31mb\u001b[0mc", "abc"],
    ["OSC 8 hyperlink with BEL", "\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007", "click"],
    ["OSC 52 clipboard write with ST", "x\u001b]52;c;cm0gLXJmIH4=\u001b\\y", "xy"],
    ["8-bit CSI", "a\u009b31mb", "ab"],
    ["DCS string", "a\u001bPq#0;2;0;0;0\u001b\\b", "ab"],
    ["line breaks", "one\r\ntwo\nthree", "one two three"],
    ["bidi override and NUL", "ab\u202ecd\u0000e", "abcde"],
    ["plain text with umlauts and emoji", "Grüße 🚀 — fine", "Grüße 🚀 — fine"],
  ])("terminalSafe removes %s", (_, text, safe) => expect(terminalSafe(text)).toBe(safe));

  it("esc leaves no markup in HTML text or attributes", () => {
    expect(esc(`<script>alert("x")</script>' &amp;`)).toBe("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#39; &#38;amp;");
  });

  it("markdownSafe leaves no links, HTML or pinging mentions", () => {
    expect(markdownSafe("[click](https://evil.example) <img src=x> @team |a|")).toBe(
      "\\[click\\](https://evil.example) \\<img src=x\\> @\u200bteam \\|a\\|",
    );
  });
});

describe("charts", () => {
  it.each([
    [0, true, [0, 1]],
    [97, true, [0, 50, 100]],
    [13.2, false, [0, 5, 10, 15]],
    [0.7, false, [0, 0.2, 0.4, 0.6, 0.8]],
  ])("an axis for %d has round ticks from 0 past the maximum", (max, integer, ticks) => {
    expect(axis(max, integer)).toEqual({ top: ticks[ticks.length - 1], ticks });
  });

  it("weeks run Monday to Sunday (UTC) and keep weeks without merges", () => {
    const row = (mergedAt: string, ai: boolean) => ({ mergedAt, aiAssisted: ai, tier: "high", waitSeconds: 60 }) as ReportRow;
    const weeks = weeklySeries(
      [row("2026-11-02T00:00:00Z", true), row("2026-11-08T23:59:59Z", false), row("2026-11-23T10:00:00Z", true)],
      new Date("2026-11-01T00:00:00Z"),
      new Date("2026-11-30T00:00:00Z"),
    );
    expect(weeks.map((w) => [w.week, w.merged, w.aiAssisted])).toEqual([
      ["2026-10-26", 0, 0],
      ["2026-11-02", 2, 1],
      ["2026-11-09", 0, 0],
      ["2026-11-16", 0, 0],
      ["2026-11-23", 1, 1],
    ]);
    expect(weeks[1]!.waits.high).toEqual({ count: 2, medianSeconds: 60, p90Seconds: 60 });
  });

  it("renders a range without merges as a page that says so, one empty week bar each", () => {
    const { rows, totals: t } = buildReport([], [], { aiAssisted: "ai-assisted", riskPrefix: "risk:" });
    const html = renderReportHtml(
      {
        scope: "acme/quiet",
        since: new Date("2026-11-02T00:00:00Z"),
        until: new Date("2026-11-16T00:00:00Z"),
        repos: 1,
        repoNames: ["acme/quiet"],
        skipped: [],
        apiCalls: 1,
        generatedAt: new Date("2026-11-16T06:00:00Z"),
      },
      rows,
      t,
    );
    expect(html).toContain("No pull request was merged in this range.");
    expect(html.match(/class="bar-ai"/g)).toHaveLength(2);
    expect(html).not.toContain("NaN");
    expect(html).not.toContain("Infinity");
  });
});
