// An installation sweep under a rate limit, through the real server in-process against the loopback
// simulator, which enforces the limit (403 "API rate limit exceeded" when spent) and tells it in the
// x-ratelimit-* headers: 20 open PRs in 4 repositories need more requests than one window holds, so
// the sweep must wait for the reset. It never causes a 403, it leaves the reserve to live events, and
// a live event that arrives during the sweep is evaluated before the sweep ends.
import nock from "nock";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createServices } from "../../src/handlers/services.js";
import { readServerConfig } from "../../src/server/config.js";
import { startServer, type AppServer } from "../../src/server/http.js";
import { UnthrottledOctokit, testKey } from "../helpers/github.js";
import { GitHubSimulator } from "../support/github/index.js";
import { until } from "../helpers/poll.js";

const key = testKey();
const SECRET = "sweep-secret";
const ORG = "acme";
const REPOS = ["r1", "r2", "r3", "r4"];
const LIMIT = 100;

let server: AppServer | undefined;
let sim: GitHubSimulator | undefined;
afterEach(async () => {
  await server?.shutdown("test");
  await sim?.stop();
  server = undefined;
  sim = undefined;
  // Loopback only (the app and the simulator); nock is back for the other tests.
  nock.activate();
  nock.disableNetConnect();
});

describe("an installation sweep under the rate limit", () => {
  it("waits for the window to reset instead of running into a 403, and a live event is evaluated meanwhile", async () => {
    // Real HTTP on loopback: nock (which would intercept fetch) is off for this test.
    nock.restore();
    // A window long enough that it resets only once the sweep has spent its share of it.
    sim = new GitHubSimulator({ appId: 777, webhookSecret: SECRET, latencyMs: 1, rateLimit: { limit: LIMIT, windowMs: 15_000 } });
    await sim.start();
    const who = { name: "Alice", email: "alice@acme.example", login: "alice" };
    const commit = { message: "Change\n\nCo-authored-by: Claude <noreply@anthropic.com>", author: who, committer: who };
    const file = { filename: "src/a.ts", status: "added" as const, additions: 1, deletions: 0, patch: "@@ -0,0 +1 @@\n+x" };
    for (const repo of [...REPOS, "live"]) {
      sim.model.addRepo(ORG, repo, {});
      for (let n = 1; n <= (repo === "live" ? 1 : 5); n++) {
        sim.model.addPull(ORG, repo, {
          number: n,
          title: `Change ${n}`,
          author: "alice",
          headRef: `f/${n}`,
          files: [file],
          commits: [commit],
        });
      }
    }
    const env = {
      APP_ID: "777",
      PRIVATE_KEY: key,
      WEBHOOK_SECRET: SECRET,
      HOST: "127.0.0.1",
      PORT: "0",
      GHE_HOST: sim.host,
      GHE_PROTOCOL: "http",
      RETRY_ATTEMPTS: "0",
      WRITE_SPACING_MS: "0",
      RECONCILE_ON_START: "false",
    };
    server = await startServer(readServerConfig(env, "/"), pino({ level: "silent" }), {
      env,
      services: createServices(env),
      probot: { Octokit: UnthrottledOctokit as never },
    });
    sim.webhookUrl = `http://127.0.0.1:${server.port}/api/github/webhooks`;
    const head = (repo: string, n: number) => sim!.model.mustPull(ORG, repo, n).pull.headSha;
    const checked = (repo: string, n: number) => sim!.model.latestCheckRun(ORG, repo, head(repo, n), "Countersign") !== undefined;
    const swept = () => REPOS.every((repo) => [1, 2, 3, 4, 5].every((n) => checked(repo, n)));

    const mark = sim.mark();
    const sweep = sim
      .send(
        "installation_repositories",
        {
          action: "added",
          installation: { id: sim.installationId, account: { login: ORG, id: sim.model.user(ORG).id, type: "Organization" } },
          repository_selection: "selected",
          repositories_added: REPOS.map((name) => ({ id: sim!.model.mustRepo(ORG, name).id, name, full_name: `${ORG}/${name}` })),
          repositories_removed: [],
          sender: { login: "admin", id: 1, type: "User" },
        },
        { timeoutMs: 120_000 },
      )
      .catch(() => undefined);
    // A live event once the sweep is writing.
    expect(await sim.waitForRequest((e) => e.seq > mark && e.kind === "write", 30_000)).toBeDefined();
    // Without Redis the answer waits for the evaluation (or says 202 after 9 s): the check is what counts.
    await sim.send("pull_request", sim.payloads.pullRequest("opened", ORG, "live", 1));

    expect(await until(swept, 90_000), "the sweep did not finish").toBe(true);
    expect(await until(() => checked("live", 1), 30_000), "the live event got no check").toBe(true);
    await sweep;
    expect(sim.rateLimited, "requests answered 403").toBe(0);
    // The sweep had to wait for the reset: it needed more than a window holds.
    const waits = (await server.services!.metrics.sweepRateLimitWaits.get()).values[0]?.value ?? 0;
    expect(waits, "the sweep never waited for the rate-limit window").toBeGreaterThan(0);
    expect(sim.countsSince(mark).read).toBeGreaterThan(LIMIT);
    // The live event's check was written while the sweep still had checks to write.
    const checkWrites = sim.entriesSince(mark).filter((e) => e.route === "checks.create");
    const liveWrite = checkWrites.find((e) => (e.body as { head_sha?: string }).head_sha === head("live", 1));
    expect(liveWrite, "no check write for the live PR").toBeDefined();
    expect(checkWrites.filter((e) => e.seq > liveWrite!.seq).length, "the sweep had finished before the live event").toBeGreaterThan(0);
  }, 150_000);
});
