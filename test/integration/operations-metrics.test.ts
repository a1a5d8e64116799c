// The operations metrics: handler failures outside an evaluation (by event), GitHub's answers by
// status class, and the installation's remaining rate limit — through the app, against nock.
import { describe, expect, it } from "vitest";
import { Metrics } from "../../src/metrics/metrics.js";
import { FakeGitHub, INSTALLATION_ID, OWNER, REPO, createTestApp } from "../helpers/github.js";

const installationCreated = {
  action: "created",
  installation: { id: INSTALLATION_ID, account: { login: OWNER, id: 1, type: "Organization" } },
  repositories: [{ id: 2, name: REPO, full_name: `${OWNER}/${REPO}`, private: true }],
  sender: { login: "admin", id: 3, type: "User" },
};

async function value(
  metrics: Metrics,
  name: "handlerFailures" | "githubResponses" | "rateLimitRemaining",
  labels: Record<string, string>,
): Promise<number | undefined> {
  const { values } = await metrics[name].get();
  return values.find((v) => Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l))?.value;
}

describe("operations metrics", () => {
  it("record the answer's status class and the installation's remaining rate limit", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().token();
    gh.api.get(`/repos/${OWNER}/${REPO}/pulls`).query(true).reply(200, [], { "x-ratelimit-remaining": "4321" });
    await app.receive("installation", installationCreated);
    const m = app.services.metrics;
    expect(await value(m, "githubResponses", { kind: "read", status_class: "2xx" })).toBe(1);
    expect(await value(m, "rateLimitRemaining", { installation: String(INSTALLATION_ID) })).toBe(4321);
    expect(await value(m, "handlerFailures", { event: "installation.created" })).toBeUndefined();
  });

  it("count a handler that failed outside an evaluation, by event, and the 5xx that failed it", async () => {
    const app = createTestApp();
    const gh = new FakeGitHub().token();
    gh.api.get(`/repos/${OWNER}/${REPO}/pulls`).query(true).reply(502, { message: "Bad gateway" }, { "x-ratelimit-remaining": "17" });
    await expect(app.receive("installation", installationCreated)).rejects.toThrow(/could not list the open pull requests/);
    const m = app.services.metrics;
    expect(await value(m, "handlerFailures", { event: "installation.created" })).toBe(1);
    expect(await value(m, "githubResponses", { kind: "read", status_class: "5xx" })).toBe(1);
    expect(await value(m, "rateLimitRemaining", { installation: String(INSTALLATION_ID) })).toBe(17);
  });

  it("leave an evaluation's own failure to countersign_evaluations_total", async () => {
    const metrics = new Metrics();
    const evaluationError = new Error("GitHub failed during an evaluation");
    metrics.noteEvaluationError(evaluationError);
    metrics.countHandlerFailure("pull_request.opened", evaluationError);
    metrics.countHandlerFailure("push", new Error("outside any evaluation"));
    expect(await value(metrics, "handlerFailures", { event: "pull_request.opened" })).toBeUndefined();
    expect(await value(metrics, "handlerFailures", { event: "push" })).toBe(1);
  });

  it("class an unanswered request as none", async () => {
    const metrics = new Metrics();
    metrics.countRequest("write", undefined);
    metrics.countRequest("read", 304);
    expect(await value(metrics, "githubResponses", { kind: "write", status_class: "none" })).toBe(1);
    expect(await value(metrics, "githubResponses", { kind: "read", status_class: "3xx" })).toBe(1);
  });
});
