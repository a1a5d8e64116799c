// An installation Octokit as the app builds it for unit tests of the write queue (the request hook,
// Probot's throttling and retries off), the publisher that writes through the queue, and the check
// views those tests write.
import { ProbotOctokit } from "probot";
import { instrumentOctokit } from "../../src/github/instrument.js";
import type { Octokit } from "../../src/github/octokit.js";
import type { WriteGuard, WriteTurns } from "../../src/github/write-turns.js";
import { Publisher } from "../../src/github/publisher.js";
import type { CheckRunView } from "../../src/core/render.js";

export const API = "https://api.github.com";

export function queuedOctokit(baseUrl = API): Octokit {
  const gh = new ProbotOctokit({
    auth: { token: "test-token" },
    baseUrl,
    throttle: { enabled: false },
    retry: { enabled: false },
  }) as unknown as Octokit;
  instrumentOctokit(gh, {}, "4242");
  return gh;
}

/** A publisher for installation 4242's queue: one evaluation's, when `guard` (and `pr`) are given. */
export function queuedPublisher(gh: Octokit, turns: WriteTurns, evaluation: { guard?: WriteGuard; pr?: string } = {}): Publisher {
  return new Publisher({ octokit: gh, installation: "4242", turns, ...evaluation });
}

/** A check view: completed with a conclusion ("done: failure"), or waiting for an approval. */
export const checkView = (status: CheckRunView["status"], conclusion?: CheckRunView["conclusion"]): CheckRunView => ({
  status,
  ...(conclusion ? { conclusion } : {}),
  title: status === "completed" ? `done: ${conclusion}` : "Waiting for 1 approval",
  summary: "s",
  text: "",
});
