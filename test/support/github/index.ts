// The one fake of GitHub for tests and benchmarks: a stateful model (model.ts), the endpoints
// Countersign calls mapped onto it (router.ts), and two transports — an HTTP server on loopback
// (http-server.ts: benchmarks, fault injection, the slow-GitHub process tests) and a nock
// interceptor (nock.ts: in-process tests). Ids, logins and SHAs every side agrees on: constants.ts.
export * from "./constants.js";
export { GitHubModel } from "./model.js";
export type { Permission, PullSpec, PushSpec, ReviewSpec, SimCheckRun, SimFile, SimPull, SimRepo, SimReview, SimUser } from "./model.js";
export { FaultSchedule } from "./faults.js";
export type { CallKind, FaultAction, FaultCount, FaultRule } from "./faults.js";
export type { GraphqlResolver } from "./router.js";
export { PayloadFactory, sign, type Delivery, type SendOptions } from "./webhooks.js";
export { countEntries, emptyCounts, GitHubSimulator, type CallCounts, type RequestLogEntry, type SimulatorOptions } from "./http-server.js";
export { interceptGitHub, serveModel, type InterceptedRequest, type NockAnswer, type NockHandler } from "./nock.js";
