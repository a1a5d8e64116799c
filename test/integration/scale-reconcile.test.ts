// The reconciliation on start (src/handlers/reconcile.ts) against the shared GitHub model: it lists
// the installations, their repositories and open PRs, and evaluates again exactly the PRs whose
// check is missing on their head or older than their last change; a PR whose check is current costs
// one read and no evaluation; the number of evaluations is bounded.
import pino from "pino";
import { describe, expect, it } from "vitest";
import { reconcileOpenPullRequests } from "../../src/handlers/reconcile.js";
import { createServices } from "../../src/handlers/services.js";
import type { Octokit } from "../../src/github/octokit.js";
import { newCheckRun } from "../support/github/check-runs.js";
import { GitHubSession, simCommit } from "../support/github/session.js";
import { OWNER, REPO } from "../support/github/constants.js";
import { TEST_APP_ENV, UnthrottledOctokit } from "../helpers/github.js";

const log = pino({ level: "silent" }) as never;

/** acme/shop with three open PRs: #1 without a check, #2 changed after its check, #3 whose check is newer than its last change. */
function world() {
  const github = new GitHubSession().install();
  const heads = new Map<number, string>();
  for (const number of [1, 2, 3]) {
    const sha = `${number}`.repeat(40);
    github.addPull({ number, headRef: `feature/${number}`, commits: [simCommit({ sha })] });
    heads.set(number, sha);
  }
  const checkAt = (number: number, completedAt: string, updatedAt: string) => {
    const run = newCheckRun(github.model, github.repo, "Countersign", heads.get(number)!);
    run.status = "completed";
    run.conclusion = "success";
    run.started_at = completedAt;
    run.completed_at = completedAt;
    github.pull(number).updatedAt = updatedAt;
  };
  checkAt(2, "2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z");
  checkAt(3, "2026-11-21T12:00:00Z", "2026-11-21T11:00:00Z");
  return { github, heads };
}

/** The PRs whose head has a check the app wrote (the ones made here carry no title). */
function written(github: GitHubSession, heads: Map<number, string>): number[] {
  return [...heads].filter(([, sha]) => github.model.latestCheckRun(OWNER, REPO, sha, "Countersign")?.output.title).map(([n]) => n);
}

/** The reconciliation on start against the shared model, evaluating at most `maxEvaluations` PRs. */
async function reconcile(maxEvaluations: number) {
  const services = createServices({ ...TEST_APP_ENV, WRITE_SPACING_MS: "0" });
  const octokit = new UnthrottledOctokit() as unknown as Octokit;
  const result = await reconcileOpenPullRequests(log, services, { auth: async () => octokit, instrument: () => undefined, maxEvaluations });
  return { services, result };
}

describe("reconciliation on start", () => {
  it("evaluates the PRs whose check is missing or older than the PR, and leaves a current check alone", async () => {
    const { github, heads } = world();
    const { services, result } = await reconcile(10);
    expect(result).toMatchObject({ evaluated: 2, current: 1, failed: 0 });
    // One read of the check for #3, and no read of the PR itself.
    expect(github.requests.filter((r) => r.path === `/repos/${OWNER}/${REPO}/pulls/3`)).toEqual([]);
    expect(github.requests.filter((r) => r.path === `/repos/${OWNER}/${REPO}/pulls/1`).length).toBeGreaterThan(0);
    expect(github.requests.filter((r) => r.path === `/repos/${OWNER}/${REPO}/pulls/2`).length).toBeGreaterThan(0);
    expect(written(github, heads)).toEqual([1, 2]);
    await services.close();
  });

  it("evaluates at most RECONCILE_MAX_PULLS PRs, though it evaluates several at once", async () => {
    const { github, heads } = world();
    const { services, result } = await reconcile(1);
    expect(result.evaluated).toBe(1);
    expect(result.skipped).toBe(1);
    expect(written(github, heads)).toHaveLength(1);
    await services.close();
  });
});
