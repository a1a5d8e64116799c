// `fresh_approval: same-diff`: is the PR's own change at an earlier commit the same as at the head?
// Each side is the diff of that commit against its merge base with the base branch; two diffs are
// the same when they touch the same files with the same hunks (git's patch-id idea) AT THE SAME
// PLACE: the head must be exactly what the approved commit becomes when the base's own changes since
// are merged into it. A hunk's place is where it starts in the merge base's version of the file; when
// the merge base moved (the base branch was merged in, or the PR rebased), that place is carried
// through the base's own changes to the file between the two merge bases (`BaseChanges`). A hunk that
// moved to another place with the same context lines (removing the same check from another handler)
// is a new change. Anything that cannot be compared is different: the approval goes stale.
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

/** One file's change: a digest of its hunks' text, and where each hunk starts and how many lines it spans in the merge base's version. */
export interface FileDigest {
  change: string;
  /** Per hunk, [first line, line count] on the old side ("@@ -first,count"); [] for a change without a patch. */
  at: Array<[number, number]>;
}

/** A diff reduced to what decides sameness: per path, its change (small enough to cache), and the merge base it was taken against. */
export type DiffDigest =
  | { ok: true; files: Record<string, FileDigest>; mergeBase?: string }
  /** The diff could not be read or is incomplete; `reason` says why, for the summary. */
  | { ok: false; reason: string };

export interface DiffComparison {
  same: boolean;
  /** "the changes since are only the base branch", or why the approval is stale. */
  reason: string;
  /**
   * Stale only because hunks start at other lines while the base's own changes between the two merge
   * bases are not known: reading them (`BaseChanges`) may show the hunks were only carried along.
   */
  needsBaseChanges?: boolean;
}

/** The base branch's own changes between the approved commit's merge base and the head's: per path, its hunks' ranges [old first, old count, new first, new count]. */
export type BaseChanges = Map<string, Array<[number, number, number, number]>>;

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

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** Each hunk's [first, count] on the old and new sides, from a unified diff's "@@" lines. */
export function hunkRanges(patch: string): Array<[number, number, number, number]> {
  const ranges: Array<[number, number, number, number]> = [];
  for (const line of patch.split(/\r?\n/)) {
    const m = HUNK.exec(line);
    if (m) ranges.push([Number(m[1]), Number(m[2] ?? 1), Number(m[3]), Number(m[4] ?? 1)]);
  }
  return ranges;
}

/** The digest of a diff, or why it cannot serve for a comparison; `mergeBase`: the commit it was taken against, when known. */
export function digestDiff(files: DiffFile[], mergeBase?: string): DiffDigest {
  const digests: Record<string, FileDigest> = {};
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
    const at = file.patch !== undefined ? hunkRanges(file.patch).map(([first, count]): [number, number] => [first, count]) : [];
    digests[file.path] = { change: hash, at };
  }
  return { ok: true, files: digests, ...(mergeBase ? { mergeBase } : {}) };
}

/**
 * Where a hunk of the approved change that spans old lines [first, first+count) lands after the
 * base's own changes to the file, or undefined when the base changed those lines or right beside
 * them (the hunk's context included): then the two changes touch, and only a new review can say
 * the result is the same.
 */
function carry(first: number, count: number, base: ReadonlyArray<[number, number, number, number]>): number | undefined {
  let shift = 0;
  const end = first + Math.max(count, 1) - 1; // a pure insertion (count 0) sits after line `first`
  for (const [oldFirst, oldCount, , newCount] of base) {
    // The base hunk's old lines [oldFirst, oldFirst+oldCount); an insertion (oldCount 0) goes after oldFirst.
    const oldEnd = oldCount === 0 ? oldFirst : oldFirst + oldCount - 1;
    const before = oldCount === 0 ? oldFirst < first : oldEnd < first;
    if (before) {
      shift += newCount - oldCount;
      continue;
    }
    const after = oldCount === 0 ? oldFirst >= end : oldFirst > end;
    if (!after) return undefined;
  }
  return first + shift;
}

/** Whether the approved file's hunks are the head's, at the places the base's changes carried them to. */
function samePlaces(approved: FileDigest, head: FileDigest, base: BaseChanges | undefined, path: string): boolean {
  if (approved.at.length !== head.at.length) return false;
  const baseHunks = base?.get(path) ?? [];
  return approved.at.every(([first, count], i) => {
    const [headFirst, headCount] = head.at[i]!;
    if (count !== headCount) return false;
    return (baseHunks.length === 0 ? first : carry(first, count, baseHunks)) === headFirst;
  });
}

const short = (sha: string) => sha.slice(0, 7);

/**
 * Whether the PR's own change at `approvedSha` equals the one at the head, hunks at the same places.
 * `base`: the base branch's own changes between the two merge bases, when they differ and were read.
 */
export function compareDiffs(approvedSha: string, approved: DiffDigest, head: DiffDigest, base?: BaseChanges): DiffComparison {
  if (!approved.ok) return { same: false, reason: `the changes at ${short(approvedSha)} could not be compared: ${approved.reason}` };
  if (!head.ok) return { same: false, reason: `the changes at the head could not be compared: ${head.reason}` };
  const before = Object.keys(approved.files);
  const after = Object.keys(head.files);
  const onlyHead = after.filter((p) => approved.files[p] === undefined);
  if (onlyHead.length > 0)
    return { same: false, reason: `the PR changes ${code(onlyHead[0]!)} since ${short(approvedSha)}${more(onlyHead)}` };
  const onlyApproved = before.filter((p) => head.files[p] === undefined);
  if (onlyApproved.length > 0) return { same: false, reason: `the PR no longer changes ${code(onlyApproved[0]!)}${more(onlyApproved)}` };
  const changed = after.filter((p) => head.files[p]!.change !== approved.files[p]!.change);
  if (changed.length > 0)
    return { same: false, reason: `the change to ${code(changed[0]!)} differs from the one approved${more(changed)}` };
  // The same hunks: at the same places? Only the base's own changes may have moved them.
  const sameBase = approved.mergeBase !== undefined && approved.mergeBase === head.mergeBase;
  const moved = after.filter((p) => !samePlaces(approved.files[p]!, head.files[p]!, sameBase ? undefined : base, p));
  if (moved.length > 0) {
    return {
      same: false,
      reason: `the change to ${code(moved[0]!)} is now at another place in the file than the one approved${more(moved)}`,
      ...(!sameBase && base === undefined ? { needsBaseChanges: true } : {}),
    };
  }
  return { same: true, reason: SAME_DIFF_REASON };
}

const more = (paths: string[]) => (paths.length > 1 ? ` (and ${paths.length - 1} more files)` : "");
