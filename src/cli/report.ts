// `countersign report`: what happened after the gate, for the people who answer for it — revert
// rates of AI-assisted changes against the rest, the review load on each senior, waits, overrides
// and bypasses — read from GitHub and from Countersign's own check runs.
import { stat, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildReport, openRequestLoad } from "../core/report.js";
import { createReportClient, readReport, type ReportScope } from "../github/report-source.js";
import { CliError, EXIT_ERROR, EXIT_OK, type Io } from "./format.js";
import { renderReportTable, reportCsv, reportJson } from "./report-format.js";
import { renderReportHtml } from "./report-html.js";
import { reportMarkdown } from "./report-summary.js";

export const REPORT_USAGE = `Usage: countersign report (--repo OWNER/NAME | --org ORG) --app-id ID [options]

For the pull requests merged in a date range: AI-assisted or not and why, risk tier, who signed
off, how long it waited, overrides, bypasses and reverts; in total, the revert rate of AI-assisted
changes against the rest by tier and the sign-offs per reviewer. Reads GitHub with the token in
GITHUB_TOKEN (read access to pull requests and checks); GitHub Enterprise Server: GITHUB_API_URL.

Options:
  --repo OWNER/NAME   one repository
  --org ORG           every repository of an organisation pushed to in the range
  --since DATE        first day (YYYY-MM-DD or an ISO time; default: 30 days ago)
  --until DATE        last day, inclusive (default: now)
  --app-id ID         the Countersign GitHub App's numeric id (required; default:
                      COUNTERSIGN_APP_ID, else APP_ID): only its check runs count
  --json              one JSON object (totals and every pull request)
  --csv               one CSV row per pull request
  --html FILE         also write one self-contained HTML page with charts to FILE
  --summary FILE      also write a short Markdown summary to FILE (e.g. $GITHUB_STEP_SUMMARY)
  --check-name NAME   the check run to read (default: CHECK_NAME, else Countersign)
  --concurrency N     reads in flight at once (default 8, at most 10)
  -h, --help          show this help

Progress goes to stderr. Exit status: 0 printed, 2 error (bad flags, token, app id, repository).`;

const DAY = 24 * 60 * 60 * 1000;

export interface ReportDeps {
  env: NodeJS.ProcessEnv;
  /** The clock: the default --until, and the page's "generated at". */
  now: () => Date;
  /** Tests shorten GitHub's retry-after waits (milliseconds per second). */
  retryAfterBaseValue?: number;
}

function parseDate(value: string, flag: string, endOfDay: boolean): Date {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const parsed = new Date(dateOnly ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(parsed.getTime()))
    throw new CliError(`${flag} must be a date like 2026-11-01 or an ISO time, not ${JSON.stringify(value)}`);
  return dateOnly && endOfDay ? new Date(parsed.getTime() + DAY) : parsed;
}

function scopeOf(repo: string | undefined, org: string | undefined): ReportScope {
  if ((repo === undefined) === (org === undefined)) throw new CliError("give exactly one of --repo OWNER/NAME or --org ORG");
  if (repo !== undefined) {
    const m = /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)$/.exec(repo);
    if (!m) throw new CliError(`--repo must look like owner/name, not ${JSON.stringify(repo)}`);
    return { kind: "repo", owner: m[1]!, repo: m[2]! };
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(org!)) throw new CliError(`--org must be an organisation login, not ${JSON.stringify(org)}`);
  return { kind: "org", org: org! };
}

/** Where --html or --summary writes, checked before any request: a typo should not cost a 2,000-PR read. */
async function writablePath(cwd: string, value: string, flag: string): Promise<string> {
  if (value.trim() === "") throw new CliError(`${flag} needs a file name`);
  const path = resolve(cwd, value);
  const dir = await stat(dirname(path)).catch(() => undefined);
  if (!dir?.isDirectory()) throw new CliError(`${flag}: the directory ${dirname(path)} does not exist`);
  const file = await stat(path).catch(() => undefined);
  if (file?.isDirectory()) throw new CliError(`${flag}: ${path} is a directory; give a file name`);
  return path;
}

/** Written whole (GitHub gives each step its own $GITHUB_STEP_SUMMARY file). */
async function writeOut(path: string, text: string, flag: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (err) {
    throw new CliError(`${flag}: could not write ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** GitHub's refusals, in one line that says what to do. */
function explain(err: unknown, scope: ReportScope, apiUrl: string): string | undefined {
  const status = (err as { status?: unknown }).status;
  // octokit reports a failed connection as status 500 with fetch's error as the cause.
  const cause = err as { cause?: { code?: string; cause?: { code?: string } } };
  const unreachable = cause.cause?.code ?? cause.cause?.cause?.code;
  if (unreachable) return `could not reach GitHub at ${apiUrl} (${unreachable}); check GITHUB_API_URL and the network`;
  if (typeof status !== "number") return undefined;
  const message = ((err as { response?: { data?: { message?: string } } }).response?.data?.message ?? (err as Error).message).split(
    "\n",
  )[0];
  const what = scope.kind === "repo" ? `repository ${scope.owner}/${scope.repo}` : `organisation ${scope.org}`;
  if (status === 401)
    return `GitHub rejected the token (401 ${message}); set GITHUB_TOKEN to a valid token that can read pull requests and checks`;
  if (status === 404) return `${what} not found, or the token cannot see it (404); check the name and the token's access`;
  if (status === 403 || status === 429)
    return `GitHub refused a request (${status} ${message}); a rate limit that did not clear after retries, or a token without read access to pull requests and checks`;
  return `GitHub answered ${status} ${message}`;
}

export async function runReport(argv: string[], io: Io, deps: ReportDeps = { env: process.env, now: () => new Date() }): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      repo: { type: "string" },
      org: { type: "string" },
      since: { type: "string" },
      until: { type: "string" },
      json: { type: "boolean", default: false },
      csv: { type: "boolean", default: false },
      html: { type: "string" },
      summary: { type: "string" },
      "check-name": { type: "string" },
      "app-id": { type: "string" },
      concurrency: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: false,
    strict: true,
  });
  if (values.help) {
    io.out(`${REPORT_USAGE}\n`);
    return EXIT_OK;
  }
  if (values.json && values.csv) throw new CliError("give at most one of --json and --csv");
  const scope = scopeOf(values.repo, values.org);
  const now = deps.now();
  const until = values.until !== undefined ? parseDate(values.until, "--until", true) : now;
  const since = values.since !== undefined ? parseDate(values.since, "--since", false) : new Date(until.getTime() - 30 * DAY);
  if (since.getTime() >= until.getTime()) throw new CliError("--since must be before --until");
  const concurrency = values.concurrency === undefined ? 8 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10)
    throw new CliError("--concurrency must be a whole number from 1 to 10");
  const token = deps.env.GITHUB_TOKEN?.trim();
  if (!token)
    throw new CliError(
      "set GITHUB_TOKEN to a token that can read pull requests and checks (in Actions: GITHUB_TOKEN: ${{ github.token }})",
    );
  const apiUrl = deps.env.GITHUB_API_URL?.trim() || "https://api.github.com";
  const checkName = values["check-name"]?.trim() || deps.env.CHECK_NAME?.trim() || "Countersign";
  // Any workflow or app can write a check run named "Countersign" with a forged verdict record:
  // only the Countersign app's own runs are evidence, so without its id there is no report.
  const appIdText = values["app-id"]?.trim() || deps.env.COUNTERSIGN_APP_ID?.trim() || deps.env.APP_ID?.trim();
  if (!appIdText)
    throw new CliError(
      "give --app-id (or set COUNTERSIGN_APP_ID): the Countersign GitHub App's numeric id, shown as \"App ID\" on the app's settings page; " +
        "without it the report cannot tell Countersign's check runs from a same-named run another app or workflow wrote",
    );
  const appId = Number(appIdText);
  if (!/^\d+$/.test(appIdText) || !Number.isSafeInteger(appId) || appId <= 0)
    throw new CliError(`--app-id must be a GitHub App's numeric id, not ${JSON.stringify(appIdText)}`);
  const htmlPath = values.html === undefined ? undefined : await writablePath(io.cwd, values.html, "--html");
  const summaryPath = values.summary === undefined ? undefined : await writablePath(io.cwd, values.summary, "--summary");

  const progress = (message: string) => io.err(`countersign report: ${message}\n`);
  const { octokit, calls } = createReportClient({
    token,
    baseUrl: apiUrl,
    onWait: progress,
    ...(deps.retryAfterBaseValue !== undefined ? { retryAfterBaseValue: deps.retryAfterBaseValue } : {}),
  });
  let reading;
  try {
    reading = await readReport(octokit, scope, { since, until, checkName, appId, concurrency, progress });
  } catch (err) {
    const line = explain(err, scope, apiUrl);
    if (line === undefined) throw err;
    io.err(`countersign report: ${line}\n`);
    return EXIT_ERROR;
  }
  // The report reads labels by their default names; a policy that renames them is not read here.
  const built = buildReport(reading.evidence, reading.candidates, { aiAssisted: "ai-assisted", riskPrefix: "risk:" });
  const { rows } = built;
  // The load waiting on each senior now: review requests on the open AI-assisted PRs.
  const totals = { ...built.totals, openRequests: openRequestLoad(reading.open, "ai-assisted") };
  const header = {
    scope: scope.kind === "repo" ? `${scope.owner}/${scope.repo}` : scope.org,
    since,
    until,
    repos: reading.repos,
    repoNames: reading.repoNames,
    skipped: reading.skipped,
    apiCalls: calls(),
    generatedAt: now,
  };
  if (htmlPath !== undefined) await writeOut(htmlPath, renderReportHtml(header, rows, totals), "--html");
  if (summaryPath !== undefined) await writeOut(summaryPath, reportMarkdown(header, rows, totals), "--summary");
  if (values.json) io.out(reportJson(header, rows, totals));
  else if (values.csv) io.out(reportCsv(rows));
  else io.out(renderReportTable(header, rows, totals));
  const perPull = rows.length === 0 ? "" : ` (${(header.apiCalls / rows.length).toFixed(2)} per merged pull request)`;
  progress(`done: ${rows.length} merged pull requests, ${header.apiCalls} GitHub requests${perPull}`);
  return EXIT_OK;
}
