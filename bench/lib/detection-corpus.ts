// Runs the app's built-in detection on the shared labelled corpus (../shared/corpus) and scores it.
// Shared by bench/detection.ts (prints the figures) and test/unit/detection-corpus.test.ts (asserts the floors).
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { detectAiAssistance } from "../../src/core/detect.js";
import type { CommitInfo, PullSnapshot } from "../../src/core/types.js";
import { DEFAULT_POLICY, type Policy } from "../../src/policy/schema.js";

/**
 * The corpus folder: $COUNTERSIGN_CORPUS if set, else shared/corpus beside the repository (CI clones
 * the repo next to shared/), else one level further up (a git worktree kept in a sub-folder).
 */
export const CORPUS_DIR = findCorpusDir();

function findCorpusDir(): string {
  const fromEnv = process.env.COUNTERSIGN_CORPUS;
  if (fromEnv) return fromEnv.endsWith("/") ? fromEnv : `${fromEnv}/`;
  const candidates = ["../../../shared/corpus/", "../../../../shared/corpus/"].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  return candidates.find((dir) => corpusPresent(dir)) ?? candidates[0]!;
}

export type Label = "ai" | "not_ai" | "ambiguous";

interface CorpusCommit {
  sha: string;
  author_name: string;
  author_email: string;
  committer_name: string;
  committer_email: string;
  message: string;
}

interface CommitRow extends CorpusCommit {
  repo: string;
  label: Label;
  tool: string;
  kind: string;
  reason: string;
}

interface PrRow {
  repo: string;
  number: number;
  author: string;
  head_ref: string;
  title: string;
  body: string;
  commits: CorpusCommit[];
  label: Label;
  tool: string;
  kind: string;
  reason: string;
}

/** One labelled case and what detection said about it. */
export interface CaseResult {
  source: "commit" | "pr";
  /** "repo@sha7" or "repo#branch": for the printed lists only, never used by a rule. */
  name: string;
  label: Label;
  tool: string;
  kind: string;
  reason: string;
  detected: boolean;
  signals: { id: string; evidence: string }[];
}

export interface SignalCount {
  id: string;
  positives: number;
  negatives: number;
  ambiguous: number;
}

/** Precision and recall of one set of cases (ambiguous left out). */
export interface Measure {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
}

/** The floors the corpus test asserts and the bench prints, per kind of case. */
export const FLOORS: Record<CaseResult["source"], { precision: number; recall: number }> = {
  commit: { precision: 0.995, recall: 0.97 },
  pr: { precision: 0.995, recall: 0.95 },
};

export interface CorpusScore extends Measure {
  cases: CaseResult[];
  /** Commits and PRs apart: each has its own floor. */
  bySource: Record<CaseResult["source"], Measure>;
  perTool: { tool: string; found: number; total: number }[];
  perSignal: SignalCount[];
  falsePositives: CaseResult[];
  falseNegatives: CaseResult[];
}

export function corpusPresent(dir = CORPUS_DIR): boolean {
  return existsSync(`${dir}commits.jsonl`) && existsSync(`${dir}prs.jsonl`);
}

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as T);
}

function toCommit(c: CorpusCommit): CommitInfo {
  // No linked accounts: the corpus has none, so identities are judged from name and email as
  // GitHub would link them (noreply addresses name their account).
  return {
    sha: c.sha,
    message: c.message,
    author: { name: c.author_name, email: c.author_email },
    committer: { name: c.committer_name, email: c.committer_email },
  };
}

function snapshotOf(commits: CommitInfo[], extra: Partial<PullSnapshot> = {}): PullSnapshot {
  return {
    owner: "corpus",
    repo: "corpus",
    number: 1,
    title: "",
    body: "",
    draft: false,
    state: "open",
    merged: false,
    author: { login: "corpus-reader", type: "User" },
    headSha: commits.at(-1)?.sha ?? "0".repeat(40),
    headRef: "",
    baseRef: "main",
    defaultBranch: "main",
    labels: [],
    files: [],
    changedFilesTotal: 0,
    additions: 0,
    deletions: 0,
    commits,
    // The corpus lists the commits that matter, not all of them: unread commits are not evidence here.
    commitsTotal: commits.length,
    reviews: [],
    labelEvents: [],
    requestedReviewers: [],
    requestedTeams: [],
    ...extra,
  };
}

/** A labelled case with what detection said about it. */
function scored(
  source: CaseResult["source"],
  name: string,
  row: Pick<CaseResult, "label" | "tool" | "kind" | "reason">,
  detection: ReturnType<typeof detectAiAssistance>,
): CaseResult {
  return {
    source,
    name,
    label: row.label,
    tool: row.tool,
    kind: row.kind,
    reason: row.reason,
    detected: detection.assisted,
    signals: detection.signals.map((s) => ({ id: s.id, evidence: s.evidence })),
  };
}

/** Runs detection on every commit (as a one-commit PR) and every PR of the corpus. */
export function evaluateCorpus(policy: Policy = DEFAULT_POLICY, dir = CORPUS_DIR): CaseResult[] {
  const results: CaseResult[] = [];
  const run = (snapshot: PullSnapshot) => detectAiAssistance(snapshot, policy);
  for (const row of readJsonl<CommitRow>(`${dir}commits.jsonl`)) {
    results.push(scored("commit", `${row.repo}@${row.sha.slice(0, 10)}`, row, run(snapshotOf([toCommit(row)]))));
  }
  for (const row of readJsonl<PrRow>(`${dir}prs.jsonl`)) {
    const author = row.author ? { login: row.author, type: row.author.endsWith("[bot]") ? "Bot" : "User" } : undefined;
    const d = run(
      snapshotOf(row.commits.map(toCommit), {
        title: row.title ?? "",
        body: row.body ?? "",
        headRef: row.head_ref ?? "",
        ...(author ? { author } : {}),
      }),
    );
    results.push(scored("pr", `${row.repo}#${row.number || row.head_ref}`, row, d));
  }
  return results;
}

function measure(cases: CaseResult[]): Measure {
  const labelled = cases.filter((c) => c.label !== "ambiguous");
  const tp = labelled.filter((c) => c.label === "ai" && c.detected).length;
  const fp = labelled.filter((c) => c.label === "not_ai" && c.detected).length;
  const fn = labelled.filter((c) => c.label === "ai" && !c.detected).length;
  const tn = labelled.filter((c) => c.label === "not_ai" && !c.detected).length;
  return { tp, fp, fn, tn, precision: tp + fp === 0 ? 1 : tp / (tp + fp), recall: tp + fn === 0 ? 1 : tp / (tp + fn) };
}

/** Precision and recall over the labelled cases (ambiguous left out), in all and per source, per tool and per signal. */
export function scoreCorpus(cases: CaseResult[]): CorpusScore {
  const labelled = cases.filter((c) => c.label !== "ambiguous");
  const { tp, fp, fn, tn, precision, recall } = measure(cases);
  const tools = new Map<string, { found: number; total: number }>();
  for (const c of labelled.filter((x) => x.label === "ai")) {
    const t = tools.get(c.tool) ?? { found: 0, total: 0 };
    t.total++;
    if (c.detected) t.found++;
    tools.set(c.tool, t);
  }
  const signals = new Map<string, SignalCount>();
  for (const c of cases) {
    for (const id of new Set(c.signals.map((s) => s.id))) {
      const s = signals.get(id) ?? { id, positives: 0, negatives: 0, ambiguous: 0 };
      if (c.label === "ai") s.positives++;
      else if (c.label === "not_ai") s.negatives++;
      else s.ambiguous++;
      signals.set(id, s);
    }
  }
  return {
    cases,
    tp,
    fp,
    fn,
    tn,
    precision,
    recall,
    bySource: { commit: measure(cases.filter((c) => c.source === "commit")), pr: measure(cases.filter((c) => c.source === "pr")) },
    perTool: [...tools].map(([tool, t]) => ({ tool, ...t })).sort((a, b) => b.total - a.total || a.tool.localeCompare(b.tool)),
    perSignal: [...signals.values()].sort((a, b) => b.positives + b.negatives - (a.positives + a.negatives) || a.id.localeCompare(b.id)),
    falsePositives: labelled.filter((c) => c.label === "not_ai" && c.detected),
    falseNegatives: labelled.filter((c) => c.label === "ai" && !c.detected),
  };
}
