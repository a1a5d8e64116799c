// GitHub accounts that are AI tools: a policy that names one as a reviewer is refused ("an AI
// identity can never sign off"). The detection's own catalogue is src/core/ai-catalogue.ts, which
// the policy layer may not import; test/unit/ai-identities.test.ts checks that every account it
// lists (AI apps, coding agents' logins, review-only AI bots) is refused here, so the two stay in step.

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

/** Logins as GitHub shows them; compared without case, with or without the "[bot]" suffix. */
export const AI_REVIEWER_LOGINS: readonly string[] = [
  // Coding agents and AI apps that author pull requests.
  "Copilot",
  "copilot-swe-agent",
  "devin-ai-integration",
  "google-labs-jules",
  "claude",
  "cursor",
  "cursoragent",
  "amazon-q-developer",
  "sweep-ai",
  "openhands-agent",
  "MentatBot",
  "codeflash-ai",
  "kiro-agent",
  "cline-agent",
  "cline-cloud-agent",
  // AI reviewers: their approvals never count either.
  ...REVIEW_ONLY_AI_BOTS,
];

const BOT_ONLY = new Set(["claude", "cursor"]);

const normalise = (login: string) => login.trim().toLowerCase();

/**
 * Whether a reviewer entry names an AI tool's account. "claude" and "cursor" are also the logins
 * of people, so only their "[bot]" accounts count; the other names are the tools' own accounts.
 */
export function isAiReviewer(spec: string): boolean {
  const login = normalise(spec);
  const bare = login.replace(/\[bot\]$/, "");
  return AI_REVIEWER_LOGINS.some((known) => {
    const k = normalise(known);
    if (BOT_ONLY.has(k)) return login === `${k}[bot]`;
    return bare === k;
  });
}
