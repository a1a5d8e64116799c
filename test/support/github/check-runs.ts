// Check runs in the model, written the two ways GitHub accepts: the REST body (checks.create and
// checks.update in router.ts) and the GraphQL `createCheckRun` / `updateCheckRun` mutations, which
// Countersign sends batched when several closing check writes wait at once (src/github/check-batch.ts).
// Both end in the same change of the model, so a test sees one check run whichever way it was written.
import { isoNow, type GitHubModel, type SimCheckRun, type SimRepo } from "./model.js";

type Body = Record<string, unknown>;

const objectOf = (v: unknown): Body => (v && typeof v === "object" && !Array.isArray(v) ? (v as Body) : {});

/** A new check run on `repo` (not yet changed by the write's body). */
export function newCheckRun(model: GitHubModel, repo: SimRepo, name: string, headSha: string): SimCheckRun {
  const run: SimCheckRun = {
    id: model.nextId(),
    name,
    head_sha: headSha,
    status: "queued",
    conclusion: null,
    output: { title: null, summary: null, text: null, annotations_count: 0 },
    app_id: model.appId,
    started_at: isoNow(),
    completed_at: null,
  };
  repo.checkRuns.push(run);
  return run;
}

/** Apply a REST check-run body (status, conclusion, output, name) to a run. */
export function updateCheckRun(run: SimCheckRun, body: Body): void {
  if (typeof body.name === "string") run.name = body.name;
  if (typeof body.status === "string") run.status = body.status as SimCheckRun["status"];
  if (typeof body.conclusion === "string") {
    run.conclusion = body.conclusion;
    run.status = "completed";
  }
  if (run.status === "completed") run.completed_at ??= isoNow();
  else run.conclusion = null;
  const output = objectOf(body.output);
  if (body.output !== undefined) {
    run.output = {
      title: typeof output.title === "string" ? output.title : null,
      summary: typeof output.summary === "string" ? output.summary : null,
      text: typeof output.text === "string" ? output.text : null,
      annotations_count: Array.isArray(output.annotations) ? output.annotations.length : 0,
    };
  }
}

/** GraphQL ids, as checkRunJson and repoJson hand them out. */
export const checkRunNodeId = (id: number) => `CR_${id}`;

const MUTATION = /(\w+)\s*:\s*(createCheckRun|updateCheckRun)\s*\(\s*input\s*:\s*\$(\w+)\s*\)/g;

/** The aliased check-run mutations of a GraphQL document, in order, each with its input; none for another query. */
export function checkRunMutations(
  query: string,
  variables: Body,
): Array<{ alias: string; op: "createCheckRun" | "updateCheckRun"; input: Body }> {
  if (!/^\s*mutation\b/.test(query)) return [];
  return [...query.matchAll(MUTATION)].map(([, alias = "", op, variable = ""]) => ({
    alias,
    op: op as "createCheckRun" | "updateCheckRun",
    input: objectOf(variables[variable]),
  }));
}

/**
 * Answer a document of aliased `createCheckRun` / `updateCheckRun` mutations (each `input: $var`),
 * in order, as GitHub does; undefined when the document has none (another resolver's query).
 * A mutation whose ids name nothing gets a NOT_FOUND error at its alias, and the others still run.
 */
export function resolveCheckRunMutations(
  query: string,
  variables: Body,
  model: GitHubModel,
): { data: Record<string, unknown>; errors?: unknown[] } | undefined {
  const mutations = checkRunMutations(query, variables);
  if (mutations.length === 0) return undefined;
  const data: Record<string, unknown> = {};
  const errors: unknown[] = [];
  for (const { alias, op, input } of mutations) {
    const repo = [...model.repos.values()].find((r) => `R_${r.id}` === input.repositoryId);
    const run =
      op === "createCheckRun"
        ? repo && typeof input.name === "string" && typeof input.headSha === "string"
          ? newCheckRun(model, repo, input.name, input.headSha)
          : undefined
        : repo?.checkRuns.find((r) => checkRunNodeId(r.id) === input.checkRunId);
    if (!run) {
      data[alias] = null;
      errors.push({
        type: "NOT_FOUND",
        path: [alias],
        message: `Could not resolve to a node with the global id of '${String(input.checkRunId ?? input.repositoryId)}'.`,
      });
      continue;
    }
    updateCheckRun(run, restBody(input));
    data[alias] = { checkRun: { id: checkRunNodeId(run.id), databaseId: run.id } };
  }
  return errors.length > 0 ? { data, errors } : { data };
}

/** A GraphQL check-run input in REST's words (COMPLETED → completed, annotations counted). */
function restBody(input: Body): Body {
  const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : undefined);
  return {
    ...(typeof input.name === "string" ? { name: input.name } : {}),
    ...(lower(input.status) ? { status: lower(input.status) } : {}),
    ...(lower(input.conclusion) ? { conclusion: lower(input.conclusion) } : {}),
    ...(input.output !== undefined ? { output: input.output } : {}),
  };
}
