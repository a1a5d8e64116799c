// The benchmark's naive baseline: the same app composed without what makes it cheap — no coalescing
// gate (every event is evaluated at once, and no run remembers anything for the next), no caches of
// GitHub's answers (policy, membership, labels, notes, ETags: read every time), no write turns (writes
// go straight to Probot's throttle), no Redis. With no memory and no cached policy, an evaluation never
// plans a speculative read either, so it reads in two rounds (snapshot and policy, then the check run).
// Nothing in src/ knows about it: it is a different set of parts passed to createServices.
import { createServices, type Services } from "../../src/handlers/services.js";
import { LocalWaitingMarks, type GatedTask, type GateRequest, type PullGate, type RunResult } from "../../src/scale/pull-gate.js";

/** No coalescing and no memory: every event is evaluated at once, as a naive app would. */
export class DirectGate extends LocalWaitingMarks implements PullGate {
  async run(_key: string, task: GatedTask, request: GateRequest = {}): Promise<RunResult | undefined> {
    return task({ ...(request.override ? { override: request.override } : {}), memo: {}, superseded: async () => false });
  }

  async close(): Promise<void> {}
}

/** The naive baseline's services, from the same environment the app reads (REDIS_URL is ignored). */
export function createNaiveServices(env: NodeJS.ProcessEnv = process.env): Services {
  const { REDIS_URL: _ignored, ...withoutRedis } = env;
  return createServices(withoutRedis, { gate: new DirectGate(), writeTurns: false, cacheMs: 0 });
}
