// Renders a verdict into the check run a reviewer reads in ten seconds: verdict first, then why.
import { formatProblem, type PolicyProblem } from "../policy/problems.js";
import type { Detection, GroupAssessment, PullSnapshot, RequirementGroup, Verdict } from "./types.js";
import { failureRecord, pullRecordOf, renderCheckRecord, type Gate } from "./check-record.js";
import type { HeadPart } from "./shared-head.js";
import { SAME_DIFF_REASON } from "./same-diff.js";
import { describeKept } from "./path-scope.js";
import { askedLines } from "./assign.js";
import { describeShare, type ProvenanceSummary } from "./provenance.js";

export type CheckStatus = "in_progress" | "completed";
export type CheckConclusion = "success" | "failure" | "neutral";

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "failure" | "warning" | "notice";
  message: string;
  title?: string;
}

/** What one check run should say. Two views with equal fields need no write. */
export interface CheckRunView {
  status: CheckStatus;
  conclusion?: CheckConclusion;
  title: string;
  summary: string;
  text: string;
  annotations?: CheckAnnotation[];
}

const GITHUB_SUMMARY_LIMIT = 65_535;
const MAX_LIST = 20;

const short = (sha: string) => sha.slice(0, 7);
const code = (s: string) => "`" + s.replace(/`/g, "ʼ").replace(/\r?\n/g, " ").slice(0, 200) + "`";
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
/** "@acme/sre", "@octocat", "anyone with maintain or admin permission". */
export function describeReviewer(spec: string): string {
  if (spec === "permission:maintain") return "anyone with maintain or admin permission";
  if (spec === "permission:admin") return "anyone with admin permission";
  return spec.startsWith("@") ? spec : `@${spec}`;
}

/** "2 approvals from @acme/principals, @acme/sre"; with groups, those that apply joined by "and". */
export function describeRequirement(r: { approvals: number; reviewers: string[]; groups?: RequirementGroup[] }): string {
  if (r.groups) {
    const applying = r.groups.filter((g) => g.applies);
    if (applying.length === 0) return "a group of signoff.require that applies (none does)";
    return applying.map((g) => describeRequirement({ approvals: g.approvals, reviewers: g.reviewers })).join(" and ");
  }
  return `${r.approvals} approval${r.approvals === 1 ? "" : "s"} from ${r.reviewers.map(describeReviewer).join(", ")}`;
}

const who = (specs: string[]) => specs.map(describeReviewer).join(", ");
const people = (logins: string[]) => logins.map((l) => `@${l}`).join(", ");

function clip(markdown: string): string {
  if (markdown.length <= GITHUB_SUMMARY_LIMIT) return markdown;
  return `${markdown.slice(0, GITHUB_SUMMARY_LIMIT - 80)}\n\n… (cut to fit GitHub's limit)`;
}

function headline(v: Verdict): { icon: string; title: string } {
  const tier = v.risk.tier;
  const need = describeRequirement(v.requirement);
  switch (v.outcome) {
    case "not-gated":
      if (v.outOfScope)
        return { icon: "✅", title: `Not gated: the base branch ${v.outOfScope.baseRef} is outside the policy's branches (risk ${tier})` };
      return { icon: "✅", title: `Not AI-assisted: no sign-off needed (risk ${tier})` };
    case "approved":
      // approvals: 0 (core/signoff-groups.ts exemptionOf): nobody had to sign off.
      if (v.exemption !== undefined && v.approvedBy.length === 0) return { icon: "✅", title: `No sign-off needed: ${v.exemption}` };
      return { icon: "✅", title: `Signed off by ${people(v.approvedBy)} (risk ${tier})` };
    case "overridden":
      return { icon: "⚠️", title: `Overridden by @${v.override?.by ?? "?"}: ${v.override?.reason ?? ""}`.slice(0, 200) };
    case "changes-requested":
      return { icon: "❌", title: `Changes requested by ${people(v.blockedBy)} (risk ${tier})` };
    case "waiting": {
      if (v.requirement.groups && v.groups) {
        const applying = v.groups.filter((g) => g.applies);
        const next = applying.filter((g) => !g.satisfied).map((g) => describeRequirement(g));
        return {
          icon: "⏳",
          title: `Waiting for ${next.join(" and ")} (${applying.length - next.length} of ${applying.length} groups signed off, risk ${tier})`,
        };
      }
      return { icon: "⏳", title: `Waiting for ${need} (${v.approvedBy.length} of ${v.requirement.approvals}, risk ${tier})` };
    }
    default:
      return { icon: "❌", title: "Could not evaluate" };
  }
}

function aiSection(v: Verdict): string[] {
  const lines = ["#### AI assistance"];
  if (v.detection.signals.length === 0 && v.memoryNotes.length === 0) lines.push("No evidence of AI assistance found.");
  for (const s of v.detection.signals.slice(0, MAX_LIST)) {
    lines.push(`- ${s.description}: ${code(s.evidence)}${s.commit ? ` in ${short(s.commit)}` : ""}`);
  }
  if (v.detection.signals.length > MAX_LIST) lines.push(`- … and ${v.detection.signals.length - MAX_LIST} more`);
  for (const note of v.memoryNotes) lines.push(`- ${note}`);
  lines.push(...provenanceLines(v.detection.provenance));
  lines.push(...unrecognisedLines(v.detection.unrecognised));
  return lines;
}

/** Bot accounts in the commits that no list knows: shown, never gating, with the key that would count them. */
function unrecognisedLines(bots: Detection["unrecognised"]): string[] {
  if (!bots || bots.length === 0) return [];
  const lines = ["", "**Unrecognised automation** (does not gate on its own; if it is an AI agent, add it to the policy):"];
  for (const b of bots.slice(0, MAX_LIST)) {
    const value = b.policyKey === "detection.emails" && b.email ? b.email : b.login;
    lines.push(
      `- ${code(b.login)} as ${b.roles.join(", ")} of ${b.commits.length} commit(s): count it with ${code(`${b.policyKey}: [${JSON.stringify(value)}]`)}`,
    );
  }
  if (bots.length > MAX_LIST) lines.push(`- … and ${bots.length - MAX_LIST} more`);
  return lines;
}

/** The AI share of the added lines from provenance records, and what could not be read. */
function provenanceLines(summary: ProvenanceSummary | undefined): string[] {
  if (!summary) return [];
  const share = describeShare(summary);
  const problems = summary.problems.slice(0, MAX_LIST).map((p) => `- ⚠️ ${p}`);
  if (summary.problems.length > MAX_LIST) problems.push(`- … and ${summary.problems.length - MAX_LIST} more provenance problems`);
  return [...(share ? [`- ${share}`] : []), ...problems];
}

function riskSection(v: Verdict): string[] {
  const lines = [`#### Risk: ${v.risk.tier}`];
  if (v.risk.reasons.length === 0) lines.push(`No risk rule matched; the default tier is ${v.risk.tier}.`);
  for (const r of v.risk.reasons.slice(0, MAX_LIST)) {
    const more = r.matchCount > r.matches.length ? ` (+${r.matchCount - r.matches.length} more)` : "";
    const matches = r.matches.length > 0 ? `: ${r.matches.map(code).join(", ")}${more}` : "";
    lines.push(`- **${r.tier}**: ${r.rule}${matches}`);
  }
  for (const note of v.risk.notes) lines.push(`- _Note:_ ${note}`);
  return lines;
}

const profile = (login: string) => `[@${login}](https://github.com/${encodeURIComponent(login)})`;

/** Who could sign off now, for one group: profile links, capped, "and N more". */
export interface SignoffCandidates {
  logins: string[];
  /** How many in all (may exceed logins.length). */
  total: number;
  /** What could not be listed, e.g. "the members of @acme/sre (403)". */
  errors: string[];
  /** A list was cut at its last page read: the total is at least `total`. */
  incomplete?: boolean;
}

function candidatesLine(c: SignoffCandidates | undefined): string[] {
  if (!c) return [];
  const more = c.total > c.logins.length || c.incomplete ? ` and ${c.incomplete ? "at least " : ""}${c.total - c.logins.length} more` : "";
  const listed =
    c.logins.length > 0
      ? `Could sign off now: ${c.logins.map(profile).join(", ")}${more}.`
      : c.errors.length === 0
        ? "Nobody could sign off now: no eligible person is in these reviewers."
        : "";
  const errors = c.errors.length > 0 ? ` Could not list ${c.errors.join("; ")}.` : "";
  return listed || errors ? [`${listed}${errors}`.trim()] : [];
}

function groupLine(g: GroupAssessment, candidates: SignoffCandidates | undefined): string[] {
  const need = describeRequirement(g);
  if (!g.applies) return [`- ➖ ${need}: ${g.why} (${g.source}).`];
  if (g.approvals === 0) return [`- ✅ ${who(g.reviewers)}: exempt, the policy needs 0 approvals here; ${g.why} (${g.source}).`];
  const by = g.approvedBy.length > 0 ? `signed off by ${people(g.approvedBy)}` : "";
  if (g.satisfied) return [`- ✅ ${need}: ${by}; ${g.why} (${g.source}).`];
  const progress = `${g.approvedBy.length} of ${g.approvals}${by ? `, ${by}` : ""}`;
  return [`- ⏳ ${need}: ${progress}; ${g.why} (${g.source}).`, ...candidatesLine(candidates).map((l) => `  ${l}`)];
}

function freshnessRule(snapshot: PullSnapshot, fresh: FreshApproval): string {
  const head = code(short(snapshot.headSha));
  if (fresh === "same-diff")
    return `approvals count on the head commit ${head}, or on an earlier commit whose own changes are the same as the head's (fresh_approval: same-diff)`;
  if (fresh === false) return "approvals on any commit of the PR count (fresh_approval: false)";
  return `approvals count on the head commit ${head}`;
}

type FreshApproval = boolean | "same-diff";

function signoffSection(v: Verdict, snapshot: PullSnapshot, ctx: RenderContext = { policySources: [] }): string[] {
  const r = v.requirement;
  const lines = ["#### Sign-off"];
  if (!v.gated && v.outOfScope) {
    lines.push(
      `Not required: this PR merges into ${code(v.outOfScope.baseRef)}, and the policy's \`branches\` (${v.outOfScope.branches.map(code).join(", ")}) do not include it.`,
    );
    return lines;
  }
  // approvals: 0 without groups: nobody needs to sign off (with groups, each group says it is exempt).
  if (v.gated && v.exemption !== undefined && !r.groups) {
    lines.push(`Not required: ${v.exemption}.`);
    return lines;
  }
  if (v.gated && r.groups && v.groups) {
    const fresh = ctx.freshApproval ?? true;
    lines.push(`Needs every group that applies at risk **${r.tier}** (from ${r.source}); ${freshnessRule(snapshot, fresh)}:`);
    for (const g of v.groups) lines.push(...groupLine(g, ctx.candidates?.get(g.source)));
    lines.push(
      "One person's approval may satisfy several groups. The PR author, bots, AI identities and people who committed to the PR cannot sign off.",
    );
    return lines;
  }
  if (!v.gated) {
    lines.push("Not required: this PR is not AI-assisted and the policy gates only AI-assisted PRs.");
    return lines;
  }
  lines.push(
    `Needs **${plural(r.approvals, "approval")}** from ${who(r.reviewers)} at risk **${r.tier}** (from ${r.source})` +
      `; ${freshnessRule(snapshot, ctx.freshApproval ?? true)}.`,
    "The PR author, bots, AI identities and people who committed to the PR cannot sign off.",
  );
  if (v.outcome === "waiting") lines.push(...candidatesLine(ctx.candidates?.get(r.source)));
  return lines;
}

/** One line per approval that same-diff kept, right under the verdict: why an older approval still counts. */
function keptApprovals(v: Verdict): string[] {
  if (!v.gated) return [];
  const kept = v.reviews.filter((r) => r.counted && r.basis === "same-diff");
  // Path-scoped freshness and who is asked: worded in core/path-scope.ts and core/assign.ts.
  const seniors = [...(v.keptByPath ?? []).map(describeKept), ...(v.pathScopeNotes ?? []), ...askedLines(v.asked)];
  if (kept.length === 0 && seniors.length === 0) return [];
  return [...kept.map((r) => `@${r.login} approved on ${code(short(r.commitId))}; ${SAME_DIFF_REASON}.`), ...seniors, ""];
}

/** The exemption, when the policy needs nobody's sign-off here. */
function exemptionLines(v: Verdict): string[] {
  return v.gated && v.exemption !== undefined ? [`No sign-off needed: ${v.exemption}.`, ""] : [];
}

function reviewsSection(v: Verdict): string[] {
  if (!v.gated) return [];
  if (v.reviews.length === 0) return ["#### Reviews", "No reviews yet."];
  const lines = ["#### Reviews", "| reviewer | review | counts | why |", "|---|---|---|---|"];
  for (const r of v.reviews.slice(0, MAX_LIST * 2)) {
    const state = r.state.toLowerCase().replace("_", " ");
    const mark = r.counted ? (r.state === "CHANGES_REQUESTED" ? "blocks" : "yes") : "no";
    lines.push(`| @${r.login} | ${state} on ${short(r.commitId)} | ${mark} | ${r.reason.replace(/\|/g, "\\|")} |`);
  }
  return lines;
}

function labelsSection(v: Verdict, labelErrors: string[]): string[] {
  const notes = [...v.labels.notes, ...labelErrors];
  return notes.length === 0 ? [] : ["#### Labels and review requests", ...notes.map((n) => `- ${n}`)];
}

/** A policy file changed by the PR itself: validated, and compared, but never governing its own PR. */
export interface ProposedPolicy {
  path: string;
  problems: PolicyProblem[];
  /** What it would change for this PR, when it is valid. */
  changes: string[];
}

export interface RenderContext {
  /** Where the policy came from, e.g. "acme/.github:.github/countersign.yml"; empty = built-in defaults. */
  policySources: string[];
  /** Problems writing labels or requesting reviews, shown but never changing the verdict. */
  sideEffectErrors?: string[];
  proposedPolicy?: ProposedPolicy;
  /** The policy's signoff.fresh_approval, for the sentence on which commits approvals count on (default true). */
  freshApproval?: FreshApproval;
  /** Who could sign off now, per group source (a requirement's `source` when it has no groups). */
  candidates?: Map<string, SignoffCandidates>;
}

function problemLine(p: PolicyProblem): string {
  return `- ${formatProblem(p, undefined, code)}`;
}

function proposedSection(proposed: ProposedPolicy | undefined): string[] {
  if (!proposed) return [];
  const lines = [`#### Policy proposed in this PR (${code(proposed.path)})`];
  if (proposed.problems.length > 0) {
    lines.push(
      `❌ ${plural(proposed.problems.length, "problem")}; this check fails until they are fixed, so an invalid policy cannot be merged:`,
    );
    lines.push(...proposed.problems.slice(0, 50).map(problemLine));
    return lines;
  }
  lines.push("Valid. It does not govern this PR: the default branch's policy does.");
  if (proposed.changes.length === 0) lines.push("Once merged, it would change nothing for this PR.");
  else lines.push(`Once merged, for this PR: ${proposed.changes.join("; ")}.`);
  return lines;
}

/** Problems in a proposed policy file, as annotations on the lines they are on. */
export function policyAnnotations(proposed: ProposedPolicy): CheckAnnotation[] {
  return proposed.problems.slice(0, 50).map((p) => ({
    path: proposed.path,
    start_line: p.line ?? 1,
    end_line: p.line ?? 1,
    annotation_level: "failure" as const,
    title: "Invalid Countersign policy",
    message: `${p.path ? `${p.path}: ` : ""}${p.message}`,
  }));
}

export function renderVerdict(v: Verdict, snapshot: PullSnapshot, ctx: RenderContext): CheckRunView {
  return renderPart(v, snapshot, ctx).view;
}

/** The check one PR would get alone, and its record (the verdict for its base: pass, wait or fail). */
export function renderPart(v: Verdict, snapshot: PullSnapshot, ctx: RenderContext): HeadPart {
  const { icon, title } = headline(v);
  const report = v.mode === "report";
  const finalTitle = report ? `Report mode: ${v.outcome === "waiting" ? "would wait" : "would pass"}: ${title}` : title;
  const verdictLine = report ? `### ℹ️ Report mode, nothing is blocked. In enforce mode: ${icon} ${title}` : `### ${icon} ${title}`;
  const policy = ctx.policySources.length > 0 ? ctx.policySources.map(code).join(" extended by ") : "built-in defaults (no policy file)";
  const summary = [
    verdictLine,
    "",
    ...exemptionLines(v),
    ...keptApprovals(v),
    ...aiSection(v),
    "",
    ...riskSection(v),
    "",
    ...signoffSection(v, snapshot, ctx),
    "",
    ...reviewsSection(v),
    "",
    ...labelsSection(v, ctx.sideEffectErrors ?? []),
    "",
    ...proposedSection(ctx.proposedPolicy),
    "",
    `<sub>Policy: ${policy} · head ${code(short(snapshot.headSha))} · \`/countersign recheck\` re-evaluates</sub>`,
  ].join("\n");
  const invalidProposal = (ctx.proposedPolicy?.problems.length ?? 0) > 0;
  // The verdict decides (core/check-record.ts gateOf); the status and conclusion only say it.
  const record = pullRecordOf(v, snapshot, describeRequirement(v.requirement), invalidProposal);
  const view: CheckRunView = {
    ...checkStateFor(record.gate, report && !invalidProposal),
    title: (invalidProposal ? `The policy proposed in this PR is invalid · ${finalTitle}` : finalTitle).slice(0, 250),
    summary: clip(summary.replace(/\n{3,}/g, "\n\n")),
    // The record: the verdict, for this base, and the override kept (read by the next evaluation, after the merge, by the report).
    text: renderCheckRecord({ pulls: [record], overrides: v.override ? [v.override] : [] }),
    ...(invalidProposal && ctx.proposedPolicy ? { annotations: policyAnnotations(ctx.proposedPolicy) } : {}),
  };
  return { view, record };
}

/** The PR a failing check is for, when known (its record names it; its base may be unknown). */
export interface FailingPull {
  number: number;
  baseRef?: string | undefined;
}

const failureText = (pull: FailingPull | undefined, outcome: "invalid-policy" | "error") =>
  pull ? renderCheckRecord({ pulls: [failureRecord(pull.number, pull.baseRef ?? "", outcome)], overrides: [] }) : "";

export function renderInvalidPolicy(problems: PolicyProblem[], sources: string[], pull?: FailingPull): CheckRunView {
  const where = sources.length > 0 ? sources.map(code).join(", ") : "the policy";
  const list = problems.slice(0, 50).map(problemLine);
  const summary = [
    `### ❌ Invalid policy: ${plural(problems.length, "problem")} in ${where}`,
    "",
    "Countersign will not open the gate while the policy that governs this repository is invalid. Fix it on the default branch:",
    "",
    ...list,
    ...(problems.length > 50 ? [`- … and ${problems.length - 50} more`] : []),
    "",
    "<sub>`countersign validate .github/countersign.yml` checks a policy before you push it (the CLI is installed from the Countersign repository, not from npm; or use its GitHub Action: docs/cli.md).</sub>",
  ].join("\n");
  return {
    status: "completed",
    conclusion: "failure",
    title: `Invalid policy: ${plural(problems.length, "problem")}`,
    summary: clip(summary),
    text: failureText(pull, "invalid-policy"),
  };
}

/** How GitHub shows a gate: a wait is in progress, a pass succeeds (neutral in report mode), a fail fails. */
export function checkStateFor(gate: Gate, report = false): Pick<CheckRunView, "status" | "conclusion"> {
  if (gate === "wait") return { status: "in_progress" };
  if (gate === "fail") return { status: "completed", conclusion: "failure" };
  return { status: "completed", conclusion: report ? "neutral" : "success" };
}

/** Whether the check's state (what a required check or a reader sees first) differs from what is there. */
export function checkStateChanges(existing: CheckRunView | undefined, view: CheckRunView): boolean {
  return !existing || existing.status !== view.status || existing.conclusion !== view.conclusion || existing.title !== view.title;
}

/** A reply to a `/countersign` command in a PR comment. */
export type CommandReply =
  | { kind: "unknown-command"; login: string; verb: string }
  | { kind: "override-needs-reason"; login: string }
  | { kind: "override-invalid-policy"; login: string }
  | { kind: "override-none-allowed"; login: string }
  | { kind: "override-refused"; login: string; why: string; allowed: string[] }
  | { kind: "override-head-moved"; login: string; head: string; headAt?: { how: "push" | "commit"; at: string }; commentAt: string }
  | { kind: "override-not-written"; login: string; head: string }
  | { kind: "override-applied"; login: string; head: string; reason: string; passes: boolean };

export function renderCommandReply(reply: CommandReply): string {
  const who = `@${reply.login}`;
  switch (reply.kind) {
    case "unknown-command":
      return `${who} Countersign knows \`/countersign recheck\` and \`/countersign override <reason>\`, not \`${reply.verb || "(nothing)"}\`.`;
    case "override-needs-reason":
      return `${who} An override needs a reason: \`/countersign override <reason>\`. The reason is shown on the check.`;
    case "override-invalid-policy":
      return `${who} The override was not applied: the policy is invalid, so Countersign cannot tell who may override. Fix the policy first.`;
    case "override-none-allowed":
      return `${who} The override was not applied: this repository's policy allows no overrides (\`override.by\` is empty).`;
    case "override-refused":
      return `${who} The override was not applied: ${who} ${reply.why}. Only ${reply.allowed.join(", ")} may override.`;
    case "override-head-moved": {
      const head = short(reply.head);
      const when = reply.headAt ? ` (${reply.headAt.how === "push" ? "pushed" : "committed"} ${reply.headAt.at})` : "";
      return `${who} The override was not applied: the head of this pull request is now ${head}${when}, which came after your comment (${reply.commentAt}). An override applies to the commit it was given on; if ${head} should be overridden too, post the override again.`;
    }
    case "override-not-written":
      return `${who} The override was not applied: when Countersign evaluated the pull request, its head was no longer ${short(reply.head)} (or another override replaced this one). Post the override again if the current head should pass.`;
    case "override-applied": {
      const head = short(reply.head);
      const others = reply.passes
        ? ""
        : `\n\nThe check on ${head} still waits: it belongs to the commit, and another open pull request with this head has not passed yet (the check's summary names it).`;
      return `Override by ${who} applied to ${head}: ${reply.reason}\n\nIt holds for this pull request on that commit only; when the pull request moves past it, the new head needs sign-off (or another override) again.${others}`;
    }
  }
}

/** What made an evaluation fail, as the handler classified it; the words for it are chosen here. */
export type EvaluationFailure =
  | { kind: "coordination"; message: string }
  | { kind: "request"; status: number | undefined; message: string; timedOut: boolean };

/** The sentence a failing check gives for a failed evaluation. */
export function explainFailure(failure: EvaluationFailure): string {
  const { message } = failure;
  if (failure.kind === "coordination") {
    return `Countersign ${message}, so it did not evaluate this event: two replicas must never judge one pull request at once.`;
  }
  const { status } = failure;
  if (status === 403 || status === 429)
    return `GitHub refused a request (${status}: ${message}), probably a rate limit or a missing permission.`;
  if (failure.timedOut) return `GitHub did not answer in time (${message}).`;
  if (status !== undefined && status >= 500) return `GitHub answered with a server error (${status}) after retries.`;
  if (status !== undefined) return `GitHub answered ${status}: ${message}.`;
  return `An unexpected error: ${message}.`;
}

export function renderError(message: string, pull?: FailingPull): CheckRunView {
  return {
    status: "completed",
    conclusion: "failure",
    title: "Could not evaluate: the gate stays closed",
    summary: [
      "### ❌ Countersign could not evaluate this pull request",
      "",
      `${message}`,
      "",
      "The check fails closed until an evaluation succeeds. Press **Re-run** on this check, or comment `/countersign recheck` on the pull request.",
    ].join("\n"),
    text: failureText(pull, "error"),
  };
}

export function renderMergeGroup(): CheckRunView {
  return {
    status: "completed",
    conclusion: "success",
    title: "Merge queue: sign-off was checked on the pull request",
    summary: "Each pull request in this merge group passed Countersign on its own head before it entered the queue.",
    text: "",
  };
}

/** Annotations are not compared: the summary lists the same problems, so an equal summary means equal annotations. */
export function sameView(a: CheckRunView, b: CheckRunView): boolean {
  return (
    a.status === b.status &&
    (a.conclusion ?? null) === (b.conclusion ?? null) &&
    a.title === b.title &&
    a.summary === b.summary &&
    (a.text ?? "") === (b.text ?? "")
  );
}
