// docs/examples/countersign-weekly-report.yml, checked with GitHub's own workflow parser and schema
// (@actions/workflow-parser), offline; and it runs the report the way docs/cli.md describes.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";

const file = "docs/examples/countersign-weekly-report.yml";
const content = readFileSync(join(import.meta.dirname, "..", "..", file), "utf8");
const errorsOf = (result: { context: { errors: { getErrors(): Array<{ message: string }> } } }) =>
  result.context.errors.getErrors().map((e) => e.message);

describe(file, () => {
  it("is a valid workflow for GitHub's workflow schema", () => {
    const result = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
    expect(errorsOf(result)).toEqual([]);
    expect(result.value).toBeDefined();
  });

  it("the check is not vacuous: a broken workflow is refused", () => {
    const broken = content.replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest");
    expect(errorsOf(parseWorkflow({ name: file, content: broken }, new NoOperationTraceWriter())).length).toBeGreaterThan(0);
  });

  it("runs weekly with read-only permissions, writes the page as an artifact and the summary to the job summary", () => {
    const workflow = parseYaml(content) as {
      on: { schedule: Array<{ cron: string }> };
      permissions: Record<string, string>;
      jobs: Record<string, { steps: Array<{ uses?: string; run?: string; env?: Record<string, string>; with?: Record<string, unknown> }> }>;
    };
    expect(workflow.on.schedule).toEqual([{ cron: "0 6 * * 1" }]);
    expect(Object.values(workflow.permissions).every((p) => p === "read")).toBe(true);
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    const report = steps.find((s) => s.run?.includes("countersign report"));
    expect(report?.run).toContain("--html countersign-report.html");
    expect(report?.run).toContain('--summary "$GITHUB_STEP_SUMMARY"');
    // The app id is required by the report; it comes from a variable, never pasted into the script.
    expect(report?.env?.COUNTERSIGN_APP_ID).toBe("${{ vars.COUNTERSIGN_APP_ID }}");
    expect(report?.run).not.toContain("${{");
    const upload = steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    expect(String(upload?.with?.path)).toContain("countersign-report.html");
  });
});
