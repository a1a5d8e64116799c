// GET / while the app runs: what this deployment is — name, version, how many accounts installed
// the app, whether it is ready — as JSON (Accept: application/json) or a small HTML page. No
// secret, no configuration, nothing about any repository. The installation count comes from
// GitHub's GET /app (`installations_count`), one call at most every five minutes whatever the
// traffic on this public page, and "unknown" when GitHub does not answer.
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { escapeHtml } from "./setup.js";

/** The package's name and version; a build laid out elsewhere (the benchmarks' baseline) has none, and says "unknown". */
function readPackage(): { name?: string; version?: string } {
  try {
    return JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { name?: string; version?: string };
  } catch {
    return {};
  }
}
const PACKAGE = readPackage();
export const VERSION = PACKAGE.version ?? "unknown";

export interface Status {
  name: string;
  version: string;
  /** Accounts (organisations and users) the app is installed on; null when GitHub did not say. */
  installations: number | null;
  ready: boolean;
  /** Why not ready (empty when ready). */
  reason: string;
}

export interface StatusSource {
  /** GitHub's GET /app for this app (Probot's app-authenticated Octokit). */
  app(): Promise<{ name?: string | null; installations_count?: number }>;
  ready(): Promise<{ ok: boolean; reason: string }>;
}

const CACHE_MS = 5 * 60_000;

export function statusHandler(source: StatusSource, now: () => number = Date.now) {
  let cached: { at: number; app: Promise<{ name: string; installations: number | null }> } | undefined;
  const app = () => {
    if (!cached || now() - cached.at > CACHE_MS) {
      cached = {
        at: now(),
        app: source.app().then(
          (data) => ({
            name: data.name || "Countersign",
            installations: typeof data.installations_count === "number" ? data.installations_count : null,
          }),
          () => ({ name: "Countersign", installations: null }),
        ),
      };
    }
    return cached.app;
  };
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const [about, ready] = await Promise.all([app(), source.ready()]);
    const status: Status = {
      name: about.name,
      version: VERSION,
      installations: about.installations,
      ready: ready.ok,
      reason: ready.ok ? "" : ready.reason,
    };
    const accept = String(req.headers.accept ?? "");
    if (/application\/json/.test(accept) && !/text\/html/.test(accept)) {
      res
        .writeHead(200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" })
        .end(`${JSON.stringify(status)}\n`);
      return;
    }
    res
      .writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
      })
      .end(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(status.name)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}dt{font-weight:600}</style></head>
<body>
<h1>${escapeHtml(status.name)}</h1>
<dl>
<dt>Version</dt><dd id="version">${escapeHtml(status.version)}</dd>
<dt>Installations</dt><dd id="installations">${status.installations === null ? "unknown (GitHub did not answer)" : status.installations}</dd>
<dt>Ready</dt><dd id="ready">${status.ready ? "yes" : `no: ${escapeHtml(status.reason)}`}</dd>
</dl>
<p>Webhooks, <code>/ping</code>, <code>/ready</code>, <code>/metrics</code> and the policy schema at <code>/schema/countersign.schema.json</code> are served here too.</p>
</body>
</html>
`);
  };
}
