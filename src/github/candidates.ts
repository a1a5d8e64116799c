// Lists the people behind reviewer specs, so the summary can name who could sign off now: a team's
// members, the collaborators with maintain or admin permission. Cached briefly, like membership.
import type { Octokit } from "./octokit.js";
import { httpStatus } from "./octokit.js";
import { parseSpec } from "../core/eligibility.js";
import { signoffCandidates, specsToList, type SpecPeople } from "../core/candidates.js";
import type { Actor, PullSnapshot, ReviewerSpec, Verdict } from "../core/types.js";
import type { Policy } from "../policy/schema.js";
import type { TtlCache } from "./ttl-cache.js";

/** Pages of 100 read per list: enough to name people, bounded so a huge team costs a few reads. */
const MAX_PAGES = 3;

interface RawUser {
  login: string;
  id: number;
  type?: string;
}

async function readPages(fetchPage: (page: number) => Promise<{ data: RawUser[] }>): Promise<{ people: Actor[]; complete: boolean }> {
  const people: Actor[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data } = await fetchPage(page);
    people.push(...data.map((u) => ({ login: u.login, id: u.id, ...(u.type ? { type: u.type } : {}) })));
    if (data.length < 100) return { people, complete: true };
  }
  return { people, complete: false };
}

async function listSpec(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  spec: ReviewerSpec,
): Promise<{ people: Actor[]; complete: boolean }> {
  const parsed = parseSpec(spec);
  if (parsed.kind === "user") return { people: [{ login: parsed.login }], complete: true };
  if (parsed.kind === "team") {
    return readPages(
      (page) =>
        octokit.rest.teams.listMembersInOrg({ org: parsed.org, team_slug: parsed.slug, per_page: 100, page }) as Promise<{
          data: RawUser[];
        }>,
    );
  }
  return readPages(
    (page) =>
      octokit.rest.repos.listCollaborators({
        owner: repo.owner,
        repo: repo.repo,
        permission: parsed.level,
        per_page: 100,
        page,
      }) as Promise<{ data: RawUser[] }>,
  );
}

function describe(spec: ReviewerSpec, err: unknown): string {
  const what = spec.startsWith("permission:") ? `the people with ${spec.slice(11)} permission` : `the members of ${spec}`;
  const status = httpStatus(err);
  return `${what} (GitHub answered ${status ?? (err as Error)?.message ?? String(err)})`;
}

/** The people of each spec, in parallel; a failed list is said in the summary and changes nothing else. */
export async function listSpecPeople(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  specs: ReviewerSpec[],
  cache?: TtlCache<{ people: Actor[]; complete: boolean }>,
): Promise<Map<ReviewerSpec, SpecPeople>> {
  const entries = await Promise.all(
    specs.map(async (spec): Promise<[ReviewerSpec, SpecPeople]> => {
      const key = spec.startsWith("permission:") ? `${repo.owner}/${repo.repo}:${spec}` : spec;
      try {
        const list = cache
          ? await cache.getOrLoad(key.toLowerCase(), () => listSpec(octokit, repo, spec))
          : await listSpec(octokit, repo, spec);
        return [spec, { ok: true, ...list }];
      } catch (err) {
        return [spec, { ok: false, error: describe(spec, err) }];
      }
    }),
  );
  return new Map(entries);
}

/** Who could sign off now, for the groups still waiting: only when the PR waits, and `limit` (SIGNOFF_CANDIDATES) allows. */
export async function readSignoffCandidates(
  octokit: Octokit,
  snapshot: PullSnapshot,
  policy: Policy,
  verdict: Verdict,
  limit: number,
  cache?: TtlCache<{ people: Actor[]; complete: boolean }>,
) {
  const specs = limit > 0 ? specsToList(verdict) : [];
  if (specs.length === 0) return undefined;
  const listed = await listSpecPeople(octokit, snapshot, specs, cache);
  return signoffCandidates(verdict, snapshot, policy, listed, limit);
}
