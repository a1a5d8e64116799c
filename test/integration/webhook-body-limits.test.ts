// What the real server (a child process, its real log pipeline) does with webhook bodies that are
// not GitHub's: a body over GitHub's 25 MB cap is refused with 413 before it is read (declared by
// Content-Length, or counted as a chunked body arrives), and no delivery's payload ever reaches the
// log — not an unsigned one, not a signed one that is not JSON, not one a handler failed on.
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_WEBHOOK_BYTES } from "../../src/server/webhook-body.js";
import { serializeError } from "../../src/server/log.js";
import { rawRequest } from "../helpers/raw-http.js";
import { ServerProcess } from "../helpers/server-process.js";
import { testKey } from "../helpers/github.js";

const key = testKey();
const SECRET = "the-webhook-secret";
const MARKER = "PAYLOADFRAGMENT7f3c";

const headers = (extra: Record<string, string> = {}) => ({
  "content-type": "application/json",
  "x-github-event": "issues",
  "x-github-delivery": randomUUID(),
  ...extra,
});
const sign = (body: string, secret = SECRET) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

/**
 * Send headers, then the body in chunks (Transfer-Encoding: chunked) until the server answers or
 * closes the connection. A client still writing when the server closes may see a reset instead of
 * the 413 (the kernel discards an answer on a socket that still had unread data): both mean refused.
 */
function chunkedUntilRefused(port: number, path: string, head: Record<string, string>, chunk: Buffer, maxChunks: number) {
  return new Promise<{ status: number; sentBytes: number; reset: boolean }>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    let sent = 0;
    let reset = false;
    socket.on("data", (data: Buffer) => {
      answer += data.toString("latin1");
    });
    socket.on("error", () => {
      reset = true;
    });
    socket.on("close", () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0), sentBytes: sent, reset }));
    const lines = Object.entries({ host: `127.0.0.1:${port}`, "transfer-encoding": "chunked", ...head }).map(([k, v]) => `${k}: ${v}`);
    socket.write(`POST ${path} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`);
    const pump = () => {
      while (answer === "" && !socket.destroyed && sent / chunk.length < maxChunks) {
        sent += chunk.length;
        const more = socket.write(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]));
        if (!more) return void socket.once("drain", pump);
      }
      if (answer === "" && !socket.destroyed) socket.end("0\r\n\r\n");
    };
    pump();
  });
}

describe("webhook bodies on the real server", () => {
  const dir = mkdtempSync(join(tmpdir(), "countersign-body-"));
  const server = new ServerProcess(dir, {
    APP_ID: "777",
    PRIVATE_KEY: key,
    WEBHOOK_SECRET: SECRET,
    LOG_LEVEL: "trace",
    RETRY_ATTEMPTS: "0",
    // No GitHub here: the reconciliation on start (which would call api.github.com) is off.
    RECONCILE_ON_START: "false",
  });

  beforeAll(() => server.start(), 90_000);
  afterAll(async () => {
    await server.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a declared Content-Length over 25 MB with 413 before reading the body", async () => {
    // 48 MB declared, a few bytes sent: an answer proves the server did not wait for the rest.
    const res = await rawRequest(
      server.port,
      "POST",
      "/api/github/webhooks",
      headers({ "content-length": String(48 * 1024 * 1024) }),
      `{"x":"${MARKER}`,
    );
    expect(res.status).toBe(413);
    expect(res.body).toMatch(/at most 25 MB/);
  });

  it("refuses a chunked body at the first bytes over 25 MB, without reading the rest", async () => {
    const chunk = Buffer.alloc(1024 * 1024, MARKER);
    const delivery = randomUUID();
    const res = await chunkedUntilRefused(
      server.port,
      "/api/github/webhooks",
      headers({ "x-github-delivery": delivery, "x-hub-signature-256": sign("x") }),
      chunk,
      64,
    );
    // The server ended the connection before the 64 MB were sent: with a 413, or with a reset that hid it.
    expect(res.status === 413 || res.reset).toBe(true);
    expect(res.status === 0 || res.status === 413).toBe(true);
    expect(res.sentBytes).toBeLessThan(64 * chunk.length);
    expect(res.sentBytes).toBeGreaterThan(MAX_WEBHOOK_BYTES);
    // The server's own access log says 413 for this delivery.
    await expect
      .poll(() => server.logs.find((l) => (l.req as { id?: string } | undefined)?.id === delivery)?.res)
      .toEqual({ statusCode: 413 });
  });

  it("answers an unsigned delivery 400, and a signed body that is not JSON 400", async () => {
    const body = JSON.stringify({ action: "opened", secret_note: MARKER, issue: { title: MARKER } });
    expect(
      (await rawRequest(server.port, "POST", "/api/github/webhooks", headers({ "x-hub-signature-256": sign(body, "an-old-secret") }), body))
        .status,
    ).toBe(400);
    const notJson = `{"action": "opened", "x": ${MARKER}`;
    expect(
      (await rawRequest(server.port, "POST", "/api/github/webhooks", headers({ "x-hub-signature-256": sign(notJson) }), notJson)).status,
    ).toBe(400);
  });

  it("a signed delivery under the cap still reaches the app", async () => {
    const body = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
    const res = await rawRequest(
      server.port,
      "POST",
      "/api/github/webhooks",
      headers({ "x-github-event": "ping", "x-hub-signature-256": sign(body) }),
      body,
    );
    expect(res.status).toBe(200);
  });

  it("logged the failures, and no line holds any part of a payload", async () => {
    expect(await server.stop("SIGTERM", 20_000)).toEqual({ code: 0, signal: null });
    const lines = server.lines.join("\n");
    // The failures were logged (so this is not vacuous): the signature mismatch and the invalid JSON.
    expect(lines).toMatch(/signature does not match/);
    expect(lines).toMatch(/Invalid JSON/);
    expect(lines).not.toContain(MARKER);
    expect(lines).not.toContain("PAYLOADFRAG");
    expect(lines).not.toContain("secret_note");
    // No line is larger than a log line should be.
    expect(Math.max(...server.lines.map((l) => l.length))).toBeLessThan(20_000);
  });
});

describe("serializeError, the process's `err` serializer", () => {
  it("keeps the delivery's id and event name, and drops its payload, also inside an AggregateError", () => {
    const inner = Object.assign(new Error("handler failed"), { event: { id: "d-1", name: "issues", payload: { title: MARKER } } });
    const outer = Object.assign(new AggregateError([inner], "handler failed"), {
      event: { id: "d-1", name: "issues", payload: `{"t":"${MARKER}"}` },
    });
    const out = JSON.stringify(serializeError(outer));
    expect(out).not.toContain(MARKER);
    expect(serializeError(outer)).toMatchObject({
      event: { id: "d-1", name: "issues" },
      aggregateErrors: [{ event: { id: "d-1", name: "issues" } }],
    });
  });

  it("rewrites a stack whose first line still quotes the body", () => {
    let err: Error;
    try {
      JSON.parse(`{"x": ${MARKER}`);
      throw new Error("unreachable");
    } catch (e) {
      err = e as Error;
    }
    err.message = "Invalid JSON";
    const out = serializeError(err) as { stack: string; message: string };
    expect(out.message).toBe("Invalid JSON");
    expect(out.stack).toMatch(/^SyntaxError: Invalid JSON\n {4}at /);
    expect(out.stack).not.toContain(MARKER);
  });
});
