// The HTTP transport of the one GitHub model: a REST API server on 127.0.0.1 for benchmarks, fault
// injection and the tests that need a real slow GitHub (graceful shutdown). In-memory state
// (model.ts), the endpoints Countersign calls (router.ts), a per-call latency, call counters by kind,
// a request log, ETag/If-None-Match, Link pagination (pagination.ts), a fault schedule (faults.ts),
// and signed webhook deliveries to the app (webhooks.ts). Usage and API: bench/README.md.
import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { GitHubModel } from "./model.js";
import { defaultGraphql, findRoute, type GraphqlResolver, type Reply } from "./router.js";
import { faultReply, FaultSchedule, withGraphqlErrors, type CallKind, type FaultAction } from "./faults.js";
import { deliver, PayloadFactory, type Delivery, type SendOptions } from "./webhooks.js";
import { APP_ID, INSTALLATION_ID, SIM_WEBHOOK_SECRET } from "./constants.js";
import { paginate } from "./pagination.js";

export interface SimulatorOptions {
  /** The app's id: check runs it creates carry it. Default 777. */
  appId?: number;
  /** Installation id put into webhook payloads. Default 4242. */
  installationId?: number;
  /** Delay applied to every response, in ms. Default 0. */
  latencyMs?: number;
  /** The secret webhooks are signed with. Default "bench-secret". */
  webhookSecret?: string;
  /** The app's webhook URL (e.g. http://127.0.0.1:3000/api/github/webhooks); can be set later. */
  webhookUrl?: string;
  /** Answers POST /graphql. The default answers every query with an error. */
  graphql?: GraphqlResolver;
  /** Keep at most this many entries in the request log (oldest dropped). Default 200 000. */
  logLimit?: number;
  /**
   * A primary rate limit as GitHub applies it: at most `limit` requests (reads, writes, GraphQL; not
   * token requests, not 304s) per window of `windowMs`; beyond it, 403 "API rate limit exceeded" until
   * the window resets. The x-ratelimit-* headers tell the truth. Default: none (headers say 15000).
   */
  rateLimit?: { limit: number; windowMs: number };
}

export interface RequestLogEntry {
  seq: number;
  /** performance.now() when the request arrived, and when it was answered. */
  at: number;
  doneAt?: number;
  method: string;
  path: string;
  query: string;
  route: string;
  kind: CallKind;
  status?: number;
  /** The fault rule that changed the answer, if any. */
  fault?: string;
  notModified?: boolean;
  /** The parsed request body of writes (check-run outputs, labels, …). */
  body?: unknown;
}

export interface CallCounts {
  read: number;
  write: number;
  graphql: number;
  token: number;
  /** Reads answered 304 Not Modified (included in `read`; GitHub does not charge them to the rate limit). */
  notModified: number;
  /** Requests no route knew (answered 404; included in their kind). */
  unknown: number;
  byRoute: Record<string, number>;
}

export function emptyCounts(): CallCounts {
  return { read: 0, write: 0, graphql: 0, token: 0, notModified: 0, unknown: 0, byRoute: {} };
}

/** Counts of a list of log entries. */
export function countEntries(entries: Iterable<RequestLogEntry>): CallCounts {
  const c = emptyCounts();
  for (const e of entries) {
    c[e.kind]++;
    if (e.notModified) c.notModified++;
    if (e.route === "unknown") c.unknown++;
    const key = `${e.method} ${e.route}`;
    c.byRoute[key] = (c.byRoute[key] ?? 0) + 1;
  }
  return c;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class GitHubSimulator extends EventEmitter {
  readonly model: GitHubModel;
  readonly faults = new FaultSchedule();
  readonly payloads: PayloadFactory;
  readonly installationId: number;
  readonly webhookSecret: string;
  latencyMs: number;
  webhookUrl: string | undefined;
  /** The request log, oldest first (bounded by `logLimit`). */
  readonly log: RequestLogEntry[] = [];
  /** Counters since start or the last `resetCounts()`. */
  counts: CallCounts = emptyCounts();
  private seq = 0;
  private server: Server | undefined;
  private readonly graphql: GraphqlResolver;
  private readonly logLimit: number;
  private readonly open = new Set<ServerResponse>();
  private readonly rateLimit: { limit: number; windowMs: number } | undefined;
  private rateWindow = { used: 0, resetAt: 0 };
  /** Requests answered 403 because the simulated rate limit was spent. */
  rateLimited = 0;

  constructor(options: SimulatorOptions = {}) {
    super();
    this.setMaxListeners(0);
    this.model = new GitHubModel(options.appId ?? APP_ID);
    this.installationId = options.installationId ?? INSTALLATION_ID;
    this.model.installationId = this.installationId;
    this.latencyMs = options.latencyMs ?? 0;
    this.webhookSecret = options.webhookSecret ?? SIM_WEBHOOK_SECRET;
    this.webhookUrl = options.webhookUrl;
    this.graphql = options.graphql ?? defaultGraphql;
    this.logLimit = options.logLimit ?? 200_000;
    this.payloads = new PayloadFactory(this.model, this.installationId);
    this.rateLimit = options.rateLimit;
  }

  /** Listen on 127.0.0.1 (a free port by default); returns the API base URL. */
  async start(port = 0): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    this.server = server;
    return this.apiBaseUrl;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const res of this.open) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get port(): number {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error("simulator: not started");
    return address.port;
  }

  /** host:port, for the app's GHE_HOST (with GHE_PROTOCOL=http). */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** What Probot derives from GHE_HOST: http://127.0.0.1:PORT/api/v3. */
  get apiBaseUrl(): string {
    return `http://${this.host}/api/v3`;
  }

  /** The sequence number of the last request so far: pass it to `entriesSince` / `countsSince`. */
  mark(): number {
    return this.seq;
  }

  entriesSince(mark: number, until = Infinity): RequestLogEntry[] {
    return this.log.filter((e) => e.seq > mark && e.seq <= until);
  }

  countsSince(mark: number, until = Infinity): CallCounts {
    return countEntries(this.entriesSince(mark, until));
  }

  /** Return the counters and start new ones. */
  resetCounts(): CallCounts {
    const previous = this.counts;
    this.counts = emptyCounts();
    return previous;
  }

  /** Resolve with the first request (arrived from now on) that satisfies the predicate. */
  waitForRequest(predicate: (e: RequestLogEntry) => boolean, timeoutMs: number): Promise<RequestLogEntry | undefined> {
    return new Promise((resolve) => {
      const onRequest = (e: RequestLogEntry) => {
        if (!predicate(e)) return;
        clearTimeout(timer);
        this.off("request", onRequest);
        resolve(e);
      };
      const timer = setTimeout(() => {
        this.off("request", onRequest);
        resolve(undefined);
      }, timeoutMs);
      this.on("request", onRequest);
    });
  }

  /** Resolve once no request has arrived and none is open for `quietMs` (true), or after `timeoutMs` (false). */
  async waitForQuiet(quietMs: number, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const last = this.log[this.log.length - 1];
      const idleFor = this.open.size > 0 ? 0 : performance.now() - Math.max(last?.doneAt ?? last?.at ?? 0, 0);
      if (idleFor >= quietMs) return true;
      if (performance.now() >= deadline) return false;
      await sleep(Math.min(100, Math.max(10, quietMs - idleFor)));
    }
  }

  // --- webhooks ---------------------------------------------------------------------------------

  /** POST a signed webhook to the app (`webhookUrl`) and wait for its answer. */
  async send(event: string, payload: object, options: SendOptions = {}): Promise<Delivery> {
    if (!this.webhookUrl) throw new Error("simulator: set webhookUrl before sending webhooks");
    const delivery = await deliver(this.webhookUrl, this.webhookSecret, event, payload, options);
    this.emit("delivery", delivery);
    return delivery;
  }

  // --- shortcuts for common mutations (the model has the rest) ------------------------------------

  /** Push a commit to a PR and deliver pull_request.synchronize; returns the new head and the delivery. */
  async pushAndNotify(
    owner: string,
    repo: string,
    number: number,
    push: Parameters<GitHubModel["pushHead"]>[3] = {},
    options?: SendOptions,
  ) {
    const before = this.model.mustPull(owner, repo, number).pull.headSha;
    const sha = this.model.pushHead(owner, repo, number, push);
    const delivery = await this.send("pull_request", this.payloads.pullRequest("synchronize", owner, repo, number, { before }), options);
    return { sha, delivery };
  }

  /** Add a review and deliver pull_request_review.submitted. */
  async reviewAndNotify(owner: string, repo: string, number: number, spec: Parameters<GitHubModel["addReview"]>[3], options?: SendOptions) {
    const review = this.model.addReview(owner, repo, number, spec);
    const delivery = await this.send("pull_request_review", this.payloads.review("submitted", owner, repo, number, review), options);
    return { review, delivery };
  }

  // --- the HTTP server ------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.open.add(res);
    res.on("close", () => this.open.delete(res));
    const at = performance.now();
    const url = new URL(req.url ?? "/", "http://simulator");
    const method = (req.method ?? "GET").toUpperCase();
    const path = url.pathname.replace(/^\/api\/v3(?=\/)/, "").replace(/^\/api\/graphql$/, "/graphql");
    const raw = await readBody(req);
    const found = findRoute(method, path);
    const kind: CallKind = found?.route.kind ?? (method === "GET" || method === "HEAD" ? "read" : "write");
    const entry: RequestLogEntry = { seq: ++this.seq, at, method, path, query: url.search, route: found?.route.name ?? "unknown", kind };
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    if (kind !== "read") entry.body = body;
    this.record(entry);

    const fault = this.faults.decide({ method, path, route: entry.route, kind });
    if (fault) entry.fault = fault.id;
    const action: FaultAction | undefined = fault?.action;
    const extraDelay = action?.type === "delay" ? action.ms : 0;

    if (action?.type === "drop") {
      await sleep(this.latencyMs + (action.afterMs ?? 0));
      entry.status = 0;
      entry.doneAt = performance.now();
      req.socket.destroy();
      this.emit("response", entry);
      return;
    }

    const limited = this.spendRateLimit(kind);
    let reply: Reply;
    if (limited) {
      this.rateLimited++;
      reply = {
        status: 403,
        body: { message: "API rate limit exceeded for installation.", documentation_url: "https://docs.github.com/rest/rate-limit" },
      };
    } else if (action && action.type !== "delay" && action.type !== "hold" && action.type !== "graphql-errors") {
      reply = faultReply(action);
    } else if (!found) {
      reply = { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } };
    } else {
      try {
        reply = found.route.handle({
          model: this.model,
          params: found.params,
          query: url.searchParams,
          body,
          headers: req.headers,
          graphql: this.graphql,
        });
      } catch (err) {
        reply = { status: 500, body: { message: `simulator error: ${(err as Error).message}` } };
      }
      if (action?.type === "graphql-errors" && kind === "graphql") reply = withGraphqlErrors(reply, action);
    }

    const { status, headers, payload } = this.render(reply, url, path, req);
    if (this.rateLimit) {
      // GitHub does not charge a 304 to the rate limit.
      if (status === 304 && !limited) this.rateWindow.used--;
      headers["x-ratelimit-limit"] = String(this.rateLimit.limit);
      headers["x-ratelimit-remaining"] = String(Math.max(0, this.rateLimit.limit - this.rateWindow.used));
      headers["x-ratelimit-reset"] = String(Math.ceil(this.rateWindow.resetAt / 1000));
    }
    entry.status = status;
    if (status === 304) entry.notModified = true;
    if (status === 304) this.counts.notModified++;
    await sleep(this.latencyMs + extraDelay);
    if (action?.type === "hold") await action.until.catch(() => undefined);
    if (res.destroyed) return;
    res.writeHead(status, headers);
    res.end(payload);
    entry.doneAt = performance.now();
    this.emit("response", entry);
  }

  /** True when the simulated rate limit is spent (the request is refused); else counts the request. */
  private spendRateLimit(kind: CallKind): boolean {
    if (!this.rateLimit || kind === "token") return false;
    const now = Date.now();
    if (now >= this.rateWindow.resetAt) this.rateWindow = { used: 0, resetAt: now + this.rateLimit.windowMs };
    if (this.rateWindow.used >= this.rateLimit.limit) return true;
    this.rateWindow.used++;
    return false;
  }

  private record(entry: RequestLogEntry): void {
    this.log.push(entry);
    if (this.log.length > this.logLimit) this.log.splice(0, this.log.length - this.logLimit);
    this.counts[entry.kind]++;
    if (entry.route === "unknown") this.counts.unknown++;
    const key = `${entry.method} ${entry.route}`;
    this.counts.byRoute[key] = (this.counts.byRoute[key] ?? 0) + 1;
    this.emit("request", entry);
  }

  /** Status, headers and bytes of a reply: pagination, ETag/304, rate-limit headers. */
  private render(
    reply: Reply,
    url: URL,
    path: string,
    req: IncomingMessage,
  ): { status: number; headers: Record<string, string>; payload: string } {
    const headers: Record<string, string> = {
      "x-github-request-id": `SIM-${this.seq}`,
      "x-ratelimit-limit": "15000",
      "x-ratelimit-remaining": String(Math.max(1, 15000 - this.seq)),
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      "x-ratelimit-resource": "core",
      ...reply.headers,
    };
    let body = reply.body;
    if (reply.list) {
      const page = paginate(reply.list, url.searchParams, (q) => `${this.apiBaseUrl}${path}?${q.toString()}`);
      body = reply.wrap ? reply.wrap(page.items, reply.list.length) : page.items;
      if (page.link) headers.link = page.link;
    }
    let payload: string;
    if (reply.raw !== undefined) {
      payload = reply.raw;
      headers["content-type"] = reply.contentType ?? "text/plain; charset=utf-8";
    } else {
      payload = body === undefined ? "" : JSON.stringify(body);
      headers["content-type"] = reply.contentType ?? "application/json; charset=utf-8";
    }
    let status = reply.status;
    if (req.method === "GET" && status === 200) {
      const etag = `W/"${createHash("sha1").update(payload).digest("hex")}"`;
      headers.etag = etag;
      const ifNoneMatch = req.headers["if-none-match"];
      if (ifNoneMatch && ifNoneMatch.split(",").some((t) => t.trim() === etag)) {
        status = 304;
        payload = "";
        delete headers["content-type"];
      }
    }
    return { status, headers, payload };
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
