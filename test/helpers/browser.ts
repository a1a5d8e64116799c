// A real headless Chromium (Debian's `chromium` package, driven by playwright-core over a pipe, so
// no port is opened) for the tests that look at a page as a person does: the setup page, the HTML
// report. `.ci/run` installs the package; on a machine without it, `startBrowser` says why and the
// tests skip with that message — except under CI, where a missing browser fails the run.
import { accessSync, constants } from "node:fs";
import { chromium, type Browser, type Page, type Request } from "playwright-core";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"];

/** The Chromium binary: CHROMIUM_BIN, or Debian's. */
export function chromiumPath(): string | undefined {
  const explicit = process.env.CHROMIUM_BIN;
  return (explicit ? [explicit] : CANDIDATES).find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export type BrowserStart = { ok: true; browser: Browser } | { ok: false; reason: string };

export async function startBrowser(): Promise<BrowserStart> {
  const executablePath = chromiumPath();
  if (!executablePath) {
    const reason = "no Chromium found (install Debian's `chromium` package, or set CHROMIUM_BIN)";
    if (process.env.CI) throw new Error(`${reason}; .ci/run installs it, so CI must have it`);
    return { ok: false, reason };
  }
  // --no-sandbox: CI runs as root, where Chromium refuses its own sandbox.
  const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  return { ok: true, browser };
}

/** What a page did while a test looked at it: every request it tried to send, every console error. */
export interface PageWatch {
  requests: string[];
  consoleErrors: string[];
  pageErrors: string[];
}

/**
 * A new page that records its requests and errors. Requests to `allow` (a predicate over the URL)
 * are let through; every other request is recorded and aborted, so nothing leaves the machine.
 */
export async function watchedPage(
  browser: Browser,
  allow: (url: string) => boolean = () => false,
): Promise<{ page: Page; watch: PageWatch }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const watch: PageWatch = { requests: [], consoleErrors: [], pageErrors: [] };
  page.on("console", (message) => {
    if (message.type() === "error") watch.consoleErrors.push(message.text());
  });
  page.on("pageerror", (err) => watch.pageErrors.push(err.message));
  await page.route("**/*", async (route) => {
    const request: Request = route.request();
    const url = request.url();
    if (url.startsWith("data:") || url.startsWith("about:")) return route.continue();
    watch.requests.push(`${request.method()} ${url}`);
    if (allow(url)) return route.continue();
    return route.abort("blockedbyclient");
  });
  return { page, watch };
}
