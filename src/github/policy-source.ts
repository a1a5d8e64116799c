// Reads the policy from the default branch with Probot's config loader (org fallback, _extends).
import deepmerge from "deepmerge";
import type { Octokit } from "./octokit.js";
import { httpStatus } from "./octokit.js";
import { parse as parseYaml } from "yaml";
import { validatePolicy, validatePolicyText, type PolicyProblem } from "../policy/validate.js";
import type { Policy } from "../policy/schema.js";
import { ORG_POLICY_REPO, POLICY_PATH } from "../policy/paths.js";

export type LoadedPolicy = { ok: true; policy: Policy; sources: string[] } | { ok: false; problems: PolicyProblem[]; sources: string[] };

/** Arrays replace rather than concatenate: a repo that names its reviewers means those reviewers. */
const mergeOptions: deepmerge.Options = { arrayMerge: (_target, source) => source };

function sourceName(file: { owner: string; repo: string; path: string }): string {
  return `${file.owner}/${file.repo}:${file.path}`;
}

/**
 * The policy that governs a repository: always from the default branch (Probot's loader reads no
 * other ref), so a pull request can never weaken the policy that judges it.
 * A missing file gives the built-in defaults; a file that cannot be parsed gives problems.
 * Other GitHub errors (403, 5xx) are thrown: the caller fails closed.
 */
export async function loadPolicy(octokit: Octokit, owner: string, repo: string): Promise<LoadedPolicy> {
  let result: Awaited<ReturnType<Octokit["config"]["get"]>>;
  try {
    result = await readMerged(octokit, owner, repo, POLICY_PATH);
  } catch (err) {
    const problem = configErrorToProblem(err);
    if (problem) return { ok: false, problems: [problem], sources: [] };
    const unreadable = unreadableTargetProblem(err, owner, repo);
    if (unreadable) return { ok: false, problems: [unreadable.problem], sources: [unreadable.source] };
    throw err;
  }
  const sources = result.files.filter((f) => f.config !== null).map(sourceName);
  const missing = missingTargets(result.files);
  if (missing.length > 0) {
    // Never the defaults in its place: `gate: all` or a two-approval tier must not quietly disappear.
    return {
      ok: false,
      problems: missing.map((name) => ({
        path: "_extends",
        message: `extends ${name}, which does not exist or cannot be read; the policy is invalid until it can be`,
      })),
      sources: [...sources, ...missing],
    };
  }
  const validated = validatePolicy(result.config);
  if (!validated.ok) return { ok: false, problems: validated.problems, sources };
  return { ok: true, policy: validated.policy, sources };
}

type ConfigFile = { owner: string; repo: string; path: string; config: unknown };

/**
 * `_extends` targets the loader found missing (it returns them with no config instead of failing): every
 * file after the first one that has a config. Before it are only the repository's own file and the
 * organisation's fallback, which may be absent.
 */
function missingTargets(files: ConfigFile[]): string[] {
  const first = files.findIndex((f) => f.config !== null);
  return first < 0
    ? []
    : files
        .slice(first + 1)
        .filter((f) => f.config === null)
        .map(sourceName);
}

/**
 * A 401/403/404 the loader threw while reading an `_extends` target (not the repository's own file nor
 * the organisation's fallback, whose failures stay errors that fail closed and are retried): the
 * target cannot be read, so the policy is invalid, naming it. A rate limit is not a permission problem.
 */
function unreadableTargetProblem(err: unknown, owner: string, repo: string): { problem: PolicyProblem; source: string } | undefined {
  const status = httpStatus(err);
  if (status !== 401 && status !== 403 && status !== 404) return undefined;
  const headers = (err as { response?: { headers?: Record<string, unknown> } }).response?.headers ?? {};
  if (String(headers["x-ratelimit-remaining"]) === "0" || headers["retry-after"] !== undefined) return undefined;
  const url = (err as { request?: { url?: string } }).request?.url ?? "";
  const m = /\/repos\/([^/]+)\/([^/]+)\/contents\/([^?]+)/.exec(url);
  if (!m) return undefined;
  const [, o = "", r = "", encoded = ""] = m;
  const file = { owner: decodeURIComponent(o), repo: decodeURIComponent(r), path: decodeURIComponent(encoded) };
  const own =
    file.path === POLICY_PATH &&
    file.owner.toLowerCase() === owner.toLowerCase() &&
    [repo.toLowerCase(), ORG_POLICY_REPO].includes(file.repo.toLowerCase());
  if (own) return undefined;
  const source = sourceName(file);
  return {
    problem: {
      path: "_extends",
      message: `extends ${source}, which the app cannot read (GitHub answered ${status}); the policy is invalid until it can`,
    },
    source,
  };
}

/** Probot's loader: the file on the default branch, the org's .github fallback, the _extends chain merged. */
function readMerged(octokit: Octokit, owner: string, repo: string, path: string) {
  return octokit.config.get({
    owner,
    repo,
    path,
    defaults: (configs: Array<Record<string, unknown>>) => deepmerge.all<Record<string, unknown>>([{}, ...configs], mergeOptions),
  });
}

/** `_extends` as Probot's loader reads it: "repo", "owner/repo" or "owner/repo:path.yml". */
const EXTENDS = /^(?:([a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38})\/)?([-_.\w\d]+)(?::([-_./\w\d]+\.ya?ml))?$/i;

export interface ProposedPolicyResult {
  problems: PolicyProblem[];
  /** The proposal as it would apply, with what it extends merged in. */
  policy?: Policy;
  /** Said in the summary, e.g. that the extended policy could not be read. */
  note?: string;
}

/**
 * A policy file proposed in a PR, validated on its own (problems carry lines) and then merged over
 * what it `_extends` today, so "what would change" compares the policy that would really apply.
 */
export async function resolveProposedPolicy(octokit: Octokit, owner: string, text: string): Promise<ProposedPolicyResult> {
  const own = validatePolicyText(text);
  if (!own.ok) return { problems: own.problems };
  const raw = (parseYaml(text) ?? {}) as Record<string, unknown>;
  const extendsValue = raw._extends;
  if (typeof extendsValue !== "string") return { problems: [], policy: own.policy };
  const target = EXTENDS.exec(extendsValue.trim());
  if (!target)
    return { problems: [{ path: "_extends", message: `"${extendsValue}" is not "repo", "owner/repo" or "owner/repo:path.yml"` }] };
  const [, targetOwner = owner, targetRepo = "", targetPath = POLICY_PATH] = target;
  const name = `${targetOwner}/${targetRepo}:${targetPath}`;
  const found = text.split(/\r?\n/).findIndex((l) => /^_extends\s*:/.test(l));
  const line = found >= 0 ? found + 1 : undefined;
  const at = (message: string): PolicyProblem => ({ path: "_extends", message, ...(line !== undefined ? { line } : {}) });
  // The PR's author chooses the target: only files of this organisation, or a proposal could make the
  // app read (and show parts of) any YAML file its installation can reach.
  const sameOrg = (o: string) => o.toLowerCase() === owner.toLowerCase();
  if (!sameOrg(targetOwner)) return { problems: [at(`may extend only files of the same organisation (${owner}); ${name} is not one`)] };
  let read: Awaited<ReturnType<typeof readMerged>>;
  try {
    read = await readMerged(octokit, targetOwner, targetRepo, targetPath);
  } catch (err) {
    // Never the message itself: it can quote the extended file (a YAML error shows its lines).
    const status = httpStatus(err);
    return {
      problems: [
        at(
          `extends ${name}, which cannot be read or parsed${status ? ` (GitHub answered ${status})` : ""}; its contents are not shown here`,
        ),
      ],
    };
  }
  const files = read.files as ConfigFile[];
  const foreign = files.find((f) => f.config !== null && !sameOrg(f.owner));
  if (foreign) return { problems: [at(`extends ${name}, which extends ${sourceName(foreign)}, outside the organisation ${owner}`)] };
  if (files[0]?.config === null || missingTargets(files).length > 0) {
    const missing = files[0]?.config === null ? name : missingTargets(files).join(", ");
    return { problems: [at(`extends ${missing}, which does not exist or cannot be read; once merged, the policy would be invalid`)] };
  }
  const base = read.config as Record<string, unknown>;
  const { _extends: _ignored, ...proposal } = raw;
  const merged = validatePolicy(deepmerge.all<Record<string, unknown>>([{}, base, proposal], mergeOptions));
  if (!merged.ok) {
    // A problem at a key the proposal sets is the proposal's, shown as usual; any other comes from the
    // extended file, whose contents (and so the message, which may quote a value) are never shown.
    const mine = merged.problems
      .filter((p) => setsKey(proposal, p.path))
      .map((p) => ({ ...p, message: `${p.message} (once merged over ${name})` }));
    const theirs = merged.problems.length - mine.length;
    const extended =
      theirs > 0
        ? [
            at(
              `extends ${name}, which has ${theirs === 1 ? "a problem" : `${theirs} problems`} of its own; its contents (keys and values) are not shown here`,
            ),
          ]
        : [];
    return { problems: [...extended, ...mine] };
  }
  return { problems: [], policy: merged.policy };
}

/** Whether the proposal itself sets the key path of a problem ("signoff.tiers.critical.approvals", "risk.rules[2].tier"). */
function setsKey(proposal: Record<string, unknown>, path: string): boolean {
  if (!path) return false;
  let value: unknown = proposal;
  for (const key of path.replace(/\[(\d+)\]/g, ".$1").split(".")) {
    if (value === null || typeof value !== "object" || !(key in (value as Record<string, unknown>))) return false;
    value = (value as Record<string, unknown>)[key];
  }
  return true;
}

/** The config plugin throws plain Errors for unparseable files and bad `_extends`; say what they mean. */
function configErrorToProblem(err: unknown): PolicyProblem | undefined {
  if (!(err instanceof Error) || !err.message.startsWith("[@probot/octokit-plugin-config]")) return undefined;
  const message = err.message.replace("[@probot/octokit-plugin-config] ", "");
  const cause = (err as Error & { cause?: unknown }).cause;
  if (cause instanceof Error && "linePos" in cause) {
    const pos = (cause as { linePos?: Array<{ line: number; col: number }> }).linePos?.[0];
    return { path: "", message: `${message}: ${cause.message.split("\n")[0]}`, ...(pos ? { line: pos.line } : {}) };
  }
  return { path: "", message };
}

/** The policy file as a pull request proposes it (at its head), or undefined when the PR deletes it. */
export async function readProposedPolicyText(octokit: Octokit, owner: string, repo: string, sha: string): Promise<string | undefined> {
  try {
    const { data } = await octokit.rest.repos.getContent({ owner, repo, path: POLICY_PATH, ref: sha, mediaType: { format: "raw" } });
    return typeof data === "string" ? data : undefined;
  } catch (err) {
    if ((err as { status?: number }).status === 404) return undefined;
    throw err;
  }
}
