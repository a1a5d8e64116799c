// Reads the policy from the default branch with Probot's config loader (org fallback, _extends).
import deepmerge from "deepmerge";
import type { Octokit } from "./octokit.js";
import { validatePolicy, type PolicyProblem } from "../policy/validate.js";
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
    result = await octokit.config.get({
      owner,
      repo,
      path: POLICY_PATH,
      defaults: (configs: Array<Record<string, unknown>>) =>
        deepmerge.all<Record<string, unknown>>([{}, ...configs], mergeOptions),
    });
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
