// fresh_approval: same-diff — the comparison of a PR's own changes at two commits, one row per case.
import { describe, expect, it } from "vitest";
import { compareDiffs, digestDiff, normalisePatch, SAME_DIFF_REASON, type DiffDigest, type DiffFile } from "../../src/core/same-diff.js";

const OLD = "b".repeat(40);
const f = (path: string, o: Partial<DiffFile> = {}): DiffFile => ({
  path,
  status: "modified",
  additions: 1,
  deletions: 1,
  patch: "@@ -10,3 +10,3 @@ function pay()\n ctx\n-old\n+new\n ctx2",
  ...o,
});
const moved = (patch: string, by: number) =>
  patch.replace(
    /@@ -(\d+),(\d+) \+(\d+),(\d+) @@[^\n]*/,
    (_m, a, b, c, d) => `@@ -${Number(a) + by},${b} +${Number(c) + by},${d} @@ another heading`,
  );
const BASE_PATCH = f("src/pay.ts").patch!;

describe("normalisePatch", () => {
  it("drops line numbers, offsets and the section heading of every hunk, and nothing else", () => {
    expect(normalisePatch("@@ -1,2 +1,3 @@ fn\n a\n+b\n@@ -40 +41 @@\n-c\n+d\n")).toBe("@@\n a\n+b\n@@\n-c\n+d");
  });
});

describe("compareDiffs", () => {
  it.each<[string, DiffFile[], DiffFile[], boolean, RegExp]>([
    [
      "a base-branch merge: the PR's own diff is unchanged",
      [f("src/pay.ts", { blobSha: "2".repeat(40) })],
      [f("src/pay.ts", { blobSha: "3".repeat(40) })],
      true,
      /only the base branch/,
    ],
    [
      "an evil merge: the merge commit also changed another file",
      [f("src/pay.ts")],
      [f("src/pay.ts"), f("src/auth.ts")],
      false,
      /changes `src\/auth.ts` since bbbbbbb/,
    ],
    [
      "an evil merge: the merge commit changed the same file",
      [f("src/pay.ts")],
      [f("src/pay.ts", { patch: `${BASE_PATCH}\n@@ -40,1 +40,2 @@\n x\n+sneaky()` })],
      false,
      /change to `src\/pay.ts` differs/,
    ],
    [
      "a conflict resolution rewrote the PR's line",
      [f("src/pay.ts")],
      [f("src/pay.ts", { patch: BASE_PATCH.replace("+new", "+new-resolved") })],
      false,
      /differs/,
    ],
    [
      "a conflict resolution changed the context the change sits in",
      [f("src/pay.ts")],
      [f("src/pay.ts", { patch: BASE_PATCH.replace(" ctx2", " ctx3") })],
      false,
      /differs/,
    ],
    ["a new change on top", [f("src/pay.ts")], [f("src/pay.ts", { patch: BASE_PATCH.replace("+new", "+new\n+more") })], false, /differs/],
    ["a change dropped", [f("src/pay.ts"), f("src/auth.ts")], [f("src/pay.ts")], false, /no longer changes `src\/auth.ts`/],
    [
      "a renamed file, the same rename and patch",
      [f("src/b.ts", { status: "renamed", previousPath: "src/a.ts" })],
      [f("src/b.ts", { status: "renamed", previousPath: "src/a.ts" })],
      true,
      /only the base branch/,
    ],
    [
      "a renamed file, renamed from elsewhere now",
      [f("src/b.ts", { status: "renamed", previousPath: "src/a.ts" })],
      [f("src/b.ts", { status: "renamed", previousPath: "src/c.ts" })],
      false,
      /differs/,
    ],
    [
      "a pure rename (no patch), the same blob",
      [f("b.ts", { status: "renamed", previousPath: "a.ts", additions: 0, deletions: 0, patch: undefined, blobSha: "4".repeat(40) })],
      [f("b.ts", { status: "renamed", previousPath: "a.ts", additions: 0, deletions: 0, patch: undefined, blobSha: "4".repeat(40) })],
      true,
      /only the base branch/,
    ],
    [
      "a binary file added, the same blob",
      [f("logo.png", { status: "added", additions: 0, deletions: 0, patch: undefined, blobSha: "5".repeat(40) })],
      [f("logo.png", { status: "added", additions: 0, deletions: 0, patch: undefined, blobSha: "5".repeat(40) })],
      true,
      /only the base branch/,
    ],
    [
      "a binary file added, another blob",
      [f("logo.png", { status: "added", additions: 0, deletions: 0, patch: undefined, blobSha: "5".repeat(40) })],
      [f("logo.png", { status: "added", additions: 0, deletions: 0, patch: undefined, blobSha: "6".repeat(40) })],
      false,
      /differs/,
    ],
    [
      "a binary file modified: its diff depends on the base's version",
      [f("logo.png", { additions: 0, deletions: 0, patch: undefined, blobSha: "5".repeat(40) })],
      [f("logo.png", { additions: 0, deletions: 0, patch: undefined, blobSha: "5".repeat(40) })],
      false,
      /did not include the diff of `logo.png`/,
    ],
    [
      "a patch GitHub omitted (a very large text file)",
      [f("big.sql", { additions: 9000, deletions: 10, patch: undefined, blobSha: "7".repeat(40) })],
      [f("big.sql", { additions: 9000, deletions: 10, patch: undefined, blobSha: "7".repeat(40) })],
      false,
      /did not include the diff of `big.sql` \(binary or too large\)/,
    ],
    [
      "a removed binary, the same blob removed on both",
      [f("old.bin", { status: "removed", additions: 0, deletions: 0, patch: undefined, blobSha: "8".repeat(40) })],
      [f("old.bin", { status: "removed", additions: 0, deletions: 0, patch: undefined, blobSha: "8".repeat(40) })],
      true,
      /only the base branch/,
    ],
    [
      "a removed binary the base changed first (a modify/delete conflict resolved by removing)",
      [f("old.bin", { status: "removed", additions: 0, deletions: 0, patch: undefined, blobSha: "8".repeat(40) })],
      [f("old.bin", { status: "removed", additions: 0, deletions: 0, patch: undefined, blobSha: "9".repeat(40) })],
      false,
      /differs/,
    ],
    [
      "a removal without a patch or a known blob",
      [f("old.bin", { status: "removed", additions: 0, deletions: 0, patch: undefined })],
      [f("old.bin", { status: "removed", additions: 0, deletions: 0, patch: undefined })],
      false,
      /did not include the diff of `old.bin`/,
    ],
  ])("%s", (_name, approved, head, same, reason) => {
    const result = compareDiffs(OLD, digestDiff(approved), digestDiff(head));
    expect(result.same).toBe(same);
    expect(result.reason).toMatch(reason);
    if (same) expect(result.reason).toBe(SAME_DIFF_REASON);
  });

  describe("a hunk's place in the file", () => {
    const approved = digestDiff([f("src/pay.ts")], "a".repeat(40));
    const at = (by: number, mergeBase = "c".repeat(40)) => digestDiff([f("src/pay.ts", { patch: moved(BASE_PATCH, by) })], mergeBase);

    it("the same hunk at another place with the same context is a new change (the same lines removed from another handler)", () => {
      const result = compareDiffs(OLD, approved, at(30, "a".repeat(40)));
      expect(result).toMatchObject({ same: false });
      expect(result.reason).toMatch(/`src\/pay.ts` is now at another place in the file than the one approved/);
      expect(result.needsBaseChanges).toBeUndefined(); // the same merge base: nothing can have moved it
    });

    it("a hunk moved while the base's own changes are not known is stale, and asks for them", () => {
      expect(compareDiffs(OLD, approved, at(25))).toMatchObject({ same: false, needsBaseChanges: true });
    });

    it("identical after a clean rebase: the base inserted 25 lines above the hunk", () => {
      const base = new Map([["src/pay.ts", [[2, 0, 3, 25] as [number, number, number, number]]]]);
      expect(compareDiffs(OLD, approved, at(25), base)).toEqual({ same: true, reason: SAME_DIFF_REASON });
    });

    it("not the same when the base's changes carry the hunk elsewhere than where it is", () => {
      const base = new Map([["src/pay.ts", [[2, 0, 3, 5] as [number, number, number, number]]]]);
      expect(compareDiffs(OLD, approved, at(25), base).same).toBe(false);
    });

    it("not the same when the base changed the lines the hunk spans (its context included)", () => {
      const base = new Map([["src/pay.ts", [[11, 1, 11, 26] as [number, number, number, number]]]]);
      expect(compareDiffs(OLD, approved, at(25), base).same).toBe(false);
    });

    it("the base changing only other files keeps the hunk where it was", () => {
      const base = new Map([["src/other.ts", [[1, 0, 2, 40] as [number, number, number, number]]]]);
      expect(compareDiffs(OLD, approved, at(0), base).same).toBe(true);
      expect(compareDiffs(OLD, approved, at(40), base).same).toBe(false);
    });
  });

  it.each<[string, DiffDigest, DiffDigest, RegExp]>([
    [
      "the approved commit could not be read",
      { ok: false, reason: "GitHub answered 404" },
      digestDiff([f("a.ts")]),
      /changes at bbbbbbb could not be compared: GitHub answered 404/,
    ],
    [
      "the head could not be read",
      digestDiff([f("a.ts")]),
      { ok: false, reason: "GitHub answered 502" },
      /changes at the head could not be compared: GitHub answered 502/,
    ],
  ])("stale when %s", (_name, approved, head, reason) => {
    const result = compareDiffs(OLD, approved, head);
    expect(result).toMatchObject({ same: false });
    expect(result.reason).toMatch(reason);
  });
});
