// Resolves the co-authors of commits to GitHub accounts as GitHub links them: the commit's `authors`
// (GraphQL Commit.authors: the git author, then each Co-authored-by trailer, with the account GitHub
// matched to the email, verified emails included). One GraphQL query for all the commits that need it
// (core/co-authors.ts decides which), cached by SHA: a commit's authors do not change.
import type { Octokit } from "./octokit.js";
import type { Actor } from "../core/types.js";
import type { TtlCache } from "./ttl-cache.js";

/** At most this many commits in one query (each asks for at most AUTHORS_PER_COMMIT authors). */
const BATCH = 50;
const AUTHORS_PER_COMMIT = 20;

interface AuthorsAnswer {
  repository: Record<
    string,
    { authors?: { nodes?: Array<{ email?: string | null; user?: { login: string; databaseId?: number | null } | null } | null> } } | null
  > | null;
}

/** The accounts GitHub links to the authors and co-authors of these commits. Throws when GitHub cannot answer (fail closed). */
export async function resolveCommitAuthors(
  octokit: Octokit,
  ref: { owner: string; repo: string },
  shas: string[],
  cache: TtlCache<Actor[]>,
): Promise<Actor[]> {
  const key = (sha: string) => `${ref.owner}/${ref.repo}@${sha}`.toLowerCase();
  const accounts: Actor[] = [];
  const missing: string[] = [];
  for (const sha of new Set(shas)) {
    const known = cache.get(key(sha));
    if (known) accounts.push(...known);
    else missing.push(sha);
  }
  for (let i = 0; i < missing.length; i += BATCH) {
    const batch = missing.slice(i, i + BATCH).filter((sha) => /^[0-9a-f]{40}$/i.test(sha));
    if (batch.length === 0) continue;
    const fields = batch
      .map(
        (sha, j) =>
          `c${j}: object(oid: "${sha}") { ... on Commit { authors(first: ${AUTHORS_PER_COMMIT}) { nodes { email user { login databaseId } } } } }`,
      )
      .join("\n    ");
    const query = `query($owner: String!, $repo: String!) {\n  repository(owner: $owner, name: $repo) {\n    ${fields}\n  }\n}`;
    const answer = await octokit.graphql<AuthorsAnswer>(query, { owner: ref.owner, repo: ref.repo });
    batch.forEach((sha, j) => {
      const nodes = answer.repository?.[`c${j}`]?.authors?.nodes ?? [];
      const found: Actor[] = nodes.flatMap((n) =>
        n?.user?.login ? [{ login: n.user.login, ...(n.user.databaseId ? { id: n.user.databaseId } : {}) }] : [],
      );
      cache.set(key(sha), found);
      accounts.push(...found);
    });
  }
  return accounts;
}
