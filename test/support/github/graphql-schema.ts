// Every GraphQL request the app sends is checked against GitHub's published schema
// (@octokit/graphql-schema): the document (validate) and its variables (coerced to their declared
// input types), as GitHub checks them before running anything. The model answers an invalid request
// as GitHub does ({ errors }, nothing run) and records it: test/setup.ts fails the test.
import { schema as published } from "@octokit/graphql-schema";
import { buildSchema, getVariableValues, Kind, parse, validate, type GraphQLSchema, type OperationDefinitionNode } from "graphql";

let built: GraphQLSchema | undefined;

function githubSchema(): GraphQLSchema {
  built ??= buildSchema(published.idl, { assumeValidSDL: true });
  return built;
}

/** Why GitHub would refuse this request (empty: it would run it). */
export function graphqlProblems(query: string, variables: Record<string, unknown> = {}): string[] {
  const schema = githubSchema();
  let document: ReturnType<typeof parse>;
  try {
    document = parse(query);
  } catch (err) {
    return [`does not parse: ${(err as Error).message}`];
  }
  const invalid = validate(schema, document);
  if (invalid.length > 0) return invalid.map((e) => e.message);
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operations.flatMap((op) => {
    const values = getVariableValues(schema, op.variableDefinitions ?? [], variables);
    return values.errors ? values.errors.map((e) => e.message) : [];
  });
}

/** GraphQL requests the model refused since the test began: test/setup.ts fails a test that sent one. */
export const refusedGraphql: string[] = [];

/** The problems, recorded for test/setup.ts; the answer GitHub gives such a request. */
export function refuseInvalidGraphql(
  query: string,
  variables: Record<string, unknown>,
): { errors: Array<{ message: string }> } | undefined {
  const problems = graphqlProblems(query, variables);
  if (problems.length === 0) return undefined;
  refusedGraphql.push(`${query.slice(0, 120)}\n    ${problems.join("\n    ")}`);
  return { errors: problems.map((message) => ({ message })) };
}

/** A nock body matcher for POST /graphql: records a request GitHub's schema refuses (the test then fails), and matches. */
export function schemaChecked(body: unknown): boolean {
  const { query, variables } = (body ?? {}) as { query?: unknown; variables?: unknown };
  refuseInvalidGraphql(String(query ?? ""), (variables ?? {}) as Record<string, unknown>);
  return true;
}
