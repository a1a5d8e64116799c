// HTTP/1.0 over a raw socket to a server a test started on loopback. nock patches node's HTTP
// clients (and fetch), not sockets, so these requests reach the real server while every other
// request of the test stays intercepted.
import { createHmac, randomUUID } from "node:crypto";
import { connect } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = "",
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const split = text.indexOf("\r\n\r\n");
      const [statusLine = "", ...headerLines] = text.slice(0, split < 0 ? text.length : split).split("\r\n");
      const parsed: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(":");
        if (colon > 0) parsed[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({
        status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0),
        headers: parsed,
        body: split < 0 ? "" : text.slice(split + 4),
      });
    });
    const head = Object.entries({
      host: `127.0.0.1:${port}`,
      ...(body ? { "content-length": String(Buffer.byteLength(body)) } : {}),
      ...headers,
    })
      .map(([k, v]) => `${k}: ${v}`)
      .join("\r\n");
    // write, not end: a half-closed socket makes node's server drop a response that is still being prepared.
    // HTTP/1.0: the server closes the connection after its answer, which ends the read.
    socket.write(`${method} ${path} HTTP/1.0\r\n${head}\r\n\r\n${body}`);
  });
}

export const rawGet = (port: number, path: string, headers: Record<string, string> = {}) => rawRequest(port, "GET", path, headers);

/** A webhook delivery as GitHub sends it to a server a test started: JSON, a fresh delivery id, signed with `secret`. */
export function deliverSigned(port: number, secret: string, event: string, payload: object): Promise<RawResponse> {
  const body = JSON.stringify(payload);
  return rawRequest(
    port,
    "POST",
    "/api/github/webhooks",
    {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
    },
    body,
  );
}
