// Benchmarks only: `node --import ./bench/lib/scaled-throttle.mjs` divides the spacing of Probot's
// write throttle (@octokit/plugin-throttling: writes 1 s, notifications 3 s, search 2 s) by
// BENCH_THROTTLE_SCALE, so that draining an installation of 100 repositories takes ~2 minutes
// instead of ~20. Everything else in the app runs unchanged; the app's own write spacing is set
// to match with WRITE_SPACING_MS. Ratios to the lower bound do not depend on the scale as long as
// the simulator's latency is scaled too.
import { register } from "node:module";

const scale = Number(process.env.BENCH_THROTTLE_SCALE ?? "1");
if (Number.isFinite(scale) && scale > 1) {
  register(
    `data:text/javascript,${encodeURIComponent(`
      const scale = ${scale};
      export async function load(url, context, next) {
        const result = await next(url, context);
        if (!url.includes("/@octokit/plugin-throttling/") || result.source == null) return result;
        const source = String(result.source).replace(/minTime: (\\d+)e3/g, (_, n) => "minTime: " + (Number(n) * 1000) / scale);
        return { ...result, source };
      }
    `)}`,
    import.meta.url,
  );
}
