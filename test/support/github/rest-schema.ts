// The bodies of the app's REST writes are checked against GitHub's published OpenAPI description
// (@octokit/openapi, api.github.com): check runs, labels, review requests and issue comments. The
// model answers a body GitHub would refuse as GitHub does (422, nothing written) and records it:
// test/setup.ts fails the test.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";

/** The write routes whose bodies are checked: the model's route name → GitHub's method and path. */
const CHECKED: Record<string, { method: string; path: string }> = {
  "checks.create": { method: "post", path: "/repos/{owner}/{repo}/check-runs" },
  "checks.update": { method: "patch", path: "/repos/{owner}/{repo}/check-runs/{check_run_id}" },
  "issues.createLabel": { method: "post", path: "/repos/{owner}/{repo}/labels" },
  "issues.addLabels": { method: "post", path: "/repos/{owner}/{repo}/issues/{issue_number}/labels" },
  "pulls.requestReviewers": { method: "post", path: "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers" },
  "issues.createComment": { method: "post", path: "/repos/{owner}/{repo}/issues/{issue_number}/comments" },
};

type OpenApi = { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: object }> } }>> };

let validators: Map<string, ValidateFunction> | undefined;

function validatorsByRoute(): Map<string, ValidateFunction> {
  if (validators) return validators;
  const require = createRequire(import.meta.url);
  const file = require.resolve("@octokit/openapi/generated/api.github.com.deref.json");
  const api = JSON.parse(readFileSync(file, "utf8")) as OpenApi;
  // OpenAPI's own keywords (nullable, example …) and formats are not JSON Schema's: ignored, not refused.
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  validators = new Map();
  for (const [name, { method, path }] of Object.entries(CHECKED)) {
    const schema = api.paths[path]?.[method]?.requestBody?.content?.["application/json"]?.schema;
    if (!schema) throw new Error(`@octokit/openapi has no request body for ${method.toUpperCase()} ${path}`);
    validators.set(name, ajv.compile(schema));
  }
  return validators;
}

/** Why GitHub would refuse this body for the route (empty: it would accept it, or the route is not checked). */
export function restBodyProblems(route: string, body: unknown): string[] {
  if (!(route in CHECKED)) return [];
  const validate = validatorsByRoute().get(route);
  if (!validate || validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "body"} ${e.message ?? "is invalid"}`);
}

/** REST writes the model refused since the test began: test/setup.ts fails a test that sent one. */
export const refusedRest: string[] = [];

/** The problems, recorded for test/setup.ts; the answer GitHub gives such a write. */
export function refuseInvalidRestBody(route: string, body: unknown): { status: number; body: object } | undefined {
  const problems = restBodyProblems(route, body);
  if (problems.length === 0) return undefined;
  refusedRest.push(`${route}: ${problems.join("; ")}`);
  return { status: 422, body: { message: "Invalid request.", errors: problems, documentation_url: "https://docs.github.com/rest" } };
}
