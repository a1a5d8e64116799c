// Benchmark of detection quality: the built-in catalogue on the shared labelled corpus (../shared/corpus).
// Run: npm run bench:detection   — prints precision, recall, per-tool recall, per-signal firing
// counts and every false positive/negative, and updates the detection section of BENCHMARKS.md.
import { fileURLToPath } from "node:url";
import { CORPUS_DIR, corpusPresent, evaluateCorpus, scoreCorpus, type CaseResult } from "./lib/detection-corpus.js";
import { fmt, table, writeSection } from "./lib/report.js";

const COMMAND = "npm run bench:detection";
const BENCHMARKS = fileURLToPath(new URL("../BENCHMARKS.md", import.meta.url));
const PRECISION_FLOOR = 0.995;
const RECALL_FLOOR = 0.97;

if (!corpusPresent()) {
  console.error(`The corpus is not at ${CORPUS_DIR} (commits.jsonl, prs.jsonl): clone the repository next to shared/.`);
  process.exit(1);
}

const started = process.hrtime.bigint();
const cases = evaluateCorpus();
const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
const s = scoreCorpus(cases);
const pct = (x: number) => `${fmt(100 * x, 1)}%`;
const counts = (source: CaseResult["source"]) => {
  const of = cases.filter((c) => c.source === source);
  return `${of.length} ${source === "commit" ? "commits" : "PRs"} (${of.filter((c) => c.label === "ai").length} ai, ${of.filter((c) => c.label === "not_ai").length} not_ai, ${of.filter((c) => c.label === "ambiguous").length} ambiguous)`;
};

const describe = (c: CaseResult) =>
  `- ${c.source} ${c.name} [${c.tool}/${c.kind}]: ${c.signals.length > 0 ? c.signals.map((x) => `${x.id}: ${x.evidence}`).join("; ") : "no signal"} — label: ${c.reason}`;

const summary = [
  `Corpus: ${counts("commit")}, ${counts("pr")}; ambiguous cases are left out of precision and recall.`,
  "",
  table(
    ["measure", "value", "floor"],
    [
      ["precision", pct(s.precision), pct(PRECISION_FLOOR)],
      ["recall", pct(s.recall), pct(RECALL_FLOOR)],
      ["true positives", String(s.tp), ""],
      ["false positives", String(s.fp), ""],
      ["false negatives", String(s.fn), ""],
      ["true negatives", String(s.tn), ""],
    ],
  ),
  "",
  "Recall per tool:",
  "",
  table(
    ["tool", "found", "of", "recall"],
    s.perTool.map((t) => [t.tool, t.found, t.total, pct(t.found / t.total)]),
  ),
  "",
  "Cases each signal fired on (a case counts once per signal):",
  "",
  table(
    ["signal", "on ai", "on not_ai", "on ambiguous"],
    s.perSignal.map((x) => [x.id, x.positives, x.negatives, x.ambiguous]),
  ),
].join("\n");

const misses = [
  `False positives (${s.falsePositives.length}):`,
  ...s.falsePositives.map(describe),
  "",
  `False negatives (${s.falseNegatives.length}):`,
  ...s.falseNegatives.map(describe),
].join("\n");

console.log(summary);
console.log("");
console.log(misses);
console.log("");
console.log(`Detection over ${cases.length} cases took ${fmt(elapsedMs, 0)} ms.`);

writeSection(
  BENCHMARKS,
  "bench:detection",
  [
    "## Detection quality (`bench/detection.ts`)",
    "",
    `Command: \`${COMMAND}\`. The built-in catalogue (default policy) on the shared labelled corpus`,
    "(`../shared/corpus/`: real public commits and PRs, labelled from the evidence itself). Each commit is",
    "evaluated as a one-commit PR; each PR with its head branch, description and listed commits.",
    "The floors are asserted by `test/unit/detection-corpus.test.ts`.",
    "",
    summary,
    "",
    `False positives: ${s.falsePositives.length}; false negatives: ${s.falseNegatives.length} (the bench prints each one).`,
  ].join("\n"),
);
console.log(`Updated ${BENCHMARKS}`);
if (s.precision < PRECISION_FLOOR || s.recall < RECALL_FLOOR) process.exitCode = 1;
