// The policy cache: one read for concurrent loads, and nothing kept that a push invalidated mid-read.
import { describe, expect, it } from "vitest";
import { PolicyCache } from "../../src/github/policy-cache.js";
import type { Octokit } from "../../src/github/octokit.js";

/** An octokit whose config reads are answered by hand, counting them. */
function fakeOctokit() {
  const pending: Array<(mode: string) => void> = [];
  const octokit = {
    config: {
      get: () =>
        new Promise((resolve) => {
          pending.push((mode) =>
            resolve({ config: { mode }, files: [{ owner: "acme", repo: "shop", path: ".github/countersign.yml", config: { mode } }] }),
          );
        }),
    },
  } as unknown as Octokit;
  return { octokit, pending };
}

const modeOf = (loaded: Awaited<ReturnType<PolicyCache["load"]>>) => (loaded.ok ? loaded.policy.mode : "invalid");
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("PolicyCache", () => {
  it("shares one read between concurrent loads and serves the next from memory", async () => {
    const cache = new PolicyCache(60_000);
    const { octokit, pending } = fakeOctokit();
    const a = cache.load(octokit, "acme", "shop");
    const b = cache.load(octokit, "Acme", "Shop");
    await tick();
    expect(pending).toHaveLength(1);
    pending[0]!("report");
    expect([modeOf(await a), modeOf(await b)]).toEqual(["report", "report"]);
    expect(modeOf(await cache.load(octokit, "acme", "shop"))).toBe("report");
    expect(pending).toHaveLength(1);
  });

  it("does not keep a policy read before a push that changed it", async () => {
    const cache = new PolicyCache(60_000);
    const { octokit, pending } = fakeOctokit();
    const during = cache.load(octokit, "acme", "shop");
    await tick();
    await cache.invalidate("acme", "shop");
    pending[0]!("report");
    expect(modeOf(await during)).toBe("report"); // handed out to the caller that asked before the push
    const after = cache.load(octokit, "acme", "shop");
    await tick();
    expect(pending).toHaveLength(2); // read again, not served from memory
    pending[1]!("enforce");
    expect(modeOf(await after)).toBe("enforce");
  });

  it("a push to the organisation's .github drops every repository of that owner", async () => {
    const cache = new PolicyCache(60_000);
    const { octokit, pending } = fakeOctokit();
    const first = cache.load(octokit, "acme", "shop");
    await tick();
    pending[0]!("report");
    await first;
    expect(cache.peek("acme", "shop")).toBeDefined();
    await cache.invalidate("acme", ".github");
    expect(cache.peek("acme", "shop")).toBeUndefined();
  });
});
