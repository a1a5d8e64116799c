// `countersign check`: runs the app's detection, risk and sign-off rules on a local branch, offline.
import { basename, resolve } from "node:path";
import { parseArgs } from "node:util";
import { isGated } from "../core/decide.js";
import { evaluatePull, type PullSource } from "../core/evaluate-pull.js";
import { POLICY_PATH } from "../policy/paths.js";
import type { Actor, PullSnapshot } from "../core/types.js";
import type { Policy } from "../policy/schema.js";
import { validatePolicyText, type PolicyProblem } from "../policy/validate.js";
import {
  CliError,
  EXIT_INVALID_POLICY,
  EXIT_OK,
  checkReportJson,
  describePolicyOrigin,
  problemLine,
  renderCheckReport,
  type CheckReport,
  type Io,
  type PolicyOrigin,
} from "./format.js";
import {
  branchName,
  defaultBase,
  git,
  readChangedFiles,
  readCommits,
  readDiffFiles,
  readFileAt,
  readLocalNotes,
  repoRoot,
  resolveCommit,
} from "./git.js";
import { compareDiffs, digestDiff, hunkRanges, type BaseChanges } from "../core/same-diff.js";
import type { ApprovalCheck } from "./format.js";
import { isAgentTraceFile, type ProvenanceInput } from "../core/provenance.js";
import { readPolicyFile } from "./validate.js";

export const CHECK_USAGE = `Usage: countersign check [options]

Runs Countersign's AI detection, risk assessment and sign-off rules on the commits of
a local branch, as if it were a pull request. Needs no network and no GitHub token.

Options:
  --base REF      what the pull request would merge into (default: origin/HEAD, else main, else master)
  --head REF      the branch to check (default: HEAD)
  --policy FILE   policy file to use (default: .github/countersign.yml at the base, as the
                  app reads it from the default branch; else the built-in defaults)
  --repo DIR      the git repository (default: the current directory)
  --author LOGIN  the GitHub login that would open the pull request (checks author-based signals)
  --approved REF  a commit someone approved (repeatable): would that approval still count at the
                  head? With fresh_approval: same-diff it does when the branch's own changes
                  there equal the head's (only the base branch changed in between)
  --json          print one JSON object instead of the report
  -h, --help      show this help

Exit status: 0 checked (the result is informational), 1 invalid policy, 2 error.`;

type LoadedPolicy =
  | { ok: true; policy: Policy; origin: PolicyOrigin; label: string }
  | { ok: false; problems: PolicyProblem[]; origin: PolicyOrigin; label: string };

/** --policy FILE, else the repository's policy at the base (the app reads the default branch's), else the defaults. */
async function loadPolicy(io: Io, root: string, policyFile: string | undefined, base: string, baseSha: string): Promise<LoadedPolicy> {
  let origin: PolicyOrigin;
  let text: string;
  if (policyFile !== undefined) {
    origin = { source: "file", path: policyFile };
    text = await readPolicyFile(io.cwd, policyFile);
  } else {
    const atBase = await readFileAt(root, baseSha, POLICY_PATH);
    if (atBase === undefined) origin = { source: "defaults", ref: base };
    else origin = { source: "repo", path: POLICY_PATH, ref: base };
    text = atBase ?? "";
  }
  const label = origin.source === "repo" ? `${base}:${POLICY_PATH}` : origin.source === "file" ? origin.path : "defaults";
  const result = validatePolicyText(text);
  return result.ok ? { ok: true, policy: result.policy, origin, label } : { ok: false, problems: result.problems, origin, label };
}

/** Would an approval given on each REF still count at the head, under the policy's fresh_approval? */
async function checkApprovals(root: string, baseSha: string, headSha: string, refs: string[], policy: Policy): Promise<ApprovalCheck[]> {
  const fresh = policy.signoff.fresh_approval;
  const mergeBase = async (sha: string) => (await git(root, ["merge-base", baseSha, sha])).trim();
  const headBase = fresh === "same-diff" ? await mergeBase(headSha) : undefined;
  const head = fresh === "same-diff" ? digestDiff(await readDiffFiles(root, baseSha, headSha), headBase) : undefined;
  return Promise.all(
    refs.map(async (ref): Promise<ApprovalCheck> => {
      const sha = await resolveCommit(root, checkRef(ref, "--approved"), "--approved");
      if (sha === headSha) return { ref, sha, counts: true, reason: "given on the head" };
      if (fresh === false) return { ref, sha, counts: true, reason: "fresh_approval is false: an approval on any commit counts" };
      if (fresh === true) return { ref, sha, counts: false, reason: "fresh_approval is true: only an approval on the head counts" };
      let approved;
      let approvedBase: string | undefined;
      try {
        approvedBase = await mergeBase(sha);
        approved = digestDiff(await readDiffFiles(root, baseSha, sha), approvedBase);
      } catch (err) {
        approved = { ok: false as const, reason: (err as Error).message };
      }
      let comparison = compareDiffs(sha, approved, head!);
      // Hunks at other lines while the merge base moved: the base's own changes in between may have carried them there.
      if (comparison.needsBaseChanges && approvedBase && headBase) {
        const base: BaseChanges = new Map();
        for (const file of await readDiffFiles(root, approvedBase, headBase)) if (file.patch) base.set(file.path, hunkRanges(file.patch));
        comparison = compareDiffs(sha, approved, head!, base);
      }
      return { ref, sha, counts: comparison.same, reason: comparison.reason };
    }),
  );
}

function checkRef(ref: string, flag: string): string {
  if (ref === "" || ref.startsWith("-")) throw new CliError(`${flag} needs a git ref, got ${JSON.stringify(ref)}`);
  return ref;
}

export async function runCheck(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      base: { type: "string" },
      head: { type: "string" },
      policy: { type: "string" },
      repo: { type: "string" },
      author: { type: "string" },
      approved: { type: "string", multiple: true },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.out(`${CHECK_USAGE}\n`);
    return EXIT_OK;
  }
  if (positionals.length > 0)
    throw new CliError(`check takes no arguments, got ${positionals.join(" ")} (did you mean --head ${positionals[0]}?)`);

  const root = await repoRoot(resolve(io.cwd, values.repo ?? "."));
  const base = checkRef(values.base ?? (await defaultBase(root)), "--base");
  const head = checkRef(values.head ?? "HEAD", "--head");
  const [baseSha, headSha] = await Promise.all([resolveCommit(root, base, "--base"), resolveCommit(root, head, "--head")]);

  const loaded = await loadPolicy(io, root, values.policy, base, baseSha);
  if (!loaded.ok) {
    if (values.json) {
      io.out(`${JSON.stringify({ policy: loaded.origin, problems: loaded.problems }, null, 2)}\n`);
    } else {
      io.err(`Invalid policy: ${describePolicyOrigin(loaded.origin)}. Countersign would fail its check with:\n`);
      for (const problem of loaded.problems) io.err(`${problemLine(loaded.label, problem)}\n`);
    }
    return EXIT_INVALID_POLICY;
  }
  const { policy } = loaded;

  const [commits, files, headBranch, baseBranch] = await Promise.all([
    readCommits(root, baseSha, headSha),
    readChangedFiles(root, baseSha, headSha),
    branchName(root, head),
    branchName(root, base).catch(() => ""),
  ]);
  const author: Actor = values.author !== undefined ? { login: values.author.replace(/^@/, "") } : { login: "" };
  if (/\[bot\]$/i.test(author.login)) author.type = "Bot";

  const snapshot: PullSnapshot = {
    owner: "local",
    repo: basename(root),
    number: 0,
    title: commits[0]?.message.split("\n")[0] ?? "",
    body: "",
    draft: false,
    state: "open",
    merged: false,
    author,
    headSha,
    headRef: headBranch,
    // The branch name, as `branches` globs name it ("origin/main" → "main").
    baseRef: baseBranch || base,
    defaultBranch: base,
    labels: [],
    files,
    changedFilesTotal: files.length,
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
    commits,
    commitsTotal: commits.length,
    reviews: [],
    labelEvents: [],
    requestedReviewers: [],
    requestedTeams: [],
  };

  // The same evaluation the app runs (core/evaluate-pull.ts), from the local checkout; reviews and
  // team lookups are the app's part.
  const { plan, snapshot: evaluated } = await evaluatePull(localSource(root, snapshot), policy);

  const notes: string[] = [];
  if (commits.length === 0) notes.push(`no commits in ${base}..${head}: nothing to check`);
  notes.push(
    `Not checked locally: the pull request's description, labels and reviews${values.author === undefined ? ", and its author (pass --author LOGIN)" : ""}.`,
  );
  for (const bot of plan.detection.unrecognised ?? []) {
    const value = bot.policyKey === "detection.emails" && bot.email ? bot.email : bot.login;
    notes.push(
      `Unrecognised automation: ${bot.login} (${bot.roles.join(", ")} of ${bot.commits.length} commit(s)) is in no list and does not gate; if it is an AI agent, add ${JSON.stringify(value)} to ${bot.policyKey}.`,
    );
  }
  if (headBranch === "") notes.push(`${head} is not a branch, so head-branch prefixes were not checked.`);
  if (policy._extends !== undefined) {
    notes.push(`The policy extends ${policy._extends}, which is not read offline: only this file's keys and the defaults apply.`);
  }
  if (loaded.origin.source !== "file" && files.some((f) => f.path === POLICY_PATH || f.previousPath === POLICY_PATH)) {
    notes.push(
      `This branch changes ${POLICY_PATH}; like the app, the check used the policy at ${base}. To try your version: --policy ${POLICY_PATH}`,
    );
  }
  if (loaded.origin.source === "defaults") {
    notes.push(
      "With no policy in the repository, the app on GitHub would use the organisation's .github repository's policy if it has one.",
    );
  }

  const report: CheckReport = {
    range: {
      base,
      head,
      baseSha,
      headSha,
      headBranch,
      commits: commits.length,
      files: files.length,
      additions: evaluated.additions,
      deletions: evaluated.deletions,
    },
    policy: loaded.origin,
    mode: policy.mode,
    gate: policy.gate,
    gated: isGated(policy, plan.inScope, plan.detection.assisted),
    ...(plan.inScope ? {} : { outOfScope: { baseRef: snapshot.baseRef, branches: policy.branches ?? [] } }),
    ...(values.approved ? { approvals: await checkApprovals(root, baseSha, headSha, values.approved, policy) } : {}),
    detection: plan.detection,
    risk: plan.risk,
    requirement: plan.requirement,
    notes,
  };
  io.out(values.json ? checkReportJson(report) : renderCheckReport(report));
  return EXIT_OK;
}

/**
 * The local git `PullSource`: provenance records as the app reads them (Agent Trace files the branch
 * changes, at the head, and the local refs/notes/ai for its commits); no history, reviews, people or
 * check run offline.
 */
function localSource(root: string, snapshot: PullSnapshot): PullSource {
  return {
    snapshot,
    provenance: (s) => readLocalProvenance(root, s.headSha, s),
    // Other PRs' labels and merge commits are GitHub's to say: nothing offline.
    carriedPulls: async () => [],
    // Path-scoped freshness needs reviews, which a local branch has none of.
    changedSince: async () => undefined,
    history: async () => ({ labelEvents: [], reviewRequestEvents: [], baseChanges: [] }),
    // Files without a diff are searched as the branch's diff shows them (no content read offline).
    contents: async (s) => s,
    directory: async () => new Map(),
    coAuthors: async () => [],
    keptOverrides: async () => [],
    sameDiff: async () => ({}),
  };
}

async function readLocalProvenance(root: string, headSha: string, snapshot: PullSnapshot): Promise<ProvenanceInput | undefined> {
  const problems: string[] = [];
  const [agentTrace, gitAiNotes] = await Promise.all([
    Promise.all(
      snapshot.files.filter(isAgentTraceFile).map(async (f) => {
        const text = await readFileAt(root, headSha, f.path).catch(() => undefined);
        return text === undefined ? { path: f.path, error: "not readable at the head" } : { path: f.path, text };
      }),
    ),
    readLocalNotes(
      root,
      snapshot.commits.map((c) => c.sha),
    ).catch((err: Error) => {
      problems.push(`Git AI notes (refs/notes/ai) could not be read: ${err.message}`);
      return [];
    }),
  ]);
  if (agentTrace.length === 0 && gitAiNotes.length === 0 && problems.length === 0) return undefined;
  return { agentTrace, gitAiNotes, problems };
}
