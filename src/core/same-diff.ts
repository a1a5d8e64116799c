// `fresh_approval: same-diff`: is the PR's own change at an earlier commit the same as at the head?
// Each side is the diff of that commit against its merge base with the base branch; two diffs are
// the same when they touch the same files with the same hunks, line numbers and hunk offsets aside
// (git's patch-id idea). Anything that cannot be compared is different: the approval goes stale.
import { createHash } from "node:crypto";

/** One file of a diff against the merge base, as GitHub's compare API or local git gives it. */
export interface DiffFile {
  path: string;
  previousPath?: string;
  status: string;
  additions: number;
  deletions: number;
  /** The file's blob at the compared commit; for a removed file, the blob it removed (when known). */
  blobSha?: string;
  /** The unified diff's hunks; GitHub omits it for binary and very large files. */
  patch?: string;
}

/** A diff reduced to what decides sameness: per path, a digest of its change (small enough to cache). */
export type DiffDigest =
  | { ok: true; files: Record<string, string> }
  /** The diff could not be read or is incomplete; `reason` says why, for the summary. */
  | { ok: false; reason: string };

export interface DiffComparison {
  same: boolean;
  /** "the changes since are only the base branch", or why the approval is stale. */
  reason: string;
}

export const SAME_DIFF_REASON = "the changes since are only the base branch";

const code = (s: string) => "`" + s.replace(/`/g, "ʼ") + "`";

/** The hunks of a patch with their headers reduced to "@@": line numbers, offsets and the section heading vary with the base. */
export function normalisePatch(patch: string): string {
  return patch
    .split(/\r?\n/)
    .map((line) => (line.startsWith("@@") ? "@@" : line))
    .join("\n")
    .replace(/\n+$/, "");
}

/**
 * A file without a patch: an added or renamed (or mode-changed) file is comparable by its blob,
 * which is then the whole change; a removed file by the blob it removed (a base that changed the
 * file before the PR removed it, a modify/delete conflict resolved, is a different removal). A
 * modified binary's diff also depends on the base's version, which the blob does not show: it
 * cannot be compared, and neither can a removal whose blob is not known.
 */
function patchlessChange(file: DiffFile): string | undefined {
  if (file.blobSha === undefined || /^0+$/.test(file.blobSha) || file.status === "modified") return undefined;
  return file.status === "removed" ? `removed:${file.blobSha}` : `blob:${file.blobSha}`;
}

/** The digest of a diff, or why it cannot serve for a comparison. */
export function digestDiff(files: DiffFile[]): DiffDigest {
  const digests: Record<string, string> = {};
  for (const file of files) {
    const change = file.patch !== undefined ? `patch:${normalisePatch(file.patch)}` : patchlessChange(file);
    if (change === undefined) {
      return {
        ok: false,
        reason: `GitHub did not include the diff of ${code(file.path)} (binary or too large), so the change cannot be compared`,
      };
    }
    const hash = createHash("sha256")
      .update(`${file.status}\0${file.previousPath ?? ""}\0${change}`)
      .digest("hex");
    digests[file.path] = hash;
  }
  return { ok: true, files: digests };
}

const short = (sha: string) => sha.slice(0, 7);

/** Whether the PR's own change at `approvedSha` equals the one at the head. */
export function compareDiffs(approvedSha: string, approved: DiffDigest, head: DiffDigest): DiffComparison {
  if (!approved.ok) return { same: false, reason: `the changes at ${short(approvedSha)} could not be compared: ${approved.reason}` };
  if (!head.ok) return { same: false, reason: `the changes at the head could not be compared: ${head.reason}` };
  const before = Object.keys(approved.files);
  const after = Object.keys(head.files);
  const onlyHead = after.filter((p) => approved.files[p] === undefined);
  if (onlyHead.length > 0)
    return { same: false, reason: `the PR changes ${code(onlyHead[0]!)} since ${short(approvedSha)}${more(onlyHead)}` };
  const onlyApproved = before.filter((p) => head.files[p] === undefined);
  if (onlyApproved.length > 0) return { same: false, reason: `the PR no longer changes ${code(onlyApproved[0]!)}${more(onlyApproved)}` };
  const changed = after.filter((p) => head.files[p] !== approved.files[p]);
  if (changed.length > 0)
    return { same: false, reason: `the change to ${code(changed[0]!)} differs from the one approved${more(changed)}` };
  return { same: true, reason: SAME_DIFF_REASON };
}

const more = (paths: string[]) => (paths.length > 1 ? ` (and ${paths.length - 1} more files)` : "");
