// GitHub accounts that are AI tools, in one place: the detection's catalogue (core/ai-catalogue.ts)
// re-exports them (core may import policy, not the reverse), and a policy that names one as a
// reviewer is refused here ("an AI identity can never sign off").

/** A GitHub account known to the catalogue; `id` is compared before the login where both are known. */
export interface KnownAccount {
  login: string;
  id?: number;
  /** Further ids GitHub shows for the same login (Copilot's agent commits under more than one). */
  otherIds?: readonly number[];
  /** Only the PR author counts, not commits by it (cursor[bot] also pushes Bugbot autofix commits). */
  authorOnly?: boolean;
}

/** AI apps and agents that open pull requests themselves. */
export const AI_APPS: readonly KnownAccount[] = [
  { login: "Copilot", id: 198982749, otherIds: [175728472, 223556219] }, // Copilot coding agent
  { login: "devin-ai-integration[bot]" },
  { login: "google-labs-jules[bot]" },
  { login: "claude[bot]" },
  { login: "cursor[bot]", authorOnly: true },
  { login: "amazon-q-developer[bot]" },
  { login: "sweep-ai[bot]" },
  { login: "openhands-agent" },
  { login: "MentatBot" }, // Mentat's agent, commits as itself
  { login: "codeflash-ai[bot]" }, // Codeflash's optimiser, opens PRs and commits its changes
];

/** Accounts that coding agents commit as (normalised: lower-case, no "[bot]"). */
export const AGENT_LOGINS: readonly string[] = ["copilot-swe-agent", "kiro-agent", "cursoragent", "cline-agent", "cline-cloud-agent"];

/**
 * GitHub Apps that coding agents commit or co-author as (normalised, matched only as "[bot]"
 * accounts, so a person who picked the same login never matches): each tool documents the app as
 * the identity its agent writes with.
 */
export const AGENT_BOT_APPS: readonly string[] = [
  "continue", // Continue's agents (continue.dev)
  "cline-cloud", // Cline's cloud agent
  "blink-so", // Blink (Coder)
  "qwen.ai", // Qwen's coding agent app
  "factory-droid", // Factory's droids
  "gemini-cli", // Gemini CLI running as a GitHub bot (run-gemini-cli); release commits excepted
  "jetbrains-junie", // JetBrains Junie on GitHub
  "codegen-sh", // Codegen
  "v0", // Vercel v0
  "lovable-dev", // Lovable
  "bolt-new-by-stackblitz", // Bolt
  "kiloconnect", // Kilo Code's cloud agent
  "augment-app", // Augment Code's agent
];

/**
 * AI bots that only review: their approvals never count (core/ai-catalogue.ts isAiIdentity), but they never make a PR
 * AI-assisted, and neither do dependency-update bots.
 */
export const REVIEW_ONLY_AI_BOTS: readonly string[] = [
  "coderabbitai",
  "copilot-pull-request-reviewer",
  "gemini-code-assist",
  "chatgpt-codex-connector",
  "ellipsis-dev",
  "greptile-apps",
  "cubic-dev-ai",
  "mrge-io", // cubic's earlier name
  "sourcery-ai",
  "qodo-merge-pro",
  "qodo-code-review",
  "codium-pr-agent",
  "korbit-ai",
  "codeant-ai",
  "bito-code-review",
  "baz-reviewer",
  "windsurf-bot",
  "diamond-reviewer",
  "codeflash-ai-review",
];

const bareLogin = (login: string) =>
  login
    .trim()
    .toLowerCase()
    .replace(/\[bot\]$/, "");

/** Accounts refused as reviewers by their bare login, with or without "[bot]" (compared without case). */
const AI_REVIEWER_LOGINS: readonly string[] = [
  // Coding agents and AI apps that author pull requests.
  ...AI_APPS.map((app) => bareLogin(app.login)),
  ...AGENT_LOGINS,
  // AI reviewers: their approvals never count either.
  ...REVIEW_ONLY_AI_BOTS,
];

/** Also the logins of people: only their "[bot]" accounts are the tools (and every agent's bot app). */
const BOT_ONLY = new Set(["claude", "cursor", ...AGENT_BOT_APPS]);

const normalise = (login: string) => login.trim().toLowerCase();

/**
 * Whether a reviewer entry names an AI tool's account. "claude", "cursor" and the agents' bot apps
 * ("continue", "v0" …) are also the logins of people, so only their "[bot]" accounts count; the
 * other names are the tools' own accounts.
 */
export function isAiReviewer(spec: string): boolean {
  const login = normalise(spec);
  const bare = bareLogin(login);
  if (BOT_ONLY.has(bare)) return login === `${bare}[bot]`;
  return AI_REVIEWER_LOGINS.some((known) => normalise(known) === bare);
}
