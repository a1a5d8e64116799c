// The built-in catalogue of AI identities and markers that detect.ts looks for (data only).

/** A GitHub account known to the catalogue; `id` is compared before the login where both are known. */
export interface KnownAccount {
  login: string;
  id?: number;
  /** Only the PR author counts, not commits by it (cursor[bot] also pushes Bugbot autofix commits). */
  authorOnly?: boolean;
}

/** AI apps and agents that open pull requests themselves. */
export const AI_APPS: readonly KnownAccount[] = [
  { login: "Copilot", id: 198982749 }, // Copilot coding agent
  { login: "devin-ai-integration[bot]" },
  { login: "google-labs-jules[bot]" },
  { login: "claude[bot]" },
  { login: "cursor[bot]", authorOnly: true },
  { login: "amazon-q-developer[bot]" },
  { login: "sweep-ai[bot]" },
  { login: "openhands-agent" },
];

/** Accounts that coding agents commit as (normalised: lower-case, no "[bot]"). */
export const AGENT_LOGINS: readonly string[] = ["copilot-swe-agent", "kiro-agent", "cursoragent"];

/** Git author/committer emails of coding agents (lower-case, exact). */
export const AGENT_EMAILS: readonly string[] = ["cursoragent@cursor.com", "openhands@all-hands.dev"];

/** Git author/committer names of coding agents (normalised like logins). */
export const AGENT_NAMES: readonly string[] = ["copilot-swe-agent", "kiro-agent"];

/** aider appends " (aider)" to the git author and committer name. */
export const AGENT_NAME_SUFFIX = /\s\(aider\)$/i;

/**
 * AI bots that only review: their approvals never count (isAiIdentity), but they never make a PR
 * AI-assisted, and neither do dependency-update bots.
 */
export const REVIEW_ONLY_AI_BOTS: readonly string[] = [
  "coderabbitai",
  "copilot-pull-request-reviewer",
  "gemini-code-assist",
  "chatgpt-codex-connector",
];

/** Dependency-update bots: their descriptions quote upstream release notes, so description markers are not looked for. */
export const DEPENDENCY_BOTS: readonly string[] = ["dependabot", "dependabot-preview", "renovate", "renovate-bot"];

/** Co-authored-by emails: whole domains (exact domain, lower-case). Never the bare users.noreply.github.com. */
export const AI_EMAIL_DOMAINS: readonly string[] = [
  "anthropic.com",
  "cursor.com",
  "aider.chat",
  "ampcode.com",
  "all-hands.dev",
  "opencode.ai",
];

/** Co-authored-by emails: exact addresses (lower-case). */
export const AI_EMAILS: readonly string[] = ["noreply@openai.com", "codex@openai.com", "copilot@github.com"];

/** Kiro's agent commits and co-authors with a noreply address ending in kiro-agent (with or without "[bot]"). */
export const KIRO_NOREPLY = /kiro-agent(?:\[bot\])?@users\.noreply\.github\.com$/i;

/** Co-authored-by emails: patterns for AI accounts' noreply addresses. */
export const AI_EMAIL_PATTERNS: readonly RegExp[] = [
  /^\d+\+copilot@users\.noreply\.github\.com$/i,
  KIRO_NOREPLY,
];

/** Trailer keys only AI tools write (lower-case). */
export const TOOL_TRAILERS: readonly string[] = ["claude-session", "amp-thread-id", "replit-commit-author"];

/** Trailer keys that name a helper, human or AI; the value decides (lower-case). */
export const ASSISTED_TRAILERS: readonly string[] = ["assisted-by", "generated-by"];

/** The Linux kernel's `AGENT:MODEL [tools]` form, e.g. "claude-code:claude-opus-4-1 coccinelle". */
export const AGENT_MODEL_VALUE = /^[A-Za-z0-9][\w.+-]*:[A-Za-z0-9][\w.+/-]*(?:\s|$)/;

const left = "(?<![A-Za-z0-9])";
const right = "(?![A-Za-z])"; // digits may follow: gpt-5, gpt4o, llama3, qwen2.5

/** Assistant and model families that are not also people's first names. */
const UNAMBIGUOUS_TOOLS = [
  "copilot", "cursor", "codex", "gpt", "chatgpt", "gemini", "amazon[\\s-]?q", "aider", "windsurf", "amp",
  "openhands", "opencode", "llama", "mistral", "qwen", "deepseek", "llms?",
];
/** Assistant names that are also people's first names (Claude Monet, Devin, Jules, Cody, Kiro). */
const NAME_LIKE_TOOLS = ["claude", "devin", "jules", "cody", "kiro"];

/** Any known assistant or model family as a word. */
export const AI_TOOL_WORD = new RegExp(`${left}(?:${[...UNAMBIGUOUS_TOOLS, ...NAME_LIKE_TOOLS].join("|")})${right}`, "i");

/** "AI" as a word, upper-case only, so a surname "Ai" is not it. */
export const AI_ACRONYM = /(?<![A-Za-z0-9])AI(?![A-Za-z])/;

/** Tool names that are not also first names. */
export const UNAMBIGUOUS_TOOL_WORD = new RegExp(`${left}(?:${UNAMBIGUOUS_TOOLS.join("|")})${right}`, "i");

/**
 * In a "Name <email>" value a person is more likely than a tool, so a first-name-like tool name
 * needs a tool-ish word after it ("Claude Code", "Devin AI", "Claude 3.5"); "Claude Dupont" is a person.
 */
export const NAME_LIKE_TOOL_WITH_QUALIFIER = new RegExp(
  `${left}(?:${NAME_LIKE_TOOLS.join("|")})[\\s-]+(?:(?:code|agent|cli|assistant|ai|opus|sonnet|haiku)${right}|\\d)`,
  "i",
);

/** Markers AI tools put into the PR descriptions they write; matched per line, case-insensitively. */
export const BODY_MARKERS: readonly { name: string; pattern: RegExp }[] = [
  { name: "Claude Code", pattern: /generated with \[?claude code\]?/i },
  { name: "Cursor", pattern: /made with \[cursor\]/i },
  { name: "Devin", pattern: /link to devin run/i },
  { name: "Jules", pattern: /pr created automatically by jules/i },
  { name: "Codex", pattern: /chatgpt\.com\/codex\/tasks\//i },
  { name: "opencode", pattern: /generated with \[?opencode\]?/i },
  { name: "Copilot coding agent", pattern: /<!--\s*START COPILOT/i },
];

/**
 * Blocks that review bots write into descriptions; removed before markers are looked for, so a
 * summary that quotes an AI marker does not count. A block without its end stays (unless
 * `toEndIfUnterminated`): better a false alarm than a missed AI change.
 */
export const REVIEW_BOT_BLOCKS: readonly { name: string; start: RegExp; end: RegExp; toEndIfUnterminated?: boolean }[] = [
  {
    name: "CodeRabbit and other auto-generated comments",
    start: /<!--\s*This is an auto-generated comment[\s\S]{0,200}?-->/i,
    end: /<!--\s*end of auto-generated comment[\s\S]{0,200}?-->/i,
  },
  {
    name: "Sourcery (marked)",
    start: /<!--\s*Generated by sourcery-ai\[bot\]:\s*start\b[^>]{0,100}-->/i,
    end: /<!--\s*Generated by sourcery-ai\[bot\]:\s*end\b[^>]{0,100}-->/i,
  },
  {
    name: "Sourcery (summary heading)",
    start: /^#{1,6}[ \t]*Summary by Sourcery[ \t]*$/im,
    end: /<!--\s*Generated by sourcery-ai\[bot\]:\s*end\b[^>]{0,100}-->/i,
    toEndIfUnterminated: true,
  },
  { name: "Ellipsis", start: /<!--\s*ELLIPSIS_HIDDEN\s*-->/i, end: /<!--\s*ELLIPSIS_HIDDEN\s*-->/i },
  { name: "Cursor Bugbot", start: /<!--\s*CURSOR_SUMMARY\s*-->/i, end: /<!--\s*\/CURSOR_SUMMARY\s*-->/i },
];

/** Head-branch prefixes AI agents use. */
export const BRANCH_PREFIXES: readonly string[] = ["claude/", "copilot/", "codex/", "cursor/", "devin/"];

/** The built-in signals, by id (what `detection.disable` takes), with the words the check summary uses. */
export const BUILTIN_SIGNALS = {
  "author-app": "Pull request opened by a known AI app",
  "commit-agent": "Commit authored or committed by an AI coding agent",
  "commit-author-app": "Commit authored or committed by a known AI app",
  "co-author-trailer": "Commit co-authored by an AI assistant",
  "tool-trailer": "Commit carries an AI tool's trailer",
  "assisted-by-trailer": "Commit says an AI tool assisted or generated it",
  "body-marker": "Description carries an AI tool's marker",
  "branch-prefix": "Head branch uses an AI agent's prefix",
  "unread-commits": "Commits past GitHub's 250-commit limit could not be checked",
} as const;

export type BuiltinSignalId = keyof typeof BUILTIN_SIGNALS;
export const BUILTIN_SIGNAL_IDS = Object.keys(BUILTIN_SIGNALS) as BuiltinSignalId[];

/** Signals from the policy's own keys: always on. */
export const POLICY_SIGNALS = {
  "policy-author": "Login listed in detection.authors",
  "policy-email": "Email listed in detection.emails",
  "policy-trailer": "Trailer listed in detection.trailers",
  "policy-body": "Description matches detection.body_patterns",
  "policy-branch": "Head branch matches detection.branch_prefixes",
  label: "Pull request carries an AI label",
} as const;

export type PolicySignalId = keyof typeof POLICY_SIGNALS;
