// An installation Octokit as the app builds it for unit tests of the write queue: the request hook
// with write turns, Probot's throttling and retries off; and the check views those tests write.
import { ProbotOctokit } from "probot";
import { instrumentOctokit } from "../../src/github/instrument.js";
import type { Octokit } from "../../src/github/octokit.js";
import type { WriteTurns } from "../../src/github/write-turns.js";
import type { CheckRunView } from "../../src/core/render.js";

export const API = "https://api.github.com";

export function queuedOctokit(turns: WriteTurns, baseUrl = API): Octokit {
  const gh = new ProbotOctokit({
    auth: { token: "test-token" },
    baseUrl,
    throttle: { enabled: false },
    retry: { enabled: false },
  }) as unknown as Octokit;
  instrumentOctokit(gh, { turns }, "4242");
  return gh;
}

/** A check view: completed with a conclusion ("done: failure"), or waiting for an approval. */
export const checkView = (status: CheckRunView["status"], conclusion?: CheckRunView["conclusion"]): CheckRunView => ({
  status,
  ...(conclusion ? { conclusion } : {}),
  title: status === "completed" ? `done: ${conclusion}` : "Waiting for 1 approval",
  summary: "s",
  text: "",
});
