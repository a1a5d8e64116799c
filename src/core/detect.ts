// Detects AI assistance in a pull request from its snapshot and the policy; pure.
import type { Policy } from "../policy/schema.js";
import type { Actor, AiSignal, CommitInfo, Detection, GitIdentity, PullSnapshot } from "./types.js";
import {
  AGENT_BOT_APPS,
  AGENT_EMAILS,
  AGENT_LOGINS,
  AGENT_MODEL_VALUE,
  AGENT_NAME_SUFFIX,
  AGENT_NAMES,
  AI_ACRONYM,
  AI_APPS,
  AI_CO_AUTHOR_LOGINS,
  AI_CO_AUTHOR_NAMES,
  AI_VENDOR_DOMAINS,
  AI_EMAIL_PATTERNS,
  AI_EMAILS,
  AI_TOOL_WORD,
  ASSISTED_TRAILERS,
  BODY_MARKERS,
  BRANCH_PREFIXES,
  BUILTIN_SIGNALS,
  COMMIT_MARKERS,
  DEPENDENCY_BOTS,
  KIRO_NOREPLY,
  NAME_LIKE_TOOL_WITH_QUALIFIER,
  POLICY_SIGNALS,
  REVIEW_BOT_BLOCKS,
  REVIEW_ONLY_AI_BOTS,
  SERVICE_LOCAL_PART,
  SUGGESTING_REVIEW_BOTS,
  TOOL_TRAILERS,
  UNAMBIGUOUS_TOOL_WORD,
  type KnownAccount,
  type PolicySignalId,
} from "./ai-catalogue.js";
import { compileSafeRegexes } from "../policy/safe-regex.js";
import { matchesPolicyEmail } from "../policy/email-pattern.js";
import type { BuiltinSignalId } from "../policy/signals.js";
import { findDisclosures } from "./disclosure.js";
import {
  findProseDisclosures,
  findToolFooter,
  isAgentLikeBotLogin,
  isAgentNamedIdentity,
  isReleaseAutomationMessage,
  looksLikeAutomation,
} from "./ai-families.js";
import { findUnrecognisedAutomation } from "./automation.js";
import { parseTrailers } from "./trailers.js";
import { summariseProvenance, type ProvenanceSummary } from "./provenance.js";
import { carriedSignals } from "./merged-pulls.js";

/** Signals from provenance records, switched by detection.provenance. */
const PROVENANCE_IDS: ReadonlySet<string> = new Set(["agent-trace", "git-ai-note"]);

/** Description lines are cut to this length before policy regexes run (they run in linear time), to bound their cost. */
export const MAX_LINE_FOR_PATTERNS = 2000;
/** Evidence longer than this is shortened, so one huge description line cannot flood the summary. */
const MAX_EVIDENCE = 300;

/** Lower-case and without a trailing "[bot]": REST says "claude[bot]", GraphQL says "claude". */
export function normaliseLogin(login: string): string {
  return login
    .trim()
    .toLowerCase()
    .replace(/\[bot\]$/, "");
}

export { parseTrailers };

/** Removes the blocks review bots write into descriptions (CodeRabbit, Sourcery, Ellipsis, Cursor Bugbot). */
export function removeReviewBotBlocks(body: string): string {
  let text = body.replace(/\r\n?/g, "\n");
  for (const block of REVIEW_BOT_BLOCKS) text = removeBlocks(text, block);
  return text;
}

/**
 * Logins (lower-case) of the people who authored or committed the PR's commits, including
 * Co-authored-by trailers with a GitHub noreply email; GitHub's own committer is left out.
 */
export function contributorLogins(snapshot: PullSnapshot): string[] {
  const logins = new Set<string>();
  const add = (login: string | undefined) => {
    const key = login?.trim().toLowerCase();
    if (key && key !== "web-flow" && key !== "github") logins.add(key);
  };
  for (const commit of snapshot.commits) {
    add(identityAccount(commit.author)?.login);
    add(identityAccount(commit.committer)?.login);
    for (const t of parseTrailers(commit.message)) {
      if (t.key.toLowerCase() !== "co-authored-by") continue;
      const email = emailOf(t.value);
      if (email) add(noreplyAccount(email)?.login);
    }
  }
  return [...logins];
}

/**
 * Whether an account is a known AI identity: the built-in AI apps and agents (their bot apps
 * included), the review-only AI bots, and detection.authors. Used to refuse approvals, so it ignores detection.builtin, disable
 * and ignore_authors (those shape detection; they never let an AI sign off).
 */
export function isAiIdentity(actor: Actor, policy: Policy): boolean {
  if (AI_APPS.some((app) => sameAccount(actor, app))) return true;
  const login = normaliseLogin(actor.login);
  return (
    AGENT_LOGINS.includes(login) ||
    REVIEW_ONLY_AI_BOTS.includes(login) ||
    (isBotAccount(actor) && AGENT_BOT_APPS.includes(login)) ||
    policy.detection.authors.some((a) => normalisePolicyLogin(a) === login)
  );
}

/** The evidence of AI assistance in a PR: signals in order author, commits, trailers, description, branch, label. */
export function detectAiAssistance(snapshot: PullSnapshot, policy: Policy): Detection {
  const d = policy.detection;
  const disabled = new Set(d.disable.map((id) => id.trim().toLowerCase()));
  const ignored = new Set(d.ignore_authors.map(normalisePolicyLogin));
  const authors = new Set(d.authors.map(normalisePolicyLogin));

  const signals: AiSignal[] = [];
  const seen = new Set<string>();
  const on = (id: BuiltinSignalId) =>
    d.builtin &&
    !disabled.has(id) &&
    ((id !== "disclosure" && id !== "prose-disclosure") || d.disclosure) &&
    (!PROVENANCE_IDS.has(id) || d.provenance);
  const emit = (id: BuiltinSignalId | PolicySignalId, evidence: string, commit?: string) => {
    if (id in BUILTIN_SIGNALS && !on(id as BuiltinSignalId)) return;
    const shown = shorten(evidence);
    const key = `${id}\u0000${shown}`;
    if (seen.has(key)) return;
    seen.add(key);
    const description = id in BUILTIN_SIGNALS ? BUILTIN_SIGNALS[id as BuiltinSignalId] : POLICY_SIGNALS[id as PolicySignalId];
    signals.push(commit === undefined ? { id, description, evidence: shown } : { id, description, evidence: shown, commit });
  };

  // The PR author.
  const author = snapshot.author;
  if (!ignored.has(normaliseLogin(author.login))) {
    const login = normaliseLogin(author.login);
    if (AI_APPS.some((app) => sameAccount(author, app)) || AGENT_LOGINS.includes(login)) emit("author-app", author.login);
    else if (isBotAccount(author) && AGENT_BOT_APPS.includes(login)) emit("author-app", author.login);
    else if (isAgentLikeBot(author, false)) emit("agent-account", author.login);
    if (authors.has(login)) emit("policy-author", author.login);
  }

  // Who authored and committed each commit.
  for (const commit of snapshot.commits) {
    const release = isReleaseAutomationMessage(commit.message);
    for (const identity of [commit.author, commit.committer]) {
      const account = identityAccount(identity);
      if (account && ignored.has(normaliseLogin(account.login))) continue;
      if (isAgentIdentity(identity, account, release)) emit("commit-agent", formatIdentity(identity), commit.sha);
      else if (
        (account && isAgentLikeBot(account, release)) ||
        (!release && isAgentNamedIdentity(identity.name, cleanEmail(identity.email), SERVICE_LOCAL_PART))
      ) {
        emit("agent-account", formatIdentity(identity), commit.sha);
      }
      if (account && isSuggestingReviewBot(account)) emit("review-bot-suggestion", formatIdentity(identity), commit.sha);
      if (account && AI_APPS.some((app) => !app.authorOnly && sameAccount(account, app))) {
        emit("commit-author-app", account.login, commit.sha);
      }
      if (account && authors.has(normaliseLogin(account.login))) emit("policy-author", account.login, commit.sha);
      if (matchesPolicyEmail(identity.email, d.emails)) emit("policy-email", formatIdentity(identity), commit.sha);
    }
  }

  // Trailers and tool markers in the commit messages.
  const policyTrailers = new Set(d.trailers.map((t) => t.trim().toLowerCase()));
  for (const raw of snapshot.commits) {
    const commit = { ...raw, message: unflatten(raw.message) };
    signalsFromTrailers(commit, policyTrailers, d.emails, ignored, emit);
    signalsFromCommitMessage(commit, emit);
  }

  // The description, without what review bots wrote into it.
  const lines = splitLines(removeReviewBotBlocks(snapshot.body ?? ""));
  const byDependencyBot = DEPENDENCY_BOTS.includes(normaliseLogin(author.login));
  // Linear-time matching: a pattern like (a+)+b must not let a description line hang the event loop.
  const patterns = compileSafeRegexes(d.body_patterns, { ignoreCase: true });
  for (const line of lines) {
    const marked = !byDependencyBot && BODY_MARKERS.some((m) => m.pattern.test(line));
    if (marked) emit("body-marker", line.trim());
    // The family beside the catalogue: a footer of a tool no marker names.
    else if (!byDependencyBot && findToolFooter(cutLine(line)) !== undefined) emit("tool-footer", cutLine(line).trim());
    const cut = line.length > MAX_LINE_FOR_PATTERNS ? line.slice(0, MAX_LINE_FOR_PATTERNS) : line;
    if (patterns.some((p) => p.test(cut))) emit("policy-body", cut.trim());
  }
  // An explicit disclosure that AI was used; one that says "no AI" is not evidence either way.
  const disclosures = byDependencyBot ? [] : findDisclosures(lines.map(cutLine).join("\n")).map((f) => f.evidence);
  if (on("disclosure")) for (const evidence of disclosures) emit("disclosure", evidence);
  // A first-person statement elsewhere in the description that a tool wrote the change.
  if (!byDependencyBot && on("prose-disclosure")) {
    for (const evidence of findProseDisclosures(withoutCode(lines.map(cutLine).join("\n")))) {
      if (!overlaps(evidence, disclosures)) emit("prose-disclosure", evidence);
    }
  }

  // Provenance records: Agent Trace records the PR adds, Git AI notes on its commits.
  let provenance: ProvenanceSummary | undefined;
  if (snapshot.provenance && d.builtin && d.provenance) {
    const result = summariseProvenance(snapshot, snapshot.provenance);
    for (const s of result.signals) emit(s.id, s.evidence, s.commit);
    provenance = result.summary;
  }

  // PRs merged into this one (stacked branches) or re-landed by a revert of a revert (core/merged-pulls.ts).
  for (const s of carriedSignals(snapshot, policy, detectAiAssistance)) emit("merged-pull", s.evidence, s.commit);

  // The head branch.
  const branch = snapshot.headRef.toLowerCase();
  if (BRANCH_PREFIXES.some((p) => branch.startsWith(p))) emit("branch-prefix", snapshot.headRef);

  // GitHub lists at most 250 commits: evidence in the rest cannot be ruled out, so the gate stays closed.
  if (snapshot.commitsTotal > snapshot.commits.length) {
    emit("unread-commits", `${snapshot.commitsTotal - snapshot.commits.length} of ${snapshot.commitsTotal} commits were not readable`);
  }
  if (d.branch_prefixes.some((p) => branch.startsWith(p.toLowerCase()))) emit("policy-branch", snapshot.headRef);

  // The labels: not built-in, so builtin:false keeps them.
  const aiLabels = new Set(d.labels.map((l) => l.toLowerCase()));
  for (const label of snapshot.labels) if (aiLabels.has(label.toLowerCase())) emit("label", label);

  const detection: Detection = provenance
    ? { assisted: signals.length > 0, signals, provenance }
    : { assisted: signals.length > 0, signals };
  const unrecognised = findUnrecognisedAutomation(snapshot, policy);
  if (unrecognised.length > 0) detection.unrecognised = unrecognised;
  return detection;
}

type Emit = (id: BuiltinSignalId | PolicySignalId, evidence: string, commit?: string) => void;

function signalsFromTrailers(
  commit: CommitInfo,
  policyTrailers: Set<string>,
  policyEmails: string[],
  ignored: Set<string>,
  emit: Emit,
): void {
  const release = isReleaseAutomationMessage(commit.message);
  for (const t of parseTrailers(commit.message)) {
    const key = t.key.toLowerCase();
    if (key === "co-authored-by") {
      const email = emailOf(t.value);
      const account = email ? noreplyAccount(email) : undefined;
      if (account && !ignored.has(normaliseLogin(account.login))) {
        if (isSuggestingReviewBot(account)) emit("review-bot-suggestion", t.line, commit.sha);
        if (isAgentLikeBot(account, release)) emit("agent-account", t.line, commit.sha);
      }
      const appOnRelease = release && account !== undefined && AGENT_BOT_APPS.includes(normaliseLogin(account.login));
      if (
        !appOnRelease &&
        ((email && (isAiEmail(email) || isToolAtVendor(t.value, email) || isToolAtServiceAddress(t.value, email))) ||
          isAiCoAuthorName(t.value))
      )
        emit("co-author-trailer", t.line, commit.sha);
      else if (email && !release && isAgentNamedIdentity(t.value, email, SERVICE_LOCAL_PART)) emit("agent-account", t.line, commit.sha);
      if (email && matchesPolicyEmail(email, policyEmails)) emit("policy-email", t.line, commit.sha);
    }
    if (TOOL_TRAILERS.includes(key)) emit("tool-trailer", t.line, commit.sha);
    if (ASSISTED_TRAILERS.includes(key) && namesAiTool(t.value)) emit("assisted-by-trailer", t.line, commit.sha);
    if (policyTrailers.has(key)) emit("policy-trailer", t.line, commit.sha);
  }
}

/** Tool markers in a commit message: the description markers, and the commit-only ones (early aider, agents introducing themselves). */
function signalsFromCommitMessage(commit: CommitInfo, emit: Emit): void {
  const lines = splitLines(commit.message);
  lines.forEach((raw, index) => {
    const line = cutLine(raw);
    const start = line.replace(/^[^\p{L}\p{N}[]+/u, "");
    const marker = BODY_MARKERS.some((m) => (m.link ? m.pattern.test(line) : m.pattern.exec(start)?.index === 0));
    if (marker || COMMIT_MARKERS.some((m) => (!m.subjectOnly || index === 0) && m.pattern.test(line))) {
      emit("commit-marker", line.trim(), commit.sha);
    } else if (findToolFooter(line) !== undefined) emit("tool-footer", line.trim(), commit.sha);
  });
  // Disclosures: a dependency bot's commit quotes upstream release notes, so it is not read.
  const author = identityAccount(commit.author);
  if (author && DEPENDENCY_BOTS.includes(normaliseLogin(author.login))) return;
  const text = withoutCode(commit.message);
  const disclosures = findDisclosures(text).map((f) => f.evidence);
  for (const evidence of disclosures) emit("disclosure", evidence, commit.sha);
  for (const evidence of findProseDisclosures(text)) {
    if (!overlaps(evidence, disclosures)) emit("prose-disclosure", evidence, commit.sha);
  }
}

/** Whether a prose sentence is (part of) a line a disclosure already reported, or holds one. */
function overlaps(evidence: string, disclosures: readonly string[]): boolean {
  return disclosures.some((d) => d.includes(evidence) || evidence.includes(d));
}

/**
 * A commit message as its tool wrote it: agents that pass the message through a shell sometimes
 * write "\n" literally, and some tools flatten the message onto one line, paragraphs joined by two
 * spaces ("subject  🤖 Generated with [X](…)  Co-Authored-By: X <…>"); both read as line breaks.
 */
function unflatten(message: string): string {
  const unescaped = message.includes("\\n") ? message.replace(/\\n/g, "\n") : message;
  return unescaped.replace(/(?<![ \t])[ \t]{2,}(?=🤖|(?:co-authored-by|generated with|made with)[ \t]*[:[])/giu, "\n");
}

/** Fenced code blocks removed (linear): quoted logs and examples are not the author speaking. */
function withoutCode(text: string): string {
  let inFence = false;
  const kept: string[] = [];
  for (const line of splitLines(text)) {
    if (/^\s{0,3}(?:```|~~~)/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (!inFence) kept.push(line);
  }
  return kept.join("\n");
}

/** A GitHub App account (a "[bot]" login or type Bot): only those can be agents by family or app list. */
function isBotAccount(account: Actor): boolean {
  return /\[bot\]$/i.test(account.login.trim()) || account.type === "Bot";
}

/** An AI review bot whose suggestion was committed into the change. */
function isSuggestingReviewBot(account: Actor): boolean {
  return isBotAccount(account) && SUGGESTING_REVIEW_BOTS.includes(normaliseLogin(account.login));
}

/**
 * A bot account that names itself an AI agent ("cline-agent[bot]", "foo-ai[bot]"), not a catalogued
 * one (those have their own signals), not release/CI automation, and not on a release commit.
 */
function isAgentLikeBot(account: Actor, release: boolean): boolean {
  if (release || !isBotAccount(account)) return false;
  const login = normaliseLogin(account.login);
  if (isKnownAiAccount(account) || REVIEW_ONLY_AI_BOTS.includes(login) || DEPENDENCY_BOTS.includes(login)) return false;
  if (AI_CO_AUTHOR_LOGINS.includes(login) || AGENT_BOT_APPS.includes(login)) return false;
  return isAgentLikeBotLogin(login);
}

/** Whether an Assisted-by / Generated-by value names an AI tool or model rather than a person. */
export function namesAiTool(value: string): boolean {
  const v = value.trim();
  if (AGENT_MODEL_VALUE.test(v)) return true;
  const person = /<([^<>\s@]+@[^<>\s]+)>\s*$/.exec(v);
  if (person) {
    const name = v.slice(0, person.index).trim();
    if (isAiEmail(person[1]!)) return true;
    return UNAMBIGUOUS_TOOL_WORD.test(name) || AI_ACRONYM.test(name) || NAME_LIKE_TOOL_WITH_QUALIFIER.test(name);
  }
  return AI_TOOL_WORD.test(v) || AI_ACRONYM.test(v);
}

/** Whether a co-author email belongs to an AI tool; the bare users.noreply.github.com domain never does. */
export function isAiEmail(email: string): boolean {
  const e = email.trim().toLowerCase();
  const at = e.lastIndexOf("@");
  if (at <= 0) return false;
  const domain = e.slice(at + 1);
  if (domain === "") return false;
  if (AI_EMAILS.includes(e) || AI_EMAIL_PATTERNS.some((p) => p.test(e))) return true;
  // The noreply address of a known AI app or agent account: "<id>+google-labs-jules[bot]@users.noreply.github.com".
  const account = noreplyAccount(e);
  return account !== undefined && (isKnownAiAccount(account) || AI_CO_AUTHOR_LOGINS.includes(normaliseLogin(account.login)));
}

/** A co-author at an AI vendor's domain whose name is the vendor's tool, not a person: "Claude Code <claude@anthropic.com>". */
function isToolAtVendor(value: string, email: string): boolean {
  const domain = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
  if (!AI_VENDOR_DOMAINS.includes(domain)) return false;
  if (looksLikeAutomation(email.slice(0, email.lastIndexOf("@")), value.replace(/<[^<>]*>\s*$/, ""))) return false;
  const name = value
    .replace(/<[^<>]*>\s*$/, "")
    .replace(email, "")
    .trim();
  return UNAMBIGUOUS_TOOL_WORD.test(name) || NAME_LIKE_TOOL_WITH_QUALIFIER.test(name);
}

/** A co-author at an address no person uses whose name names an AI tool or model; never a review-only bot. */
function isToolAtServiceAddress(value: string, email: string): boolean {
  const e = email.toLowerCase();
  const local = e.slice(0, e.lastIndexOf("@"));
  // A tool's own address: "noreply@…", "…-bot@…", or the tool's name itself ("Windsurf <windsurf@…>").
  if (!SERVICE_LOCAL_PART.test(local) && !isSelfNamed(value, local)) return false;
  // Release and CI bots named after a tool ("gemini-cli-robot") are that tool's automation, not its agent.
  if (looksLikeAutomation(local, value.replace(/<[^<>]*>\s*$/, ""))) return false;
  const account = noreplyAccount(e);
  if (account && (REVIEW_ONLY_AI_BOTS.includes(normaliseLogin(account.login)) || DEPENDENCY_BOTS.includes(normaliseLogin(account.login))))
    return false;
  const name = value
    .replace(/<[^<>]*>\s*$/, "")
    .replace(email, "")
    .trim();
  return UNAMBIGUOUS_TOOL_WORD.test(name) || NAME_LIKE_TOOL_WITH_QUALIFIER.test(name);
}

/** "Windsurf <windsurf@…>": the name is the tool's alone (a product word may follow) and the address is that name. */
function isSelfNamed(value: string, local: string): boolean {
  const m = /^([A-Za-z][\w.-]*)(?:\s+(Agent|AI|Cascade|Code|CLI|Assistant))?\s*(?:<[^<>]*>)?\s*$/.exec(value.trim());
  if (m === null) return false;
  const tool = m[1]!.toLowerCase();
  const product = m[2]?.toLowerCase();
  // "Windsurf <windsurf@…>", "Gemini CLI <gemini-cli@…>", "Claude Code <claude.code@…>".
  return (
    local === tool ||
    (product !== undefined && [`${tool}-${product}`, `${tool}.${product}`, `${tool}_${product}`, `${tool}${product}`].includes(local))
  );
}

/** A co-author named as a tool whatever its email: "aider (gpt-5) <…>", "Copilot Autofix powered by AI <…>". */
function isAiCoAuthorName(value: string): boolean {
  const name = value.replace(/<[^<>]*>\s*$/, "").trim();
  return !looksLikeAutomation(name) && AI_CO_AUTHOR_NAMES.some((p) => p.test(name));
}

/** A known AI app or coding agent account (not the review-only bots). */
function isKnownAiAccount(account: Actor): boolean {
  return (
    AI_APPS.some((app) => sameAccount(account, app)) ||
    AGENT_LOGINS.includes(normaliseLogin(account.login)) ||
    (isBotAccount(account) && AGENT_BOT_APPS.includes(normaliseLogin(account.login)))
  );
}

function isAgentIdentity(identity: GitIdentity, account: Actor | undefined, release: boolean): boolean {
  const email = cleanEmail(identity.email).toLowerCase();
  const name = normaliseLogin(identity.name);
  if (account !== undefined && isBotAccount(account)) {
    const login = normaliseLogin(account.login);
    // An agent's app doing release work (a version bump, a cherry-pick into a release branch) is release automation.
    if (AGENT_BOT_APPS.includes(login) && !release) return true;
    // Copilot Autofix commits its fixes as github-advanced-security[bot].
    if (AI_CO_AUTHOR_LOGINS.includes(login)) return true;
  }
  return (
    (account !== undefined && AGENT_LOGINS.includes(normaliseLogin(account.login))) ||
    AGENT_EMAILS.includes(email) ||
    AGENT_NAMES.includes(name) ||
    KIRO_NOREPLY.test(email) ||
    isToolAtServiceAddress(identity.name, email) ||
    AGENT_NAME_SUFFIX.test(identity.name.trim())
  );
}

/** Ids compare first where both sides know them: logins can be renamed and differ between REST and GraphQL. */
function sameAccount(actor: Actor, known: KnownAccount): boolean {
  if (actor.id !== undefined && known.id !== undefined) return actor.id === known.id || (known.otherIds ?? []).includes(actor.id);
  return normaliseLogin(actor.login) === normaliseLogin(known.login);
}

/** The account behind a git identity: the one GitHub linked, else the one its noreply email names. */
export function identityAccount(identity: GitIdentity): Actor | undefined {
  const account = identity.account ?? noreplyAccount(cleanEmail(identity.email));
  if (account) return account;
  // An app's git name "qwen.ai[bot]" with the vendor's own email: no person names themselves "…[bot]".
  const name = identity.name.trim();
  return /^[A-Za-z0-9][\w.-]{0,60}\[bot\]$/.test(name) ? { login: name, type: "Bot" } : undefined;
}

/** An identity's email as git tools sometimes write it: quoted, escaped, or bracketed; case kept. */
function cleanEmail(email: string): string {
  return email.trim().replace(/^[\\"'<\s]+|[\\"'>\s]+$/g, "");
}

/** "<id>+<login>@users.noreply.github.com" or "<login>@users.noreply.github.com" → the account. */
export function noreplyAccount(email: string): Actor | undefined {
  const m = /^(?:(\d+)\+)?([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\[bot\])?)@users\.noreply\.github\.com$/i.exec(email.trim());
  if (!m) return undefined;
  return m[1] === undefined ? { login: m[2]! } : { login: m[2]!, id: Number(m[1]) };
}

/** The email in "Name <email>", a bare email, or "Name email" (no brackets, as some agents write it). */
export function emailOf(value: string): string | undefined {
  const bracketed = /<([^<>\s@]+@[^<>\s]+)>/.exec(value);
  if (bracketed) return cleanEmail(bracketed[1]!);
  const last = value.trim().split(/\s+/).at(-1) ?? "";
  const bare = cleanEmail(last);
  return /^[^<>\s@"]+@[^<>\s@"]+\.[^<>\s@"]+$/.test(bare) ? bare : undefined;
}

function normalisePolicyLogin(login: string): string {
  return normaliseLogin(login.trim().replace(/^@/, ""));
}

function formatIdentity(identity: GitIdentity): string {
  return `${identity.name} <${identity.email}>`;
}

function cutLine(line: string): string {
  return line.length > MAX_LINE_FOR_PATTERNS ? line.slice(0, MAX_LINE_FOR_PATTERNS) : line;
}

function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

function shorten(evidence: string): string {
  return evidence.length > MAX_EVIDENCE ? `${evidence.slice(0, MAX_EVIDENCE - 1)}…` : evidence;
}

/** Cuts each start…end block; a block without its end stays unless it runs to the end of the text. */
function removeBlocks(text: string, block: (typeof REVIEW_BOT_BLOCKS)[number]): string {
  const flags = (re: RegExp) => (re.flags.includes("g") ? re.flags : `${re.flags}g`);
  const start = new RegExp(block.start.source, flags(block.start));
  const end = new RegExp(block.end.source, flags(block.end));
  let out = "";
  let pos = 0;
  for (;;) {
    start.lastIndex = pos;
    const s = start.exec(text);
    if (!s) break;
    end.lastIndex = s.index + s[0].length;
    const e = end.exec(text);
    if (!e && !block.toEndIfUnterminated) break;
    out += `${text.slice(pos, s.index)}\n`;
    pos = e ? e.index + e[0].length : text.length;
  }
  return out + text.slice(pos);
}
