// Every test runs with the network off; a mock left unused or a request left unmatched fails it.
import nock from "nock";
import { afterEach, beforeAll, beforeEach } from "vitest";
import { resetOpenHeads } from "./helpers/github.js";
import { refusedGraphql } from "./support/github/graphql-schema.js";
import { refusedRest } from "./support/github/rest-schema.js";

const unmatched: string[] = [];

beforeAll(() => {
  nock.disableNetConnect();
  nock.emitter.on("no match", (req: { method?: string; path?: string; options?: { method?: string; path?: string } }) => {
    unmatched.push(`${req.method ?? req.options?.method ?? "?"} ${req.path ?? req.options?.path ?? "?"}`);
  });
});

beforeEach(() => {
  unmatched.length = 0;
  refusedGraphql.length = 0;
  refusedRest.length = 0;
});

afterEach(() => {
  const pending = nock.pendingMocks();
  const stray = [...unmatched];
  nock.cleanAll();
  resetOpenHeads();
  unmatched.length = 0;
  const refused = refusedGraphql.splice(0);
  const refusedWrites = refusedRest.splice(0);
  if (pending.length > 0) throw new Error(`unused HTTP mocks:\n  ${pending.join("\n  ")}`);
  if (stray.length > 0) throw new Error(`unmatched HTTP requests:\n  ${stray.join("\n  ")}`);
  if (refused.length > 0) throw new Error(`GraphQL requests GitHub's schema refuses:\n  ${refused.join("\n  ")}`);
  if (refusedWrites.length > 0) throw new Error(`REST writes GitHub's OpenAPI description refuses:\n  ${refusedWrites.join("\n  ")}`);
});
