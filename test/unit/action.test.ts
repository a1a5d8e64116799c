// The GitHub Action (action.yml) and its example workflow, checked with GitHub's own parser and
// schemas for them (@actions/workflow-parser, the library behind the Actions language service),
// offline; and the action's steps do what docs/cli.md says.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { parseAction } from "@actions/workflow-parser/actions/action-parser";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";

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

  it("uses this repository's action on the policy file, with read-only permissions", () => {
    const workflow = parseYaml(read(file)) as {
      permissions: unknown;
      jobs: Record<string, { steps: Array<{ uses?: string; with?: Record<string, string> }> }>;
    };
    expect(workflow.permissions).toEqual({ contents: "read" });
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    expect(steps.find((s) => s.uses?.endsWith("/countersign@v1"))?.with).toEqual({ files: ".github/countersign.yml" });
  });
});

describe("action.yml", () => {
  it("is a valid action for GitHub's action schema", () => {
    const result = parseAction({ name: "action.yml", content: read("action.yml") }, new NoOperationTraceWriter());
    expect(errorsOf(result)).toEqual([]);
  });

  it("the check is not vacuous: a broken action is refused", () => {
    const broken = read("action.yml").replace("using: composite", "using: compost");
    expect(errorsOf(parseAction({ name: "action.yml", content: broken }, new NoOperationTraceWriter())).length).toBeGreaterThan(0);
  });

  it("is composite, builds the CLI from its own checkout and validates .github/countersign.yml by default", () => {
    const action = parseYaml(read("action.yml")) as {
      inputs: Record<string, { default?: string }>;
      runs: { using: string; steps: Array<{ run?: string; shell?: string; env?: Record<string, string> }> };
    };
    expect(action.runs.using).toBe("composite");
    expect(action.inputs.files?.default).toBe(".github/countersign.yml");
    const runs = action.runs.steps.filter((s) => s.run !== undefined);
    for (const step of runs) expect(step.shell).toBe("bash");
    expect(runs.some((s) => /npm ci\b/.test(s.run!))).toBe(true);
    const validate = runs.find((s) => s.run!.includes('lib/cli/main.js" validate'));
    expect(validate).toBeDefined();
    // Inputs reach the script through the environment, never pasted into it (no script injection).
    expect(validate!.run).not.toContain("${{");
    expect(validate!.env?.COUNTERSIGN_FILES).toBe("${{ inputs.files }}");
  });

  it("is shipped in the package, next to what it runs", () => {
    const pkg = JSON.parse(read("package.json")) as { files: string[]; bin: Record<string, string>; scripts: Record<string, string> };
    expect(pkg.files).toContain("action.yml");
    expect(pkg.bin.countersign).toBe("lib/cli/main.js");
    expect(pkg.scripts.prepare).toBe("npm run build");
  });
});
