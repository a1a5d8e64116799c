// Setup mode (no APP_ID / private key yet, outside production): the pages that register the GitHub
// App from app.yml, and the redirect GitHub sends back with the new app's credentials.
//
// Two steps, no script. /probot asks which account will own the app (an organisation, or the
// personal account when left empty) and the public webhook URL GitHub will deliver to. /probot with
// `review=1` says what will be registered — the account, each permission and event with its reason
// from app.yml's comments, the webhook URL — and its button posts the manifest to that account's
// registration page (https://github.com/organizations/<org>/settings/apps/new, or
// /settings/apps/new; the GHE_HOST for GitHub Enterprise Server). The app is private (app.yml
// `public: false`): a private app can be installed only on the account that owns it, so the owner
// must be the organisation to gate. A webhook URL on this machine (localhost, 127.0.0.1, ::1) is
// refused before GitHub refuses it.
//
// Everything on the pages is HTML-escaped: whatever characters app.yml or the fields hold, the
// browser posts exactly the manifest below (Probot 14's own page wrote it into value='…' unescaped,
// and the apostrophe in app.yml's description cut it short).
//
// GitHub's redirect back carries a `state` (GitHub's manifest flow echoes the one the form's URL
// carried): the review page issues a fresh random one, remembers it for an hour (GitHub's limit for
// the whole flow) and puts it in a cookie of this browser too; /probot/setup exchanges a code only
// when its state is one this server issued, not used before, and the same as the browser's cookie.
// So a link someone else prepared (their code, to plant their app's credentials in .env) is refused.
//
// .env is written so that every reader takes it the same way: `docker run --env-file` and
// `kubectl create secret --from-env-file` (KEY=VALUE taken verbatim, no quote removal), Compose and
// node's parseEnv. So each value is written unquoted on one line, and the private key — several
// lines — is written base64-encoded, which @probot/get-private-key (config.ts) decodes.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { ProbotOctokit } from "probot";
import type { Logger } from "pino";
import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from "yaml";

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
  /** The states the review page issues (tests pass their own to control the clock). */
  states?: SetupStates;
  /** The GitHub API for the code exchange (tests point it at a fake). */
  request?: { fetch?: typeof fetch };
}

export type Manifest = Record<string, unknown>;

/** app.yml as data, with the comment above each permission and event: the reason it is asked for. */
export interface AppYml {
  manifest: Manifest;
  reasons: { permissions: Record<string, string>; events: Record<string, string> };
}

function commentText(comment: string | null | undefined): string {
  return (comment ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join(" ");
}

export function readAppYml(appYml: URL | string): AppYml {
  const doc = parseDocument(readFileSync(appYml, "utf8"));
  const data = doc.toJS() as unknown;
  const manifest = data !== null && typeof data === "object" && !Array.isArray(data) ? (data as Manifest) : {};
  const reasons: AppYml["reasons"] = { permissions: {}, events: {} };
  // The yaml parser puts the comment above a collection's first item on the collection itself.
  const permissions = doc.get("default_permissions", true) as YamlNode | undefined;
  if (isMap(permissions)) {
    permissions.items.forEach((pair, i) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const comment = (isScalar(pair.key) ? pair.key.commentBefore : undefined) ?? (i === 0 ? permissions.commentBefore : undefined);
      reasons.permissions[key] = commentText(comment);
    });
  }
  const events = doc.get("default_events", true) as YamlNode | undefined;
  if (isSeq(events)) {
    events.items.forEach((item, i) => {
      if (!isScalar(item)) return;
      reasons.events[String(item.value)] = commentText(item.commentBefore ?? (i === 0 ? events.commentBefore : undefined));
    });
  }
  return { manifest, reasons };
}

/** The manifest GitHub receives: app.yml, with the webhook URL chosen on the page and the redirect back here. */
export function buildManifest(appYml: Manifest, baseUrl: string, webhookUrl: string): Manifest {
  const hook = appYml.hook_attributes !== null && typeof appYml.hook_attributes === "object" ? appYml.hook_attributes : {};
  return {
    redirect_url: `${baseUrl}/probot/setup`,
    public: false,
    ...appYml,
    hook_attributes: { ...hook, url: webhookUrl },
  };
}

/** Text for an HTML attribute value or element content. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** GitHub's rule for account names: letters, digits and single hyphens inside, at most 39 characters. */
const ACCOUNT_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

/** Where the "Register GitHub App" form posts: the organisation's page, or the personal account's; github.com or GHE_HOST. */
export function createAppUrl(env: NodeJS.ProcessEnv, organization: string): string {
  const host = env.GHE_HOST?.trim() || "github.com";
  const owner = organization ? `/organizations/${encodeURIComponent(organization)}` : "";
  return `${env.GHE_PROTOCOL?.trim() || "https"}://${host}${owner}/settings/apps/new`;
}

/** A webhook URL GitHub can deliver to, or what is wrong with it. */
export function webhookUrlProblem(text: string): string | undefined {
  if (text === "") return "Enter the public URL GitHub will send webhooks to.";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not a URL: write it whole, e.g. https://countersign.example.com/api/github/webhooks.`;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return `A webhook URL starts with https:// (not ${url.protocol}).`;
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost") || /^127\./.test(host) || host === "::1" || host === "0.0.0.0") {
    return `${url.host} is this machine: GitHub cannot deliver there and refuses to register the app with it. Use your server's public https URL, or a smee.io channel (https://smee.io/new, then set WEBHOOK_PROXY_URL) while you try it on a laptop.`;
  }
  return undefined;
}

export interface SetupChoice {
  /** Empty: the personal account of whoever is signed in to GitHub. */
  organization: string;
  webhookUrl: string;
}

export interface SetupView {
  appYml: AppYml;
  choice: SetupChoice;
  /** The page that reviews the choice and registers; otherwise the page that asks. */
  review: boolean;
  problems: string[];
  notes: string[];
  manifest: Manifest;
  action: string;
  githubHost: string;
  webhookPath: string;
  /** The state the Register form sends to GitHub, which GitHub sends back with the code (review page only). */
  state?: string;
}

/** The choice in the query string (or its defaults), checked. */
export function readChoice(
  query: URLSearchParams,
  env: NodeJS.ProcessEnv,
  appYml: AppYml,
  baseUrl: string,
): Omit<SetupView, "appYml" | "githubHost" | "webhookPath"> {
  const asked = query.has("organization") || query.has("webhook_url");
  const hook = appYml.manifest.hook_attributes as { url?: unknown } | undefined;
  const organization = (asked ? (query.get("organization") ?? "") : (env.GH_ORG ?? "")).trim().replace(/^@/, "");
  const webhookUrl = (
    asked ? (query.get("webhook_url") ?? "") : env.WEBHOOK_PROXY_URL || (typeof hook?.url === "string" ? hook.url : "")
  ).trim();
  const problems: string[] = [];
  const notes: string[] = [];
  if (organization !== "" && !ACCOUNT_NAME.test(organization)) {
    problems.push(`"${organization}" is not an organisation name: letters, digits and single hyphens, at most 39 characters.`);
  }
  const hookProblem = webhookUrlProblem(webhookUrl);
  if (hookProblem) problems.push(hookProblem);
  else if (webhookUrl.startsWith("http:"))
    notes.push("The webhook URL is plain http: deliveries and their signatures cross the network unencrypted. Prefer https.");
  const choice = { organization, webhookUrl };
  return {
    choice,
    review: asked && query.get("review") === "1" && problems.length === 0,
    // Before the first answer there is nothing to complain about yet.
    problems: asked ? problems : [],
    notes,
    manifest: buildManifest(appYml.manifest, baseUrl, webhookUrl),
    action: createAppUrl(env, organization),
  };
}

function list(items: string[], cls: string): string {
  return items.length === 0 ? "" : `<ul class="${cls}">${items.map((p) => `<li>${escapeHtml(p)}</li>`).join("")}</ul>\n`;
}

function askPage(view: SetupView): string {
  const { choice } = view;
  return `<p>Countersign is registered as a <strong>private</strong> GitHub App: only the account that owns it can install it. Register it under the organisation whose repositories it should gate.</p>
${list(view.problems, "problems")}<form action="/probot" method="get" id="choose">
<input type="hidden" name="review" value="1">
<p><label for="organization">Organisation that will own and install the app</label><br>
<input id="organization" name="organization" value="${escapeHtml(choice.organization)}" placeholder="acme" autocomplete="off" spellcheck="false"><br>
<small>Its login, as in https://${escapeHtml(view.githubHost)}/<em>acme</em>. You need to be an owner of it (or an app manager). Leave it empty to register the app under your personal account instead, where it can gate only your own repositories.</small></p>
<p><label for="webhook_url">Public webhook URL</label><br>
<input id="webhook_url" name="webhook_url" type="url" value="${escapeHtml(choice.webhookUrl)}" placeholder="https://countersign.example.com/api/github/webhooks" size="60" spellcheck="false"><br>
<small>Where GitHub will send events: your server's public https address followed by the webhook path, ${escapeHtml(view.webhookPath)}. GitHub refuses localhost. On a laptop, use a smee.io channel (this page fills it in when WEBHOOK_PROXY_URL is set). You can change it later in the app's settings on GitHub.</small></p>
<button type="submit" id="review">Review what will be registered</button>
</form>
`;
}

function reviewPage(view: SetupView): string {
  const { choice, manifest, appYml } = view;
  const permissions = Object.entries((manifest.default_permissions ?? {}) as Record<string, string>);
  const events = ((manifest.default_events ?? []) as string[]).map(String);
  const account = choice.organization
    ? `the organisation <strong>${escapeHtml(choice.organization)}</strong>`
    : "<strong>your personal account</strong> (whoever is signed in to GitHub in this browser)";
  const change = `/probot?${new URLSearchParams({ organization: choice.organization, webhook_url: choice.webhookUrl })}`;
  return `<p>GitHub will register a <strong>private</strong> app named <strong>${escapeHtml(String(manifest.name ?? "Countersign"))}</strong> owned by ${account}; only that account can install it.${
    choice.organization ? "" : " To gate an organisation's repositories, register it under the organisation instead."
  } <a href="${escapeHtml(change)}">Change</a></p>
<dl>
<dt>Registration page</dt><dd><code id="registration-url">${escapeHtml(view.action)}</code></dd>
<dt>Webhook URL</dt><dd><code id="webhook-url">${escapeHtml(choice.webhookUrl)}</code></dd>
<dt>Redirect back here</dt><dd><code>${escapeHtml(String(manifest.redirect_url ?? ""))}</code></dd>
</dl>
${list(view.notes, "notes")}<h2>Permissions</h2>
<table><thead><tr><th>Permission</th><th>Access</th><th>Why</th></tr></thead><tbody>
${permissions.map(([name, access]) => `<tr><td>${escapeHtml(name)}</td><td>${escapeHtml(String(access))}</td><td>${escapeHtml(appYml.reasons.permissions[name] ?? "")}</td></tr>`).join("\n")}
</tbody></table>
<h2>Events</h2>
<table><thead><tr><th>Event</th><th>Why</th></tr></thead><tbody>
${events.map((name) => `<tr><td>${escapeHtml(name)}</td><td>${escapeHtml(appYml.reasons.events[name] ?? "")}</td></tr>`).join("\n")}
</tbody></table>
<h2>Before you install it</h2>
<p>On installation Countersign evaluates every open pull request of the repositories you choose. With no policy at all it enforces its defaults (one approval from someone with maintain or admin permission on AI-assisted pull requests). To measure first without blocking anyone, commit the report-mode organisation policy (<code>mode: report</code> in <code>.github/countersign.yml</code> of the organisation's <code>.github</code> repository) <strong>before</strong> you install the app — see the README, "Roll it out".</p>
<form action="${escapeHtml(registrationUrl(view))}" method="post" id="register">
<input type="hidden" name="manifest" id="manifest" value="${escapeHtml(JSON.stringify(manifest))}">
<button type="submit" id="register-button">Register GitHub App${choice.organization ? ` for ${escapeHtml(choice.organization)}` : ""}</button>
</form>
<p>GitHub then sends you back here, and the app's id, private key and webhook secret are written to <code>.env</code>.</p>
`;
}

/** Where the Register form posts: the account's registration page, with the state GitHub sends back. */
function registrationUrl(view: SetupView): string {
  return view.state ? `${view.action}?${new URLSearchParams({ state: view.state })}` : view.action;
}

/** The cookie that ties GitHub's redirect back to the browser that was given the state. */
export const STATE_COOKIE = "countersign_setup_state";

/** GitHub gives the manifest flow an hour from the first step to the code exchange. */
const STATE_TTL_MS = 60 * 60 * 1000;

/**
 * The states the review page issued: each works once, within an hour, and only with the cookie
 * set beside it. Kept in memory: setup mode is one process, and a restart only means "start again".
 */
export class SetupStates {
  private readonly issued = new Map<string, number>();
  constructor(private readonly now: () => number = Date.now) {}

  issue(): string {
    const now = this.now();
    for (const [state, expires] of this.issued) if (expires <= now) this.issued.delete(state);
    // Bounded: a page reloaded many times cannot grow it without end (the oldest go first).
    while (this.issued.size >= 1_000) this.issued.delete(this.issued.keys().next().value as string);
    const state = randomBytes(24).toString("base64url");
    this.issued.set(state, now + STATE_TTL_MS);
    return state;
  }

  /** Why the redirect's state is refused, or undefined when it is good (it is then used up). */
  redeem(state: string | null, cookie: string | undefined): string | undefined {
    if (!state) return "GitHub's redirect carries no state";
    const expires = this.issued.get(state);
    if (expires === undefined) return "its state was not issued by this server, or was used already";
    if (expires <= this.now()) {
      this.issued.delete(state);
      return "its state is more than an hour old";
    }
    if (!cookie || !sameText(cookie, state)) return "it does not come back to the browser this server's setup page gave the state to";
    this.issued.delete(state);
    return undefined;
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** One cookie's value from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function setupPage(view: SetupView): string {
  const name = typeof view.manifest.name === "string" ? view.manifest.name : "Countersign";
  const description = typeof view.manifest.description === "string" ? view.manifest.description : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Set up ${escapeHtml(name)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:3rem auto;padding:0 1rem}button{font:inherit;padding:.5rem 1rem}input{font:inherit;padding:.25rem;max-width:100%}td,th{text-align:left;vertical-align:top;padding:.25rem .5rem;border-bottom:1px solid #ddd}.problems{color:#b00020}.notes{color:#8a5a00}small{color:#555}</style>
</head>
<body>
<h1>Set up ${escapeHtml(name)}</h1>
<p>${escapeHtml(description)}</p>
${view.review ? reviewPage(view) : askPage(view)}<p>Or register it by hand: docs/deployment.md, "Register the GitHub App".</p>
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

/** A value every .env reader takes verbatim: no quotes, spaces, `#`, `$` or line breaks. */
const PLAIN_VALUE = /^[A-Za-z0-9_.,:/@+=%~-]*$/;

/** A line `KEY=…` of .env (optionally `export KEY=…`); a quoted value may continue on the next lines. */
const ENV_LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;

/**
 * Set keys in .env, keeping every other line as it is. Values are written unquoted and must be
 * plain (PLAIN_VALUE): multi-line values are the caller's to encode (the private key: base64).
 */
export function updateEnvFile(cwd: string, values: Record<string, string>): void {
  for (const [key, value] of Object.entries(values)) {
    if (!PLAIN_VALUE.test(value)) throw new Error(`${key} cannot be written to .env unquoted: encode it first`);
  }
  const path = join(cwd, ".env");
  let lines: string[] = [];
  try {
    lines = readFileSync(path, "utf8").split(/\r?\n/);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  if (lines.at(-1) === "") lines.pop();
  const out: string[] = [];
  const written = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const match = ENV_LINE.exec(line);
    const key = match?.[1];
    if (!key || !(key in values)) {
      out.push(line);
      continue;
    }
    // Replace the key's line; an old double-quoted value spanning lines (a PEM) goes with it.
    if (/^"(?:[^"\\]|\\.)*$/.test((match?.[2] ?? "").trimEnd())) {
      while (i + 1 < lines.length) {
        i++;
        if (/(?:^|[^\\])"/.test(lines[i] ?? "")) break;
      }
    }
    if (!written.has(key)) out.push(`${key}=${values[key]}`);
    written.add(key);
  }
  for (const [key, value] of Object.entries(values)) if (!written.has(key)) out.push(`${key}=${value}`);
  writeFileSync(path, `${out.join("\n")}\n`, { mode: 0o600 });
}

/** A setup-mode request handler: true when it answered. */
export function setupHandler(options: SetupOptions) {
  const { log, env } = options;
  const appYmlFile = options.appYml ?? APP_YML;
  const states = options.states ?? new SetupStates();
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== "GET") return false;
    const url = new URL(req.url ?? "/", "http://setup.invalid");
    if (url.pathname === "/") {
      res.writeHead(302, { location: "/probot", "content-type": "text/plain" }).end("Found. Redirecting to /probot");
      return true;
    }
    if (url.pathname === "/probot") {
      const appYml = readAppYml(appYmlFile);
      const base = baseUrlOf(req);
      const choice = readChoice(url.searchParams, env, appYml, base);
      const state = choice.review ? states.issue() : undefined;
      const view: SetupView = {
        appYml,
        githubHost: env.GHE_HOST?.trim() || "github.com",
        webhookPath: options.webhookPath,
        ...choice,
        ...(state ? { state } : {}),
      };
      const secure = base.startsWith("https:") ? "; Secure" : "";
      res
        .writeHead(200, {
          // SameSite=Lax: sent on GitHub's top-level redirect back, not on another site's subrequests.
          ...(state ? { "set-cookie": `${STATE_COOKIE}=${state}; Path=/probot; Max-Age=3600; HttpOnly; SameSite=Lax${secure}` } : {}),
          "content-type": "text/html; charset=utf-8",
          "cache-control": "no-store",
          // No script on these pages; forms go only to this server and to GitHub.
          "content-security-policy": `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${new URL(view.action).origin}; base-uri 'none'; frame-ancestors 'none'`,
        })
        .end(setupPage(view));
      return true;
    }
    if (url.pathname === "/probot/setup") {
      const code = url.searchParams.get("code");
      if (!code) {
        res.writeHead(400, { "content-type": "text/plain" }).end("code missing or invalid");
        return true;
      }
      const refused = states.redeem(url.searchParams.get("state"), cookieValue(req.headers.cookie, STATE_COOKIE));
      if (refused) {
        log.warn(`setup: GitHub's redirect back was refused (${refused}); no credentials were written`);
        res
          .writeHead(403, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" })
          .end(
            `Refused: ${refused}, so no credentials were written to .env. Start again at /probot in this browser: the Register button works once, within an hour.\n`,
          );
        return true;
      }
      const octokit = new ProbotOctokit({
        ...(env.GHE_HOST ? { baseUrl: `${env.GHE_PROTOCOL || "https"}://${env.GHE_HOST}/api/v3` } : {}),
        ...(options.request ? { request: options.request } : {}),
      });
      const { data } = await octokit.request("POST /app-manifests/{code}/conversions", { code });
      updateEnvFile(options.cwd, {
        APP_ID: String(data.id),
        // Base64 on one line: .env readers that take values verbatim (docker --env-file, kubectl) cannot hold a multi-line PEM.
        PRIVATE_KEY: Buffer.from(data.pem, "utf8").toString("base64"),
        WEBHOOK_SECRET: data.webhook_secret ?? "",
        GITHUB_CLIENT_ID: data.client_id,
        GITHUB_CLIENT_SECRET: data.client_secret,
      });
      log.info(
        `GitHub App ${data.slug ?? data.id} registered; APP_ID, PRIVATE_KEY (base64) and WEBHOOK_SECRET are in .env. Restart the server to run it.`,
      );
      res
        .writeHead(302, { location: `${data.html_url}/installations/new`, "content-type": "text/plain" })
        .end(`Found. Redirecting to ${data.html_url}/installations/new`);
      return true;
    }
    return false;
  };
}
