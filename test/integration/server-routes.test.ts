// The server's own routes, in-process: /ready follows Redis when REDIS_URL is set, and the
// schema route serves the policy schema, and / says what is running.
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import nock from "nock";
import { pino } from "pino";
import { readServerConfig } from "../../src/server/config.js";
import { startServer, type AppServer } from "../../src/server/http.js";
import { createServices } from "../../src/handlers/services.js";
import { rawGet, rawRequest } from "../helpers/raw-http.js";
import { testKey } from "../helpers/github.js";

const key = testKey();
const baseEnv: NodeJS.ProcessEnv = {
  APP_ID: "777",
  PRIVATE_KEY: key,
  WEBHOOK_SECRET: "s",
  HOST: "127.0.0.1",
  PORT: "0",
  RETRY_ATTEMPTS: "0",
  // These tests mock GitHub request by request; the reconciliation on start has tests of its own.
  RECONCILE_ON_START: "false",
};

let server: AppServer | undefined;
afterEach(async () => {
  await server?.shutdown("test");
  server = undefined;
});

async function start(env: NodeJS.ProcessEnv): Promise<AppServer> {
  const all = { ...baseEnv, ...env };
  server = await startServer(readServerConfig(all, "/"), pino({ level: "silent" }), { env: all, services: createServices(all) });
  return server;
}

/** A loopback port where nothing listens. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe("GET /ready", () => {
  it("is ready without Redis", async () => {
    const app = await start({});
    expect(await rawGet(app.port, "/ready")).toMatchObject({ status: 200, body: "READY" });
  });

  it("is not ready while the configured Redis does not answer, and says why", async () => {
    const app = await start({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}` });
    const res = await rawGet(app.port, "/ready");
    expect(res.status).toBe(503);
    expect(res.body).toMatch(/^NOT READY: Redis does not answer/);
    // Liveness is a different question: the process serves HTTP.
    expect((await rawGet(app.port, "/ping")).body).toBe("PONG");
  });
});

describe("webhooks and metrics on the server", () => {
  const ping = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
  const post = (port: number, signature?: string) =>
    rawRequest(
      port,
      "POST",
      "/api/github/webhooks",
      {
        "content-type": "application/json",
        "x-github-event": "ping",
        "x-github-delivery": randomUUID(),
        ...(signature ? { "x-hub-signature-256": signature } : {}),
      },
      ping,
    );

  it("accepts only deliveries signed with WEBHOOK_SECRET", async () => {
    const app = await start({});
    expect((await post(app.port)).status).toBe(400);
    expect((await post(app.port, `sha256=${createHmac("sha256", "wrong").update(ping).digest("hex")}`)).status).toBe(400);
    expect((await post(app.port, `sha256=${createHmac("sha256", "s").update(ping).digest("hex")}`)).status).toBe(200);
  });

  it("serves /metrics with the operations series", async () => {
    const app = await start({});
    const res = await rawGet(app.port, "/metrics");
    expect(res.status).toBe(200);
    for (const name of [
      "countersign_handler_failures_total",
      "countersign_github_responses_total",
      "countersign_github_rate_limit_remaining",
      "countersign_evaluations_total",
    ]) {
      expect(res.body).toContain(`# HELP ${name} `);
    }
  });

  it("refuses deliveries once it is shutting down", async () => {
    const app = await start({});
    const stopped = app.shutdown("test");
    await stopped;
    // No longer listening: the connection is refused.
    await expect(rawGet(app.port, "/ping")).rejects.toThrow(/ECONNREFUSED/);
    expect(await stopped).toEqual({ finished: true, abandoned: 0 });
  });
});

describe("refusing bad configuration", () => {
  it.each([
    [{ NODE_ENV: "production", APP_ID: "" }, /APP_ID is missing/],
    [{ NODE_ENV: "production", WEBHOOK_SECRET: "" }, /WEBHOOK_SECRET is missing/],
    [{ SHUTDOWN_GRACE_SECONDS: "soon" }, /SHUTDOWN_GRACE_SECONDS must be a number of seconds/],
    [{ APP_ID: "abc" }, /APP_ID must be the app's numeric id/],
    [{ LOG_LEVEL: "loud" } as unknown as NodeJS.ProcessEnv, /LOG_LEVEL must be one of/],
  ] as const)("%o", (env, message) => {
    expect(() => readServerConfig({ ...baseEnv, ...env }, "/")).toThrow(message);
  });
});

describe("GET / while the app runs: the status page", () => {
  const version = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

  it("says name, version, installation count and readiness as JSON, asking GitHub at most once for many visits", async () => {
    const github = nock("https://api.github.com")
      .get("/app")
      .once()
      .reply(200, { id: 777, name: "Countersign <staging>", installations_count: 3 });
    const app = await start({});
    for (let i = 0; i < 3; i++) {
      const res = await rawGet(app.port, "/", { accept: "application/json" });
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      expect(JSON.parse(res.body)).toEqual({ name: "Countersign <staging>", version, installations: 3, ready: true, reason: "" });
    }
    expect(github.isDone()).toBe(true);
    // The HTML page for a browser, escaped, and nothing secret in either.
    const html = await rawGet(app.port, "/", { accept: "text/html" });
    expect(html.headers["content-type"]).toMatch(/^text\/html/);
    expect(html.body).toContain("<h1>Countersign &#60;staging&#62;</h1>");
    expect(html.body).toMatch(/<dd id="installations">3<\/dd>/);
    expect(html.body).not.toContain("PRIVATE KEY");
  });

  it("says the count is unknown when GitHub refuses, and not ready when Redis does not answer", async () => {
    nock("https://api.github.com").get("/app").reply(401, { message: "Bad credentials" });
    const app = await start({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}` });
    const res = await rawGet(app.port, "/", { accept: "application/json" });
    expect(JSON.parse(res.body)).toMatchObject({
      installations: null,
      ready: false,
      reason: expect.stringMatching(/Redis does not answer/),
    });
  });
});
