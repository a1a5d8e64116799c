// The nock transport of the one GitHub model: answers requests to the API origin in-process, for
// tests that run with the network disabled. `interceptGitHub` is the transport itself (any handler,
// answers may be late or network errors); `serveModel` puts the shared router behind it — the same
// endpoints the HTTP transport (http-server.ts) serves — with a request log and the fault schedule.
import type { IncomingHttpHeaders } from "node:http";
import nock from "nock";
import { API } from "./constants.js";
import { faultReply, withGraphqlErrors, type CallKind, type FaultSchedule } from "./faults.js";
import type { GitHubModel } from "./model.js";
import { paginate } from "./pagination.js";
import { defaultGraphql, findRoute, type GraphqlResolver, type Reply } from "./router.js";

export type NockAnswer = [status: number, body: unknown, headers: Record<string, string>];

export interface InterceptedRequest {
  method: string;
  url: URL;
  body: unknown;
  headers: IncomingHttpHeaders;
}

/** Answers one request: `done(null, answer)`, or `done(error)` for a network error; may answer late. */
export type NockHandler = (req: InterceptedRequest, done: (err: NodeJS.ErrnoException | null, answer?: NockAnswer) => void) => void;

const METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"] as const;

/**
 * Answer every request to `origin` with `handler` (until nock.cleanAll(), which the test setup runs
 * after each test). With `accepts`, only the requests it accepts: the others go on to the test's
 * other nock mocks (or fail as unmatched), whichever was registered first.
 */
export function interceptGitHub(handler: NockHandler, origin = API, accepts?: (method: string, path: string) => boolean): nock.Scope {
  const scope = nock(origin).persist();
  for (const method of METHODS) {
    const path = accepts ? (uri: string) => accepts(method, uri.split("?")[0] ?? uri) : /.*/;
    const interceptor =
      method === "GET"
        ? scope.get(path)
        : method === "POST"
          ? scope.post(path)
          : method === "PATCH"
            ? scope.patch(path)
            : method === "PUT"
              ? scope.put(path)
              : scope.delete(path);
    // Three parameters: nock's callback form, so an answer can wait (slow GitHub) or be a network error.
    interceptor
      .query(true)
      .optionally()
      .reply(function (this: nock.ReplyFnContext, uri, body, cb) {
        handler({ method, url: new URL(uri, origin), body, headers: this.req.headers as IncomingHttpHeaders }, (err, answer) =>
          cb(err, (answer ?? [500]) as nock.ReplyFnResult),
        );
      });
  }
  return scope;
}

/** A reply of the router as status, body and headers (pagination as the HTTP transport does it, no ETags). */
export function renderReply(reply: Reply, url: URL, origin = API): NockAnswer {
  const headers: Record<string, string> = { ...reply.headers };
  let body = reply.body;
  if (reply.list) {
    const page = paginate(reply.list, url.searchParams, (q) => `${origin}${url.pathname}?${q.toString()}`);
    body = reply.wrap ? reply.wrap(page.items, reply.list.length) : page.items;
    if (page.link) headers.link = page.link;
  }
  if (reply.raw !== undefined) {
    headers["content-type"] = reply.contentType ?? "text/plain; charset=utf-8";
    return [reply.status, reply.raw, headers];
  }
  // A copy, as GitHub's answer is: an answer that arrives late shows the state it was read in.
  return [reply.status, body === undefined ? body : JSON.parse(JSON.stringify(body)), headers];
}

/** One request the nock transport answered from the model (or left unanswered: route "unknown"). */
export interface ModelRequest {
  method: string;
  /** The path as sent (percent-encoded), without the query. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  /** The route's name (e.g. "pulls.get"); "unknown" when none matched (answered 404). */
  route: string;
  kind: CallKind;
  status?: number;
  /** The fault rule that changed the answer, if any. */
  fault?: string;
}

export interface ServeOptions {
  origin?: string;
  graphql?: GraphqlResolver;
  /** Faults to inject (the same schedule the HTTP transport takes); a drop is a network error (ECONNRESET). */
  faults?: FaultSchedule;
  /**
   * Only these routes are the model's: other requests are left to the test's exact nock mocks
   * (FakeGitHub), so the two can serve one test without depending on the order they were set up in.
   */
  routes?: readonly string[];
}

export interface ServedModel {
  scope: nock.Scope;
  /** "METHOD route" per request, in the order they arrived. */
  log: string[];
  requests: ModelRequest[];
}

/** Serve `model` through the shared router on nock. */
export function serveModel(model: GitHubModel, options: ServeOptions = {}): ServedModel {
  const origin = options.origin ?? API;
  const log: string[] = [];
  const requests: ModelRequest[] = [];
  const routes = options.routes && new Set(options.routes);
  const accepts = routes && ((method: string, path: string) => routes.has(findRoute(method, path)?.route.name ?? "unknown"));
  const scope = interceptGitHub(
    (req, done) => {
      const found = findRoute(req.method, req.url.pathname);
      const route = found?.route.name ?? "unknown";
      const kind: CallKind = found?.route.kind ?? (req.method === "GET" ? "read" : "write");
      const entry: ModelRequest = { method: req.method, path: req.url.pathname, query: req.url.searchParams, body: req.body, route, kind };
      log.push(`${req.method} ${route}`);
      requests.push(entry);
      const fault = options.faults?.decide({ method: req.method, path: req.url.pathname, route, kind });
      if (fault) entry.fault = fault.id;
      const action = fault?.action;
      const answer = (reply: Reply, delayMs = 0) => {
        entry.status = reply.status;
        const rendered = renderReply(reply, req.url, origin);
        const send = () => done(null, rendered);
        if (action?.type === "hold") void action.until.then(send, send);
        else if (delayMs > 0) setTimeout(send, delayMs);
        else send();
      };
      if (action?.type === "drop") {
        entry.status = 0;
        setTimeout(() => done(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })), action.afterMs ?? 0);
        return;
      }
      if (action && action.type !== "delay" && action.type !== "hold" && action.type !== "graphql-errors")
        return answer(faultReply(action));
      if (!found) return answer({ status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } });
      let reply: Reply;
      try {
        reply = found.route.handle({
          model,
          params: found.params,
          query: req.url.searchParams,
          body: req.body,
          headers: req.headers,
          graphql: options.graphql ?? defaultGraphql,
        });
      } catch (err) {
        reply = { status: 500, body: { message: `simulator error: ${(err as Error).message}` } };
      }
      if (action?.type === "graphql-errors" && kind === "graphql") reply = withGraphqlErrors(reply, action);
      // A delay: the answer is read from the model now and arrives late (a slow network: it may be stale by then).
      answer(reply, action?.type === "delay" ? action.ms : 0);
    },
    origin,
    accepts,
  );
  return { scope, log, requests };
}
