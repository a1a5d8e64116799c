// The webhook body, read with a cap. GitHub caps webhook payloads at 25 MB ("Payloads are capped at
// 25 MB" in GitHub's webhook docs); anything larger is not a GitHub delivery. Without a cap, Probot
// reads any body whole before it checks the signature, so an unsigned 48 MB POST took 48 MB of
// memory (and, logged with its error, four times that in log). A declared Content-Length over the
// cap is refused before one byte is read; a chunked body is counted as it arrives and refused at
// the first byte over the cap, without reading the rest.
import type { IncomingMessage, ServerResponse } from "node:http";

/** GitHub's cap on a webhook payload. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

/** The body as text (decoded as @octokit/webhooks decodes it), or "too-large" once it passes `limit` bytes. */
export function readCappedBody(req: IncomingMessage, limit = MAX_WEBHOOK_BYTES): Promise<string | "too-large"> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) return Promise.resolve("too-large");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        chunks.length = 0;
        req.pause();
        resolve("too-large");
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks)));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

/** 413, and the connection closed: the rest of the body is never read. */
export function refuseTooLarge(res: ServerResponse, limit = MAX_WEBHOOK_BYTES): void {
  res
    .writeHead(413, { "content-type": "text/plain", connection: "close" })
    .end(`payload too large: GitHub's webhook deliveries are at most ${limit / 1024 / 1024} MB\n`, () => res.socket?.destroy());
}
