// What the durable delivery path shares with the handlers of one app instance: the ledger of the
// app's own label writes (so their echoes are not evaluated), the rate budget background work is
// paced by, and the count of live deliveries it gives way to. One set per Services; the server's
// intake (src/server/intake.ts) gives it the Redis-backed ledger when there is Redis.
import type { Octokit } from "../github/octokit.js";
import { echoKey, LocalEchoLedger, type EchoLedger } from "../scale/echo-ledger.js";
import { LiveTraffic, RateBudget } from "../scale/rate-budget.js";
import type { Services } from "./services.js";

export interface Durability {
  echoes: EchoLedger;
  budget: RateBudget;
  live: LiveTraffic;
}

const parts = new WeakMap<Services, Durability>();

export function durabilityOf(services: Services): Durability {
  let found = parts.get(services);
  if (!found) {
    found = {
      echoes: new LocalEchoLedger(),
      budget: new RateBudget({
        reserveFraction: reserveFraction(process.env.SWEEP_RESERVE_PERCENT),
        onWait: () => services.metrics.sweepRateLimitWaits.inc(),
      }),
      live: new LiveTraffic(),
    };
    parts.set(services, found);
  }
  return found;
}

function reserveFraction(text: string | undefined): number {
  const n = Number(text);
  return text !== undefined && text.trim() !== "" && Number.isFinite(n) && n >= 0 && n < 100 ? n / 100 : 0.2;
}

export function useDurability(services: Services, replace: Partial<Durability>): Durability {
  const merged = { ...durabilityOf(services), ...replace };
  parts.set(services, merged);
  return merged;
}

const LABELS_PATH = /^(?:\/api\/v3)?\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/labels(?:\/([^/]+))?$/;

/** The label changes a request makes on a PR, as the keys of their echoes. */
export function labelChangesOf(method: string, url: string, body: unknown): string[] {
  const path = new URL(url, "http://github.invalid").pathname;
  const m = LABELS_PATH.exec(path);
  if (!m) return [];
  const [, owner, repo, number, name] = m as unknown as [string, string, string, string, string | undefined];
  const pr = Number(number);
  const o = decodeURIComponent(owner);
  const r = decodeURIComponent(repo);
  if (method === "DELETE" && name !== undefined) return [echoKey(o, r, pr, "unlabeled", decodeURIComponent(name))];
  if (method === "POST" && name === undefined) {
    const labels = (body as { labels?: unknown } | null | undefined)?.labels;
    if (!Array.isArray(labels)) return [];
    return labels.flatMap((l: unknown) => {
      const text = typeof l === "string" ? l : (l as { name?: unknown } | null)?.name;
      return typeof text === "string" ? [echoKey(o, r, pr, "labeled", text)] : [];
    });
  }
  return [];
}

const watched = new WeakSet<object>();

/**
 * Record the label writes an octokit makes (their echoes will be skipped) and the rate-limit
 * headers of its answers. Once per octokit; installed after the request hook of instrument.ts.
 */
export function watchOctokit(octokit: Octokit, services: Services, installation: string): void {
  if (watched.has(octokit)) return;
  watched.add(octokit);
  const { echoes, budget } = durabilityOf(services);
  octokit.hook.wrap("request", async (request, options) => {
    const parsed = octokit.request.endpoint.parse(options as Parameters<Octokit["request"]["endpoint"]["parse"]>[0]);
    const changes = labelChangesOf(parsed.method, parsed.url, parsed.body);
    await Promise.all(changes.map((key) => echoes.expect(key).catch(() => undefined)));
    try {
      const response = await request(options);
      budget.observe(installation, response.headers);
      return response;
    } catch (err) {
      budget.observe(installation, (err as { response?: { headers?: unknown } }).response?.headers);
      // Not written (failed, or dropped as superseded): no echo will come.
      await Promise.all(changes.map((key) => echoes.forget(key).catch(() => undefined)));
      throw err;
    }
  });
}

/** Whether a delivery is the echo of a label change the app made (consumed: a second identical delivery is not). */
export async function isOwnEcho(services: Services, name: string, payload: unknown): Promise<boolean> {
  if (name !== "pull_request") return false;
  const p = payload as {
    action?: unknown;
    label?: { name?: unknown };
    sender?: { type?: unknown };
    pull_request?: { number?: unknown };
    repository?: { name?: unknown; owner?: { login?: unknown } };
  } | null;
  if (!p || (p.action !== "labeled" && p.action !== "unlabeled")) return false;
  if (p.sender?.type !== "Bot") return false;
  const label = p.label?.name;
  const number = p.pull_request?.number;
  const owner = p.repository?.owner?.login;
  const repo = p.repository?.name;
  if (typeof label !== "string" || typeof number !== "number" || typeof owner !== "string" || typeof repo !== "string") return false;
  try {
    return await durabilityOf(services).echoes.consume(echoKey(owner, repo, number, p.action, label));
  } catch {
    // The shared ledger is away: evaluate, as without it.
    return false;
  }
}
