// Content rules and files without a diff: GitHub omits the patch of binary and very large files, so a
// `DROP TABLE` rule could not fire on a large migration. For each such file that a content rule would
// search (core/risk.ts filesNeedingContent), the file is read at the head (a removed file at the base)
// through the contents API, within a size cap; what cannot be read is marked, and the rule then holds.
import type { Octokit } from "./octokit.js";
import { httpStatus } from "./octokit.js";
import type { ChangedFile, PullSnapshot } from "../core/types.js";

/** The contents API sends a file's bytes inline up to 1 MB; larger files are not read (the rule holds). */
export const CONTENT_CAP_BYTES = 1024 * 1024;
/** At most this many files are read for one evaluation; the rest count as unreadable (the rule holds). */
export const MAX_CONTENT_READS = 20;

async function readOne(octokit: Octokit, owner: string, repo: string, file: ChangedFile, ref: string): Promise<ChangedFile["content"]> {
  try {
    const { data } = await octokit.rest.repos.getContent({ owner, repo, path: file.path, ref });
    if (Array.isArray(data) || data.type !== "file") return { unreadable: "not a file at that commit" };
    if (data.size > CONTENT_CAP_BYTES || data.encoding !== "base64" || typeof data.content !== "string") {
      return { unreadable: `larger than the ${CONTENT_CAP_BYTES / 1024 / 1024} MB Countersign reads` };
    }
    return { text: Buffer.from(data.content, "base64").toString("utf8") };
  } catch (err) {
    const status = httpStatus(err);
    if (status === undefined || status >= 500 || status === 429) throw err; // GitHub failed: the evaluation fails closed and is retried
    return { unreadable: `GitHub answered ${status}` };
  }
}

/** The snapshot with `content` filled in for the given files (its own objects); the snapshot given is not changed. */
export async function readContentForRules(octokit: Octokit, snapshot: PullSnapshot, files: ChangedFile[]): Promise<PullSnapshot> {
  const contents = new Map<ChangedFile, ChangedFile["content"]>();
  await Promise.all(
    files.map(async (file, i) => {
      if (i >= MAX_CONTENT_READS) {
        contents.set(file, { unreadable: `more than ${MAX_CONTENT_READS} files without a diff` });
        return;
      }
      const ref = file.status === "removed" ? snapshot.baseSha : snapshot.headSha;
      contents.set(
        file,
        ref ? await readOne(octokit, snapshot.owner, snapshot.repo, file, ref) : { unreadable: "no commit to read it at" },
      );
    }),
  );
  return { ...snapshot, files: snapshot.files.map((file) => (contents.has(file) ? { ...file, content: contents.get(file) } : file)) };
}
