// What the durable delivery path shares with the handlers of one app instance: the ledger of the
// app's own label writes (the publisher notes them, handlers/publisher-for.ts, so their echoes are not
// evaluated), the rate budget background work is paced by, and the count of live deliveries it gives
// way to. One set per Services; the server's intake (src/server/intake.ts) gives it the Redis-backed
// ledger when there is Redis.
import type { Octokit } from "../github/octokit.js";
import { echoKey, LocalEchoLedger, type EchoLedger } from "../scale/echo-ledger.js";
import { LiveTraffic, RateBudget } from "../scale/rate-budget.js";
import type { Services } from "./services.js";

export interface Durability {
  echoes: EchoLedger;
  budget: RateBudget;
  live: LiveTraffic;
}

const parts = new WeakMap<object, Durability>();

export function durabilityOf(services: Pick<Services, "metrics">): Durability {
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

export function useDurability(services: Pick<Services, "metrics">, replace: Partial<Durability>): Durability {
  const merged = { ...durabilityOf(services), ...replace };
  parts.set(services, merged);
  return merged;
}

const watched = new WeakSet<object>();

/** Note the rate-limit headers of an octokit's answers, which background sweeps are paced by. Once per octokit. */
export function watchRateLimit(octokit: Octokit, services: Pick<Services, "metrics">, installation: string): void {
  if (watched.has(octokit)) return;
  watched.add(octokit);
  const { budget } = durabilityOf(services);
  octokit.hook.wrap("request", async (request, options) => {
    try {
      const response = await request(options);
      budget.observe(installation, response.headers);
      return response;
    } catch (err) {
      budget.observe(installation, (err as { response?: { headers?: unknown } }).response?.headers);
      throw err;
    }
  });
}

/** Whether a delivery is the echo of a label change the app made (consumed: a second identical delivery is not). */
export async function isOwnEcho(services: Pick<Services, "metrics">, name: string, payload: unknown): Promise<boolean> {
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
