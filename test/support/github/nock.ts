// The nock transport of the one GitHub model: answers every request to the API origin in-process,
// for tests that run with the network disabled. `interceptGitHub` is the transport itself (any
// handler, answers may be late or network errors); `serveModel` puts the shared router behind it,
// the same endpoints the HTTP transport (http-server.ts) serves.
import type { IncomingHttpHeaders } from "node:http";
import nock from "nock";
import { API } from "./constants.js";
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

/** Answer every request to `origin` with `handler` (until nock.cleanAll(), which the test setup runs after each test). */
export function interceptGitHub(handler: NockHandler, origin = API): nock.Scope {
  const scope = nock(origin).persist();
  for (const method of METHODS) {
    const interceptor =
      method === "GET"
        ? scope.get(/.*/)
        : method === "POST"
          ? scope.post(/.*/)
          : method === "PATCH"
            ? scope.patch(/.*/)
            : method === "PUT"
              ? scope.put(/.*/)
              : scope.delete(/.*/);
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
  return [reply.status, body, headers];
}

/** Serve `model` through the shared router on nock; returns the log of requests ("METHOD route"). */
export function serveModel(
  model: GitHubModel,
  options: { origin?: string; graphql?: GraphqlResolver } = {},
): { scope: nock.Scope; log: string[] } {
  const origin = options.origin ?? API;
  const log: string[] = [];
  const scope = interceptGitHub((req, done) => {
    const found = findRoute(req.method, req.url.pathname);
    log.push(`${req.method} ${found?.route.name ?? "unknown"}`);
    if (!found) return done(null, [404, { message: "Not Found" }, {}]);
    const reply = found.route.handle({
      model,
      params: found.params,
      query: req.url.searchParams,
      body: req.body,
      headers: req.headers,
      graphql: options.graphql ?? defaultGraphql,
    });
    done(null, renderReply(reply, req.url, origin));
  }, origin);
  return { scope, log };
}
