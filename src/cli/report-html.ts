// `countersign report --html FILE`: the report as one self-contained page a VP would forward — a
// plain-words summary, then charts drawn as inline SVG by hand (no script, no font, no request of
// any kind: it opens offline and from an email attachment). Every piece of text from a PR or a
// check record passes through `esc`.
import {
  compareReverts,
  type RateRow,
  type ReportRow,
  type ReportTier,
  type ReportTotals,
  type WeekRow,
  weeklySeries,
} from "../core/report.js";
import { MIN_PRS_TO_COMPARE, MIN_WAITS_FOR_P90 } from "../core/report.js";
import { terminalSafe, type ReportHeader } from "./report-format.js";
import { loadWords, percent, revertWords, spoken, summarySentences } from "./report-summary.js";

/** Text for HTML, in an element or an attribute: markup characters escaped, control characters gone. */
export function esc(text: string | number): string {
  return terminalSafe(String(text)).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const COLOURS = {
  ai: "#3b5bdb",
  other: "#b8bec6",
  ink: "#1d2330",
  muted: "#5f6b7a",
  grid: "#e6e9ee",
  tier: { critical: "#b42318", high: "#d9480f", medium: "#b7791f", low: "#2b8a3e", unknown: "#6c757d" } as Record<ReportTier, string>,
};

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const shortDay = (isoDay: string) => `${MONTHS[Number(isoDay.slice(5, 7)) - 1]} ${Number(isoDay.slice(8, 10))}`;
const day = (d: Date) => d.toISOString().slice(0, 10);
const r1 = (n: number) => Math.round(n * 10) / 10;

/** An axis from 0 with 3–6 round steps (1, 2 or 5 × 10^k) covering `max`. */
export function axis(max: number, integer: boolean): { top: number; ticks: number[] } {
  const rough = Math.max(max, integer ? 1 : 1e-9) / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  let step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  if (integer) step = Math.max(1, Math.round(step));
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 1e6; v += step) ticks.push(Number(v.toPrecision(12)));
  return { top, ticks };
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

/** Week labels that never collide: every k-th week when there are many. */
function labelEvery(weeks: number, plotWidth: number): number {
  return Math.max(1, Math.ceil((weeks * 46) / plotWidth));
}

function yGrid(ticks: number[], y: (v: number) => number, left: number, right: number, format: (v: number) => string): string {
  return ticks
    .map(
      (v) =>
        `<line x1="${left}" x2="${right}" y1="${r1(y(v))}" y2="${r1(y(v))}" stroke="${COLOURS.grid}"/>` +
        `<text x="${left - 8}" y="${r1(y(v) + 4)}" text-anchor="end" class="tick">${esc(format(v))}</text>`,
    )
    .join("");
}

/** Merged PRs per week, AI-assisted stacked under the others, with the AI share above each bar. */
function shareChart(weeks: WeekRow[]): string {
  const W = 880;
  const H = 260;
  const m = { l: 44, r: 12, t: 30, b: 34 };
  const plotW = W - m.l - m.r;
  const plotH = H - m.t - m.b;
  const { top, ticks } = axis(Math.max(0, ...weeks.map((w) => w.merged)), true);
  const y = (v: number) => m.t + plotH - (v / top) * plotH;
  const band = plotW / Math.max(1, weeks.length);
  const barW = Math.min(54, band * 0.64);
  const every = labelEvery(weeks.length, plotW);
  const bars = weeks
    .map((w, i) => {
      const x = m.l + i * band + (band - barW) / 2;
      const cx = r1(x + barW / 2);
      const ai = w.aiAssisted;
      const other = w.merged - ai;
      const tip = `Week of ${w.week}: ${w.merged} merged, ${ai} AI-assisted (${percent(ai, w.merged)})`;
      return (
        `<g class="week" data-week="${w.week}"><title>${esc(tip)}</title>` +
        `<rect class="bar-ai" x="${r1(x)}" y="${r1(y(ai))}" width="${r1(barW)}" height="${r1(y(0) - y(ai))}" fill="${COLOURS.ai}" rx="2"/>` +
        `<rect class="bar-other" x="${r1(x)}" y="${r1(y(ai + other))}" width="${r1(barW)}" height="${r1(y(ai) - y(ai + other))}" fill="${COLOURS.other}" rx="2"/>` +
        // Share labels keep the week labels' spacing, so they never overlap (each bar's tooltip has it too).
        (w.merged > 0 && i % every === 0
          ? `<text class="share-label" x="${cx}" y="${r1(y(w.merged) - 7)}" text-anchor="middle">${percent(ai, w.merged)}</text>`
          : "") +
        (i % every === 0 ? `<text class="tick" x="${cx}" y="${H - m.b + 18}" text-anchor="middle">${shortDay(w.week)}</text>` : "") +
        `</g>`
      );
    })
    .join("");
  return (
    `<svg class="chart" id="chart-share" viewBox="0 0 ${W} ${H}" role="img" aria-label="Merged pull requests per week, AI-assisted and other">` +
    yGrid(ticks, y, m.l, W - m.r, String) +
    bars +
    `<line x1="${m.l}" x2="${W - m.r}" y1="${y(0)}" y2="${y(0)}" stroke="#9aa3ae"/>` +
    `</svg>`
  );
}

/** Revert rate of AI-assisted vs other PRs, per tier, with the counts behind each bar. */
function revertChart(rates: RateRow[]): string {
  const W = 880;
  const labelW = 108;
  const noteW = 190;
  const barMax = W - labelW - noteW - 150;
  const rowH = 18;
  const groupH = rowH * 2 + 6 + 18;
  const H = 14 + rates.length * groupH;
  const maxRate = Math.max(
    0,
    ...rates.flatMap((r) => [r.aiMerged ? r.aiReverted / r.aiMerged : 0, r.otherMerged ? r.otherReverted / r.otherMerged : 0]),
  );
  const { top } = axis(maxRate * 100, false);
  const len = (n: number, of: number) => (of === 0 ? 0 : ((100 * n) / of / top) * barMax);
  const groups = rates
    .map((r, i) => {
      const y0 = 10 + i * groupH;
      const c = compareReverts(r);
      const faint = c.kind === "too-few" ? ' opacity="0.45"' : "";
      const bar = (cls: string, colour: string, n: number, of: number, dy: number, who: string) => {
        const w = len(n, of);
        const label = of === 0 ? `no ${who} PRs` : `${percent(n, of)} · ${n} of ${of}`;
        return (
          `<rect class="${cls}" x="${labelW}" y="${y0 + dy}" width="${r1(Math.max(w, of === 0 ? 0 : 1.5))}" height="${rowH}" fill="${colour}" rx="2"${faint}/>` +
          `<text class="value" x="${r1(labelW + w + 8)}" y="${y0 + dy + 13}">${esc(label)}</text>`
        );
      };
      const verdict = revertWords(r);
      return (
        `<g class="tier-group" data-tier="${esc(r.tier)}">` +
        `<text class="row-label" x="0" y="${y0 + rowH + 7}">${esc(r.tier === "all" ? "all tiers" : r.tier)}</text>` +
        bar("rate-ai", COLOURS.ai, r.aiReverted, r.aiMerged, 0, "AI-assisted") +
        bar("rate-other", COLOURS.other, r.otherReverted, r.otherMerged, rowH + 4, "other") +
        `<text class="${c.kind === "too-few" ? "verdict muted" : "verdict"}" x="${W}" y="${y0 + rowH + 7}" text-anchor="end">${esc(c.kind === "ratio" && verdict.endsWith("×") ? `${verdict} the rate of others` : verdict)}</text>` +
        `</g>`
      );
    })
    .join("");
  return `<svg class="chart" id="chart-reverts" viewBox="0 0 ${W} ${H}" role="img" aria-label="Revert rate of AI-assisted and other pull requests by tier">${groups}</svg>`;
}

/** The unit a wait axis reads best in. */
function waitUnit(maxSeconds: number): { name: string; seconds: number } {
  if (maxSeconds <= 2 * 3600) return { name: "min", seconds: 60 };
  if (maxSeconds <= 96 * 3600) return { name: "h", seconds: 3600 };
  return { name: "days", seconds: 86400 };
}

/** p50 and p90 of the wait for sign-off at one tier, week by week (a gap where nothing was signed off). */
function waitChart(tier: ReportTier, weeks: WeekRow[], t: ReportTotals): string {
  const W = 424;
  const H = 210;
  const m = { l: 46, r: 12, t: 14, b: 30 };
  const plotW = W - m.l - m.r;
  const plotH = H - m.t - m.b;
  const maxSeconds = Math.max(1, ...weeks.map((w) => w.waits[tier]?.p90Seconds ?? 0));
  const unit = waitUnit(maxSeconds);
  const { top, ticks } = axis(maxSeconds / unit.seconds, false);
  const band = plotW / Math.max(1, weeks.length);
  const x = (i: number) => m.l + i * band + band / 2;
  const y = (seconds: number) => m.t + plotH - (seconds / unit.seconds / top) * plotH;
  const colour = COLOURS.tier[tier];
  const series = (which: "medianSeconds" | "p90Seconds", cls: string, dash: string) => {
    let d = "";
    let pen = false;
    const points: string[] = [];
    weeks.forEach((w, i) => {
      const v = w.waits[tier]?.[which];
      if (v === undefined) {
        pen = false;
        return;
      }
      d += `${pen ? "L" : "M"}${r1(x(i))},${r1(y(v))}`;
      pen = true;
      const n = w.waits[tier]?.count ?? 0;
      points.push(
        `<circle class="pt-${cls}" cx="${r1(x(i))}" cy="${r1(y(v))}" r="${cls === "p50" ? 3.5 : 3}" fill="${cls === "p50" ? colour : "#fff"}" stroke="${colour}" stroke-width="1.6"><title>${esc(`Week of ${w.week}: ${cls} ${spoken(v)} (${n} PR${n === 1 ? "" : "s"})`)}</title></circle>`,
      );
    });
    return `<path class="line-${cls}" d="${d}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>${points.join("")}`;
  };
  const every = labelEvery(weeks.length, plotW);
  const xLabels = weeks
    .map((w, i) =>
      i % every === 0 ? `<text class="tick" x="${r1(x(i))}" y="${H - m.b + 18}" text-anchor="middle">${shortDay(w.week)}</text>` : "",
    )
    .join("");
  const total = t.waits.find((w) => w.tier === tier);
  const caption =
    total && total.count >= MIN_WAITS_FOR_P90
      ? `${total.count} signed off · p50 ${spoken(total.medianSeconds)}, p90 ${spoken(total.p90Seconds)}`
      : `${total?.count ?? 0} signed off · median ${spoken(total?.medianSeconds)} (too few for a p90)`;
  return (
    `<figure class="small" data-tier="${tier}"><figcaption><span class="dot" style="background:${colour}"></span><b>${esc(tier)}</b> <span class="muted">${esc(caption)}</span></figcaption>` +
    `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="Wait for sign-off at ${esc(tier)} risk, p50 and p90 by week">` +
    yGrid(
      ticks,
      (v) => y(v * unit.seconds),
      m.l,
      W - m.r,
      (v) => `${v}${v === top ? ` ${unit.name}` : ""}`,
    ) +
    `<line x1="${m.l}" x2="${W - m.r}" y1="${r1(y(0))}" y2="${r1(y(0))}" stroke="#9aa3ae"/>` +
    series("p90Seconds", "p90", ' stroke-dasharray="5 4" opacity="0.85"') +
    series("medianSeconds", "p50", "") +
    xLabels +
    `</svg></figure>`
  );
}

/** Sign-offs per reviewer, busiest first, against the mean. */
function loadChart(t: ReportTotals, shown: number): string {
  const reviewers = t.reviewers.slice(0, shown);
  const W = 880;
  const labelW = 160;
  const rowH = 24;
  const H = 26 + reviewers.length * rowH;
  const total = t.reviewers.reduce((n, r) => n + r.signOffs, 0);
  const mean = total / Math.max(1, t.reviewers.length);
  const max = Math.max(1, ...reviewers.map((r) => r.signOffs));
  const barMax = W - labelW - 190;
  const len = (n: number) => (n / max) * barMax;
  const rows = reviewers
    .map((r, i) => {
      const y0 = 22 + i * rowH;
      return (
        `<g class="reviewer"><title>${esc(`@${r.login}: ${r.signOffs} sign-offs, ${r.highOrCritical} high/critical, median wait ${spoken(r.medianWaitSeconds)}`)}</title>` +
        `<text class="row-label" x="${labelW - 10}" y="${y0 + 13}" text-anchor="end">${esc(clip(`@${r.login}`, 18))}</text>` +
        `<rect class="bar-load" x="${labelW}" y="${y0}" width="${r1(len(r.signOffs))}" height="${rowH - 8}" fill="${COLOURS.ai}" rx="2"/>` +
        `<text class="value" x="${r1(labelW + len(r.signOffs) + 8)}" y="${y0 + 13}">${r.signOffs}<tspan class="muted"> · ${r.highOrCritical} high/critical</tspan></text>` +
        `</g>`
      );
    })
    .join("");
  const mx = r1(labelW + len(mean));
  // The mean as a dashed rule, broken where it would cross a row's value label.
  const rule = reviewers
    .map((r, i) => {
      const labelStart = labelW + len(r.signOffs) + 4;
      if (mx > labelStart && mx < labelStart + 170) return "";
      const y0 = 22 + i * rowH;
      return `<line x1="${mx}" x2="${mx}" y1="${i === 0 ? 14 : y0 - 4}" y2="${y0 + rowH - 4}" stroke="${COLOURS.ink}" stroke-dasharray="3 3"/>`;
    })
    .join("");
  return (
    `<svg class="chart" id="chart-load" viewBox="0 0 ${W} ${H}" role="img" aria-label="Sign-offs per reviewer">` +
    `<g class="mean">${rule}</g>` +
    `<text class="tick" x="${mx}" y="10" text-anchor="middle">mean ${r1(mean)}</text>` +
    rows +
    `</svg>`
  );
}

function prLink(r: ReportRow): string {
  const ref = esc(`${r.repo}#${r.number}`);
  return /^https?:\/\//.test(r.url) ? `<a href="${esc(r.url)}">${ref}</a>` : ref;
}

function exceptions(rows: ReportRow[], t: ReportTotals): string {
  const overridden = rows.filter((r) => r.overriddenBy);
  const bypassed = rows.filter((r) => r.bypassed);
  const head = (cols: string[]) => `<thead><tr>${cols.map((c) => `<th>${c}</th>`).join("")}</tr></thead>`;
  const overridesTable =
    overridden.length === 0
      ? `<p class="muted">No overrides in this range.</p>`
      : `<table id="overrides">${head(["pull request", "title", "tier", "merged", "overridden by", "reason"])}<tbody>${overridden
          .map(
            (r) =>
              `<tr><td class="nowrap">${prLink(r)}</td><td>${esc(r.title)}</td><td><span class="tier tier-${esc(r.tier)}">${esc(r.tier)}</span></td><td class="nowrap">${esc(r.mergedAt.slice(0, 10))}</td><td>@${esc(r.overriddenBy ?? "")}</td><td>${esc(r.overrideReason ?? "")}</td></tr>`,
          )
          .join("")}</tbody></table>`;
  const bypassTable =
    bypassed.length === 0
      ? `<p class="muted">No PR was merged past the gate in this range.</p>`
      : `<table id="bypasses">${head(["pull request", "title", "tier", "merged", "AI signal", "check on the merged head"])}<tbody>${bypassed
          .map(
            (r) =>
              `<tr><td class="nowrap">${prLink(r)}</td><td>${esc(r.title)}</td><td><span class="tier tier-${esc(r.tier)}">${esc(r.tier)}</span></td><td class="nowrap">${esc(r.mergedAt.slice(0, 10))}</td><td>${esc(r.signal || "–")}</td><td>${esc(r.outcome)}</td></tr>`,
          )
          .join("")}</tbody></table>`;
  return (
    `<h3>Overrides <span class="count">${overridden.length}</span></h3>${overridesTable}` +
    `<h3>Bypasses <span class="count">${bypassed.length}</span> <span class="muted small-text">merged without the sign-off the policy required</span></h3>${bypassTable}` +
    `<h3>Unrecognised automation <span class="count">${t.unrecognised.length}</span> <span class="muted small-text">bot accounts no list knows; they gate nothing until the policy names them</span></h3>${unrecognisedTable(t)}`
  );
}

/** Each bot account the detection saw and no list knew, the PRs it was on, and the policy entry that would count it. */
function unrecognisedTable(t: ReportTotals): string {
  if (t.unrecognised.length === 0) return `<p class="muted">No unrecognised automation on the merged pull requests.</p>`;
  const head = ["account", "count it with", "pull requests"].map((c) => `<th>${c}</th>`).join("");
  const body = t.unrecognised
    .map(
      (u) =>
        `<tr><td class="nowrap">${esc(u.login)}</td><td><code>${esc(`${u.policyKey}: [${JSON.stringify(u.value)}]`)}</code></td><td>${esc(u.pulls.join(", "))}</td></tr>`,
    )
    .join("");
  return `<table id="unrecognised"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const STYLE = `
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;background:#eef1f5;color:${COLOURS.ink};font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue","Noto Sans","DejaVu Sans",Arial,sans-serif;-webkit-font-smoothing:antialiased}
main{max-width:980px;margin:32px auto;background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(16,24,40,.08),0 8px 24px rgba(16,24,40,.06);padding:40px 48px 32px}
.eyebrow{font-size:12px;letter-spacing:.08em;text-transform:uppercase;color:${COLOURS.ai};font-weight:650;margin:0 0 6px}
h1{font-size:28px;line-height:1.2;margin:0 0 6px;font-weight:700;letter-spacing:-.01em}
h2{font-size:18px;margin:0 0 4px;font-weight:650}
h3{font-size:15px;margin:22px 0 8px;font-weight:650}
.meta,.muted{color:${COLOURS.muted}}
.meta{margin:0;font-size:14px}
.summary{margin:24px 0 8px;padding:16px 20px;background:#f4f6fb;border-left:4px solid ${COLOURS.ai};border-radius:4px;font-size:16.5px;line-height:1.6}
.summary p{margin:0}
.kpis{display:grid;grid-template-columns:repeat(4,1fr);gap:12px;margin:20px 0 8px}
.kpi{border:1px solid #e3e7ed;border-radius:8px;padding:12px 14px}
.kpi .v{font-size:24px;font-weight:700;line-height:1.2;font-variant-numeric:tabular-nums}
.kpi .l{font-size:12.5px;color:${COLOURS.muted}}
section{margin-top:34px}
.lede{margin:0 0 12px;color:${COLOURS.muted};font-size:14px}
.legend{display:flex;gap:18px;font-size:13px;color:${COLOURS.muted};margin:0 0 6px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.legend i.line{height:0;border-top:2.5px solid ${COLOURS.ink};border-radius:0;vertical-align:3px;width:18px}
.legend i.dashed{border-top-style:dashed}
svg.chart{display:block;width:100%;height:auto;overflow:visible}
svg text{font-size:12px;fill:${COLOURS.ink}}
svg .tick{fill:${COLOURS.muted};font-size:11.5px}
svg .share-label{font-size:11.5px;font-weight:650}
svg .row-label{font-size:13px;font-weight:600}
svg .value{font-size:12.5px;font-variant-numeric:tabular-nums;paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}
svg .verdict{font-size:13px;font-weight:650}
svg .muted{fill:${COLOURS.muted};font-weight:400}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:12px 28px}
figure.small{margin:0}
figure.small figcaption{font-size:13.5px;margin:0 0 2px}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:6px}
table{width:100%;border-collapse:collapse;font-size:13.5px}
th{text-align:left;font-weight:600;color:${COLOURS.muted};border-bottom:1px solid #d9dee5;padding:6px 8px}
td{border-bottom:1px solid #eef1f4;padding:6px 8px;vertical-align:top;overflow-wrap:anywhere}
.nowrap{white-space:nowrap}
a{color:${COLOURS.ai};text-decoration:none}
a:hover{text-decoration:underline}
.tier{display:inline-block;white-space:nowrap;padding:0 7px;border-radius:9px;font-size:12px;font-weight:600;color:#fff;background:${COLOURS.tier.unknown}}
${(["critical", "high", "medium", "low"] as const).map((t) => `.tier-${t}{background:${COLOURS.tier[t]}}`).join("\n")}
.count{display:inline-block;min-width:22px;padding:0 7px;border-radius:10px;background:#eef1f5;font-size:12.5px;text-align:center}
.small-text{font-size:13px;font-weight:400}
footer{margin-top:36px;padding-top:14px;border-top:1px solid #e3e7ed;font-size:12.5px;color:${COLOURS.muted}}
footer p{margin:4px 0}
details summary{cursor:pointer}
@media print{body{background:#fff}main{box-shadow:none;margin:0;max-width:none;padding:0}}
@media (max-width:720px){main{padding:24px 18px}.kpis{grid-template-columns:1fr 1fr}.grid2{grid-template-columns:1fr}}
`;

const REVIEWERS_SHOWN = 15;

export function renderReportHtml(h: ReportHeader, rows: ReportRow[], t: ReportTotals): string {
  const weeks = weeklySeries(rows, h.since, h.until);
  const last = day(new Date(h.until.getTime() - 1));
  const all = t.reverts.find((r) => r.tier === "all");
  const generated = `${h.generatedAt.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const reposText = `${h.repos} ${h.repos === 1 ? "repository" : "repositories"}`;
  const kpi = (value: string, label: string) =>
    `<div class="kpi"><div class="v">${esc(value)}</div><div class="l">${esc(label)}</div></div>`;
  const waitTiers = t.waits.map((w) => w.tier);
  const revertRows = t.reverts.filter((r) => r.aiMerged + r.otherMerged > 0);

  const sections: string[] = [];
  sections.push(
    `<section id="share"><h2>AI-assisted share of merged pull requests, by week</h2>` +
      `<div class="legend"><span><i style="background:${COLOURS.ai}"></i>AI-assisted</span><span><i style="background:${COLOURS.other}"></i>other</span><span>label: AI-assisted share of the week</span></div>` +
      shareChart(weeks) +
      `</section>`,
  );
  sections.push(
    `<section id="reverts"><h2>Reverted after merge: AI-assisted vs other pull requests, by tier</h2>` +
      `<p class="lede">A ratio is given only where both groups have at least ${MIN_PRS_TO_COMPARE} merged PRs; faded bars are too few to compare.</p>` +
      `<div class="legend"><span><i style="background:${COLOURS.ai}"></i>AI-assisted</span><span><i style="background:${COLOURS.other}"></i>other</span></div>` +
      (revertRows.length === 0 ? `<p class="muted">No pull request was merged in this range.</p>` : revertChart(revertRows)) +
      `</section>`,
  );
  sections.push(
    `<section id="waits"><h2>Wait for sign-off, by tier and week</h2>` +
      `<p class="lede">From Countersign's first check on the merged head to the sign-off, for the PRs merged that week.</p>` +
      `<div class="legend"><span><i class="line"></i>p50 (median)</span><span><i class="line dashed"></i>p90</span></div>` +
      (waitTiers.length === 0
        ? `<p class="muted">No gated pull request was signed off in this range.</p>`
        : `<div class="grid2">${waitTiers.map((tier) => waitChart(tier, weeks, t)).join("")}</div>`) +
      `</section>`,
  );
  sections.push(
    `<section id="load"><h2>Sign-offs per reviewer</h2>` +
      `<p class="lede">${esc(loadWords(t) ?? "No sign-offs in this range.")}${t.reviewers.length > REVIEWERS_SHOWN ? esc(` The ${REVIEWERS_SHOWN} busiest are shown.`) : ""}</p>` +
      (t.reviewers.length === 0 ? "" : loadChart(t, REVIEWERS_SHOWN)) +
      `</section>`,
  );
  if (t.openRequests !== undefined)
    sections.push(
      `<section id="open-requests"><h2>Waiting now: open review requests per senior</h2>` +
        `<p class="lede">Review requests on open AI-assisted pull requests, as GitHub lists them when the report was made.</p>` +
        (t.openRequests.length === 0
          ? `<p class="muted">No review request is waiting.</p>`
          : `<table><thead><tr><th>reviewer</th><th>open requests</th></tr></thead><tbody>${t.openRequests
              .slice(0, REVIEWERS_SHOWN)
              .map((r) => `<tr><td>@${esc(r.login)}</td><td>${r.open}</td></tr>`)
              .join("")}</tbody></table>`) +
        `</section>`,
    );
  sections.push(`<section id="exceptions"><h2>Overrides and bypasses</h2>${exceptions(rows, t)}</section>`);

  const skipped =
    h.skipped.length === 0
      ? ""
      : `<p><b>Left out</b> (the token cannot read them): ${h.skipped.map((s) => esc(s.split(":")[0] ?? s)).join(", ")}</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="referrer" content="no-referrer">
<title>Countersign report · ${esc(h.scope)} · ${day(h.since)} → ${last}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<p class="eyebrow">Countersign · outcome report</p>
<h1>${esc(h.scope)} · merged ${esc(shortDay(day(h.since)))} – ${esc(shortDay(last))} ${last.slice(0, 4)}</h1>
<p class="meta">${day(h.since)} → ${last} · ${esc(reposText)} · generated ${esc(generated)}</p>
</header>
<div class="summary" id="summary"><p>${summarySentences(t).map(esc).join(" ")}</p></div>
<div class="kpis">
${kpi(String(t.merged), "merged pull requests")}
${kpi(percent(t.aiAssisted, t.merged), `AI-assisted (${t.aiAssisted})`)}
${kpi(all && all.aiMerged > 0 ? `${percent(all.aiReverted, all.aiMerged)} vs ${percent(all.otherReverted, all.otherMerged)}` : "–", "reverted: AI-assisted vs other")}
${kpi(`${t.overrides.length} / ${t.bypasses.length}`, "overrides / bypasses")}
</div>
${sections.join("\n")}
<footer>
<p>Read from GitHub: the pull requests merged from ${day(h.since)} to ${last} and the check runs the Countersign app wrote on their merged heads (runs of any other app or workflow are ignored). Reverts: merged PRs that say "Reverts owner/repo#N" or "This reverts commit &lt;sha&gt;". A p90 is stated in words only from at least ${MIN_WAITS_FOR_P90} waits.</p>
${skipped}
<details><summary>${esc(reposText)} read</summary><p>${h.repoNames.map(esc).join(", ") || "none"}</p></details>
<p>${h.apiCalls} GitHub requests · countersign report</p>
</footer>
</main>
</body>
</html>
`;
}
