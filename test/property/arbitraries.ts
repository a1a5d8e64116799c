// fast-check generators for the pure core: snapshots (files with realistic and unicode paths, commits
// with random trailers and identities, reviews by people, the author, bots and AI accounts), policies
// of a few shapes, and the reviewer directory the GitHub edge would have looked up.
import fc from "fast-check";
import type { Actor, ChangedFile, CommitInfo, PullSnapshot, Review, ReviewerDirectory, ReviewerFacts } from "../../src/core/types.js";
import { validatePolicy } from "../../src/policy/validate.js";
import type { Policy, PolicyInput } from "../../src/policy/schema.js";
import { makeIdentity, makeSnapshot } from "../helpers/snapshot.js";

export const HEAD = "a".repeat(40);
export const OLD = "b".repeat(40);

export const AUTHOR: Actor = { login: "alice", id: 1, type: "User" };

/** People who may review: humans (some seniors), the author under another spelling, bots and AI accounts. */
export const PEOPLE: readonly Actor[] = [
  AUTHOR,
  { login: "Alice", id: 1, type: "User" },
  { login: "bob", id: 2, type: "User" },
  { login: "carol", id: 3, type: "User" },
  { login: "dave", id: 4, type: "User" },
  { login: "erin", id: 5, type: "User" },
  { login: "frank", id: 6, type: "User" },
  { login: "renovate[bot]", id: 29139614, type: "Bot" },
  { login: "claude[bot]", id: 209825114, type: "Bot" },
  { login: "Copilot", id: 198982749, type: "Bot" },
  { login: "openhands-agent", id: 7777, type: "User" },
  { login: "coderabbitai[bot]", id: 136622811, type: "Bot" },
];

/** What the directory knows: carol and dave are active seniors, erin is pending, frank could not be checked. */
export function directory(): ReviewerDirectory {
  const facts = (teams: Record<string, boolean | undefined>, permission?: ReviewerFacts["permission"], error?: string): ReviewerFacts => ({
    teams: new Map(Object.entries(teams)),
    ...(permission ? { permission } : {}),
    ...(error ? { error } : {}),
  });
  return new Map<string, ReviewerFacts>([
    ["alice", facts({ "acme/seniors": true }, "admin")],
    ["bob", facts({ "acme/seniors": false }, "write")],
    ["carol", facts({ "acme/seniors": true }, "maintain")],
    ["dave", facts({ "acme/seniors": true }, "admin")],
    ["erin", facts({ "acme/seniors": false }, "read")],
    ["frank", facts({ "acme/seniors": undefined }, undefined, "membership of @acme/seniors: GitHub answered 500")],
    ["renovate[bot]", facts({ "acme/seniors": true }, "admin")],
    ["claude[bot]", facts({ "acme/seniors": true }, "admin")],
    ["copilot", facts({ "acme/seniors": true }, "admin")],
    ["openhands-agent", facts({ "acme/seniors": true }, "admin")],
    ["coderabbitai[bot]", facts({ "acme/seniors": true }, "admin")],
  ]);
}

const SEGMENTS = [
  "src",
  "infra",
  "prod",
  "services",
  "api",
  "packages",
  "web",
  "docs",
  "日本語",
  "🚀",
  "db",
  "migrations",
  ".github",
  "workflows",
  "auth",
  "k8s",
  "charts",
  "a b",
  "ünïcode",
];
const NAMES = [
  "main.ts",
  "app.tf",
  "README.md",
  "001_init.sql",
  "ci.yml",
  "package.json",
  "CODEOWNERS",
  "logo.png",
  "auth.go",
  "値.txt",
  "Chart.yaml",
  "countersign.yml",
  "x",
];

export const pathArb = fc
  .tuple(fc.array(fc.constantFrom(...SEGMENTS), { minLength: 0, maxLength: 4 }), fc.constantFrom(...NAMES))
  .map(([dirs, name]) => [...dirs, name].join("/"));

const PATCH_LINES = [
  "+const x = 1;",
  "-old line",
  "+DROP TABLE users;",
  "+force_destroy = true",
  '+  secret_key = "abc"',
  "+// TODO",
  "-DROP TABLE logs;",
  "+ünïcode 🚀",
];

export const fileArb: fc.Arbitrary<ChangedFile> = fc
  .record({
    path: pathArb,
    status: fc.constantFrom("added", "removed", "modified", "renamed"),
    additions: fc.nat({ max: 400 }),
    deletions: fc.nat({ max: 400 }),
    patchLines: fc.option(fc.array(fc.constantFrom(...PATCH_LINES), { minLength: 1, maxLength: 6 }), { nil: undefined }),
    previous: fc.option(pathArb, { nil: undefined }),
  })
  .map(({ path, status, additions, deletions, patchLines, previous }) => ({
    path,
    status: status as ChangedFile["status"],
    additions,
    deletions,
    ...(status === "renamed" && previous ? { previousPath: previous } : {}),
    ...(patchLines ? { patch: `@@ -1,${patchLines.length} +1,${patchLines.length} @@\n${patchLines.join("\n")}` } : {}),
  }));

const TRAILERS = [
  "Co-authored-by: Claude <noreply@anthropic.com>",
  "Co-authored-by: Bob <bob@example.com>",
  "Co-authored-by: Carol <3+carol@users.noreply.github.com>",
  "Assisted-by: Claude Code",
  "Assisted-by: Jane Doe <jane@example.com>",
  "Generated-by: gpt-5",
  "Claude-Session: 0123abcd",
  "Signed-off-by: Alice <alice@example.com>",
  "AI-Tool: in-house",
  "Reviewed-by: Dave <dave@example.com>",
];

const IDENTITIES = [
  makeIdentity("Alice", "alice@example.com", AUTHOR),
  makeIdentity("Carol", "carol@example.com", { login: "carol", id: 3, type: "User" }),
  makeIdentity("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com", {
    login: "copilot-swe-agent[bot]",
    id: 198982749,
    type: "Bot",
  }),
  makeIdentity("Someone (aider)", "someone@example.com"),
  makeIdentity("Release Bot", "release@agents.acme.example"),
  makeIdentity("GitHub", "noreply@github.com", { login: "web-flow", id: 19864447, type: "User" }),
];

let commitCounter = 0;
export const commitArb: fc.Arbitrary<CommitInfo> = fc
  .record({
    subject: fc.constantFrom("Fix the thing", "Add retry", "Refactor", "Squashed commit"),
    trailers: fc.array(fc.constantFrom(...TRAILERS), { maxLength: 3 }),
    author: fc.constantFrom(...IDENTITIES),
    committer: fc.constantFrom(...IDENTITIES),
  })
  .map(({ subject, trailers, author, committer }) => ({
    sha: (++commitCounter).toString(16).padStart(40, "c"),
    message: trailers.length > 0 ? `${subject}\n\n${trailers.join("\n")}` : subject,
    author,
    committer,
  }));

/** Description lines (no review-bot block markers: those remove text by design). */
export const bodyLineArb = fc.constantFrom(
  "Adds a cache.",
  "🤖 Generated with [Claude Code](https://claude.com/claude-code)",
  "Made with [Cursor](https://cursor.com)",
  "Fixes #12",
  "generated by our assistant",
  "<!-- START COPILOT CODING AGENT SUFFIX -->",
  "ünïcode line 🚀",
  "",
);

export const labelArb = fc.constantFrom("ai-assisted", "AI-Assisted", "bug", "risk:low", "copilot-made", "needs-senior");

let reviewCounter = 0;
export function reviewArb(): fc.Arbitrary<Review> {
  return fc
    .record({
      user: fc.constantFrom(...PEOPLE),
      state: fc.constantFrom("APPROVED", "APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING") as fc.Arbitrary<
        Review["state"]
      >,
      onHead: fc.boolean(),
      minute: fc.nat({ max: 59 }),
    })
    .map(({ user, state, onHead, minute }) => ({
      id: ++reviewCounter,
      user,
      state,
      commitId: onHead ? HEAD : OLD,
      submittedAt: `2026-11-21T10:${String(minute).padStart(2, "0")}:00Z`,
    }));
}

/**
 * Reviews on a realistic timeline: in the order submitted (ids and times increase), those before the
 * last push on the old head, those after it on the current head.
 */
export const reviewsArb: fc.Arbitrary<Review[]> = fc
  .tuple(fc.array(reviewArb(), { maxLength: 8 }), fc.nat({ max: 8 }))
  .map(([reviews, pushedAfter]) =>
    reviews.map((r, i) => ({
      ...r,
      id: 10_000 + i,
      commitId: i < pushedAfter ? OLD : HEAD,
      submittedAt: `2026-11-21T10:${String(i).padStart(2, "0")}:00Z`,
    })),
  );

export const snapshotArb: fc.Arbitrary<PullSnapshot> = fc
  .record({
    files: fc.array(fileArb, { maxLength: 8 }),
    commits: fc.array(commitArb, { maxLength: 4 }),
    reviews: reviewsArb,
    body: fc.array(bodyLineArb, { maxLength: 4 }).map((lines) => lines.join("\n")),
    labels: fc.uniqueArray(labelArb, { maxLength: 3 }),
    headRef: fc.constantFrom("feature/x", "claude/fix-it", "copilot/issue-1", "ai/thing"),
  })
  .map((o) => makeSnapshot({ ...o, author: AUTHOR, headSha: HEAD }));

/** A few policy shapes, from none at all to strict ones. */
const POLICY_INPUTS: PolicyInput[] = [
  {},
  { signoff: { reviewers: ["@acme/seniors"] } },
  { signoff: { reviewers: ["@acme/seniors"], approvals: 2 } },
  { gate: "all", signoff: { reviewers: ["@acme/seniors", "bob"] } },
  { signoff: { reviewers: ["permission:admin"], fresh_approval: false } },
  {
    signoff: {
      reviewers: ["@acme/seniors"],
      allow_contributors: true,
      tiers: { critical: { approvals: 2 }, high: { reviewers: ["dave", "Carol"] } },
    },
  },
  { mode: "report", signoff: { reviewers: ["@acme/seniors"] } },
  {
    detection: {
      builtin: false,
      labels: [],
      trailers: ["AI-Tool"],
      body_patterns: ["generated by (our )?assistant"],
      emails: ["*@agents.acme.example"],
      branch_prefixes: ["ai/"],
    },
    signoff: { reviewers: ["@acme/seniors"] },
  },
  {
    labels: { ai_assisted: "needs-senior" },
    risk: {
      default: "medium",
      components: ["services/*", "packages/*"],
      rules: [
        { tier: "critical", paths: ["infra/prod/**"] },
        { tier: "high", changed_lines: 600 },
        { tier: "medium", changed_files: 4 },
        { tier: "high", deleted_files: 2 },
        { tier: "critical", components: 2 },
        { tier: "critical", content: ["DROP TABLE", "force_destroy\\s*=\\s*true"] },
        { tier: "high", paths: ["**/*.sql"], content: ["secret_key"] },
      ],
    },
    signoff: { reviewers: ["@acme/seniors"], tiers: { critical: { approvals: 3 } } },
  },
  { risk: { builtin: false, rules: [{ tier: "high", paths: ["**/*.{tf,yml}"] }] }, signoff: { reviewers: ["carol", "dave"] } },
];

export const POLICIES: Policy[] = POLICY_INPUTS.map((input) => {
  const result = validatePolicy(input);
  if (!result.ok) throw new Error(`test policy is invalid: ${JSON.stringify(result.problems)}`);
  return result.policy;
});

export const policyArb: fc.Arbitrary<Policy> = fc.constantFrom(...POLICIES);
