// Reads the policy from the default branch with Probot's config loader (org fallback, _extends).
import deepmerge from "deepmerge";
import type { Octokit } from "./octokit.js";
import { parse as parseYaml } from "yaml";
import { validatePolicy, validatePolicyText, type PolicyProblem } from "../policy/validate.js";
import type { Policy } from "../policy/schema.js";

export const POLICY_FILE = "countersign.yml";
export const POLICY_PATH = `.github/${POLICY_FILE}`;

export type LoadedPolicy =
  | { ok: true; policy: Policy; sources: string[] }
  | { ok: false; problems: PolicyProblem[]; sources: string[] };

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
    throw err;
  }
  const sources = result.files.filter((f) => f.config !== null).map(sourceName);
  const validated = validatePolicy(result.config);
  if (!validated.ok) return { ok: false, problems: validated.problems, sources };
  return { ok: true, policy: validated.policy, sources };
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
  if (!target) return { problems: [{ path: "_extends", message: `"${extendsValue}" is not "repo", "owner/repo" or "owner/repo:path.yml"` }] };
  const [, targetOwner = owner, targetRepo = "", targetPath = POLICY_PATH] = target;
  const name = `${targetOwner}/${targetRepo}:${targetPath}`;
  let base: Record<string, unknown>;
  try {
    base = (await readMerged(octokit, targetOwner, targetRepo, targetPath)).config as Record<string, unknown>;
  } catch (err) {
    return { problems: [], policy: own.policy, note: `the policy it extends (${name}) could not be read (${(err as Error).message}), so it is compared on its own` };
  }
  const { _extends: _ignored, ...proposal } = raw;
  const merged = validatePolicy(deepmerge.all<Record<string, unknown>>([{}, base, proposal], mergeOptions));
  if (!merged.ok) return { problems: merged.problems.map((p) => ({ ...p, message: `${p.message} (once merged over ${name})` })) };
  return { problems: [], policy: merged.policy };
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
