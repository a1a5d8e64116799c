// Forged webhooks against the REAL HTTP server: Probot's Server with the app loaded, listening on a
// loopback port with a webhook secret. Deliveries are sent over a raw TCP socket (nock intercepts
// node's HTTP clients, not sockets), so the server side is exactly what production runs; the app's
// own calls to GitHub go to the shared GitHub model, which proves that a rejected delivery made none.
import { createHmac } from "node:crypto";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino"; // Probot's own logger (a dependency of probot): silent here
import { Probot, ProbotOctokit, Server } from "probot";
import { APP_ID, example, testKey } from "../helpers/github.js";
import { freePort } from "../helpers/net.js";
import { createCountersign } from "../../src/index.js";
import { createServices, type Services } from "../../src/handlers/services.js";
import { CLAUDE_MESSAGE, GitHubSession, blocks, simCommit } from "../support/github/session.js";

const SECRET = "a-long-random-webhook-secret-for-tests";
const PATH = "/api/github/webhooks";

interface RawResponse {
  status: number;
  body: string;
}

/** One HTTP/1.1 POST over a raw socket (so nock, which patches HTTP clients, never sees it). */
function post(port: number, headers: Record<string, string>, body: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (data += chunk));
    socket.on("error", reject);
    socket.on("end", () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf("\r\n\r\n") + 4) });
    });
    const head = Object.entries({
      host: `127.0.0.1:${port}`,
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(body)),
      connection: "close",
      ...headers,
    })
      .map(([k, v]) => `${k}: ${v}`)
      .join("\r\n");
    socket.end(`POST ${PATH} HTTP/1.1\r\n${head}\r\n\r\n${body}`);
  });
}

function signature(body: string, secret = SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

let server: Server | undefined;
/** The started app's services: its metrics say when an evaluation has finished. */
let services: Services | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
  services = undefined;
});

/** Evaluations the started app has finished (whatever their outcome). */
async function evaluationsFinished(): Promise<number> {
  const metric = await services!.metrics.evaluations.get();
  return metric.values.reduce((n, v) => n + v.value, 0);
}

async function startServer(): Promise<number> {
  const port = await freePort();
  const privateKey = testKey();
  server = new Server({
    Probot: Probot.defaults({
      appId: APP_ID,
      privateKey,
      secret: SECRET,
      logLevel: "fatal",
      Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
        ...options,
        retry: { enabled: false },
        throttle: { ...(options.throttle as object), enabled: false },
      })),
    }),
    port,
    host: "127.0.0.1",
    log: pino({ level: "silent" }),
    enableStaticFiles: false,
  });
  services = createServices({ APP_ID: String(APP_ID), RETRY_ATTEMPTS: "0", SIGNOFF_CANDIDATES: "0" });
  await server.load(createCountersign(services));
  await server.start();
  return port;
}

function world() {
  const gh = new GitHubSession({ policy: "signoff:\n  reviewers: ['@acme/seniors']\n  request_reviews: false\n" }).install();
  gh.addPull({ labels: ["ai-assisted", "risk:low"], commits: [simCommit({ message: CLAUDE_MESSAGE })] });
  return gh;
}

const EVENT = { "x-github-event": "pull_request", "x-github-delivery": "11111111-2222-3333-4444-555555555555" };

/** Waits for a condition the server makes true; the deadline only bounds a failure. */
async function until(condition: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("forged webhooks are rejected by the real HTTP server", () => {
  it("an unsigned delivery gets 400 and makes no GitHub request", async () => {
    const gh = world();
    const port = await startServer();
    const body = JSON.stringify(gh.pullEvent("synchronize"));

    const res = await post(port, EVENT, body);

    expect(res.status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gh.requests).toEqual([]);
  });

  it.each([
    ["signed with the wrong secret", (body: string) => signature(body, "not-the-secret")],
    ["signed for another body", (body: string) => signature(`${body} `)],
    ["a signature that is not hex", () => "sha256=zzzz"],
    ["an empty signature", () => ""],
    ["a SHA-1 signature in the SHA-256 header", (body: string) => `sha1=${createHmac("sha1", SECRET).update(body).digest("hex")}`],
  ])("a delivery %s gets 400 and makes no GitHub request", async (_what, sign) => {
    const gh = world();
    const port = await startServer();
    const body = JSON.stringify(gh.pullEvent("synchronize"));

    const res = await post(port, { ...EVENT, "x-hub-signature-256": sign(body) }, body);

    expect(res.status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gh.requests).toEqual([]);
    expect(gh.checkRuns).toEqual([]);
  });

  it("a correctly signed delivery is accepted and evaluated; the same delivery replayed writes nothing more", async () => {
    const gh = world();
    const port = await startServer();
    const body = JSON.stringify(gh.pullEvent("synchronize"));

    const res = await post(port, { ...EVENT, "x-hub-signature-256": signature(body) }, body);
    expect(res.status).toBeLessThan(300);
    await until(async () => (await evaluationsFinished()) === 1);
    expect(blocks(gh.check())).toBe(true);
    const writes = [...gh.writes];

    const replay = await post(port, { ...EVENT, "x-hub-signature-256": signature(body) }, body);
    expect(replay.status).toBeLessThan(300);
    // The replay's evaluation has finished (read the PR again, and written what it would write).
    await until(async () => (await evaluationsFinished()) === 2);
    expect(gh.requests.filter((r) => r.path.endsWith("/pulls/7"))).toHaveLength(2);
    expect(gh.writes).toEqual(writes);
  });

  it("a signed delivery whose payload is missing fields does not take the server down", async () => {
    const gh = world();
    const port = await startServer();
    const broken = JSON.stringify({ ...example("pull_request", "synchronize"), pull_request: { number: 7 } });

    const res = await post(port, { ...EVENT, "x-hub-signature-256": signature(broken) }, broken);
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(gh.checkRuns).toEqual([]);

    const body = JSON.stringify(gh.pullEvent("synchronize"));
    const next = await post(port, { ...EVENT, "x-github-delivery": "next", "x-hub-signature-256": signature(body) }, body);
    expect(next.status).toBeLessThan(300);
    await until(() => gh.check() !== undefined);
  });

  it("a delivery that is not JSON, signed or not, is rejected without a GitHub request", async () => {
    const gh = world();
    const port = await startServer();
    const body = "{not json";

    const unsigned = await post(port, EVENT, body);
    const signed = await post(port, { ...EVENT, "x-hub-signature-256": signature(body) }, body);

    expect(unsigned.status).toBeGreaterThanOrEqual(400);
    expect(signed.status).toBeGreaterThanOrEqual(400);
    expect(gh.requests).toEqual([]);
  });
});
