// The Grafana dashboard queries only metrics the app serves at /metrics, through the datasource variable.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Metrics } from "../../src/metrics/metrics.js";

const dashboard = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "deploy", "grafana", "countersign.json"), "utf8")) as {
  uid: string;
  title: string;
  panels: Array<{
    type: string;
    title: string;
    datasource?: { uid: string };
    targets?: Array<{ expr: string; datasource?: { uid: string } }>;
  }>;
};
const queried = dashboard.panels.filter((p) => p.type !== "row");
const exprs = queried.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
/** Histogram series are queried by their _bucket/_sum/_count; /metrics declares the histogram's own name. */
const metricNames = [
  ...new Set(exprs.flatMap((e) => [...e.matchAll(/\b(countersign_[a-z_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, "")))),
];

describe("deploy/grafana/countersign.json", () => {
  it("queries only metrics that /metrics serves", async () => {
    const body = (await new Metrics().render()).body;
    const served = new Set([...body.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    expect(metricNames.length).toBeGreaterThanOrEqual(10);
    expect(metricNames.filter((name) => !served.has(name))).toEqual([]);
  });

  it("has the panels the issue names", () => {
    expect(dashboard.uid).toBe("countersign");
    const all = exprs.join("\n");
    for (const metric of [
      "countersign_evaluations_total",
      "countersign_waiting_pull_requests",
      "countersign_signoff_wait_seconds_bucket",
      "countersign_bypassed_merges_total",
      "countersign_reverts_total",
      "countersign_merged_pull_requests_total",
      "countersign_github_requests_total",
    ]) {
      expect(all).toContain(metric);
    }
    expect(all).toContain("histogram_quantile(0.9, sum by (le, tier) (rate(countersign_signoff_wait_seconds_bucket");
  });

  it("aggregates the waiting gauge with max: with Redis every replica reports the whole deployment's count", () => {
    const waiting = exprs.filter((e) => e.includes("countersign_waiting_pull_requests"));
    expect(waiting.length).toBeGreaterThan(0);
    for (const e of waiting) expect(e).toMatch(/^max by \(tier\) \(countersign_waiting_pull_requests\)$/);
  });

  it("shows the delivery stream's pending deliveries, aggregated with max (every replica reports the shared stream)", () => {
    const pending = exprs.filter((e) => e.includes("countersign_delivery_stream_pending"));
    expect(pending).toEqual(["max(countersign_delivery_stream_pending)"]);
  });

  it("takes its Prometheus from the datasource variable in every panel and query", () => {
    for (const p of queried) {
      expect(p.datasource?.uid, p.title).toBe("${datasource}");
      for (const t of p.targets ?? []) expect(t.datasource?.uid, p.title).toBe("${datasource}");
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
    }
  });
});
