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
import { ORG_POLICY_REPO } from "../policy/paths.js";

/** Repositories whose policy-read files are remembered (oldest forgotten first). */
const MAX_READER_REPOS = 5_000;
/** How long, and for how many PRs, the head a verdict may pass on is remembered (a hint; see `mayPassOn`). */
const PASS_HINT_TTL_MS = 60 * 60 * 1000;
const PASS_HINT_MAX = 20_000;

/** A counter per owner that every replica reads before trusting its cache, and a push bumps. */
export interface PolicyEpochs {
  current(owner: string): Promise<string>;
  bump(owner: string): Promise<void>;
}

export class PolicyCache {
  /** Keyed "owner/repo@epoch": a push seen by another replica changes the epoch, so old entries are never hit again. */
  private readonly entries: TtlCache<LoadedPolicy>;
  /** The epoch each owner had at its last load here, for peek(). */
  private readonly lastEpoch = new Map<string, string>();
  /**
   * Per "owner/repo" (lower-case), the paths in it that some loaded policy reads (its sources: a policy
   * file, an org policy, an `_extends` target). Kept past the cache's lifetime: a PR that changes such a
   * file is critical (risk.ts). Learned from loads on this replica; bounded.
   */
  private readonly readers = new Map<string, Map<string, Set<string>>>();
  /**
   * Per PR ("owner/repo#number", lower-case), the head on which its last evaluation under this
   * repository's policy found that the verdict may well pass (core/evaluate-pull.ts `mayPass`).
   * A hint for round 1 (github/pull-source.ts), never a fact: a wrong one costs a round trip or
   * two speculative reads. Dropped with the repository's policy; per replica, bounded.
   */
  private readonly passHints = new TtlCache<string>(PASS_HINT_TTL_MS, PASS_HINT_MAX);
  /** Per repository, its forks_count as the last PR read said (a hint for round 1's listing of the PRs on a head). */
  private readonly forkHints = new TtlCache<number>(PASS_HINT_TTL_MS, MAX_READER_REPOS);

  constructor(
    ttlMs: number,
    private readonly epochs?: PolicyEpochs,
    private readonly onEpochError: (err: unknown) => void = () => {},
  ) {
    this.entries = new TtlCache<LoadedPolicy>(ttlMs, 5_000);
  }

  private static repoKey(owner: string, repo: string): string {
    return `${owner}/${repo}`.toLowerCase();
  }

  /** The cached policy without asking anyone (for planning speculative reads; may be stale). */
  peek(owner: string, repo: string): LoadedPolicy | undefined {
    const epoch = this.lastEpoch.get(owner.toLowerCase()) ?? "";
    return this.entries.get(`${PolicyCache.repoKey(owner, repo)}@${epoch}`);
  }

  /** The head on which this PR's last evaluation found its verdict may pass (a hint), if any. */
  mayPassOn(owner: string, repo: string, number: number): string | undefined {
    return this.passHints.get(`${PolicyCache.repoKey(owner, repo)}#${number}`);
  }

  /** Remember (a head) or forget (undefined) on which head this PR's verdict may pass. */
  noteMayPass(owner: string, repo: string, number: number, headSha: string | undefined): void {
    const key = `${PolicyCache.repoKey(owner, repo)}#${number}`;
    if (headSha) this.passHints.set(key, headSha);
    else this.passHints.delete(key);
  }

  /** How many forks owner/repo had when a PR of it was last read (a hint), if known. */
  forksOf(owner: string, repo: string): number | undefined {
    return this.forkHints.get(PolicyCache.repoKey(owner, repo));
  }

  noteForks(owner: string, repo: string, forks: number | undefined): void {
    if (forks === undefined) this.forkHints.delete(PolicyCache.repoKey(owner, repo));
    else this.forkHints.set(PolicyCache.repoKey(owner, repo), forks);
  }

  /** The paths of owner/repo that a policy this app has loaded reads. */
  filesReadIn(owner: string, repo: string): string[] {
    return [...(this.readers.get(PolicyCache.repoKey(owner, repo))?.keys() ?? [])];
  }

  /** The repositories ("owner/repo", lower-case) whose loaded policy reads this file of owner/repo. */
  readersOf(owner: string, repo: string, path: string): string[] {
    return [...(this.readers.get(PolicyCache.repoKey(owner, repo))?.get(path) ?? [])];
  }

  private noteSources(loaded: LoadedPolicy, reader: string): LoadedPolicy {
    for (const source of loaded.sources) {
      const colon = source.indexOf(":");
      if (colon < 0) continue;
      const key = source.slice(0, colon).toLowerCase();
      let paths = this.readers.get(key);
      if (!paths) {
        if (this.readers.size >= MAX_READER_REPOS) this.readers.delete(this.readers.keys().next().value as string);
        this.readers.set(key, (paths = new Map()));
      }
      const path = source.slice(colon + 1);
      paths.set(path, (paths.get(path) ?? new Set()).add(reader));
    }
    return loaded;
  }

  /** Concurrent loads of one repository's policy share one read (TtlCache.getOrLoad). */
  async load(octokit: Octokit, owner: string, repo: string): Promise<LoadedPolicy> {
    return this.noteSources(await this.loadCached(octokit, owner, repo), PolicyCache.repoKey(owner, repo));
  }

  private async loadCached(octokit: Octokit, owner: string, repo: string): Promise<LoadedPolicy> {
    if (!this.entries.enabled) return loadPolicy(octokit, owner, repo);
    let epoch = "";
    if (this.epochs) {
      try {
        epoch = await this.epochs.current(owner.toLowerCase());
      } catch (err) {
        // Cannot tell whether another replica saw a change: read GitHub, keep nothing.
        this.onEpochError(err);
        return loadPolicy(octokit, owner, repo);
      }
    }
    this.lastEpoch.set(owner.toLowerCase(), epoch);
    return this.entries.getOrLoad(`${PolicyCache.repoKey(owner, repo)}@${epoch}`, () => loadPolicy(octokit, owner, repo));
  }

  /**
   * A push changed a policy: drop what it may affect, here and (through the epoch) on every replica.
   * A load in flight for a dropped key is handed out but not kept (TtlCache.deletePrefix).
   */
  invalidate(owner: string, repo: string): Promise<void> {
    const prefix = repo.toLowerCase() === ORG_POLICY_REPO ? `${owner}/`.toLowerCase() : `${PolicyCache.repoKey(owner, repo)}@`;
    this.entries.deletePrefix(prefix);
    this.passHints.deletePrefix(prefix.endsWith("@") ? `${prefix.slice(0, -1)}#` : prefix);
    return this.epochs ? this.epochs.bump(owner.toLowerCase()).catch(this.onEpochError) : Promise.resolve();
  }
}
