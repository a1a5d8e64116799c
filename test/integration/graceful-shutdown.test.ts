// SIGTERM during a delivery, against the real server as a child process (what `npm start` and the
// image run) and a slow fake GitHub on loopback (test/support/github/, every answer delayed):
// the delivery in flight is finished — its check written — before the process exits with 0.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GitHubSimulator } from "../support/github/index.js";
import { throwawayKey } from "../../bench/lib/app-process.js";
import { deliverSigned, type RawResponse } from "../helpers/raw-http.js";
import { ServerProcess } from "../helpers/server-process.js";

const SECRET = "shutdown-test-secret";
const APP_ID = 777;
const ORG = "acme";
const REPO = "shop";
const PR = 7;

let sim: GitHubSimulator | undefined;
let app: ServerProcess | undefined;
const dirs: string[] = [];

afterEach(async () => {
  await app?.kill();
  await sim?.stop();
  app = undefined;
  sim = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function startWorld(
  latencyMs: number,
  env: Record<string, string>,
): Promise<{ sim: GitHubSimulator; app: ServerProcess; headSha: string }> {
  sim = new GitHubSimulator({ appId: APP_ID, webhookSecret: SECRET, latencyMs });
  await sim.start();
  const model = sim.model;
  model.addRepo(ORG, REPO, { files: { ".github/countersign.yml": 'signoff:\n  reviewers: ["carol"]\n' } });
  model.setPermission(ORG, REPO, "carol", "write");
  const who = { name: "Alice", email: "alice@acme.example", login: "alice" };
  model.addPull(ORG, REPO, {
    number: PR,
    title: "Retry checkout calls",
    author: "alice",
    headRef: "feature/retry",
    files: [{ filename: "src/retry.ts", status: "added", additions: 10, deletions: 0, patch: "@@ -0,0 +1 @@\n+export const retry = 1;" }],
    commits: [{ message: "Add retry\n\nCo-authored-by: Claude <noreply@anthropic.com>", author: who, committer: who }],
  });
  const headSha = model.mustPull(ORG, REPO, PR).pull.headSha;
  const dir = mkdtempSync(join(tmpdir(), "countersign-shutdown-"));
  dirs.push(dir);
  app = new ServerProcess(dir, {
    NODE_ENV: "production",
    APP_ID: String(APP_ID),
    PRIVATE_KEY: throwawayKey(),
    WEBHOOK_SECRET: SECRET,
    GHE_HOST: `127.0.0.1:${sim.port}`,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: "info",
    ...env,
  });
  await app.start();
  return { sim, app, headSha };
}

function deliver(port: number, event: string, payload: object): Promise<RawResponse> {
  return deliverSigned(port, SECRET, event, payload);
}

describe("graceful shutdown of the real server", () => {
  it("on SIGTERM finishes the evaluation in flight, writes its check, and exits 0", async () => {
    // Every answer takes 300 ms: the evaluation (a dozen calls) is still running when SIGTERM arrives.
    const world = await startWorld(300, { SHUTDOWN_GRACE_SECONDS: "25" });
    const mark = world.sim.mark();
    const answered = deliver(world.app.port, "pull_request", world.sim.payloads.pullRequest("opened", ORG, REPO, PR));
    const first = await world.sim.waitForRequest((e) => e.seq > mark && e.route !== "unknown", 20_000);
    expect(first, "the app never called GitHub").toBeDefined();
    expect(world.sim.model.latestCheckRun(ORG, REPO, world.headSha, "Countersign")).toBeUndefined();

    const exit = world.app.stop("SIGTERM", 40_000);
    const response = await answered;
    expect(response.status).toBe(200);
    expect(await exit).toEqual({ code: 0, signal: null });

    const check = world.sim.model.latestCheckRun(ORG, REPO, world.headSha, "Countersign");
    expect(check, "the check of the delivery in flight was not written").toBeDefined();
    expect(check!.output.title).toMatch(/sign-off|Waiting|waiting/i);
    const logs = world.app.logs;
    const shuttingDown = logs.findIndex((l) => l.msg?.startsWith("shutting down"));
    const evaluated = logs.findIndex((l) => l.msg === "evaluated pull request");
    const stopped = logs.find((l) => l.msg === "stopped");
    expect(shuttingDown).toBeGreaterThanOrEqual(0);
    expect(logs[shuttingDown]!.inFlight).toBeGreaterThan(0);
    expect(evaluated).toBeGreaterThan(shuttingDown);
    expect(stopped).toMatchObject({ finished: true, abandoned: 0 });

    // The JSON log: every key once per line (a duplicate would vanish on re-serialising), the
    // /ping probes of start-up below info, the delivery at info without its headers.
    for (const line of world.app.lines) expect(JSON.stringify(JSON.parse(line)), line).toBe(line);
    expect(logs.filter((l) => l.msg?.startsWith("GET /ping"))).toEqual([]);
    const access = logs.find((l) => l.msg?.startsWith("POST /api/github/webhooks 200"));
    expect(access).toMatchObject({ level: 30, name: "http", req: { method: "POST", url: "/api/github/webhooks", event: "pull_request" } });
    expect((access!.req as Record<string, unknown>).headers).toBeUndefined();
  }, 120_000);

  it("gives up after the grace period when GitHub does not answer, and still exits 0", async () => {
    const world = await startWorld(60_000, { SHUTDOWN_GRACE_SECONDS: "1", REQUEST_TIMEOUT_SECONDS: "120" });
    const mark = world.sim.mark();
    void deliver(world.app.port, "pull_request", world.sim.payloads.pullRequest("opened", ORG, REPO, PR)).catch(() => undefined);
    expect(await world.sim.waitForRequest((e) => e.seq > mark, 20_000)).toBeDefined();
    // Bounded: it exits on its own (a SIGKILL after 30 s would show as the signal), without the 60 s answer.
    expect(await world.app.stop("SIGTERM", 30_000)).toEqual({ code: 0, signal: null });
    const stopped = world.app.logs.find((l) => l.msg === "stopped");
    expect(stopped).toMatchObject({ finished: false });
    // The delivery's request and the handler it started, both still waiting for GitHub.
    expect(stopped!.abandoned).toBeGreaterThan(0);
  }, 120_000);
});
