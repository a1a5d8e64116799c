// github/queue-yields.ts: Bottleneck (Probot's throttling and retry queues) yields without a 1 ms timer per step.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
// @ts-expect-error light.js ships no types (see src/github/queue-yields.ts)
import BottleneckLight from "bottleneck/light.js";
import type BottleneckClass from "bottleneck";
import { yieldQueuesWithoutTimers } from "../../src/github/queue-yields.js";

const Bottleneck = BottleneckLight as typeof BottleneckClass;

/** How many 0 ms timers Bottleneck starts to run five jobs submitted together. */
async function zeroTimersForFiveJobs(): Promise<number> {
  const spy = vi.spyOn(globalThis, "setTimeout");
  try {
    const limiter = new Bottleneck({ maxConcurrent: 10 });
    const ran = await Promise.all([1, 2, 3, 4, 5].map((n) => limiter.schedule(async () => n)));
    expect(ran).toEqual([1, 2, 3, 4, 5]);
    return spy.mock.calls.filter(([, ms]) => !ms).length;
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

/** Every installed copy of a package under a node_modules tree (nested copies included). */
function installedCopies(nodeModules: string, name: string, found: string[] = []): string[] {
  if (!existsSync(nodeModules)) return found;
  if (existsSync(join(nodeModules, name, "package.json"))) found.push(join(nodeModules, name));
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const dirs = entry.name.startsWith("@")
      ? readdirSync(join(nodeModules, entry.name), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => join(nodeModules, entry.name, d.name))
      : [join(nodeModules, entry.name)];
    for (const dir of dirs) installedCopies(join(dir, "node_modules"), name, found);
  }
  return found;
}

describe("yieldQueuesWithoutTimers", () => {
  it("patches the one Bottleneck installed, so Probot's throttling and retry plugins use the patched class", () => {
    const root = join(import.meta.dirname, "..", "..", "node_modules");
    expect(installedCopies(root, "bottleneck")).toEqual([join(root, "bottleneck")]);
  });

  it("leaves one 0 ms timer per job (Bottleneck's run step) instead of one per datastore step", async () => {
    const before = await zeroTimersForFiveJobs();
    yieldQueuesWithoutTimers();
    yieldQueuesWithoutTimers(); // idempotent
    const after = await zeroTimersForFiveJobs();
    // Unpatched, each job costs several yields (submit, register, free), each a clamped 1 ms timer.
    expect(before).toBeGreaterThanOrEqual(15);
    expect(after).toBe(5);
  });

  it("keeps spacing: minTime still waits on its own timer", async () => {
    yieldQueuesWithoutTimers();
    const spy = vi.spyOn(globalThis, "setTimeout");
    const limiter = new Bottleneck({ maxConcurrent: 1, minTime: 50 });
    await Promise.all([limiter.schedule(async () => 1), limiter.schedule(async () => 2)]);
    // The second job waited for the first's minTime: a timer of (up to) 50 ms, not an immediate.
    expect(spy.mock.calls.some(([, ms]) => typeof ms === "number" && ms > 0 && ms <= 50)).toBe(true);
  });
});
