// What `countersign report` reads from GitHub, with a token (not as the app): the merged PRs of a
// repository or an organisation, our check runs on their merged heads, and the approvals of signed-off
// high/critical PRs. Calls per merged PR: one for the check runs, plus one for the reviews of a
// signed-off high/critical PR; the lists cost one call per 100 PRs (docs/cli.md, BENCHMARKS.md).
import { Octokit as RestOctokit } from "@octokit/rest";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import pLimit from "p-limit";
import { pullRecordIn } from "../core/check-record.js";
import type { MergedPull, OpenPull, PullEvidence, ReportApproval, ReportCheckRun } from "../core/report.js";

const ReportOctokit = RestOctokit.plugin(throttling, retry);
export type ReportClient = InstanceType<typeof ReportOctokit>;

export interface ReportClientOptions {
  token: string;
  /** GitHub Enterprise Server: e.g. https://ghe.example/api/v3 (GITHUB_API_URL in Actions). */
  baseUrl?: string | undefined;
  /** Told when GitHub asks us to wait (a rate limit), so the user knows why it is slow. */
  onWait: (message: string) => void;
  /** Milliseconds per second of retry-after (tests shorten the waits; 1000 otherwise). */
  retryAfterBaseValue?: number;
  /** How many times a rate-limited request is tried again before the report gives up. */
  rateLimitRetries?: number;
}

export function createReportClient(o: ReportClientOptions): { octokit: ReportClient; calls: () => number } {
  const base = o.retryAfterBaseValue ?? 1000;
  const retries = o.rateLimitRetries ?? 3;
  // Counted at fetch: every HTTP request, retries and rate-limit waits included.
  let calls = 0;
  const countingFetch: typeof fetch = (input, init) => {
    calls++;
    return fetch(input, init);
  };
  const octokit = new ReportOctokit({
    auth: o.token,
    request: { fetch: countingFetch },
    userAgent: "countersign-report",
    ...(o.baseUrl ? { baseUrl: o.baseUrl.replace(/\/+$/, "") } : {}),
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    throttle: {
      retryAfterBaseValue: base,
      onRateLimit: (after: number, options: { method: string; url: string }, _o: unknown, count: number) => {
        o.onWait(`rate limit reached on ${options.method} ${options.url}; waiting ${after}s (try ${count + 1} of ${retries})`);
        return count < retries;
      },
      onSecondaryRateLimit: (after: number, options: { method: string; url: string }, _o: unknown, count: number) => {
        o.onWait(`secondary rate limit on ${options.method} ${options.url}; waiting ${after}s (try ${count + 1} of ${retries})`);
        return count < retries;
      },
    },
    retry: { retryAfterBaseValue: base },
  } as ConstructorParameters<typeof ReportOctokit>[0]);
  return { octokit, calls: () => calls };
}

export type ReportScope = { kind: "repo"; owner: string; repo: string } | { kind: "org"; org: string };

export interface ReadOptions {
  since: Date;
  until: Date;
  checkName: string;
  /** Only check runs of this GitHub App count: any app or workflow can name a check run the same and forge its record. */
  appId: number;
  /** Reads in flight at once (the throttling plugin caps it at 10). */
  concurrency: number;
  progress: (message: string) => void;
}

type ListedPull = {
  number: number;
  title: string;
  body: string | null;
  user: { login: string } | null;
  html_url: string;
  merged_at: string | null;
  updated_at: string;
  head: { sha: string };
  merge_commit_sha: string | null;
  labels: Array<{ name?: string }>;
};

/** Merged PRs of one repository since `since`, newest updates first: paging stops at the first page older than the range. */
async function mergedPullsOf(octokit: ReportClient, owner: string, repo: string, since: Date): Promise<MergedPull[]> {
  const found: MergedPull[] = [];
  const pages = octokit.paginate.iterator(octokit.rest.pulls.list, {
    owner,
    repo,
    state: "closed",
    sort: "updated",
    direction: "desc",
    per_page: 100,
  });
  for await (const page of pages) {
    const pulls = page.data as ListedPull[];
    for (const p of pulls) {
      if (!p.merged_at || Date.parse(p.merged_at) < since.getTime()) continue;
      found.push({
        repo: `${owner}/${repo}`,
        number: p.number,
        title: p.title,
        body: p.body ?? "",
        author: p.user?.login ?? "ghost",
        url: p.html_url,
        mergedAt: p.merged_at,
        headSha: p.head.sha,
        mergeCommitSha: p.merge_commit_sha ?? undefined,
        labels: p.labels.map((l) => l.name ?? "").filter(Boolean),
      });
    }
    // A PR merged in the range was updated at or after its merge: older updates cannot be in it.
    const last = pulls[pulls.length - 1];
    if (!last || Date.parse(last.updated_at) < since.getTime()) break;
  }
  return found;
}

type ListedOpenPull = {
  number: number;
  draft?: boolean;
  labels: Array<{ name?: string }>;
  requested_reviewers?: Array<{ login: string }> | null;
};

/** The open PRs of one repository, with their requested reviewers (one request per 100 open PRs). */
async function openPullsOf(octokit: ReportClient, owner: string, repo: string): Promise<OpenPull[]> {
  const pulls = (await octokit.paginate(octokit.rest.pulls.list, { owner, repo, state: "open", per_page: 100 })) as ListedOpenPull[];
  return pulls.map((p) => ({
    repo: `${owner}/${repo}`,
    number: p.number,
    draft: p.draft === true,
    labels: p.labels.map((l) => l.name ?? "").filter(Boolean),
    requestedReviewers: (p.requested_reviewers ?? []).map((u) => u.login),
  }));
}

/** The organisation's repositories pushed to since `since` (a merge pushes to the base branch), most recent first. */
async function activeReposOf(octokit: ReportClient, org: string, since: Date): Promise<string[]> {
  const names: string[] = [];
  const pages = octokit.paginate.iterator(octokit.rest.repos.listForOrg, {
    org,
    type: "all",
    sort: "pushed",
    direction: "desc",
    per_page: 100,
  });
  for await (const page of pages) {
    let older = false;
    for (const r of page.data) {
      if (!r.pushed_at || Date.parse(r.pushed_at) < since.getTime()) {
        older = true;
        continue;
      }
      names.push(r.name);
    }
    if (older) break;
  }
  return names;
}

async function checkRunsOn(octokit: ReportClient, pull: MergedPull, checkName: string, appId: number): Promise<ReportCheckRun[]> {
  const [owner = "", repo = ""] = pull.repo.split("/");
  try {
    const { data } = await octokit.rest.checks.listForRef({
      owner,
      repo,
      ref: pull.headSha,
      check_name: checkName,
      filter: "all",
      per_page: 100,
      app_id: appId,
    });
    // GitHub filters by app_id; the run's own app id is checked again, so a proxy or a GitHub that
    // ignored the parameter still cannot slip another app's run in.
    return data.check_runs
      .filter((r) => r.name === checkName && r.app?.id === appId)
      .map((r) => ({
        id: r.id,
        status: r.status,
        conclusion: r.conclusion ?? null,
        startedAt: r.started_at ?? null,
        completedAt: r.completed_at ?? null,
        title: r.output.title ?? "",
        summary: r.output.summary ?? "",
        text: r.output.text ?? null,
      }));
  } catch (err) {
    // The head commit is gone (a force-pushed fork): no check to read, which the report shows.
    if ((err as { status?: number }).status === 404 || (err as { status?: number }).status === 422) return [];
    throw err;
  }
}

async function approvalsOf(octokit: ReportClient, pull: MergedPull): Promise<ReportApproval[]> {
  const [owner = "", repo = ""] = pull.repo.split("/");
  const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, { owner, repo, pull_number: pull.number, per_page: 100 });
  return reviews
    .filter((r) => r.state === "APPROVED" && r.user && r.submitted_at)
    .map((r) => ({ login: r.user!.login, commitId: r.commit_id ?? "", submittedAt: r.submitted_at! }));
}

function needsApprovals(runs: ReportCheckRun[], pr: number): boolean {
  const latest = [...runs].sort((a, b) => b.id - a.id)[0];
  const record = latest ? pullRecordIn(latest.text, pr) : undefined;
  return record?.outcome === "approved" && (record.tier === "high" || record.tier === "critical");
}

export interface ReportReading {
  /** PRs merged in [since, until), with what our checks said on their merged heads. */
  evidence: PullEvidence[];
  /** Every merged PR seen since `since` (also after `until`): where reverts of the range are found. */
  candidates: MergedPull[];
  /** The open PRs of the repositories read, now (for the review requests waiting on each senior). */
  open: OpenPull[];
  repos: number;
  /** The repositories read, "owner/name", in the order listed. */
  repoNames: string[];
  /** Repositories of an organisation the token may not read ("owner/name: why"): left out, and said. */
  skipped: string[];
}

/** A refusal about one repository (not a rate limit, which the throttling plugin waits out). */
function refusedRepo(err: unknown): string | undefined {
  const status = (err as { status?: unknown }).status;
  const message = String((err as Error).message ?? "").split("\n")[0] ?? "";
  if ((status === 403 || status === 404) && !/rate limit/i.test(message)) return `GitHub answered ${status} ${message}`;
  return undefined;
}

export async function readReport(octokit: ReportClient, scope: ReportScope, o: ReadOptions): Promise<ReportReading> {
  const limit = pLimit(o.concurrency);
  let repos: Array<{ owner: string; repo: string }>;
  if (scope.kind === "repo") repos = [{ owner: scope.owner, repo: scope.repo }];
  else {
    repos = (await activeReposOf(octokit, scope.org, o.since)).map((repo) => ({ owner: scope.org, repo }));
    o.progress(`${repos.length} repositories of ${scope.org} pushed to since ${o.since.toISOString().slice(0, 10)}`);
  }
  let listed = 0;
  const skipped: string[] = [];
  const lists = await Promise.all(
    repos.map((r) =>
      limit(async () => {
        let pulls: MergedPull[];
        let open: OpenPull[];
        try {
          pulls = await mergedPullsOf(octokit, r.owner, r.repo, o.since);
          open = await openPullsOf(octokit, r.owner, r.repo);
        } catch (err) {
          // --repo names one repository: its refusal is the answer. In an org, one unreadable repository is left out.
          const why = scope.kind === "org" ? refusedRepo(err) : undefined;
          if (why === undefined) throw err;
          skipped.push(`${r.owner}/${r.repo}: ${why}`);
          o.progress(`skipped ${r.owner}/${r.repo}: ${why}`);
          pulls = [];
          open = [];
        }
        listed++;
        if (repos.length > 1 && (listed % 25 === 0 || listed === repos.length))
          o.progress(`listed merged pull requests in ${listed}/${repos.length} repositories`);
        return { pulls, open };
      }),
    ),
  );
  const candidates = lists.flatMap((l) => l.pulls);
  const open = lists.flatMap((l) => l.open);
  const inRange = candidates.filter((p) => Date.parse(p.mergedAt) < o.until.getTime());
  o.progress(`${inRange.length} merged pull requests in range; reading Countersign's check runs`);
  let done = 0;
  const step = Math.max(50, Math.ceil(inRange.length / 20));
  const evidence = await Promise.all(
    inRange.map((pull) =>
      limit(async (): Promise<PullEvidence> => {
        const runs = await checkRunsOn(octokit, pull, o.checkName, o.appId);
        const approvals = needsApprovals(runs, pull.number) ? await approvalsOf(octokit, pull) : undefined;
        done++;
        if (done % step === 0 || done === inRange.length) o.progress(`read ${done}/${inRange.length} pull requests`);
        return { pull, runs, ...(approvals ? { approvals } : {}) };
      }),
    ),
  );
  return { evidence, candidates, open, repos: repos.length, repoNames: repos.map((r) => `${r.owner}/${r.repo}`), skipped };
}
