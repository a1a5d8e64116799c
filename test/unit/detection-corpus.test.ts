// Quality floor of the built-in detection on the shared labelled corpus (../shared/corpus): not a timing.
import { describe, expect, it } from "vitest";
import { CORPUS_DIR, corpusPresent, evaluateCorpus, scoreCorpus } from "../../bench/lib/detection-corpus.js";

const present = corpusPresent();
if (!present) console.warn(`detection-corpus: skipped, the corpus folder ${CORPUS_DIR} is absent (clone the repo next to shared/).`);

describe.skipIf(!present)("built-in detection on the labelled corpus (ambiguous excluded)", () => {
  const score = present ? scoreCorpus(evaluateCorpus()) : undefined;
  const list = (cases: NonNullable<typeof score>["falsePositives"]) =>
    cases.map((c) => `${c.name} [${c.kind}] ${c.signals.map((s) => s.id).join(",")}`).join("\n");

  it("precision is at least 99.5%", () => {
    expect(score!.precision, `false positives:\n${list(score!.falsePositives)}`).toBeGreaterThanOrEqual(0.995);
  });

  it("recall is at least 97%", () => {
    expect(score!.recall, `false negatives:\n${list(score!.falseNegatives)}`).toBeGreaterThanOrEqual(0.97);
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
