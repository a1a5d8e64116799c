// Setup mode (no APP_ID / private key yet, outside production): the page that registers the GitHub
// App from app.yml, and the redirect GitHub sends back with the new app's credentials.
//
// Probot 14's own page writes the manifest into `value='…'` unescaped, so the apostrophe in
// app.yml's description ended the attribute and GitHub received a truncated manifest. Here the
// manifest is HTML-escaped into a hidden form field: whatever characters app.yml holds, the browser
// posts exactly the JSON below. Otherwise this follows Probot's setup flow (same routes, same .env keys).
import { readFileSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { ProbotOctokit } from "probot";
import type { Logger } from "pino";
import { parse as parseYaml } from "yaml";

/** app.yml, shipped at the package root (next to lib/). */
export const APP_YML = new URL("../../app.yml", import.meta.url);

export interface SetupOptions {
  log: Logger;
  env: NodeJS.ProcessEnv;
  /** Where .env is written. */
  cwd: string;
  webhookPath: string;
  /** The app.yml to register (tests). */
  appYml?: URL | string;
  /** The GitHub API for the code exchange (tests point it at a fake). */
  request?: { fetch?: typeof fetch };
}

export type Manifest = Record<string, unknown>;

/** The manifest GitHub receives: app.yml, plus the URLs only the running server knows (app.yml wins). */
export function buildManifest(appYml: URL | string, baseUrl: string, env: NodeJS.ProcessEnv, webhookPath: string): Manifest {
  const file = parseYaml(readFileSync(appYml, "utf8")) as Manifest | null;
  const fromFile = file !== null && typeof file === "object" ? file : {};
  return {
    hook_attributes: { url: env.WEBHOOK_PROXY_URL || `${baseUrl}${webhookPath}` },
    redirect_url: `${baseUrl}/probot/setup`,
    public: false,
    ...fromFile,
  };
}

/** Text for an HTML attribute value or element content. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Where the "Register GitHub App" form posts: github.com, a GHE host, or an organisation's page. */
export function createAppUrl(env: NodeJS.ProcessEnv): string {
  const host = env.GHE_HOST || "github.com";
  const org = env.GH_ORG ? `/organizations/${encodeURIComponent(env.GH_ORG)}` : "";
  return `${env.GHE_PROTOCOL || "https"}://${host}${org}/settings/apps/new`;
}

export function setupPage(manifest: Manifest, action: string): string {
  const name = typeof manifest.name === "string" ? manifest.name : "Countersign";
  const description = typeof manifest.description === "string" ? manifest.description : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Set up ${escapeHtml(name)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}button{font:inherit;padding:.5rem 1rem}</style>
</head>
<body>
<h1>Set up ${escapeHtml(name)}</h1>
<p>${escapeHtml(description)}</p>
<p>Register a GitHub App with the name, permissions and events of <code>app.yml</code>. GitHub then sends you back here, and the app's id, private key and webhook secret are written to <code>.env</code>.</p>
<form action="${escapeHtml(action)}" method="post">
<input type="hidden" name="manifest" id="manifest" value="${escapeHtml(JSON.stringify(manifest))}">
<button type="submit">Register GitHub App</button>
</form>
<p>Or register it by hand: docs/deployment.md, "Register the GitHub App".</p>
</body>
</html>
`;
}

/** Probot's setup convention: the public URL the browser used (x-forwarded-* behind a proxy). */
function baseUrlOf(req: IncomingMessage): string {
  const forwarded = req.headers["x-forwarded-proto"];
  const proto =
    (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim() ||
    ((req.socket as { encrypted?: boolean }).encrypted ? "https" : "http");
  const host = req.headers["x-forwarded-host"] || req.headers.host || "localhost";
  return `${proto}://${Array.isArray(host) ? host[0] : host}`;
}

/** Quote a value for .env (node:util parseEnv / dotenv): double quotes, newlines as \n. */
function envValue(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/\r?\n/g, "\\n").replace(/"/g, '\\"')}"`;
}

/** Set keys in .env, keeping the others. */
export function updateEnvFile(cwd: string, values: Record<string, string>): void {
  const path = join(cwd, ".env");
  let current: Record<string, string> = {};
  try {
    current = parseEnv(readFileSync(path, "utf8")) as Record<string, string>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const merged = { ...current, ...values };
  writeFileSync(
    path,
    `${Object.entries(merged)
      .map(([k, v]) => `${k}=${envValue(v)}`)
      .join("\n")}\n`,
    { mode: 0o600 },
  );
}

/** A request handler for setup mode: true when it answered. */
export function setupHandler(options: SetupOptions) {
  const { log, env } = options;
  const appYml = options.appYml ?? APP_YML;
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== "GET") return false;
    const url = new URL(req.url ?? "/", "http://setup.invalid");
    if (url.pathname === "/") {
      res.writeHead(302, { location: "/probot", "content-type": "text/plain" }).end("Found. Redirecting to /probot");
      return true;
    }
    if (url.pathname === "/probot") {
      const manifest = buildManifest(appYml, baseUrlOf(req), env, options.webhookPath);
      res
        .writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" })
        .end(setupPage(manifest, createAppUrl(env)));
      return true;
    }
    if (url.pathname === "/probot/setup") {
      const code = url.searchParams.get("code");
      if (!code) {
        res.writeHead(400, { "content-type": "text/plain" }).end("code missing or invalid");
        return true;
      }
      const octokit = new ProbotOctokit({
        ...(env.GHE_HOST ? { baseUrl: `${env.GHE_PROTOCOL || "https"}://${env.GHE_HOST}/api/v3` } : {}),
        ...(options.request ? { request: options.request } : {}),
      });
      const { data } = await octokit.request("POST /app-manifests/{code}/conversions", { code });
      updateEnvFile(options.cwd, {
        APP_ID: String(data.id),
        PRIVATE_KEY: data.pem,
        WEBHOOK_SECRET: data.webhook_secret ?? "",
        GITHUB_CLIENT_ID: data.client_id,
        GITHUB_CLIENT_SECRET: data.client_secret,
      });
      log.info(
        `GitHub App ${data.slug ?? data.id} registered; APP_ID, PRIVATE_KEY and WEBHOOK_SECRET are in .env. Restart the server to run it.`,
      );
      res
        .writeHead(302, { location: `${data.html_url}/installations/new`, "content-type": "text/plain" })
        .end(`Found. Redirecting to ${data.html_url}/installations/new`);
      return true;
    }
    return false;
  };
}
