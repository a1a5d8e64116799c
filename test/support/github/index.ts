// The one fake of GitHub for tests and benchmarks: a stateful model (model.ts), the endpoints
// Countersign calls mapped onto it (router.ts), faults (faults.ts), and two transports — an HTTP
// server on loopback (http-server.ts: benchmarks, fault injection, the slow-GitHub process tests) and
// a nock interceptor (nock.ts: in-process tests; session.ts is one test's GitHub on it, used by the
// security and scale tests). Ids, logins and SHAs every side agrees on: constants.ts. Besides this
// model, the only other fake is FakeGitHub's exact nock mocks (test/helpers/github.ts), one per
// expected request; a test may mix the two (serveModel's `routes`).
export * from "./constants.js";
export { GitHubModel } from "./model.js";
export { steppingClock } from "./model.js";
export type {
  Permission,
  PullSpec,
  PushSpec,
  ReviewSpec,
  SimActivity,
  SimCheckRun,
  SimContent,
  SimFile,
  SimPull,
  SimRepo,
  SimReview,
  SimUser,
  TeamMembership,
} from "./model.js";
export { FaultSchedule } from "./faults.js";
export type { CallKind, FaultAction, FaultCount, FaultRule } from "./faults.js";
export { commitAuthorsGraphql, type GraphqlResolver } from "./router.js";
export { PayloadFactory, sign, type Delivery, type SendOptions } from "./webhooks.js";
export { countEntries, emptyCounts, GitHubSimulator, type CallCounts, type RequestLogEntry, type SimulatorOptions } from "./http-server.js";
export {
  interceptGitHub,
  serveModel,
  type InterceptedRequest,
  type ModelRequest,
  type NockAnswer,
  type NockHandler,
  type ServedModel,
  type ServeOptions,
} from "./nock.js";
export { APP_LABELS, CLAUDE_MESSAGE, GitHubSession, POLICY_FILE, blocks, passes, simCommit, simFile, type CommitSpec } from "./session.js";
