// The built `countersign` binary against throwaway git repositories: exit codes and what it prints.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git, gitEnv, initRepo, writeFile } from "../helpers/local-git.js";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "lib", "cli", "main.js");

/** git and the CLI see only the test's own configuration, never the machine's. */
const env = gitEnv;
const write = writeFile;

function countersign(cwd: string, ...args: string[]) {
  return countersignWithInput(cwd, undefined, ...args);
}

function countersignWithInput(cwd: string, input: string | undefined, ...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: "utf8", ...(input !== undefined ? { input } : {}) });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const REPO_POLICY = `risk:
  rules:
    - { tier: critical, paths: ["infra/prod/**"] }
    - { tier: critical, content: ["force_destroy\\\\s*=\\\\s*true"] }
signoff:
  reviewers: ["@acme/senior-engineers"]
  tiers:
    critical: { approvals: 2, reviewers: ["@acme/principal-engineers", "@acme/sre"] }
`;

const TERRAFORM = `resource "aws_s3_bucket" "logs" {
  bucket        = "acme-logs"
  force_destroy = true
}
`;

/** Errors on known lines: 3 (a bad value) and 7 (an unknown key). */
const BAD_POLICY = `# Countersign policy
# for the shop
mode: enforced
gate: all
signoff:
  approvals: 2
  reviewrs: ["@acme/sre"]
`;

let tmp: string;

/**
 * A repository whose main has infra/prod/db.yaml (and the policy, when given), and a branch
 * claude/terraform with three commits: a Terraform file co-authored by Claude, a rename out of
 * infra/prod/, and a binary file. Returns the repo and the SHA of the Claude commit.
 */
function makeRepo(name: string, policy?: string): { dir: string; claudeSha: string } {
  const dir = join(tmp, name);
  mkdirSync(dir);
  initRepo(
    dir,
    {
      "README.md": "# shop\n",
      "infra/prod/db.yaml": "name: orders\nsize: large\n",
      ...(policy !== undefined ? { ".github/countersign.yml": policy } : {}),
    },
    "claude/terraform",
  );
  write(dir, "infra/logs.tf", TERRAFORM);
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "Add the logs bucket\n\nCo-Authored-By: Claude <noreply@anthropic.com>");
  const claudeSha = git(dir, "rev-parse", "HEAD").trim();
  mkdirSync(join(dir, "archive"));
  git(dir, "mv", "infra/prod/db.yaml", "archive/db.yaml");
  git(dir, "commit", "-q", "-m", "Archive the db config");
  write(dir, "assets/logo.png", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff, 0x00]));
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "Add the logo");
  return { dir, claudeSha };
}

let withPolicy: { dir: string; claudeSha: string };
let withoutPolicy: { dir: string; claudeSha: string };

beforeAll(() => {
  // The tests run what users run: the compiled binary.
  try {
    execFileSync("npm", ["run", "build"], { cwd: root, encoding: "utf8", stdio: "pipe" });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`npm run build failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  }
  tmp = mkdtempSync(join(tmpdir(), "countersign-cli-"));
  withPolicy = makeRepo("with-policy", REPO_POLICY);
  withoutPolicy = makeRepo("without-policy");
}, 180_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("countersign", () => {
  it("prints its version from package.json", () => {
    const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    expect(countersign(tmp, "--version")).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it("prints usage for --help (exit 0) and for an unknown command (exit 2)", () => {
    const help = countersign(tmp, "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: countersign <command>");
    const unknown = countersign(tmp, "deploy");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "deploy"');
    expect(unknown.stderr).toContain("Usage: countersign <command>");
  });

  it("rejects an unknown option with exit 2", () => {
    const result = countersign(withPolicy.dir, "check", "--frobnicate");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--frobnicate'");
  });
});

describe("countersign validate", () => {
  it("reports each problem as file:line: key message and exits 1", () => {
    write(tmp, "bad.yml", BAD_POLICY);
    const result = countersign(tmp, "validate", "bad.yml");
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe('bad.yml:3: mode must be one of "enforce", "report", but is the text "enforced"; did you mean "enforce"?');
    expect(lines[1]).toBe('bad.yml:7: signoff.reviewrs unknown key "reviewrs" under signoff; did you mean "reviewers"?');
    expect(lines[2]).toBe("✗ bad.yml: 2 problems");
  });

  it('reads the policy from standard input with "-"', () => {
    const bad = countersignWithInput(tmp, BAD_POLICY, "validate", "-");
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('<stdin>:3: mode must be one of "enforce", "report"');
    expect(bad.stdout).toContain("✗ <stdin>: 2 problems");
    const good = countersignWithInput(tmp, REPO_POLICY, "validate", "-");
    expect(good).toMatchObject({ code: 0, stdout: "✓ <stdin> is a valid Countersign policy\n" });
    const twice = countersignWithInput(tmp, REPO_POLICY, "validate", "-", "-");
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('"-" (standard input) can be given only once');
  });

  it("warns about an emails pattern that matches every private GitHub address, and stays valid", () => {
    const result = countersignWithInput(tmp, 'detection:\n  emails: ["*@users.noreply.github.com"]\n', "validate", "-");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^<stdin>:2: warning: detection\.emails\[0\] "\*@users\.noreply\.github\.com" matches every GitHub user who keeps their email private/,
    );
    expect(result.stdout).toContain("✓ <stdin> is a valid Countersign policy");
  });

  it("gives the line of a YAML syntax error", () => {
    write(tmp, "syntax.yml", "mode: enforce\ngate: [ai-assisted\n");
    const result = countersign(tmp, "validate", "syntax.yml");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^syntax\.yml:\d+: YAML syntax error/m);
  });

  it("accepts a valid policy, by default .github/countersign.yml", () => {
    const result = countersign(withPolicy.dir, "validate");
    expect(result).toMatchObject({ code: 0, stdout: "✓ .github/countersign.yml is a valid Countersign policy\n" });
  });

  it("exits 2 with a clear message when the file cannot be read", () => {
    const result = countersign(tmp, "validate", "nowhere.yml");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("cannot read nowhere.yml: no such file");
    expect(countersign(withoutPolicy.dir, "validate").stderr).toContain("cannot read .github/countersign.yml: no such file");
  });
});

describe("countersign check", () => {
  it("prints the verdict, the signals with their commits, the risk reasons and the notes", () => {
    const result = countersign(withPolicy.dir, "check");
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const out = result.stdout;
    expect(out).toContain("countersign check: main...claude/terraform · 3 commits · 3 files");
    expect(out).toContain("policy: .github/countersign.yml at main");
    expect(out).toContain(
      "AI-assisted: yes (2 signals) · risk: critical · sign-off: 2 approvals from @acme/principal-engineers, @acme/sre",
    );
    expect(out).toContain(`Co-Authored-By: Claude <noreply@anthropic.com>  (${withPolicy.claudeSha.slice(0, 7)})`);
    expect(out).toMatch(/branch-prefix .*\n\s+claude\/terraform/);
    expect(out).toContain("infra/prod/db.yaml → archive/db.yaml");
    expect(out).toMatch(/high\s+changes Terraform infrastructure-as-code/);
    expect(out).toContain("content rules could not read 1 file without a diff");
    expect(out).toContain("assets/logo.png");
  });

  it("prints one JSON object with --json", () => {
    const result = countersign(withPolicy.dir, "check", "--json");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      aiAssisted: boolean;
      signals: { id: string; commit?: string }[];
      risk: { tier: string; reasons: { tier: string; rule: string; matches: string[] }[]; notes: string[] };
      requirement: { tier: string; reviewers: string[]; approvals: number; source: string };
      policy: { source: string; path?: string };
      range: { commits: number; files: number; headBranch: string };
    };
    expect(report.aiAssisted).toBe(true);
    expect(report.signals.map((s) => s.id)).toEqual(["co-author-trailer", "branch-prefix"]);
    expect(report.signals[0]?.commit).toBe(withPolicy.claudeSha);
    expect(report.risk.tier).toBe("critical");
    expect(report.risk.reasons.map((r) => r.tier)).toEqual(["critical", "critical", "high"]);
    expect(report.risk.reasons[0]?.matches).toEqual(["infra/prod/db.yaml → archive/db.yaml"]);
    expect(report.requirement).toEqual({
      tier: "critical",
      reviewers: ["@acme/principal-engineers", "@acme/sre"],
      approvals: 2,
      source: "signoff.tiers.critical.reviewers, signoff.tiers.critical.approvals",
    });
    expect(report.policy).toEqual({ source: "repo", path: ".github/countersign.yml", ref: "main" });
    expect(report.range).toMatchObject({ commits: 3, files: 3, headBranch: "claude/terraform" });
  });

  it("uses the built-in defaults when the repository has no policy", () => {
    const human = countersign(withoutPolicy.dir, "check");
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("policy: built-in defaults (no .github/countersign.yml at main)");
    expect(human.stdout).toContain(
      "AI-assisted: yes (2 signals) · risk: high · sign-off: 1 approval from anyone with maintain or admin permission",
    );
    const report = JSON.parse(countersign(withoutPolicy.dir, "check", "--json").stdout) as {
      risk: { tier: string };
      requirement: { reviewers: string[]; approvals: number };
      policy: { source: string };
    };
    expect(report.policy.source).toBe("defaults");
    expect(report.risk.tier).toBe("high");
    expect(report.requirement).toMatchObject({ reviewers: ["permission:maintain"], approvals: 1 });
  });

  it("uses --policy FILE over the repository's policy", () => {
    write(tmp, "report.yml", "mode: report\nsignoff:\n  reviewers: [octocat]\n  approvals: 3\n");
    const result = countersign(withPolicy.dir, "check", "--policy", join(tmp, "report.yml"));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`policy: ${join(tmp, "report.yml")} (--policy)`);
    // Without the repository's rules, the rename out of infra/prod/ no longer makes it critical.
    expect(result.stdout).toContain("risk: high · sign-off: 3 approvals from @octocat (mode: report, so it never blocks)");
    const report = JSON.parse(countersign(withPolicy.dir, "check", "--json", "--policy", join(tmp, "report.yml")).stdout) as {
      mode: string;
      policy: { source: string };
    };
    expect(report).toMatchObject({ mode: "report", policy: { source: "file" } });
  });

  it("finds author-based signals with --author", () => {
    const report = JSON.parse(countersign(withoutPolicy.dir, "check", "--json", "--author", "Copilot").stdout) as {
      signals: { id: string; evidence: string }[];
    };
    expect(report.signals[0]).toMatchObject({ id: "author-app", evidence: "Copilot" });
  });

  it("checks the range given with --base and --head, from another directory with --repo", () => {
    git(withoutPolicy.dir, "branch", "-f", "feature/plain", "main");
    git(withoutPolicy.dir, "checkout", "-q", "feature/plain");
    write(withoutPolicy.dir, "docs/readme.md", "Hello\n");
    git(withoutPolicy.dir, "add", "-A");
    git(withoutPolicy.dir, "commit", "-q", "-m", "Write docs");
    git(withoutPolicy.dir, "checkout", "-q", "claude/terraform");

    const result = countersign(tmp, "check", "--repo", withoutPolicy.dir, "--base", "main", "--head", "feature/plain");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("countersign check: main...feature/plain · 1 commit · 1 file (+1 -0)");
    expect(result.stdout).toContain("AI-assisted: no · risk: low · sign-off: not required");
  });

  it("exits 1 and prints the problems when the policy is invalid", () => {
    write(tmp, "bad.yml", BAD_POLICY);
    const result = countersign(withPolicy.dir, "check", "--policy", join(tmp, "bad.yml"));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${join(tmp, "bad.yml")}:3: mode must be one of`);
    expect(result.stderr).toContain(`${join(tmp, "bad.yml")}:7: signoff.reviewrs unknown key`);
  });

  it("exits 2 outside a git repository and for a ref that names no commit", () => {
    const outside = countersign(tmp, "check");
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain("is not inside a git repository");
    const badRef = countersign(withPolicy.dir, "check", "--base", "no-such-branch");
    expect(badRef.code).toBe(2);
    expect(badRef.stderr).toContain("--base no-such-branch does not name a commit");
  });
});

describe("countersign report (the built binary, no network)", () => {
  const noToken = { ...env, GITHUB_TOKEN: "" };
  const report = (...args: string[]) => {
    const result = spawnSync(process.execPath, [bin, "report", ...args], { cwd: tmp, env: noToken, encoding: "utf8" });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  it("says in one line that it needs a token, and exits 2", () => {
    const result = report("--repo", "acme/shop");
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trimEnd().split("\n")).toEqual([
      "countersign report: set GITHUB_TOKEN to a token that can read pull requests and checks (in Actions: GITHUB_TOKEN: ${{ github.token }})",
    ]);
  });

  it("exits 2 on bad usage and prints its help with --help", () => {
    const both = report("--repo", "acme/shop", "--org", "acme");
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("give exactly one of --repo OWNER/NAME or --org ORG");
    const help = report("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: countersign report (--repo OWNER/NAME | --org ORG)");
  });
});
