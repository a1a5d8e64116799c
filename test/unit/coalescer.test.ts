// The coalescer: a burst becomes one run plus one follow-up; keys are independent; runs never overlap.
// Time is the subject of the quiet period: it runs on vitest's fake clock (setTimeout and
// performance.now), so a busy machine cannot stretch a gap between two requests.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Coalescer } from "../../src/scale/coalescer.js";
import { deferred } from "../helpers/deferred.js";

/** `ms` on the fake clock: the task's work, or the spacing of requests. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Let the fake clock run every timer (the tasks' work, the quiet periods) until `p` can settle. */
async function settle<T>(p: Promise<T>): Promise<T> {
  await vi.runAllTimersAsync();
  return p;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A task that records when it ran and what "state" it saw, taking `ms` to finish. */
function recorder() {
  const runs: Array<{ key: string; saw: number; start: number; end: number }> = [];
  let active = 0;
  let maxActive = 0;
  let state = 0;
  return {
    runs,
    get maxActive() {
      return maxActive;
    },
    bump: () => ++state,
    task: (key: string, ms: number) => async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      const saw = state;
      const start = performance.now();
      await sleep(ms);
      runs.push({ key, saw, start, end: performance.now() });
      active--;
    },
  };
}

/** A burst spread over time: 10 requests for one PR, one every 20 ms, each run taking 5 ms. */
async function spreadBurst(c: Coalescer) {
  const r = recorder();
  const all: Array<Promise<void>> = [];
  for (let i = 0; i < 10; i++) {
    r.bump();
    all.push(c.run("pr", r.task("pr", 5)));
    await vi.advanceTimersByTimeAsync(20);
  }
  await settle(Promise.all(all));
  return r;
}

describe("Coalescer", () => {
  it("resolves each request with the result of the run that served it (the first to start after it)", async () => {
    const c = new Coalescer();
    let release!: () => void;
    const first = c.run("pr", () => new Promise<string>((resolve) => (release = () => resolve("first"))));
    // Both arrive while the first runs: they join one follow-up and get its result, not the first run's.
    const second = c.run("pr", async () => "follow-up");
    const third = c.run("pr", async () => "never run");
    release();
    expect(await Promise.all([first, second, third])).toEqual(["first", "follow-up", "follow-up"]);
  });

  it("runs 20 simultaneous requests for one key at most twice, the last at the latest state", async () => {
    const c = new Coalescer();
    const r = recorder();
    const all = Array.from({ length: 20 }, () => {
      r.bump();
      return c.run("pr", r.task("pr", 20));
    });
    await settle(Promise.all(all));
    expect(r.runs.length).toBeLessThanOrEqual(2);
    expect(r.runs[r.runs.length - 1]?.saw).toBe(20);
    expect(c.coalesced).toBe(19);
    expect(c.inFlight).toBe(0);
  });

  it("never runs two tasks for one key at once, and a later request always gets a run that starts after it", async () => {
    const c = new Coalescer();
    const r = recorder();
    const pending: Array<Promise<void>> = [];
    for (let i = 0; i < 30; i++) {
      const requestedAt = performance.now();
      r.bump();
      const p = c.run("pr", r.task("pr", 7)).then(() => {
        // The run that resolved this request started after the request was made.
        expect(r.runs.some((run) => run.start >= requestedAt)).toBe(true);
      });
      pending.push(p);
      await vi.advanceTimersByTimeAsync(3);
    }
    await settle(Promise.all(pending));
    expect(r.maxActive).toBe(1);
    expect(r.runs[r.runs.length - 1]?.saw).toBe(30);
    for (let i = 1; i < r.runs.length; i++) expect(r.runs[i]!.start).toBeGreaterThanOrEqual(r.runs[i - 1]!.end - 1);
  });

  it("runs different keys independently and in parallel", async () => {
    const c = new Coalescer();
    // Every run lasts until the test ends them: all four have started while none has finished.
    const release = deferred();
    const started: string[] = [];
    const runs = ["a", "b", "c", "d"].map((k) =>
      c.run(k, async () => {
        started.push(k);
        await release.promise;
        return k;
      }),
    );
    expect(started).toEqual(["a", "b", "c", "d"]);
    expect(c.inFlight).toBe(4);
    release.resolve();
    expect(await Promise.all(runs)).toEqual(["a", "b", "c", "d"]);
  });

  it("reports a follow-up to the running task, so it can leave its writes to it", async () => {
    const c = new Coalescer();
    const seen: boolean[] = [];
    const first = c.run("pr", async () => {
      seen.push(c.hasFollowUp("pr"));
      await sleep(10);
      seen.push(c.hasFollowUp("pr"));
    });
    const second = c.run("pr", async () => {
      seen.push(c.hasFollowUp("pr"));
    });
    await settle(Promise.all([first, second]));
    expect(seen).toEqual([false, true, false]);
  });

  it("passes a failure to everyone who joined the failed run, and the follow-up still runs", async () => {
    const c = new Coalescer();
    let ran = 0;
    const first = c.run("pr", async () => {
      await sleep(5);
      throw new Error("boom");
    });
    const follow = c.run("pr", async () => void ran++);
    const failed = expect(first).rejects.toThrow("boom");
    await settle(follow);
    await failed;
    expect(ran).toBe(1);
    expect(c.inFlight).toBe(0);
  });

  it("with a delay, requests arriving before the run starts join it (one run instead of two)", async () => {
    const c = new Coalescer(() => {}, 30);
    const r = recorder();
    const first = c.run("pr", r.task("pr", 5));
    await vi.advanceTimersByTimeAsync(10);
    r.bump();
    const second = c.run("pr", r.task("pr", 5));
    await settle(Promise.all([first, second]));
    expect(r.runs).toHaveLength(1);
    expect(r.runs[0]?.saw).toBe(1);
  });

  it("with a quiet period, a burst spread over time (a request every 20 ms) becomes one run", async () => {
    const r = await spreadBurst(new Coalescer(() => {}, 60));
    expect(r.runs).toHaveLength(1);
    expect(r.runs[0]?.saw).toBe(10);
  });

  it("without one, the same spread burst costs a run per gap the runs cannot cover", async () => {
    const r = await spreadBurst(new Coalescer());
    expect(r.runs.length).toBeGreaterThan(2);
    expect(r.runs[r.runs.length - 1]?.saw).toBe(10);
  });

  it("counts each coalesced request through its callback", async () => {
    let count = 0;
    const c = new Coalescer(() => count++);
    await settle(Promise.all([1, 2, 3].map(() => c.run("k", async () => void (await sleep(5))))));
    expect(count).toBe(2);
  });
});
