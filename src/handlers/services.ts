// What the handlers share for the life of the app: names, caches, the coalescer. Built once from env.
import { Coalescer } from "./coalescer.js";
import { TtlCache } from "../github/ttl-cache.js";
import type { Permission } from "../github/directory.js";

export interface Services {
  checkName: string;
  appId: number | undefined;
  coalescer: Coalescer;
  /** Called when a push changes a repository's policy (cached policies are dropped here). */
  onPolicyChanged?: (owner: string, repo: string) => void;
  caches: {
    /** Active team membership per team and login. Short-lived: a senior removed from a team stops counting within this time. */
    membership: TtlCache<boolean>;
    permission: TtlCache<Permission>;
    /** Labels known to exist per repository. */
    labels: TtlCache<boolean>;
  };
}

function seconds(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) && n >= 0 ? n : fallback;
}

export function createServices(env: NodeJS.ProcessEnv = process.env): Services {
  const membershipTtl = seconds(env.MEMBERSHIP_CACHE_SECONDS, 60) * 1000;
  const appId = Number(env.APP_ID);
  return {
    checkName: env.CHECK_NAME?.trim() || "Countersign",
    appId: Number.isInteger(appId) && appId > 0 ? appId : undefined,
    coalescer: new Coalescer(),
    caches: {
      membership: new TtlCache<boolean>(membershipTtl),
      permission: new TtlCache<Permission>(membershipTtl),
      labels: new TtlCache<boolean>(60 * 60 * 1000),
    },
  };
}
