// Unrecognised automation: bot accounts that author, commit or co-author a PR's commits and are in
// no list (neither an AI identity nor known dependency/CI/release automation). They do not gate on
// their own; the summary, `countersign check` and the report show them with the policy key that
// would count them, so an admin can extend detection. Pure, linear in the size of the PR.
import type { Policy } from "../policy/schema.js";
import { matchesPolicyEmail } from "../policy/email-pattern.js";
import {
  AGENT_BOT_APPS,
  AGENT_LOGINS,
  AI_APPS,
  AI_CO_AUTHOR_LOGINS,
  DEPENDENCY_BOTS,
  KNOWN_AUTOMATION,
  REVIEW_ONLY_AI_BOTS,
} from "./ai-catalogue.js";
import { isAgentLikeBotLogin, looksLikeAutomation } from "./ai-families.js";
import { parseTrailers } from "./trailers.js";
import type { PullSnapshot, UnrecognisedAutomation } from "./types.js";

export type { UnrecognisedAutomation };

const NOREPLY = /^(?:(\d+)\+)?([A-Za-z0-9][A-Za-z0-9.-]*\[bot\])@users\.noreply\.github\.com$/i;

/** Lower-case, without "[bot]". */
function normalise(login: string): string {
  return login
    .trim()
    .toLowerCase()
    .replace(/\[bot\]$/, "");
}

/** Whether the catalogue or the policy already knows the bot (as AI, or as ordinary automation). */
function isKnown(login: string, email: string | undefined, policy: Policy): boolean {
  const n = normalise(login);
  if (
    AI_APPS.some((a) => normalise(a.login) === n) ||
    AGENT_LOGINS.includes(n) ||
    AGENT_BOT_APPS.includes(n) ||
    AI_CO_AUTHOR_LOGINS.includes(n) ||
    REVIEW_ONLY_AI_BOTS.includes(n) ||
    DEPENDENCY_BOTS.includes(n) ||
    KNOWN_AUTOMATION.includes(n) ||
    isAgentLikeBotLogin(n) ||
    looksLikeAutomation(n)
  ) {
    return true;
  }
  const d = policy.detection;
  const listed = (l: string) => normalise(l.replace(/^@/, ""));
  if (d.authors.some((a) => listed(a) === n) || d.ignore_authors.some((a) => listed(a) === n)) return true;
  return email !== undefined && matchesPolicyEmail(email, d.emails);
}

/**
 * Bot accounts among the PR's commit authors, committers and co-authors that no list knows: a
 * login ending in "[bot]", a "…[bot]@users.noreply.github.com" email, or an account of type Bot.
 * One entry per bot, with the commits it appears on, in order of first appearance.
 */
export function findUnrecognisedAutomation(snapshot: PullSnapshot, policy: Policy): UnrecognisedAutomation[] {
  const found = new Map<string, UnrecognisedAutomation>();
  const add = (login: string, email: string | undefined, role: UnrecognisedAutomation["roles"][number], sha: string) => {
    const key = normalise(login);
    if (key === "" || isKnown(login, email, policy)) return;
    const entry = found.get(key) ?? {
      login: /\[bot\]$/i.test(login) ? login : `${login}[bot]`,
      ...(email ? { email } : {}),
      roles: [],
      commits: [],
      policyKey: "detection.emails",
    };
    // detection.authors counts commit authors and committers by login; a co-author only by its email.
    if (role !== "co-author") entry.policyKey = "detection.authors";
    if (!entry.roles.includes(role)) entry.roles.push(role);
    if (!entry.commits.includes(sha)) entry.commits.push(sha);
    found.set(key, entry);
  };
  for (const commit of snapshot.commits) {
    for (const [role, identity] of [
      ["author", commit.author],
      ["committer", commit.committer],
    ] as const) {
      const email = identity.email.trim().replace(/^<|>$/g, "");
      const account = identity.account;
      const noreply = NOREPLY.exec(email);
      if (account && (account.type === "Bot" || /\[bot\]$/i.test(account.login))) add(account.login, email, role, commit.sha);
      else if (noreply) add(noreply[2]!, email, role, commit.sha);
      else if (/^[A-Za-z0-9][\w.-]{0,60}\[bot\]$/.test(identity.name.trim())) add(identity.name.trim(), email, role, commit.sha);
    }
    for (const t of parseTrailers(commit.message)) {
      if (t.key.toLowerCase() !== "co-authored-by") continue;
      const email = /<([^<>\s]+@[^<>\s]+)>/.exec(t.value)?.[1];
      const noreply = email ? NOREPLY.exec(email) : null;
      const name = t.value.replace(/<[^<>]*>\s*$/, "").trim();
      if (noreply) add(noreply[2]!, email, "co-author", commit.sha);
      else if (/^[A-Za-z0-9][\w.-]{0,60}\[bot\]$/.test(name)) add(name, email, "co-author", commit.sha);
    }
  }
  return [...found.values()];
}
