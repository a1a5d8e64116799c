// The values every fake of GitHub and every test agree on: one installation of one app on acme/shop.
// test/helpers/github.ts (FakeGitHub's exact mocks) and the shared model (both its transports) all
// read them from here, so a test and the GitHub it talks to cannot disagree on an id.

export const OWNER = "acme";
export const REPO = "shop";
export const INSTALLATION_ID = 4242;
export const APP_ID = 777;
/** The app's slug: its bot account is `${APP_SLUG}[bot]`. */
export const APP_SLUG = "countersign";
/** The name of the check run the app writes. */
export const CHECK_NAME = "Countersign";
/** The PR head most tests use, and the head before a push. */
export const HEAD = "a".repeat(40);
export const OLD_HEAD = "b".repeat(40);
/** github.com's API origin (nock transport); the HTTP transport serves GHE's /api/v3 on loopback instead. */
export const API = "https://api.github.com";
/** The secret the HTTP simulator signs webhooks with (bench runs start the app with it). */
export const SIM_WEBHOOK_SECRET = "bench-secret";
/** The Co-authored-by trailer an AI assistant adds to a commit message. */
export const CLAUDE_TRAILER = "Co-Authored-By: Claude <noreply@anthropic.com>";
/** GitHub's page size limit for list endpoints. */
export const PER_PAGE_MAX = 100;

/** A GitHub account as the fakes hold it (`type` defaults to "User"). */
export interface SimUser {
  login: string;
  id: number;
  type?: "User" | "Bot";
}

/** The people of the security tests: the PR author, two seniors, an outsider, and the app's bot. */
export const ALICE: SimUser = { login: "alice", id: 1, type: "User" };
export const BOB: SimUser = { login: "bob", id: 2, type: "User" };
export const CAROL: SimUser = { login: "carol", id: 3, type: "User" };
export const DAVE: SimUser = { login: "dave", id: 4, type: "User" };
export const MALLORY: SimUser = { login: "mallory", id: 66, type: "User" };
export const APP_BOT: SimUser = { login: `${APP_SLUG}[bot]`, id: 900, type: "Bot" };
