// The built-in catalogue of AI identities and markers that detect.ts looks for (data only).
import type { BuiltinSignalId } from "../policy/signals.js";
import { REVIEW_ONLY_AI_BOTS } from "../policy/ai-identities.js";

// The AI accounts themselves (apps, agents' logins, agents' bot apps, review-only bots) live in the
// policy layer, which refuses them as reviewers and may not import this file; they are one list.
export { AGENT_BOT_APPS, AGENT_LOGINS, AI_APPS, type KnownAccount } from "../policy/ai-identities.js";

/**
 * Git author/committer emails of coding agents (lower-case, exact): the tools' own identities, never
 * a vendor's whole domain (its staff commit with their work addresses).
 */
export const AGENT_EMAILS: readonly string[] = [
  "cursoragent@cursor.com", // Cursor Agent
  "openhands@all-hands.dev", // OpenHands
  "opendevin@all-hands.dev", // OpenHands, older sandboxes
  "opendevin@opendevin.ai", // OpenDevin, before the rename
  "noreply@anthropic.com", // Claude Code on the web commits as "Claude <noreply@anthropic.com>"
  "codex@openai.com", // Codex cloud commits as "Codex <codex@openai.com>"
  "agent@continue.dev", // Continue's agent: "Continue Agent <agent@continue.dev>"
  "noreply@continue.dev", // Continue: "Continue <noreply@continue.dev>"
  "roomote@roocode.com", // Roo Code's cloud agent (Roomote)
  "noreply@cline.bot", // Cline: "Cline <noreply@cline.bot>"
  "cascade@windsurf.ai", // Windsurf's Cascade agent
  "gemini-cli@google.com", // the identity Gemini CLI sets for its own git operations ("Gemini CLI")
  "crush@charm.land", // Crush: "Crush <crush@charm.land>"
  "qwen-coder@alibabacloud.com", // Qwen Code: "Qwen-Coder <qwen-coder@alibabacloud.com>"
  "noreply@z.ai", // Z.ai's GLM coding agent
  "junie@jetbrains.com", // JetBrains Junie
  "windsurf@codeium.com", // Windsurf (Codeium): "Windsurf <windsurf@codeium.com>"
  "agent@augmentcode.com", // Augment: "Augment Agent <agent@augmentcode.com>"
  "noreply@kilocode.ai", // Kilo Code
];

/** Git author/committer names of coding agents (normalised like logins). */
export const AGENT_NAMES: readonly string[] = ["copilot-swe-agent", "kiro-agent"];

/** aider appends " (aider)" to the git author and committer name. */
export const AGENT_NAME_SUFFIX = /\s\(aider\)$/i;

/**
 * AI bots that only review: their approvals never count (isAiIdentity), but they never make a PR
 * AI-assisted, and neither do dependency-update bots. The list lives in the policy layer, which
 * refuses them as reviewers and may not import this file.
 */
export { REVIEW_ONLY_AI_BOTS };

/**
 * Review bots whose suggestions, once committed into the change (the commit names the bot as its
 * author or co-author), are AI-written code: all the AI review bots above. Not Copilot's reviewer
 * account, which never appears in commits.
 */
export const SUGGESTING_REVIEW_BOTS: readonly string[] = REVIEW_ONLY_AI_BOTS.filter((b) => b !== "copilot-pull-request-reviewer");

/**
 * Automation that is not AI (normalised logins): dependency, CI, release and hosting bots. A bot
 * account that is in neither this list nor the AI lists is shown as unrecognised automation.
 */
export const KNOWN_AUTOMATION: readonly string[] = [
  "dependabot",
  "dependabot-preview",
  "renovate",
  "renovate-bot",
  "github-actions",
  "github",
  "web-flow",
  "snyk-bot",
  "snyk-io",
  "blacksmith-sh",
  "cloudflare-workers-and-pages",
  "netlify",
  "vercel",
  "mergify",
  "pre-commit-ci",
  "codecov",
  "allcontributors",
  "imgbot",
  "changeset-bot",
  "release-please",
  "semantic-release-bot",
  "stale",
  "greenkeeper",
  "pyup-bot",
  "restyled-io",
  "autofix-ci",
  "google-cla",
  "googlebot",
  "copybara-service",
  "bors",
  "kodiakhq",
  "depfu",
  "gitstream-cm",
  "graphite-app",
  "pull",
  "transifex-integration",
  "crowdin-bot",
  "weblate",
];

/** Dependency-update bots: their descriptions quote upstream release notes, so description markers are not looked for. */
export const DEPENDENCY_BOTS: readonly string[] = ["dependabot", "dependabot-preview", "renovate", "renovate-bot"];

/**
 * Co-authored-by emails that are AI tools' own identities (lower-case, exact). Whole vendor domains
 * are never matched: people who work at anthropic.com or all-hands.dev co-author with those addresses.
 */
export const AI_EMAILS: readonly string[] = [
  "noreply@anthropic.com", // Claude Code: "Claude <…>", "Claude Opus 4.6 <…>", …
  "cursoragent@cursor.com", // Cursor Agent
  "aider@aider.chat", // aider: "aider (<model>) <…>"
  "noreply@aider.dev", // aider, older releases
  "amp@ampcode.com", // Amp
  "noreply@opencode.ai", // opencode
  "openhands@all-hands.dev", // OpenHands
  "opendevin@all-hands.dev", // OpenHands, older sandboxes
  "opendevin@opendevin.ai", // OpenDevin
  "noreply@openai.com", // Codex CLI
  "codex@openai.com", // Codex cloud
  "copilot@github.com", // Copilot
  "clio-agent@sisyphuslabs.ai", // Sisyphus (oh-my-opencode)
  "agent@continue.dev", // Continue's agent
  "noreply@continue.dev", // Continue
  "roomote@roocode.com", // Roo Code's cloud agent
  "noreply@cline.bot", // Cline
  "cascade@windsurf.ai", // Windsurf's Cascade
  "gemini-cli@google.com", // Gemini CLI's own git identity
  "crush@charm.land", // Crush
  "qwen-coder@alibabacloud.com", // Qwen Code
  "noreply@z.ai", // Z.ai GLM
  "junie@jetbrains.com", // JetBrains Junie
  "windsurf@codeium.com", // Windsurf (Codeium): "Windsurf <windsurf@codeium.com>"
  "agent@augmentcode.com", // Augment: "Augment Agent <agent@augmentcode.com>"
  "noreply@kilocode.ai", // Kilo Code
];

/** Kiro's agent commits and co-authors with a noreply address ending in kiro-agent (with or without "[bot]"). */
export const KIRO_NOREPLY = /kiro-agent(?:\[bot\])?@users\.noreply\.github\.com$/i;

/**
 * Co-authored-by emails: patterns for AI tools' addresses. The noreply addresses of the AI apps and
 * agents above count too (detect.ts resolves them to their accounts).
 */
export const AI_EMAIL_PATTERNS: readonly RegExp[] = [
  /^\d+\+copilot@users\.noreply\.github\.com$/i,
  KIRO_NOREPLY,
  /^claude-[a-z0-9][a-z0-9.-]*@anthropic\.com$/i, // "Claude Code <claude-code@…>", "Claude 3.5 Sonnet <claude-3-5-sonnet@…>"
];

/**
 * Accounts that appear only as co-authors of AI-written changes: GitHub credits Copilot Autofix's
 * applied fixes to github-advanced-security[bot] (normalised logins).
 */
export const AI_CO_AUTHOR_LOGINS: readonly string[] = ["github-advanced-security"];

/**
 * AI vendors' domains: a co-author there counts only when its name is the tool's ("Claude Code",
 * "Cursor Agent", "OpenHands-Claude"); a person's name at the domain is the vendor's staff.
 */
export const AI_VENDOR_DOMAINS: readonly string[] = [
  "anthropic.com",
  "cursor.com",
  "aider.chat",
  "ampcode.com",
  "all-hands.dev",
  "opencode.ai",
  "openai.com",
  "github.com",
  "google.com", // "Gemini <gemini@google.com>"; Google's staff co-author with their own names
];

/**
 * An address no person reads or writes from: "noreply@…", "…-bot@…", "…agent@…", a bot account's
 * noreply. A co-author there whose name names an AI tool or model is that tool ("Gemini 3 Pro
 * <gemini-bot@…>", "kdeps (deepseek-reasoner) <noreply@…>"); the review-only bots are excluded.
 */
export const SERVICE_LOCAL_PART = /^(?:\d+\+)?(?:no-?reply(?:\+[\w.-]+)?|ai|[\w.-]*(?:bot|agent)(?:\[bot\])?|[\w.-]+[._-]ai)$/i;

/** Co-author and author names that are tool identities whatever the email: aider's "aider (<model>)", "Copilot Autofix powered by AI". */
export const AI_CO_AUTHOR_NAMES: readonly RegExp[] = [
  /^aider \([^()]+\)$/i,
  /^copilot autofix\b/i,
  // "<tool> (<model>)": "Codex (GPT 5.6)", "QoderAI (Qwen 3.8 Max)", "kdeps (deepseek-reasoner)": a model in brackets is no person's.
  /^[\w .-]{1,40}\((?:[^()]{0,40}[^A-Za-z0-9])?(?:gpt|claude|gemini|qwen|llama|mistral|deepseek|glm|kimi|grok|sonnet|opus|haiku|codex|o[134])(?:[^A-Za-z][^()]{0,40})?\)$/i,
  // A tool's package-like name, lower-case and hyphenated: "claude-flow", "codex-cli", "gemini-cli" (no person's name).
  /^(?:claude|codex|gemini|copilot|cursor|qwen|devin|jules|kiro|cline|aider|opencode|openhands|deepseek|kimi|glm|grok)-[a-z0-9][a-z0-9-]{0,30}$/,
  // A model id as the name: "claude-sonnet-4-6 via Crush", "gpt-4o", "gemini-2.5-pro", "kimi-k2".
  /(?<![A-Za-z0-9])(?:claude|gpt|gemini|qwen|deepseek|llama|mistral|glm|kimi|grok)-[\w.-]{0,30}\d/i,
];

/** Trailer keys only AI tools write (lower-case). */
export const TOOL_TRAILERS: readonly string[] = [
  "claude-session",
  "claude-generated-by", // Claude Code: "Claude-Generated-By: Claude Code (<model>=<share>)"
  "amp-thread-id",
  "amp-thread",
  "replit-commit-author",
  "replit-commit-session-id",
  "agent-logs-url", // Copilot coding agent: "Agent-Logs-Url: https://github.com/<owner>/<repo>/sessions/<id>"
];

/** Trailer keys that name a helper, human or AI; the value decides (lower-case). "Made-with: Cursor" is Cursor's. */
export const ASSISTED_TRAILERS: readonly string[] = ["assisted-by", "generated-by", "made-with", "ai-assisted-by"];

/** The Linux kernel's `AGENT:MODEL [tools]` form, e.g. "claude-code:claude-opus-4-1 coccinelle". */
export const AGENT_MODEL_VALUE = /^[A-Za-z0-9][\w.+-]*:[A-Za-z0-9][\w.+/-]*(?:\s|$)/;

const left = "(?<![A-Za-z0-9])";
const right = "(?![A-Za-z])"; // digits may follow: gpt-5, gpt4o, llama3, qwen2.5

/** Assistant and model families that are not also people's first names. */
const UNAMBIGUOUS_TOOLS = [
  "copilot",
  "cursor",
  "codex",
  "gpt",
  "chatgpt",
  "gemini",
  "amazon[\\s-]?q",
  "aider",
  "windsurf",
  "amp",
  "openhands",
  "opencode",
  "llama",
  "mistral",
  "qwen",
  "deepseek",
  "glm",
  "grok",
  "crush",
  "llms?",
];
/** Assistant names that are also people's first names (Claude Monet, Devin, Jules, Cody, Kiro, Cline, Junie, Kimi). */
const NAME_LIKE_TOOLS = ["claude", "devin", "jules", "cody", "kiro", "cline", "junie", "kimi"];

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
export const BODY_MARKERS: readonly { name: string; pattern: RegExp; link?: true }[] = [
  { name: "Claude Code", pattern: /generated with \[?claude code\]?/i },
  { name: "Cursor", pattern: /made with \[cursor\]/i },
  { name: "Devin", pattern: /link to devin run/i },
  { name: "Jules", pattern: /pr created automatically by jules/i },
  { name: "Codex", pattern: /chatgpt\.com\/codex\/tasks\//i, link: true },
  { name: "opencode", pattern: /generated with \[?opencode\]?/i },
  { name: "Copilot coding agent", pattern: /<!--\s*START COPILOT/i },
  { name: "Claude Code session link", pattern: /claude\.ai\/code\/session_/i, link: true },
  { name: "Devin session link", pattern: /app\.devin\.ai\/sessions\//i, link: true },
  {
    name: "Cursor agent link (Open in Cursor / Open in Web)",
    pattern: /cursor\.com\/(?:agents\/bc-|background-agent\?bcid=)/i,
    link: true,
  },
  { name: "Amp thread link", pattern: /ampcode\.com\/threads\/T-/i, link: true },
  { name: "Sisyphus", pattern: /ultraworked with \[sisyphus\]/i },
];

/**
 * Markers AI tools write into commit messages (matched per line): the description markers above
 * (a link anywhere in a line, a phrase only where a line starts with it, so a message that
 * discusses a tool's footer is not taken for one), and these. The subject "aider: …" and the "# Aider chat conversation" section are early aider's
 * auto-commit format; "I am <name>, an AI agent" is an agent introducing itself.
 */
export const COMMIT_MARKERS: readonly { name: string; pattern: RegExp; subjectOnly?: boolean }[] = [
  { name: "aider (early auto-commit subject)", pattern: /^aider: \S/, subjectOnly: true },
  { name: "aider chat transcript", pattern: /^# Aider chat conversation:?\s*$/i },
  { name: "agent introducing itself", pattern: /^I am [A-Za-z][\w.-]{0,40}(?: [\w.-]{1,20}){0,3}, an AI (?:agent|assistant)\b/ },
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

/** The built-in signals, by id (src/policy/signals.ts: what `detection.disable` takes), with the words the check summary uses. */
export const BUILTIN_SIGNALS = {
  "author-app": "Pull request opened by a known AI app",
  "commit-agent": "Commit authored or committed by an AI coding agent",
  "commit-author-app": "Commit authored or committed by a known AI app",
  "co-author-trailer": "Commit co-authored by an AI assistant",
  "tool-trailer": "Commit carries an AI tool's trailer",
  "assisted-by-trailer": "Commit says an AI tool assisted or generated it",
  "commit-marker": "Commit message carries an AI tool's marker",
  "body-marker": "Description carries an AI tool's marker",
  disclosure: "Description or commit message discloses AI assistance",
  "agent-trace": "Agent Trace record attributes lines of the PR to AI",
  "git-ai-note": "Git AI authorship note attributes lines of a commit to AI",
  "branch-prefix": "Head branch uses an AI agent's prefix",
  "agent-account": "Pull request or commit by an account or identity that names itself an AI agent",
  "review-bot-suggestion": "Commit carries an AI review bot's suggestion (the bot authored or co-authored it)",
  "tool-footer": "Commit message or description carries an AI tool's footer",
  "prose-disclosure": "Commit message or description says in words that an AI tool wrote the change",
  "unread-commits": "Commits past GitHub's 250-commit limit could not be checked",
  "merged-pull": "Carries an AI-assisted pull request merged into it or re-landed by a revert of its revert",
} as const satisfies Record<BuiltinSignalId, string>;

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
