// Risk assessment: the blast radius of a pull request as one tier, with every rule that put it there.
//
// How rules see a pull request: globs in ./glob-match.ts (picomatch 4 semantics, { dot: true },
// case-sensitive), content regexes in ./content-scan.ts (each changed line on its own). Everything is
// compiled once per policy object (bench/risk.bench.ts: a 3000-file PR against 200 rules).
import { ORG_POLICY_REPO, POLICY_PATHS } from "../policy/paths.js";
import { RISK_TIERS, type Policy, type RiskRule, type RiskTier } from "../policy/schema.js";
import { BUILTIN_RISK_RULES } from "./builtin-risk-rules.js";
import {
  compileContent,
  searchContent,
  unreadable,
  type ContentPattern,
  type ContentProgram,
  type RefusedPattern,
} from "./content-scan.js";
import { compileGlob, expandBraces, type GlobMatcher } from "./glob-match.js";
import { compileGlobs, type GlobTable } from "./glob-index.js";
import { PathMatcher, touchedComponents, type DirEntry, type PathHits } from "./path-matcher.js";
import type { ChangedFile, PullSnapshot, RiskAssessment, RiskReason } from "./types.js";

export { matchesGlob } from "./glob-match.js";

/** How many matching paths or values a reason lists; matchCount has the total. */
const MAX_MATCHES = 5;

export function tierRank(t: RiskTier): number {
  return RISK_TIERS.indexOf(t);
}

export function maxTier(a: RiskTier, b: RiskTier): RiskTier {
  return tierRank(b) > tierRank(a) ? b : a;
}

// ---------------------------------------------------------------------------------------------
// Compiling a policy

interface CompiledRule {
  rule: RiskRule;
  /** Content patterns that run in linear time. */
  content: ContentPattern[] | undefined;
  /** Content patterns that cannot (validation refuses them; only a direct caller gets here): the rule is taken to hold. */
  refused: RefusedPattern[];
}

/** Compiled matchers for one policy: build with compileRisk, use through assessRisk. Opaque. */
export interface CompiledRisk {
  readonly defaultTier: RiskTier;
  readonly rules: readonly CompiledRule[];
  readonly globs: GlobTable;
  readonly components: readonly GlobMatcher[];
  readonly content: ContentProgram;
  readonly usesComponents: boolean;
}

const compiledByPolicy = new WeakMap<Policy, CompiledRisk>();

/**
 * Compile a policy's risk rules (the built-in ones first, unless `risk.builtin: false`) once; later
 * calls with the same policy object return the same result. A policy is treated as immutable.
 */
export function compileRisk(policy: Policy): CompiledRisk {
  const cached = compiledByPolicy.get(policy);
  if (cached !== undefined) return cached;
  const rules: RiskRule[] = [...(policy.risk.builtin ? BUILTIN_RISK_RULES : []), ...policy.risk.rules];
  const { program, byRule, refusedByRule } = compileContent(rules);
  const compiled: CompiledRisk = {
    defaultTier: policy.risk.default,
    rules: rules.map((rule, i) => ({ rule, content: byRule[i], refused: refusedByRule[i]! })),
    globs: compileGlobs(rules),
    components: policy.risk.components.flatMap(expandBraces).flatMap((g) => compileGlob(g) ?? []),
    content: program,
    usesComponents: rules.some((rule) => rule.components !== undefined),
  };
  compiledByPolicy.set(policy, compiled);
  return compiled;
}

// ---------------------------------------------------------------------------------------------
// Evaluating one snapshot

/** Match every changed and previous path; also the directories seen, in order of first appearance. */
function matchPaths(compiled: CompiledRisk, files: readonly ChangedFile[]): { hits: PathHits; dirs: Iterable<[string, DirEntry]> } {
  const matcher = new PathMatcher(compiled.globs, compiled.rules.length);
  if (compiled.globs.matchers.length > 0 || compiled.usesComponents) {
    for (let i = 0; i < files.length; i++) {
      const file = files[i]!;
      matcher.match(file.path, i);
      if (file.previousPath !== undefined && file.previousPath !== file.path) matcher.match(file.previousPath, ~i);
    }
  }
  return { hits: matcher.hits, dirs: matcher.directories() };
}

const quote = (glob: string) => JSON.stringify(glob);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function listed(values: readonly string[], max: number): string {
  return values.length <= max ? values.join(", ") : `${values.slice(0, max).join(", ")}, …`;
}

function displayPath(files: readonly ChangedFile[], hit: number): string {
  if (hit >= 0) return files[hit]!.path;
  const file = files[~hit]!;
  return `${file.previousPath} → ${file.path}`;
}

/** What one evaluation knows about the snapshot, shared by the rules. */
interface Facts {
  files: readonly ChangedFile[];
  snapshot: PullSnapshot;
  changedLines: number;
  removed: number[];
  paths: PathHits;
  components: () => string[];
}

/** A rule whose conditions hold, with the files its content regexes matched. */
interface Holding {
  index: number;
  rule: RiskRule;
  contentFiles: number[];
  patterns: string[];
}

/** The reason for a rule that holds: which of its conditions did, with the values that made them hold. */
function reasonFor(facts: Facts, { index, rule, contentFiles, patterns }: Holding): RiskReason {
  const { files, snapshot, changedLines, removed } = facts;
  const pathHits = facts.paths.files[index]!;
  const clauses: string[] = [];
  let matches: string[] = [];
  let matchCount = 0;
  const use = (values: string[], count: number) => {
    if (matchCount === 0 && count > 0) [matches, matchCount] = [values, count];
  };
  if (rule.paths !== undefined) {
    const globs = rule.paths.filter((g) => facts.paths.globs[index]!.has(g));
    clauses.push(`paths match ${listed([...new Set(globs)].map(quote), MAX_MATCHES)}`);
  }
  if (rule.content !== undefined) {
    const more = contentFiles.length > 1 ? ` and ${plural(contentFiles.length - 1, "more file")}` : "";
    clauses.push(`content matches ${patterns.join(", ")} in ${files[contentFiles[0]!]!.path}${more}`);
    use(
      contentFiles.slice(0, MAX_MATCHES).map((f) => files[f]!.path),
      contentFiles.length,
    );
  }
  if (rule.paths !== undefined)
    use(
      pathHits.slice(0, MAX_MATCHES).map((h) => displayPath(files, h)),
      pathHits.length,
    );
  if (rule.deleted_files !== undefined) {
    clauses.push(`deletes at least ${rule.deleted_files} files (${removed.length})`);
    use(
      removed.slice(0, MAX_MATCHES).map((f) => files[f]!.path),
      removed.length,
    );
  }
  if (rule.components !== undefined) {
    const names = facts.components();
    clauses.push(`touches at least ${rule.components} components (${names.length}: ${listed(names, 3)})`);
    use(names.slice(0, MAX_MATCHES), names.length);
  }
  if (rule.changed_files !== undefined) {
    clauses.push(`changes at least ${rule.changed_files} files (${snapshot.changedFilesTotal})`);
    use([`${plural(snapshot.changedFilesTotal, "file")} changed`], 1);
  }
  if (rule.changed_lines !== undefined) {
    clauses.push(`changes at least ${rule.changed_lines} lines (${changedLines})`);
    use([`${plural(changedLines, "line")} changed (+${snapshot.additions} -${snapshot.deletions})`], 1);
  }
  return { tier: rule.tier, rule: rule.reason ?? clauses.join(" and "), matches: matches.slice(0, MAX_MATCHES), matchCount };
}

/**
 * Whether a path is read by a policy in force: the policy file, a file the edge found a policy reading
 * (snapshot.policyFiles), or — in the organisation's `.github` repository, whose files any repository
 * may `_extends` without this one knowing — any YAML file.
 */
function readByPolicy(snapshot: PullSnapshot, path: string, known: ReadonlySet<string>): boolean {
  return POLICY_PATHS.has(path) || known.has(path) || (snapshot.repo.toLowerCase() === ORG_POLICY_REPO && /\.ya?ml$/i.test(path));
}

/** Reasons that hold whatever the policy says: the policy guards itself, and what cannot be read is not low risk. */
function forcedReasons(snapshot: PullSnapshot, notes: string[]): RiskReason[] {
  const { files } = snapshot;
  const reasons: RiskReason[] = [];
  const known = new Set(snapshot.policyFiles ?? []);
  const policyFiles: string[] = [];
  for (const file of files) {
    if (readByPolicy(snapshot, file.path, known) && !policyFiles.includes(file.path)) policyFiles.push(file.path);
    const previous = file.previousPath;
    if (previous !== undefined && readByPolicy(snapshot, previous, known) && !policyFiles.includes(previous)) policyFiles.push(previous);
  }
  if (policyFiles.length > 0) {
    const own = policyFiles.every((p) => POLICY_PATHS.has(p));
    const rule = own
      ? "changes the Countersign policy file"
      : "changes a file that a Countersign policy in force reads (a policy file or an `_extends` target)";
    reasons.push({ tier: "critical", rule, matches: policyFiles.slice(0, MAX_MATCHES), matchCount: policyFiles.length });
  }
  if (files.length < snapshot.changedFilesTotal) {
    const rule = `changes ${snapshot.changedFilesTotal} files, more than GitHub lets the app read (${files.length}), so the rest cannot be assessed`;
    reasons.push({ tier: "critical", rule, matches: [], matchCount: 0 });
    notes.push(`GitHub listed only ${files.length} of the ${snapshot.changedFilesTotal} changed files; the rules saw only those.`);
  }
  if (snapshot.commits.length < snapshot.commitsTotal) {
    const rule = `has ${snapshot.commitsTotal} commits, more than GitHub lets the app read (${snapshot.commits.length}), so the rest cannot be checked`;
    reasons.push({ tier: "critical", rule, matches: [], matchCount: 0 });
    notes.push(`GitHub listed only ${snapshot.commits.length} of the ${snapshot.commitsTotal} commits.`);
  }
  return reasons;
}

/** Every rule whose conditions other than content hold, and which files each one's content regexes search. */
function rulesToSearch(compiled: CompiledRisk, snapshot: PullSnapshot) {
  const files = snapshot.files;
  const removed: number[] = [];
  for (let i = 0; i < files.length; i++) if (files[i]!.status === "removed") removed.push(i);
  const paths = matchPaths(compiled, files);
  let components: string[] | undefined;
  const facts: Facts = {
    files,
    snapshot,
    changedLines: snapshot.additions + snapshot.deletions,
    removed,
    paths: paths.hits,
    components: () => (components ??= touchedComponents(compiled.components, paths.dirs)),
  };

  // First every condition but content; then content, searched only in the files some rule needs.
  const holding: Holding[] = [];
  const scopes: (Set<number> | undefined)[] = [];
  compiled.rules.forEach(({ rule }, index) => {
    if (rule.changed_lines !== undefined && facts.changedLines < rule.changed_lines) return;
    if (rule.changed_files !== undefined && snapshot.changedFilesTotal < rule.changed_files) return;
    if (rule.deleted_files !== undefined && removed.length < rule.deleted_files) return;
    const pathHits = paths.hits.files[index]!;
    if (rule.paths !== undefined && pathHits.length === 0) return;
    if (rule.components !== undefined && facts.components().length < rule.components) return;
    holding.push({ index, rule, contentFiles: [], patterns: [] });
    // With paths, content is searched only in the files the paths matched.
    scopes.push(rule.content === undefined || rule.paths === undefined ? undefined : new Set(pathHits.map((h) => (h < 0 ? ~h : h))));
  });

  const searched = new Uint8Array(files.length);
  let searching = false;
  holding.forEach(({ rule }, i) => {
    if (rule.content === undefined) return;
    const scope = scopes[i];
    searching = true;
    if (scope === undefined) searched.fill(1);
    else for (const f of scope) searched[f] = 1;
  });
  return { facts, holding, scopes, searched, searching };
}

/**
 * The changed files whose diff GitHub did not send and that a content rule would search: the edge reads
 * their content (at the head; at the base for a removed file) before assessing. Others are never read.
 */
export function filesNeedingContent(snapshot: PullSnapshot, policy: Policy): ChangedFile[] {
  const { searched } = rulesToSearch(compileRisk(policy), snapshot);
  return snapshot.files.filter((file, f) => searched[f] === 1 && file.content === undefined && unreadable(file));
}

/** Assess the blast radius of a pull request: its tier, every rule that matched, and what could not be seen. */
export function assessRisk(snapshot: PullSnapshot, policy: Policy): RiskAssessment {
  const compiled = compileRisk(policy);
  const files = snapshot.files;
  const notes: string[] = [];
  const reasons = forcedReasons(snapshot, notes);
  const { facts, holding, scopes, searched, searching } = rulesToSearch(compiled, snapshot);
  const found = searching ? searchContent(compiled.content, files, searched) : [];

  for (let i = 0; i < holding.length; i++) {
    const h = holding[i]!;
    const { content: patterns, refused } = compiled.rules[h.index]!;
    if (refused.length > 0) {
      // Fail closed: a pattern that cannot run in linear time is never run, and the rule holds.
      const scope = [...(scopes[i] ?? files.keys())].sort((a, b) => a - b);
      const shown = scope.slice(0, MAX_MATCHES).map((f) => files[f]!.path);
      const why = refused.map((p) => `/${p.source}/ ${p.problem}`).join("; ");
      reasons.push({
        tier: h.rule.tier,
        rule: `${h.rule.reason ? `${h.rule.reason}: ` : ""}content rule cannot be run (${why}), so it is taken to hold`,
        matches: shown,
        matchCount: scope.length,
      });
      continue;
    }
    if (patterns !== undefined) {
      const scope = scopes[i];
      const inFiles = new Set<number>();
      for (const pattern of patterns) {
        let any = false;
        for (const f of found[pattern.id]!) {
          if (scope !== undefined && !scope.has(f)) continue;
          inFiles.add(f);
          any = true;
        }
        if (any) h.patterns.push(`/${pattern.source}/`);
      }
      if (inFiles.size === 0) {
        // Fail closed: a file in the rule's scope whose content could not be read may hold the match.
        const blind = [...(scope ?? files.keys())].filter((f) => unreadable(files[f]!)).sort((a, b) => a - b);
        if (blind.length === 0) continue;
        const shown = blind.slice(0, MAX_MATCHES).map((f) => files[f]!.path);
        const rule = `${h.rule.reason ? `${h.rule.reason}: ` : ""}content rule (${patterns.map((p) => `/${p.source}/`).join(", ")}) could not read ${listed(shown, MAX_MATCHES)}, so it is taken to hold`;
        reasons.push({ tier: h.rule.tier, rule, matches: shown, matchCount: blind.length });
        continue;
      }
      h.contentFiles = [...inFiles].sort((a, b) => a - b);
    }
    reasons.push(reasonFor(facts, h));
  }

  const names: string[] = [];
  for (let f = 0; f < files.length; f++) if (searched[f] === 1 && unreadable(files[f]!)) names.push(files[f]!.path);
  if (names.length > 0) {
    const why = [
      ...new Set(names.map((n) => files.find((f) => f.path === n)?.content).flatMap((c) => (c && "unreadable" in c ? [c.unreadable] : []))),
    ];
    notes.push(
      `content rules could not read ${plural(names.length, "file")} without a diff (binary, or too large for GitHub to show)${why.length > 0 ? ` nor its content (${why.join("; ")})` : ""}: ${listed(names, MAX_MATCHES)}; a content rule that searches them is taken to hold`,
    );
  }
  const read = files
    .filter((f, i) => searched[i] === 1 && f.patch === undefined && f.content !== undefined && "text" in f.content)
    .map((f) => f.path);
  if (read.length > 0) notes.push(`GitHub sent no diff for ${listed(read, MAX_MATCHES)}: content rules searched the whole file instead`);

  let tier = compiled.defaultTier;
  for (const reason of reasons) tier = maxTier(tier, reason.tier);
  // Highest tier first; within a tier, forced reasons, then built-in rules, then the policy's, in order (the sort is stable).
  reasons.sort((a, b) => tierRank(b.tier) - tierRank(a.tier));
  return { tier, reasons, notes };
}
