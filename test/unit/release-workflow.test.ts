// The release and CI workflows, checked with GitHub's own workflow parser offline; the names the
// release produces are the names the docs use; and the docs speak to a user's machine, not to the
// project's development machines.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";

const root = join(import.meta.dirname, "..", "..");
const read = (file: string) => readFileSync(join(root, file), "utf8");
const errorsOf = (result: { context: { errors: { getErrors(): Array<{ message: string }> } } }) =>
  result.context.errors.getErrors().map((e) => e.message);

type Step = { uses?: string; run?: string; with?: Record<string, string>; env?: Record<string, string> };
type Workflow = {
  on: Record<string, unknown>;
  jobs: Record<string, { needs?: string | string[]; permissions?: Record<string, string>; steps: Step[] }>;
};
const workflow = (file: string) => parseYaml(read(file)) as Workflow;
const steps = (wf: Workflow) => Object.values(wf.jobs).flatMap((job) => job.steps);

/** The majors that run on Node 24 (the Node 20 action runtime is deprecated). */
const CURRENT: Record<string, string> = {
  "actions/checkout": "v6",
  "actions/setup-node": "v6",
  "docker/setup-qemu-action": "v4",
  "docker/setup-buildx-action": "v4",
  "docker/login-action": "v4",
  "docker/metadata-action": "v6",
  "docker/build-push-action": "v7",
};

describe.each([".github/workflows/release.yml", ".github/workflows/ci.yml", "docs/examples/countersign-policy.yml"])("%s", (file) => {
  it("is a valid workflow for GitHub's workflow schema", () => {
    expect(errorsOf(parseWorkflow({ name: file, content: read(file) }, new NoOperationTraceWriter()))).toEqual([]);
  });

  it("uses current, Node 24 majors of every action", () => {
    for (const step of steps(workflow(file))) {
      if (!step.uses || step.uses.startsWith("countersign/")) continue;
      const [name, version] = step.uses.split("@");
      expect(CURRENT[name!], `${step.uses} is not a known action`).toBeDefined();
      expect(`${name}@${version}`).toBe(`${name}@${CURRENT[name!]}`);
    }
  });
});

describe("the release workflow", () => {
  const wf = workflow(".github/workflows/release.yml");

  it("runs on version tags only, after the tests", () => {
    expect(wf.on).toEqual({ push: { tags: ["v*"] } });
    expect(wf.jobs.image?.needs).toBe("test");
    expect(wf.jobs.npm?.needs).toBe("test");
  });

  it("publishes the image ghcr.io/<repository owner>/countersign and the npm package", () => {
    const meta = wf.jobs.image!.steps.find((s) => s.uses?.startsWith("docker/metadata-action@"));
    expect(meta?.with?.images).toBe("ghcr.io/${{ github.repository_owner }}/countersign");
    const push = wf.jobs.image!.steps.find((s) => s.uses?.startsWith("docker/build-push-action@"));
    expect(push?.with).toMatchObject({ push: true, tags: "${{ steps.meta.outputs.tags }}" });
    expect(wf.jobs.image?.permissions).toEqual({ contents: "read", packages: "write" });
    expect(wf.jobs.npm!.steps.some((s) => s.run === "npm publish")).toBe(true);
    expect(wf.jobs.npm?.permissions?.["id-token"]).toBe("write");
  });

  it("refuses a tag that is not package.json's version", () => {
    expect(wf.jobs.test!.steps.some((s) => s.run?.includes('require("./package.json").version'))).toBe(true);
  });
});

describe("the names the docs use are the names the release produces", () => {
  const pkg = JSON.parse(read("package.json")) as { name: string; private?: boolean; repository: { url: string }; homepage: string };
  const owner = /github\.com\/([^/]+)\/countersign/.exec(pkg.repository.url)?.[1];

  it("package.json names the repository, and can be published", () => {
    expect(owner).toBe("countersign");
    expect(pkg.homepage).toBe(`https://github.com/${owner}/countersign#readme`);
    expect(pkg.private).toBeUndefined();
    expect(pkg.name).toBe("countersign");
  });

  it("README, docs, deploy/ and the Dockerfile name that image, package and Action, and no placeholder owner", () => {
    const docs = [
      "README.md",
      "docs/deployment.md",
      "docs/cli.md",
      "Dockerfile",
      "deploy/kubernetes.yaml",
      "deploy/docker-compose.yml",
      "action.yml",
      "app.yml",
    ];
    const all = docs.map(read).join("\n");
    expect(all).not.toMatch(/your-org/);
    expect(read("docs/deployment.md")).toContain(`ghcr.io/${owner}/countersign`);
    expect(read("deploy/kubernetes.yaml")).toContain(`ghcr.io/${owner}/countersign`);
    expect(read("README.md")).toContain(`${owner}/countersign@v1`);
  });
});

describe("the docs speak to a user's machine", () => {
  const files = [
    "README.md",
    "Dockerfile",
    "SECURITY.md",
    ".env.example",
    ...readdirSync(join(root, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
    ...readdirSync(join(root, "deploy"))
      .filter((f) => /\.(ya?ml|conf)$/.test(f))
      .map((f) => `deploy/${f}`),
  ];

  it.each(files)("%s has no path or sentence only true on the project's development machines", (file) => {
    const text = read(file);
    expect(text).not.toMatch(/\.\.\/shared\//);
    expect(text).not.toMatch(/\/work\//);
    expect(text).not.toMatch(/no Docker engine/i);
    expect(text).not.toMatch(/this workplace/i);
  });
});
