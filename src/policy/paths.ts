// Which files are the Countersign policy. Every reader of a policy path imports it from here.

export const POLICY_FILE = "countersign.yml";

/**
 * The one file the app reads the policy from: on the default branch, with the organisation's
 * `.github` repository as fallback (Probot's config loader reads exactly this path). The CLI's
 * `validate` and `check` default to it; a pull request that changes it gets its proposal validated.
 */
export const POLICY_PATH = `.github/${POLICY_FILE}`;

/**
 * Paths whose change counts as a change of the policy (risk tier critical, whatever the policy says).
 * The `.yaml` spelling is never read by the app, but a pull request that adds it looks like a policy
 * change to its reviewers, so it is guarded like one.
 */
export const POLICY_PATHS: ReadonlySet<string> = new Set([POLICY_PATH, ".github/countersign.yaml"]);

/**
 * The organisation's `.github` repository: Probot's loader falls back to its POLICY_PATH, and any YAML
 * file in it may be a policy that other repositories `_extends`.
 */
export const ORG_POLICY_REPO = ".github";
