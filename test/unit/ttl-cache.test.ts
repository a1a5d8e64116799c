// TtlCache: expiry on an injected clock, size bound, prefix deletion, single-flight loads.
import { describe, expect, it } from "vitest";
import { TtlCache } from "../../src/github/ttl-cache.js";

function clock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe("TtlCache", () => {
  it("forgets an entry when its time is up", () => {
    const t = clock();
    const cache = new TtlCache<boolean>(60_000, 10, t.now);
    cache.set("team@bob", true);
    t.advance(59_999);
    expect(cache.get("team@bob")).toBe(true);
    t.advance(1);
    expect(cache.get("team@bob")).toBeUndefined();
  });

  it("keeps nothing with a TTL of zero (caches off)", () => {
    const cache = new TtlCache<number>(0);
    cache.set("a", 1);
    expect(cache.get("a")).toBeUndefined();
    expect(cache.enabled).toBe(false);
  });

  it("drops the oldest entry when full", () => {
    const cache = new TtlCache<number>(60_000, 2);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.set("c", 3);
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual([undefined, 2, 3]);
  });

  it("drops every key with a prefix", () => {
    const cache = new TtlCache<number>(60_000);
    cache.set("acme/shop", 1);
    cache.set("acme/web", 2);
    cache.set("other/shop", 3);
    cache.deletePrefix("acme/");
    expect([cache.get("acme/shop"), cache.get("acme/web"), cache.get("other/shop")]).toEqual([undefined, undefined, 3]);
  });

  it("shares one load among concurrent callers and caches its value", async () => {
    const cache = new TtlCache<string>(60_000);
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return "active";
    };
    const values = await Promise.all([cache.getOrLoad("k", load), cache.getOrLoad("k", load), cache.getOrLoad("k", load)]);
    expect(values).toEqual(["active", "active", "active"]);
    expect(loads).toBe(1);
    expect(await cache.getOrLoad("k", load)).toBe("active");
    expect(loads).toBe(1);
  });

  it("never caches a failed load; every waiting caller sees the error", async () => {
    const cache = new TtlCache<string>(60_000);
    const failing = async () => {
      await new Promise((r) => setTimeout(r, 2));
      throw new Error("500");
    };
    const results = await Promise.allSettled([cache.getOrLoad("k", failing), cache.getOrLoad("k", failing)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(await cache.getOrLoad("k", async () => "ok")).toBe("ok");
  });

  it("does not keep a value whose load was overtaken by a delete", async () => {
    const cache = new TtlCache<string>(60_000);
    let release!: () => void;
    const loading = cache.getOrLoad("k", () => new Promise<string>((r) => (release = () => r("stale"))));
    cache.delete("k");
    release();
    expect(await loading).toBe("stale");
    expect(cache.get("k")).toBeUndefined();
  });

  it("loads every time when off", async () => {
    const cache = new TtlCache<number>(0);
    let loads = 0;
    await cache.getOrLoad("k", async () => ++loads);
    await cache.getOrLoad("k", async () => ++loads);
    expect(loads).toBe(2);
  });

  it("refreshes ahead: a value in the last part of its life is handed out and reloaded once, never kept past its life", async () => {
    const t = clock();
    const cache = new TtlCache<number>(60_000, 10, t.now);
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.getOrLoad("k", load, { refreshAhead: 0.2 })).toBe(1);
    t.advance(47_000); // 13 s of 60 left: more than a fifth, no reload
    expect(await cache.getOrLoad("k", load, { refreshAhead: 0.2 })).toBe(1);
    expect(loads).toBe(1);
    t.advance(2_000); // 11 s left: within the last fifth
    const [a, b] = await Promise.all([
      cache.getOrLoad("k", load, { refreshAhead: 0.2 }),
      cache.getOrLoad("k", load, { refreshAhead: 0.2 }),
    ]);
    expect([a, b]).toEqual([1, 1]); // the cached value, still within its lifetime
    await Promise.resolve();
    expect(loads).toBe(2); // one reload for both callers
    t.advance(30_000); // past the first value's life: the reloaded one stands
    expect(cache.get("k")).toBe(2);
  });

  it("does not refresh ahead unless asked, and a failed refresh keeps the value until it expires", async () => {
    const t = clock();
    const cache = new TtlCache<number>(60_000, 10, t.now);
    let loads = 0;
    await cache.getOrLoad("k", async () => ++loads);
    t.advance(59_000);
    expect(await cache.getOrLoad("k", async () => ++loads)).toBe(1);
    expect(loads).toBe(1);
    expect(await cache.getOrLoad("k", () => Promise.reject(new Error("GitHub down")), { refreshAhead: 0.2 })).toBe(1);
    await Promise.resolve();
    expect(cache.get("k")).toBe(1);
    t.advance(1_000);
    expect(cache.get("k")).toBeUndefined();
  });
});
