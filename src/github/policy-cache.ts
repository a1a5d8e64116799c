// The policy per repository, cached: Probot's loader reads the repository's file, then the
// organisation's `.github` (two sequential round trips when cold). Warm, it costs nothing.
//
// Lifetime: until a push changes the policy (onPolicyChanged; a push to the organisation's `.github`
// drops every repository of that owner), and at most POLICY_CACHE_SECONDS (default 300), which
// bounds how long a change that no push to this installation announces — an `_extends` target in
// another organisation — goes unseen. Across replicas, an optional epoch per owner (in Redis) makes a
// push seen by one replica invalidate the others' entries too.
import type { Octokit } from "./octokit.js";
import { loadPolicy, type LoadedPolicy } from "./policy-source.js";
import { TtlCache } from "./ttl-cache.js";

const ORG_POLICY_REPO = ".github";

/** A counter per owner that every replica reads before trusting its cache, and a push bumps. */
export interface PolicyEpochs {
  current(owner: string): Promise<string>;
  bump(owner: string): Promise<void>;
}

interface Entry {
  loaded: LoadedPolicy;
  epoch: string;
}

export class PolicyCache {
  private readonly entries: TtlCache<Entry>;
  private readonly loading = new Map<string, Promise<LoadedPolicy>>();
  /** Bumped by every invalidation: a load that started before it is handed out but not kept. */
  private generation = 0;

  constructor(
    ttlMs: number,
    private readonly epochs?: PolicyEpochs,
    private readonly onEpochError: (err: unknown) => void = () => {},
  ) {
    this.entries = new TtlCache<Entry>(ttlMs, 5_000);
  }

  private static key(owner: string, repo: string): string {
    return `${owner}/${repo}`.toLowerCase();
  }

  /** The cached policy without asking anyone (for planning speculative reads; may be stale). */
  peek(owner: string, repo: string): LoadedPolicy | undefined {
    return this.entries.get(PolicyCache.key(owner, repo))?.loaded;
  }

  async load(octokit: Octokit, owner: string, repo: string): Promise<LoadedPolicy> {
    if (!this.entries.enabled) return loadPolicy(octokit, owner, repo);
    const key = PolicyCache.key(owner, repo);
    let epoch: string | undefined = "";
    if (this.epochs) {
      try {
        epoch = await this.epochs.current(owner.toLowerCase());
      } catch (err) {
        // Cannot tell whether another replica saw a change: read GitHub, keep nothing.
        this.onEpochError(err);
        epoch = undefined;
      }
    }
    const hit = this.entries.get(key);
    if (hit && epoch !== undefined && hit.epoch === epoch) return hit.loaded;
    const inFlight = this.loading.get(key);
    if (inFlight) return inFlight;
    const generation = this.generation;
    const promise = loadPolicy(octokit, owner, repo).then((loaded) => {
      if (generation === this.generation && epoch !== undefined) this.entries.set(key, { loaded, epoch });
      return loaded;
    });
    this.loading.set(key, promise);
    try {
      return await promise;
    } finally {
      if (this.loading.get(key) === promise) this.loading.delete(key);
    }
  }

  /** A push changed a policy: drop what it may affect, here and (through the epoch) on every replica. */
  invalidate(owner: string, repo: string): Promise<void> {
    this.generation++;
    if (repo.toLowerCase() === ORG_POLICY_REPO) {
      const prefix = `${owner}/`.toLowerCase();
      this.entries.deletePrefix(prefix);
      for (const key of this.loading.keys()) if (key.startsWith(prefix)) this.loading.delete(key);
    } else {
      const key = PolicyCache.key(owner, repo);
      this.entries.delete(key);
      this.loading.delete(key);
    }
    return this.epochs ? this.epochs.bump(owner.toLowerCase()).catch(this.onEpochError) : Promise.resolve();
  }
}
