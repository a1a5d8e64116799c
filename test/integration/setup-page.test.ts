// The setup pages as a person uses them: the real server started with no credentials; a real
// headless Chromium types an organisation and a webhook URL, reviews, clicks "Register GitHub App",
// and the request it would send to GitHub is caught (aborted: it never leaves the machine) and
// compared with app.yml. The pages are also parsed with a real HTML parser (parse5, the WHATWG
// algorithm browsers implement) for any characters in app.yml. And the .env the flow writes is read
// the way `docker run --env-file` / kubectl read it (KEY=VALUE verbatim) and the way node does.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import nock from "nock";
import { parse, type DefaultTreeAdapterMap } from "parse5";
import { parse as parseYaml } from "yaml";
import { pino } from "pino";
import type { Browser } from "playwright-core";
import { createAppUrl, readAppYml, readChoice, SetupStates, setupPage, updateEnvFile, webhookUrlProblem } from "../../src/server/setup.js";
import { readServerConfig } from "../../src/server/config.js";
import { startServer, type AppServer } from "../../src/server/http.js";
import { rawGet } from "../helpers/raw-http.js";
import { ServerProcess } from "../helpers/server-process.js";
import { startBrowser, watchedPage } from "../helpers/browser.js";

type Node = DefaultTreeAdapterMap["node"];
type Element = DefaultTreeAdapterMap["element"];

const ROOT = join(import.meta.dirname, "..", "..");
const appYml = () => parseYaml(readFileSync(join(ROOT, "app.yml"), "utf8")) as Record<string, unknown>;
const HOOK = "https://countersign.acme.example/api/github/webhooks";

function elements(node: Node, tag: string, out: Element[] = []): Element[] {
  if ("tagName" in node && node.tagName === tag) out.push(node);
  for (const child of "childNodes" in node ? node.childNodes : []) elements(child as Node, tag, out);
  if ("content" in node && node.content) elements(node.content as Node, tag, out);
  return out;
}

const attr = (el: Element, name: string) => el.attrs.find((a) => a.name === name)?.value;

/** What a browser posts when a form is submitted: every named field, values decoded. */
function submittedForms(
  html: string,
): Array<{ id: string | undefined; action: string | undefined; method: string | undefined; fields: Record<string, string> }> {
  return elements(parse(html), "form").map((form) => {
    const fields: Record<string, string> = {};
    for (const tag of ["input", "button", "textarea"]) {
      for (const el of elements(form, tag)) {
        const name = attr(el, "name");
        if (name !== undefined) fields[name] = attr(el, "value") ?? "";
      }
    }
    return { id: attr(form, "id"), action: attr(form, "action"), method: attr(form, "method"), fields };
  });
}

function registerForm(html: string) {
  const form = submittedForms(html).find((f) => f.id === "register");
  expect(form, "the page has the Register form").toBeDefined();
  return form!;
}

function expectManifestIsAppYml(manifest: Record<string, unknown>, yml: Record<string, unknown>, base: string, hook: string) {
  for (const key of ["name", "url", "description", "default_permissions", "default_events", "public"]) {
    expect(manifest[key], key).toEqual(yml[key]);
  }
  // The webhook URL chosen on the page; the redirect back to the server the browser used.
  expect(manifest.hook_attributes).toEqual({ ...(yml.hook_attributes as object | undefined), url: hook });
  expect(manifest.redirect_url).toBe(yml.redirect_url ?? `${base}/probot/setup`);
  // Nothing more than app.yml and those two.
  expect(Object.keys(manifest).sort()).toEqual([...new Set([...Object.keys(yml), "hook_attributes", "redirect_url", "public"])].sort());
}

/** `docker run --env-file` (and `kubectl create secret --from-env-file`): KEY=VALUE per line, the value verbatim, no quote removal. */
function dockerEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.replace(/^\s+/, "");
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq < 0) throw new Error(`docker would read "${line}" as a variable taken from the host`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

describe("the setup page of the real server (no credentials, a child process)", () => {
  const dir = mkdtempSync(join(tmpdir(), "countersign-setup-"));
  const server = new ServerProcess(dir, { NO_SMEE_SETUP: "true", LOG_LEVEL: "info" });

  beforeAll(() => server.start(), 90_000);
  afterAll(async () => {
    await server.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it("redirects / to the setup page, as the README's first step says", async () => {
    const res = await rawGet(server.port, "/");
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/probot");
  });

  it("asks which organisation and which public webhook URL, and states that the app is private", async () => {
    const res = await rawGet(server.port, "/probot");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    const forms = submittedForms(res.body);
    expect(forms.map((f) => [f.id, f.action, f.method])).toEqual([["choose", "/probot", "get"]]);
    // Empty organisation: the personal account; no smee channel here, so no webhook URL to offer.
    expect(forms[0]?.fields).toEqual({ review: "1", organization: "", webhook_url: "" });
    expect(res.body).toMatch(/private/);
    expect(res.body).toMatch(/GitHub refuses localhost/);
  });

  it("reviews the choice and posts exactly app.yml to that organisation's registration page", async () => {
    const query = new URLSearchParams({ review: "1", organization: "acme-corp", webhook_url: HOOK });
    const res = await rawGet(server.port, `/probot?${query}`);
    const form = registerForm(res.body);
    const action = new URL(form.action ?? "");
    expect(`${action.origin}${action.pathname}`).toBe("https://github.com/organizations/acme-corp/settings/apps/new");
    // The state GitHub sends back with the code is the one this browser gets as a cookie.
    const state = action.searchParams.get("state") ?? "";
    expect(state).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(res.headers["set-cookie"]).toMatch(
      new RegExp(`^countersign_setup_state=${state}; Path=/probot; Max-Age=3600; HttpOnly; SameSite=Lax$`),
    );
    expect(form.method).toBe("post");
    const manifest = JSON.parse(form.fields.manifest ?? "") as Record<string, unknown>;
    const yml = appYml();
    expect(String(yml.description)).toContain("engineer's");
    expectManifestIsAppYml(manifest, yml, `http://127.0.0.1:${server.port}`, HOOK);
    // It says what will be registered: the account, each permission with its reason, each event.
    expect(res.body).toContain("the organisation <strong>acme-corp</strong>");
    for (const permission of Object.keys(yml.default_permissions as object)) expect(res.body).toContain(`<td>${permission}</td>`);
    for (const event of yml.default_events as string[]) expect(res.body).toContain(`<td>${event}</td>`);
    expect(res.body).toMatch(/<td>members<\/td><td>read<\/td><td>Organization permission: GET \/orgs/);
  });

  it("refuses a webhook URL on this machine, which GitHub would refuse, and offers no Register button", async () => {
    const query = new URLSearchParams({ review: "1", organization: "acme-corp", webhook_url: "http://localhost:3000/api/github/webhooks" });
    const res = await rawGet(server.port, `/probot?${query}`);
    expect(submittedForms(res.body).map((f) => f.id)).toEqual(["choose"]);
    expect(res.body).toMatch(/localhost:3000 is this machine: GitHub cannot deliver there/);
  });

  it("says where to go in its log, and serves /ping and the schema while in setup mode", async () => {
    expect(server.logs.some((l) => /setup mode: .*Open http:\/\/127\.0\.0\.1:\d+ to register/.test(l.msg ?? ""))).toBe(true);
    expect((await rawGet(server.port, "/ping")).body).toBe("PONG");
    const schema = await rawGet(server.port, "/schema/countersign.schema.json");
    expect(schema.status).toBe(200);
    expect(schema.headers["content-type"]).toMatch(/^application\/schema\+json/);
    // The same bytes as the committed schema/countersign.schema.json.
    expect(schema.body).toBe(readFileSync(join(ROOT, "schema", "countersign.schema.json"), "utf8"));
  });

  it("stops on SIGINT (Ctrl-C) with exit status 0", async () => {
    expect(await server.stop("SIGINT", 20_000)).toEqual({ code: 0, signal: null });
    expect(server.logs.find((l) => l.msg === "stopped")).toMatchObject({ finished: true });
  });
});

describe("the manifest survives any characters in app.yml and in the fields", () => {
  const dir = mkdtempSync(join(tmpdir(), "countersign-appyml-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ["quotes and markup", `It's "quoted" & <b>bold</b></form><script>alert('x')</script> '>`],
    ["entities as text", "&amp; &#39; &lt;form&gt; \\u0027"],
    ["unicode and new lines", "Sign-off — “senior” ✓ 👀\nsecond line\ttab"],
  ])("%s", (_label, description) => {
    const file = join(dir, "app.yml");
    const yml = { ...appYml(), description };
    writeFileSync(file, JSON.stringify(yml)); // JSON is YAML
    const base = "http://localhost:3000";
    const hook = `https://hooks.example/x?a=1&b='"<>`;
    const parsed = readAppYml(file);
    const query = new URLSearchParams({ review: "1", organization: "acme", webhook_url: hook });
    const html = setupPage({
      appYml: parsed,
      githubHost: "github.com",
      webhookPath: "/api/github/webhooks",
      ...readChoice(query, {}, parsed, base),
    });
    const manifest = JSON.parse(registerForm(html).fields.manifest ?? "") as Record<string, unknown>;
    expect(manifest.description).toBe(description);
    expectManifestIsAppYml(manifest, yml, base, hook);
  });

  it("escapes what a visitor types into the fields on the page that asks again", () => {
    const parsed = readAppYml(APP_YML_PATH);
    const evil = `"><script>alert(1)</script>`;
    const query = new URLSearchParams({ organization: evil, webhook_url: evil });
    const html = setupPage({
      appYml: parsed,
      githubHost: "github.com",
      webhookPath: "/api/github/webhooks",
      ...readChoice(query, {}, parsed, "http://x"),
    });
    expect(elements(parse(html), "script")).toEqual([]);
    expect(submittedForms(html)[0]?.fields).toMatchObject({ organization: evil, webhook_url: evil });
    expect(html).toMatch(/is not an organisation name/);
  });
});

const APP_YML_PATH = join(ROOT, "app.yml");

describe("where the manifest is posted, and which webhook URLs are refused", () => {
  it.each([
    [{}, "", "https://github.com/settings/apps/new"],
    [{}, "acme", "https://github.com/organizations/acme/settings/apps/new"],
    [{ GHE_HOST: "ghe.acme.example" }, "acme", "https://ghe.acme.example/organizations/acme/settings/apps/new"],
    [{ GHE_HOST: "ghe.acme.example", GHE_PROTOCOL: "http" }, "", "http://ghe.acme.example/settings/apps/new"],
  ] as const)("%o, organisation %j", (env, org, url) => {
    expect(createAppUrl(env, org)).toBe(url);
  });

  it.each([
    "http://localhost:3000/api/github/webhooks",
    "http://127.0.0.1/x",
    "http://[::1]:3000/",
    "https://app.localhost/x",
    "",
    "not a url",
    "ftp://x.example/",
  ])("refuses %j", (url) => {
    expect(webhookUrlProblem(url)).toBeDefined();
  });

  it.each([HOOK, "https://smee.io/abcDEF123", "http://countersign.internal.acme.example:8080/api/github/webhooks"])("accepts %j", (url) => {
    expect(webhookUrlProblem(url)).toBeUndefined();
  });

  it("prefills the webhook URL from WEBHOOK_PROXY_URL and the organisation from GH_ORG", () => {
    const parsed = readAppYml(APP_YML_PATH);
    const view = readChoice(new URLSearchParams(), { WEBHOOK_PROXY_URL: "https://smee.io/abc", GH_ORG: "acme" }, parsed, "http://x");
    expect(view.choice).toEqual({ organization: "acme", webhookUrl: "https://smee.io/abc" });
    expect(view.review).toBe(false);
    expect(view.problems).toEqual([]);
  });
});

describe("registering in a real browser (headless Chromium)", () => {
  const dir = mkdtempSync(join(tmpdir(), "countersign-setup-browser-"));
  let server: AppServer | undefined;
  let browser: Browser | undefined;
  let noBrowser = "";
  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = { NO_SMEE_SETUP: "true", HOST: "127.0.0.1", PORT: "0" };
    server = await startServer(readServerConfig(env, dir), pino({ level: "silent" }), { env, cwd: dir });
    const started = await startBrowser();
    if (started.ok) browser = started.browser;
    else noBrowser = started.reason;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.shutdown("test");
    rmSync(dir, { recursive: true, force: true });
  });

  it("types an organisation and a webhook URL, reviews, registers: the POST goes to the organisation's page with app.yml", async (ctx) => {
    if (!browser) return ctx.skip(noBrowser);
    const base = `http://127.0.0.1:${server!.port}`;
    const { page, watch } = await watchedPage(browser, (url) => url.startsWith(`${base}/`));
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe("/probot");
    await page.getByLabel("Organisation that will own and install the app").fill("acme-corp");
    await page.getByLabel("Public webhook URL").fill(HOOK);
    await page.getByRole("button", { name: "Review what will be registered" }).click();
    await page.waitForURL(/review=1/);
    expect(await page.locator("#registration-url").textContent()).toBe("https://github.com/organizations/acme-corp/settings/apps/new");
    const request = page.waitForRequest((r) => r.url().startsWith("https://github.com/"));
    await page.getByRole("button", { name: "Register GitHub App for acme-corp" }).click();
    const sent = await request;
    expect(sent.method()).toBe("POST");
    const posted = new URL(sent.url());
    expect(`${posted.origin}${posted.pathname}`).toBe("https://github.com/organizations/acme-corp/settings/apps/new");
    // The state in the URL is the one the browser holds as a cookie for GitHub's redirect back.
    const cookie = (await page.context().cookies(`${base}/probot/setup`)).find((c) => c.name === "countersign_setup_state");
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect([...posted.searchParams]).toEqual([["state", cookie?.value]]);
    const form = new URLSearchParams(sent.postData() ?? "");
    expect([...form.keys()]).toEqual(["manifest"]);
    const manifest = JSON.parse(form.get("manifest") ?? "") as Record<string, unknown>;
    expectManifestIsAppYml(manifest, appYml(), base, HOOK);
    expect(manifest.public).toBe(false);
    // Nothing left the machine: the request to GitHub was the only one outside the server, and it was aborted.
    expect(watch.requests.filter((r) => !r.includes(`${base}/`))).toEqual([`POST ${sent.url()}`]);
    expect(watch.pageErrors).toEqual([]);
  });

  it("with the organisation left empty, registers under the personal account and says so", async (ctx) => {
    if (!browser) return ctx.skip(noBrowser);
    const base = `http://127.0.0.1:${server!.port}`;
    const { page } = await watchedPage(browser, (url) => url.startsWith(`${base}/`));
    await page.goto(`${base}/probot`);
    await page.getByLabel("Public webhook URL").fill(HOOK);
    await page.getByRole("button", { name: "Review what will be registered" }).click();
    await page.waitForURL(/review=1/);
    expect(await page.textContent("body")).toContain("your personal account");
    const request = page.waitForRequest((r) => r.url().startsWith("https://github.com/"));
    await page.getByRole("button", { name: "Register GitHub App" }).click();
    expect((await request).url()).toMatch(/^https:\/\/github\.com\/settings\/apps\/new\?state=[A-Za-z0-9_-]{32}$/);
  });

  it("shows why a localhost webhook URL cannot be registered", async (ctx) => {
    if (!browser) return ctx.skip(noBrowser);
    const base = `http://127.0.0.1:${server!.port}`;
    const { page } = await watchedPage(browser, (url) => url.startsWith(`${base}/`));
    await page.goto(`${base}/probot`);
    await page.getByLabel("Public webhook URL").fill("http://localhost:3000/api/github/webhooks");
    await page.getByRole("button", { name: "Review what will be registered" }).click();
    await page.waitForURL(/review=1/);
    expect(await page.locator(".problems").textContent()).toMatch(/GitHub cannot deliver there/);
    expect(await page.getByRole("button", { name: /Register GitHub App/ }).count()).toBe(0);
  });
});

describe("GitHub's redirect back (/probot/setup)", () => {
  const dir = mkdtempSync(join(tmpdir(), "countersign-setup-env-"));
  const env: NodeJS.ProcessEnv = { NO_SMEE_SETUP: "true", HOST: "127.0.0.1", PORT: "0" };
  let server: AppServer | undefined;
  beforeAll(async () => {
    server = await startServer(readServerConfig(env, dir), pino({ level: "silent" }), { env, cwd: dir });
  });
  afterAll(async () => {
    await server?.shutdown("test");
    rmSync(dir, { recursive: true, force: true });
  });

  /** What a browser holds after the review page: the state in the Register form's URL, and the cookie beside it. */
  async function reviewed(): Promise<{ state: string; cookie: string }> {
    const query = new URLSearchParams({ review: "1", organization: "acme-corp", webhook_url: HOOK });
    const res = await rawGet(server!.port, `/probot?${query}`);
    const state = new URL(registerForm(res.body).action ?? "").searchParams.get("state") ?? "";
    const cookie = (res.headers["set-cookie"] ?? "").split(";")[0] ?? "";
    expect(cookie).toBe(`countersign_setup_state=${state}`);
    return { state, cookie };
  }

  const conversion = (code: string) =>
    nock("https://api.github.com").post(`/app-manifests/${code}/conversions`).reply(201, {
      id: 424242,
      slug: "countersign-acme",
      html_url: "https://github.com/apps/countersign-acme",
      pem: PEM,
      webhook_secret: "s3cret",
      client_id: "Iv1.abc",
      client_secret: "shh",
    });
  const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEfake\nline2\n-----END RSA PRIVATE KEY-----\n";
  const envFile = join(dir, ".env");

  it("exchanges the code for the app's credentials and writes them to .env", async () => {
    expect(server!.setupMode).toBe(true);
    const { state, cookie } = await reviewed();
    conversion("the-code");
    const res = await rawGet(server!.port, `/probot/setup?code=the-code&state=${state}`, { cookie });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("https://github.com/apps/countersign-acme/installations/new");
    const text = readFileSync(envFile, "utf8");
    const docker = dockerEnvFile(text);
    const node = parseEnv(text);
    // Both readers see the same values: nothing quoted, one line each.
    expect(docker).toEqual(node);
    expect(docker).toMatchObject({ APP_ID: "424242", WEBHOOK_SECRET: "s3cret", GITHUB_CLIENT_ID: "Iv1.abc", GITHUB_CLIENT_SECRET: "shh" });
    expect(Buffer.from(docker.PRIVATE_KEY ?? "", "base64").toString("utf8")).toBe(PEM);
    // The server starts from either: readServerConfig gets the app's id and the PEM back.
    for (const env of [docker, node]) {
      const next = readServerConfig({ ...env, NO_SMEE_SETUP: "true" }, dir);
      expect(next.appId).toBe(424242);
      expect(next.privateKey).toBe(PEM);
    }
  });

  it("refuses a redirect without a code", async () => {
    expect((await rawGet(server!.port, "/probot/setup")).status).toBe(400);
  });

  // A link someone else prepared — their own app's code — must not plant their credentials in this .env.
  // Each is refused before the code is exchanged: no conversion is mocked, so an exchange would fail the test.
  it("refuses a code whose state this server did not give this browser, and writes nothing", async () => {
    rmSync(envFile, { force: true });
    const { state, cookie } = await reviewed();
    const other = await reviewed();
    const attempts: Array<[string, Record<string, string>]> = [
      ["/probot/setup?code=planted", {}],
      [`/probot/setup?code=planted&state=${state}`, {}],
      ["/probot/setup?code=planted&state=made-up", { cookie: "countersign_setup_state=made-up" }],
      // A state this server issued, but to another browser.
      [`/probot/setup?code=planted&state=${other.state}`, { cookie }],
    ];
    for (const [path, headers] of attempts) {
      const res = await rawGet(server!.port, path, headers);
      expect(res.status, path).toBe(403);
      expect(res.body).toMatch(/^Refused: .*no credentials were written to \.env\. Start again at \/probot/);
    }
    expect(() => readFileSync(envFile, "utf8")).toThrow(/ENOENT/);
  });

  it("takes a state once: the same redirect replayed is refused", async () => {
    const { state, cookie } = await reviewed();
    conversion("first");
    expect((await rawGet(server!.port, `/probot/setup?code=first&state=${state}`, { cookie })).status).toBe(302);
    const again = await rawGet(server!.port, `/probot/setup?code=second&state=${state}`, { cookie });
    expect(again.status).toBe(403);
    expect(again.body).toMatch(/used already/);
  });
});

describe("SetupStates", () => {
  it("refuses a state after an hour, GitHub's limit for the whole flow", () => {
    let now = 0;
    const states = new SetupStates(() => now);
    const state = states.issue();
    now = 60 * 60 * 1000;
    expect(states.redeem(state, state)).toMatch(/more than an hour old/);
    const fresh = states.issue();
    now += 60 * 60 * 1000 - 1;
    expect(states.redeem(fresh, state)).toMatch(/browser/);
    expect(states.redeem(fresh, fresh)).toBeUndefined();
  });
});

describe("updateEnvFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "countersign-envfile-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("replaces its keys (an old quoted multi-line key included) and keeps every other line as it was", () => {
    writeFileSync(
      join(dir, ".env"),
      [
        "# mine",
        "LOG_LEVEL=debug",
        'PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----',
        "MIIE",
        '-----END RSA PRIVATE KEY-----"',
        "APP_ID=1",
        "",
      ].join("\n"),
    );
    updateEnvFile(dir, { APP_ID: "2", PRIVATE_KEY: "QUJD", WEBHOOK_PROXY_URL: "https://smee.io/x" });
    expect(readFileSync(join(dir, ".env"), "utf8")).toBe(
      ["# mine", "LOG_LEVEL=debug", "PRIVATE_KEY=QUJD", "APP_ID=2", "WEBHOOK_PROXY_URL=https://smee.io/x", ""].join("\n"),
    );
  });

  it("refuses a value that a verbatim reader would take differently", () => {
    expect(() => updateEnvFile(dir, { X: "a b" })).toThrow(/cannot be written to .env unquoted/);
    expect(() => updateEnvFile(dir, { X: '"q"' })).toThrow(/unquoted/);
  });
});
