// The data the pure core works on: one snapshot of a pull request in, one verdict out.
import type { CarriedPull } from "./merged-pulls.js";
import type { RiskTier, ReviewerSpec } from "../policy/schema.js";
import type { ProvenanceInput, ProvenanceSummary } from "./provenance.js";
import type { KeptApproval } from "./path-scope.js";

export type { RiskTier, ReviewerSpec };

/** A GitHub account as seen on a PR, review, commit or event. */
export interface Actor {
  login: string;
  /** Numeric id where GitHub gave one; compared before logins where both sides have it. */
  id?: number;
  type?: "User" | "Bot" | "Organization" | string;
}

/** A git identity from a commit (name and email always; the linked account when GitHub knows it). */
export interface GitIdentity {
  name: string;
  email: string;
  account?: Actor;
}

export interface CommitInfo {
  sha: string;
  message: string;
  author: GitIdentity;
  committer: GitIdentity;
}

export type FileStatus = "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";

export interface ChangedFile {
  path: string;
  /** The path before a rename or copy. */
  previousPath?: string;
  status: FileStatus;
  additions: number;
  deletions: number;
  /** The unified diff; GitHub omits it for binary and very large files. */
  patch?: string;
  /**
   * Without a patch, what the edge read instead for content rules: the file's text at the head (or, for a
   * removed file, at the base), scanned as if every line changed; or why it could not be read.
   */
  content?: { text: string } | { unreadable: string };
}

export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

export interface Review {
  id: number;
  user: Actor;
  state: ReviewState;
  /** The head commit the review was given on. */
  commitId: string;
  submittedAt: string;
}

/** Someone adding or removing a label on the PR, from the issue's event history. */
export interface LabelEvent {
  action: "labeled" | "unlabeled";
  label: string;
  actor: Actor;
  at: string;
}

/** A review request made or withdrawn on the PR, from the issue's event history. */
export interface ReviewRequestEvent {
  action: "review_requested" | "review_request_removed";
  /** A login, or "org/slug" for a team (lower-case). */
  reviewer: string;
  team: boolean;
  actor: Actor;
  at: string;
}

/** An accepted `/countersign override`, remembered on the check run of the head it was given on. */
export interface OverrideRecord {
  by: string;
  reason: string;
  sha: string;
  at: string;
  /** The comment that gave it (its id), so the reply can tell whether this override is the one written. */
  comment?: number;
  /** The pull request it was given on: with several PRs on one head, it overrides that one only. */
  pr?: number;
}

/** Whether two override records are the same override (same person, same comment time, same head). */
export function sameOverride(a: OverrideRecord | undefined, b: OverrideRecord | undefined): boolean {
  return a !== undefined && b !== undefined && a.by === b.by && a.at === b.at && a.sha === b.sha && a.comment === b.comment;
}

/** Everything the core needs to know about one pull request, read once. */
export interface PullSnapshot {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string;
  draft: boolean;
  state: "open" | "closed";
  merged: boolean;
  author: Actor;
  headSha: string;
  headRef: string;
  baseRef: string;
  /** The base branch's commit GitHub reports for the PR; `same-diff` compares against it (commits are immutable), and a removed file's content is read there. */
  baseSha?: string;
  defaultBranch: string;
  /** GitHub's GraphQL id of the repository: not used by any decision, only to address writes. */
  repositoryId?: string;
  /**
   * How many forks the repository has (GitHub's `forks_count`; undefined: not known). With forks, a PR
   * on the same head may come from one, and GitHub's list of a commit's PRs leaves those out.
   */
  forksCount?: number;
  labels: string[];
  files: ChangedFile[];
  /** From the PR itself; larger than files.length when GitHub truncated the list. */
  changedFilesTotal: number;
  additions: number;
  deletions: number;
  commits: CommitInfo[];
  /** From the PR itself; larger than commits.length when GitHub truncated the list. */
  commitsTotal: number;
  reviews: Review[];
  /** Label additions and removals, oldest first; only fetched when the AI label is missing. */
  labelEvents: LabelEvent[];
  /** Review requests and their withdrawals, oldest first; only fetched when a request may be made. */
  reviewRequestEvents?: ReviewRequestEvent[];
  /**
   * Paths in this repository that a policy in force reads (its own policy, an org policy, an `_extends`
   * target of any repository's policy the app knows of), filled in by the GitHub edge; changing one is critical.
   */
  policyFiles?: string[];
  /** An override given on this head, read back from our own check run. */
  override?: OverrideRecord;
  /**
   * The accounts GitHub links to the commits' authors and Co-authored-by emails, resolved by the edge
   * only when core/co-authors.ts says they matter; undefined = not resolved (noreply addresses still count).
   */
  coAuthorAccounts?: Actor[];
  /** Review requests currently pending on the PR. */
  requestedReviewers: string[];
  requestedTeams: string[];
  /** Agent Trace records and Git AI notes the PR carries, when the edge read any (detection.provenance). */
  /** PRs merged into this one, or re-landed by a revert of their revert, whose AI evidence it carries (core/merged-pulls.ts). */
  carriedPulls?: CarriedPull[];
  provenance?: ProvenanceInput;
  /**
   * When the PR's base branch was last changed (a retarget), when the edge read the history: an
   * approval or override given before it was given for another base and no longer counts.
   */
  baseChangedAt?: string;
}

/** One piece of evidence that a PR is AI-assisted. */
export interface AiSignal {
  /** Stable id of the rule that fired, e.g. "author-app", "commit-trailer"; policy rules start with "policy-". */
  id: string;
  /** What the rule looks for, in words: "PR opened by a known AI app". */
  description: string;
  /** The exact evidence: a login, a trailer line, a description line, a branch name. */
  evidence: string;
  /** The commit the evidence came from, when it came from one. */
  commit?: string;
}

export interface Detection {
  assisted: boolean;
  signals: AiSignal[];
  /** The AI share of the added lines from provenance records, when the PR carries any. */
  provenance?: ProvenanceSummary;
  /** Bot accounts in the PR's commits that no list knows (src/core/automation.ts); they do not gate. */
  unrecognised?: UnrecognisedAutomation[];
}

/** A bot account that authors, commits or co-authors commits of a PR and is in no list. */
export interface UnrecognisedAutomation {
  /** The login, always with "[bot]". */
  login: string;
  email?: string;
  roles: ("author" | "committer" | "co-author")[];
  /** The commits it appears on. */
  commits: string[];
  /** The policy key that would count it as AI. */
  policyKey: "detection.authors" | "detection.emails";
}

export interface RiskReason {
  tier: RiskTier;
  /** The rule in words, e.g. "changes infrastructure-as-code (Terraform)". */
  rule: string;
  /** The first few paths or values that matched. */
  matches: string[];
  /** How many paths matched in all (may exceed matches.length). */
  matchCount: number;
}

export interface RiskAssessment {
  tier: RiskTier;
  /** Every rule that matched, highest tier first (forced reasons, then built-in rules, then the policy's, in order). */
  reasons: RiskReason[];
  /** What the assessment could not see (files without a patch, truncation). */
  notes: string[];
}

/** One group of `signoff.require`, and whether this PR's changes make it apply. */
export interface RequirementGroup {
  /** Where the group is in the policy, e.g. "signoff.tiers.critical.require[1]". */
  source: string;
  reviewers: ReviewerSpec[];
  approvals: number;
  paths?: string[];
  applies: boolean;
  /** Why it applies or not, in words: "always applies", "infra/main.tf matches infra/**". */
  why: string;
}

/** What the gate asks for at the PR's tier. */
export interface Requirement {
  tier: RiskTier;
  /** Everyone who may sign off (with groups: the reviewers of every group that applies). */
  reviewers: ReviewerSpec[];
  /** With groups: the most any applying group needs. */
  approvals: number;
  /** Which policy keys the requirement came from, e.g. "signoff.tiers.critical.approvals". */
  source: string;
  /** Present when the requirement is `signoff.require` (or a tier's): every applying group must hold. */
  groups?: RequirementGroup[];
}

/** A group of the requirement at this evaluation: who satisfied it. */
export interface GroupAssessment extends RequirementGroup {
  approvedBy: string[];
  satisfied: boolean;
}

/** Facts about people, resolved by the GitHub edge before deciding. */
export interface ReviewerFacts {
  /** Active membership per team "org/slug" (lower-case); undefined = could not be checked. */
  teams: Map<string, boolean | undefined>;
  /** Repository permission; undefined = could not be checked. */
  permission?: "admin" | "maintain" | "write" | "triage" | "read" | "none";
  /** Set when the lookup failed, said in the summary. */
  error?: string;
}

/** Per lower-case login. A login missing from the directory was not looked up: not eligible. */
export type ReviewerDirectory = Map<string, ReviewerFacts>;

export interface ReviewAssessment {
  login: string;
  state: ReviewState;
  commitId: string;
  counted: boolean;
  /** Why it counted or did not, in words. */
  reason: string;
  /** For a counted approval: on the head, kept on an earlier commit by `same-diff`, or on an earlier commit with fresh_approval off. */
  basis?: "head" | "same-diff" | "older-commit";
}

export type Outcome = "not-gated" | "approved" | "waiting" | "changes-requested" | "overridden" | "invalid-policy" | "error";

export interface LabelPlan {
  add: string[];
  remove: string[];
  /** Notes for the summary, e.g. who removed the AI label and what followed. */
  notes: string[];
}

export interface Verdict {
  outcome: Outcome;
  mode: "enforce" | "report";
  /** In report mode, the outcome enforce mode would have reached. */
  wouldBe?: Outcome;
  gated: boolean;
  /** Whether the PR carries the policy's AI label once this verdict's label writes are done. */
  aiLabel: boolean;
  detection: Detection;
  /** Whether the AI finding comes only from the PR's memory (the label), and who acted on it. */
  memoryNotes: string[];
  risk: RiskAssessment;
  requirement: Requirement;
  reviews: ReviewAssessment[];
  approvedBy: string[];
  blockedBy: string[];
  override?: OverrideRecord;
  labels: LabelPlan;
  /** Each group of the requirement (one, unnamed, for plain reviewers/approvals) and who satisfied it. */
  groups?: GroupAssessment[];
  /** Set when the base branch is outside the policy's `branches`: not gated, and why. */
  outOfScope?: { baseRef: string; branches: string[] };
  /** `approvals: 0` where this PR falls: why the policy exempts it from sign-off (core/signoff-groups.ts). */
  exemption?: string;
  /** Earlier approvals kept by path-scoped freshness (core/path-scope.ts), and those it could not keep. */
  keptByPath?: KeptApproval[];
  pathScopeNotes?: string[];
  /** Who is asked (signoff.assign) and whether the PR was escalated (signoff.escalate); set after the decision. */
  asked?: AskedReviewers;
}

/** Who Countersign asks for review beyond the designated teams: chosen people, and an escalation. */
export interface AskedReviewers {
  /** signoff.assign: the people asked (or kept from an earlier evaluation), each with why. */
  assigned?: Array<{ login: string; why: string }>;
  /** signoff.assign could choose nobody: why, and the teams are asked instead. */
  fallback?: string;
  /** signoff.escalate fired: who is asked too, and the sentence for the summary. */
  escalated?: { to: ReviewerSpec[]; note: string };
}
