// The setup page as a browser sees it: the real server started with no credentials, its page
// parsed with a real HTML parser (parse5, the WHATWG algorithm browsers implement: attribute
// values have their entities decoded), and the manifest field the form would post compared with
// app.yml. Probot's own page put the manifest into value='…' unescaped, so the apostrophe in
// app.yml's description cut the manifest short.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import nock from "nock";
import { parse, type DefaultTreeAdapterMap } from "parse5";
import { parse as parseYaml } from "yaml";
import { pino } from "pino";
import { buildManifest, setupPage } from "../../src/server/setup.js";
import { readServerConfig } from "../../src/server/config.js";
import { startServer, type AppServer } from "../../src/server/http.js";
import { rawGet } from "../helpers/raw-http.js";
import { ServerProcess } from "../helpers/server-process.js";

type Node = DefaultTreeAdapterMap["node"];
type Element = DefaultTreeAdapterMap["element"];

const ROOT = join(import.meta.dirname, "..", "..");
const appYml = () => parseYaml(readFileSync(join(ROOT, "app.yml"), "utf8")) as Record<string, unknown>;

function elements(node: Node, tag: string, out: Element[] = []): Element[] {
  if ("tagName" in node && node.tagName === tag) out.push(node);
  for (const child of "childNodes" in node ? node.childNodes : []) elements(child as Node, tag, out);
  if ("content" in node && node.content) elements(node.content as Node, tag, out);
  return out;
}

const attr = (el: Element, name: string) => el.attrs.find((a) => a.name === name)?.value;

/** What a browser posts when the form is submitted: every named field, values decoded. */
function submittedForm(html: string): { action: string | undefined; method: string | undefined; fields: Record<string, string> } {
  const forms = elements(parse(html), "form");
  expect(forms).toHaveLength(1);
  const form = forms[0]!;
  const fields: Record<string, string> = {};
  for (const tag of ["input", "button", "textarea"]) {
    for (const el of elements(form, tag)) {
      const name = attr(el, "name");
      if (name !== undefined) fields[name] = attr(el, "value") ?? "";
    }
  }
  return { action: attr(form, "action"), method: attr(form, "method"), fields };
}

function expectManifestIsAppYml(manifest: Record<string, unknown>, yml: Record<string, unknown>, base: string) {
  for (const key of ["name", "url", "description", "default_permissions", "default_events", "public"]) {
    expect(manifest[key], key).toEqual(yml[key]);
  }
  // app.yml leaves these to the server, which knows its own address.
  expect(manifest.hook_attributes).toEqual(yml.hook_attributes ?? { url: `${base}/api/github/webhooks` });
  expect(manifest.redirect_url).toBe(yml.redirect_url ?? `${base}/probot/setup`);
  // Nothing more than app.yml and those two.
  expect(Object.keys(manifest).sort()).toEqual([...new Set([...Object.keys(yml), "hook_attributes", "redirect_url", "public"])].sort());
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

  it("posts exactly app.yml to GitHub's app registration, apostrophe included", async () => {
    const res = await rawGet(server.port, "/probot");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    const form = submittedForm(res.body);
    expect(form.action).toBe("https://github.com/settings/apps/new");
    expect(form.method).toBe("post");
    const manifest = JSON.parse(form.fields.manifest ?? "") as Record<string, unknown>;
    const yml = appYml();
    expect(String(yml.description)).toContain("engineer's");
    expectManifestIsAppYml(manifest, yml, `http://127.0.0.1:${server.port}`);
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

describe("the manifest survives any characters in app.yml", () => {
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
    const html = setupPage(buildManifest(file, base, {}, "/api/github/webhooks"), "https://github.com/settings/apps/new");
    const form = submittedForm(html);
    const manifest = JSON.parse(form.fields.manifest ?? "") as Record<string, unknown>;
    expect(manifest.description).toBe(description);
    expectManifestIsAppYml(manifest, yml, base);
  });
});

describe("GitHub's redirect back (/probot/setup)", () => {
  const dir = mkdtempSync(join(tmpdir(), "countersign-setup-env-"));
  let server: AppServer | undefined;
  afterAll(async () => {
    await server?.shutdown("test");
    rmSync(dir, { recursive: true, force: true });
  });

  it("exchanges the code for the app's credentials and writes them to .env", async () => {
    const env: NodeJS.ProcessEnv = { NO_SMEE_SETUP: "true", HOST: "127.0.0.1", PORT: "0" };
    const config = readServerConfig(env, dir);
    server = await startServer(config, pino({ level: "silent" }), { env, cwd: dir });
    expect(server.setupMode).toBe(true);
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEfake\nline2\n-----END RSA PRIVATE KEY-----\n";
    nock("https://api.github.com").post("/app-manifests/the-code/conversions").reply(201, {
      id: 424242,
      slug: "countersign-acme",
      html_url: "https://github.com/apps/countersign-acme",
      pem,
      webhook_secret: "s3cret",
      client_id: "Iv1.abc",
      client_secret: "shh",
    });
    const res = await rawGet(server.port, "/probot/setup?code=the-code");
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("https://github.com/apps/countersign-acme/installations/new");
    const written = parseEnv(readFileSync(join(dir, ".env"), "utf8"));
    expect(written).toMatchObject({
      APP_ID: "424242",
      PRIVATE_KEY: pem,
      WEBHOOK_SECRET: "s3cret",
      GITHUB_CLIENT_ID: "Iv1.abc",
      GITHUB_CLIENT_SECRET: "shh",
    });
    // Only the app's id and key make it start the app next time: readServerConfig reads them back.
    const next = readServerConfig({ ...written, NO_SMEE_SETUP: "true" }, dir);
    expect(next.appId).toBe(424242);
    expect(next.privateKey).toBe(pem);
  });

  it("refuses a redirect without a code", async () => {
    expect((await rawGet(server!.port, "/probot/setup")).status).toBe(400);
  });
});
