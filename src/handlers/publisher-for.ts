// The publisher of one evaluation or event (github/publisher.ts), made from what it needs: the event's
// client and the installation it was instrumented for (index.ts, server/intake.ts, the escalation
// sweep name it: github/instrument.ts installationOf), the installation write queues, the echo ledger
// of the app's own label changes and, for an evaluation, its guard and PR key.
import type { Octokit } from "../github/octokit.js";
import { installationOf } from "../github/instrument.js";
import { Publisher, type LabelChange, type LabelEchoes } from "../github/publisher.js";
import type { WriteGuard } from "../github/write-turns.js";
import { echoKey, type EchoLedger } from "../scale/echo-ledger.js";
import { durabilityOf } from "./durability.js";
import type { Services } from "./services.js";

/** What a publisher is made from (a narrow view of Services). */
export type PublisherServices = Pick<Services, "turns" | "metrics">;

export function publisherFor(
  octokit: Octokit,
  services: PublisherServices,
  evaluation: { guard?: WriteGuard; pr?: string } = {},
): Publisher {
  return new Publisher({
    octokit,
    installation: installationOf(octokit),
    turns: services.turns,
    echoes: labelEchoes(durabilityOf(services).echoes),
    ...evaluation,
  });
}

/** The echo ledger, keyed as the labeled/unlabeled deliveries it recognises (handlers/durability.ts isOwnEcho). */
function labelEchoes(ledger: EchoLedger): LabelEchoes {
  const key = (c: LabelChange) => echoKey(c.owner, c.repo, c.number, c.action, c.label);
  return { expect: (c) => ledger.expect(key(c)), forget: (c) => ledger.forget(key(c)) };
}
