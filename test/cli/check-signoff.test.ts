// `countersign check` on the new sign-off keys, offline: same-diff on local history (--approved), groups, branches.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCheck } from "../../src/cli/check.js";
import { initRepo, git as runGit, writeFile } from "../helpers/local-git.js";

const git = (cwd: string, ...args: string[]) => runGit(cwd, ...args).trim();
const write = writeFile;
const lines = (n: number, tag = "") => Array.from({ length: n }, (_, i) => `line ${i + 1}${tag}`).join("\n") + "\n";

let tmp: string;
let dir: string;
let approved: string;
let updated: string;
let evil: string;

const POLICY = `branches: ["main"]
signoff:
  fresh_approval: same-diff
  require:
    - { reviewers: ["@acme/sre"], paths: ["infra/**"] }
    - { reviewers: ["@acme/principals"] }
`;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "countersign-check-signoff-"));
  dir = join(tmp, "repo");
  mkdirSync(dir);
  initRepo(dir, { ".github/countersign.yml": POLICY, "src/pay.ts": lines(40), "src/other.ts": lines(10) }, "feature");
  write(dir, "src/pay.ts", lines(40).replace("line 30\n", "line 30 with retry\n"));
  git(dir, "commit", "-q", "-am", "Retry payments\n\nCo-Authored-By: Claude <noreply@anthropic.com>");
  approved = git(dir, "rev-parse", "HEAD");
  // main moves on: a line at the top of the same file, and another file.
  git(dir, "checkout", "-q", "main");
  write(dir, "src/pay.ts", `// header\n${lines(40)}`);
  write(dir, "src/other.ts", lines(12));
  git(dir, "commit", "-q", "-am", "Main moves on");
  // "Update branch": main merged into the feature branch.
  git(dir, "checkout", "-q", "feature");
  git(dir, "merge", "-q", "--no-edit", "main");
  updated = git(dir, "rev-parse", "HEAD");
  // An evil merge: the same merge, also changing something of its own.
  git(dir, "checkout", "-q", "-b", "evil", approved);
  git(dir, "merge", "-q", "--no-commit", "main");
  write(dir, "src/pay.ts", `// header\n${lines(40).replace("line 30\n", "line 30 with retry\n").replace("line 5\n", "line 5 sneaky\n")}`);
  git(dir, "commit", "-q", "-am", "Merge main");
  evil = git(dir, "rev-parse", "HEAD");
  git(dir, "checkout", "-q", "feature");
}, 60_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function check(...args: string[]) {
  let out = "";
  let err = "";
  const code = await runCheck(["--repo", dir, "--base", "main", ...args], {
    cwd: dir,
    out: (t) => void (out += t),
    err: (t) => void (err += t),
  });
  return { code, out, err };
}

describe("countersign check: fresh_approval same-diff", () => {
  it("an approval before 'Update branch' would still count: the changes since are only the base branch", async () => {
    const { code, out } = await check("--head", "feature", "--approved", approved);
    expect(code).toBe(0);
    expect(out).toContain(`an approval on ${approved} (${approved.slice(0, 7)}) would count: the changes since are only the base branch`);
    expect(updated).not.toBe(approved);
  });

  it("an approval before an evil merge would not count, saying which file changed", async () => {
    const { out } = await check("--head", "evil", "--approved", approved);
    expect(out).toContain(`would not count: the change to \`src/pay.ts\` differs from the one approved`);
    expect(evil).not.toBe(updated);
  });

  it("shows each group, whether it applies and why, in the JSON too", async () => {
    const { out } = await check("--head", "feature", "--json");
    const report = JSON.parse(out) as { requirement: { groups: Array<{ source: string; applies: boolean; why: string }> }; gated: boolean };
    expect(report.gated).toBe(true);
    expect(report.requirement.groups.map((g) => [g.source, g.applies, g.why])).toEqual([
      ["signoff.require[0]", false, "does not apply: no changed path matches `infra/**`"],
      ["signoff.require[1]", true, "always applies"],
    ]);
  });

  it("a branch into a base outside branches is not gated, and says why", async () => {
    git(dir, "branch", "-f", "stack-base", "main");
    const { out } = await check("--head", "feature", "--base", "stack-base", "--policy", ".github/countersign.yml");
    expect(out).toContain("sign-off: not required (the base branch stack-base is outside branches)");
    expect(out).toContain("not required here: the base branch stack-base is not one of branches (main)");
  });
});
