// The echoes of the app's own label writes, through the real server in-process (src/server/http.ts
// and intake.ts) against the shared GitHub model: the `labeled` delivery that the app's own label
// write sends back is answered and not evaluated (no read of the PR), while the same label change
// made by a person, or a second identical change by a bot, is evaluated.
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createServices } from "../../src/handlers/services.js";
import { readServerConfig } from "../../src/server/config.js";
import { startServer, type AppServer } from "../../src/server/http.js";
import { TEST_APP_ENV, UnthrottledOctokit, testKey } from "../helpers/github.js";
import { deliverSigned } from "../helpers/raw-http.js";
import { CLAUDE_TRAILER, OWNER, REPO } from "../support/github/constants.js";
import { GitHubSession, simCommit } from "../support/github/session.js";

const key = testKey();
const SECRET = "echo-secret";

let server: AppServer | undefined;
afterEach(async () => {
  await server?.shutdown("test");
  server = undefined;
});

async function start(): Promise<AppServer> {
  const env = {
    ...TEST_APP_ENV,
    APP_ID: "777",
    PRIVATE_KEY: key,
    WEBHOOK_SECRET: SECRET,
    HOST: "127.0.0.1",
    PORT: "0",
    RETRY_ATTEMPTS: "0",
    WRITE_SPACING_MS: "0",
    RECONCILE_ON_START: "false",
  };
  server = await startServer(readServerConfig(env, "/"), pino({ level: "silent" }), {
    env,
    services: createServices(env),
    probot: { Octokit: UnthrottledOctokit as never },
  });
  return server;
}

async function deliver(port: number, event: string, payload: object): Promise<number> {
  return (await deliverSigned(port, SECRET, event, payload)).status;
}

describe("the echoes of the app's own label writes", () => {
  it("are not evaluated; a person's identical label change is, and so is a bot's change the app did not make", async () => {
    const github = new GitHubSession().install();
    github.addPull({ number: 7, commits: [simCommit({ message: `Change\n\n${CLAUDE_TRAILER}` })] });
    const app = await start();
    const reads = () => github.requests.filter((r) => r.method === "GET" && r.path === `/repos/${OWNER}/${REPO}/pulls/7`).length;

    expect(await deliver(app.port, "pull_request", github.payloads.pullRequest("opened", OWNER, REPO, 7))).toBe(200);
    const added = github.requests.find((r) => r.method === "POST" && r.path === `/repos/${OWNER}/${REPO}/issues/7/labels`);
    const labels = (added?.body as { labels?: string[] } | undefined)?.labels ?? [];
    expect(labels.length, "the evaluation wrote no label").toBeGreaterThan(0);
    const label = labels[0]!;
    const before = reads();
    expect(before).toBeGreaterThan(0);

    // The echo: sent by the app's bot, the label the app just added.
    const echo = github.payloads.pullRequest("labeled", OWNER, REPO, 7, { sender: "countersign[bot]", label });
    expect(await deliver(app.port, "pull_request", echo)).toBe(200);
    expect(reads()).toBe(before);
    const outcomes = (await app.services!.metrics.deliveries.get()).values.filter((v) => v.labels.outcome === "echo");
    expect(outcomes.map((v) => v.value)).toEqual([1]);

    // The same change by a person is evaluated.
    expect(
      await deliver(app.port, "pull_request", github.payloads.pullRequest("labeled", OWNER, REPO, 7, { sender: "alice", label })),
    ).toBe(200);
    const afterPerson = reads();
    expect(afterPerson).toBeGreaterThan(before);

    // A second identical bot change: the app made one write, whose echo came already.
    expect(await deliver(app.port, "pull_request", echo)).toBe(200);
    expect(reads()).toBeGreaterThan(afterPerson);
  });
});
