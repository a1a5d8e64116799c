// The GitHub Action (action.yml) and its example workflow, checked with GitHub's own parser and
// schemas for them (@actions/workflow-parser, the library behind the Actions language service),
// offline; the committed dist/action.mjs is what the sources build to, and it annotates problems
// as errors and warnings as warnings; the example workflow is a required check that always runs.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { parseAction } from "@actions/workflow-parser/actions/action-parser";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { bundleAction } from "../../scripts/build-action.js";

const root = join(import.meta.dirname, "..", "..");
const read = (file: string) => readFileSync(join(root, file), "utf8");
const errorsOf = (result: { context: { errors: { getErrors(): Array<{ message: string }> } } }) =>
  result.context.errors.getErrors().map((e) => e.message);

describe("docs/examples/countersign-policy.yml", () => {
  const file = "docs/examples/countersign-policy.yml";

  it("is a valid workflow for GitHub's workflow schema", () => {
    const result = parseWorkflow({ name: file, content: read(file) }, new NoOperationTraceWriter());
    expect(errorsOf(result)).toEqual([]);
    expect(result.value).toBeDefined();
  });

  it("the check is not vacuous: a broken workflow is refused", () => {
    const broken = read(file).replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest");
    expect(errorsOf(parseWorkflow({ name: file, content: broken }, new NoOperationTraceWriter())).length).toBeGreaterThan(0);
  });

  const workflow = () =>
    parseYaml(read(file)) as {
      on: Record<string, Record<string, unknown> | null>;
      permissions: unknown;
      jobs: Record<
        string,
        {
          if?: unknown;
          steps: Array<{
            id?: string;
            if?: string;
            uses?: string;
            run?: string;
            env?: Record<string, string>;
            with?: Record<string, string>;
          }>;
        }
      >;
    };

  it("uses this repository's action on the policy file, with read-only permissions and current action versions", () => {
    const wf = workflow();
    expect(wf.permissions).toEqual({ contents: "read", "pull-requests": "read" });
    const steps = Object.values(wf.jobs).flatMap((job) => job.steps);
    expect(steps.find((s) => s.uses === "countersign/countersign@v1")?.with).toEqual({ files: ".github/countersign.yml" });
    expect(steps.find((s) => s.uses?.startsWith("actions/checkout@"))?.uses).toBe("actions/checkout@v6");
  });

  it("can be a required check: no trigger can skip it (no paths or branches filter on pull requests, merge queues included, no job condition)", () => {
    const wf = workflow();
    expect(Object.keys(wf.on).sort()).toEqual(["merge_group", "pull_request", "push"]);
    expect(wf.on.pull_request ?? {}).toEqual({});
    expect(wf.on.merge_group ?? {}).toEqual({});
    expect(read(file)).not.toMatch(/^\s*paths(-ignore)?:/m);
    for (const job of Object.values(wf.jobs)) expect(job.if).toBeUndefined();
  });

  describe("its changed-files step, run with a stand-in for the gh CLI", () => {
    const dir = mkdtempSync(join(tmpdir(), "countersign-workflow-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const step = () => workflow().jobs.validate!.steps.find((s) => s.id === "changed")!;

    function runStep(prNumber: string, files: string[] | "fails") {
      const bin = join(dir, "bin");
      mkdirSync(bin, { recursive: true });
      writeFileSync(join(dir, "files.txt"), files === "fails" ? "" : files.map((f) => `${f}\n`).join(""));
      writeFileSync(join(bin, "gh"), files === "fails" ? "#!/bin/sh\nexit 1\n" : `#!/bin/sh\ncat "${join(dir, "files.txt")}"\n`);
      chmodSync(join(bin, "gh"), 0o755);
      const output = join(dir, "output.txt");
      writeFileSync(output, "");
      const env = { ...step().env, PR_NUMBER: prNumber, GH_TOKEN: "t", GITHUB_REPOSITORY: "acme/app", GITHUB_OUTPUT: output };
      const result = spawnSync("bash", ["-e", "-c", step().run!], {
        env: { PATH: `${bin}:${process.env.PATH}`, ...env },
        encoding: "utf8",
      });
      expect(result.status, result.stderr).toBe(0);
      return readFileSync(output, "utf8").trim();
    }

    it("skips validation (and passes) when the pull request leaves the policy alone", () => {
      expect(runStep("7", ["src/app.ts", "README.md", "docs/.github/countersign.yml"])).toBe("validate=false");
    });

    it("validates when the policy changed, on pushes and merge queues, and when the file list cannot be read", () => {
      expect(runStep("7", ["src/app.ts", ".github/countersign.yml"])).toBe("validate=true");
      expect(runStep("", [])).toBe("validate=true");
      expect(runStep("7", "fails")).toBe("validate=true");
      expect(
        runStep(
          "7",
          Array.from({ length: 3000 }, (_, i) => `f${i}`),
        ),
      ).toBe("validate=true");
    });
  });
});

describe("action.yml", () => {
  it("is a valid action for GitHub's action schema", () => {
    const result = parseAction({ name: "action.yml", content: read("action.yml") }, new NoOperationTraceWriter());
    expect(errorsOf(result)).toEqual([]);
  });

  it("the check is not vacuous: a broken action is refused", () => {
    const broken = read("action.yml").replace("using: node24", "using: node99");
    expect(errorsOf(parseAction({ name: "action.yml", content: broken }, new NoOperationTraceWriter())).length).toBeGreaterThan(0);
  });

  it("runs the committed bundle on Node 24 and validates .github/countersign.yml by default", () => {
    const action = parseYaml(read("action.yml")) as { inputs: Record<string, { default?: string }>; runs: Record<string, unknown> };
    expect(action.runs).toEqual({ using: "node24", main: "dist/action.mjs" });
    expect(action.inputs.files?.default).toBe(".github/countersign.yml");
  });

  it("dist/action.mjs is exactly what the sources build to (run `npm run build:action` after changing them)", async () => {
    expect(await bundleAction()).toBe(read("dist/action.mjs"));
  }, 60_000);

  describe("dist/action.mjs on a workspace, as the runner starts it", () => {
    const dir = mkdtempSync(join(tmpdir(), "countersign-action-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const run = (files: string) =>
      spawnSync(process.execPath, [join(root, "dist", "action.mjs")], {
        env: { PATH: process.env.PATH, INPUT_FILES: files, GITHUB_WORKSPACE: dir },
        cwd: tmpdir(),
        encoding: "utf8",
      });

    it("annotates each problem as an error on its line, and fails", () => {
      mkdirSync(join(dir, ".github"), { recursive: true });
      writeFileSync(join(dir, ".github", "countersign.yml"), "mode: enforc\n");
      const result = run(".github/countersign.yml");
      expect(result.status).toBe(1);
      expect(result.stdout).toContain(
        '::error file=.github/countersign.yml,line=1,col=1,title=Countersign policy%3A mode::must be one of "enforce", "report", but is the text "enforc"; did you mean "enforce"?',
      );
    });

    it("annotates a warning as a warning, not an error, and passes", () => {
      writeFileSync(join(dir, "warn.yml"), 'detection:\n  emails: ["*@users.noreply.github.com"]\n');
      const result = run("warn.yml");
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^::warning file=warn\.yml,line=2,/m);
      expect(result.stdout).not.toMatch(/^::error/m);
    });

    it("says which file it cannot read", () => {
      const result = run("missing.yml");
      expect(result.status).toBe(2);
      expect(result.stdout).toContain("::error title=Countersign policy::cannot read missing.yml: no such file");
    });
  });
});
