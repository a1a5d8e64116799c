// Which labels exist in which repository, so each missing label is created once per repository:
// concurrent evaluations in a new repository share one check-and-create (single-flight), the
// answer is remembered (a 422 "already exists" included), and with Redis the replicas share both
// the memory and the right to create, so an installation of many repositories spends exactly the
// label writes it needs.
import type { TtlCache } from "./ttl-cache.js";

/** What the replicas share about labels (Redis); every call may fail, and then the replica goes on alone. */
export interface SharedLabelMemory {
  known(key: string): Promise<boolean>;
  remember(key: string): Promise<void>;
  /** Become the one replica that creates the label (true); false: another replica is creating it now. */
  claim(key: string): Promise<boolean>;
  release(key: string): Promise<void>;
}

export interface LabelRegistryOptions {
  shared?: SharedLabelMemory | undefined;
  onSharedError?: (err: unknown) => void;
  /** How long to wait for another replica that is creating the label before trying ourselves. */
  waitMs?: number;
  pollMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class LabelRegistry {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly waitMs: number;
  private readonly pollMs: number;

  /** @param local Labels known to exist on this replica; a disabled cache (TTL 0) turns all of this off. */
  constructor(
    private readonly local: TtlCache<boolean>,
    private readonly options: LabelRegistryOptions = {},
  ) {
    this.waitMs = options.waitMs ?? 10_000;
    this.pollMs = options.pollMs ?? 100;
  }

  static key(owner: string, repo: string, label: string): string {
    return `${owner}/${repo}#${label}`.toLowerCase();
  }

  /**
   * Make sure the label exists, running `ensure` (read it; create it when missing) at most once per
   * repository and label while it is remembered. A failed `ensure` is not remembered.
   */
  ensure(owner: string, repo: string, label: string, ensure: () => Promise<void>): Promise<void> {
    if (!this.local.enabled) return ensure();
    const key = LabelRegistry.key(owner, repo, label);
    if (this.local.get(key)) return Promise.resolve();
    const running = this.inFlight.get(key);
    if (running) return running;
    const promise = this.ensureOnce(key, ensure).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  private async ensureOnce(key: string, ensure: () => Promise<void>): Promise<void> {
    const shared = this.options.shared;
    let claimed = false;
    if (shared) {
      try {
        if (await shared.known(key)) return this.local.set(key, true);
        claimed = await shared.claim(key);
        if (!claimed && (await this.waitForOther(shared, key))) return this.local.set(key, true);
      } catch (err) {
        this.options.onSharedError?.(err);
      }
    }
    try {
      await ensure();
      this.local.set(key, true);
      // Remembered before the claim is given up: a replica that asks in between finds it known, not free to claim.
      await shared?.remember(key).catch((err: unknown) => this.options.onSharedError?.(err));
    } finally {
      if (claimed) await shared?.release(key).catch((err: unknown) => this.options.onSharedError?.(err));
    }
  }

  /** Another replica holds the claim: true once it says the label exists; false if it did not in time (we then check ourselves). */
  private async waitForOther(shared: SharedLabelMemory, key: string): Promise<boolean> {
    const deadline = Date.now() + this.waitMs;
    while (Date.now() < deadline) {
      await sleep(this.pollMs);
      if (await shared.known(key)) return true;
    }
    return false;
  }
}
