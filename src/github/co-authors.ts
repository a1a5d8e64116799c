// Resolves the co-authors of commits to GitHub accounts as GitHub links them: the commit's `authors`
// (GraphQL Commit.authors: the git author, then each Co-authored-by trailer, with the account GitHub
// matched to the email, verified emails included). One GraphQL query for all the commits that need it
// (core/co-authors.ts decides which), cached by SHA: a commit's authors do not change.
import type { Octokit } from "./octokit.js";
import type { Actor } from "../core/types.js";
import type { TtlCache } from "./ttl-cache.js";

/** At most this many commits in one query (each asks for at most AUTHORS_PER_PAGE authors). */
const BATCH = 50;
/** GitHub's page size cap for a connection. */
const AUTHORS_PER_PAGE = 100;
/** A commit with more authors than this many pages is refused (fail closed): git allows any number of trailers. */
const MAX_PAGES = 10;

type AuthorsPage = {
  authors?: {
    pageInfo?: { hasNextPage?: boolean; endCursor?: string | null } | null;
    nodes?: Array<{ email?: string | null; user?: { login: string; databaseId?: number | null } | null } | null>;
  };
} | null;

interface AuthorsAnswer {
  repository: Record<string, AuthorsPage> | null;
}

/** A commit's authors connection from `after` (a cursor GitHub gave), one page. */
function authorsField(alias: string, sha: string, after?: string): string {
  const from = after === undefined ? "" : `, after: ${JSON.stringify(after)}`;
  return `${alias}: object(oid: "${sha}") { ... on Commit { authors(first: ${AUTHORS_PER_PAGE}${from}) { pageInfo { hasNextPage endCursor } nodes { email user { login databaseId } } } } }`;
}

function accountsOf(page: AuthorsPage): Actor[] {
  return (page?.authors?.nodes ?? []).flatMap((n) =>
    n?.user?.login ? [{ login: n.user.login, ...(n.user.databaseId ? { id: n.user.databaseId } : {}) }] : [],
  );
}

/**
 * The accounts GitHub links to the authors and co-authors of these commits, every page of each
 * commit's authors (a senior named as the 24th co-author is a contributor too). Throws when GitHub
 * cannot answer or a commit's list cannot be read to its end (fail closed).
 */
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
  const ask = async (fields: string[]) => {
    const query = `query($owner: String!, $repo: String!) {\n  repository(owner: $owner, name: $repo) {\n    ${fields.join("\n    ")}\n  }\n}`;
    return (await octokit.graphql<AuthorsAnswer>(query, { owner: ref.owner, repo: ref.repo })).repository;
  };
  for (let i = 0; i < missing.length; i += BATCH) {
    const batch = missing.slice(i, i + BATCH).filter((sha) => /^[0-9a-f]{40}$/i.test(sha));
    if (batch.length === 0) continue;
    const first = await ask(batch.map((sha, j) => authorsField(`c${j}`, sha)));
    for (const [j, sha] of batch.entries()) {
      let page = first?.[`c${j}`] ?? null;
      const found = accountsOf(page);
      for (let pages = 1; page?.authors?.pageInfo?.hasNextPage; pages++) {
        const cursor = page.authors.pageInfo.endCursor;
        if (pages >= MAX_PAGES || !cursor) throw new Error(`the authors of commit ${sha.slice(0, 7)} could not be read to the end`);
        page = (await ask([authorsField("c0", sha, cursor)]))?.c0 ?? null;
        found.push(...accountsOf(page));
      }
      cache.set(key(sha), found);
      accounts.push(...found);
    }
  }
  return accounts;
}
