// The label registry across replicas: a label is created once per repository. The order of what a
// replica tells the others decides whether a second one could slip in and create it again.
import { describe, expect, it } from "vitest";
import { LabelRegistry, type SharedLabelMemory } from "../../src/github/label-registry.js";
import { TtlCache } from "../../src/github/ttl-cache.js";

/** Shared memory as Redis holds it, recording the order of calls. */
function sharedMemory(): SharedLabelMemory & { calls: string[] } {
  const known = new Set<string>();
  const claimed = new Set<string>();
  const calls: string[] = [];
  return {
    calls,
    async known(key) {
      calls.push(`known ${key}`);
      return known.has(key);
    },
    async remember(key) {
      calls.push(`remember ${key}`);
      known.add(key);
    },
    async claim(key) {
      calls.push(`claim ${key}`);
      if (claimed.has(key)) return false;
      claimed.add(key);
      return true;
    },
    async release(key) {
      calls.push(`release ${key}`);
      claimed.delete(key);
    },
  };
}

describe("LabelRegistry with shared memory", () => {
  it("says the label exists before it gives up its claim: a replica asking in between finds it known", async () => {
    const shared = sharedMemory();
    const registry = new LabelRegistry(new TtlCache<boolean>(60_000), { shared });
    let created = 0;
    await registry.ensure("acme", "shop", "ai-assisted", async () => void created++);
    const mine = shared.calls.filter((c) => c.startsWith("remember") || c.startsWith("release"));
    expect(mine.map((c) => c.split(" ")[0])).toEqual(["remember", "release"]);
    // Another replica (its own local cache) comes after: it finds the label known and creates nothing.
    const other = new LabelRegistry(new TtlCache<boolean>(60_000), { shared });
    await other.ensure("acme", "shop", "ai-assisted", async () => void created++);
    expect(created).toBe(1);
  });

  it("a failed creation is neither remembered nor kept claimed", async () => {
    const shared = sharedMemory();
    const registry = new LabelRegistry(new TtlCache<boolean>(60_000), { shared });
    await expect(
      registry.ensure("acme", "shop", "ai-assisted", async () => {
        throw new Error("GitHub answered 500");
      }),
    ).rejects.toThrow("500");
    expect(shared.calls.some((c) => c.startsWith("remember"))).toBe(false);
    expect(shared.calls.at(-1)).toMatch(/^release /);
  });
});
