import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import { BUILTIN_RISK_RULES } from "../../src/core/builtin-risk-rules.js";
import { assessRisk, compileRisk, filesNeedingContent, matchesGlob, maxTier, tierRank } from "../../src/core/risk.js";
import { POLICY_PATH } from "../../src/policy/paths.js";
import type { ChangedFile, PullSnapshot, RiskAssessment } from "../../src/core/types.js";
import { validatePolicy } from "../../src/policy/validate.js";
import { PolicySchema, type PolicyInput, type RiskRule, type RiskTier } from "../../src/policy/schema.js";
import { makeCommit, makeSnapshot } from "../helpers/snapshot.js";

const policy = (input: PolicyInput = {}) => PolicySchema.parse(input);
/** A policy with only the given rules (no built-in ones), so a test sees exactly what it sets up. */
const only = (rules: RiskRule[], risk: Omit<NonNullable<PolicyInput["risk"]>, "rules" | "builtin"> = {}) =>
  policy({ risk: { ...risk, builtin: false, rules } });

/** A changed file; `lines` become a one-hunk patch ("+x" added, "-y" removed, " z" context). */
function file(path: string, lines?: string[], extra: Partial<ChangedFile> = {}): ChangedFile {
  const additions = lines?.filter((l) => l.startsWith("+")).length ?? 1;
  const deletions = lines?.filter((l) => l.startsWith("-")).length ?? 0;
  const f: ChangedFile = { path, status: "modified", additions, deletions, ...extra };
  if (lines !== undefined && !("patch" in extra)) f.patch = [`@@ -1,${lines.length} +1,${lines.length} @@`, ...lines].join("\n");
  return f;
}
const files = (...paths: string[]) => paths.map((p) => file(p));
const pr = (changed: ChangedFile[], overrides: Partial<PullSnapshot> = {}) => makeSnapshot({ files: changed, ...overrides });
const rulesOf = (a: RiskAssessment) => a.reasons.map((r) => r.rule);

describe("tiers", () => {
  it.each<[RiskTier, RiskTier, RiskTier]>([
    ["low", "medium", "medium"],
    ["critical", "high", "critical"],
    ["high", "high", "high"],
    ["low", "low", "low"],
  ])("maxTier(%s, %s) = %s", (a, b, expected) => {
    expect(maxTier(a, b)).toBe(expected);
  });

  it("ranks low < medium < high < critical", () => {
    expect(["low", "medium", "high", "critical"].map((t) => tierRank(t as RiskTier))).toEqual([0, 1, 2, 3]);
  });

  it("names the policy file", () => {
    expect(POLICY_PATH).toBe(".github/countersign.yml");
  });
});

describe("globs", () => {
  it.each<[string, string, boolean]>([
    // "**/" also matches at the root.
    ["**/*.tf", "main.tf", true],
    ["**/*.tf", "infra/prod/main.tf", true],
    ["**/*.tf", "main.tfvars", false],
    // A trailing "/**" matches the directory itself and everything under it.
    ["infra/prod/**", "infra/prod", true],
    ["infra/prod/**", "infra/prod/eu/vpc.tf", true],
    ["infra/prod/**", "infra/production/vpc.tf", false],
    // No basename matching: a glob without a slash is anchored at the root.
    ["*.tf", "main.tf", true],
    ["*.tf", "infra/main.tf", false],
    // Dotfiles and dot-directories are included.
    [".github/workflows/**", ".github/workflows/ci.yml", true],
    ["**/*.yml", ".github/workflows/ci.yml", true],
    ["services/*", "services/.hidden", true],
    // Braces, classes, case.
    ["**/*.{yml,yaml}", "deploy/app.yaml", true],
    ["**/*[aA]uth[^o]*.*", "src/authz.go", true],
    ["**/*[aA]uth[^o]*.*", "docs/author.md", false],
    ["**/Chart.yaml", "charts/api/chart.yaml", false],
    // `**` in the middle spans zero or more directories.
    ["a/**/b/*.ts", "a/b/x.ts", true],
    ["a/**/b/*.ts", "a/x/y/b/x.ts", true],
    ["a/**/b/*.ts", "a/x/y/c/x.ts", false],
    ["**/migrations/**", "db/migrations", true],
  ])("%s matches %s: %s", (glob, path, expected) => {
    expect(matchesGlob(glob, path)).toBe(expected);
  });

  // The segment-wise matcher must agree with picomatch itself, which the schema documents.
  const GLOBS = [
    "**",
    "*",
    "**/*",
    "**/*.tf",
    "*.tf",
    "infra/**",
    "infra/*/main.tf",
    "infra/**/main.tf",
    "**/prod/**",
    "**/prod/*.tf",
    "services/*",
    "services/*/src/**/*.ts",
    "**/*.{ts,tsx}",
    "{services,packages}/*/package.json",
    "**/*[aA]uth[^o]*.*",
    "**/*auth*",
    "**/?ain.tf",
    "**/.github/**",
    ".github/*/*.yml",
    "a/**/**/b",
    "**/x/**/y/**",
    "docs/**/*.md",
    "**/*.test.*",
    // Fall back to picomatch's whole-path regex:
    "**/*.@(tf|hcl)",
    "!docs/**",
    "infra/**.tf",
    "a\\*b",
    "{infra/{prod,dev},deploy}/**",
    "**/*.ts",
    "src/order*",
    "**/a*b.ts",
    "**/.*",
    "**/*.",
    "**/*[aA]uth.*",
    "**/x?.t[sx]",
    "{services,packages}/*/src/**",
  ];
  const PATHS = [
    "main.tf",
    "x.hcl",
    "infra",
    "infra/main.tf",
    "infra/prod/main.tf",
    "infra/prod/eu/west/vpc.tf",
    "prod/a.tf",
    "services/api",
    "services/api/src/index.ts",
    "services/api/src/deep/er/x.ts",
    "services/api/package.json",
    "packages/ui/package.json",
    "src/authz.go",
    "docs/author.md",
    "docs/guide/intro.md",
    ".github/workflows/ci.yml",
    "a/.github/x",
    "a/b",
    "a/x/y/b",
    "x/y",
    "q/x/r/y/z",
    "src/app.test.tsx",
    "a*b",
    "README",
    "src/.ts",
    "src/..ts",
    "src/order",
    "src/orders.ts",
    "x/ab.ts",
    "x/a-b.ts",
    "x/a.",
    "x/.a",
    "x/useAuth.ts",
    "x/xy.tx",
  ];
  it.each(GLOBS)("agrees with picomatch on %s", (glob) => {
    const re = picomatch.makeRe(glob, { dot: true, windows: false });
    for (const path of PATHS) expect([path, matchesGlob(glob, path)]).toEqual([path, re.test(path)]);
  });
});

describe("paths rules", () => {
  const infra = only([{ tier: "critical", paths: ["infra/prod/**"] }]);

  it.each<[string, ChangedFile, RiskTier, string[]]>([
    ["an edit inside the glob", file("infra/prod/vpc.tf"), "critical", ["infra/prod/vpc.tf"]],
    ["an edit elsewhere", file("infra/dev/vpc.tf"), "low", []],
    [
      "a rename out of the glob (the previous path counts)",
      file("legacy/vpc.tf", undefined, { status: "renamed", previousPath: "infra/prod/vpc.tf" }),
      "critical",
      ["infra/prod/vpc.tf → legacy/vpc.tf"],
    ],
    [
      "a rename into the glob",
      file("infra/prod/vpc.tf", undefined, { status: "renamed", previousPath: "infra/dev/vpc.tf" }),
      "critical",
      ["infra/prod/vpc.tf"],
    ],
    [
      "a deletion inside the glob",
      file("infra/prod/vpc.tf", undefined, { status: "removed", additions: 0, deletions: 9 }),
      "critical",
      ["infra/prod/vpc.tf"],
    ],
  ])("%s", (_, changed, tier, matches) => {
    const result = assessRisk(pr([changed]), infra);
    expect(result.tier).toBe(tier);
    expect(result.reasons.flatMap((r) => r.matches)).toEqual(matches);
  });

  it("says which globs matched", () => {
    const p = only([{ tier: "high", paths: ["**/*.tf", "db/**", "infra/prod/**"] }]);
    expect(rulesOf(assessRisk(pr(files("infra/prod/vpc.tf")), p))).toEqual(['paths match "**/*.tf", "infra/prod/**"']);
  });

  it("lists the first five matches and counts them all", () => {
    const changed = files(...Array.from({ length: 8 }, (_, i) => `infra/prod/m${i}.tf`), "README.md");
    const [reason] = assessRisk(pr(changed), infra).reasons;
    expect(reason).toEqual({
      tier: "critical",
      rule: 'paths match "infra/prod/**"',
      matches: ["infra/prod/m0.tf", "infra/prod/m1.tf", "infra/prod/m2.tf", "infra/prod/m3.tf", "infra/prod/m4.tf"],
      matchCount: 8,
    });
  });

  it("counts a file once when both its paths match", () => {
    const changed = [file("infra/prod/b.tf", undefined, { status: "renamed", previousPath: "infra/prod/a.tf" })];
    expect(assessRisk(pr(changed), infra).reasons[0]).toMatchObject({ matches: ["infra/prod/b.tf"], matchCount: 1 });
  });
});

describe("size rules", () => {
  it.each<[string, RiskRule, number, number, string | null]>([
    ["lines at the threshold", { tier: "high", changed_lines: 1000 }, 1, 1000, "changes at least 1000 lines (1000)"],
    ["lines below it", { tier: "high", changed_lines: 1000 }, 1, 999, null],
    ["files at the threshold", { tier: "medium", changed_files: 20 }, 20, 20, "changes at least 20 files (20)"],
    ["files below it", { tier: "medium", changed_files: 20 }, 19, 19, null],
  ])("%s", (_, rule, fileCount, lines, expected) => {
    const changed = Array.from({ length: fileCount }, (_, i) => file(`src/f${i}.ts`));
    const result = assessRisk(
      pr(changed, { additions: lines - 200 < 0 ? lines : lines - 200, deletions: lines < 200 ? 0 : 200 }),
      only([rule]),
    );
    expect(result.reasons.map((r) => r.rule)).toEqual(expected === null ? [] : [expected]);
  });

  it("counts lines from the PR's totals, not from a file list GitHub may have cut short", () => {
    const changed = [file("a.ts", undefined, { additions: 10, deletions: 0 })];
    const result = assessRisk(pr(changed, { additions: 1200, deletions: 34 }), only([{ tier: "high", changed_lines: 1000 }]));
    expect(result.reasons).toEqual([
      { tier: "high", rule: "changes at least 1000 lines (1234)", matches: ["1234 lines changed (+1200 -34)"], matchCount: 1 },
    ]);
  });

  it.each<[number, boolean]>([
    [4, false],
    [5, true],
  ])("deleted_files: 5 with %i removed files matches: %s", (removedCount, matches) => {
    const changed = [
      ...Array.from({ length: removedCount }, (_, i) => file(`old/f${i}.ts`, undefined, { status: "removed", additions: 0, deletions: 3 })),
      file("new.ts"),
    ];
    const result = assessRisk(pr(changed), only([{ tier: "high", deleted_files: 5 }]));
    expect(result.tier).toBe(matches ? "high" : "low");
    if (matches) expect(result.reasons[0]).toMatchObject({ rule: "deletes at least 5 files (5)", matchCount: 5 });
  });
});

describe("components rules", () => {
  const rule = (n: number) =>
    only([{ tier: "critical", components: n }], { components: ["services/*", "packages/*", "services/*/plugins/*"] });
  const touched = (changed: ChangedFile[], n = 1) => assessRisk(pr(changed), rule(n)).reasons[0]?.matches ?? [];

  it.each<[string, ChangedFile[], string[]]>([
    ["files in two services", files("services/a/x.ts", "services/b/y.ts"), ["services/a", "services/b"]],
    ["nested files count for their component", files("services/a/src/deep/x.ts", "services/a/README.md"), ["services/a"]],
    ["root files and loose files belong to none", files("README.md", "services/index.ts", "docs/a.md"), []],
    ["the deepest component wins", files("services/a/plugins/p1/x.ts", "services/a/main.ts"), ["services/a/plugins/p1", "services/a"]],
    [
      "a previous path counts",
      [file("packages/c/x.ts", undefined, { status: "renamed", previousPath: "services/a/x.ts" })],
      ["packages/c", "services/a"],
    ],
  ])("%s", (_, changed, expected) => {
    expect(touched(changed)).toEqual(expected);
  });

  it.each<[number, RiskTier]>([
    [3, "critical"],
    [4, "low"],
  ])("components: %i over three components gives %s", (n, tier) => {
    const result = assessRisk(pr(files("services/a/x.ts", "services/b/y.ts", "packages/c/z.ts", "services/a/w.ts")), rule(n));
    expect(result.tier).toBe(tier);
    if (tier === "critical") expect(rulesOf(result)).toEqual(["touches at least 3 components (3: services/a, services/b, packages/c)"]);
  });
});

describe("content rules", () => {
  const drop = only([{ tier: "critical", content: ["DROP TABLE"] }]);

  it.each<[string, string[], boolean]>([
    ["an added line", ["+DROP TABLE users;"], true],
    ["a removed line", ["-DROP TABLE users;"], true],
    ["a context line only", [" DROP TABLE users;", "+SELECT 1;"], false],
    ["another case (content rules ignore case)", ["+drop table users;"], true],
  ])("%s", (_, lines, expected) => {
    expect(assessRisk(pr([file("db/x.sql", lines)]), drop).tier).toBe(expected ? "critical" : "low");
  });

  it.each<[string, string, string, boolean]>([
    ["RE2's (?i) flag is accepted", "(?i)drop table", "+DROP TABLE x;", true],
    ["(?-i) makes a rule case-sensitive again", "(?-i)DROP TABLE", "+drop table x;", false],
    ["(?-i) still matches its own case", "(?-i)DROP TABLE", "+DROP TABLE x;", true],
    ["a (?-i:…) group is case-sensitive inside only", "force_(?-i:DESTROY)", "+FORCE_DESTROY = 1", true],
    ["a (?-i:…) group refuses another case inside", "force_(?-i:DESTROY)", "+force_destroy = 1", false],
  ])("%s", (_, pattern, line, expected) => {
    const rules = only([{ tier: "critical", content: [pattern] }]);
    expect(validatePolicy({ risk: { rules: [{ tier: "critical", content: [pattern] }] } }).ok).toBe(true);
    expect(assessRisk(pr([file("db/x.sql", [line])]), rules).tier).toBe(expected ? "critical" : "low");
  });

  it("says which regex matched where", () => {
    const p = only([{ tier: "critical", content: ["DROP TABLE", "force_destroy\\s*=\\s*true"] }]);
    const result = assessRisk(
      pr([file("db/x.sql", ["+DROP TABLE users;"]), file("db/y.sql", ["-DROP TABLE carts;"]), file("a.ts", ["+x"])]),
      p,
    );
    expect(result.reasons).toEqual([
      {
        tier: "critical",
        rule: "content matches /DROP TABLE/ in db/x.sql and 1 more file",
        matches: ["db/x.sql", "db/y.sql"],
        matchCount: 2,
      },
    ]);
  });

  it.each<[string, string, string, boolean]>([
    // `^` and `$` are the changed line's own start and end (without its +/- marker).
    ["^ at the line start", "^DROP", "DROP TABLE x;", true],
    ["^ mid-line", "^TABLE", "DROP TABLE x;", false],
    ["$ at the line end", "x;$", "DROP TABLE x;", true],
    ["$ before a CRLF", "x;$", "DROP TABLE x;\r", true],
    ["^ inside a group", "(?:^|\\s)TABLE", "TABLE", true],
    ["^ inside a class is literal", "[\\^]x", "a^x", true],
    ["a named group", "(?<kw>DROP) TABLE", "DROP TABLE x", true],
    ["a match never spans two lines", "users;\\s+SELECT", "DROP TABLE users;", false],
  ])("%s", (_, regex, line, expected) => {
    const changed = [file("a.sql", [`+${line}`, "+SELECT 1;", " context"])];
    expect(assessRisk(pr(changed), only([{ tier: "high", content: [regex] }])).tier).toBe(expected ? "high" : "low");
  });

  it("reads the lines of every hunk, and a removed line that starts with dashes after a hunk began", () => {
    const patch = ["@@ -1,2 +1,2 @@", " a", "-b", "@@ -10,2 +10,2 @@", " c", "--- DROP TABLE old;", "+++ counter"].join("\n");
    const p = only([{ tier: "high", content: ["^-- DROP TABLE", "^\\+\\+ counter"] }]);
    const result = assessRisk(pr([file("db/x.sql", undefined, { patch })]), p);
    expect(result.reasons[0]?.rule).toBe("content matches /^-- DROP TABLE/, /^\\+\\+ counter/ in db/x.sql");
  });

  it("skips diff headers before the first hunk", () => {
    const patch = ["--- a/db/x.sql", "+++ b/db/x.sql", "@@ -1 +1 @@", "+SELECT 1;"].join("\n");
    const p = only([{ tier: "high", content: ["db/x\\.sql"] }]);
    expect(assessRisk(pr([file("db/x.sql", undefined, { patch })]), p).tier).toBe("low");
  });

  it("cuts lines to 2000 characters", () => {
    const p = only([{ tier: "high", content: ["NEEDLE"] }]);
    const early = assessRisk(pr([file("min.js", [`+${"x".repeat(1990)}NEEDLE`])]), p);
    const late = assessRisk(pr([file("min.js", [`+${"x".repeat(2000)}NEEDLE`])]), p);
    expect([early.tier, late.tier]).toEqual(["high", "low"]);
  });

  it("searches only the files the paths matched, when a rule has both", () => {
    const p = only([{ tier: "critical", paths: ["db/**"], content: ["DROP TABLE"] }]);
    expect(assessRisk(pr([file("docs/sql.md", ["+DROP TABLE x;"])]), p).tier).toBe("low");
    const result = assessRisk(pr([file("docs/sql.md", ["+DROP TABLE x;"]), file("db/m.sql", ["+DROP TABLE y;"])]), p);
    expect(result.reasons).toEqual([
      { tier: "critical", rule: 'paths match "db/**" and content matches /DROP TABLE/ in db/m.sql', matches: ["db/m.sql"], matchCount: 1 },
    ]);
  });

  // Validation refuses these patterns (a policy holding one is invalid); a caller that skips validation
  // never gets them run by the backtracking engine: the rule holds, and says why (fail closed).
  it.each<[string, string, string]>([
    ["a backreference", "(['\"]).*\\1", "uses a backreference"],
    ["a negative lookahead", "force_destroy(?!\\s*=\\s*false)", "uses a negative lookahead"],
    ["a negative lookbehind", "(?<!#\\s*)eval\\(", "uses a negative lookbehind"],
    ["a regex that does not compile", "(unclosed", "is not a valid regular expression"],
  ])("takes a rule with %s to hold without running it (fail closed), and validation refuses it", (_, regex, problem) => {
    const result = assessRisk(
      pr([file("a.sql", ["+SELECT 1;"]), file("b.txt", [" context"])]),
      only([{ tier: "high", content: ["DROP", regex] }]),
    );
    expect(result.tier).toBe("high");
    expect(result.reasons).toHaveLength(1);
    expect(result.reasons[0]!.rule).toContain(`content rule cannot be run (/${regex}/ `);
    expect(result.reasons[0]!.rule).toContain(problem);
    expect(result.reasons[0]!.rule).toMatch(/so it is taken to hold$/);
    expect(result.reasons[0]!.matches).toEqual(["a.sql", "b.txt"]);
    expect(PolicySchema.safeParse({ risk: { rules: [{ tier: "high", content: [regex] }] } }).success).toBe(true);
    const validated = validatePolicy({ risk: { rules: [{ tier: "high", content: [regex] }] } });
    expect(validated.ok).toBe(false);
    if (!validated.ok)
      expect(validated.problems.map((x) => `${x.path} ${x.message}`).join("\n")).toContain(`risk.rules[0].content[0] ${problem}`);
  });

  it("keeps the valid patterns of a rule whose other pattern does not compile", () => {
    const p = only([{ tier: "high", content: ["(unclosed", "DROP"] }]);
    expect(assessRisk(pr([file("a.sql", ["+DROP"])]), p).tier).toBe("high");
  });

  it("takes a content rule to hold for files without a diff whose content could not be read (fail closed), and names them", () => {
    const changed = [
      file("logo.png", undefined, { additions: 0, deletions: 0 }),
      file("big.sql", undefined, { additions: 90000, deletions: 0 }),
      file("moved.sql", undefined, { status: "renamed", previousPath: "old.sql", additions: 0, deletions: 0 }),
      file("a.sql", ["+SELECT 1;"]),
    ];
    const result = assessRisk(pr(changed, { additions: 10, deletions: 0 }), drop);
    expect(result.tier).toBe("critical");
    expect(result.reasons.map((r) => r.rule)).toEqual([
      "content rule (/DROP TABLE/) could not read logo.png, big.sql, so it is taken to hold",
    ]);
    expect(result.notes).toEqual([
      "content rules could not read 2 files without a diff (binary, or too large for GitHub to show): logo.png, big.sql; a content rule that searches them is taken to hold",
    ]);
  });

  it("searches the content the edge read for a file without a diff, as if every line changed", () => {
    const clean = [
      { ...file("big.sql", undefined, { additions: 90000, deletions: 0 }), content: { text: "SELECT 1;\nINSERT INTO t VALUES (2);" } },
    ];
    expect(assessRisk(pr(clean), drop).tier).toBe("low");
    expect(assessRisk(pr(clean), drop).notes).toEqual(["GitHub sent no diff for big.sql: content rules searched the whole file instead"]);
    const dirty = [
      { ...file("big.sql", undefined, { additions: 90000, deletions: 0 }), content: { text: "SELECT 1;\nDROP TABLE users;" } },
    ];
    expect(assessRisk(pr(dirty), drop).tier).toBe("critical");
    const failed = [{ ...file("big.sql", undefined, { additions: 90000, deletions: 0 }), content: { unreadable: "GitHub answered 404" } }];
    expect(assessRisk(pr(failed), drop).tier).toBe("critical");
    expect(assessRisk(pr(failed), drop).notes[0]).toContain("nor its content (GitHub answered 404)");
  });

  it("reads (and holds for) only the files without a diff that a content rule had to search", () => {
    const p = only([{ tier: "high", paths: ["db/**"], content: ["DROP"] }]);
    const changed = [
      file("logo.png", undefined, { additions: 0, deletions: 0 }),
      file("db/dump.sql", undefined, { additions: 0, deletions: 0 }),
    ];
    expect(filesNeedingContent(pr(changed), p).map((f) => f.path)).toEqual(["db/dump.sql"]);
    expect(assessRisk(pr(changed), p).tier).toBe("high");
    expect(assessRisk(pr(changed), p).notes).toEqual([
      "content rules could not read 1 file without a diff (binary, or too large for GitHub to show): db/dump.sql; a content rule that searches them is taken to hold",
    ]);
    expect(assessRisk(pr(changed), only([{ tier: "high", paths: ["db/**"] }])).notes).toEqual([]);
    expect(filesNeedingContent(pr(changed), only([{ tier: "high", paths: ["db/**"] }]))).toEqual([]);
  });

  // The scan over whole patches must find exactly what testing each changed line alone finds.
  const REGEXES = [
    "DROP",
    "^DROP",
    "DROP$",
    "^$",
    "\\bid\\b",
    "a.c",
    "[^x]y",
    "\\s{2}",
    "(?:^|;)\\s*rm",
    "rm -rf /tmp",
    "(\\w)\\w",
    "^\\s*$",
  ];
  const LINES = [
    "DROP",
    "  DROP x",
    "x DROP",
    "",
    "id",
    "grid",
    "abc",
    "a\tc",
    "xy",
    "\ty",
    "  ",
    "; rm -rf /",
    "rm -rf /tmp",
    "aa",
    "--",
    "++",
    "ab\r",
  ];
  it.each(REGEXES)("/%s/ agrees with testing each changed line alone", (source) => {
    const regex = new RegExp(source);
    const lines = LINES.flatMap((line, i) => [`${"+- "[i % 3]}${line}`]);
    const changed = lines.map((line, i) => file(`f${i}.txt`, [" before", line, " after"]));
    const expected = changed
      .filter((_, i) => !lines[i]!.startsWith(" ") && regex.test(lines[i]!.slice(1).replace(/\r$/, "")))
      .map((f) => f.path);
    const result = assessRisk(pr(changed), only([{ tier: "high", content: [source] }]));
    expect(result.reasons[0]?.matchCount ?? 0).toBe(expected.length);
    expect(result.reasons[0]?.matches ?? []).toEqual(expected.slice(0, 5));
  });
});

describe("combining rules", () => {
  it("gives the highest tier and lists every matching rule, highest first, then in policy order", () => {
    const p = only([
      { tier: "medium", paths: ["**/*.ts"] },
      { tier: "high", paths: ["services/**"], reason: "touches a service" },
      { tier: "critical", changed_lines: 500 },
      { tier: "high", paths: ["docs/**"] },
      { tier: "low", paths: ["services/api/**"] },
    ]);
    const result = assessRisk(pr(files("services/api/x.ts"), { additions: 600, deletions: 0 }), p);
    expect(result.tier).toBe("critical");
    expect(result.reasons.map((r) => [r.tier, r.rule])).toEqual([
      ["critical", "changes at least 500 lines (600)"],
      ["high", "touches a service"],
      ["medium", 'paths match "**/*.ts"'],
      ["low", 'paths match "services/api/**"'],
    ]);
  });

  it("needs every condition of a rule", () => {
    const p = only([{ tier: "high", paths: ["db/**"], changed_lines: 100 }]);
    expect(assessRisk(pr(files("db/a.sql"), { additions: 99, deletions: 0 }), p).tier).toBe("low");
    expect(rulesOf(assessRisk(pr(files("db/a.sql"), { additions: 60, deletions: 40 }), p))).toEqual([
      'paths match "db/**" and changes at least 100 lines (100)',
    ]);
  });

  it.each<[RiskTier, RiskTier]>([
    ["low", "medium"],
    ["high", "high"],
  ])("with default %s and a medium rule, the tier is %s", (defaultTier, expected) => {
    const result = assessRisk(pr(files("a.ts")), only([{ tier: "medium", paths: ["*.ts"] }], { default: defaultTier }));
    expect(result.tier).toBe(expected);
    expect(result.reasons).toHaveLength(1);
  });

  it("gives the default tier and no reasons when nothing matches", () => {
    expect(assessRisk(pr(files("README.md")), only([], { default: "medium" }))).toEqual({ tier: "medium", reasons: [], notes: [] });
  });
});

describe("built-in rules", () => {
  it.each<[string, RiskTier | null]>([
    [".github/workflows/ci.yml", "critical"],
    [".github/actions/setup/action.yml", "critical"],
    ["main.tf", "high"],
    ["infra/prod/vars.tfvars", "high"],
    ["live/terragrunt.hcl", "high"],
    ["stack/cdk.json", "high"],
    ["cfn/api.template.yaml", "high"],
    ["deploy/k8s/deployment.yaml", "high"],
    ["overlays/prod/kustomization.yaml", "high"],
    ["charts/api/Chart.yaml", "high"],
    ["charts/api/values-prod.yaml", "high"],
    ["web/src/components/charts/BarChart.tsx", null],
    ["db/migrations/0042_add_index.sql", "high"],
    ["db/seeds/users.sql", "high"],
    ["prisma/schema.prisma", "high"],
    ["src/auth/session.ts", "high"],
    ["src/middleware/authz.go", "high"],
    ["src/hooks/useAuth.ts", "high"],
    ["src/OAuthCallback.tsx", "high"],
    ["src/authorization.ts", "high"],
    ["docs/author.md", null],
    ["AUTHORS", null],
    ["authors.txt", null],
    ["src/security/csp.ts", "high"],
    [".github/CODEOWNERS", "high"],
    ["CODEOWNERS", "high"],
    ["package.json", "medium"],
    ["services/api/package-lock.json", "medium"],
    ["go.sum", "medium"],
    ["requirements-dev.txt", "medium"],
    ["build.gradle.kts", "medium"],
    ["src/index.ts", null],
    ["README.md", null],
  ])("%s → %s", (path, tier) => {
    const result = assessRisk(pr(files(path)), policy());
    expect(result.tier).toBe(tier ?? "low");
    expect(result.reasons.length).toBe(tier === null ? 0 : 1);
  });

  it.each<[string, Partial<PullSnapshot>, RiskTier]>([
    ["499 lines", { additions: 400, deletions: 99 }, "low"],
    ["500 lines", { additions: 400, deletions: 100 }, "medium"],
    ["2000 lines", { additions: 2000, deletions: 0 }, "high"],
  ])("size: %s → %s", (_, totals, tier) => {
    expect(assessRisk(pr(files("a.ts"), totals), policy()).tier).toBe(tier);
  });

  it("gives a high tier to 50 changed files and to 20 deleted files", () => {
    const many = Array.from({ length: 50 }, (_, i) => file(`src/f${i}.ts`));
    expect(assessRisk(pr(many), policy()).tier).toBe("high");
    const deleted = Array.from({ length: 20 }, (_, i) => file(`src/f${i}.ts`, undefined, { status: "removed" }));
    expect(assessRisk(pr(deleted), policy()).reasons.map((r) => r.rule)).toEqual(["deletes 20 or more files"]);
  });

  it("has a reason and at least one condition for every rule", () => {
    for (const rule of BUILTIN_RISK_RULES) expect(rule.reason.length).toBeGreaterThan(10);
  });

  it("can be switched off; the policy's rules still apply", () => {
    const p = policy({ risk: { builtin: false, rules: [{ tier: "medium", paths: ["docs/**"] }] } });
    expect(assessRisk(pr(files(".github/workflows/ci.yml", "package.json")), p).tier).toBe("low");
    expect(assessRisk(pr(files("docs/a.md")), p).tier).toBe("medium");
  });

  it("adds the policy's rules to the built-in ones", () => {
    const p = policy({ risk: { rules: [{ tier: "low", paths: ["**/*.md"] }] } });
    expect(assessRisk(pr(files("package.json", "README.md")), p).reasons.map((r) => r.tier)).toEqual(["medium", "low"]);
  });
});

describe("forced critical", () => {
  const none = only([]);

  it.each<[string, ChangedFile]>([
    ["an edit of the policy file", file(".github/countersign.yml")],
    ["an edit of the .yaml spelling", file(".github/countersign.yaml")],
    [
      "a rename away from it",
      file(".github/old-countersign.yml", undefined, { status: "renamed", previousPath: ".github/countersign.yml" }),
    ],
    ["its deletion", file(".github/countersign.yml", undefined, { status: "removed" })],
  ])("%s, even with builtin: false", (_, changed) => {
    const result = assessRisk(pr([changed]), none);
    expect(result.tier).toBe("critical");
    expect(result.reasons[0]?.rule).toBe("changes the Countersign policy file");
  });

  it("does not take another repository file for the policy", () => {
    expect(assessRisk(pr(files("docs/countersign.yml", ".github/Countersign.yml")), none).tier).toBe("low");
  });

  it("is critical when GitHub cut the file list short (3000 files)", () => {
    const changed = Array.from({ length: 3000 }, (_, i) => file(`src/f${i}.ts`));
    const result = assessRisk(pr(changed, { changedFilesTotal: 3456 }), none);
    expect(result.tier).toBe("critical");
    expect(rulesOf(result)).toEqual(["changes 3456 files, more than GitHub lets the app read (3000), so the rest cannot be assessed"]);
    expect(result.notes).toEqual(["GitHub listed only 3000 of the 3456 changed files; the rules saw only those."]);
  });

  it("is critical when GitHub cut the commit list short (250 commits)", () => {
    const commits = Array.from({ length: 250 }, (_, i) => makeCommit({ message: `c${i}` }));
    const result = assessRisk(pr(files("a.ts"), { commits, commitsTotal: 251 }), none);
    expect(result.tier).toBe("critical");
    expect(rulesOf(result)).toEqual(["has 251 commits, more than GitHub lets the app read (250), so the rest cannot be checked"]);
  });

  it("lists forced reasons before critical rules", () => {
    const p = only([{ tier: "critical", paths: ["**"] }]);
    expect(rulesOf(assessRisk(pr(files(".github/countersign.yml")), p))).toEqual([
      "changes the Countersign policy file",
      'paths match "**"',
    ]);
  });
});

describe("compileRisk", () => {
  it("compiles a policy once", () => {
    const p = policy({ risk: { rules: [{ tier: "high", paths: ["a/**"] }] } });
    expect(compileRisk(p)).toBe(compileRisk(p));
    expect(compileRisk(policy())).not.toBe(compileRisk(p));
  });

  it("gives the same answer on a second evaluation", () => {
    const p = policy({
      risk: {
        rules: [
          { tier: "high", content: ["DROP"] },
          { tier: "medium", components: 2 },
        ],
      },
    });
    const snapshot = pr([file("services/a/x.sql", ["+DROP"]), file("services/b/y.ts")]);
    expect(assessRisk(snapshot, p)).toEqual(assessRisk(snapshot, p));
  });
});
