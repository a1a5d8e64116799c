// When a failed evaluation is tried again: GitHub's own delay first, bounded attempts, never for a 404.
import { describe, expect, it } from "vitest";
import { RetryScheduler, isRetryable, requestedDelayMs } from "../../src/scale/retry.js";

const httpError = (status: number, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`HTTP ${status}`), { status, response: { headers } });

describe("which failures are tried again", () => {
  it.each([
    [502, true],
    [500, true],
    [429, true],
    [403, true],
    [404, false],
    [422, false],
  ])("HTTP %i → %s", (status, retry) => {
    expect(isRetryable(httpError(status))).toBe(retry);
  });

  it("a network error or timeout (no status) is tried again", () => {
    expect(isRetryable(new Error("socket hang up"))).toBe(true);
  });
});

describe("how long to wait", () => {
  it.each([
    ["retry-after seconds", { "retry-after": "7" }, 7_000],
    ["until the primary limit resets", { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1060" }, 60_000],
    ["nothing said", {}, undefined],
  ])("%s", (_name, headers, delay) => {
    expect(requestedDelayMs(httpError(403, headers), 1_000_000)).toBe(delay);
  });
});

describe("RetryScheduler", () => {
  const policy = { baseMs: 5, maxAttempts: 2, maxDelayMs: 50 };

  it("runs the task once later, doubles the fallback delay, and stops after maxAttempts", async () => {
    const retries = new RetryScheduler(policy);
    let runs = 0;
    const failing = async () => {
      runs++;
      retries.schedule("pr", httpError(502), failing);
      throw new Error("still failing");
    };
    expect(retries.schedule("pr", httpError(502), failing)).toBe(5);
    await retries.idle();
    expect(runs).toBe(2);
    expect(retries.schedule("pr", httpError(502), failing)).toBeUndefined();
  });

  it("keeps one pending try per key, caps GitHub's delay, and skips what is not retryable", () => {
    const retries = new RetryScheduler(policy);
    expect(retries.schedule("a", httpError(429, { "retry-after": "3600" }), async () => {})).toBe(50);
    expect(retries.schedule("a", httpError(502), async () => {})).toBeUndefined();
    expect(retries.schedule("b", httpError(404), async () => {})).toBeUndefined();
    expect(retries.scheduled).toBe(1);
    retries.close();
    expect(retries.scheduled).toBe(0);
  });

  it("forgets the attempts once a try succeeds", async () => {
    const retries = new RetryScheduler(policy);
    retries.schedule("pr", httpError(502), async () => {});
    await retries.idle();
    retries.schedule("pr", httpError(502), async () => {});
    expect(retries.schedule("pr", httpError(502), async () => {})).toBeUndefined(); // pending
    await retries.idle();
    expect(retries.schedule("pr", httpError(502), async () => {})).toBe(5);
    retries.close();
  });
});
