// Quality floor of the built-in detection on the shared labelled corpus (../shared/corpus): not a timing.
import { describe, expect, it } from "vitest";
import { CORPUS_DIR, FLOORS, corpusPresent, evaluateCorpus, scoreCorpus } from "../../bench/lib/detection-corpus.js";

const present = corpusPresent();
if (!present) console.warn(`detection-corpus: skipped, the corpus folder ${CORPUS_DIR} is absent (clone the repo next to shared/).`);

describe.skipIf(!present)("built-in detection on the labelled corpus (ambiguous excluded)", () => {
  const score = present ? scoreCorpus(evaluateCorpus()) : undefined;
  const list = (cases: NonNullable<typeof score>["falsePositives"]) =>
    cases.map((c) => `${c.name} [${c.kind}] ${c.signals.map((s) => s.id).join(",")}`).join("\n");

  it.each([
    ["commit", "commits"],
    ["pr", "PRs"],
  ] as const)("%s: precision and recall are at or above their floors", (source, name) => {
    const m = score!.bySource[source];
    const floor = FLOORS[source];
    const fps = score!.falsePositives.filter((c) => c.source === source);
    const fns = score!.falseNegatives.filter((c) => c.source === source);
    expect(m.precision, `${name} precision; false positives:\n${list(fps)}`).toBeGreaterThanOrEqual(floor.precision);
    expect(m.recall, `${name} recall; false negatives:\n${list(fns)}`).toBeGreaterThanOrEqual(floor.recall);
  });

  it("the floors are the issue's: commits 99.5% / 97%, PRs 99.5% / 95%", () => {
    expect(FLOORS).toEqual({ commit: { precision: 0.995, recall: 0.97 }, pr: { precision: 0.995, recall: 0.95 } });
  });

  it("no built-in signal fires mostly on negatives", () => {
    for (const s of score!.perSignal) expect(s.negatives, `${s.id} fired on ${s.negatives} negatives`).toBeLessThanOrEqual(s.positives);
  });

  it("the hard negatives hold: vendor staff, people named like tools, curl's Assisted-by, bots", () => {
    const hard = score!.cases.filter((c) => c.label === "not_ai" && /vendor-domain|tool-name|assisted-by-other|bot-/.test(c.kind));
    expect(hard.length).toBeGreaterThan(0);
    expect(hard.filter((c) => c.detected).map((c) => c.name)).toEqual([]);
  });
});
